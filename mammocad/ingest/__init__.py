"""Image ingest: the single entry point for every pixel the service sees."""
