#!/usr/bin/env bash
# Stops exactly the processes up.sh started from DIR (default
# .controlplane), newest first, and forgets them.
set -euo pipefail
DIR=${1:-.controlplane}
[[ -s $DIR/pids ]] || exit 0
tac "$DIR/pids" | while read -r pid name; do
	if kill "$pid" 2>/dev/null; then
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
		echo "stopped $name ($pid)"
	fi
done
rm -f "$DIR/pids"
