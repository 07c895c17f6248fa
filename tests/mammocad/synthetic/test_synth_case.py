"""One synthetic image: determinism, anatomy, exact and visible lesions, film label."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from mammocad.errors import InvalidInputError
from mammocad.synthetic import generate_case, render_case
from mammocad.synthetic.case import draw_breast
from mammocad.vocabulary import Label, Laterality, LesionKind, View

SHAPE = (256, 192)


def _int_box(box: tuple[float, float, float, float] | None) -> tuple[int, int, int, int]:
    assert box is not None
    x0, y0, x1, y1 = box
    assert all(float(v).is_integer() for v in box), "boxes lie on pixel edges"
    return int(x0), int(y0), int(x1), int(y1)


def test_same_seed_same_image_and_other_seed_other_image() -> None:
    first = generate_case(11, shape=SHAPE)
    again = generate_case(11, shape=SHAPE)
    other = generate_case(12, shape=SHAPE)
    assert np.array_equal(first.stored, again.stored)
    assert first.lesions == again.lesions and first.label is again.label
    assert not np.array_equal(first.stored, other.stored)


def test_the_same_seed_on_another_vendor_shows_the_same_breast() -> None:
    reference = generate_case(5, vendor="reference", shape=SHAPE, label=Label.MALIGNANT)
    film = generate_case(5, vendor="vendor_d", shape=SHAPE, label=Label.MALIGNANT)
    assert [lesion.kind for lesion in reference.lesions] == [lesion.kind for lesion in film.lesions]
    assert reference.density == film.density
    # the same physical breast covers more pixels on the film's smaller field of view
    assert film.pixel_spacing_mm < reference.pixel_spacing_mm
    assert film.breast_mask.sum() > reference.breast_mask.sum()
    assert reference.stored.dtype != film.stored.dtype


@pytest.mark.parametrize("label", list(Label))
def test_the_label_is_the_worst_finding(label: Label) -> None:
    for seed in range(6):
        case = generate_case(seed, label=label, shape=SHAPE)
        assert case.label is label
        if label is Label.NORMAL:
            assert case.lesions == ()
        else:
            assert case.lesions, "an abnormal image has at least one finding"
            worst = max((lesion.severity for lesion in case.lesions), key=lambda s: s.severity)
            assert worst is label


def test_kinds_match_severity() -> None:
    kinds: dict[Label, set[LesionKind]] = {Label.BENIGN: set(), Label.MALIGNANT: set()}
    for seed in range(30):
        case = generate_case(seed, label=Label.MALIGNANT, shape=SHAPE)
        for lesion in case.lesions:
            kinds[lesion.severity].add(lesion.kind)
    assert kinds[Label.MALIGNANT] == {LesionKind.SPICULATED_MASS, LesionKind.CALCIFICATION}
    assert LesionKind.SPICULATED_MASS not in kinds[Label.BENIGN]


def test_random_labels_follow_the_documented_mix() -> None:
    labels = [generate_case(seed, shape=(64, 48)).label for seed in range(200)]
    shares = {label: labels.count(label) / len(labels) for label in Label}
    assert 0.4 < shares[Label.NORMAL] < 0.6
    assert 0.15 < shares[Label.BENIGN] < 0.35
    assert 0.15 < shares[Label.MALIGNANT] < 0.35


@pytest.mark.parametrize("view", [View.CC, View.MLO])
@pytest.mark.parametrize("laterality", [Laterality.LEFT, Laterality.RIGHT])
def test_boxes_are_exact_and_inside_the_breast(view: View, laterality: Laterality) -> None:
    """Rendering the same breast without its findings changes exactly the boxed pixels, and
    every edge row and column of each box is touched: the boxes are tight."""
    for seed in range(4):
        spec = draw_breast(np.random.default_rng(seed), label=Label.MALIGNANT)
        case = render_case(spec, seed=seed, view=view, laterality=laterality, shape=SHAPE)
        normal = render_case(
            dataclasses.replace(spec, findings=()),
            seed=seed,
            view=view,
            laterality=laterality,
            shape=SHAPE,
        )
        changed = case.tissue != normal.tissue
        boxed = np.zeros(SHAPE, dtype=bool)
        for lesion in case.lesions:
            x0, y0, x1, y1 = _int_box(lesion.box)
            boxed[y0:y1, x0:x1] = True
            assert case.breast_mask[y0:y1, x0:x1].all()
            assert not case.pectoral_mask[y0:y1, x0:x1].any()
            inside = changed[y0:y1, x0:x1]
            assert inside[0].any() and inside[-1].any()
            assert inside[:, 0].any() and inside[:, -1].any()
        assert not changed[~boxed].any()
        assert np.array_equal(case.stored[~boxed], normal.stored[~boxed])


@pytest.mark.parametrize("kind", [LesionKind.CIRCUMSCRIBED_MASS, LesionKind.SPICULATED_MASS])
def test_masses_are_visible_but_not_saturated(kind: LesionKind) -> None:
    label = Label.BENIGN if kind is LesionKind.CIRCUMSCRIBED_MASS else Label.MALIGNANT
    masses = 0
    for seed in range(40):
        case = generate_case(seed, label=label, shape=SHAPE, view=View.CC)
        image = case.stored.astype(np.float64) / case.vendor.max_value
        for lesion in case.lesions:
            if lesion.kind is not kind:
                continue
            masses += 1
            x0, y0, x1, y1 = _int_box(lesion.box)
            h, w = y1 - y0, x1 - x0
            core = image[y0 + h * 3 // 8 : y1 - h * 3 // 8, x0 + w * 3 // 8 : x1 - w * 3 // 8]
            grow = max(h, w) // 3
            ring = np.zeros(SHAPE, dtype=bool)
            ring[max(y0 - grow, 0) : y1 + grow, max(x0 - grow, 0) : x1 + grow] = True
            ring[y0:y1, x0:x1] = False
            ring &= case.breast_mask
            assert core.mean() > image[ring].mean() + 0.02, (seed, lesion)
            assert core.max() < 0.95 * case.vendor.white_level, (seed, lesion)
    assert masses >= 10


def test_calcifications_are_bright_specks() -> None:
    for seed in range(20):
        spec = draw_breast(np.random.default_rng(seed), label=Label.MALIGNANT, density="fatty")
        if spec.findings[0].kind is not LesionKind.CALCIFICATION:
            continue
        case = render_case(spec, seed=seed, view=View.CC, laterality=Laterality.LEFT, shape=SHAPE)
        normal = render_case(
            dataclasses.replace(spec, findings=()),
            seed=seed,
            view=View.CC,
            laterality=Laterality.LEFT,
            shape=SHAPE,
        )
        x0, y0, x1, y1 = _int_box(case.lesions[0].box)
        added = (case.tissue - normal.tissue)[y0:y1, x0:x1]
        assert added.max() > 0.15  # bright
        assert (added > 0.05).mean() < 0.5  # specks, not a blob
        return
    pytest.fail("no malignant calcification cluster in 20 seeds")


def test_mlo_has_a_pectoral_muscle_in_the_upper_chest_wall_corner() -> None:
    for laterality, corner in ((Laterality.LEFT, 0), (Laterality.RIGHT, -1)):
        mlo = generate_case(3, view=View.MLO, laterality=laterality, shape=SHAPE)
        cc = generate_case(3, view=View.CC, laterality=laterality, shape=SHAPE)
        assert not cc.pectoral_mask.any()
        assert mlo.pectoral_mask[0, corner] and mlo.pectoral_mask.sum() > 0.03 * mlo.stored.size
        assert not mlo.pectoral_mask[-1].any()
        assert (mlo.pectoral_mask <= mlo.breast_mask).all()
        image = mlo.monochrome2().astype(np.float64)
        fat_and_gland = mlo.breast_mask & ~mlo.pectoral_mask
        assert np.median(image[mlo.pectoral_mask]) > np.median(image[fat_and_gland])


@pytest.mark.parametrize("view", [View.CC, View.MLO])
def test_chest_wall_is_on_the_side_of_the_laterality(view: View) -> None:
    left = generate_case(8, view=view, laterality=Laterality.LEFT, shape=SHAPE)
    right = generate_case(8, view=view, laterality=Laterality.RIGHT, shape=SHAPE)
    assert left.breast_mask[:, 0].mean() > 0.5 and not left.breast_mask[:, -1].any()
    assert right.breast_mask[:, -1].mean() > 0.5 and not right.breast_mask[:, 0].any()
    assert np.array_equal(left.breast_mask, right.breast_mask[:, ::-1])


def test_air_is_dark_and_breast_bright_in_monochrome2_sense() -> None:
    case = generate_case(2, shape=SHAPE, marker=False)
    image = case.monochrome2().astype(np.float64)
    assert image[~case.breast_mask].mean() < 0.05 * case.vendor.max_value
    assert np.median(image[case.breast_mask]) > 0.2 * case.vendor.max_value


def test_density_raises_the_share_of_dense_tissue() -> None:
    spec = draw_breast(np.random.default_rng(4), label=Label.NORMAL)
    means = {}
    for density in ("fatty", "fibroglandular", "dense"):
        case = render_case(
            dataclasses.replace(spec, density=density),
            seed=4,
            view=View.MLO,
            laterality=Laterality.LEFT,
            shape=SHAPE,
        )
        assert case.density == density
        means[density] = case.tissue[case.breast_mask & ~case.pectoral_mask].mean()
    assert means["fatty"] + 0.03 < means["fibroglandular"] < means["dense"] - 0.03


def test_marker_is_in_the_background_and_apart_from_the_breast() -> None:
    for seed in range(10):
        laterality = Laterality.LEFT if seed % 2 else Laterality.RIGHT
        case = generate_case(
            seed,
            marker=True,
            laterality=laterality,
            shape=SHAPE,
            view=View.CC if seed % 3 else View.MLO,
        )
        x0, y0, x1, y1 = _int_box(case.marker_box)
        gap = 2
        assert not case.breast_mask[max(y0 - gap, 0) : y1 + gap, max(x0 - gap, 0) : x1 + gap].any()
        plate = case.monochrome2()[y0:y1, x0:x1].astype(np.float64)
        assert np.median(plate) > 0.8 * case.vendor.max_value  # a bright plate
        assert plate.min() < 0.5 * case.vendor.max_value  # with dark letters
        # on the nipple side, away from the chest wall
        assert (x0 > SHAPE[1] / 2) if laterality is Laterality.LEFT else (x1 < SHAPE[1] / 2)
    assert generate_case(0, marker=False, shape=SHAPE).marker_box is None


def test_arrays_are_read_only() -> None:
    case = generate_case(0, shape=(64, 48))
    with pytest.raises(ValueError):
        case.stored[0, 0] = 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vendor": "acme"}, "vendor"),
        ({"density": "extreme"}, "density"),
        ({"view": View.OTHER}, "CC or MLO"),
        ({"laterality": Laterality.UNKNOWN}, "L or R"),
        ({"shape": (40, 300)}, "at least"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        generate_case(0, **kwargs)


@pytest.mark.parametrize("shape", [(48, 48), (64, 48), (200, 400)])
def test_small_and_odd_shapes_still_place_every_lesion(shape: tuple[int, int]) -> None:
    for seed in range(10):
        case = generate_case(seed, label=Label.MALIGNANT, shape=shape, view=View.MLO)
        assert case.stored.shape == shape
        for lesion in case.lesions:
            x0, y0, x1, y1 = _int_box(lesion.box)
            assert case.breast_mask[y0:y1, x0:x1].all()
