"""How well explanations point at the lesions, and whether they depend on what the model learned.

Measured on images whose lesions have a location, on the model grid (the same affine map takes
both the map and the boxes back to the original image, so the figures hold there too):

- pointing game (Zhang et al., 2018): the map's peak cell centre lies inside a lesion box;
- energy inside: the share of the map's positive mass that falls inside the lesion boxes;
- chance levels for both: the boxes' share of the breast's area, which a map that ignored the
  image would score on average;
- model randomisation (Adebayo et al., 2018): the Spearman rank correlation between the map of
  the trained model and that of the same architecture with freshly initialised weights, at the
  same target. An explanation that barely changes (correlation near 1) shows the image's edges,
  not what the model learned.

Targets: the classifier explains the image's TRUE class (benign or malignant), the standard
pointing-game setting; the detector explains its best detection, which is the default of
``/v1/explain``, so the figure covers detection and explanation together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from scipy.stats import spearmanr

from mammocad.errors import InvalidInputError
from mammocad.schemas.evaluation import ExplanationQuality, RandomisationCheck
from models.evaluation.classification import wilson_interval
from models.explain.explainer import Explanation, Method, ModelExplainer
from models.nets.classifier import ClassifierNetwork
from models.training.data import PreparedImage
from models.training.tasks import CLASSIFY, DETECT, TaskSpec

__all__ = [
    "explanation_quality",
    "pool_explanations",
]

RANDOMISATION_IMAGES = 12


def explanation_quality(
    network: torch.nn.Module,
    device: torch.device,
    images: Sequence[PreparedImage],
    method: Method,
    *,
    background: np.ndarray | None,
    randomisation_images: int = RANDOMISATION_IMAGES,
    seed: int = 0,
) -> ExplanationQuality:
    """Pointing game, energy inside the boxes and the randomisation check of ``method``."""
    task: TaskSpec = CLASSIFY if isinstance(network, ClassifierNetwork) else DETECT
    explainer = ModelExplainer(network, device, background)
    located = [(image, boxes) for image in images if len(boxes := _boxes(image, task)) > 0]
    hits, energies, chances, maps = 0, [], [], []
    for image, boxes in located:
        chances.append(_box_share(image, boxes))
        target = image.label.value if task is CLASSIFY else None
        try:
            explanation = explainer.explain(image.model_input(), method, target)
        except InvalidInputError as error:
            if error.code != "unknown-explanation-target":
                raise
            energies.append(0.0)  # the detector found nothing to explain: a miss
            continue
        cell_map = explanation.cell_map
        hits += _peak_inside(cell_map, explanation.stride, boxes)
        energies.append(_energy_inside(cell_map, explanation.stride, boxes))
        maps.append((image, explanation.explained, cell_map))
    torch.manual_seed(seed)
    randomised = type(network)(pretrained=False).to(device).eval()  # same architecture
    random_explainer = ModelExplainer(randomised, device, background)
    correlations = [
        _spearman(trained, random_explainer.explain_output(image.model_input(), method, target))
        for image, target, trained in maps[:randomisation_images]
    ]
    finite = [c for c in correlations if c is not None]
    n = len(located)
    return ExplanationQuality(
        method=method,
        target="the true class's score (see models.explain.targets)"
        if task is CLASSIFY
        else "the best detection's score",
        images=n,
        pointing_hits=hits,
        pointing_game=hits / n if n else None,
        pointing_ci=wilson_interval(hits, n) if n else None,
        pointing_chance=float(np.mean(chances)) if n else None,
        energy_inside=float(np.nanmean(energies)) if n else None,
        randomisation=RandomisationCheck(
            images=len(correlations),
            blank=len(correlations) - len(finite),
            spearman_mean=float(np.mean(finite)) if finite else None,
            spearman_max=float(np.max(finite)) if finite else None,
        ),
    )


def _boxes(image: PreparedImage, task: TaskSpec) -> np.ndarray:
    """The model-grid boxes of the lesions this task is about (classifier: all; detector:
    masses); empty when any of them has no location (the image cannot be scored)."""
    lesions = [lesion for lesion in image.lesions if task is CLASSIFY or lesion.kind.is_mass]
    if not lesions or any(lesion.box is None for lesion in lesions):
        return np.zeros((0, 4))
    return np.array([lesion.box for lesion in lesions], dtype=float)


def _peak_inside(cell_map: np.ndarray, stride: int, boxes: np.ndarray) -> bool:
    if not np.isfinite(cell_map).all() or cell_map.max() <= 0:
        return False  # no positive evidence anywhere: the map points at nothing
    row, column = np.unravel_index(int(np.argmax(cell_map)), cell_map.shape)
    x, y = (column + 0.5) * stride, (row + 0.5) * stride
    return bool(
        np.any((boxes[:, 0] <= x) & (x <= boxes[:, 2]) & (boxes[:, 1] <= y) & (y <= boxes[:, 3]))
    )


def _inside_mask(shape: tuple[int, int], boxes: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    for x0, y0, x1, y1 in boxes:
        mask[int(np.floor(y0)) : int(np.ceil(y1)), int(np.floor(x0)) : int(np.ceil(x1))] = True
    return mask


def _energy_inside(cell_map: np.ndarray, stride: int, boxes: np.ndarray) -> float:
    positive = np.kron(np.clip(cell_map, 0, None), np.ones((stride, stride)))
    total = float(positive.sum())
    if total <= 0:
        return 0.0
    return float(positive[_inside_mask(positive.shape, boxes)].sum() / total)


def _box_share(image: PreparedImage, boxes: np.ndarray) -> float:
    breast = image.pixels > 0
    inside = _inside_mask(image.pixels.shape, boxes) & breast
    return float(inside.sum() / max(1, breast.sum()))


def _spearman(trained: np.ndarray, randomised: Explanation) -> float | None:
    other = np.clip(randomised.cell_map, 0, None).ravel()
    trained = np.clip(trained, 0, None).ravel()
    if np.ptp(other) == 0:
        return None  # the randomised map is blank: nothing of the trained map survived
    if np.ptp(trained) == 0:
        return 0.0  # the trained map is blank and the randomised one is not
    return float(spearmanr(trained, other).statistic)


def pool_explanations(qualities: Sequence[ExplanationQuality]) -> list[ExplanationQuality]:
    """Cross-validation folds' explanation quality pooled per method: hits and films summed,
    the means weighted by each fold's films (the randomisation check by its compared films)."""
    pooled = []
    for method in sorted({q.method for q in qualities}):
        rows = [q for q in qualities if q.method == method and q.images]
        films = sum(q.images for q in rows)
        if not films:
            continue
        hits = sum(q.pointing_hits for q in rows)
        compared = [
            (q.randomisation.spearman_mean, q.randomisation.images - q.randomisation.blank)
            for q in rows
            if q.randomisation.spearman_mean is not None
        ]
        n_compared = sum(n for _, n in compared)
        pooled.append(
            ExplanationQuality(
                method=method,
                target=rows[0].target,
                images=films,
                pointing_hits=hits,
                pointing_game=hits / films,
                pointing_ci=wilson_interval(hits, films),
                pointing_chance=sum((q.pointing_chance or 0.0) * q.images for q in rows) / films,
                energy_inside=sum((q.energy_inside or 0.0) * q.images for q in rows) / films,
                randomisation=RandomisationCheck(
                    images=sum(q.randomisation.images for q in rows),
                    blank=sum(q.randomisation.blank for q in rows),
                    spearman_mean=sum(c * n for c, n in compared) / n_compared
                    if n_compared
                    else None,
                    spearman_max=max(
                        (
                            q.randomisation.spearman_max
                            for q in rows
                            if q.randomisation.spearman_max is not None
                        ),
                        default=None,
                    ),
                ),
            )
        )
    return pooled
