"""Batched prediction helpers: the classifier's logits travel with its probabilities, unchanged
by how the inputs are split into batches."""

from __future__ import annotations

import numpy as np
import torch

from models.inference.predict import predict_classifier, predict_probabilities
from models.nets.classifier import LesionEvidenceClassifier

CPU = torch.device("cpu")


def test_classifier_logits_and_probabilities_match_one_forward_pass() -> None:
    model = LesionEvidenceClassifier(pretrained=False).eval()
    rng = np.random.default_rng(0)
    inputs = [rng.random((2, 128, 96), dtype=np.float32) for _ in range(5)]
    found = predict_classifier(model, inputs, CPU, batch_size=2)  # batches of 2, 2 and 1
    with torch.no_grad():
        whole = model(torch.stack([torch.from_numpy(x) for x in inputs]))
    np.testing.assert_allclose(found.probabilities, whole.probabilities.numpy(), atol=1e-6)
    np.testing.assert_allclose(found.abnormal_logit, whole.abnormal_logit.numpy(), atol=1e-5)
    np.testing.assert_allclose(found.malignant_logit, whole.malignant_logit.numpy(), atol=1e-5)
    np.testing.assert_array_equal(
        predict_probabilities(model, inputs, CPU, batch_size=2), found.probabilities
    )


def test_no_inputs_no_predictions() -> None:
    found = predict_classifier(LesionEvidenceClassifier(pretrained=False), [], CPU)
    assert found.probabilities.shape == (0, 3)
    assert found.abnormal_logit.shape == found.malignant_logit.shape == (0,)
