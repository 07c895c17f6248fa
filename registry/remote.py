"""The model store shared between machines: every version's files at one fsspec URL, so that a
task service on a machine that did not register a version can still serve it.

Where: ``MAMMOCAD_MODEL_STORE_URL`` (:func:`default_store_url`), any URL fsspec opens:
``file:///srv/model-store`` (an NFS share or a ReadWriteMany volume), ``http(s)://`` (a
read-only mirror), or ``s3://``, ``gs://``, ``az://`` with s3fs, gcsfs or adlfs installed. Unset,
every version lives only in the BentoML store of the machine that registered it.

Why an fsspec store and not the registry serving the files over HTTP: the trust comes from the
sha256 of every file that the registry database keeps, not from the transport, so any store will
do, and each file is checked before it is used; an object store (MinIO, S3) is what hospital
clusters already run for artifacts (MLflow keeps its artifacts the same way); and loading a model
then depends neither on the gateway being up nor on a service key.

Layout: ``<url>/<model name>/sha256-<hex>/<relative path>``, keyed by the version's artifact
sha256 (over every file's path and sha256), e.g. ``<url>/classifier/sha256-3f2a.../model.pt``: a
folder's content never changes once written, and a version's files can be uploaded before the
registry's write transaction hands out its number (a transfer must not hold the registry's write
lock). Two versions with the same bytes share one folder. A fetch downloads exactly the
registered files into a scratch folder and checks them all before anything is put in the local
store: a file the remote has beside them is never downloaded, so it cannot reach the loader.

Every failure of the store itself (unreachable, refused, an HTTP 5xx, a dropped connection) is
:class:`~mammocad.errors.UnavailableError` ``model-store-unavailable``; what fsspec raises for
them depends on the file system (``OSError``, or aiohttp's errors for ``http(s)://``).
"""

from __future__ import annotations

import logging
import os
import posixpath
from contextlib import suppress
from pathlib import Path, PurePosixPath

from fsspec.core import url_to_fs

from mammocad.errors import InvalidInputError, NotFoundError, UnavailableError
from registry.artifacts import copy_hashing, differences, hash_folder, sha256_of
from registry.errors import TamperedArtifactError

__all__ = ["MODEL_STORE_URL_ENV", "RemoteArtifacts", "default_store_url"]

MODEL_STORE_URL_ENV = "MAMMOCAD_MODEL_STORE_URL"

logger = logging.getLogger(__name__)


def default_store_url() -> str | None:
    """The shared model store of this deployment: ``$MAMMOCAD_MODEL_STORE_URL``, None when it
    is unset or empty (every version then stays in the local store it was registered in)."""
    return os.environ.get(MODEL_STORE_URL_ENV) or None


class RemoteArtifacts:
    """Version files at an fsspec URL, uploaded on registration and fetched where missing.

    Args:
        url: the store's root, e.g. ``file:///srv/model-store`` or ``s3://bucket/models``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._fs, root = url_to_fs(url)
        self._root = str(root).rstrip("/")

    def folder(self, name: str, artifact_sha256: str) -> str:
        """The store path of the version of model ``name`` whose files hash to
        ``artifact_sha256`` (``"sha256:<hex>"``)."""
        return f"{self._root}/{name}/{artifact_sha256.replace(':', '-')}"

    def upload(
        self, name: str, artifact_sha256: str, folder: Path, files: dict[str, str]
    ) -> list[str]:
        """Copy ``files`` of ``folder`` to the version's folder, skipping each one already there
        with its registered sha256 (so uploading again is harmless), and hashing each file as it
        goes out: what is stored is exactly what was hashed. Returns the remote paths it
        created, for :meth:`discard` should the registration fail after all. A failed upload
        removes what it created before raising.

        Raises:
            InvalidInputError: a file of ``folder`` does not match its sha256 in ``files``.
            UnavailableError: the store cannot be written (unreachable, read-only, full).
        """
        created: list[str] = []
        base = self.folder(name, artifact_sha256)
        try:
            for relative, sha256 in files.items():
                path = f"{base}/{_checked_relative(relative)}"
                if self._fs.exists(path):
                    if self._sha256(path) == sha256:
                        continue
                else:
                    created.append(path)
                self._fs.makedirs(posixpath.dirname(path), exist_ok=True)
                if self._copy_hashing(folder / relative, path) != sha256:
                    raise InvalidInputError(
                        f"{folder / relative} changed while it was being registered"
                    )
        except InvalidInputError:
            self.discard(created)
            raise
        except Exception as error:  # any failure of the store (module docstring)
            self.discard(created)
            raise UnavailableError(
                f"cannot upload {name} {artifact_sha256} to the model store {self.url}: {error}",
                code="model-store-unavailable",
            ) from error
        except BaseException:
            self.discard(created)
            raise
        return created

    def _copy_hashing(self, source: Path, path: str) -> str:
        with source.open("rb") as reading, self._fs.open(path, "wb") as writing:
            return copy_hashing(reading, writing)

    def discard(self, paths: list[str]) -> None:
        """Remove ``paths`` (an :meth:`upload` whose registration failed). A file that cannot
        be removed stays: no registry entry names its folder (or one that does checks it)."""
        for path in paths:
            with suppress(Exception):
                self._fs.rm_file(path)

    def fetch(self, name: str, artifact_sha256: str, files: dict[str, str], into: Path) -> None:
        """Download ``files`` of the version into the empty folder ``into`` and check every one
        against its registered sha256.

        Raises:
            NotFoundError: ``artifact-not-found``, the store has none of the files.
            TamperedArtifactError: a file differs from what was registered, or is missing.
            UnavailableError: the store cannot be read (unreachable, refused, failing).
        """
        base = self.folder(name, artifact_sha256)
        tag = f"{name} {artifact_sha256}"
        missing = 0
        for relative in files:
            target = into / _checked_relative(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._fs.get_file(f"{base}/{relative}", str(target))
            except FileNotFoundError:
                target.unlink(missing_ok=True)
                missing += 1
            except Exception as error:  # any failure of the store
                raise UnavailableError(
                    f"cannot fetch {tag} from the model store {self.url}: {error}",
                    code="model-store-unavailable",
                ) from error
        if missing == len(files):
            raise NotFoundError(
                f"artifact {tag} is not in the model store {self.url}",
                code="artifact-not-found",
            )
        problems = differences(files, hash_folder(into))
        if problems:
            raise TamperedArtifactError(
                f"artifact {tag} in the model store {self.url} does not match its registered "
                "sha256: " + "; ".join(problems) + ". Refusing to fetch it; re-register the "
                "version from a trusted copy."
            )
        size = sum((into / relative).stat().st_size for relative in files)
        logger.info("fetched %s from %s (%d files, %d bytes)", tag, base, len(files), size)

    def _sha256(self, path: str) -> str:
        with self._fs.open(path, "rb") as stream:
            return sha256_of(stream)


def _checked_relative(relative: str) -> str:
    """``relative`` (a path the registry database lists), refused if it could leave the
    version's folder: the database is trusted, but a path is cheap to check."""
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise InvalidInputError(f"artifact file path {relative!r} leaves its folder")
    return relative
