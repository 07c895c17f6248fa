from enum import StrEnum


class StoredObjectKind(StrEnum):
    MAMMOGRAPHY_CAD_SR = "mammography-cad-sr"
    PARAMETRIC_MAP = "parametric-map"
    SR = "sr"

    def __str__(self) -> str:
        return str(self.value)
