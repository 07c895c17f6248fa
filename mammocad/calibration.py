"""Logit scaling, applied: how calibrated probabilities are made from a model's logits.

Fitting happens once per model version (:mod:`models.trust.calibration`); applying happens on
every answer, in the torch-free gateway. Both use these functions, so the probabilities an
answer reports are computed exactly as they were when the calibration was measured.

Two methods, both a positive affine map of a logit ``z`` (so rankings and validated thresholds
carry through unchanged):

- ``temperature``: ``z / T`` (Guo et al., 2017); parameters ``temperature`` (detector) or
  ``abnormal_temperature`` / ``malignant_temperature`` (classifier);
- ``platt``: ``scale * z + bias`` (Platt, 1999): the bias also corrects a shifted base rate, which
  class-balanced training leaves behind; parameters ``scale``/``bias`` (detector) or
  ``abnormal_scale``/``abnormal_bias``/``malignant_scale``/``malignant_bias`` (classifier).

The classifier's probabilities are hierarchical (``p(abnormal) = sigmoid(A)``,
``p(malignant | abnormal) = sigmoid(M)``), so each logit gets its own map; a detector's box score
``s = sigmoid(z)`` gets one map on ``z``. A third method is the classifier's only:

- ``joint``: Platt on A, and ``p(malignant | abnormal) = sigmoid(m * M + a * A + am * A * M + b)``
  (parameters ``abnormal_scale``/``abnormal_bias``, ``malignant_from_m``/``malignant_from_a``/
  ``malignant_from_am``/``malignant_bias``): a logistic recalibration of the malignancy that also
  reads the abnormal evidence, for a malignancy head that ranks poorly on its own while the
  evidence strength says more (Guo et al.'s matrix scaling, in the hierarchical form). p(abnormal)
  still depends on A alone, through a monotonic map, so the validated threshold carries through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "IDENTITY",
    "LogitMap",
    "MalignancyMap",
    "UnusableCalibrationError",
    "classifier_maps",
    "classifier_probabilities",
    "detector_map",
    "scaled_scores",
    "sigmoid",
]

_EPS = 1e-7


class UnusableCalibrationError(ValueError):
    """A calibration record whose method or parameters these functions cannot apply."""


@dataclass(frozen=True)
class LogitMap:
    """``z -> scale * z + bias`` with ``scale > 0`` (monotonic: decisions keep their order)."""

    scale: float = 1.0
    bias: float = 0.0

    def __post_init__(self) -> None:
        if not (np.isfinite(self.scale) and np.isfinite(self.bias) and self.scale > 0):
            raise UnusableCalibrationError(
                f"a logit map needs a finite positive scale and a finite bias, got "
                f"scale={self.scale}, bias={self.bias}"
            )

    @classmethod
    def temperature(cls, temperature: float) -> LogitMap:
        """Temperature scaling ``z / T``."""
        if not temperature > 0:
            raise UnusableCalibrationError(f"a temperature must be positive, got {temperature}")
        return cls(scale=1.0 / temperature)

    def __call__(self, logits: ArrayLike) -> NDArray[np.float64]:
        return self.scale * np.asarray(logits, dtype=np.float64) + self.bias


IDENTITY = LogitMap()


@dataclass(frozen=True)
class MalignancyMap:
    """``(M, A) -> from_m * M + from_a * A + from_am * A * M + bias``: the calibrated malignancy
    logit (a :class:`LogitMap` on M alone is the case ``from_a = from_am = 0``)."""

    from_m: float = 1.0
    from_a: float = 0.0
    from_am: float = 0.0
    bias: float = 0.0

    def __post_init__(self) -> None:
        if not all(np.isfinite([self.from_m, self.from_a, self.from_am, self.bias])):
            raise UnusableCalibrationError(f"a malignancy map needs finite weights, got {self}")

    @classmethod
    def on_malignant_logit(cls, mapping: LogitMap) -> MalignancyMap:
        """The map that reads M alone through ``mapping``."""
        return cls(from_m=mapping.scale, bias=mapping.bias)

    def __call__(
        self, malignant_logit: ArrayLike, abnormal_logit: ArrayLike
    ) -> NDArray[np.float64]:
        m = np.asarray(malignant_logit, dtype=np.float64)
        a = np.asarray(abnormal_logit, dtype=np.float64)
        return self.from_m * m + self.from_a * a + self.from_am * a * m + self.bias


def sigmoid(x: ArrayLike) -> NDArray[np.float64]:
    """The logistic function, without overflow warnings for large logits."""
    values = np.asarray(x, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -values))


def classifier_probabilities(
    abnormal_logit: ArrayLike,
    malignant_logit: ArrayLike,
    abnormal: LogitMap = IDENTITY,
    malignant: MalignancyMap | None = None,
) -> NDArray[np.float64]:
    """``(N, 3)`` normal, benign, malignant from the image logits A and M through their maps
    (identities by default: the network's own probabilities)."""
    malignant = malignant or MalignancyMap()
    p_abnormal = sigmoid(abnormal(abnormal_logit))
    p_malignant = sigmoid(malignant(malignant_logit, abnormal_logit))
    return np.stack(
        [1 - p_abnormal, p_abnormal * (1 - p_malignant), p_abnormal * p_malignant], axis=-1
    )


def scaled_scores(scores: ArrayLike, mapping: LogitMap) -> NDArray[np.float64]:
    """Box scores (or a probability threshold) ``sigmoid(map(logit(s)))``: the same ranking,
    calibrated confidences."""
    s = np.clip(np.asarray(scores, dtype=np.float64), _EPS, 1 - _EPS)
    return sigmoid(mapping(np.log(s / (1 - s))))


def classifier_maps(method: str, parameters: Mapping[str, float]) -> tuple[LogitMap, MalignancyMap]:
    """The (abnormal, malignant) maps a classifier's calibration record describes.

    Raises:
        UnusableCalibrationError: another method, or its parameters missing or invalid.
    """
    if method != "joint":
        return _logit_map(method, parameters, "abnormal_"), MalignancyMap.on_malignant_logit(
            _logit_map(method, parameters, "malignant_")
        )
    weights = [f"malignant_{name}" for name in ("from_m", "from_a", "from_am", "bias")]
    missing = [name for name in weights if name not in parameters]
    if missing:
        raise UnusableCalibrationError(
            f"joint calibration without {', '.join(missing)} (has {sorted(parameters)})"
        )
    return _logit_map("platt", parameters, "abnormal_"), MalignancyMap(
        *(float(parameters[name]) for name in weights)
    )


def detector_map(method: str, parameters: Mapping[str, float]) -> LogitMap:
    """The box-score map a detector's calibration record describes.

    Raises:
        UnusableCalibrationError: another method, or its parameters missing or invalid.
    """
    return _logit_map(method, parameters, "")


def _logit_map(method: str, parameters: Mapping[str, float], prefix: str) -> LogitMap:
    needed = {"temperature": ("temperature",), "platt": ("scale", "bias")}.get(method)
    if needed is None:
        raise UnusableCalibrationError(f"calibration method {method!r} is not a logit scaling")
    names = [prefix + name for name in needed]
    missing = [name for name in names if name not in parameters]
    if missing:
        raise UnusableCalibrationError(
            f"{method} calibration without {', '.join(missing)} (has {sorted(parameters)})"
        )
    if method == "temperature":
        return LogitMap.temperature(parameters[names[0]])
    return LogitMap(scale=parameters[names[0]], bias=parameters[names[1]])
