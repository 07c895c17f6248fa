from enum import StrEnum


class ExplanationMethodName(StrEnum):
    EVIDENCE = "evidence"
    GRADCAM = "gradcam"
    SHAP = "shap"

    def __str__(self) -> str:
        return str(self.value)
