#!/usr/bin/env bash
# Sending side: our SmtpClient (ClientLoadDriver) against postfix's smtp-source (C) and, when
# ANGUS_CP is set, Angus Mail (AngusBench), all sending to one postfix smtp-sink, interleaved:
# every round runs each client in turn on the same scenario.
#
#   smtp-benchmarks/src/main/sh/client-bench.sh                 # 3 rounds, scenarios a and b
#   ROUNDS=5 ANGUS_CP=path/with/AngusBench.class:angus-jars... smtp-benchmarks/src/main/sh/client-bench.sh
#   BASE_JAR=other/smtp-sink.jar ...   # also our driver from another build (before a change), as "base"
#   LOCK=some/file ...                  # hold this lock (flock) during each round, on a shared machine
#
# a: A_MESSAGES (100,000) messages of 1 KiB over 20 connections; b: B_MESSAGES (10,000) messages
# of 100 KiB over 10 connections. Long enough runs that a JVM client is measured after its JIT has
# compiled the sending path (shorter runs mostly measure the compiler).
# Prints one line per run: client, scenario, msg/s, MiB/s, client CPU us/msg; after smtp-source
# and our driver, smtp-sink's own CPU share over the measured time (near 100% of a core: the sink
# is the limit); before each round, the load average (another job on the machine shows there).
set -euo pipefail
cd "$(dirname "$0")/../../../.."

ROUNDS=${ROUNDS:-3}
A_MESSAGES=${A_MESSAGES:-100000}
B_MESSAGES=${B_MESSAGES:-10000}
SINK=${SINK:-/usr/sbin/smtp-sink}
SOURCE=${SOURCE:-/usr/sbin/smtp-source}
JAR=smtp-benchmarks/target/smtp-sink.jar
JAVA_OPTS=${JAVA_OPTS:--Xmx1g}
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
FROM=bench@example.com
TO=sink@example.com

[ -f "$JAR" ] || { echo "build first: mvn -B -pl smtp-benchmarks -am package -DskipTests" >&2; exit 1; }

"$SINK" -u nobody -m 20000 -h smtp-sink 127.0.0.1:"$PORT" 4096 &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
  sleep 0.1
done

# smtp-sink's user + system CPU in clock ticks (1/100 s)
sink_ticks() { awk '{print $14 + $15}' /proc/"$SINK_PID"/stat; }

# smtp-source: wall time and CPU (user + system) of the whole process
source_run() { # sessions messages size
  local out ticks0
  ticks0=$(sink_ticks)
  out=$( { /usr/bin/time -f '%e %U %S' timeout 180 "$SOURCE" -d -s "$1" -m "$2" -l "$3" \
      -f "$FROM" -t "$TO" -M bench.example.com 127.0.0.1:"$PORT" >/dev/null; } 2>&1 | tail -1)
  read -r wall user sys <<<"$out"
  python3 -c "w,u,s=$wall,$user,$sys; n=$2; b=$3
print('smtp-source %s sessions: %d msgs of %d B in %.2f s = %.0f msg/s, %.1f MiB/s, client CPU %.0f us/msg' % ($1, n, b, w, n/w, n*b/w/1048576, (u+s)*1e6/n))
print('peer $SINK_PID CPU during the measured phase: %.0f%% of a core' % (($(sink_ticks) - $ticks0) / w))"
}

ours_run() { # connections messages size
  timeout 900 java $JAVA_OPTS -cp "$JAR" io.smtpprotocol.benchmarks.client.ClientLoadDriver \
    --port "$PORT" --connections "$1" --messages "$2" --size "$3" --peer-pid "$SINK_PID"
}

base_run() { # connections messages size
  [ -n "${BASE_JAR:-}" ] || return 0
  echo -n "base: "
  timeout 900 java $JAVA_OPTS -cp "$BASE_JAR" io.smtpprotocol.benchmarks.client.ClientLoadDriver \
    --port "$PORT" --connections "$1" --messages "$2" --size "$3" --peer-pid "$SINK_PID"
}

angus_run() { # threads messages size
  [ -n "${ANGUS_CP:-}" ] || return 0
  timeout 600 java $JAVA_OPTS -cp "$ANGUS_CP" AngusBench "$PORT" "$1" "$2" "$3"
}

for round in $(seq "$ROUNDS"); do
  if [ -n "${LOCK:-}" ]; then
    exec 9>"$LOCK"
    flock 9
  fi
  echo "== round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "-- a: 1 KiB x 20 connections"
  source_run 20 "$A_MESSAGES" 1024
  ours_run 20 "$A_MESSAGES" 1024
  angus_run 20 "$A_MESSAGES" 1024
  base_run 20 "$A_MESSAGES" 1024
  echo "-- b: 100 KiB x 10 connections"
  source_run 10 "$B_MESSAGES" 102400
  ours_run 10 "$B_MESSAGES" 102400
  angus_run 10 "$B_MESSAGES" 102400
  base_run 10 "$B_MESSAGES" 102400
  if [ -n "${LOCK:-}" ]; then
    flock -u 9
  fi
done
