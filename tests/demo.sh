#!/bin/sh
# make demo: one chansyncd cycle on the demo configuration and sample drop
# files, in a temporary directory, then what an operator would look at.
# Usage: tests/demo.sh [BUILD]
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
D=$(mktemp -d /tmp/chansync-demo.XXXXXX)
mkdir -p "$D/state" "$D/spool/distributor" "$D/spool/reghub" "$D/creds"
chmod 700 "$D/creds"

# the two vendor APIs: the project's fakes, on free loopback ports
start_fake() {	# kind data-file args... ; prints the URL
	python3 tests/fakes/vendor.py "$@" > "$D/$1.port" 2> "$D/$1.log" &
	echo $! > "$D/$1.pid"
	while ! grep -q '^PORT ' "$D/$1.port" 2>/dev/null; do
		kill -0 "$(cat "$D/$1.pid")" 2>/dev/null || { cat "$D/$1.log"; exit 1; }
		sleep 0.05
	done
	echo "http://127.0.0.1:$(cut -d' ' -f2 "$D/$1.port")"
}
PORTAL=$(start_fake portal --data fixtures/vendors/portal.json --token demo-portal-token)
HUB=$(start_fake hub --data fixtures/vendors/hub.json --user chansync --password demo-hub-password)
trap 'kill $(cat "$D"/*.pid) 2>/dev/null' EXIT
printf 'demo-portal-token\n' > "$D/creds/portal_token"
printf 'demo-hub-password\n' > "$D/creds/hub_password"
chmod 600 "$D/creds"/*
export CREDENTIALS_DIRECTORY="$D/creds"

sed -e "s|@STATE@|$D/state|g" -e "s|@SPOOL@|$D/spool|g" -e "s|@PORTAL@|$PORTAL|g" \
    -e "s|@HUB@|$HUB|g" config/demo.yaml > "$D/chansync.yaml"
cp fixtures/demo/distributor-*.csv "$D/spool/distributor/"
cp fixtures/demo/reghub-*.ndjson "$D/spool/reghub/"
D_BIN="$BUILD/chansyncd"
C_BIN="$BUILD/chansyncctl -c $D/chansync.yaml"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "configuration: $D/chansync.yaml (vendor portal $PORTAL, deal hub $HUB)"
"$D_BIN" --check-config -c "$D/chansync.yaml"

say "one cycle: chansyncd --once (log on stderr)"
rc=0
CHANSYNC_LOG_TARGET=stderr "$D_BIN" -c "$D/chansync.yaml" --once || rc=$?
echo "exit status: $rc"

say "chansyncctl status"
$C_BIN status

say "what was ingested: chansyncctl registrations (first 25)"
$C_BIN registrations --limit 25

say "what was quarantined, and why: chansyncctl quarantine"
$C_BIN quarantine

say "files refused whole (failed/ with a .reason)"
for r in "$D"/spool/*/failed/*.reason; do
	[ -e "$r" ] || continue
	printf '%s: %s\n' "${r#$D/spool/}" "$(cat "$r")"
done

say "the audit log: chansyncctl audit (the last 25 rows)"
$C_BIN audit --limit 25

say "chansyncctl audit verify"
$C_BIN audit verify

say "a second cycle: nothing new, nothing changes"
CHANSYNC_LOG_TARGET=stderr "$D_BIN" -c "$D/chansync.yaml" --once 2>&1 | grep -E 'cycle [0-9]+ (ok|partial|failed)' || true

printf '\nThe demo state is in %s (remove it with: rm -rf %s)\n' "$D" "$D"
