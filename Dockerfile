# stackskills MCP server in a container: stdio by default, the workspace mounted read-only.
#   docker build -t stackskills .
#   docker run -i --rm -v "$PWD:/workspace:ro" stackskills serve --workspace /workspace
# BASE is a slim official Python image pinned by version; point it at a mirror (or at a
# stand-in image, as scripts/docker_test_env.sh does) with --build-arg BASE=...
ARG BASE=python:3.12-slim

# Stage 1: build the stackskills wheel and the wheels of its dependencies.
FROM ${BASE} AS build
LABEL org.stackskills.stage=build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY stackskills ./stackskills
COPY detectors ./detectors
COPY skills ./skills
COPY server ./server
COPY review ./review
RUN /opt/build/bin/pip wheel --wheel-dir /wheels .

# Stage 2: only the wheels, installed offline into a venv; no sources, no build tools.
FROM ${BASE}
LABEL org.opencontainers.image.title=stackskills
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/stackskills/bin:$PATH
COPY --from=build /wheels /tmp/wheels
RUN python -m venv /opt/stackskills \
    && /opt/stackskills/bin/pip install --no-index --find-links /tmp/wheels stackskills \
    && rm -rf /tmp/wheels \
    && useradd --create-home --uid 10001 --user-group stackskills \
    && mkdir /workspace
USER stackskills
WORKDIR /workspace
ENTRYPOINT ["stackskills"]
CMD ["serve"]
