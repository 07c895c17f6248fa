"""The patch-evidence classifier: cell logits, the image score read over the breast only."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.explain.explainer import Method, ModelExplainer, ShapSettings
from models.nets.patch_classifier import PatchEvidenceClassifier, breast_coverage
from models.training.targets import window_cell_targets


@pytest.fixture(scope="module")
def network() -> PatchEvidenceClassifier:
    torch.manual_seed(0)
    return PatchEvidenceClassifier(pretrained=False).eval()


def test_outputs_and_hierarchical_probabilities(network: PatchEvidenceClassifier) -> None:
    image = torch.rand(2, 2, 128, 96)
    with torch.no_grad():
        out = network(image)
    assert out.cells is not None and out.cells.shape == (2, 3, 8, 6)  # stride 16
    assert out.evidence.shape == (2, 2, 8, 6)
    torch.testing.assert_close(out.probabilities.sum(dim=1), torch.ones(2))
    assert out.features.shape == (2, 320) and out.statistics.shape == (2, 80)
    # A is the largest cell abnormality: log-odds of a lesion against background.
    abnormal = torch.logsumexp(out.cells[:, 1:], dim=1) - out.cells[:, 0]
    torch.testing.assert_close(out.abnormal_logit, abnormal.flatten(1).max(dim=1).values)


def test_cells_outside_the_breast_cannot_set_the_image_score(
    network: PatchEvidenceClassifier,
) -> None:
    image = torch.zeros(1, 2, 128, 96)
    image[0, 0, :, :48] = 0.5  # breast on the left half only
    coverage = breast_coverage(image[:, :1])[0]
    assert coverage[:, 0].min() >= 0.3 and coverage[:, -1].max() == 0  # windows pass the edge
    with torch.no_grad():
        features = network.intermediate(image)
        out = network.from_intermediate(features)
        abnormal = out.evidence[0, 0]
    inside = abnormal[coverage >= 0.3]
    assert float(out.abnormal_logit[0]) == pytest.approx(float(inside.max()))


def test_window_cell_targets() -> None:
    # a 12-px lesion at (40, 40) on a 96 x 96 crop, stride 16 (cell centres 8, 24, ...)
    target = window_cell_targets(
        (6, 6), 16, [(34.0, 34.0, 46.0, 46.0)], [2], window=48, crop=(96, 96), located=True
    )
    assert target[2, 2] == 2  # centre (40, 40): inside the lesion's 16-px radius
    assert target[2, 1] == 2  # (24, 40): 16 px away, on the 16-px radius floor
    assert target[1, 1] == -100  # (24, 24): 22.6 px away, in the margin: its window is mixed
    edge = np.r_[target[0], target[-1], target[:, 0], target[:, -1]]
    assert (edge == -100).all()  # their windows cross the crop's edge
    assert target[3, 4] in (0, -100) and (target == 0).any()
    unlocated = window_cell_targets((6, 6), 16, [], [], window=48, crop=(96, 96), located=False)
    assert (unlocated == -100).all()  # an unlocated film cannot say what is normal


@pytest.fixture(scope="module")
def visible() -> PatchEvidenceClassifier:
    """ImageNet trunk (a random one's features collapse to ~0) with a visible, untrained head
    (the shipped init is near zero on purpose)."""
    torch.manual_seed(1)
    network = PatchEvidenceClassifier(pretrained=True)
    torch.nn.init.normal_(network.head.weight, std=0.2)
    return network.eval()


@pytest.mark.parametrize("method", ["evidence", "gradcam", "shap"])
def test_every_explanation_method_explains_the_patch_model(
    visible: PatchEvidenceClassifier, method: Method
) -> None:
    """The service's explanation path on this network. SHAP attributes the c4 and c5 features
    the cells read and holds the breast-coverage mask (no gradient path: it only selects cells)
    at the image's values, so the benign score's map adds up to its change (measured gap: 0.20
    of the change at 64 samples, 0.003 at 512). The malignant score A + M does not: M is read
    at the most malignant-looking cell, a jump no gradient sees, and the answer reports that
    gap as ``completeness_gap``."""
    rng = np.random.default_rng(3)
    image = rng.random((2, 128, 96), dtype=np.float32)
    background = rng.random((3, 2, 128, 96), dtype=np.float32)
    explainer = ModelExplainer(visible, torch.device("cpu"), background)
    target = "benign" if method == "shap" else "malignant"
    explanation = explainer.explain(
        image,
        method,
        target,
        ShapSettings(nsamples=256, seed=0),
    )
    assert explanation.cell_map.shape == (8, 6) and np.isfinite(explanation.cell_map).all()
    if method == "shap":
        change = explanation.value - explanation.details["expected_value"]
        assert abs(change) > 0.1
        assert explanation.details["completeness_gap"] <= 0.1 * abs(change)
