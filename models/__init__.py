"""Networks, training, evaluation and the BentoML service of each task (classify, detect).

Builds on ``mammocad`` (ingest, data sets); never imports ``api``.
"""
