from enum import StrEnum


class Laterality(StrEnum):
    L = "L"
    R = "R"
    U = "U"

    def __str__(self) -> str:
        return str(self.value)
