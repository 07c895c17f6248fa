"""The versioned FastAPI gateway: the public HTTP API of mammocad.

It validates and ingests uploads (once, with the registered version's own ingest options),
resolves the model version in the registry, sends the model input to the task's BentoML service
over HTTP (:mod:`api.task_client`), and turns the service's answer into the public one:
calibrated probabilities, boxes in original pixels, the OOD assessment, the model version.
Every error becomes RFC 9457 problem+json (:mod:`api.problems`). It imports ``registry`` and
``mammocad`` only, never ``models`` or torch.
"""
