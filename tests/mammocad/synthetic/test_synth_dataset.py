"""A whole synthetic data set: manifest, patients with both breasts, label mix, determinism."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from PIL import Image

from mammocad.datasets.manifest import read_manifest
from mammocad.errors import InvalidInputError
from mammocad.synthetic import generate_dataset
from mammocad.vocabulary import Label, Laterality, View

SHAPE = (96, 72)


@pytest.fixture(scope="module")
def dicom_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic") / "set"
    return generate_dataset(
        out, n_patients=8, seed=3, vendors=("reference", "vendor_b"), shape=SHAPE
    )


def test_manifest_reads_back_with_both_breasts_in_both_views(dicom_set: Path) -> None:
    assert dicom_set.name == "manifest.csv"
    dataset = read_manifest(dicom_set)
    assert len(dataset) == 8 * 4
    assert dataset.patients == [f"SYNTH-S3-P{i:04d}" for i in range(1, 9)]
    seen = defaultdict(set)
    for record in dataset:
        seen[record.patient_id].add((record.laterality, record.view))
    expected = {
        (side, view) for side in (Laterality.LEFT, Laterality.RIGHT) for view in (View.CC, View.MLO)
    }
    assert all(pairs == expected for pairs in seen.values())


def test_label_mix_is_half_normal_and_breast_level(dicom_set: Path) -> None:
    dataset = read_manifest(dicom_set)
    assert dataset.label_counts() == {Label.NORMAL: 16, Label.BENIGN: 8, Label.MALIGNANT: 8}
    breasts: dict[tuple[str, Laterality], set[Label]] = defaultdict(set)
    for record in dataset:
        breasts[(record.patient_id, record.laterality)].add(record.label)
    assert all(len(labels) == 1 for labels in breasts.values()), "views of a breast agree"
    abnormal: defaultdict[str, int] = defaultdict(int)
    for (patient, _), labels in breasts.items():
        abnormal[patient] += labels != {Label.NORMAL}
    assert sum(count <= 1 for count in abnormal.values()) == 7


def test_files_match_their_manifest_rows(dicom_set: Path) -> None:
    dataset = read_manifest(dicom_set)
    facts = {
        i["image_id"]: i
        for i in json.loads((dicom_set.parent / "synthetic.json").read_text())["images"]
    }
    for record in dataset:
        assert record.path.is_file() and record.path.is_relative_to(dicom_set.parent)
        ds = pydicom.dcmread(record.path)
        assert ds.PatientID == record.patient_id
        assert ds.ImageLaterality == record.laterality.value
        assert ds.ViewPosition == record.view.value
        assert ds.pixel_array.shape == SHAPE
        assert ds.Manufacturer == (
            "MAMMOCAD SYNTH REFERENCE"
            if facts[record.image_id]["vendor"] == "reference"
            else "MAMMOCAD SYNTH B"
        )
        assert (ds.BurnedInAnnotation == "YES") == (
            facts[record.image_id]["marker_box"] is not None
        )
        for lesion in record.lesions:
            assert lesion.box is not None
            x0, y0, x1, y1 = lesion.box
            assert 0 <= x0 < x1 <= SHAPE[1] and 0 <= y0 < y1 <= SHAPE[0]
    uids = {pydicom.dcmread(r.path).StudyInstanceUID for r in dataset}
    assert len(uids) == 8  # one study per patient


def test_same_arguments_give_byte_identical_sets(tmp_path: Path, dicom_set: Path) -> None:
    again = generate_dataset(
        tmp_path / "again", n_patients=8, seed=3, vendors=("reference", "vendor_b"), shape=SHAPE
    )
    files = sorted(
        p.relative_to(dicom_set.parent) for p in dicom_set.parent.rglob("*") if p.is_file()
    )
    assert files == sorted(
        p.relative_to(again.parent) for p in again.parent.rglob("*") if p.is_file()
    )
    for relative in files:
        assert (dicom_set.parent / relative).read_bytes() == (again.parent / relative).read_bytes()
    other = generate_dataset(
        tmp_path / "other", n_patients=8, seed=4, vendors=("reference", "vendor_b"), shape=SHAPE
    )
    assert other.read_bytes() != dicom_set.read_bytes()


def test_png_sets_and_chosen_views(tmp_path: Path) -> None:
    manifest = generate_dataset(
        tmp_path,
        n_patients=2,
        image_format="png",
        views=["mlo"],
        vendors=["vendor_d"],
        shape=SHAPE,
        marker_share=1.0,
    )
    dataset = read_manifest(manifest)
    assert len(dataset) == 4 and {r.view for r in dataset} == {View.MLO}
    for record in dataset:
        assert record.path.suffix == ".png"
        with Image.open(record.path) as image:
            assert image.mode == "L" and np.array(image).shape == SHAPE


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_patients": 0}, "n_patients"),
        ({"vendors": ()}, "vendor"),
        ({"vendors": ("reference", "acme")}, "acme"),
        ({"image_format": "jpeg"}, "format"),
        ({"views": ("LAT",)}, "CC or MLO"),
        ({"shape": (16, 16)}, "shape"),
        ({"marker_share": 1.5}, "marker_share"),
    ],
)
def test_bad_arguments_write_nothing(kwargs: dict[str, Any], message: str, tmp_path: Path) -> None:
    arguments: dict[str, Any] = {"n_patients": 1, "shape": SHAPE} | kwargs
    with pytest.raises(InvalidInputError, match=message):
        generate_dataset(tmp_path / "out", **arguments)
    assert not (tmp_path / "out").exists()
