"""When to trust an answer: calibration fitting and OOD detection.

:mod:`~models.trust.calibration` fits and measures the probability calibration
(:mod:`~models.trust.reliability`: ECE, Brier, reliability bins); :mod:`~models.trust.ood` holds
the OOD detectors, :mod:`~models.trust.shift_sets` the shifted inputs they are tested on and
:mod:`~models.trust.ood_evaluation` ``mammocad ood-eval``; :mod:`~models.trust.fit` fits both
after training. What is fitted is recorded in :mod:`mammocad.schemas.trust` and applied at
serving time by :mod:`mammocad.calibration` and the gateway.
"""
