from enum import StrEnum


class Label(StrEnum):
    BENIGN = "benign"
    MALIGNANT = "malignant"
    NORMAL = "normal"

    def __str__(self) -> str:
        return str(self.value)
