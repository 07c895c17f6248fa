"""Task service settings, read once from the environment (prefix ``MAMMOCAD_``).

Both task services read the same settings; ``registry_url`` is the variable the gateway and the
CLI read too, so every process of one deployment opens the same registry.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from registry.settings import RegistrySettings

__all__ = ["ServingSettings", "get_settings"]


class ServingSettings(RegistrySettings):
    """Everything a task service can be configured with; defaults suit the embedded deployment
    (the gateway and both services on one small CPU machine)."""

    model_config = SettingsConfigDict(env_prefix="MAMMOCAD_", frozen=True)

    resident_models: int = Field(
        default=3,
        ge=1,
        description="loaded model versions kept in memory per service (least recently used "
        "leaves first); 3 keeps production, staging and one more resident",
    )
    torch_threads: int | None = Field(
        default=None,
        ge=1,
        description="intra-op threads for the forward pass; default every CPU core (one batch "
        "runs at a time per service, so it may use them all)",
    )
    device: str = Field(default="auto", description="torch device: auto (CUDA when present), cpu")
    max_batch_size: int = Field(
        default=4,
        gt=1,
        description="most images in one batched forward pass; on CPU a larger batch costs "
        "more per image (the demo classifier: 49-56 ms per image up to 4, 73 ms at 8; the "
        "detector 25-37 ms up to 4, 31 ms at 8; docs/performance.md)",
    )
    max_latency_ms: int = Field(
        default=30_000,
        gt=0,
        description="a request still waiting in the batching queue after this long is "
        "refused with 503 (overloaded) instead",
    )


@lru_cache
def get_settings() -> ServingSettings:
    """The process-wide settings (cached so the environment is read once)."""
    return ServingSettings()
