"""Inference: a trained model folder loaded (:mod:`~models.inference.loaded`), its batched
forward passes as numpy arrays (:mod:`~models.inference.predict`) and the decoding of detector
outputs into boxes (:mod:`~models.inference.decode`). The task services, the evaluations and the
benchmarks all go through these functions.
"""
