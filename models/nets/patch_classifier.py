"""Patch-evidence classifier: a patch classifier applied densely, whose heat is the image score.

Each stride-16 cell of the model grid is classified as background, benign lesion or malignant
lesion from the trunk's features pooled over a window centred on it (the c4 features of the
5 x 5 stride-16 cells around it, 80 pixels, and the c5 features of 3 x 3 stride-32 cells, 96
pixels, interpolated to the cell), so every cell's answer is what a patch classifier says of
that window (Shen et al. 2019); stride 16 rather than 32 so the map can point at lesions a few
millimetres across. The image-level abnormal score A is the
largest cell abnormality (log-odds of a lesion against background) over the breast, and the
malignancy M is read at the most malignant-looking cell; the map of cell abnormalities is itself
an explanation ("evidence", :mod:`models.explain`). Trained on lesion-centred and background
crops with per-cell targets (:mod:`models.training.crops`), on exactly the dense computation it
serves, so training and inference see the same numbers.

Input ``(B, 2, H, W)`` as the other classifier: the grey image and the speck map ingest makes at
the original resolution (:mod:`mammocad.ingest.detail`); the trunk reads them as the three
colour channels (grey, grey, speck), so calcification specks the resize would blur reach the
first convolution.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn
from torch.nn import functional

from models.nets.backbone import FEATURE_CHANNELS, EfficientNetLite0Features
from models.nets.classifier import ClassifierNetwork, ClassifierOutput
from models.nets.neck import channel_statistics

__all__ = ["MIN_COVERAGE", "PATCH_WINDOW", "PatchEvidenceClassifier", "breast_coverage"]

STRIDE = 16
PATCH_WINDOW = 96
"""The widest window a cell's answer reads (its c5 part): crops must hold it whole."""
MIN_COVERAGE = 0.3
"""Cells whose window holds less breast than this are not read (the breast's edge and the
blank background)."""


def breast_coverage(grey: torch.Tensor) -> torch.Tensor:
    """``(B, H/16, W/16)``: the share of breast pixels (ingest blanks everything else to 0) in
    each cell's 80 x 80 window."""
    mask = (grey[:, :1] > 0).to(grey.dtype)
    cells = functional.avg_pool2d(mask, STRIDE)
    return functional.avg_pool2d(cells, 5, stride=1, padding=2, count_include_pad=True)[:, 0]


class PatchEvidenceClassifier(ClassifierNetwork):
    """Image -> per-cell background/benign/malignant logits -> image probabilities."""

    stride = STRIDE

    def __init__(self, *, pretrained: bool = True, frozen_blocks: int = 3) -> None:
        super().__init__()
        self.trunk = EfficientNetLite0Features(pretrained=pretrained, frozen_blocks=frozen_blocks)
        self.head = nn.Conv2d(FEATURE_CHANNELS["c5"] + FEATURE_CHANNELS["c4"], 3, kernel_size=1)

    @property
    def gradcam_layer(self) -> nn.Module:
        """The trunk's last stride-16 block: the c4 features every cell's window pools (the
        finest map the answer reads, at the grid of the cells)."""
        return self.trunk.blocks[10]

    def intermediate(self, image: torch.Tensor) -> dict[str, torch.Tensor]:
        """The trunk's features (``c5``, ``c4``, ``c3``) of the (grey, grey, speck) image, and
        each cell's breast ``coverage``."""
        if image.shape[1] != 2:
            raise ValueError(
                f"the classifier reads 2 channels (image, speck map), got {image.shape[1]}: "
                "ingest with IngestOptions(detail_channel=True)"
            )
        grey = image[:, :1]
        features = self.trunk(torch.cat([grey, grey, image[:, 1:]], dim=1))
        return {
            "c5": features["c5"],
            "c4": features["c4"],
            "c3": features["c3"],
            "coverage": breast_coverage(grey),
        }

    def cell_logits(self, features: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """``(B, 3, H/16, W/16)`` background, benign, malignant logits of every cell's window."""
        c4 = functional.avg_pool2d(features["c4"], 5, stride=1, padding=2, count_include_pad=False)
        c5 = functional.avg_pool2d(features["c5"], 3, stride=1, padding=1, count_include_pad=False)
        c5 = functional.interpolate(c5, size=c4.shape[-2:], mode="bilinear", align_corners=False)
        return self.head(torch.cat([c5, c4], dim=1))

    def from_intermediate(self, features: Mapping[str, torch.Tensor]) -> ClassifierOutput:
        cells = self.cell_logits(features)
        abnormal = torch.logsumexp(cells[:, 1:], dim=1) - cells[:, 0]
        malignant = cells[:, 2] - cells[:, 1]
        valid = features["coverage"] >= MIN_COVERAGE
        valid = valid | ~valid.flatten(1).any(dim=1)[:, None, None]  # no breast: read them all
        floor = torch.finfo(abnormal.dtype).min
        a = abnormal.masked_fill(~valid, floor).flatten(1).max(dim=1).values
        p_malignant = cells.log_softmax(dim=1)[:, 2].masked_fill(~valid, floor).flatten(1)
        at = p_malignant.argmax(dim=1, keepdim=True)
        m = malignant.flatten(1).gather(1, at)[:, 0]
        p_a, p_m = torch.sigmoid(a), torch.sigmoid(m)
        return ClassifierOutput(
            evidence=torch.stack([abnormal, malignant], dim=1),
            abnormal_logit=a,
            malignant_logit=m,
            probabilities=torch.stack([1 - p_a, p_a * (1 - p_m), p_a * p_m], dim=1),
            features=features["c5"].mean(dim=(2, 3)),
            statistics=channel_statistics(features["c3"]),
            cells=cells,
        )
