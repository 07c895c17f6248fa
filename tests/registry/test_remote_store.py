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

from mammocad.errors import InvalidInputError, NotFoundError, UnavailableError
from registry import ModelVersion, PromotionRefusedError, Registry, TamperedArtifactError
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


def _shared_folder(shared: Path, version: ModelVersion) -> Path:
    """Where the shared store keeps a version: by model name and artifact sha256."""
    return shared / version.model_name / version.artifact_sha256.replace(":", "-")


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
    assert sorted(p.name for p in _shared_folder(shared, version).iterdir()) == sorted(
        version.files
    )
    store_b = tmp_path / "store-b"

    with _machine(db_url, store_b, shared.as_uri()) as machine_b:
        assert stored_tags(store_b) == []
        with caplog.at_level(logging.INFO, logger="registry.remote"):
            folder = machine_b.open_artifact("classifier", 1)
        assert folder.is_relative_to(store_b)
        assert (folder / "model.pt").read_bytes() == (source / "model.pt").read_bytes()
        assert stored_tags(store_b) == [version.artifact_tag]
        size = sum((source / relative).stat().st_size for relative in version.files)
        assert f"fetched classifier {version.artifact_sha256} from {shared}" in caplog.text
        assert f"({len(version.files)} files, {size} bytes)" in caplog.text

        # Kept: opened again with the shared store gone, it is the local copy, checked.
        (_shared_folder(shared, version) / "model.pt").unlink()
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
    folder = _shared_folder(shared, version)
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
    for path in (_shared_folder(shared, version)).iterdir():
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
    weights = _shared_folder(shared, version) / "model.pt"
    written = weights.stat().st_mtime_ns

    assert (
        machine_a.remote.upload("classifier", version.artifact_sha256, source, version.files) == []
    )
    assert weights.stat().st_mtime_ns == written
    _flip_a_byte(weights)
    assert (
        machine_a.remote.upload("classifier", version.artifact_sha256, source, version.files) == []
    )
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
    _flip_a_byte(_shared_folder(shared, version) / "model.pt")
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
        _flip_a_byte(_shared_folder(shared, second) / "model.pt")
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


class _FailingHandler(_QuietHandler):
    def do_GET(self) -> None:
        self.send_error(500, "disk array degraded")


def test_a_failing_http_store_is_unavailable_and_refuses_an_alias(
    machine_a: Registry, db_url: str, tmp_path: Path
) -> None:
    """fsspec's HTTP file system raises aiohttp's errors, not OSError, for a 5xx: still the
    typed 503 ``model-store-unavailable``, and an alias gate that says so (never a 500)."""
    machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    with ThreadingHTTPServer(("127.0.0.1", 0), _FailingHandler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}"
            with _machine(db_url, tmp_path / "store-b", url) as machine_b:
                with pytest.raises(UnavailableError) as unavailable:
                    machine_b.open_artifact("classifier", 1)
                assert unavailable.value.code == "model-store-unavailable"
                with pytest.raises(PromotionRefusedError) as refused:
                    machine_b.set_alias("classifier", "staging", 1, actor="ops")
        finally:
            server.shutdown()
            thread.join()
    [gate] = refused.value.unmet
    assert gate.gate == "artifact" and "500" in gate.reason


def test_a_local_copy_cut_short_is_replaced_from_the_shared_copy(
    machine_a: Registry, db_url: str, shared: Path, tmp_path: Path
) -> None:
    version = machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    store_b = tmp_path / "store-b"
    with _machine(db_url, store_b, shared.as_uri()) as machine_b:
        folder = machine_b.open_artifact("classifier", 1)
        weights = (folder / "model.pt").read_bytes()
        (folder / "model.pt").write_bytes(weights[: len(weights) // 2])  # killed mid-copy
        assert machine_b.open_artifact("classifier", 1) == folder
        assert (folder / "model.pt").read_bytes() == weights
        assert stored_tags(store_b) == [version.artifact_tag]


def test_without_a_shared_store_a_changed_local_copy_is_still_refused(
    machine_a: Registry, db_url: str, tmp_path: Path
) -> None:
    machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    folder = machine_a.open_artifact("classifier", 1)
    _flip_a_byte(folder / "model.pt")
    with (
        _machine(db_url, tmp_path / "store-a", None) as local_only,
        pytest.raises(TamperedArtifactError, match=r"model\.pt changed"),
    ):
        local_only.open_artifact("classifier", 1)


def test_a_file_path_that_leaves_the_version_folder_is_refused(
    machine_a: Registry, tmp_path: Path
) -> None:
    assert machine_a.remote is not None
    with pytest.raises(InvalidInputError, match="leaves its folder"):
        machine_a.remote.fetch("classifier", "sha256:0", {"../../escape": "sha256:0"}, tmp_path)
    assert not (tmp_path.parent / "escape").exists()


def test_transfers_to_and_from_the_shared_store_do_not_hold_the_write_lock(
    machine_a: Registry, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a registration uploads and an alias move checks the shared copy, another writer
    gets the registry's write lock at once (a slow object store must not make every other
    registry write wait, and fail as ``registry-busy``)."""
    assert machine_a.remote is not None
    remote = type(machine_a.remote)
    other_writes: list[str] = []

    def write_meanwhile() -> None:
        with Registry(db_url, artifact_root=tmp_path / "store-w", busy_timeout_s=0.5) as other:
            key, _ = other.create_key(f"k{len(other_writes)}", ["inference"], actor="ops")
            other_writes.append(key.name)

    upload, fetch = remote.upload, remote.fetch

    def uploading(self: object, *args: object, **kwargs: object) -> list[str]:
        write_meanwhile()
        return upload(self, *args, **kwargs)  # type: ignore[arg-type]

    def fetching(self: object, *args: object, **kwargs: object) -> None:
        write_meanwhile()
        fetch(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(remote, "upload", uploading)
    monkeypatch.setattr(remote, "fetch", fetching)
    machine_a.register(make_model_folder(tmp_path / "run"), "classifier", actor="ci")
    machine_a.register(make_model_folder(tmp_path / "run-2"), "classifier", actor="ci")
    machine_a.set_alias("classifier", "staging", 1, actor="ops")
    machine_a.set_alias("classifier", "staging", 2, actor="ops")
    machine_a.rollback("classifier", "staging", actor="ops")
    assert other_writes == ["k0", "k1", "k2", "k3", "k4"]
    assert machine_a.store.get_version("classifier", "staging").version == 1
