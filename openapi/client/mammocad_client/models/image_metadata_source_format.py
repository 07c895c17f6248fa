from enum import StrEnum


class ImageMetadataSourceFormat(StrEnum):
    DICOM = "dicom"
    JPEG = "jpeg"
    PGM = "pgm"
    PNG = "png"

    def __str__(self) -> str:
        return str(self.value)
