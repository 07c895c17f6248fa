"""The model store shared between machines (registry/remote.py), on real fsspec file systems.

"Machine A" and "machine B" are two registries on one SQLite database, each with a local
BentoML store of its own; A registers, B (whose store is empty) serves. The shared store is a
``file://`` folder, or that folder served read-only by a real loopback HTTP server.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mammocad.errors import NotFoundError, UnavailableError
from registry import PromotionRefusedError, Registry, TamperedArtifactError
from registry.archive import read_archive
from registry.remote import MODEL_STORE_URL_ENV
from tests.registry.builders import make_model_folder
from tests.registry.stores import stored_tags


@pytest.fixture(autouse=True)
def _no_store_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each registry here names its shared store (or none) itself."""
    monkeypatch.delenv(MODEL_STORE_URL_ENV, raising=False)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """The shared model store's folder (a ``file://`` URL names it)."""
    folder = tmp_path / "shared-store"
    folder.mkdir()
    return folder


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'registry.db'}"


@pytest.fixture
def machine_a(db_url: str, shared: Path, tmp_path: Path) -> Iterator[Registry]:
    with Registry(
        db_url, artifact_root=tmp_path / "store-a", model_store_url=shared.as_uri()
    ) as registry:
        yield registry


def _machine(db_url: str, store: Path, model_store_url: str | None) -> Registry:
    return Registry(db_url, artifact_root=store, model_store_url=model_store_url)


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_version_registered_elsewhere_is_fetched_checked_and_kept(
    machine_a: Registry,
    db_url: str,
    shared: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = make_model_folder(tmp_path / "run")
    version = machine_a.register(source, "classifier", actor="ci")
    name, _, tag_version = version.artifact_tag.partition(":")
    assert sorted(p.name for p in (shared / name / tag_version).iterdir()) == sorted(version.files)
    store_b = tmp_path / "store-b"

    with _machine(db_url, store_b, shared.as_uri()) as machine_b:
        assert stored_tags(store_b) == []
        with caplog.at_level(logging.INFO, logger="registry.remote"):
            folder = machine_b.open_artifact("classifier", 1)
        assert folder.is_relative_to(store_b)
        assert (folder / "model.pt").read_bytes() == (source / "model.pt").read_bytes()
        assert stored_tags(store_b) == [version.artifact_tag]
        size = sum((source / relative).stat().st_size for relative in version.files)
        assert f"fetched {version.artifact_tag} from {shared}" in caplog.text
        assert f"({len(version.files)} files, {size} bytes)" in caplog.text

        # Kept: opened again with the shared store gone, it is the local copy, checked.
        (shared / name / tag_version / "model.pt").unlink()
        assert machine_b.open_artifact("classifier", 1) == folder
        archive = machine_b.export_version("classifier", 1, tmp_path / "v1.tar.gz")
    assert read_archive(archive, tmp_path / "unpacked").files == version.files


def test_a_machine_that_never_opened_a_version_exports_it(
    machine_a: Registry, db_url: str, shared: Path, tmp_path: Path
) -> None:
    version = machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    with _machine(db_url, tmp_path / "store-c", shared.as_uri()) as machine_c:
        archive = machine_c.export_version("classifier", 1, tmp_path / "v1.tar.gz")
    assert read_archive(archive, tmp_path / "unpacked").files == version.files


@pytest.mark.parametrize("change", ["modify", "delete"])
def test_a_changed_or_missing_shared_file_is_refused_and_nothing_kept(
    machine_a: Registry, db_url: str, shared: Path, tmp_path: Path, change: str
) -> None:
    version = machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    folder = shared / version.artifact_tag.replace(":", "/")
    if change == "modify":
        _flip_a_byte(folder / "model.pt")
    else:
        (folder / "metadata.json").unlink()
    store_b = tmp_path / "store-b"

    with _machine(db_url, store_b, shared.as_uri()) as machine_b:
        with pytest.raises(TamperedArtifactError) as refused:
            machine_b.open_artifact("classifier", 1)
        expected = "model.pt changed" if change == "modify" else "metadata.json missing"
        assert expected in refused.value.detail and str(shared) in refused.value.detail
        assert stored_tags(store_b) == []
        with pytest.raises(TamperedArtifactError):  # refused again, not served from a leftover
            machine_b.open_artifact("classifier", 1)


def test_a_version_in_neither_store_is_not_found(
    machine_a: Registry, db_url: str, shared: Path, tmp_path: Path
) -> None:
    version = machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    for path in (shared / version.artifact_tag.replace(":", "/")).iterdir():
        path.unlink()
    with (
        _machine(db_url, tmp_path / "store-b", shared.as_uri()) as machine_b,
        pytest.raises(NotFoundError) as missing,
    ):
        machine_b.open_artifact("classifier", 1)
    assert missing.value.code == "artifact-not-found"
    assert str(shared) in missing.value.detail


def test_without_a_shared_store_a_version_registered_elsewhere_is_not_found(
    machine_a: Registry, db_url: str, tmp_path: Path
) -> None:
    machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    with _machine(db_url, tmp_path / "store-b", None) as machine_b:
        assert machine_b.remote is None
        with pytest.raises(NotFoundError) as missing:
            machine_b.open_artifact("classifier", 1)
    assert missing.value.code == "artifact-not-found"
    assert "store-b" in missing.value.detail


def test_the_shared_store_comes_from_the_environment(
    db_url: str, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_STORE_URL_ENV, shared.as_uri())
    with Registry(db_url, artifact_root=tmp_path / "store") as registry:
        assert registry.remote is not None and registry.remote.url == shared.as_uri()
    monkeypatch.setenv(MODEL_STORE_URL_ENV, "")
    with Registry(db_url, artifact_root=tmp_path / "store") as registry:
        assert registry.remote is None


def test_uploading_again_copies_nothing_and_repairs_a_damaged_file(
    machine_a: Registry, shared: Path, tmp_path: Path
) -> None:
    source = make_model_folder(tmp_path / "run")
    version = machine_a.register(source, "classifier", actor="ci")
    assert machine_a.remote is not None
    weights = shared / version.artifact_tag.replace(":", "/") / "model.pt"
    written = weights.stat().st_mtime_ns

    assert machine_a.remote.upload(version.artifact_tag, source, version.files) == []
    assert weights.stat().st_mtime_ns == written
    _flip_a_byte(weights)
    assert machine_a.remote.upload(version.artifact_tag, source, version.files) == []
    assert weights.read_bytes() == (source / "model.pt").read_bytes()


def test_a_failed_registration_leaves_nothing_in_either_store(
    machine_a: Registry, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import registry.store as store

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(store, "append_audit", fail)  # after the artifact was staged
    with pytest.raises(RuntimeError):
        machine_a.register(make_model_folder(tmp_path / "run"), "orphan", actor="ci")
    assert [path for path in shared.rglob("*") if path.is_file()] == []
    assert stored_tags(tmp_path / "store-a") == []


def test_machines_fetching_one_version_at_once_both_get_it(
    machine_a: Registry, db_url: str, shared: Path, tmp_path: Path
) -> None:
    version = machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    store_b = tmp_path / "store-b"
    replicas = [_machine(db_url, store_b, shared.as_uri()) for _ in range(4)]
    try:
        with ThreadPoolExecutor(len(replicas)) as pool:
            folders = list(pool.map(lambda r: r.open_artifact("classifier", 1), replicas))
    finally:
        for replica in replicas:
            replica.close()
    assert len(set(folders)) == 1
    assert stored_tags(store_b) == [version.artifact_tag]


def test_an_alias_needs_the_shared_copy_intact(
    machine_a: Registry, shared: Path, tmp_path: Path
) -> None:
    version = machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    _flip_a_byte(shared / version.artifact_tag.replace(":", "/") / "model.pt")
    machine_a.open_artifact("classifier", 1)  # this machine's own copy is intact

    with pytest.raises(PromotionRefusedError) as refused:
        machine_a.set_alias("classifier", "staging", 1, actor="ops")
    [gate] = refused.value.unmet
    assert gate.gate == "artifact" and "model.pt changed" in gate.reason
    assert shared.as_uri() in gate.reason


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The tests' output is no access log."""


@pytest.fixture
def mirror(shared: Path) -> Iterator[str]:
    """The shared folder served read-only over HTTP on a free loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(shared))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join()


def test_a_read_only_http_mirror_serves_versions(
    machine_a: Registry, db_url: str, shared: Path, mirror: str, tmp_path: Path
) -> None:
    source = make_model_folder(tmp_path / "run")
    version = machine_a.register(source, "classifier", actor="ci")
    store_b = tmp_path / "store-b"

    with _machine(db_url, store_b, mirror) as machine_b:
        machine_b.set_alias("classifier", "staging", 1, actor="ops")  # checked over HTTP
        folder = machine_b.open_artifact("classifier", "staging")
        assert (folder / "model.pt").read_bytes() == (source / "model.pt").read_bytes()
        assert stored_tags(store_b) == [version.artifact_tag]

        second = machine_a.register(make_model_folder(tmp_path / "run-2"), "classifier", actor="c")
        _flip_a_byte(shared / second.artifact_tag.replace(":", "/") / "model.pt")
        with pytest.raises(TamperedArtifactError, match=r"model\.pt changed"):
            machine_b.open_artifact("classifier", 2)
        assert stored_tags(store_b) == [version.artifact_tag]


def test_an_unreachable_shared_store_is_unavailable(
    machine_a: Registry, db_url: str, tmp_path: Path
) -> None:
    machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    with (
        _machine(db_url, tmp_path / "store-b", "http://127.0.0.1:1") as machine_b,
        pytest.raises(UnavailableError) as unavailable,
    ):
        machine_b.open_artifact("classifier", 1)
    assert unavailable.value.code == "model-store-unavailable"
