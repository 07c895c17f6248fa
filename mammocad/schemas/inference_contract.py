"""What the gateway and the task services say to each other over HTTP.

The gateway ingests every upload once (it owns validation and the map back to original pixels)
and sends the model input, exactly as ingest produced it, to the task's BentoML service, naming
the exact registered model version it resolved (aliases are resolved once, by the gateway, so an
alias move never changes the model in the middle of a request). The service answers on the model
grid; the gateway maps boxes back to the original image. Both sides import these schemas, so the
wire format has one definition. Torch-free: the gateway process never imports torch.

Routes (``serving/``), each request body a tensor frame (:mod:`mammocad.schemas.tensor_frame`,
``application/vnd.mammocad.tensors``: a JSON header, then the model inputs' raw float32 bytes):
``POST /tensors/classify`` with the header :class:`ClassifyRequest` answers a JSON list of
:class:`ClassifyOutcome`, one per item, in order; ``POST /tensors/detect`` likewise with
:class:`DetectRequest` and :class:`DetectOutcome`; both services answer
``POST /tensors/explain`` with the header :class:`ExplainRequest` by an :class:`ExplainOutcome`
(one image, never batched: an explanation is a backward pass of its own); BentoML's
``GET /readyz`` and ``GET /livez``.
A refused request is answered with a :class:`ServiceProblem` (``application/problem+json``):
404 unknown model or version, 422 input the named version cannot read (shape, channels,
non-finite values, a model of the other task), 500 an artifact whose sha256 no longer matches,
503 (with ``Retry-After``) a batching queue too long to answer in time. A 400 with a plain
``{"error": ...}`` body is a request that is not a frame of these schemas at all (only a gateway
bug sends one); any other failure is BentoML's own 500.
"""

from __future__ import annotations

import base64
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from mammocad.schemas.tensor_frame import TensorRef

__all__ = [
    "ClassifyItem",
    "ClassifyOutcome",
    "ClassifyRequest",
    "DetectItem",
    "DetectOutcome",
    "DetectRequest",
    "EncodedArray",
    "ExplainItem",
    "ExplainMethod",
    "ExplainOutcome",
    "ExplainRequest",
    "GridBox",
    "ModelRef",
    "ServiceProblem",
    "ShapOptions",
    "TensorRef",
]


_OOD_SCORE = (
    "the version's OOD detector score of the image's penultimate features (higher: less like "
    "the training images); null when the version has no OOD detector"
)


class EncodedArray(BaseModel):
    """A float32 array as base64 of its C-order bytes: exact (no JSON float lists, no rounding).
    Answers carry their (small) maps this way; requests carry model inputs as raw bytes."""

    model_config = ConfigDict(frozen=True)

    dtype: Literal["float32"] = "float32"
    shape: tuple[int, ...]
    data: str = Field(description="base64 of the C-order little-endian bytes")

    @classmethod
    def encode(cls, array: np.ndarray) -> EncodedArray:
        """Wrap ``array`` (converted to little-endian float32, C order)."""
        values = np.ascontiguousarray(array, dtype="<f4")
        return cls(shape=values.shape, data=base64.b64encode(values.tobytes()).decode("ascii"))

    def decode(self) -> np.ndarray:
        """The array back, writable, exactly as encoded.

        Raises:
            ValueError: the byte count does not match the shape.
        """
        raw = base64.b64decode(self.data, validate=True)
        expected = int(np.prod(self.shape, dtype=np.int64)) * 4
        if len(raw) != expected:
            raise ValueError(f"{len(raw)} bytes for shape {self.shape} (expected {expected})")
        return np.frombuffer(raw, dtype="<f4").reshape(self.shape).copy()


class ModelRef(BaseModel):
    """An exact registered model version (never an alias: the gateway resolved it)."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: int = Field(ge=1)


class ClassifyItem(BaseModel):
    """One image for the classification service."""

    model: ModelRef
    input: TensorRef = Field(description="(channels, rows, columns) as ingest produced it")


class ClassifyRequest(BaseModel):
    """The header of a classification request: its images, answered in order."""

    items: list[ClassifyItem]


class ClassifyOutcome(BaseModel):
    """The classifier's answer for one image."""

    probabilities: dict[str, float] = Field(description="normal, benign, malignant; sum 1")
    logits: dict[str, float] = Field(
        description="image-level logits: abnormal (A) and malignant given abnormal (M)"
    )
    ood_score: float | None = Field(default=None, description=_OOD_SCORE)


class DetectItem(BaseModel):
    """One image for the detection service."""

    model: ModelRef
    input: TensorRef = Field(description="(channels, rows, columns) as ingest produced it")


class DetectRequest(BaseModel):
    """The header of a detection request: its images, answered in order."""

    items: list[DetectItem]


class GridBox(BaseModel):
    """A detection on the MODEL grid (the gateway maps it to original pixels)."""

    box: tuple[float, float, float, float] = Field(description="x0, y0, x1, y1 on the model grid")
    score: float
    malignancy: float


class DetectOutcome(BaseModel):
    """Every decoded detection, best first; the gateway applies the operating threshold."""

    detections: list[GridBox]
    ood_score: float | None = Field(default=None, description=_OOD_SCORE)


class ServiceProblem(BaseModel):
    """Why a task service refused a request: RFC 9457 members, ``code`` being the stable
    :class:`~mammocad.errors.MammocadError` code (``version-not-found``, ``input-shape-mismatch``,
    ``tampered-artifact``...)."""

    type: str = Field(description="urn:mammocad:problem:<code>")
    title: str
    status: int
    detail: str = Field(description="what was wrong, for the integrator")
    code: str


ExplainMethod = Literal["gradcam", "shap", "evidence"]
"""gradcam: captum's LayerGradCam; shap: shap's GradientExplainer (expected gradients);
evidence: the network's own dense map of lesion evidence (the patch classifier's cell
probabilities, the evidence-map classifier's cells, the detector's centre heat)."""


class ShapOptions(BaseModel):
    """How SHAP values are estimated (ignored by Grad-CAM)."""

    model_config = ConfigDict(frozen=True)

    nsamples: int = Field(
        default=64,
        ge=8,
        le=512,
        description="expected-gradient samples: more lowers the completeness gap, slower",
    )
    seed: int = Field(default=0, ge=0, description="sampling seed: same image, same map")


class ExplainItem(BaseModel):
    """One image to explain with one method."""

    model: ModelRef
    input: TensorRef = Field(description="(channels, rows, columns) as ingest produced it")
    method: ExplainMethod
    target: str | int | None = Field(
        default=None,
        description="classify: a class name (default the most probable class); detect: a "
        "detection index, best first (default 0)",
    )
    shap: ShapOptions = ShapOptions()


class ExplainRequest(BaseModel):
    """The header of an explanation request: one image."""

    item: ExplainItem


class ExplainOutcome(BaseModel):
    """An explanation on the model grid, with the prediction it explains."""

    classification: ClassifyOutcome | None = Field(
        default=None, description="classify: the classifier's answer for the image"
    )
    detection: DetectOutcome | None = Field(
        default=None, description="detect: every decoded detection, best first"
    )
    cell_map: EncodedArray = Field(
        description="(rows / stride, columns / stride) map on the model grid; positive values "
        "are evidence for the explained output"
    )
    stride: int = Field(ge=1, description="model pixels per cell")
    method: ExplainMethod
    explained: str = Field(description="the explained output, in words")
    class_name: str | None = Field(default=None, description="classify: the explained class")
    detection_index: int | None = Field(
        default=None, description="detect: the explained detection's index, best first"
    )
    value: float = Field(description="the explained output's value for this image")
    details: dict[str, str | int | float | bool] = Field(
        description="how the map was computed: library, layer, parameters, error"
    )
    compute_ms: float = Field(description="the explanation's own compute time in the service")
