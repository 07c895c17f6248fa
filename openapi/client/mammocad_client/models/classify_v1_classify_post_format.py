from enum import StrEnum


class ClassifyV1ClassifyPostFormat(StrEnum):
    DICOM_MAMMO_CAD_SR = "dicom-mammo-cad-sr"
    DICOM_SR = "dicom-sr"
    JSON = "json"

    def __str__(self) -> str:
        return str(self.value)
