# Sourced by smoke.sh and scale.sh: free loopback ports, the Docker engine to run on, and the
# check that a service's container is healthy and not root.
# The caller defines fail and skip (each prints and exits), sets local_docker, work, the compose
# command array, engine="" and started_dockerd=false, and traps cleanup on EXIT.

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# require_free_port PORT [WHAT]
require_free_port() {
  python3 -c 'import socket, sys; socket.create_server(("127.0.0.1", int(sys.argv[1]))).close()' "$1" \
    2>/dev/null || fail "port $1${2:+ ($2)} is in use"
}

# select_engine ON_START_FAILURE: the machine's own Docker when `docker info` answers (DOCKER_HOST
# included), else the private dockerd of local-docker.sh (started here, and then stopped by the
# caller's cleanup when started_dockerd=true), whose local JRE image becomes BASE_IMAGE unless one
# is given. ON_START_FAILURE (fail or skip) handles a dockerd that does not start; with no engine
# and no local-docker.sh the test is skipped. Sets engine, private_engine and started_dockerd.
select_engine() {
  local on_start_failure=$1 out
  private_engine=false
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    engine="the machine's Docker engine"
  elif [[ -f $local_docker ]]; then
    eval "$(bash "$local_docker" env)"
    if ! docker info >/dev/null 2>&1; then
      if ! out=$(bash "$local_docker" start 2>&1); then
        "$on_start_failure" "local-docker.sh could not start dockerd: $(echo "$out" | tail -3 | tr '\n' ' ')"
      fi
      started_dockerd=true
    fi
    engine="the private engine of local-docker.sh"
    private_engine=true
    if [[ -z ${BASE_IMAGE:-} ]]; then
      BASE_IMAGE=$(bash "$local_docker" base-image 2>"$work/base.err") \
        || fail "local-docker.sh could not build the base image: $(tail -3 "$work/base.err" | tr '\n' ' ')"
    fi
  else
    skip "no Docker engine answers and $local_docker is not there"
  fi
  export BASE_IMAGE=${BASE_IMAGE:-eclipse-temurin:17-jre}
}

# require_healthy_non_root SERVICE: the compose service's container reaches "healthy" within 90 s
# and its process does not run as root. Prints the container id.
require_healthy_non_root() {
  local service=$1 container health=""
  container=$("${compose[@]}" ps -q "$service")
  [[ -n $container ]] || fail "no container for $service"
  for _ in $(seq 1 90); do
    health=$(docker inspect -f '{{.State.Health.Status}}' "$container" 2>/dev/null || echo gone)
    [[ $health == healthy || $health == unhealthy || $health == gone ]] && break
    sleep 1
  done
  [[ $health == healthy ]] || fail "$service is '$health' (want healthy)"
  [[ $(docker exec "$container" id -u) != 0 ]] || fail "$service runs as root"
  echo "$container"
}

# On exit: the compose project's containers, volumes and built images removed (its state and logs
# printed first when the test failed), a dockerd started here stopped, the work directory removed.
cleanup() {
  local rc=$?
  if [[ -n $engine ]] && docker info >/dev/null 2>&1; then
    if ((rc != 0)); then
      "${compose[@]}" ps || true
      "${compose[@]}" logs --no-color --tail=200 || true
    fi
    "${compose[@]}" down -v --rmi local --timeout 20 >/dev/null 2>&1 || true
  fi
  if $started_dockerd; then
    bash "$local_docker" stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
