"""Registering versions: numbering, the BentoML store, and refusing tampered artifacts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mammocad.errors import ConflictError, InvalidInputError, NotFoundError
from registry import Registry, TamperedArtifactError
from registry.artifacts import ArtifactStore
from tests.registry.builders import make_model_folder


def test_versions_are_numbered_per_model_and_stored_in_bentoml(
    registry: Registry, tmp_path: Path, bentoml_home: Path
) -> None:
    first = registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="alice")
    second = registry.register(make_model_folder(tmp_path / "b"), "classifier", actor="bob")
    other = registry.register(make_model_folder(tmp_path / "c", "detect"), "detector", actor="c")

    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert first.task == "classify" and other.task == "detect"
    assert set(first.files) == {"model.pt", "metadata.json"}
    assert first.artifact_sha256.startswith("sha256:") and first.created_by == "alice"
    folder = registry.open_artifact("classifier", 1)
    assert folder.is_relative_to(bentoml_home / "models")
    assert (folder / "model.pt").read_bytes() == (tmp_path / "a" / "model.pt").read_bytes()
    assert registry.get_model("classifier").latest_version == 2
    assert [m.name for m in registry.list_models()] == ["classifier", "detector"]

    import bentoml

    stored = bentoml.models.get(first.artifact_tag)  # the serving layer's way, via BENTOML_HOME
    assert stored.info.labels == {
        "task": "classify",
        "version": "1",
        "registry-model": "classifier",
    }


def test_registration_is_audited(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="alice", reason="r")
    entries = registry.audit("classifier")
    assert [(e.action, e.actor) for e in entries] == [
        ("model.create", "alice"),
        ("version.register", "alice"),
    ]
    assert entries[1].version == 1 and entries[1].reason == "r"
    assert entries[1].after is not None and entries[1].after["artifact_sha256"].startswith("sha")


@pytest.mark.parametrize("change", ["modify", "delete", "add"])
def test_tampered_artifact_is_refused_loudly(
    registry: Registry, tmp_path: Path, change: str
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="alice")
    folder = registry.open_artifact("classifier", 1)
    if change == "modify":
        with (folder / "model.pt").open("r+b") as weights:
            weights.seek(100)
            weights.write(b"\x00\x01")
    elif change == "delete":
        (folder / "metadata.json").unlink()
    else:
        (folder / "evil.py").write_text("print('hi')")

    with pytest.raises(TamperedArtifactError) as raised:
        registry.open_artifact("classifier", 1)
    expected = {"modify": "model.pt changed", "delete": "metadata.json missing", "add": "evil.py"}
    assert expected[change] in raised.value.detail
    assert raised.value.code == "tampered-artifact"


def test_not_a_model_folder_and_bad_names_are_refused(registry: Registry, tmp_path: Path) -> None:
    folder = make_model_folder(tmp_path / "a")
    with pytest.raises(InvalidInputError, match="model name"):
        registry.register(folder, "Bad Name", actor="a")
    with pytest.raises(InvalidInputError, match="model name"):
        registry.register(folder, "1st", actor="a")  # would read as a version number
    (folder / "metadata.json").write_text("{}")
    with pytest.raises(InvalidInputError, match="not valid training metadata"):
        registry.register(folder, "classifier", actor="a")
    os.remove(folder / "model.pt")
    with pytest.raises(InvalidInputError, match=r"no model\.pt"):
        registry.register(folder, "classifier", actor="a")
    assert registry.list_models() == [] and registry.audit() == []


def test_a_model_keeps_its_task(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="a")
    with pytest.raises(ConflictError, match="classify model"):
        registry.register(make_model_folder(tmp_path / "b", "detect"), "classifier", actor="a")
    assert [v.version for v in registry.list_versions("classifier")] == [1]


def test_unknown_model_version_and_alias(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="a")
    for name, ref in (("nosuch", 1), ("classifier", 9), ("classifier", "production")):
        with pytest.raises(NotFoundError):
            registry.get_version(name, ref)


def test_a_failed_registration_leaves_no_orphan_artifact(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import registry.store as store

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(store, "append_audit", fail)
    with pytest.raises(RuntimeError):
        registry.register(make_model_folder(tmp_path / "a"), "orphan", actor="a")
    import bentoml

    assert not [m for m in bentoml.models.list() if m.tag.name == "orphan"]
    assert registry.list_models() == []


def test_without_bentoml_home_the_store_is_the_one_mammocad_serve_gives_its_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model released or registered by a command must be where the services look
    (``$MAMMOCAD_HOME/bentoml``), not in BentoML's own default under the user's home."""
    monkeypatch.delenv("BENTOML_HOME", raising=False)
    monkeypatch.setenv("MAMMOCAD_HOME", str(tmp_path / "state"))
    assert ArtifactStore().root == tmp_path / "state" / "bentoml" / "models"
