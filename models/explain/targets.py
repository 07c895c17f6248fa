"""What an explanation explains: one scalar output of one image, chosen by the caller.

Classifier: the score of a class (default the most probable class). As Grad-CAM's authors
explain the class score before the softmax, this explains the image-level scores before the
sigmoids: the classifier's probabilities are products of sigmoids of the abnormal score A and the
malignant-given-abnormal score M, and a product of saturated sigmoids has gradients near zero or
of the wrong sign (Grad-CAM of p(benign) was blank on nearly every benign synthetic image of the
demo classifier, docs/results.md: once A is saturated only "less malignant-looking" still raises
p(benign)). The class scores are therefore

- normal: ``-A`` (evidence against any finding),
- benign: ``A`` (the finding; what makes it benign rather than malignant is an absence of
  malignant-looking evidence, which no map of positive evidence can show),
- malignant: ``A + M`` (a finding, and malignant-looking).

Detector: the score (probability) of one decoded detection (default the best one), read at the
cell that centres its box, which is where the box's score comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from mammocad.errors import InvalidInputError
from models.inference.decode import GridDetections
from models.nets.classifier import CLASSES, ClassifierOutput

__all__ = ["ExplainedOutput", "class_target", "detection_target"]


@dataclass(frozen=True)
class ExplainedOutput:
    """The chosen output: how to read it from a network output, and how to name it.

    Attributes:
        read: network output -> ``(B,)`` tensor of the explained quantity.
        description: e.g. ``p(malignant)`` or ``score of detection 0``.
        class_name: the explained class (classifier), else None.
        detection_index: the explained detection's index, best first (detector), else None.
    """

    read: Callable[[Any], torch.Tensor]
    description: str
    class_name: str | None = None
    detection_index: int | None = None


_CLASS_SCORES: dict[str, tuple[Callable[[ClassifierOutput], torch.Tensor], str]] = {
    "normal": (lambda o: -o.abnormal_logit, "-A: minus the abnormal score"),
    "benign": (lambda o: o.abnormal_logit, "A: the abnormal score"),
    "malignant": (
        lambda o: o.abnormal_logit + o.malignant_logit,
        "A + M: the abnormal plus the malignant-given-abnormal score",
    ),
}


def class_target(probabilities: np.ndarray, requested: str | None) -> ExplainedOutput:
    """The score of ``requested`` (default: the class with the largest probability in
    ``probabilities``, the ``(3,)`` normal/benign/malignant answer for the image).

    Raises:
        InvalidInputError: not one of the classes.
    """
    if requested is None:
        name = CLASSES[int(np.argmax(probabilities))]
    elif requested in CLASSES:
        name = requested
    else:
        raise InvalidInputError(
            f"target {requested!r} is not a class of the classifier: one of {', '.join(CLASSES)}",
            code="unknown-explanation-target",
        )
    read, description = _CLASS_SCORES[name]
    return ExplainedOutput(read=read, description=description, class_name=name)


def detection_target(found: GridDetections, requested: int | None, stride: int) -> ExplainedOutput:
    """The score of detection ``requested`` (default 0, the best).

    Raises:
        InvalidInputError: the image has no such detection.
    """
    index = 0 if requested is None else requested
    best_first = np.argsort(-found.scores, kind="stable")  # the order the services answer
    if not 0 <= index < len(best_first):
        raise InvalidInputError(
            f"detection {index} does not exist: the detector found {len(found.scores)} "
            "candidate(s) in this image (indices are best first, as /v1/detect lists them)",
            code="unknown-explanation-target",
        )
    x0, y0, x1, y1 = found.boxes[best_first[index]]
    row = int((y0 + y1) / 2 // stride)
    column = int((x0 + x1) / 2 // stride)

    def read(output: Any) -> torch.Tensor:
        return torch.sigmoid(output.heat[:, 0, row, column])

    return ExplainedOutput(
        read=read, description=f"score of detection {index}", detection_index=index
    )
