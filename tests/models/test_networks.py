"""Both task networks: output shapes, probabilities, and the hooks explanation and OOD need."""

from __future__ import annotations

import pytest
import torch

from models.classify.network import LesionEvidenceClassifier, top_k_mean
from models.detect.network import MassDetector


@pytest.fixture(scope="module")
def image() -> torch.Tensor:
    return torch.rand(2, 1, 128, 96)


def test_classifier_probabilities_are_hierarchical(image: torch.Tensor) -> None:
    output = LesionEvidenceClassifier(pretrained=False).eval()(image)
    assert output.evidence.shape == (2, 2, 16, 12)
    torch.testing.assert_close(output.probabilities.sum(dim=1), torch.ones(2))
    p_abnormal = torch.sigmoid(output.abnormal_logit)
    torch.testing.assert_close(output.probabilities[:, 0], 1 - p_abnormal)
    torch.testing.assert_close(
        output.probabilities[:, 2], p_abnormal * torch.sigmoid(output.malignant_logit)
    )


@pytest.mark.parametrize("network", [LesionEvidenceClassifier, MassDetector])
def test_gradcam_layer_and_ood_features_are_exposed(network: type, image: torch.Tensor) -> None:
    model = network(pretrained=False).eval()
    captured: list[torch.Tensor] = []
    handle = model.gradcam_layer.register_forward_hook(lambda _m, _i, out: captured.append(out))
    output = model(image)
    handle.remove()
    assert captured[0].shape == (2, 64, 16, 12)  # the last convolutional feature map, stride 8
    assert output.features.shape == (2, 320)  # the penultimate feature vector


def test_detector_maps(image: torch.Tensor) -> None:
    output = MassDetector(pretrained=False).eval()(image)
    assert output.heat.shape == (2, 1, 16, 12) and output.size.shape == (2, 2, 16, 12)
    assert output.malignancy.shape == (2, 1, 16, 12)


def test_top_k_mean_is_a_robust_maximum() -> None:
    maps = torch.zeros(1, 1, 4, 4)
    maps[0, 0, 0, 0] = 8.0
    maps[0, 0, 1, 1] = 4.0
    assert top_k_mean(maps, 1).item() == 8.0
    assert top_k_mean(maps, 2).item() == 6.0
