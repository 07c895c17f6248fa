from enum import StrEnum


class DetectV1DetectPostFormat(StrEnum):
    DICOM_MAMMO_CAD_SR = "dicom-mammo-cad-sr"
    DICOM_SR = "dicom-sr"
    JSON = "json"

    def __str__(self) -> str:
        return str(self.value)
