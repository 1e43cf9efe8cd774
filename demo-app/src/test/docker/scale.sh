#!/usr/bin/env bash
# Scale-out test of the demo in Docker: builds the images (the demo, HAProxy), starts
# docker-compose.scale.yml (two replicas behind HAProxy with the PROXY protocol v2, host
# networking), sends 200 messages through HAProxy with Python's smtplib over a few connections,
# and checks through each replica's API that both replicas got some, that each message is stored
# exactly once, and that each shows its client as the server saw it through the PROXY header:
# 127.0.0.1 with the port of the smtplib connection that sent it, not HAProxy's own. Tears
# everything down (containers, volumes, the images it built) and prints the messages per replica.
#
#   demo-app/src/test/docker/scale.sh          (after mvn package)
#
# The engine, as in smoke.sh: the machine's own Docker when `docker info` answers (DOCKER_HOST
# included), else a private dockerd started by the shared local-docker.sh, found at $LOCAL_DOCKER
# or ../shared/scripts/local-docker.sh beside the repository (run as root). When no engine can be
# started the test prints SKIPPED and exits 0, on CI too; once an engine answers, anything that
# goes wrong (a base image or build that fails included) fails it.
#
# Environment: SCALE_SMTP_PORT, SCALE_MONITOR_PORT, DEMO1_SMTP_PORT, DEMO1_HTTP_PORT,
# DEMO2_SMTP_PORT, DEMO2_HTTP_PORT: the host ports (default: free ports picked at random).
# BASE_IMAGE, HAPROXY_BASE_IMAGE: the images to build on (default: the Dockerfiles' with the
# machine's engine, the script's local Debian JRE image for both with the private one).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../../.." && pwd)
cd "$repo"
local_docker=${LOCAL_DOCKER:-$repo/../shared/scripts/local-docker.sh}
# shellcheck source=engine.sh
. "$repo/demo-app/src/test/docker/engine.sh"
ports=(SCALE_SMTP_PORT SCALE_MONITOR_PORT DEMO1_SMTP_PORT DEMO1_HTTP_PORT DEMO2_SMTP_PORT DEMO2_HTTP_PORT)
for name in "${ports[@]}"; do
  export "$name=${!name:-$(free_port)}"
done
messages=200
connections=4
project="demo-scale-$$"
work=$(mktemp -d)
# the replicas log each PROXY header (DEBUG of io.smtpprotocol.server): the proxy's side of the
# connection and the client it names
cat >"$work/debug.yml" <<'EOF'
services:
  demo1:
    environment:
      LOGGING_LEVEL_IO_SMTPPROTOCOL_SERVER: DEBUG
  demo2:
    environment:
      LOGGING_LEVEL_IO_SMTPPROTOCOL_SERVER: DEBUG
EOF
compose=(docker-compose -p "$project" -f docker-compose.scale.yml -f "$work/debug.yml")
started_dockerd=false
engine=""

fail() { echo "FAILED: docker scale test: $*" >&2; exit 1; }
skip() {
  echo "SKIPPED: docker scale test: $*"
  exit 0
}

trap cleanup EXIT

[[ -f demo-app/target/demo-app.jar ]] || fail "demo-app/target/demo-app.jar is missing: run mvn package first"
for tool in curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
for name in "${ports[@]}"; do
  require_free_port "${!name}" "$name"
done

select_engine skip
if $private_engine; then
  export HAPROXY_BASE_IMAGE=${HAPROXY_BASE_IMAGE:-$BASE_IMAGE}
fi
export HAPROXY_BASE_IMAGE=${HAPROXY_BASE_IMAGE:-debian:bookworm-slim}
command -v docker-compose >/dev/null || fail "docker-compose is not installed"
echo "docker scale test: $engine, base images $BASE_IMAGE / $HAPROXY_BASE_IMAGE," \
  "HAProxy smtp $SCALE_SMTP_PORT monitor $SCALE_MONITOR_PORT," \
  "demo1 smtp $DEMO1_SMTP_PORT http $DEMO1_HTTP_PORT, demo2 smtp $DEMO2_SMTP_PORT http $DEMO2_HTTP_PORT"

"${compose[@]}" build --quiet >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "image build failed"; }
# starts HAProxy once both replicas are healthy (depends_on: service_healthy)
"${compose[@]}" up -d >"$work/up.log" 2>&1 || { cat "$work/up.log"; fail "compose up failed"; }

for service in demo1 demo2 haproxy; do
  require_healthy_non_root "$service" >/dev/null
done

# HAProxy's own view: both servers UP (its SMTP health check through the PROXY header passed)
stats="http://127.0.0.1:$SCALE_MONITOR_PORT/stats;csv"
up=""
for _ in $(seq 1 30); do
  up=$(curl -fsS "$stats" | awk -F, '$1 == "demo" && $2 ~ /^demo[12]$/ && $18 == "UP" { n++ } END { print n + 0 }')
  [[ $up == 2 ]] && break
  sleep 1
done
[[ $up == 2 ]] || { curl -fsS "$stats" || true; fail "HAProxy does not see both replicas UP"; }

# A replica must not take SMTP from a client that connects without the header
python3 - "$DEMO1_SMTP_PORT" <<'PY' || fail "a replica answered a connection without a PROXY header"
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15) as s:
    s.sendall(b"EHLO direct.example.org\r\n")
    assert s.recv(1024) == b"", "got a reply"
PY

for port in "$DEMO1_HTTP_PORT" "$DEMO2_HTTP_PORT"; do
  curl -fsS -X DELETE "http://127.0.0.1:$port/api/messages" || fail "DELETE on port $port failed"
done

# the messages, over a few concurrent connections through HAProxy; per message its Message-ID,
# the id from the 250 reply, the replica that greeted and the local port of its connection
python3 - "$SCALE_SMTP_PORT" "$messages" "$connections" "$work/sent.json" <<'PY' || fail "sending through HAProxy failed"
import json, smtplib, sys, threading, uuid
from email.message import EmailMessage
from email.policy import SMTP

port, total, conns, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
run = uuid.uuid4().hex
sent, errors, lock = [], [], threading.Lock()

def connection(c):
    try:
        with smtplib.SMTP("127.0.0.1", port, local_hostname="scale.example.org", timeout=30) as smtp:
            local_port = smtp.sock.getsockname()[1]
            code, ehlo = smtp.ehlo()
            assert code == 250, (code, ehlo)
            replica = ehlo.decode().split("\n")[0].split()[0]
            for n in range(c, total, conns):
                message_id = f"<{n}.{run}@scale.example.org>"
                msg = EmailMessage()
                msg["From"] = "scale@example.org"
                msg["To"] = "inbox@example.com"
                msg["Subject"] = f"scale {n}"
                msg["Message-ID"] = message_id
                msg.set_content(f"message {n} of run {run}\n")
                code, reply = smtp.mail("scale@example.org")
                assert code == 250, (code, reply)
                code, reply = smtp.rcpt("inbox@example.com")
                assert code == 250, (code, reply)
                code, reply = smtp.data(msg.as_bytes(policy=SMTP))  # CRLF line endings
                reply = reply.decode()
                assert code == 250 and reply.startswith("2.0.0 Ok: stored as "), (code, reply)
                with lock:
                    sent.append({"messageId": message_id, "id": reply.rsplit(" ", 1)[1],
                                 "replica": replica, "localPort": local_port})
    except Exception as e:
        with lock:
            errors.append(f"connection {c}: {e!r}")

threads = [threading.Thread(target=connection, args=(c,)) for c in range(conns)]
for t in threads:
    t.start()
for t in threads:
    t.join(300)
assert not any(t.is_alive() for t in threads), "a connection did not finish within 300 s"
assert not errors, errors
assert len(sent) == total, len(sent)
json.dump(sent, open(out, "w"))
PY

for replica in demo1 demo2; do
  port_var=${replica^^}_HTTP_PORT
  curl -fsS "http://127.0.0.1:${!port_var}/api/messages" >"$work/$replica.json" \
    || fail "GET /api/messages of $replica failed"
done

# the replicas' record of each PROXY header, and HAProxy's of each connection (logged when it
# closes: wait a little for the last ones)
for _ in $(seq 1 20); do
  "${compose[@]}" logs --no-color demo1 demo2 >"$work/demo.log" 2>&1
  "${compose[@]}" logs --no-color haproxy >"$work/haproxy.log" 2>&1
  python3 - "$work/sent.json" "$work/haproxy.log" <<'PY' && break
import json, re, sys
ports = {m["localPort"] for m in json.load(open(sys.argv[1]))}
logged = {int(p) for p in re.findall(r"127\.0\.0\.1:(\d+) \[[^]]*\] smtp demo/", open(sys.argv[2]).read())}
sys.exit(0 if ports <= logged else 1)
PY
  sleep 1
done

python3 - "$work/sent.json" "$DEMO1_HTTP_PORT" "$DEMO2_HTTP_PORT" "$work/demo.log" "$work/haproxy.log" <<'PY' \
  >"$work/summary.txt" || fail "the replicas' messages do not match what was sent"
import collections, email, json, re, sys, urllib.request

sent = json.load(open(sys.argv[1]))
http = {"demo1": int(sys.argv[2]), "demo2": int(sys.argv[3])}
demo_log, haproxy_log = open(sys.argv[4]).read(), open(sys.argv[5]).read()
by_id = {m["id"]: m for m in sent}
assert len(by_id) == len(sent), "a stored id was given twice"

stored = collections.Counter()   # Message-ID -> times stored, over both replicas
per_replica = {}
for replica, port in http.items():
    listed = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/messages", timeout=30))
    per_replica[replica] = len(listed)
    assert listed, f"{replica} received no message"
    for m in listed:
        raw = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/messages/{m['id']}/raw", timeout=30).read()
        message_id = email.message_from_bytes(raw)["Message-ID"]
        stored[message_id] += 1
        s = by_id.get(m["id"])
        assert s is not None, f"{replica} has {m['id']} ({message_id}), which no 250 reply named"
        assert s["messageId"] == message_id, (m["id"], s["messageId"], message_id)
        assert s["replica"] == f"{replica}.localhost", f"{message_id} stored on {replica}, greeted by {s['replica']}"
        # the client as the replica saw it: the PROXY header's, the sending connection's own port
        assert m["remoteAddress"] == "127.0.0.1", m
        assert m["remotePort"] == s["localPort"], (m, s)

missing = {m["messageId"] for m in sent} - set(stored)
twice = {k: n for k, n in stored.items() if n != 1}
assert not missing, f"{len(missing)} messages missing: {sorted(missing)[:5]}"
assert not twice, f"stored more than once: {twice}"
assert sum(stored.values()) == len(sent), (sum(stored.values()), len(sent))

# the replicas logged each connection's PROXY header: HAProxy's side (the socket the replica
# accepted) and the client it named, which is the smtplib connection's port, never HAProxy's
headers = [(int(a), int(b)) for a, b in re.findall(
    r"PROXY header from /?127\.0\.0\.1:(\d+): client /?127\.0\.0\.1:(\d+)", demo_log)]
for port in {m["localPort"] for m in sent}:
    matching = [a for a, b in headers if b == port]
    assert len(matching) == 1, f"client port {port}: {len(matching)} PROXY headers logged"
    assert matching[0] != port, f"client port {port} is also HAProxy's side of that connection"
    assert re.search(rf"127\.0\.0\.1:{port} \[[^]]*\] smtp demo/demo[12] ", haproxy_log), \
        f"HAProxy did not log client port {port}"
sample = sent[0]
pair = next((a, b) for a, b in headers if b == sample["localPort"])
print(f"{len(sent)} messages through HAProxy over {len({m['localPort'] for m in sent})} connections:"
      f" demo1 {per_replica['demo1']}, demo2 {per_replica['demo2']}; each stored once,"
      f" client 127.0.0.1 with the sending port (e.g. smtplib port {pair[1]},"
      f" HAProxy's side {pair[0]})")
PY

echo "PASSED: docker scale test ($engine): $(cat "$work/summary.txt")"
