from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.version_public_task import VersionPublicTask

if TYPE_CHECKING:
    from ..models.authored_card import AuthoredCard
    from ..models.calibration_record import CalibrationRecord
    from ..models.evaluation_record import EvaluationRecord
    from ..models.ood_detector_record import OodDetectorRecord
    from ..models.training_public import TrainingPublic
    from ..models.version_public_files import VersionPublicFiles


T = TypeVar("T", bound="VersionPublic")


@_attrs_define
class VersionPublic:
    """One registered version.

    Attributes:
        aliases (list[str]):
        artifact_sha256 (str): sha256 over every file's path and sha256
        artifact_tag (str): BentoML model store tag
        calibration (CalibrationRecord | None):
        card (AuthoredCard): The sections people write; a card is complete when none of the required ones is empty.
        card_complete (bool):
        created_at (datetime.datetime):
        created_by (str):
        evaluations (list[EvaluationRecord]):
        files (VersionPublicFiles): sha256 of every artifact file
        model_name (str):
        ood_detector (None | OodDetectorRecord):
        task (VersionPublicTask):
        training (TrainingPublic): How a version was trained.
        version (int):
    """

    aliases: list[str]
    artifact_sha256: str
    artifact_tag: str
    calibration: CalibrationRecord | None
    card: AuthoredCard
    card_complete: bool
    created_at: datetime.datetime
    created_by: str
    evaluations: list[EvaluationRecord]
    files: VersionPublicFiles
    model_name: str
    ood_detector: None | OodDetectorRecord
    task: VersionPublicTask
    training: TrainingPublic
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.calibration_record import CalibrationRecord  # noqa: PLC0415
        from ..models.ood_detector_record import OodDetectorRecord  # noqa: PLC0415

        aliases = self.aliases

        artifact_sha256 = self.artifact_sha256

        artifact_tag = self.artifact_tag

        calibration: dict[str, Any] | None
        if isinstance(self.calibration, CalibrationRecord):
            calibration = self.calibration.to_dict()
        else:
            calibration = self.calibration

        card = self.card.to_dict()

        card_complete = self.card_complete

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        evaluations = []
        for evaluations_item_data in self.evaluations:
            evaluations_item = evaluations_item_data.to_dict()
            evaluations.append(evaluations_item)

        files = self.files.to_dict()

        model_name = self.model_name

        ood_detector: dict[str, Any] | None
        if isinstance(self.ood_detector, OodDetectorRecord):
            ood_detector = self.ood_detector.to_dict()
        else:
            ood_detector = self.ood_detector

        task = self.task.value

        training = self.training.to_dict()

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "aliases": aliases,
                "artifact_sha256": artifact_sha256,
                "artifact_tag": artifact_tag,
                "calibration": calibration,
                "card": card,
                "card_complete": card_complete,
                "created_at": created_at,
                "created_by": created_by,
                "evaluations": evaluations,
                "files": files,
                "model_name": model_name,
                "ood_detector": ood_detector,
                "task": task,
                "training": training,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.authored_card import AuthoredCard  # noqa: PLC0415
        from ..models.calibration_record import CalibrationRecord  # noqa: PLC0415
        from ..models.evaluation_record import EvaluationRecord  # noqa: PLC0415
        from ..models.ood_detector_record import OodDetectorRecord  # noqa: PLC0415
        from ..models.training_public import TrainingPublic  # noqa: PLC0415
        from ..models.version_public_files import VersionPublicFiles  # noqa: PLC0415

        d = dict(src_dict)
        aliases = cast(list[str], d.pop("aliases"))

        artifact_sha256 = d.pop("artifact_sha256")

        artifact_tag = d.pop("artifact_tag")

        def _parse_calibration(data: object) -> CalibrationRecord | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                calibration_type_0 = CalibrationRecord.from_dict(data)

                return calibration_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CalibrationRecord | None, data)

        calibration = _parse_calibration(d.pop("calibration"))

        card = AuthoredCard.from_dict(d.pop("card"))

        card_complete = d.pop("card_complete")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        evaluations = []
        _evaluations = d.pop("evaluations")
        for evaluations_item_data in _evaluations:
            evaluations_item = EvaluationRecord.from_dict(evaluations_item_data)

            evaluations.append(evaluations_item)

        files = VersionPublicFiles.from_dict(d.pop("files"))

        model_name = d.pop("model_name")

        def _parse_ood_detector(data: object) -> None | OodDetectorRecord:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                ood_detector_type_0 = OodDetectorRecord.from_dict(data)

                return ood_detector_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OodDetectorRecord, data)

        ood_detector = _parse_ood_detector(d.pop("ood_detector"))

        task = VersionPublicTask(d.pop("task"))

        training = TrainingPublic.from_dict(d.pop("training"))

        version = d.pop("version")

        version_public = cls(
            aliases=aliases,
            artifact_sha256=artifact_sha256,
            artifact_tag=artifact_tag,
            calibration=calibration,
            card=card,
            card_complete=card_complete,
            created_at=created_at,
            created_by=created_by,
            evaluations=evaluations,
            files=files,
            model_name=model_name,
            ood_detector=ood_detector,
            task=task,
            training=training,
            version=version,
        )

        version_public.additional_properties = d
        return version_public

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
