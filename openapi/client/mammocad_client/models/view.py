from enum import StrEnum


class View(StrEnum):
    CC = "CC"
    MLO = "MLO"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return str(self.value)
