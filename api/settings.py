"""Gateway settings, read once from the environment (prefix ``MAMMOCAD_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from registry.settings import RegistrySettings

__all__ = ["LOOPBACK_HOSTS", "GatewaySettings", "get_settings"]

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


class GatewaySettings(RegistrySettings):
    """Everything the gateway can be configured with; defaults are the embedded deployment."""

    model_config = SettingsConfigDict(env_prefix="MAMMOCAD_", frozen=True)

    host: str = Field(default="127.0.0.1", description="interface the gateway listens on")
    port: int = Field(default=8000, ge=0, le=65535)
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024, gt=0, description="uploads larger than this are refused with 413"
    )
    max_image_pixels: int = Field(
        default=40_000_000, gt=0, description="decoded images larger than this are refused"
    )
    registry_busy_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="seconds a registry write waits for a lock another process holds before "
        "the caller gets 503 problem+json (registry-busy)",
    )
    classify_url: str = Field(
        default="http://127.0.0.1:3001",
        description="base URL of the classification service; several replicas: their URLs "
        "comma-separated (requests are spread over those that answer, see api/replicas.py)",
    )
    detect_url: str = Field(
        default="http://127.0.0.1:3002",
        description="base URL of the detection service; several replicas: comma-separated",
    )
    classify_model: str = Field(
        default="classifier", description="registered model that /v1/classify answers with"
    )
    detect_model: str = Field(
        default="detector", description="registered model that /v1/detect answers with"
    )
    service_connect_timeout_s: float = Field(
        default=2.0, gt=0, description="seconds to open a connection to a task service"
    )
    service_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="seconds a task service may take to read a request and answer it "
        "(a large batch on a CPU takes seconds)",
    )
    service_retries: int = Field(
        default=2,
        ge=0,
        le=10,
        description="extra attempts when a task service cannot be reached or answers 502/503/504",
    )
    service_retry_backoff_s: float = Field(
        default=0.2, ge=0, description="wait before the first retry; doubled for each next one"
    )
    service_probe_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="seconds between health probes of a task service replica taken out of "
        "rotation (it failed a request); it is back as soon as one answers",
    )
    request_timeout_s: float = Field(
        default=120.0,
        gt=0,
        description="seconds the gateway may spend on one request, the upload included; "
        "past it the caller gets 504 problem+json",
    )
    task_concurrency: int = Field(
        default=4,
        ge=1,
        description="model requests of one task (classify or detect; explanations count for "
        "their model's task) ingested and inferred at once by this gateway process",
    )
    task_queue: int = Field(
        default=32,
        ge=0,
        description="further requests of one task that may wait for a slot; beyond them the "
        "caller gets 503 problem+json (task-busy) with Retry-After",
    )
    dicomweb_url: str | None = Field(
        default=None,
        description="DICOMweb root of the PACS that POST /v1/studies/{uid}/analyse reads "
        "mammograms from and stores reports in (e.g. http://127.0.0.1:8042/dicom-web); "
        "unset: the study endpoint answers 501",
    )
    dicomweb_timeout_s: float = Field(
        default=60.0, gt=0, description="seconds one DICOMweb request to the PACS may take"
    )
    auth: Literal["keys", "open-loopback"] = Field(
        default="keys",
        description="keys: every endpoint but health, metrics and the spec needs an API key "
        "with the route's scope; open-loopback: inference and registry reads need none, "
        "allowed only when the gateway listens on a loopback address (writes always need a key)",
    )
    rate_limit: str | None = Field(
        default="600/minute",
        description="requests per caller (API key, the admin token, or all of open-loopback) "
        "in the `limits` notation, e.g. 600/minute or 20/second; unset or empty: unlimited",
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description="bootstrap bearer token with every write scope (create API keys with "
        "`mammocad registry keys create` for everyday use)",
    )

    @property
    def classify_urls(self) -> tuple[str, ...]:
        """The classification service's replicas (``classify_url`` split at commas)."""
        return _replica_urls(self.classify_url)

    @property
    def detect_urls(self) -> tuple[str, ...]:
        """The detection service's replicas (``detect_url`` split at commas)."""
        return _replica_urls(self.detect_url)

    @field_validator("classify_url", "detect_url")
    @classmethod
    def _every_replica_named(cls, urls: str) -> str:
        # A plain str field, split by the properties: pydantic-settings would read a list field
        # from the environment as JSON, and a single URL is not JSON.
        if not all(_replica_urls(urls)):
            raise ValueError(f"an empty replica URL in {urls!r} (comma-separated base URLs)")
        return urls

    @model_validator(mode="after")
    def _open_only_on_loopback(self) -> Self:
        if self.auth == "open-loopback" and self.host not in LOOPBACK_HOSTS:
            raise ValueError(
                f"MAMMOCAD_AUTH=open-loopback needs the gateway on a loopback address, not "
                f"{self.host!r}: anyone who can reach the port could use it without a key"
            )
        return self


def _replica_urls(urls: str) -> tuple[str, ...]:
    return tuple(url.strip() for url in urls.split(","))


@lru_cache
def get_settings() -> GatewaySettings:
    """The process-wide settings (cached so the environment is read once)."""
    return GatewaySettings()
