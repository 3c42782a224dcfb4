#!/usr/bin/env bash
# The canary's two-deploy story in one minute, with the command-line jar and nothing else:
# a first boot, a restart, and a redeploy that wipes the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q package -DskipTests -DskipExamples
jar=$(ls target/sqlite-persistence-canary-*-cli.jar)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/volume"
canary() { java -jar "$jar" check --database "$work/volume/app.db" --lock-dir "$work/tmp/sqlite-persistence-canary" || true; }

echo "== deploy 1: a new database =="
canary
echo
echo "== restart: same container, the temporary directory is still there =="
canary
echo
echo "== deploy 2: a new container, the temporary directory was wiped, the volume was kept =="
rm -rf "$work/tmp"
canary
