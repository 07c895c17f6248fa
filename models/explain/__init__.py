"""Why a model decided: Grad-CAM (captum) and SHAP expected gradients (shap), on the model grid.

Both methods explain one scalar output of one image: the probability of a class for the
classifier, the score of one box for the detector (:mod:`models.explain.targets`). Each gives a
map on the networks' stride-8 cell grid; the gateway maps it to the original image
(:mod:`mammocad.heatmaps`) and :mod:`models.evaluation.explanation` measures how often it points
at the lesion.
"""

from models.explain.background import choose_background, load_background
from models.explain.explainer import Explanation, ModelExplainer, ShapSettings

__all__ = [
    "Explanation",
    "ModelExplainer",
    "ShapSettings",
    "choose_background",
    "load_background",
]
