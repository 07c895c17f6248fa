"""SPEC strings: every scheme, every option and every error message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import mammocad.datasets.spec as spec_module
from mammocad.datasets.manifest import write_manifest
from mammocad.datasets.records import DataSet, Record
from mammocad.datasets.spec import SCHEMES, Scheme, load_dataset, spec_help
from mammocad.errors import InvalidInputError, NotFoundError
from mammocad.vocabulary import Label


@pytest.fixture
def synthetic_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records what the parser passes to ``load_synthetic`` instead of generating images."""
    calls: list[dict[str, Any]] = []

    def fake(n_patients: int, **kwargs: Any) -> DataSet:
        calls.append({"n_patients": n_patients, **kwargs})
        return DataSet("fake", [])

    monkeypatch.setattr(spec_module, "load_synthetic", fake)
    return calls


def test_minimias_scheme(tmp_path: Path) -> None:
    (tmp_path / "Info.txt").write_text("prose\n\nmdb001 F NORM\n")
    (tmp_path / "mdb001.pgm").write_bytes(b"P5\n8 8\n255\n" + bytes(64))
    dataset = load_dataset(f"minimias:{tmp_path}")
    assert [r.image_id for r in dataset] == ["mdb001"]


def test_manifest_scheme_with_a_colon_in_the_path(tmp_path: Path) -> None:
    record = Record(image_id="a", path=tmp_path / "a.png", patient_id="p", label=Label.NORMAL)
    manifest = write_manifest([record], tmp_path / "site:1.csv")
    assert list(load_dataset(f"manifest:{manifest}")) == [record]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("synthetic:12", {}),
        ("synthetic:12,seed=3", {"seed": 3}),
        ("synthetic:12,vendor=a+b_2", {"vendors": ("a", "b_2")}),
        ("synthetic:12,size=512x384", {"shape": (512, 384)}),
        ("synthetic:12,format=png", {"image_format": "png"}),
        (
            "synthetic: 12 , format=png , seed = 4, size=64x48, vendor=x",
            {"image_format": "png", "seed": 4, "shape": (64, 48), "vendors": ("x",)},
        ),
    ],
)
def test_synthetic_scheme_options(
    synthetic_calls: list[dict[str, Any]], tmp_path: Path, spec: str, expected: dict[str, Any]
) -> None:
    load_dataset(spec, cache_root=tmp_path)
    assert synthetic_calls == [{"n_patients": 12, "cache_root": tmp_path, **expected}]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("cbis:/data", r"unknown scheme 'cbis'.*minimias, manifest, synthetic"),
        ("/data/mias", r"unknown scheme '/data/mias'.*minimias, manifest, synthetic"),
        ("minimias:", r"nothing after 'minimias:'.*minimias:DIR"),
        ("synthetic:0", r"'0' is not a number of patients"),
        ("synthetic:ten", r"'ten' is not a number of patients"),
        ("synthetic:-3", r"'-3' is not a number of patients"),
        ("synthetic:5,colour=red", r"unknown option 'colour=red'.*seed=, vendor=, size=, format="),
        ("synthetic:5,seed", r"bad option 'seed'; expected seed=INT"),
        ("synthetic:5,seed=-1", r"bad option 'seed=-1'"),
        ("synthetic:5,seed=1.5", r"bad option 'seed=1.5'"),
        ("synthetic:5,size=512", r"bad option 'size=512'; expected size=ROWSxCOLS"),
        ("synthetic:5,size=0x10", r"bad option 'size=0x10'"),
        ("synthetic:5,format=tiff", r"bad option 'format=tiff'; expected format=dicom\|png"),
        ("synthetic:5,vendor=a++b", r"bad option 'vendor=a\+\+b'"),
        ("synthetic:5,vendor=", r"bad option 'vendor='"),
        ("synthetic:5,seed=1,seed=2", r"option 'seed' given twice"),
        ("synthetic:5,", r"unknown option ''"),
    ],
)
def test_malformed_specs_name_the_bad_part(
    synthetic_calls: list[dict[str, Any]], spec: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        load_dataset(spec)
    assert synthetic_calls == []


@pytest.mark.parametrize("scheme", ["minimias", "manifest"])
def test_missing_paths_are_not_found(tmp_path: Path, scheme: str) -> None:
    with pytest.raises(NotFoundError):
        load_dataset(f"{scheme}:{tmp_path / 'absent'}")


def test_a_new_scheme_needs_only_a_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def load(argument: str, cache_root: Path | None) -> DataSet:
        seen.append(argument)
        return DataSet("cbis", [])

    monkeypatch.setitem(SCHEMES, "cbis", Scheme("cbis:DIR", "CBIS-DDSM folder", load))
    assert load_dataset("cbis:/data/cbis").name == "cbis"
    assert seen == ["/data/cbis"]
    assert "cbis:DIR: CBIS-DDSM folder" in spec_help()


def test_help_lists_every_scheme() -> None:
    assert [line.split(":", 1)[0] for line in spec_help().splitlines()] == list(SCHEMES)
