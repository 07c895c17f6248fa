from enum import StrEnum


class AnalyseV1StudiesStudyInstanceUidAnalysePostReport(StrEnum):
    DICOM_MAMMO_CAD_SR = "dicom-mammo-cad-sr"
    DICOM_SR = "dicom-sr"

    def __str__(self) -> str:
        return str(self.value)
