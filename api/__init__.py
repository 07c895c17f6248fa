"""The versioned FastAPI gateway: the public HTTP API of mammocad.

It validates and ingests uploads, maps every domain error to RFC 9457 problem+json in one place,
and (from the serving issue on) forwards model work to the BentoML task services over HTTP. It
never imports torch.
"""
