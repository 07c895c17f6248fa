"""The model versions a task service keeps loaded, least recently used leaving first.

A registered version is immutable (its files are checked against their sha256 when it is
opened), so a loaded version never goes stale and nothing here watches the registry: an alias
move is resolved by the gateway, which then names the new version, and a version registered
after the service started is loaded the first time it is named.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from mammocad.errors import InvalidInputError
from mammocad.schemas.artifact import Task
from mammocad.schemas.inference_contract import ModelRef
from models.inference.loaded import LoadedModel, load_model
from registry.service import Registry

__all__ = ["ResidentModels"]

logger = logging.getLogger(__name__)


class ResidentModels:
    """A thread-safe LRU cache of loaded models of one task, loaded through the registry.

    Different versions load concurrently; concurrent requests for the same version that is not
    loaded yet wait for one load instead of each loading it.

    Args:
        registry: where versions are looked up and their artifacts opened (sha256-verified).
        task: the only task this cache serves; a model of the other task is refused.
        capacity: most versions kept loaded.
        device: torch device for :func:`models.inference.loaded.load_model`.
    """

    def __init__(self, registry: Registry, task: Task, *, capacity: int, device: str) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.task = task
        self._registry = registry
        self._capacity = capacity
        self._device = device
        self._lock = threading.Lock()
        self._models: OrderedDict[ModelRef, LoadedModel] = OrderedDict()
        self._loading: dict[ModelRef, threading.Lock] = {}

    @property
    def refs(self) -> list[ModelRef]:
        """The resident versions, least recently used first."""
        with self._lock:
            return list(self._models)

    def loaded(self, ref: ModelRef) -> LoadedModel | None:
        """The model of ``ref`` if it is resident (counted as a use), else None: never loads."""
        with self._lock:
            if ref in self._models:
                self._models.move_to_end(ref)
                return self._models[ref]
            return None

    def get(self, ref: ModelRef) -> LoadedModel:
        """The loaded model of ``ref``, loading it on first use.

        Raises:
            NotFoundError: no such model or version in the registry, or its artifact is gone.
            InvalidInputError: the version is a model of the other task (code ``wrong-task``).
            TamperedArtifactError: its files no longer match their registered sha256.
        """
        with self._lock:
            if ref in self._models:
                self._models.move_to_end(ref)
                return self._models[ref]
            loading = self._loading.setdefault(ref, threading.Lock())
        with loading:
            with self._lock:
                if ref in self._models:  # loaded by the request we waited for
                    self._models.move_to_end(ref)
                    return self._models[ref]
            try:
                model = self._load(ref)
            except BaseException:
                with self._lock:
                    self._loading.pop(ref, None)
                raise
            with self._lock:
                self._models[ref] = model
                self._loading.pop(ref, None)
                while len(self._models) > self._capacity:
                    evicted, _ = self._models.popitem(last=False)
                    logger.info("unloaded %s version %d", evicted.name, evicted.version)
            return model

    def _load(self, ref: ModelRef) -> LoadedModel:
        version = self._registry.get_version(ref.name, ref.version)
        if version.task != self.task:
            raise InvalidInputError(
                f"{ref.name} version {ref.version} is a {version.task} model; this service "
                f"runs {self.task} models",
                code="wrong-task",
            )
        folder = self._registry.open_artifact(ref.name, ref.version)
        model = load_model(folder, self._device)
        logger.info("loaded %s version %d from %s", ref.name, ref.version, folder)
        return model
