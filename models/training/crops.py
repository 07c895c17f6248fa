"""Training crops for a patch model: lesion-centred, random and hard, drawn anew every epoch.

A film holds a lesion in well under 1 % of its area. A patch model (Shen et al. 2019) learns
what a lesion looks like from crops centred on lesions (jittered), learns normal tissue from
random crops of the films, and learns the normal tissue it mistakes for lesions from crops
centred on its own most lesion-like cells of the training films (hard negatives, mined again
every few epochs with the current weights). Crops are cut from the prepared films on the model grid,
so the network is trained on the very pixels it serves; lesions keep their boxes in crop
coordinates, and a crop keeps its film's ``located`` flag (a film with an unlocated lesion
cannot say which of its cells are normal, so only its located lesions teach).

Masses can also be transplanted: the lesion's local contrast (its pixels minus their smoothed
surround, under a feathered disk) added to a normal film at a random place in the breast. The
model then sees each of the few dozen masses on many backgrounds, fatty and dense, instead of
learning one patient's tissue around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch
from scipy import ndimage

from mammocad.datasets.records import Lesion
from mammocad.vocabulary import Label
from models.inference.predict import predict_classifier
from models.nets.classifier import ClassifierNetwork
from models.training.data import PreparedImage

__all__ = ["CropPlan", "CropSampler", "cut", "transplant"]


@dataclass(frozen=True)
class CropPlan:
    """How many crops of which kind one epoch draws (sizes in model pixels)."""

    size: int = 192
    per_lesion: int = 3
    per_film: int = 2
    hard_per_film: int = 2
    transplant_per_mass: int = 1
    jitter: int = 40
    mine_every: int = 2  # epochs between two minings of hard negatives


def cut(image: PreparedImage, centre_y: float, centre_x: float, size: int) -> PreparedImage:
    """The ``size`` x ``size`` crop of ``image`` centred at ``(centre_y, centre_x)``, zero
    (background) outside the film, with the lesions whose centre falls inside it."""
    rows, columns = image.pixels.shape
    top = round(centre_y) - size // 2
    left = round(centre_x) - size // 2

    def window(values: np.ndarray) -> np.ndarray:
        out = np.zeros((size, size), dtype=values.dtype)
        y0, x0 = max(top, 0), max(left, 0)
        y1, x1 = min(top + size, rows), min(left + size, columns)
        if y1 > y0 and x1 > x0:
            out[y0 - top : y1 - top, x0 - left : x1 - left] = values[y0:y1, x0:x1]
        return out

    lesions = []
    for lesion in image.lesions:
        if lesion.box is None:
            lesions.append(lesion)  # still says the film is abnormal somewhere
            continue
        x0, y0, x1, y1 = lesion.box
        cx, cy = (x0 + x1) / 2 - left, (y0 + y1) / 2 - top
        if 0 <= cx < size and 0 <= cy < size:
            lesions.append(
                lesion.model_copy(update={"box": (x0 - left, y0 - top, x1 - left, y1 - top)})
            )
    return replace(
        image,
        pixels=window(image.pixels),
        detail=None if image.detail is None else window(image.detail),
        lesions=tuple(lesions),
        label=_worst(lesions),
    )


def transplant(
    source: PreparedImage, lesion: Lesion, normal: PreparedImage, rng: np.random.Generator
) -> PreparedImage:
    """``normal`` with ``lesion`` of ``source`` added at a random place of its breast (the
    lesion's pixels minus their smoothed surround, under a feathered disk; the speck map's
    maximum), as a new film with that one located lesion."""
    if lesion.box is None:
        raise ValueError("only a located lesion can be transplanted")
    x0, y0, x1, y1 = lesion.box
    radius = max((x1 - x0) / 2, (y1 - y0) / 2, 4.0)
    half = int(radius * 1.4) + 4
    patch = cut(source, (y0 + y1) / 2, (x0 + x1) / 2, 2 * half)
    yy, xx = np.mgrid[: 2 * half, : 2 * half] - half + 0.5
    disk = np.clip((1.0 - np.hypot(yy, xx) / (radius * 1.25)) / 0.25, 0.0, 1.0)
    contrast = (patch.pixels - ndimage.gaussian_filter(patch.pixels, max(radius / 1.5, 3.0))) * disk
    if rng.random() < 0.5:
        contrast = contrast[::-1]
    breast_rows, breast_columns = np.nonzero(normal.pixels > 0)
    pick = int(rng.integers(len(breast_rows)))
    cy, cx = int(breast_rows[pick]), int(breast_columns[pick])
    pixels = normal.pixels.copy()
    detail = None if normal.detail is None else normal.detail.copy()
    rows, columns = pixels.shape
    top, left = cy - half, cx - half
    y0c, x0c, y1c, x1c = (
        max(top, 0),
        max(left, 0),
        min(top + 2 * half, rows),
        min(left + 2 * half, columns),
    )
    region = (slice(y0c, y1c), slice(x0c, x1c))
    local = (slice(y0c - top, y1c - top), slice(x0c - left, x1c - left))
    inside = pixels[region] > 0
    pixels[region] = np.clip(pixels[region] + contrast[local] * inside, 0.0, 1.0)
    if detail is not None and patch.detail is not None:
        detail[region] = np.maximum(detail[region], (patch.detail * disk)[local] * inside)
    pasted = lesion.model_copy(update={"box": (cx - radius, cy - radius, cx + radius, cy + radius)})
    return replace(
        normal,
        image_id=f"{normal.image_id}+{source.image_id}",
        pixels=pixels,
        detail=detail,
        lesions=(pasted,),
        label=lesion.severity,
    )


class CropSampler:
    """One epoch's crops of ``films`` (:class:`CropPlan`); call it with the epoch and the
    current network (hard negatives are mined from the second epoch on)."""

    def __init__(
        self,
        films: Sequence[PreparedImage],
        plan: CropPlan,
        seed: int,
        device: torch.device,
    ) -> None:
        self.films = list(films)
        self.plan = plan
        self.rng = np.random.default_rng(seed)
        self.device = device
        self.normals = [f for f in self.films if f.label is Label.NORMAL and f.located]
        self._hard_centres: list[tuple[PreparedImage, float, float]] = []

    def __call__(self, epoch: int, network: torch.nn.Module) -> list[PreparedImage]:
        plan, rng = self.plan, self.rng
        crops: list[PreparedImage] = []
        for film in self.films:
            for lesion in film.lesions:
                if lesion.box is None:
                    continue
                cx, cy = (lesion.box[0] + lesion.box[2]) / 2, (lesion.box[1] + lesion.box[3]) / 2
                for _ in range(plan.per_lesion):
                    dy, dx = rng.uniform(-plan.jitter, plan.jitter, size=2)
                    crops.append(cut(film, cy + dy, cx + dx, plan.size))
                if lesion.kind.is_mass and self.normals:
                    for _ in range(plan.transplant_per_mass):
                        normal = self.normals[int(rng.integers(len(self.normals)))]
                        pasted = transplant(film, lesion, normal, rng)
                        [moved] = [les for les in pasted.lesions if les.box is not None]
                        assert moved.box is not None
                        dy, dx = rng.uniform(-plan.jitter, plan.jitter, size=2)
                        crops.append(
                            cut(
                                pasted,
                                (moved.box[1] + moved.box[3]) / 2 + dy,
                                (moved.box[0] + moved.box[2]) / 2 + dx,
                                plan.size,
                            )
                        )
            if not film.located:
                continue
            rows, columns = np.nonzero(film.pixels > 0)
            for _ in range(plan.per_film if len(rows) else 0):
                pick = int(rng.integers(len(rows)))
                crops.append(cut(film, rows[pick], columns[pick], plan.size))
        if epoch > 1 and plan.hard_per_film and isinstance(network, ClassifierNetwork):
            if epoch % plan.mine_every == 0 or not self._hard_centres:
                self._hard_centres = self._mine(network)
            for film, centre_y, centre_x in self._hard_centres:
                jitter = rng.uniform(-network.stride / 4, network.stride / 4, size=2)
                crops.append(cut(film, centre_y + jitter[0], centre_x + jitter[1], plan.size))
        return crops

    def _mine(self, network: ClassifierNetwork) -> list[tuple[PreparedImage, float, float]]:
        """Each located film's most lesion-like cells away from its lesions (whole-film
        predictions of the current weights: the costly part, hence every few epochs)."""
        located = [f for f in self.films if f.located]
        was_training = network.training
        found = predict_classifier(network, [f.model_input() for f in located], self.device)
        network.train(was_training)
        centres = []
        for film, evidence in zip(located, found.evidence, strict=True):
            stride = network.stride
            score = evidence[0].copy()
            rows, columns = np.mgrid[: score.shape[0], : score.shape[1]]
            centres_y, centres_x = (rows + 0.5) * stride, (columns + 0.5) * stride
            for lesion in film.lesions:
                assert lesion.box is not None  # a located film
                x0, y0, x1, y1 = lesion.box
                reach = max(x1 - x0, y1 - y0) / 2 + stride
                near = np.hypot(centres_x - (x0 + x1) / 2, centres_y - (y0 + y1) / 2) < reach
                score[near] = -np.inf
            for flat in np.argsort(score, axis=None)[::-1][: self.plan.hard_per_film]:
                if np.isfinite(score.flat[flat]):
                    centres.append((film, float(centres_y.flat[flat]), float(centres_x.flat[flat])))
        return centres


def _worst(lesions: Sequence[Lesion]) -> Label:
    return max(
        (lesion.severity for lesion in lesions), key=lambda s: s.severity, default=Label.NORMAL
    )
