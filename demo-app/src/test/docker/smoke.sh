#!/usr/bin/env bash
# Smoke test of the demo in Docker: builds the image from the built jar, starts the compose
# service with host networking, sends a mail with swaks, reads it back from the API, and tears
# everything down (containers, the volume, the image).
#
#   demo-app/src/test/docker/smoke.sh          (after mvn package)
#
# The engine: the machine's own Docker when `docker info` answers (DOCKER_HOST included), else a
# private dockerd started by the shared local-docker.sh (no bridge network or iptables changes),
# found at $LOCAL_DOCKER or ../shared/scripts/local-docker.sh beside the repository (run as root).
# With neither, the test prints SKIPPED and exits 0, except on CI (CI=true), where it fails; once
# an engine or the script is there, anything that stops the test (the engine does not start, the
# base image does not build) fails it.
#
# Environment: DEMO_SMTP_PORT, DEMO_HTTP_PORT: the host ports the container uses (default: free
# ports picked at random). BASE_IMAGE: the image to build on (default: the Dockerfile's with the
# machine's engine, the script's local JRE image with the private one).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../../.." && pwd)
cd "$repo"
local_docker=${LOCAL_DOCKER:-$repo/../shared/scripts/local-docker.sh}
# shellcheck source=engine.sh
. "$repo/demo-app/src/test/docker/engine.sh"
export DEMO_SMTP_PORT=${DEMO_SMTP_PORT:-$(free_port)}
export DEMO_HTTP_PORT=${DEMO_HTTP_PORT:-$(free_port)}
project="demo-smoke-$$"
work=$(mktemp -d)
compose=(docker-compose -p "$project" -f "$work/compose.yml")
started_dockerd=false
engine=""

fail() { echo "FAILED: docker smoke test: $*" >&2; exit 1; }
skip() {
  [[ ${CI:-} != true ]] || fail "$* (CI=true: the smoke test must run)"
  echo "SKIPPED: docker smoke test: $*"
  exit 0
}

trap cleanup EXIT

[[ -f demo-app/target/demo-app.jar ]] || fail "demo-app/target/demo-app.jar is missing: run mvn package first"
for tool in swaks curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
python3 -c 'import yaml' 2>/dev/null || fail "python3 has no yaml module (python3-yaml)"
for port in "$DEMO_SMTP_PORT" "$DEMO_HTTP_PORT"; do
  require_free_port "$port"
done

select_engine fail
command -v docker-compose >/dev/null || fail "docker-compose is not installed"
echo "docker smoke test: $engine, base image $BASE_IMAGE, ports smtp $DEMO_SMTP_PORT http $DEMO_HTTP_PORT"

# The compose file and its host-networking override, merged. docker-compose 1.x refuses port
# mappings together with host networking (Compose v2 ignores them), so they are dropped here.
docker-compose -f docker-compose.yml -f docker-compose.host.yml config >"$work/merged.yml" \
  || fail "docker-compose config failed"
python3 - "$work/merged.yml" "$work/compose.yml" <<'PY' || fail "could not drop the port mappings"
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
for service in config["services"].values():
    if service.get("network_mode") == "host":
        service.pop("ports", None)
yaml.safe_dump(config, open(sys.argv[2], "w"))
PY

"${compose[@]}" build --quiet demo || fail "image build failed"
"${compose[@]}" up -d demo || fail "compose up failed"
container=$(require_healthy_non_root demo) || exit 1 # fail ran in the subshell and printed why
uid=$(docker exec "$container" id -u)

api="http://127.0.0.1:$DEMO_HTTP_PORT/api/messages"
curl -fsS -X DELETE "$api" || fail "DELETE $api failed"
subject="smoke test $$ $(date +%s)"
swaks --server "127.0.0.1:$DEMO_SMTP_PORT" --from ci@example.org --to smoke@example.com \
  --header "Subject: $subject" --body "Hello from the smoke test." --timeout 30 >"$work/swaks.log" 2>&1 \
  || { cat "$work/swaks.log"; fail "swaks could not send"; }
# the reply to the message itself: the first reply after the lone dot that ends the data
reply=$(awk '/^ *-> \.$/ { data = 1; next } data && /^ *<-/ { sub(/^ *<-+ */, ""); print; exit }' "$work/swaks.log")
[[ $reply =~ ^250\ 2\.0\.0\ Ok:\ stored\ as\ ([^ ]+)$ ]] \
  || { cat "$work/swaks.log"; fail "the reply to the message is '$reply', not '250 2.0.0 Ok: stored as <id>'"; }
stored=${BASH_REMATCH[1]}

curl -fsS "$api" >"$work/list.json" || fail "GET $api failed"
id=$(python3 - "$work/list.json" "$subject" <<'PY'
import json, sys
messages = json.load(open(sys.argv[1]))
assert len(messages) == 1, messages
m = messages[0]
assert m["subject"] == sys.argv[2], m
assert m["from"] == "ci@example.org", m
assert m["recipients"] == ["smoke@example.com"], m
print(m["id"])
PY
) || { cat "$work/list.json"; fail "the API does not show the message"; }
[[ $id == "$stored" ]] || fail "the API shows message $id, the reply said $stored"
curl -fsS "$api/$id/raw" >"$work/raw.eml" || fail "GET raw failed"
grep -q "Hello from the smoke test." "$work/raw.eml" || fail "the raw message lacks the body"
docker exec "$container" test -f "/data/maildir/new/$id" || fail "the message is not in the volume's Maildir"

echo "PASSED: docker smoke test ($engine, image built on $BASE_IMAGE, healthy, uid $uid, mail $id stored and read back)"
