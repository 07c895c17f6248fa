from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OodAssessment")


@_attrs_define
class OodAssessment:
    """The version's out-of-distribution detector on this image.

    Attributes:
        detector (str):
        flagged (bool): the feature score is above its threshold, or the header differs from the training images'
            headers: do not trust this answer
        reasons (list[str]): why it was flagged, in words (e.g. "not a mammography modality: the DICOM Modality is
            'CT'", "manufacturer 'X' not seen in training"); empty when not
        score (float): the feature detector's score (higher: less like training)
        threshold (float): the version's threshold, chosen on validation data
    """

    detector: str
    flagged: bool
    reasons: list[str]
    score: float
    threshold: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detector = self.detector

        flagged = self.flagged

        reasons = self.reasons

        score = self.score

        threshold = self.threshold

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detector": detector,
                "flagged": flagged,
                "reasons": reasons,
                "score": score,
                "threshold": threshold,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        detector = d.pop("detector")

        flagged = d.pop("flagged")

        reasons = cast(list[str], d.pop("reasons"))

        score = d.pop("score")

        threshold = d.pop("threshold")

        ood_assessment = cls(
            detector=detector,
            flagged=flagged,
            reasons=reasons,
            score=score,
            threshold=threshold,
        )

        ood_assessment.additional_properties = d
        return ood_assessment

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
