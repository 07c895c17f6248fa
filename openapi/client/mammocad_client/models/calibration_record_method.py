from enum import StrEnum


class CalibrationRecordMethod(StrEnum):
    ISOTONIC = "isotonic"
    JOINT = "joint"
    NONE = "none"
    PLATT = "platt"
    TEMPERATURE = "temperature"

    def __str__(self) -> str:
        return str(self.value)
