#!/usr/bin/env bash
# Builds the Dockerfile's image and runs the node inside it, then checks from the host:
# /health/ready answers 200, the node's uid is not 0, /metrics needs the bearer token, the
# image holds the local model and no compiler, SIGTERM exits 0, and nothing is written
# outside the data volume.
#
# No Docker engine is needed: as root, Debian's debootstrap makes a bookworm base (cached
# under $CACHE_DIR), `podman import` turns it into an image, `podman build
# --isolation=chroot` builds ours, and `buildah run --isolation chroot` runs the node
# (`podman run` cannot run here: crun refuses the rlimits and the hybrid cgroups).
#
#   sudo ops/test-container.sh            # KEEP=1 keeps the image and the container
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE_DIR=${CACHE_DIR:-/var/cache/mediator-node-container}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_IMAGE=localhost/mediator-base:bookworm
IMAGE=${IMAGE:-localhost/mediator-node:test}
NODE_UID=10001
export BUILDAH_ISOLATION=chroot

say() { printf '[test-container %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() { say "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || fail "run as root (debootstrap, podman and buildah need it)"

start_time=$(date +%s)

# 1. Tools, from the Debian archive.
missing=()
for tool in podman:podman buildah:buildah debootstrap:debootstrap curl:curl python3:python3; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. The base image: debootstrap minbase + python3, python3-venv, curl; the tarball is cached.
mkdir -p "$CACHE_DIR"
base_tar="$CACHE_DIR/bookworm-python3-base.tar"
if [ ! -s "$base_tar" ]; then
  rootfs="$CACHE_DIR/rootfs.partial"
  rm -rf "$rootfs"
  say "debootstrap --variant=minbase bookworm (cold cache)"
  debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE_DIR/debootstrap.log"; fail "debootstrap"; }
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  chroot "$rootfs" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get install -y -qq --no-install-recommends \
    python3 python3-venv curl ca-certificates >/dev/null
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs/etc/resolv.conf"
  tar -C "$rootfs" -cf "$base_tar.partial" .
  mv "$base_tar.partial" "$base_tar"
  rm -rf "$rootfs"
fi
if ! podman image exists "$BASE_IMAGE"; then
  say "podman import $base_tar"
  podman import --quiet "$base_tar" "$BASE_IMAGE" >/dev/null
fi

# 3. The build, with this machine's pip index settings (environment first, then pip config).
pip_python=python3
[ -x "$REPO/.venv/bin/python" ] && pip_python="$REPO/.venv/bin/python"
pip_config=$("$pip_python" -m pip config list 2>/dev/null || true)
pip_setting() {  # $1: the pip option, e.g. index-url; prints its value or nothing
  local env_name value
  env_name="PIP_$(printf '%s' "$1" | tr 'a-z-' 'A-Z_')"
  value=${!env_name:-}
  if [ -z "$value" ]; then
    value=$(printf '%s\n' "$pip_config" | sed -n "s/^[a-z:]*\.$1='\(.*\)'\$/\1/p" | tail -1)
  fi
  printf '%s' "$value"
}
build_args=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
mounts=()
for option in index-url extra-index-url find-links trusted-host cert default-timeout; do
  value=$(pip_setting "$option")
  [ -n "$value" ] || continue
  build_args+=(--build-arg "PIP_$(printf '%s' "$option" | tr 'a-z-' 'A-Z_')=$value")
  # Local indexes, wheel folders and the CA bundle are bind-mounted at the same path; a
  # local index's parent too, where its pages link the files (e.g. ../files/x.whl).
  for word in $value; do
    path=${word#file://}
    case "$word" in file://*/simple|file://*/simple/) path=$(dirname "${path%/}") ;; esac
    case "$path" in /*) if [ -e "$path" ]; then mounts+=(-v "$path:$path:ro"); fi ;; esac
  done
done
say "podman build --isolation=chroot ${build_args[*]}"
build_start=$(date +%s)
podman build --isolation=chroot --format docker --layers "${build_args[@]}" "${mounts[@]}" \
  -t "$IMAGE" -f "$REPO/Dockerfile" "$REPO" >"$CACHE_DIR/build.log" 2>&1 \
  || { tail -40 "$CACHE_DIR/build.log"; fail "podman build"; }
say "built $IMAGE in $(( $(date +%s) - build_start )) s"

# 4. The image's declared configuration.
inspect() { podman image inspect --format "$1" "$IMAGE"; }
[ "$(inspect '{{.Config.User}}')" = "$NODE_UID:$NODE_UID" ] || fail "image user is $(inspect '{{.Config.User}}')"
[ "$(inspect '{{.Config.StopSignal}}')" = SIGTERM ] || fail "stop signal $(inspect '{{.Config.StopSignal}}')"
grep -q '"/data"' <<<"$(inspect '{{json .Config.Volumes}}')" || fail "DATA_DIR /data is not a volume"
healthcheck=$(inspect '{{json .Config.Healthcheck}}')
expected='{"Test":["CMD","curl","-f","http://localhost:8081/health/ready"],"StartPeriod":10000000000,"Interval":30000000000,"Timeout":10000000000,"Retries":3}'
[ "$healthcheck" = "$expected" ] || fail "healthcheck is $healthcheck"

# 5. Run the node in the image: host network, a data volume and a secrets folder.
work=$(mktemp -d /tmp/mediator-container.XXXXXX)
ctr=""
node_pid=""
run_pid=""
cleanup() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then kill -KILL "$node_pid" || true; fi
  if [ -n "$ctr" ] && [ "${KEEP:-0}" != 1 ]; then buildah umount "$ctr" >/dev/null 2>&1 || true; buildah rm "$ctr" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/data" "$work/secrets"
chown "$NODE_UID:$NODE_UID" "$work/data"
"$pip_python" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$work/secrets/api_token"
"$pip_python" -c 'import secrets; print(secrets.token_hex(32))' >"$work/secrets/mediator_private_key"
chown "$NODE_UID:$NODE_UID" "$work/secrets/api_token" "$work/secrets/mediator_private_key"
chmod 400 "$work/secrets/api_token" "$work/secrets/mediator_private_key"
free_port() { "$pip_python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
health_port=$(free_port)
ws_port=$(free_port)

ctr=$(buildah from --pull-never "$IMAGE")
merged=$(buildah mount "$ctr")
upper="$(dirname "$merged")/diff"
[ -d "$upper" ] || fail "no overlay upper dir at $upper"
run_in() {  # the node's run options; the same for the baseline and the node
  buildah run --isolation chroot --network host \
    -v "$work/data:/data" -v "$work/secrets:/run/secrets:ro" \
    --env "HEALTH_PORT=$health_port" --env "WS_PORT=$ws_port" \
    "$ctr" -- "$@"
}
# Whatever buildah itself creates for a run (mount points) is the baseline.
run_in /bin/true
(cd "$upper" && find . -mindepth 1 | sort) >"$work/before"

# The image, not the host: no compiler, the model where the embedder looks for it.
for cc in gcc cc g++ c++ clang; do
  if run_in sh -c "command -v $cc" >/dev/null 2>&1; then fail "runtime image has a compiler: $cc"; fi
done
run_in python3 -c 'from mediator_actors.embedding.local import default_model_path, sha256_file, PINNED_SHA256; p = default_model_path(); assert p and sha256_file(p) == PINNED_SHA256["model.onnx"]; print("model", p)'
# Beyond loopback without a token the image refuses to start: exit 2, naming the variable.
set +e
run_in env API_TOKEN_FILE=/run/secrets/absent mediator-node start >"$work/refused.log" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q 'API_TOKEN_FILE' "$work/refused.log" \
  || { cat "$work/refused.log"; fail "without its token file the node exited $rc, expected 2"; }
say "without its token file the node refuses to start (exit 2)"
run_in /bin/true
(cd "$upper" && find . -mindepth 1 | sort) >"$work/before"

touch "$work/marker"
say "starting the node in the image (health :$health_port, ws :$ws_port)"
run_in mediator-node start >"$work/node.log" 2>&1 &
run_pid=$!
deadline=$(( $(date +%s) + 180 ))
ready=""
while [ "$(date +%s)" -lt "$deadline" ]; do
  kill -0 "$run_pid" 2>/dev/null || { tail -30 "$work/node.log"; fail "node exited before it was ready"; }
  ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$health_port/health/ready" || true)
  [ "$ready" = 200 ] && break
  sleep 0.5
done
[ "$ready" = 200 ] || { tail -30 "$work/node.log"; fail "/health/ready answered ${ready:-nothing} within 180 s"; }
say "/health/ready 200 after $(( $(date +%s) - deadline + 180 )) s"

# The node's process: a descendant of the buildah run process.
descendants() { local p; for p in $(ps -o pid= --ppid "$1"); do echo "$p"; descendants "$p"; done; }
for pid in $(descendants "$run_pid"); do
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  case "$cmdline" in *"mediator-node start"*) node_pid=$pid ;; esac
done
[ -n "$node_pid" ] || fail "no mediator-node process under buildah run ($run_pid)"
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$node_pid/status")
for uid in $uids; do [ "$uid" != 0 ] || fail "node process $node_pid runs with uid 0 ($uids)"; done
say "node pid $node_pid runs as uid $uids"

# The HEALTHCHECK's own command, inside the image, on the port this run uses.
run_in curl -fsS -o /dev/null "http://localhost:$health_port/health/ready" || fail "healthcheck command failed in the image"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health_port/health/live")
[ "$code" = 200 ] || fail "/health/live answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health_port/metrics")
[ "$code" = 401 ] || fail "/metrics without the token answered $code, expected 401"
metrics=$(curl -sf -H "Authorization: Bearer $(cat "$work/secrets/api_token")" "http://127.0.0.1:$health_port/metrics") \
  || fail "/metrics with the token failed"
grep -qx 'mediator_embedder_degraded 0' <<<"$metrics" || fail "the local embedder is degraded in the image"
say "/metrics 401 without the token, 200 with it; embedder not degraded"

kill -TERM "$node_pid"
set +e
wait "$run_pid"
rc=$?
set -e
[ "$rc" = 0 ] || { tail -30 "$work/node.log"; fail "SIGTERM: exit code $rc"; }
say "SIGTERM: exit 0"

# New paths in the container's overlay layer, and files changed since the node started
# (buildah itself only touches the /run directory's timestamp).
changed_outside() {
  (cd "$upper" && find . -mindepth 1 | sort) >"$work/after"
  comm -13 "$work/before" "$work/after"
  (cd "$upper" && find . -mindepth 1 -newer "$work/marker" ! -path ./run)
}
written=$(changed_outside)
[ -z "$written" ] || fail "written outside the data volume: $written"
# The detector detects: a write to /tmp by the node's user must show up.
run_in sh -c 'echo probe > /tmp/write-probe'
probe=$(changed_outside)
grep -qx './tmp/write-probe' <<<"$probe" || fail "the write detector missed /tmp/write-probe: $probe"
[ -s "$work/data/settlements/mediator.db" ] || fail "no store in the data volume"
say "nothing written outside /data; $(find "$work/data" -type f | wc -l) files in the volume"
say "PASS in $(( $(date +%s) - start_time )) s"
