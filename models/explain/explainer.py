"""One model's explanations: the prediction, the explained output, and its map.

Either method first runs the network on the image (the prediction the explanation is about, and
the default target: the most probable class, or the best detection), then explains that output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import captum
import numpy as np
import shap
import torch
from torch import nn

from mammocad.errors import InvalidInputError
from mammocad.schemas.inference_contract import ExplainMethod
from models.explain.expected_gradients import expected_gradients
from models.explain.gradcam import grad_cam
from models.explain.targets import ExplainedOutput, class_target, detection_target
from models.inference.decode import decode_detections
from models.nets.classifier import ClassifierNetwork, ClassifierOutput, LesionEvidenceClassifier
from models.nets.detector import DetectorOutput, MassDetector

__all__ = ["Explanation", "Method", "ModelExplainer", "ShapSettings"]

Method = ExplainMethod


_EVIDENCE_SOURCES = {
    "PatchEvidenceClassifier": "each cell's probability of a lesion (of a malignant lesion for "
    "the malignant class) in its 96 x 96 pixel window: the patch classifier's own map",
    "LesionEvidenceClassifier": "the evidence head's per-cell probability of abnormal (or "
    "malignant) tissue",
    "MassDetector": "the centre heatmap: each cell's probability that a mass is centred there",
}


def _grid(output: ClassifierOutput | DetectorOutput) -> tuple[int, int]:
    """The output cell grid an explanation map is on."""
    dense = output.heat if isinstance(output, DetectorOutput) else output.evidence
    return int(dense.shape[-2]), int(dense.shape[-1])


def evidence_map(
    output: ClassifierOutput | DetectorOutput, explained: ExplainedOutput
) -> np.ndarray:
    """The network's own dense evidence for the explained output, as probabilities per cell:
    malignant tissue for the malignant class, any lesion for the other classes (evidence of a
    finding; a normal answer is its absence), mass centres for a detection."""
    if isinstance(output, DetectorOutput):
        return torch.sigmoid(output.heat[0, 0]).cpu().numpy().astype(np.float32)
    malignant = explained.class_name == "malignant"
    if output.cells is not None:
        p = output.cells[0].softmax(dim=0)
        cells = p[2] if malignant else 1 - p[0]
    else:
        p_abnormal = torch.sigmoid(output.evidence[0, 0])
        cells = p_abnormal * torch.sigmoid(output.evidence[0, 1]) if malignant else p_abnormal
    return cells.detach().cpu().numpy().astype(np.float32)


@dataclass(frozen=True)
class ShapSettings:
    """How SHAP values are estimated (the defaults are what the service uses unless asked).

    Attributes:
        nsamples: expected-gradient samples for the image; the completeness gap reported with
            each answer shows what this number leaves.
        seed: sampling seed, fixed so an image's explanation is reproducible.
    """

    nsamples: int = 64
    seed: int = 0


@dataclass(frozen=True)
class Explanation:
    """An explanation of one image on the model grid.

    Attributes:
        cell_map: ``(h, w)`` float32 on the stride grid; positive = evidence for the explained
            output (Grad-CAM is non-negative, SHAP is signed).
        stride: model pixels per cell.
        method: ``gradcam``, ``shap`` or ``evidence``.
        explained: the explained output (its description, class or detection).
        value: the explained output's value for this image.
        output: the network's output for the image (the prediction being explained), detached.
        details: how the map was computed (library, layer, parameters, error), for the answer.
    """

    cell_map: np.ndarray
    stride: int
    method: Method
    explained: ExplainedOutput
    value: float
    output: ClassifierOutput | DetectorOutput
    details: dict[str, Any] = field(default_factory=dict)


class ModelExplainer:
    """Explains one trained network's answers.

    Args:
        network: a :class:`ClassifierNetwork` or :class:`MassDetector`, trained.
        device: where it runs.
        background: ``(N, channels, rows, columns)`` stored SHAP background inputs, or None
            (then only Grad-CAM is available).
    """

    def __init__(
        self, network: nn.Module, device: torch.device, background: np.ndarray | None
    ) -> None:
        if not isinstance(network, ClassifierNetwork | MassDetector):
            raise TypeError(f"cannot explain a {type(network).__name__}")
        self.network = network.eval()
        self.device = device
        self._background = background

    def explain(
        self,
        model_input: np.ndarray,
        method: Method,
        target: str | int | None = None,
        shap_settings: ShapSettings | None = None,
    ) -> Explanation:
        """Explain ``target`` for one ``(channels, rows, columns)`` model input.

        Args:
            target: a class name (classifier) or detection index (detector); None: the most
                probable class, or the best detection.

        Raises:
            InvalidInputError: a target of the wrong kind or out of range, or SHAP asked of a
                version stored without a background.
        """
        image = self._batch_of_one(model_input)
        with torch.no_grad():
            features = self.network.intermediate(image)
            output = self.network.from_intermediate(features)
        explained = self._target(output, target)
        return self._explain(image, features, output, method, explained, shap_settings)

    def explain_output(
        self,
        model_input: np.ndarray | torch.Tensor,
        method: Method,
        explained: ExplainedOutput,
        shap_settings: ShapSettings | None = None,
    ) -> Explanation:
        """Explain an output already chosen (the model-randomisation check explains a
        randomised copy's output at the trained model's target)."""
        image = self._batch_of_one(model_input)
        with torch.no_grad():
            features = self.network.intermediate(image)
            output = self.network.from_intermediate(features)
        return self._explain(image, features, output, method, explained, shap_settings)

    def _explain(
        self,
        image: torch.Tensor,
        features: dict[str, torch.Tensor],
        output: ClassifierOutput | DetectorOutput,
        method: Method,
        explained: ExplainedOutput,
        shap_settings: ShapSettings | None,
    ) -> Explanation:
        value = float(explained.read(output)[0])
        if method == "gradcam":
            cell_map = grad_cam(self.network, image, self.network.gradcam_layer, explained.read)
            details: dict[str, Any] = {
                "library": f"captum {captum.__version__} LayerGradCam",
                "layer": self._layer_name(),
                "relu": True,
            }
        elif method == "shap":
            settings = shap_settings or ShapSettings()
            result = expected_gradients(
                self.network,
                features,
                self._background_features,
                explained.read,
                grid=_grid(output),
                nsamples=settings.nsamples,
                seed=settings.seed,
            )
            cell_map = result.cell_map
            details = {
                "library": f"shap {shap.__version__} GradientExplainer (expected gradients)",
                "layer": "the trunk's features (strides 8/16/32"
                + (
                    ", speck pathway)"
                    if isinstance(self.network, LesionEvidenceClassifier)
                    else ")"
                ),
                "nsamples": settings.nsamples,
                "seed": settings.seed,
                "background_images": len(self._require_background()),
                "expected_value": result.expected_output,
                "completeness_gap": result.completeness_gap,
            }
        elif method == "evidence":
            cell_map = evidence_map(output, explained)
            details = {"source": _EVIDENCE_SOURCES[type(self.network).__name__]}
        else:
            raise InvalidInputError(
                f"unknown explanation method {method!r}", code="unknown-explanation-method"
            )
        return Explanation(
            cell_map=cell_map,
            stride=self.network.stride,
            method=method,
            explained=explained,
            value=value,
            output=output,
            details=details,
        )

    def _target(
        self, output: ClassifierOutput | DetectorOutput, target: str | int | None
    ) -> ExplainedOutput:
        if isinstance(output, ClassifierOutput):
            if isinstance(target, int):
                raise InvalidInputError(
                    "the classifier's targets are class names, not detection indices",
                    code="unknown-explanation-target",
                )
            return class_target(output.probabilities[0].cpu().numpy(), target)
        if isinstance(target, str):
            raise InvalidInputError(
                "the detector's targets are detection indices, not class names",
                code="unknown-explanation-target",
            )
        found = decode_detections(output, stride=self.network.stride)[0]
        return detection_target(found, target, self.network.stride)

    def _batch_of_one(self, model_input: np.ndarray | torch.Tensor) -> torch.Tensor:
        if isinstance(model_input, torch.Tensor):
            return model_input
        image = torch.from_numpy(np.ascontiguousarray(model_input, dtype=np.float32))
        return image.unsqueeze(0).to(self.device)

    def _layer_name(self) -> str:
        layer = self.network.gradcam_layer
        return next(name for name, module in self.network.named_modules() if module is layer)

    def _require_background(self) -> np.ndarray:
        if self._background is None:
            raise InvalidInputError(
                "this model version was stored without a SHAP background (trained before "
                "backgrounds were stored): use method=gradcam, or register a retrained version",
                code="no-shap-background",
            )
        return self._background

    @cached_property
    def _background_features(self) -> dict[str, torch.Tensor]:
        """The background's intermediate features, computed once per loaded version."""
        background = torch.from_numpy(self._require_background()).to(self.device)
        with torch.no_grad():
            return self.network.intermediate(background)
