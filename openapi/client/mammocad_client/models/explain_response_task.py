from enum import StrEnum


class ExplainResponseTask(StrEnum):
    CLASSIFY = "classify"
    DETECT = "detect"

    def __str__(self) -> str:
        return str(self.value)
