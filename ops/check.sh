#!/usr/bin/env bash
# Checks ops/ and docker-compose.yml with their own tools, each with a broken copy that must
# be refused (a checker that accepts anything proves nothing):
#   systemd-analyze verify + security, kubernetes-validate --strict, promtool check/test
#   rules, docker-compose config, and supervisord running the real node with the unit's
#   restart semantics. Needs: systemd, prometheus, supervisor, docker-compose (Debian) and
#   kubernetes-validate (pip, the dev extra). PYTHON: the venv with the package installed.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
VENV_BIN=$(dirname "$PYTHON")
work=$(mktemp -d /tmp/mediator-ops-check.XXXXXX)
supervisord_pid=""
cleanup() {
  if [ -n "$supervisord_pid" ] && kill -0 "$supervisord_pid" 2>/dev/null; then
    kill -TERM "$supervisord_pid"; wait "$supervisord_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '[ops/check] %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }
# Must fail: runs "$@" and fails the check if it succeeds.
refuses() { if "$@" >/dev/null 2>&1; then fail "accepted a broken file: $*"; fi; }

# --- systemd: verify prints problems but exits 0 on many of them, so any output fails ----
unit="$work/mediator-node.service"
# The unit names the installed path; verify the same unit against this checkout's venv.
sed "s#/opt/mediator-node/bin/mediator-node#$VENV_BIN/mediator-node#" \
  "$REPO/ops/systemd/mediator-node.service" >"$unit"
verify_unit() { local out; out=$(systemd-analyze verify --man=no "$@" 2>&1) && [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }; }
verify_unit "$unit" || fail "systemd-analyze verify"
exposure=$(systemd-analyze security --offline=yes --threshold=20 "$unit" 2>&1 | tail -1) \
  || fail "systemd-analyze security: $exposure"
# The backup schedule's service and timer (ops/backup), verified together.
if [ -f "$REPO/ops/backup/mediator-node-backup.timer" ]; then
  mkdir -p "$work/backup-units"
  for file in mediator-node-backup.service mediator-node-backup.timer; do
    sed "s#/opt/mediator-node/bin/mediator-node#$VENV_BIN/mediator-node#g" \
      "$REPO/ops/backup/$file" >"$work/backup-units/$file"
  done
  verify_unit "$work/backup-units/mediator-node-backup.service" "$work/backup-units/mediator-node-backup.timer" \
    || fail "systemd-analyze verify (backup service and timer)"
fi
sed 's/^RestartPreventExitStatus=2$/RestartPreventExitStatus=two/' "$unit" >"$work/broken.service"
refuses verify_unit "$work/broken.service"
say "systemd unit verified; ${exposure#→ }"

# --- Kubernetes manifests against the API schemas --------------------------------------
manifests=()
for file in "$REPO"/ops/k8s/*.yaml "$REPO"/ops/backup/*.yaml; do
  if [ -f "$file" ] && [ "$(basename "$file")" != kustomization.yaml ]; then manifests+=("$file"); fi
done
"$VENV_BIN/kubernetes-validate" --strict --quiet "${manifests[@]}" || fail "kubernetes-validate"
sed 's/^\(\s*\)replicas: 1$/\1replicas: "one"/' "$REPO/ops/k8s/deployment.yaml" >"$work/deployment.yaml"
refuses "$VENV_BIN/kubernetes-validate" --strict --quiet "$work/deployment.yaml"
say "${#manifests[@]} Kubernetes manifests valid (strict)"

# --- Prometheus rules ---------------------------------------------------------------
promtool check rules "$REPO/ops/prometheus/alerts.yml" >/dev/null || fail "promtool check rules"
(cd "$REPO/ops/prometheus" && promtool test rules alerts.test.yml) >/dev/null \
  || { (cd "$REPO/ops/prometheus" && promtool test rules alerts.test.yml) || true; fail "promtool test rules"; }
mkdir -p "$work/prom"
sed 's/mediator_cpu_percent > 90/mediator_cpu_percent > 99/' "$REPO/ops/prometheus/alerts.yml" >"$work/prom/alerts.yml"
cp "$REPO/ops/prometheus/alerts.test.yml" "$work/prom/"
refuses sh -c "cd '$work/prom' && promtool test rules alerts.test.yml"
say "alert rules checked and their unit tests pass"

# --- docker-compose.yml --------------------------------------------------------------
mkdir -p "$work/compose/secrets"
cp "$REPO/docker-compose.yml" "$work/compose/"
touch "$work/compose/.env" "$work/compose/secrets/mediator_private_key" "$work/compose/secrets/api_token"
(cd "$work/compose" && docker-compose config -q && docker-compose --profile dev config -q) \
  || fail "docker-compose config"
sed 's/^    healthcheck:$/    healthcheck: []/' "$REPO/docker-compose.yml" >"$work/compose/docker-compose.yml"
refuses sh -c "cd '$work/compose' && docker-compose config -q"
say "docker-compose.yml valid (default and dev profiles)"

# --- supervisord: the program section, run for real ----------------------------------
# The shipped section with this checkout's paths: exit 2 stays stopped, a clean SIGTERM
# stop is a stop, a crash (kill -9) is restarted.
sv="$work/sv"
mkdir -p "$sv/etc" "$sv/data" "$sv/log"
health_port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ws_port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
  printf '[supervisord]\nnodaemon=true\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\n' "$sv" "$sv"
  printf '[unix_http_server]\nfile=%s/sock\n' "$sv"
  printf '[supervisorctl]\nserverurl=unix://%s/sock\n' "$sv"
  printf '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n'
  sed -e "s#^command=/opt/mediator-node/bin/mediator-node#command=$VENV_BIN/mediator-node#" \
      -e "s#^directory=.*#directory=$sv/etc#" \
      -e "/^user=/d" \
      -e "s#^environment=.*#environment=DATA_DIR=\"$sv/data\",HEALTH_PORT=\"$health_port\",WS_PORT=\"$ws_port\",PYTHONPATH=\"$REPO\",ALLOW_PUBLIC_BIND=\"true\",HEALTH_HOST=\"%(ENV_SV_HEALTH_HOST)s\",MEDIATOR_PRIVATE_KEY_FILE=\"$sv/mediator-private-key\"#" \
      -e "s#^stdout_logfile=.*#stdout_logfile=$sv/log/node.log#" \
      "$REPO/ops/supervisord/mediator-node.conf"
} >"$sv/supervisord.conf"
(umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_hex(32))' >"$sv/mediator-private-key")
ctl() { supervisorctl -c "$sv/supervisord.conf" "$@"; }
state() { ctl status mediator-node 2>/dev/null | awk '{print $2}'; }
wait_state() {  # $1: wanted state, $2: seconds
  local deadline=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(state)" = "$1" ] && return 0
    sleep 0.5
  done
  say "state is $(state), wanted $1"; tail -20 "$sv/log/node.log" || true
  return 1
}
start_supervisord() {
  SV_HEALTH_HOST=$1 supervisord -c "$sv/supervisord.conf" >"$sv/supervisord.out" 2>&1 &
  supervisord_pid=$!
}
stop_supervisord() { kill -TERM "$supervisord_pid"; wait "$supervisord_pid" || true; supervisord_pid=""; }

# A configuration error (a public bind without API_TOKEN_FILE): exit 2, not restarted.
start_supervisord 0.0.0.0
wait_state EXITED 60 || fail "supervisord: a configuration error did not end in EXITED"
grep -q "API_TOKEN_FILE" "$sv/log/node.log" || fail "supervisord: no configuration error in the log"
starts=$(grep -c "spawned: 'mediator-node'" "$sv/supervisord.log")
[ "$starts" = 1 ] || fail "supervisord: exit 2 was restarted ($starts starts)"
stop_supervisord
: >"$sv/supervisord.log"

# A healthy node: ready, a crash is restarted, a stop (SIGTERM) drains and stays stopped.
start_supervisord 127.0.0.1
wait_state RUNNING 60 || fail "supervisord: the node did not start"
deadline=$(( $(date +%s) + 180 ))
until curl -sf -o /dev/null "http://127.0.0.1:$health_port/health/ready"; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "supervisord: /health/ready never answered 200"
  sleep 0.5
done
node_pid=$(ctl pid mediator-node)
kill -KILL "$node_pid"
deadline=$(( $(date +%s) + 60 ))
until [ "$(state)" = RUNNING ] && [ "$(ctl pid mediator-node)" != "$node_pid" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "supervisord: a crashed node was not restarted"
  sleep 0.5
done
# Stop once the restarted node is ready: SIGTERM before its handlers exist just kills it.
deadline=$(( $(date +%s) + 180 ))
until curl -sf -o /dev/null "http://127.0.0.1:$health_port/health/ready"; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "supervisord: the restarted node never got ready"
  sleep 0.5
done
ctl stop mediator-node >/dev/null
[ "$(state)" = STOPPED ] || fail "supervisord: stop left the node $(state)"
grep -q "stopped: mediator-node (exit status 0)" "$sv/supervisord.log" \
  || { tail -5 "$sv/supervisord.log"; fail "supervisord: SIGTERM did not exit 0"; }
stop_supervisord
say "supervisord: exit 2 not restarted, a crash restarted, SIGTERM stops with exit 0"
say "PASS"
