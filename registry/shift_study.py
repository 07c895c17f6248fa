"""An OOD evaluation (``mammocad ood-eval``'s report) added to a version's OOD detector record.

The detector record a version is registered with measures it on two quick sets made at training
time; ``ood-eval`` measures the same fitted detector on the full far and near sets (pydicom's
CT/MR/NM slices, photographs, the MG test pattern, every unseen vendor, real films). Attaching the
report adds one :class:`~mammocad.schemas.trust.ShiftEvaluation` per set, named ``ood-eval
<distance>: <set>``, so the model card shows them. A report of other weights or another fitted
detector than the version's is refused, since its figures would describe another model.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from mammocad.errors import InvalidInputError
from mammocad.schemas.artifact import WEIGHTS_FILE
from mammocad.schemas.trust import OodDetectorRecord, OodEvaluation, ShiftEvaluation
from registry.entities import ModelVersion

__all__ = ["PREFIX", "with_ood_evaluation"]

PREFIX = "ood-eval "
"""How the attached evaluations' set names start (a newer report replaces them all)."""


def with_ood_evaluation(version: ModelVersion, report: dict[str, Any]) -> OodDetectorRecord:
    """The version's OOD record with the report's sets in place of any earlier report's.

    Raises:
        InvalidInputError: not an ``ood-eval`` report; the version has no OOD detector; or the
            report measured other weights or another detector than the version's.
    """
    try:
        parsed = OodEvaluation.model_validate(report)
    except ValidationError as error:
        problem = error.errors()[0]
        raise InvalidInputError(
            f"not a report of mammocad ood-eval: {problem['loc']}: {problem['msg']}",
            code="invalid-ood-report",
        ) from error
    record = version.ood_detector
    label = f"{version.model_name} v{version.version}"
    if record is None:
        raise InvalidInputError(f"{label} has no OOD detector to add the evaluation to")
    if parsed.task != version.task:
        raise InvalidInputError(f"a {parsed.task} report cannot evaluate {label} ({version.task})")
    if parsed.weights_sha256 != version.files.get(WEIGHTS_FILE):
        raise InvalidInputError(
            f"the report measured weights {parsed.weights_sha256}, not {label}'s "
            f"{version.files.get(WEIGHTS_FILE)}",
            code="invalid-ood-report",
        )
    if parsed.detector_parameters_sha256 != record.parameters_sha256:
        raise InvalidInputError(
            f"the report measured OOD detector parameters {parsed.detector_parameters_sha256}, "
            f"not {label}'s {record.parameters_sha256}",
            code="invalid-ood-report",
        )
    kept = [e for e in record.shift_evaluations if not e.shift_set.startswith(PREFIX)]
    added = [
        ShiftEvaluation(
            shift_set=f"{PREFIX}{s.distance}: {s.name} (vs {parsed.in_distribution})",
            auroc=s.served_auroc,
            n_in_distribution=parsed.n_in_distribution,
            n_shifted=s.n,
        )
        for s in parsed.sets
        if s.n > 0
    ]
    return record.model_copy(update={"shift_evaluations": kept + added})
