"""Where a process finds the registry: the settings every deployable that opens it shares.

The gateway (:mod:`api.settings`) and the task services (:mod:`serving.settings`) each have
one settings class; both take these fields from here, so that every process of one deployment
reads the same variables (``MAMMOCAD_REGISTRY_URL``, ``MAMMOCAD_MODEL_STORE_URL``) with the same
meaning and opens the same registry and shared model store.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

__all__ = ["RegistrySettings"]


class RegistrySettings(BaseSettings):
    """The registry database and the shared model store (:mod:`registry.remote`)."""

    registry_url: str | None = Field(
        default=None,
        description="model registry database (sqlite:///FILE or postgresql+psycopg://...); "
        "default SQLite registry.db in the state folder",
    )
    model_store_url: str | None = Field(
        default=None,
        description="fsspec URL of the model store shared between machines (file:///srv/"
        "model-store, s3://bucket/models...): registered versions are uploaded there and a "
        "version missing from the local BentoML store is fetched from there, every file "
        "sha256-checked (registry/remote.py); default: each machine's local store only",
    )
