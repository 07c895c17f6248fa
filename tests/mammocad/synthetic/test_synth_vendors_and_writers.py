"""Vendor profiles shift the stored values for real; DICOM and PNG carry them faithfully."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from mammocad.errors import InvalidInputError
from mammocad.synthetic import (
    DEFAULT_VENDOR,
    VENDOR_PROFILES,
    generate_case,
    get_vendor,
    write_dicom,
    write_png,
)
from mammocad.synthetic.acquisition import acquire
from mammocad.synthetic.dicom import DEFAULT_PATIENT_ID
from mammocad.synthetic.vendors import PresentationIntent, VendorProfile
from mammocad.vocabulary import Label, Laterality, View

SHAPE = (128, 96)
FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.2"
FOR_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.2.1"


def test_profiles_cover_the_domain_shifts() -> None:
    profiles = list(VENDOR_PROFILES.values())
    assert DEFAULT_VENDOR == "reference" and len(profiles) >= 4
    assert all(name == p.name for name, p in VENDOR_PROFILES.items())
    assert {p.bits_stored for p in profiles} >= {8, 10, 12, 14, 16}
    assert {p.photometric.value for p in profiles} == {"MONOCHROME1", "MONOCHROME2"}
    assert {p.intent for p in profiles} == set(PresentationIntent)
    assert len({p.curve for p in profiles}) >= 3
    assert len({p.pixel_spacing_mm(1024) for p in profiles}) == len(profiles)
    assert len({p.photons_per_pixel for p in profiles}) >= 3
    assert all(p.manufacturer.startswith("MAMMOCAD SYNTH") for p in profiles)


def test_an_inconsistent_profile_is_refused() -> None:
    reference = VENDOR_PROFILES["reference"]
    fields = {name: getattr(reference, name) for name in reference.__dataclass_fields__}
    with pytest.raises(ValueError, match="window"):
        VendorProfile(**fields | {"intent": PresentationIntent.PROCESSING})
    with pytest.raises(ValueError, match="curve_parameter"):
        VendorProfile(**fields | {"curve_parameter": 2.0})
    with pytest.raises(InvalidInputError, match="reference"):
        get_vendor("nope")


def test_stored_value_distributions_differ_between_vendors() -> None:
    """The same breast must reach the file as different numbers: the shift is real."""
    summaries = {}
    for name in VENDOR_PROFILES:
        case = generate_case(9, vendor=name, shape=SHAPE, label=Label.NORMAL)
        values = case.stored[case.breast_mask].astype(np.float64) / case.vendor.max_value
        summaries[name] = (case.stored.dtype, np.percentile(values, [10, 50, 90]))
    for (a, (dtype_a, pct_a)), (b, (dtype_b, pct_b)) in itertools.combinations(
        summaries.items(), 2
    ):
        assert dtype_a != dtype_b or np.abs(pct_a - pct_b).max() > 0.03, (a, b)


def test_fewer_photons_mean_more_noise() -> None:
    flat = np.full((64, 64), 0.5, dtype=np.float32)

    def relative_noise(name: str) -> float:
        vendor = VENDOR_PROFILES[name]
        stored = acquire(flat, vendor, np.random.default_rng(0)).astype(np.float64)
        return stored.std() / (vendor.max_value * (vendor.white_level - vendor.black_level))

    quiet, grainy = VENDOR_PROFILES["reference"], VENDOR_PROFILES["vendor_d"]
    assert quiet.photons_per_pixel > grainy.photons_per_pixel
    assert relative_noise("vendor_d") > 1.5 * relative_noise("reference")


@pytest.mark.parametrize("name", list(VENDOR_PROFILES))
def test_dicom_round_trips_with_the_profile_header(name: str, tmp_path: Path) -> None:
    case = generate_case(
        4,
        vendor=name,
        view=View.CC,
        laterality=Laterality.RIGHT,
        shape=SHAPE,
        marker=True,
        label=Label.BENIGN,
    )
    vendor = case.vendor
    path = write_dicom(case, tmp_path / "sub" / "image.dcm", patient_id="SYNTH-P0042")
    ds = pydicom.dcmread(path)
    assert np.array_equal(ds.pixel_array, case.stored)
    assert ds.pixel_array.dtype == case.stored.dtype
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert ds.Modality == "MG" and ds.BodyPartExamined == "BREAST"
    is_raw = vendor.intent is PresentationIntent.PROCESSING
    assert ds.SOPClassUID == (FOR_PROCESSING if is_raw else FOR_PRESENTATION)
    assert ds.file_meta.MediaStorageSOPClassUID == ds.SOPClassUID
    assert ds.PresentationIntentType == vendor.intent.value
    assert ds.PhotometricInterpretation == vendor.photometric.value
    assert ds.PresentationLUTShape == ("INVERSE" if vendor.inverted else "IDENTITY")
    assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation) == (
        vendor.bits_allocated,
        vendor.bits_stored,
        vendor.bits_stored - 1,
        0,
    )
    assert ds.Manufacturer == vendor.manufacturer
    assert float(ds.ImagerPixelSpacing[0]) == pytest.approx(vendor.field_of_view_mm / SHAPE[0])
    assert float(ds.PixelSpacing[1]) == pytest.approx(case.pixel_spacing_mm)
    assert (ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType) == (1, 0, "US")
    if is_raw:
        assert "WindowCenter" not in ds
    else:
        assert (float(ds.WindowCenter), float(ds.WindowWidth)) == vendor.voi_window
        low = float(ds.WindowCenter) - float(ds.WindowWidth) / 2
        high = float(ds.WindowCenter) + float(ds.WindowWidth) / 2
        assert low < np.median(case.stored[case.breast_mask]) < high
    assert ds.PatientID == "SYNTH-P0042" and str(ds.PatientName) == "SYNTH^P0042"
    assert ds.ImageLaterality == "R" and ds.ViewPosition == "CC"
    assert list(ds.PatientOrientation) == ["P", "L"]
    code = ds.ViewCodeSequence[0]
    assert (code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning) == (
        "399162004",
        "SCT",
        "cranio-caudal",
    )
    assert ds.BurnedInAnnotation == ("YES" if case.marker_box else "NO")
    assert ds.BreastImplantPresent == "NO"


@pytest.mark.parametrize("name", list(VENDOR_PROFILES))
def test_monochrome1_profiles_store_dense_tissue_low(name: str) -> None:
    case = generate_case(6, vendor=name, shape=SHAPE)
    breast = np.median(case.stored[case.breast_mask].astype(np.float64))
    air = np.median(case.stored[~case.breast_mask].astype(np.float64))
    assert (breast < air) if case.vendor.inverted else (breast > air)
    assert np.median(case.monochrome2()[case.breast_mask]) > np.median(
        case.monochrome2()[~case.breast_mask]
    )


@pytest.mark.parametrize(
    ("laterality", "view", "orientation", "code"),
    [
        (Laterality.LEFT, View.CC, ["A", "R"], "399162004"),
        (Laterality.RIGHT, View.CC, ["P", "L"], "399162004"),
        (Laterality.LEFT, View.MLO, ["A", "FR"], "399368009"),
        (Laterality.RIGHT, View.MLO, ["P", "FL"], "399368009"),
    ],
)
def test_orientation_and_view_codes(
    laterality: Laterality, view: View, orientation: list[str], code: str, tmp_path: Path
) -> None:
    case = generate_case(1, laterality=laterality, view=view, shape=(64, 48))
    ds = pydicom.dcmread(write_dicom(case, tmp_path / "x.dcm"))
    assert list(ds.PatientOrientation) == orientation
    assert ds.ViewCodeSequence[0].CodeValue == code
    assert ds.ImageLaterality == laterality.value and ds.ViewPosition == view.value


def test_dicom_bytes_are_deterministic(tmp_path: Path) -> None:
    def write(seed: int, name: str, patient_id: str = DEFAULT_PATIENT_ID) -> bytes:
        case = generate_case(seed, shape=(64, 48))
        return write_dicom(case, tmp_path / name, patient_id=patient_id).read_bytes()

    first, again, other = write(3, "a.dcm"), write(3, "b.dcm"), write(4, "c.dcm")
    assert first == again
    assert first != other
    uids = {pydicom.dcmread(tmp_path / n).SOPInstanceUID for n in ("a.dcm", "c.dcm")}
    assert len(uids) == 2
    study = [pydicom.dcmread(tmp_path / n).StudyInstanceUID for n in ("a.dcm", "c.dcm")]
    assert study[0] == study[1]  # same patient, same study
    assert write(3, "d.dcm", patient_id="SYNTH-P0002") != first


@pytest.mark.parametrize(
    ("name", "mode"), [("reference", "I;16"), ("vendor_c", "I;16"), ("vendor_d", "L")]
)
def test_png_round_trips_in_monochrome2_sense(name: str, mode: str, tmp_path: Path) -> None:
    case = generate_case(2, vendor=name, shape=SHAPE)
    path = write_png(case, tmp_path / "deep" / "x.png")
    with Image.open(path) as image:
        assert image.mode == mode
        pixels = np.array(image)
    assert np.array_equal(pixels, case.monochrome2())
    if case.vendor.inverted:
        assert np.array_equal(pixels.astype(np.int64), case.vendor.max_value - case.stored)
    assert write_png(case, tmp_path / "again.png").read_bytes() == path.read_bytes()


def test_different_images_from_one_seed_get_different_uids(tmp_path: Path) -> None:
    plain = generate_case(3, shape=(256, 192), label=Label.NORMAL)
    marked = generate_case(3, shape=(256, 192), label=Label.NORMAL, marker=True)
    assert not np.array_equal(plain.stored, marked.stored)
    uids = {
        pydicom.dcmread(write_dicom(case, tmp_path / f"{i}.dcm")).SOPInstanceUID
        for i, case in enumerate((plain, marked))
    }
    assert len(uids) == 2
