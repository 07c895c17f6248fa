"""Training crops of a patch model: cut, transplanted, sampled, hard."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from mammocad.datasets.records import DataSet, Lesion
from mammocad.vocabulary import Label, LesionKind
from models.nets.patch_classifier import PatchEvidenceClassifier
from models.training.crops import CropPlan, CropSampler, cut, transplant
from models.training.data import PreparedImage, prepare_images
from models.training.tasks import PATCH_CLASSIFY


@pytest.fixture(scope="module")
def films(tiny_set: DataSet) -> list[PreparedImage]:
    return prepare_images(tiny_set, PATCH_CLASSIFY.ingest_options((128, 96)))


def _mass(x: float, y: float, r: float = 6.0) -> Lesion:
    return Lesion(
        kind=LesionKind.CIRCUMSCRIBED_MASS, severity=Label.BENIGN, box=(x - r, y - r, x + r, y + r)
    )


def test_a_crop_moves_boxes_and_pads_outside_the_film(films: list[PreparedImage]) -> None:
    film = replace(films[0], lesions=(_mass(20, 30), _mass(90, 120)))
    crop = cut(film, 30, 20, 32)
    assert crop.pixels.shape == (32, 32) and crop.detail is not None
    assert crop.detail.shape == (32, 32)
    [lesion] = crop.lesions  # the far lesion's centre is outside: dropped
    assert lesion.box == (10.0, 10.0, 22.0, 22.0)
    assert crop.label is Label.BENIGN
    corner = cut(film, 0, 0, 32)  # three quarters outside the film: zeros there
    assert (corner.pixels[:16, :] == 0).all() and (corner.pixels[:, :16] == 0).all()
    np.testing.assert_array_equal(corner.pixels[16:, 16:], film.pixels[:16, :16])


def test_a_transplanted_lesion_adds_its_contrast_inside_the_breast(
    films: list[PreparedImage],
) -> None:
    source = films[0]
    y, x = (int(v) for v in np.argwhere(source.pixels > 0.3)[0])
    source = replace(source, pixels=source.pixels.copy())
    source.pixels[y - 4 : y + 5, x - 4 : x + 5] += 0.4  # a bright blob: the "lesion"
    normal = replace(films[1], lesions=(), label=Label.NORMAL)
    pasted = transplant(source, _mass(x, y, 5), normal, np.random.default_rng(0))
    [lesion] = pasted.lesions
    assert lesion.box is not None and pasted.label is Label.BENIGN and pasted.located
    cx, cy = int((lesion.box[0] + lesion.box[2]) / 2), int((lesion.box[1] + lesion.box[3]) / 2)
    assert normal.pixels[cy, cx] > 0  # pasted inside the breast
    changed = pasted.pixels != normal.pixels
    rows, columns = np.nonzero(changed)
    assert changed.any() and abs(rows.mean() - cy) < 8 and abs(columns.mean() - cx) < 8
    assert (pasted.pixels[normal.pixels == 0] == 0).all()  # never outside the breast


def test_an_epoch_draws_lesion_random_and_hard_crops(films: list[PreparedImage]) -> None:
    plan = CropPlan(size=64, per_lesion=2, per_film=3, hard_per_film=1, transplant_per_mass=1)
    sampler = CropSampler(films, plan, seed=0, device=torch.device("cpu"))
    network = PatchEvidenceClassifier(pretrained=False).eval()
    lesions = sum(1 for f in films for les in f.lesions if les.box is not None)
    masses = sum(1 for f in films for les in f.lesions if les.box is not None and les.kind.is_mass)
    located = sum(f.located for f in films)
    first = sampler(1, network)
    assert len(first) == 2 * lesions + masses + 3 * located  # no hard crops in the first epoch
    assert all(c.pixels.shape == (64, 64) for c in first)
    second = sampler(2, network)
    assert len(second) == len(first) + located  # one hard crop per located film
    again = CropSampler(films, plan, seed=0, device=torch.device("cpu"))(1, network)
    assert all(np.array_equal(a.pixels, b.pixels) for a, b in zip(first, again, strict=True))
