# The embedded default in one container: what `make run` starts (demo models trained on first
# start, the SQLite registry, both BentoML task services and the gateway). Build from the
# repository root:
#   docker build -f docker/stack.Dockerfile -t mammocad-stack .
# Not built in CI: the project's CI machines have no Docker engine. The image installs exactly
# the pinned set (pyproject.toml + constraints.txt), as `make run` does; the first start trains
# the demo models into the MAMMOCAD_HOME volume (about 12 minutes on 2 cores).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MAMMOCAD_HOME=/var/lib/mammocad
WORKDIR /opt/mammocad

COPY pyproject.toml constraints.txt README.md ./
COPY mammocad ./mammocad
COPY api ./api
COPY models ./models
COPY registry ./registry
COPY serving ./serving
COPY cli ./cli
COPY openapi ./openapi
RUN pip install --no-cache-dir -c constraints.txt . \
    && groupadd --system --gid 10001 mammocad \
    && useradd --system --no-log-init --uid 10001 --gid 10001 \
        --home-dir /var/lib/mammocad --create-home mammocad

USER 10001:10001
VOLUME /var/lib/mammocad
EXPOSE 8000
CMD ["mammocad", "serve", "--host", "0.0.0.0", "--port", "8000"]
