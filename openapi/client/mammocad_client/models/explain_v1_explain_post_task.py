from enum import StrEnum


class ExplainV1ExplainPostTask(StrEnum):
    CLASSIFY = "classify"
    DETECT = "detect"

    def __str__(self) -> str:
        return str(self.value)
