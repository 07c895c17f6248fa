# One BentoML task service per image: the stage names the task. Build from the repository root:
#   docker build -f docker/service.Dockerfile --target classify -t mammocad-classify:0.1.0 .
#   docker build -f docker/service.Dockerfile --target detect -t mammocad-detect:0.1.0 .
# Not built in CI (no Docker engine there); tests/deploy/ lints it and checks that each stage
# copies every first-party package its command imports. Each stage runs what
# serving/processes.py's start_service runs for its task (SERVICES[task]). The two stages share
# every layer but the last; torch comes from the CPU wheel index, as on the project's machines.
# cli/ is not imported by the services: it is here so that operator commands
# (`mammocad registry keys create ...`) can run in a task-service container.
FROM python:3.11-slim AS service

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# BENTOML_HOME: this container's own model store is its models/ folder, where versions fetched
# from the shared model store (MAMMOCAD_MODEL_STORE_URL, a volume at /srv/model-store in
# docker/compose.yaml and docker/k8s/) are kept; docker/README.md says why it is not shared.
# MALLOC_*: glibc keeps the forward passes' activation memory for the next batch
# (serving.processes.SERVICE_ALLOCATOR_ENV says why and what it measured).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MAMMOCAD_HOME=/var/lib/mammocad BENTOML_HOME=/var/lib/mammocad/bentoml \
    BENTOML_DO_NOT_TRACK=True \
    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296
WORKDIR /opt/mammocad

COPY pyproject.toml constraints.txt README.md ./
COPY mammocad ./mammocad
COPY models ./models
COPY registry ./registry
COPY serving ./serving
COPY cli ./cli
RUN pip install --no-cache-dir --extra-index-url "${TORCH_INDEX_URL}" -c constraints.txt torch \
    && pip install --no-cache-dir -c constraints.txt . \
    && groupadd --system --gid 10001 mammocad \
    && useradd --system --no-log-init --uid 10001 --gid 10001 \
        --home-dir /var/lib/mammocad --create-home mammocad \
    && install -d -o 10001 -g 10001 /var/lib/mammocad/bentoml /var/lib/mammocad/bentoml/models \
        /srv/model-store

USER 10001:10001
EXPOSE 3000

FROM service AS classify
CMD ["python", "-m", "bentoml", "serve", "serving.classify:ClassifyService", "--host", "0.0.0.0", "--port", "3000"]

FROM service AS detect
CMD ["python", "-m", "bentoml", "serve", "serving.detect:DetectService", "--host", "0.0.0.0", "--port", "3000"]
