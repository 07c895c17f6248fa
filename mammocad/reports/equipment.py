"""Who made a derived object: the answering model versions as DICOM equipment and observers.

IHE AI Results asks every AI result to carry a Contributing Equipment Sequence naming the
algorithm as Processing Equipment, with a Device UID that identifies the exact model; an SR's
observation context names the same device as the observer (TID 1004). One model version is one
device here (:attr:`AlgorithmUsed.device_uid`), so a viewer or an audit can tell, from the object
alone, which registered version produced it.
"""

from __future__ import annotations

from collections.abc import Sequence

import highdicom
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from mammocad.reports.findings import AlgorithmUsed

__all__ = [
    "MANUFACTURER",
    "contributing_equipment",
    "device_observer",
    "without_site_identifiers",
]

MANUFACTURER = "mammocad"
_LO_MAX = 64
_ACQUISITION_EQUIPMENT = "109101"
# Where and on which unit the image was taken: PS3.15's de-identification profile lists them, and
# a report needs none of them (the source's Manufacturer and model stay, for traceability).
_SITE_IDENTIFIERS = (
    "InstitutionName",
    "InstitutionAddress",
    "InstitutionalDepartmentName",
    "InstitutionalDepartmentTypeCodeSequence",
    "StationName",
    "DeviceSerialNumber",
    "DeviceUID",
)


def contributing_equipment(
    algorithms: Sequence[AlgorithmUsed],
) -> list[highdicom.ContributingEquipment]:
    """One Contributing Equipment item per model version (purpose: Processing Equipment)."""
    items = []
    for algorithm in algorithms:
        item = highdicom.ContributingEquipment(
            manufacturer=MANUFACTURER,
            purpose_of_reference=codes.DCM.ProcessingEquipment,
            manufacturer_model_name=f"{algorithm.model_name} v{algorithm.version}"[:_LO_MAX],
            software_versions=algorithm.software_version[:_LO_MAX],
            contribution_description=(
                f"{algorithm.task} by registered model {algorithm.model_name} version "
                f"{algorithm.version} (artifact sha256 {algorithm.artifact_sha256[:16]}...)"
            ),
        )
        # Device UID (0018,1002) belongs to the Contributing Equipment Sequence's items (IHE AIR);
        # highdicom has no parameter for it.
        item.DeviceUID = algorithm.device_uid
        items.append(item)
    return items


def device_observer(algorithm: AlgorithmUsed) -> highdicom.sr.ObserverContext:
    """The model version as the SR's device observer (TID 1004)."""
    return highdicom.sr.ObserverContext(
        observer_type=codes.DCM.Device,
        observer_identifying_attributes=highdicom.sr.DeviceObserverIdentifyingAttributes(
            uid=algorithm.device_uid,
            name=algorithm.name,
            manufacturer_name=MANUFACTURER,
            model_name=f"{algorithm.model_name} v{algorithm.version}",
        ),
    )


def without_site_identifiers(document: Dataset) -> Dataset:
    """``document`` with the site and unit identifiers removed from the Acquisition Equipment
    item that highdicom copies from the source into the Contributing Equipment Sequence."""
    for item in document.get("ContributingEquipmentSequence", []):
        purposes = item.get("PurposeOfReferenceCodeSequence", [])
        if any(code.CodeValue == _ACQUISITION_EQUIPMENT for code in purposes):
            for keyword in _SITE_IDENTIFIERS:
                if keyword in item:
                    delattr(item, keyword)
    return document
