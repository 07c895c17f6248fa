"""How well a model does: metrics, reports, the evaluation of a trained model, cross-validation.

Metric modules are pure functions from numpy arrays to the report schemas of
:mod:`mammocad.schemas.evaluation`: ``classification`` (AUC with CIs, operating points,
confusion), ``detection`` (box matching, FROC), ``explanation`` (pointing game, randomisation
check). ``report`` renders tables, ``plots`` draws ROC/FROC curves (matplotlib, imported only
there). ``evaluate`` runs a trained model over a labelled data set; ``crossval`` trains and tests
one model per patient-level fold.
"""
