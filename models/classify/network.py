"""Lesion-evidence classifier: dense evidence maps supervised by lesion locations, read into
image-level probabilities.

A whole-image classifier fine-tuned on ~200 mammograms stays near chance (measured on
mini-MIAS: AUC 0.44-0.67) and looks at film labels, because the lesion is a few hundred pixels of
a megapixel image. Here the network is told where the lesions are: every stride-8 cell predicts
"abnormal tissue here" and "malignant tissue here", trained against the lesion outlines, and the
image-level answer is a robust maximum of those maps. The maps are also what a clinician can be
shown.

Probabilities are hierarchical, so they always sum to one and each AUC reads one quantity:
``p(abnormal) = sigmoid(A)``, ``p(malignant | abnormal) = sigmoid(M)``;
normal = 1 - p(abnormal), benign = p(abnormal)(1 - p(malignant | abnormal)),
malignant = p(abnormal) p(malignant | abnormal).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from models.neck import STRIDE, PyramidTrunk

__all__ = ["CLASSES", "ClassifierOutput", "LesionEvidenceClassifier", "top_k_mean"]

CLASSES = ("normal", "benign", "malignant")


@dataclass
class ClassifierOutput:
    """Everything one forward pass gives.

    Attributes:
        evidence: ``(B, 2, H/8, W/8)`` logits: channel 0 abnormal, channel 1 malignant.
        abnormal_logit, malignant_logit: ``(B,)`` image-level logits A and M.
        probabilities: ``(B, 3)`` normal, benign, malignant.
        features: ``(B, 320)`` penultimate features (OOD).
    """

    evidence: torch.Tensor
    abnormal_logit: torch.Tensor
    malignant_logit: torch.Tensor
    probabilities: torch.Tensor
    features: torch.Tensor


def top_k_mean(maps: torch.Tensor, k: int) -> torch.Tensor:
    """Mean of the ``k`` largest values of each map: a maximum that one noisy cell cannot set.

    Args:
        maps: ``(B, C, h, w)``. Returns ``(B, C)``.
    """
    flat = maps.flatten(2)
    return flat.topk(min(k, flat.shape[-1]), dim=-1).values.mean(dim=-1)


class LesionEvidenceClassifier(nn.Module):
    """Image -> evidence maps -> normal/benign/malignant probabilities."""

    stride = STRIDE

    def __init__(self, *, pretrained: bool = True, top_k: int = 4) -> None:
        super().__init__()
        self.body = PyramidTrunk(pretrained=pretrained)
        self.evidence_head = nn.Conv2d(self.body.channels, 2, kernel_size=1)
        # Small weights and a "no lesion" bias: lesions are rare, and large random logits on
        # pretrained features would start every cell firing.
        nn.init.normal_(self.evidence_head.weight, std=0.001)
        nn.init.constant_(self.evidence_head.bias, -4.0)
        # Learned affine read-out of the pooled evidence (scale, offset per channel).
        self.readout_scale = nn.Parameter(torch.ones(2))
        self.readout_bias = nn.Parameter(torch.zeros(2))
        self.top_k = top_k

    @property
    def gradcam_layer(self) -> nn.Module:
        """The last convolutional block (Grad-CAM's target)."""
        return self.body.last_conv

    def forward(self, image: torch.Tensor) -> ClassifierOutput:
        """Args: image ``(B, 1, H, W)`` in [0, 1], H and W multiples of 32."""
        fine, pooled = self.body(image)
        evidence = self.evidence_head(fine)
        logits = top_k_mean(evidence, self.top_k) * self.readout_scale + self.readout_bias
        abnormal, malignant = logits[:, 0], logits[:, 1]
        p_abnormal, p_malignant = torch.sigmoid(abnormal), torch.sigmoid(malignant)
        probabilities = torch.stack(
            [1 - p_abnormal, p_abnormal * (1 - p_malignant), p_abnormal * p_malignant], dim=1
        )
        return ClassifierOutput(evidence, abnormal, malignant, probabilities, pooled)
