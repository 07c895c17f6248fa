"""Training: the two task specs, the shared loop, objectives, targets, augmentation and data.

:mod:`~models.training.tasks` says what differs between the tasks (network, targets, loss,
validation); :mod:`~models.training.loop` is the one training loop; :mod:`~models.training.run`
is ``mammocad train`` end to end (split, ingest, fit, then calibration, OOD detector and SHAP
background, all written into the model folder by :mod:`~models.training.artifacts`).
"""
