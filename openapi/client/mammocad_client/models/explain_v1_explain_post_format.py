from enum import StrEnum


class ExplainV1ExplainPostFormat(StrEnum):
    DICOM = "dicom"
    DICOM_PM = "dicom-pm"
    JSON = "json"

    def __str__(self) -> str:
        return str(self.value)
