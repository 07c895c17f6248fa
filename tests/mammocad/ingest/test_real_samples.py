"""The real samples in ../shared/datasets behave as its README says (skipped where absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from mammocad.datasets.minimias import load_minimias
from mammocad.ingest.errors import UndecodableTransferSyntaxError
from mammocad.ingest.pipeline import IngestOptions, ingest_file
from mammocad.vocabulary import Label, Laterality, View


def test_jpeg2000_ddsm_mammogram(dicom_samples_dir: Path) -> None:
    ingested = ingest_file(dicom_samples_dir / "MG1_J2KI.dcm")
    meta = ingested.metadata
    assert (meta.rows, meta.columns, meta.bits_stored) == (4664, 3064, 12)
    assert (meta.modality, meta.view) == ("RG", View.MLO)
    assert (meta.laterality, meta.laterality_source) == (Laterality.LEFT, "Laterality")
    assert meta.transfer_syntax_uid == "1.2.840.10008.1.2.4.91"
    assert ingested.orientation.chest_wall_side == "left" and not ingested.orientation.flipped
    # The breast hugs the left edge; the "L MLO" film label (x > 2300, y < 800) is dropped.
    x0, _, x1, _ = ingested.breast_box
    assert x0 == 0 and 1500 < x1 < 2300
    label_on_grid = ingested.transform.to_model_boxes([[2300, 100, 2950, 800]])[0]
    grid_columns = ingested.pixels.shape[1]
    assert (
        label_on_grid[0] >= grid_columns
        or not ingested.pixels[
            int(label_on_grid[1]) : int(label_on_grid[3]), int(label_on_grid[0]) : grid_columns
        ].any()
    )


def test_jpeg_extended_sample_is_a_clear_client_error(dicom_samples_dir: Path) -> None:
    with pytest.raises(UndecodableTransferSyntaxError, match="JPEG Extended"):
        ingest_file(dicom_samples_dir / "MG1_JPLY.dcm")


def test_mg_test_pattern_is_ingested_not_refused(dicom_samples_dir: Path) -> None:
    """Refusing it is not ingest's job: it is a valid MG object, to be flagged as OOD later."""
    ingested = ingest_file(dicom_samples_dir / "MG_Explicit_Little.dcm")
    meta = ingested.metadata
    assert (meta.modality, meta.presentation_intent) == ("MG", "FOR PRESENTATION")
    assert (meta.laterality, meta.view) == (Laterality.RIGHT, View.CC)
    assert ingested.orientation.source == "patient_orientation" and ingested.orientation.flipped


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm"])
def test_non_mammography_dicom_is_ingested_for_the_ood_gate(name: str) -> None:
    path = get_testdata_file(name)
    assert isinstance(path, str)
    ingested = ingest_file(Path(path))
    assert ingested.metadata.modality in ("CT", "MR")
    assert ingested.pixels.min() >= 0.0 and ingested.pixels.max() <= 1.0


def test_twenty_mini_mias_images(mini_mias_dir: Path) -> None:
    records = list(load_minimias(mini_mias_dir))[:20]
    options = IngestOptions(target_shape=(512, 384))
    for record in records:
        ingested = ingest_file(record.path, options, laterality=record.laterality)
        meta = ingested.metadata
        assert (meta.source_format, meta.rows, meta.columns, meta.bits_stored) == (
            "pgm",
            1024,
            1024,
            8,
        )
        assert meta.laterality is record.laterality
        assert ingested.breast_found, record.image_id
        assert ingested.pixels.shape == (512, 384)
        x0, y0, x1, y1 = ingested.breast_box
        assert (x1 - x0) * (y1 - y0) < 0.8 * 1024 * 1024, f"{record.image_id}: crop too loose"
        for box in record.boxes:
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            assert x0 <= cx <= x1 and y0 <= cy <= y1, f"{record.image_id}: lesion cropped away"
            on_grid = ingested.transform.to_model_points([[cx, cy]])[0]
            assert 0 <= on_grid[0] < 384 and 0 <= on_grid[1] < 512
            np.testing.assert_allclose(
                ingested.transform.to_original_points([on_grid])[0], [cx, cy], atol=1e-9
            )
    assert {r.label for r in records} == set(Label)


def test_chest_wall_side_on_mini_mias(mini_mias_dir: Path) -> None:
    """mini-MIAS follows the display convention (right breast: chest wall right) except films
    stored mirrored; the image evidence must agree with the convention on the large majority."""
    agree = total = 0
    for record in load_minimias(mini_mias_dir)[:60]:
        ingested = ingest_file(
            record.path, IngestOptions(target_shape=(256, 192)), laterality=record.laterality
        )
        expected = "right" if record.laterality is Laterality.RIGHT else "left"
        total += 1
        agree += ingested.orientation.chest_wall_side == expected
    assert agree / total >= 0.95
