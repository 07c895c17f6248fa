# The gateway alone, for deployments where it runs apart from the task services
# (docker/compose.yaml, docker/k8s/). Build from the repository root:
#   docker build -f docker/gateway.Dockerfile -t mammocad-gateway:0.1.0 .
# Not built in CI (no Docker engine there); tests/deploy/ lints it and checks that it copies every
# first-party package its command imports. It runs what serving/processes.py's start_gateway runs.
# The gateway never imports torch, but the package has one dependency list, so the pinned set
# (pyproject.toml + constraints.txt) installs it: from the CPU wheel index, as on the project's
# machines, not the CUDA build a plain index gives on x86_64.
FROM python:3.11-slim

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# BENTOML_HOME: this container's own model store is its models/ folder; the versions it
# registers also go to the shared model store the task services fetch them from
# (MAMMOCAD_MODEL_STORE_URL, a volume at /srv/model-store in docker/compose.yaml and docker/k8s/;
# docker/README.md says why); MAMMOCAD_HOST: the interface uvicorn binds below, so the settings
# know it.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MAMMOCAD_HOME=/var/lib/mammocad BENTOML_HOME=/var/lib/mammocad/bentoml \
    BENTOML_DO_NOT_TRACK=True MAMMOCAD_HOST=0.0.0.0
WORKDIR /opt/mammocad

COPY pyproject.toml constraints.txt README.md ./
COPY mammocad ./mammocad
COPY api ./api
COPY registry ./registry
RUN pip install --no-cache-dir --extra-index-url "${TORCH_INDEX_URL}" -c constraints.txt torch \
    && pip install --no-cache-dir -c constraints.txt . \
    && groupadd --system --gid 10001 mammocad \
    && useradd --system --no-log-init --uid 10001 --gid 10001 \
        --home-dir /var/lib/mammocad --create-home mammocad \
    && install -d -o 10001 -g 10001 /var/lib/mammocad/bentoml /var/lib/mammocad/bentoml/models \
        /srv/model-store

USER 10001:10001
EXPOSE 8000
CMD ["python", "-m", "uvicorn", "--factory", "api.main:create_app", "--host", "0.0.0.0", "--port", "8000"]
