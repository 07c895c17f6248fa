# The mammocad gateway image. Build from the repository root:
#   docker build -f docker/gateway.Dockerfile -t mammocad-gateway .
# Not built in CI: the project's CI machines have no Docker engine. The image installs exactly
# the pinned set from pyproject.toml, like `make run` does.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MAMMOCAD_HOME=/var/lib/mammocad
WORKDIR /opt/mammocad

COPY pyproject.toml README.md ./
COPY mammocad ./mammocad
COPY api ./api
COPY models ./models
COPY registry ./registry
COPY cli ./cli
COPY openapi ./openapi
RUN pip install --no-cache-dir . \
    && useradd --system --home-dir /var/lib/mammocad --create-home mammocad

USER mammocad
EXPOSE 8000
CMD ["mammocad", "serve", "--host", "0.0.0.0", "--port", "8000"]
