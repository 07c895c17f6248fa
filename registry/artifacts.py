"""Version artifacts in the BentoML model store, checked against their sha256 on every load.

A version's files (``model.pt``, ``metadata.json``, ...) are copied into the store under one
BentoML tag per version, so that the serving layer finds them the BentoML way. The registry keeps
the sha256 of every file; :meth:`ArtifactStore.verified_folder` re-hashes them before anything
loads the weights, and refuses a changed, missing or added file with
:class:`~registry.errors.TamperedArtifactError`: a silently swapped model in a CAD system is a
patient-safety incident, not a warning.

A version registered on another machine is not in this store until it is fetched from the
shared model store (:mod:`registry.remote`); :meth:`ArtifactStore.lock` keeps two processes of
one machine from fetching, or reading, one version at the same time.

The store folder is ``$BENTOML_HOME/models``, else ``$MAMMOCAD_HOME/bentoml/models``
(:func:`mammocad.home.bentoml_home`, the folder ``mammocad serve`` gives its services), read when
an :class:`ArtifactStore` is made rather than at import, so a process (or a test) can choose its
store.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from mammocad.errors import ConflictError, InvalidInputError, NotFoundError
from mammocad.home import bentoml_home
from registry.errors import TamperedArtifactError

__all__ = [
    "ArtifactStore",
    "copy_hashing",
    "differences",
    "digest_of",
    "hash_folder",
    "sha256_of",
]

_BENTOML_RECORD = "model.yaml"  # BentoML's own description of a stored model, not ours
_CHUNK = 1 << 20


def sha256_of(stream: BinaryIO) -> str:
    """``"sha256:<hex>"`` of what is left to read in ``stream`` (a local or a remote file)."""
    digest = hashlib.sha256()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def copy_hashing(source: BinaryIO, target: BinaryIO) -> str:
    """Copy what is left of ``source`` to ``target``; ``"sha256:<hex>"`` of the bytes copied
    (what was written is exactly what was hashed, however ``source`` changes meanwhile)."""
    digest = hashlib.sha256()
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        target.write(chunk)
    return f"sha256:{digest.hexdigest()}"


def _sha256_file(path: Path) -> str:
    with path.open("rb") as stream:
        return sha256_of(stream)


def hash_folder(folder: Path, *, ignore: frozenset[str] = frozenset()) -> dict[str, str]:
    """``{relative posix path: "sha256:<hex>"}`` of every file below ``folder``.

    Raises:
        InvalidInputError: a symbolic link (it could point anywhere, so its bytes are not the
            folder's) or a folder without files.
    """
    files: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            raise InvalidInputError(f"{path} is a symbolic link; artifacts must be plain files")
        if path.is_file() and relative not in ignore:
            files[relative] = _sha256_file(path)
    if not files:
        raise InvalidInputError(f"{folder} holds no files")
    return files


def digest_of(files: dict[str, str]) -> str:
    """One sha256 over every file's path and hash (canonical JSON, so order does not matter)."""
    canonical = json.dumps(files, sort_keys=True, separators=(",", ":"))
    return f"sha256:{hashlib.sha256(canonical.encode()).hexdigest()}"


def _default_root() -> Path:
    return bentoml_home() / "models"


class ArtifactStore:
    """The BentoML model store the registry copies versions into.

    Args:
        root: the store folder; default ``$BENTOML_HOME/models``.
    """

    def __init__(self, root: Path | None = None) -> None:
        # Registering a model must not phone home from a hospital network (BentoML usage stats).
        os.environ.setdefault("BENTOML_DO_NOT_TRACK", "True")
        from bentoml._internal.models import ModelStore  # BentoML's store class, pinned version

        self.root = root or _default_root()
        self.root.mkdir(parents=True, exist_ok=True)
        self._store = ModelStore(str(self.root))

    def put(self, source: Path, tag: str, files: dict[str, str], labels: dict[str, str]) -> bool:
        """Copy the hashed ``files`` of ``source`` into the store under ``tag``; False when the
        tag was already there with these very files (kept: the same version registered again
        after its database entry was lost).

        Raises:
            InvalidInputError: ``source`` changed between hashing and copying.
            ConflictError: ``tag`` exists with other content.
        """
        import bentoml
        from bentoml.exceptions import NotFound

        try:
            existing = bentoml.models.get(tag, _model_store=self._store)
        except NotFound:
            existing = None
        if existing is not None:
            if hash_folder(Path(existing.path), ignore=frozenset({_BENTOML_RECORD})) != files:
                raise ConflictError(f"BentoML store already has {tag} with other files")
            return False
        with bentoml.models.create(tag, labels=labels, _model_store=self._store) as model:
            target = Path(model.path)
            for relative in files:
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / relative, target / relative)
            if hash_folder(target, ignore=frozenset({_BENTOML_RECORD})) != files:
                raise InvalidInputError(f"{source} changed while it was being registered")
        return True

    def remove(self, tag: str) -> None:
        """Delete ``tag`` from the store (undoing a :meth:`put` whose registration failed)."""
        import bentoml

        bentoml.models.delete(tag, _model_store=self._store)

    @contextmanager
    def lock(self, tag: str) -> Iterator[None]:
        """Held while ``tag`` is looked up and, when absent, fetched into this store (from
        :mod:`registry.remote`): two processes of one machine asking for it at once then fetch
        it once, and neither reads the folder while the other is still writing it (BentoML
        writes a tag's folder in place, so its ``model.yaml`` can be there before the weights).
        """
        # A file beside the tags' folders: BentoML lists folders only, so it never sees it.
        path = self.root / f".{tag.replace(':', '-')}.lock"
        with path.open("a") as handle:  # closing it releases the lock, on error too
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def verified_folder(self, tag: str, files: dict[str, str]) -> Path:
        """The store folder of ``tag``, after checking that it holds exactly ``files``.

        Raises:
            NotFoundError: ``tag`` is not in this store.
            TamperedArtifactError: a file was changed, removed or added.
        """
        import bentoml
        from bentoml.exceptions import NotFound

        try:
            folder = Path(bentoml.models.get(tag, _model_store=self._store).path)
        except NotFound as error:
            raise NotFoundError(
                f"artifact {tag} is not in the BentoML store at {self.root}",
                code="artifact-not-found",
            ) from error
        found = hash_folder(folder, ignore=frozenset({_BENTOML_RECORD}))
        problems = differences(files, found)
        if problems:
            raise TamperedArtifactError(
                f"artifact {tag} at {folder} does not match its registered sha256: "
                + "; ".join(problems)
                + ". Refusing to load it; re-register the version from a trusted copy."
            )
        return folder


def differences(expected: dict[str, str], found: dict[str, str]) -> list[str]:
    """What ``found`` (``{path: sha256}``) has that the registered ``expected`` has not: each
    file changed, missing or added, by path; empty when they are the same."""
    changed = sorted(p for p in expected.keys() & found.keys() if expected[p] != found[p])
    missing = sorted(expected.keys() - found.keys())
    added = sorted(found.keys() - expected.keys())
    return (
        [f"{p} changed" for p in changed]
        + [f"{p} missing" for p in missing]
        + [f"{p} added" for p in added]
    )
