#!/usr/bin/env bash
# Prepare what tests/integrations/test_docker_image.py needs on a machine with no Docker
# daemon and no Docker Hub: docker.io + debootstrap, a background dockerd, a stand-in Python
# base image built from Debian packages (cached), and the stackskills image built from the root
# Dockerfile. Idempotent; everything slow is cached under ~/.cache/stackskills-test/docker.
# Prints the image name and exits 0 when it is ready. Otherwise one line on stderr: exit 3 when
# this machine cannot run Docker (tools, daemon, base image), exit 1 when the build itself fails.
set -euo pipefail

CACHE="${STACKSKILLS_DOCKER_CACHE:-$HOME/.cache/stackskills-test/docker}"
BASE_IMAGE=stackskills-test/python-base
IMAGE=stackskills-test/stackskills
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$CACHE"

unavailable() { echo "docker_test_env: $*" >&2; exit 3; }
fail() { echo "docker_test_env: $*" >&2; exit 1; }

install_tools() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || unavailable "missing ${missing[*]} and no apt-get to install them"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >"$CACHE/apt.log" 2>&1; then
        unavailable "apt-get install ${missing[*]} failed: $(tail -n 1 "$CACHE/apt.log")"
    fi
}

start_dockerd() {
    docker info >/dev/null 2>&1 && return 0
    echo "starting dockerd (log: $CACHE/dockerd.log)" >&2
    nohup dockerd >"$CACHE/dockerd.log" 2>&1 &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && return 0
        kill -0 $! 2>/dev/null || break
        sleep 1
    done
    unavailable "dockerd failed to start: $(grep -m1 -iE 'level=(fatal|error)' "$CACHE/dockerd.log" || tail -n 1 "$CACHE/dockerd.log")"
}

ca_bundle() {
    # The host's CA bundle, so pip inside the build reaches the index through any TLS proxy.
    local file="${SSL_CERT_FILE:-${PIP_CERT:-}}"
    if [ -z "$file" ] && command -v pip >/dev/null; then
        file="$(pip config get global.cert 2>/dev/null || true)"
    fi
    [ -n "$file" ] && [ -f "$file" ] && echo "$file" && return 0
    [ -f /etc/ssl/certs/ca-certificates.crt ] && echo /etc/ssl/certs/ca-certificates.crt
}

build_base_image() {
    docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
    local rootfs="$CACHE/rootfs"
    if [ ! -x "$rootfs/usr/bin/python3" ]; then
        rm -rf "$rootfs"
        echo "debootstrap bookworm into $rootfs (about a minute)" >&2
        debootstrap --variant=minbase --include=python3,python3-venv,python3-pip \
            bookworm "$rootfs" >"$CACHE/debootstrap.log" 2>&1 \
            || unavailable "debootstrap failed: $(tail -n 1 "$CACHE/debootstrap.log")"
    fi
    local bundle
    bundle="$(ca_bundle || true)"
    if [ -n "$bundle" ]; then
        mkdir -p "$rootfs/etc/ssl/certs"
        cp "$bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
    fi
    ln -sf python3 "$rootfs/usr/bin/python"
    rm -rf "$rootfs/var/cache/apt/archives/"*.deb
    tar -C "$rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null \
        || unavailable "docker import of $BASE_IMAGE failed"
}

build_image() {
    # The build stage is tagged too, so its layers stay the cache for the next run and only
    # superseded build stages dangle (and are dropped).
    local stage
    for stage in "--target=build -t $IMAGE-build" "-t $IMAGE"; do
        # shellcheck disable=SC2086  # $stage is two or three flags on purpose
        docker build --network host --build-arg "BASE=$BASE_IMAGE" $stage "$ROOT" \
            >"$CACHE/build.log" 2>&1 \
            || fail "docker build failed: $(tail -n 3 "$CACHE/build.log" | tr '\n' ' ')"
    done
    docker image prune -f --filter label=org.stackskills.stage=build >/dev/null
    docker image prune -f --filter label=org.opencontainers.image.title=stackskills >/dev/null
}

install_tools
start_dockerd
build_base_image
build_image
echo "$IMAGE"
