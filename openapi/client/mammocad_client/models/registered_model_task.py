from enum import StrEnum


class RegisteredModelTask(StrEnum):
    CLASSIFY = "classify"
    DETECT = "detect"

    def __str__(self) -> str:
        return str(self.value)
