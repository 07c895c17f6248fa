"""Export and import of a version as one archive: same bytes, same evidence, checked on import."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from mammocad.errors import InvalidInputError
from registry import Registry
from tests.registry.builders import make_model_folder, make_promotable


def test_export_then_import_carries_artifact_and_records(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    make_promotable(registry, tmp_path, "classifier", 1, primary=0.8)
    original = registry.get_version("classifier", 1)
    archive = registry.export_version("classifier", 1, tmp_path / "out" / "v1.tar.gz")

    imported = registry.import_version(archive, actor="site-b", name="classifier-site-b")

    assert imported.version == 1 and imported.model_name == "classifier-site-b"
    assert imported.artifact_sha256 == original.artifact_sha256
    assert imported.files == original.files
    assert imported.card == original.card and imported.evaluations == original.evaluations
    assert imported.calibration == original.calibration
    assert imported.ood_detector == original.ood_detector
    assert imported.aliases == []  # aliases belong to the registry that set them
    folder = registry.open_artifact("classifier-site-b", 1)
    assert (folder / "model.pt").read_bytes() == (tmp_path / "a" / "model.pt").read_bytes()
    entry = registry.audit("classifier-site-b")[-1]
    assert (entry.action, entry.reason) == ("version.import", "imported from classifier version 1")


def _rewrite(archive: Path, out: Path, replace: dict[str, bytes]) -> Path:
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            data = replace.get(member.name)
            if not data:
                extracted = source.extractfile(member)
                assert extracted is not None, member.name  # the archives hold regular files
                data = extracted.read()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return out


def test_a_tampered_or_foreign_archive_is_refused(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    archive = registry.export_version("classifier", 1, tmp_path / "v1.tar.gz")

    tampered = _rewrite(archive, tmp_path / "t.tar.gz", {"artifact/model.pt": b"swapped"})
    with pytest.raises(InvalidInputError, match="do not match"):
        registry.import_version(tampered, actor="x")

    sneaky = tmp_path / "s.tar.gz"
    with tarfile.open(sneaky, "w:gz") as target:
        info = tarfile.TarInfo("../escape.txt")
        target.addfile(info, io.BytesIO(b""))
    with pytest.raises(InvalidInputError, match=r"manifest\.json and artifact/ only"):
        registry.import_version(sneaky, actor="x")

    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(InvalidInputError, match="not a readable"):
        registry.import_version(tmp_path / "junk.tar.gz", actor="x")
    assert [v.version for v in registry.list_versions("classifier")] == [1]
