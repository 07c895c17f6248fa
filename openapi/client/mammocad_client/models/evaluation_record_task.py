from enum import StrEnum


class EvaluationRecordTask(StrEnum):
    CLASSIFY = "classify"
    DETECT = "detect"

    def __str__(self) -> str:
        return str(self.value)
