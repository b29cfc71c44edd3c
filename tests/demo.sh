#!/bin/sh
# make demo: one chansyncd cycle on the demo configuration and sample drop
# files, in a temporary directory, then what an operator would look at.
# Usage: tests/demo.sh [BUILD]
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
D=$(mktemp -d /tmp/chansync-demo.XXXXXX)
mkdir -p "$D/state" "$D/spool/distributor" "$D/spool/reghub"
sed -e "s|@STATE@|$D/state|g" -e "s|@SPOOL@|$D/spool|g" config/demo.yaml > "$D/chansync.yaml"
cp fixtures/demo/distributor-*.csv "$D/spool/distributor/"
cp fixtures/demo/reghub-*.ndjson "$D/spool/reghub/"
D_BIN="$BUILD/chansyncd"
C_BIN="$BUILD/chansyncctl -c $D/chansync.yaml"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "configuration: $D/chansync.yaml"
"$D_BIN" --check-config -c "$D/chansync.yaml"

say "one cycle: chansyncd --once (log on stderr)"
rc=0
CHANSYNC_LOG_TARGET=stderr "$D_BIN" -c "$D/chansync.yaml" --once || rc=$?
echo "exit status: $rc"

say "chansyncctl status"
$C_BIN status

say "what was ingested: chansyncctl registrations"
$C_BIN registrations

say "what was quarantined, and why: chansyncctl quarantine"
$C_BIN quarantine

say "files refused whole (failed/ with a .reason)"
for r in "$D"/spool/*/failed/*.reason; do
	[ -e "$r" ] || continue
	printf '%s: %s\n' "${r#$D/spool/}" "$(cat "$r")"
done

say "the audit log: chansyncctl audit"
$C_BIN audit --limit 40

say "chansyncctl audit verify"
$C_BIN audit verify

say "a second cycle: nothing new, nothing changes"
CHANSYNC_LOG_TARGET=stderr "$D_BIN" -c "$D/chansync.yaml" --once 2>&1 | grep -E 'cycle [0-9]+ (ok|partial|failed)' || true

printf '\nThe demo state is in %s (remove it with: rm -rf %s)\n' "$D" "$D"
