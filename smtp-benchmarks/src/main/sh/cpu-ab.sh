#!/usr/bin/env bash
# Two builds of the sink, A and B, under the same load, interleaved: postfix smtp-source sends
# MESSAGES messages of 1 KiB over 20 sessions to each in turn, RUNS times (the order alternating),
# and the CPU time of each sink process (utime+stime from /proc, in clock ticks) is summed over its
# own runs. Longer runs than compare.sh's scenario a, so the 10 ms tick matters less.
#
#   smtp-benchmarks/src/main/sh/cpu-ab.sh A.jar B.jar
#   RUNS=8 MESSAGES=20000 smtp-benchmarks/src/main/sh/cpu-ab.sh old/smtp-sink.jar new/smtp-sink.jar
#
# The sinks run as users run them (java -jar, default settings, their own warm-up first); each is
# stopped by PID at the end. Prints each run and the B/A ratios of CPU per message and of rate.
set -euo pipefail
A_JAR=${1:?first sink jar}
B_JAR=${2:?second sink jar}
RUNS=${RUNS:-8}
MESSAGES=${MESSAGES:-20000}
SMTP_SOURCE=${SMTP_SOURCE:-$(command -v smtp-source || echo /usr/sbin/smtp-source)}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d)
A_PORT=$(free_port)
B_PORT=$(free_port)
java -jar "$A_JAR" --port "$A_PORT" > "$WORK/a.log" 2>&1 & A_PID=$!
java -jar "$B_JAR" --port "$B_PORT" > "$WORK/b.log" 2>&1 & B_PID=$!
trap 'kill $A_PID $B_PID 2>/dev/null; wait $A_PID $B_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 300); do
  grep -q "listening on .*:$A_PORT" "$WORK/a.log" && grep -q "listening on .*:$B_PORT" "$WORK/b.log" && break
  sleep 0.2
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A cpu=([a]=0 [b]=0) nanos=([a]=0 [b]=0)
for i in $(seq "$RUNS"); do
  if ((i % 2)); then order="a b"; else order="b a"; fi
  for v in $order; do
    if [ "$v" = a ]; then pid=$A_PID port=$A_PORT; else pid=$B_PID port=$B_PORT; fi
    t0=$(ticks "$pid"); s0=$(date +%s%N)
    "$SMTP_SOURCE" -d -f bench@example.com -t sink@example.com -s 20 -m "$MESSAGES" -l 1024 \
      "127.0.0.1:$port" > /dev/null 2>&1 || { echo "smtp-source failed against $v" >&2; exit 1; }
    s1=$(date +%s%N); t1=$(ticks "$pid")
    cpu[$v]=$((cpu[$v] + t1 - t0)); nanos[$v]=$((nanos[$v] + s1 - s0))
    echo "run $i $v: $((t1 - t0)) ticks, $(((s1 - s0) / 1000000)) ms"
  done
done
echo "A: ${cpu[a]} ticks, $((nanos[a] / 1000000)) ms; B: ${cpu[b]} ticks, $((nanos[b] / 1000000)) ms" \
  "for $((RUNS * MESSAGES)) messages each"
python3 -c "import sys; a, b, na, nb = map(int, sys.argv[1:]); print(f'B/A CPU per message {b / a:.3f}, B/A msg/s {na / nb:.3f}')" \
  "${cpu[a]}" "${cpu[b]}" "${nanos[a]}" "${nanos[b]}"
