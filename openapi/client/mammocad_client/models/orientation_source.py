from enum import StrEnum


class OrientationSource(StrEnum):
    DEFAULT = "default"
    IMAGE = "image"
    LATERALITY = "laterality"
    PATIENT_ORIENTATION = "patient_orientation"

    def __str__(self) -> str:
        return str(self.value)
