from enum import StrEnum


class VersionPublicTask(StrEnum):
    CLASSIFY = "classify"
    DETECT = "detect"

    def __str__(self) -> str:
        return str(self.value)
