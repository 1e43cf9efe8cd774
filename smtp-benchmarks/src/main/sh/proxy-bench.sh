#!/usr/bin/env bash
# Scenario a (10,000 messages of 1 KiB over 20 sessions) against our sink directly and through
# HAProxy passing PROXY v2 headers, in one interleaved run of the comparison harness' compare.sh.
#
#   COMPARE=path/to/bench/compare.sh smtp-benchmarks/src/main/sh/proxy-bench.sh
#   ROUNDS=10 COMPARE=... smtp-benchmarks/src/main/sh/proxy-bench.sh
#
# Starts three sinks from smtp-benchmarks/target/smtp-sink.jar, each warmed up first: "direct" (as
# in the other figures), "proxied" (--proxy-protocol 127.0.0.1) behind HAProxy with send-proxy-v2,
# and "tcp-proxied" (no PROXY protocol) behind the same HAProxy as a plain TCP proxy. Four targets
# go to compare.sh:
#   direct       = the direct sink, its CPU
#   proxied      = HAProxy's PROXY v2 port, CPU of the sink behind it
#   tcp-proxied  = HAProxy's plain port, CPU of the sink behind it: what being behind a proxy at
#                  all costs the server on this machine, without the PROXY protocol
#   haproxy      = HAProxy's PROXY v2 port again, CPU of HAProxy's own process (reported apart)
# so "proxied" against "direct" is our server's CPU per message behind the proxy, and "proxied"
# against "tcp-proxied" the PROXY protocol's own share. The sinks run as a user runs them (plain
# java -jar); JAVA_OPTS adds flags. Everything is stopped by PID at the end. Needs haproxy, smtp-source, ss and the sink jar
# (mvn -B -pl smtp-benchmarks -am package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/../../../.."

COMPARE=${COMPARE:?set COMPARE to the path of the harness compare.sh}
ROUNDS=${ROUNDS:-15}
JAR=smtp-benchmarks/target/smtp-sink.jar
JAVA_OPTS=${JAVA_OPTS:-}
HAPROXY=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}

[ -f "$JAR" ] || { echo "build first: mvn -B -pl smtp-benchmarks -am package -DskipTests" >&2; exit 1; }
[ -x "$HAPROXY" ] || { echo "haproxy not found (apt-get install haproxy)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
listening() { [ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ]; }

DIRECT_PORT=$(free_port)
PROXIED_PORT=$(free_port)
PLAIN_PORT=$(free_port)
FRONT_PORT=$(free_port)
PLAIN_FRONT_PORT=$(free_port)
WORK=$(mktemp -d)
PIDS=()
stop() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap stop EXIT

# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
java $JAVA_OPTS -jar "$JAR" --port "$DIRECT_PORT" --max-message-size 104857600 > "$WORK/direct.log" 2>&1 &
DIRECT_PID=$!; PIDS+=("$DIRECT_PID")
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" --port "$PROXIED_PORT" --max-message-size 104857600 \
  --proxy-protocol 127.0.0.1 > "$WORK/proxied.log" 2>&1 &
PROXIED_PID=$!; PIDS+=("$PROXIED_PID")
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" --port "$PLAIN_PORT" --max-message-size 104857600 > "$WORK/plain.log" 2>&1 &
PLAIN_PID=$!; PIDS+=("$PLAIN_PID")

# One HAProxy thread: with its default of one per core, its two threads, the load generator and
# the sinks share two cores, and the sink behind it paid for the crowding in CPU per message
# (1.2-1.3x direct) while making the same system calls per message as the direct one.
cat > "$WORK/haproxy.cfg" <<CFG
global
  maxconn 4096
  nbthread ${HAPROXY_THREADS:-1}
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen smtp
  bind 127.0.0.1:$FRONT_PORT
  server sink 127.0.0.1:$PROXIED_PORT send-proxy-v2
listen plain
  bind 127.0.0.1:$PLAIN_FRONT_PORT
  server sink 127.0.0.1:$PLAIN_PORT
CFG
"$HAPROXY" -f "$WORK/haproxy.cfg" -db > "$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!; PIDS+=("$HAPROXY_PID")

for _ in $(seq 600); do
  listening "$DIRECT_PORT" && listening "$PROXIED_PORT" && listening "$PLAIN_PORT" \
    && listening "$FRONT_PORT" && listening "$PLAIN_FRONT_PORT" && break
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || { cat "$WORK"/*.log >&2; exit 1; }; done
  sleep 0.1
done
for port in "$DIRECT_PORT" "$PROXIED_PORT" "$PLAIN_PORT" "$FRONT_PORT" "$PLAIN_FRONT_PORT"; do
  listening "$port" || { echo "nothing listens on $port" >&2; cat "$WORK"/*.log >&2; exit 1; }
done
grep -h 'warmed up' "$WORK/direct.log" "$WORK/proxied.log" "$WORK/plain.log" >&2 || true

REF=direct SCENARIOS=a ROUNDS=$ROUNDS "$COMPARE" \
  direct=127.0.0.1:"$DIRECT_PORT"@"$DIRECT_PID" \
  proxied=127.0.0.1:"$FRONT_PORT"@"$PROXIED_PID" \
  tcp-proxied=127.0.0.1:"$PLAIN_FRONT_PORT"@"$PLAIN_PID" \
  haproxy=127.0.0.1:"$FRONT_PORT"@"$HAPROXY_PID"
