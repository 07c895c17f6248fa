"""The BentoML task services (classification, detection) the gateway sends ingested images to.

One service per task (:mod:`serving.classify`, :mod:`serving.detect`), each loading the exact
registered versions its requests name out of the registry's BentoML model store
(:mod:`serving.resident`) and batching concurrent requests (:mod:`serving.engine`); the wire
format is :mod:`mammocad.schemas.inference_contract`. :mod:`serving.processes` starts and stops
them as real processes. Dependencies: ``serving`` -> (``models``, ``registry``) -> ``mammocad``;
nothing below imports ``serving``.
"""
