from enum import StrEnum


class ExplainV1ExplainPostMethod(StrEnum):
    EVIDENCE = "evidence"
    GRADCAM = "gradcam"
    SHAP = "shap"

    def __str__(self) -> str:
        return str(self.value)
