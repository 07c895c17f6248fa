"""The one home of every record that crosses a package boundary (torch-free).

- :mod:`~mammocad.schemas.artifact`: a trained model folder's file names and its
  ``metadata.json`` (:class:`TrainingMetadata`, with the typed operating point);
- :mod:`~mammocad.schemas.evaluation`: evaluation reports (``mammocad evaluate``);
- :mod:`~mammocad.schemas.trust`: calibration and OOD detector records, the OOD evaluation;
- :mod:`~mammocad.schemas.inference_contract`: what the gateway and the task services send.

``models`` writes them, ``registry`` stores them, ``api`` and ``serving`` read them; none of
those packages keeps a copy of its own.
"""
