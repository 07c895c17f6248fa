"""``synthetic:`` adapter: cache keying, reuse and crash safety (with a fake generator), plus one
end-to-end run of the real generator once it exists."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import mammocad.synthetic
from mammocad.datasets.manifest import write_manifest
from mammocad.datasets.records import Record
from mammocad.datasets.synthetic import load_synthetic, synthetic_cache_dir
from mammocad.errors import InvalidInputError
from mammocad.vocabulary import Label


class FakeGenerator:
    """Stands in for ``mammocad.synthetic.generate_dataset``: same signature, tiny output."""

    def __init__(self, fail: bool = False, outside: Path | None = None) -> None:
        self.calls: list[dict[str, object]] = []
        self.fail = fail
        self.outside = outside

    def __call__(
        self,
        out_dir: Path,
        *,
        n_patients: int,
        seed: int = 0,
        vendors: Sequence[str] = ("reference",),
        image_format: str = "dicom",
        shape: tuple[int, int] = (1024, 768),
    ) -> Path:
        self.calls.append(
            {
                "n_patients": n_patients,
                "seed": seed,
                "vendors": tuple(vendors),
                "image_format": image_format,
                "shape": shape,
            }
        )
        records = []
        for i in range(n_patients):
            image = (self.outside or out_dir) / f"p{i}.{image_format}"
            image.write_bytes(f"{seed}-{i}".encode())
            records.append(
                Record(image_id=f"p{i}", path=image, patient_id=f"p{i}", label=Label.NORMAL)
            )
            if self.fail and i == 0:
                raise RuntimeError("generator crashed half way")
        return write_manifest(records, out_dir / "manifest.csv")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeGenerator:
    generator = FakeGenerator()
    monkeypatch.setattr(mammocad.synthetic, "generate_dataset", generator, raising=False)
    return generator


def test_generates_once_then_reuses_the_cache(tmp_path: Path, fake: FakeGenerator) -> None:
    first = load_synthetic(3, seed=7, cache_root=tmp_path)
    second = load_synthetic(3, seed=7, cache_root=tmp_path)
    assert len(fake.calls) == 1
    assert list(first) == list(second) and len(first) == 3
    folder = synthetic_cache_dir(3, seed=7, cache_root=tmp_path)
    assert folder.parent == tmp_path / "cache" / "synthetic"
    assert all(r.path.parent == folder for r in first)
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temp folder left


def test_every_parameter_is_part_of_the_key(tmp_path: Path) -> None:
    folders = {
        synthetic_cache_dir(3, cache_root=tmp_path),
        synthetic_cache_dir(4, cache_root=tmp_path),
        synthetic_cache_dir(3, seed=1, cache_root=tmp_path),
        synthetic_cache_dir(3, vendors=("reference", "b"), cache_root=tmp_path),
        synthetic_cache_dir(3, vendors=("b", "reference"), cache_root=tmp_path),
        synthetic_cache_dir(3, image_format="png", cache_root=tmp_path),
        synthetic_cache_dir(3, shape=(512, 384), cache_root=tmp_path),
    }
    assert len(folders) == 7
    assert synthetic_cache_dir(3, cache_root=tmp_path) == synthetic_cache_dir(
        3,
        seed=0,
        vendors=["reference"],
        image_format="dicom",
        shape=(1024, 768),
        cache_root=tmp_path,
    )


def test_parameters_reach_the_generator(tmp_path: Path, fake: FakeGenerator) -> None:
    load_synthetic(
        2, seed=5, vendors=["a", "b"], image_format="png", shape=(64, 48), cache_root=tmp_path
    )
    assert fake.calls == [
        {
            "n_patients": 2,
            "seed": 5,
            "vendors": ("a", "b"),
            "image_format": "png",
            "shape": (64, 48),
        }
    ]


def test_a_crash_leaves_no_half_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crashing = FakeGenerator(fail=True)
    monkeypatch.setattr(mammocad.synthetic, "generate_dataset", crashing, raising=False)
    with pytest.raises(RuntimeError):
        load_synthetic(2, cache_root=tmp_path)
    assert list((tmp_path / "cache" / "synthetic").iterdir()) == []
    working = FakeGenerator()
    monkeypatch.setattr(mammocad.synthetic, "generate_dataset", working, raising=False)
    assert len(load_synthetic(2, cache_root=tmp_path)) == 2
    assert len(working.calls) == 1


def test_a_folder_without_manifest_is_regenerated(tmp_path: Path, fake: FakeGenerator) -> None:
    folder = synthetic_cache_dir(2, cache_root=tmp_path)
    folder.mkdir(parents=True)
    (folder / "stray.dcm").write_bytes(b"x")
    assert len(load_synthetic(2, cache_root=tmp_path)) == 2
    assert not (folder / "stray.dcm").exists() and len(fake.calls) == 1


def test_images_outside_the_folder_break_the_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    generator = FakeGenerator(outside=elsewhere)
    monkeypatch.setattr(mammocad.synthetic, "generate_dataset", generator, raising=False)
    with pytest.raises(InvalidInputError, match="outside"):
        load_synthetic(1, cache_root=tmp_path / "home")
    assert not synthetic_cache_dir(1, cache_root=tmp_path / "home").exists()


def test_cache_root_defaults_to_mammocad_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeGenerator
) -> None:
    monkeypatch.setenv("MAMMOCAD_HOME", str(tmp_path / "home"))
    dataset = load_synthetic(1)
    assert dataset[0].path.is_relative_to(tmp_path / "home" / "cache" / "synthetic")


def test_default_home_is_var_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAMMOCAD_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert synthetic_cache_dir(1).parts[:3] == ("var", "cache", "synthetic")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_patients": 0}, "patients"),
        ({"n_patients": 1, "vendors": ()}, "vendors"),
        ({"n_patients": 1, "image_format": "tiff"}, "format"),
        ({"n_patients": 1, "shape": (0, 10)}, "size"),
    ],
)
def test_bad_parameters_are_invalid_input(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        load_synthetic(cache_root=tmp_path, **kwargs)


def test_real_generator_end_to_end(tmp_path: Path) -> None:
    try:
        from mammocad.synthetic import generate_dataset  # noqa: F401
    except ImportError:
        pytest.skip(
            "mammocad.synthetic.generate_dataset is not importable yet "
            "(the generator is being written)"
        )
    dataset = load_synthetic(2, seed=1, image_format="png", shape=(256, 192), cache_root=tmp_path)
    again = load_synthetic(2, seed=1, image_format="png", shape=(256, 192), cache_root=tmp_path)
    assert len(dataset.patients) == 2
    assert list(dataset) == list(again)
    assert all(record.path.is_file() for record in dataset)
