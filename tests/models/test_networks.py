"""Both task networks: output shapes, probabilities, and the hooks explanation and OOD need."""

from __future__ import annotations

import pytest
import torch

from models.nets.classifier import LesionEvidenceClassifier, top_k_mean
from models.nets.detector import MassDetector

INPUT_CHANNELS = {LesionEvidenceClassifier: 2, MassDetector: 1}  # the classifier reads specks


def _image(network: type) -> torch.Tensor:
    return torch.rand(2, INPUT_CHANNELS[network], 128, 96)


def test_classifier_probabilities_are_hierarchical() -> None:
    output = LesionEvidenceClassifier(pretrained=False).eval()(_image(LesionEvidenceClassifier))
    assert output.evidence.shape == (2, 2, 16, 12)
    torch.testing.assert_close(output.probabilities.sum(dim=1), torch.ones(2))
    p_abnormal = torch.sigmoid(output.abnormal_logit)
    torch.testing.assert_close(output.probabilities[:, 0], 1 - p_abnormal)
    torch.testing.assert_close(
        output.probabilities[:, 2], p_abnormal * torch.sigmoid(output.malignant_logit)
    )


@pytest.mark.parametrize("network", [LesionEvidenceClassifier, MassDetector])
def test_gradcam_layer_and_ood_features_are_exposed(network: type) -> None:
    model = network(pretrained=False).eval()
    captured: list[torch.Tensor] = []
    handle = model.gradcam_layer.register_forward_hook(lambda _m, _i, out: captured.append(out))
    image = _image(network)
    output = model(image)
    handle.remove()
    assert captured[0].shape == (2, 64, 16, 12)  # the last convolutional feature map, stride 8
    assert output.features.shape == (2, 320)  # the penultimate feature vector
    # Each stride-8 trunk channel's mean, then its standard deviation.
    c3 = model.intermediate(image)["c3"]
    assert output.statistics.shape == (2, 80)
    torch.testing.assert_close(output.statistics[:, :40], c3.mean(dim=(2, 3)))
    torch.testing.assert_close(output.statistics[:, 40:], c3.flatten(2).std(dim=2))


def test_detector_maps() -> None:
    output = MassDetector(pretrained=False).eval()(_image(MassDetector))
    assert output.heat.shape == (2, 1, 16, 12) and output.size.shape == (2, 2, 16, 12)
    assert output.malignancy.shape == (2, 1, 16, 12)


def test_top_k_mean_is_a_robust_maximum() -> None:
    maps = torch.zeros(1, 1, 4, 4)
    maps[0, 0, 0, 0] = 8.0
    maps[0, 0, 1, 1] = 4.0
    assert top_k_mean(maps, 1).item() == 8.0
    assert top_k_mean(maps, 2).item() == 6.0


def test_classifier_refuses_an_image_without_its_speck_map() -> None:
    with pytest.raises(ValueError, match="speck map"):
        LesionEvidenceClassifier(pretrained=False)(torch.rand(1, 1, 64, 64))


def test_speck_map_alone_moves_the_classifier() -> None:
    """The speck pathway is wired in: changing only the speck map changes the evidence."""
    torch.manual_seed(0)
    model = LesionEvidenceClassifier(pretrained=False).eval()
    torch.nn.init.normal_(model.evidence_head.weight, std=0.1)
    image = torch.rand(1, 2, 64, 64)
    with_specks = image.clone()
    with_specks[:, 1, 20:24, 20:24] = 1.0
    assert not torch.allclose(model(image).evidence, model(with_specks).evidence)
