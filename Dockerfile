# syntax=docker/dockerfile:1
# Coda in a container: `coda` and `coda-ls` on a slim Python, run as a non-root user.
# compose.yaml runs it beside Ollama; see the README's "Container" section.
#
# Stage 1 builds wheels for Coda and its dependencies (the build tools stay here);
# stage 2 installs only those wheels into a virtualenv, so the image carries no compiler,
# no pip cache and no source tree.

ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
# Extras to install, comma-separated (e.g. "acp,web,litellm"); see pyproject.toml.
ARG CODA_EXTRAS=acp,web
WORKDIR /src
COPY pyproject.toml README.md ./
COPY coda_ls ./coda_ls
COPY coda_cli ./coda_cli
COPY queries ./queries
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[${CODA_EXTRAS}]"

FROM python:${PYTHON_VERSION}-slim AS runtime
ARG CODA_EXTRAS=acp,web
ARG CODA_UID=10001
# git and Mercurial: the VCS layer, `coda docs check` and `coda changelog check` run them.
# Debian's packages are not pinned: the base image's suite fixes their versions and
# security updates must still arrive with a rebuild.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git mercurial \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid "${CODA_UID}" --shell /usr/sbin/nologin coda \
    && git config --system --add safe.directory '*' \
    && mkdir -p /var/lib/coda/data /var/lib/coda/cache \
    && chmod 1777 /var/lib/coda/data /var/lib/coda/cache
# Sessions and caches live outside HOME, writable by any uid: compose runs Coda as the
# host user (CODA_UID) so files it writes in the project belong to them, and that uid
# has no home in this image. Named volumes take these directories' modes when created.
# The project is bind-mounted and owned by the host user, not by `coda`: git would refuse
# it as "dubious ownership" without the safe.directory line above.
COPY --from=build /wheels /wheels
RUN python -m venv /opt/coda \
    && /opt/coda/bin/pip install --no-cache-dir --no-index --find-links /wheels \
        "coda-assistant[${CODA_EXTRAS}]" \
    && rm -rf /wheels
ENV PATH=/opt/coda/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    XDG_DATA_HOME=/var/lib/coda/data \
    XDG_CACHE_HOME=/var/lib/coda/cache \
    OLLAMA_HOST=http://ollama:11434
# Numeric, so runtimes that check "runs as non-root" (runAsNonRoot) can verify it.
USER ${CODA_UID}
WORKDIR /workspace
CMD ["coda", "--help"]
