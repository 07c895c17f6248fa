from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.data_ref import DataRef
    from ..models.ood_detector_record_reference_stats import OodDetectorRecordReferenceStats
    from ..models.shift_evaluation import ShiftEvaluation


T = TypeVar("T", bound="OodDetectorRecord")


@_attrs_define
class OodDetectorRecord:
    """A fitted out-of-distribution detector of one version: when to distrust an answer.

    Attributes:
        kind (str): e.g. 'mahalanobis', 'energy', 'knn'
        parameters_ref (str): where the fitted parameters are kept
        parameters_sha256 (str):
        reference (DataRef): A data set by name and content fingerprint (``mammocad data show SPEC --fingerprint``).
        reference_stats (OodDetectorRecordReferenceStats): e.g. score mean, std, n
        shift_evaluations (list[ShiftEvaluation]):
        threshold (float):
        threshold_rule (str): how it was chosen, e.g. '95% of in-distribution inputs pass'
        feature (str | Unset): which model output it reads Default: 'features'.
    """

    kind: str
    parameters_ref: str
    parameters_sha256: str
    reference: DataRef
    reference_stats: OodDetectorRecordReferenceStats
    shift_evaluations: list[ShiftEvaluation]
    threshold: float
    threshold_rule: str
    feature: str | Unset = "features"

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        parameters_ref = self.parameters_ref

        parameters_sha256 = self.parameters_sha256

        reference = self.reference.to_dict()

        reference_stats = self.reference_stats.to_dict()

        shift_evaluations = []
        for shift_evaluations_item_data in self.shift_evaluations:
            shift_evaluations_item = shift_evaluations_item_data.to_dict()
            shift_evaluations.append(shift_evaluations_item)

        threshold = self.threshold

        threshold_rule = self.threshold_rule

        feature = self.feature

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "parameters_ref": parameters_ref,
                "parameters_sha256": parameters_sha256,
                "reference": reference,
                "reference_stats": reference_stats,
                "shift_evaluations": shift_evaluations,
                "threshold": threshold,
                "threshold_rule": threshold_rule,
            }
        )
        if feature is not UNSET:
            field_dict["feature"] = feature

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_ref import DataRef  # noqa: PLC0415
        from ..models.ood_detector_record_reference_stats import OodDetectorRecordReferenceStats  # noqa: PLC0415
        from ..models.shift_evaluation import ShiftEvaluation  # noqa: PLC0415

        d = dict(src_dict)
        kind = d.pop("kind")

        parameters_ref = d.pop("parameters_ref")

        parameters_sha256 = d.pop("parameters_sha256")

        reference = DataRef.from_dict(d.pop("reference"))

        reference_stats = OodDetectorRecordReferenceStats.from_dict(d.pop("reference_stats"))

        shift_evaluations = []
        _shift_evaluations = d.pop("shift_evaluations")
        for shift_evaluations_item_data in _shift_evaluations:
            shift_evaluations_item = ShiftEvaluation.from_dict(shift_evaluations_item_data)

            shift_evaluations.append(shift_evaluations_item)

        threshold = d.pop("threshold")

        threshold_rule = d.pop("threshold_rule")

        feature = d.pop("feature", UNSET)

        ood_detector_record = cls(
            kind=kind,
            parameters_ref=parameters_ref,
            parameters_sha256=parameters_sha256,
            reference=reference,
            reference_stats=reference_stats,
            shift_evaluations=shift_evaluations,
            threshold=threshold,
            threshold_rule=threshold_rule,
            feature=feature,
        )

        return ood_detector_record
