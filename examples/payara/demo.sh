#!/usr/bin/env bash
# The SQLite persistence canary in two deploys, on Payara Micro. Needs only JDK 17+ and Maven.
#
#   bash examples/payara/demo.sh          (from the repository's root)
#
# Builds the library and the notes example, then deploys the notes WAR twice, the way a container
# platform does: the database stays on a "volume" directory, while the server's temporary directory
# (java.io.tmpdir, where the canary keeps its lock by default) is wiped between the deploys.
# The first deploy answers 503 with the guidance; the second answers 200.
set -euo pipefail

example="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$example/../.." && pwd)"
demo="$example/target/demo"
client="$example/demo/DemoClient.java"
server_pid=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Building the library and the Payara Micro example (mvn, a minute or two the first time)"
mvn -B -q -f "$root/pom.xml" install -DskipTests -DskipExamples
mvn -B -q -f "$example/pom.xml" verify -DskipTests

rm -rf "$demo"
mkdir -p "$demo/volume" "$demo/tmp"
# Payara Micro listens on loopback only, HTTP and its data grid alike.
printf '%s\n' \
  "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1" \
  "set hazelcast-runtime-configuration.interface=127.0.0.1" > "$demo/loopback.txt"

port="${PORT:-8080}"
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

# The WAR's own configuration, with the database pointed at the demo's volume directory, as an
# operator does with an environment variable. The lock stays at its default,
# ${java.io.tmpdir}/sqlite-persistence-canary, inside the directory a redeploy wipes.
export SQLITE_CANARY_DATABASE="$demo/volume/notes.db"

deploy() { # $1: name of the log file
  java -Xmx512m -Djava.io.tmpdir="$demo/tmp" -Dhazelcast.socket.bind.any=false \
    -jar "$example/target/payara-micro.jar" --deploy "$example/target/notes.war" \
    --port "$port" --nocluster --prebootcommandfile "$demo/loopback.txt" > "$demo/$1" 2>&1 &
  server_pid=$!
  echo "Payara Micro is starting (pid $server_pid, log $demo/$1) ..."
  echo "GET http://127.0.0.1:$port/health/ready"
  verdict="$(java "$client" await "http://127.0.0.1:$port/health/ready" "$server_pid")"
  echo "$verdict"
}

summary() { # the status code and the canary's state of the last verdict
  echo "$(cut -d' ' -f2 <<<"$verdict") $(grep -o '"state":"[A-Z_]*"' <<<"$verdict" | cut -d'"' -f4)"
}

step "Deploy 1: a fresh database on the volume"
deploy deploy-1.log
first="$(summary)"
echo
echo "The canary's warning in the server log:"
grep -o 'sqlite-persistence-canary [A-Z_]* (DOWN).*' "$demo/deploy-1.log" | head -n 1 | sed 's/^/  /'
echo
echo "The application still works for its operators; it writes a note:"
java "$client" post "http://127.0.0.1:$port/notes/api/notes" '{"text":"written on the first deploy"}'
stop_server

step "Redeploy: the volume is kept, the temporary directory is wiped (rm -rf $demo/tmp)"
rm -rf "$demo/tmp"
mkdir -p "$demo/tmp"
deploy deploy-2.log
second="$(summary)"
echo
echo "The note of the first deploy is still there:"
java "$client" get "http://127.0.0.1:$port/notes/api/notes"
stop_server

step "Deploy 1: $first (not ready, \"redeploy now\"); redeploy: $second"
if [[ "$second" == "200 VERIFIED" ]]; then
  echo "The redeploy proved that the database is kept; from now on the canary stays quiet."
else
  echo "Not verified: read the message above (for example, a database on a container's overlay file system)."
fi
