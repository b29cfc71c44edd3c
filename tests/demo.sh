#!/bin/sh
# make demo: the whole story on the demo configuration, in a temporary
# directory: the CRM (the project's Salesforce emulator with a 50-partner
# org), two vendor APIs and two drop folders; one chansyncd cycle, then what
# a channel manager and an operator look at; then a few changes in the CRM
# and a second cycle that resolves and writes only what changed.
# Usage: tests/demo.sh [BUILD]
# The state goes to a new directory under /tmp, or to the existing empty
# directory CHANSYNC_DEMO_DIR names (to look at the database afterwards
# from a known place).
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
if [ -n "${CHANSYNC_DEMO_DIR:-}" ]; then
	D=$CHANSYNC_DEMO_DIR
else
	D=$(mktemp -d /tmp/chansync-demo.XXXXXX)
fi
mkdir -p "$D/state" "$D/spool/distributor" "$D/spool/reghub" "$D/creds"
chmod 700 "$D/creds"

# the CRM and the two vendor APIs: the project's fakes on free loopback
# ports (each prints "PORT n" first)
start_fake() {	# name script args... ; prints the URL
	n=$1
	shift
	python3 "tests/fakes/$@" > "$D/$n.port" 2> "$D/$n.log" &
	echo $! > "$D/$n.pid"
	while ! grep -q '^PORT ' "$D/$n.port" 2>/dev/null; do
		kill -0 "$(cat "$D/$n.pid")" 2>/dev/null || { cat "$D/$n.log" >&2; exit 1; }
		sleep 0.05
	done
	echo "http://127.0.0.1:$(cut -d' ' -f2 "$D/$n.port")"
}
printf '{"data": "%s/fixtures/sf/org.json", "client_id": "chansync-demo",
 "client_secret": "demo-client-secret", "users": ["chansync@vendor.example"]}\n' \
    "$PWD" > "$D/emulator.json"
trap 'kill $(cat "$D"/*.pid) 2>/dev/null' EXIT
CRM=$(start_fake crm sfemu.py --config "$D/emulator.json")
PORTAL=$(start_fake portal vendor.py portal --data fixtures/vendors/portal.json \
    --token demo-portal-token)
HUB=$(start_fake hub vendor.py hub --data fixtures/vendors/hub.json --user chansync \
    --password demo-hub-password)
printf 'demo-portal-token\n' > "$D/creds/portal_token"
printf 'demo-hub-password\n' > "$D/creds/hub_password"
printf 'demo-client-secret\n' > "$D/creds/sf_client_secret"
chmod 600 "$D/creds"/*
export CREDENTIALS_DIRECTORY="$D/creds"

sed -e "s|@STATE@|$D/state|g" -e "s|@SPOOL@|$D/spool|g" -e "s|@LOGIN@|$CRM|g" \
    -e "s|@PORTAL@|$PORTAL|g" -e "s|@HUB@|$HUB|g" config/demo.yaml > "$D/chansync.yaml"
cp fixtures/demo/distributor-*.csv "$D/spool/distributor/"
cp fixtures/demo/reghub-*.ndjson "$D/spool/reghub/"
D_BIN="$BUILD/chansyncd"
C_BIN="$BUILD/chansyncctl -c $D/chansync.yaml"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# one cycle; the full log goes to a file, the summary lines to the screen
cycle() {	# log-file
	rc=0
	CHANSYNC_LOG_TARGET=stderr "$D_BIN" -c "$D/chansync.yaml" --once 2> "$1" || rc=$?
	grep -E 'cycle [0-9]+ (ok|partial|failed)|write-back|dry run|failed' "$1" || true
	printf '%s alerts raised, %s updated, %s resolved; %s conflicts opened, %s closed\n' \
	    "$(grep -c 'alert .* raised' "$1")" "$(grep -c 'alert .* updated' "$1")" \
	    "$(grep -c 'alert .* resolved' "$1")" "$(grep -c 'conflict .* opened' "$1")" \
	    "$(grep -c 'conflict .* closed' "$1")"
	echo "exit status: $rc (full log: $1)"
}

say "configuration: $D/chansync.yaml"
echo "CRM (Salesforce emulator) $CRM, vendor portal $PORTAL, deal hub $HUB"
"$D_BIN" --check-config -c "$D/chansync.yaml"

say "the Salesforce org checked for every field the configuration needs: chansyncctl crm check"
$C_BIN crm check

say "cycle 1: chansyncd --once"
cycle "$D/cycle1.log"

say "chansyncctl status"
$C_BIN status

say "the partner scorecard, ranked: chansyncctl scores"
$C_BIN scores

TOP=$($C_BIN --json scores | python3 -c 'import json,sys
d=json.load(sys.stdin); r=d["partners"] if isinstance(d,dict) else d
print(r[0]["partner_id"] if r else "")')
if [ -n "$TOP" ]; then
	say "one partner's page for the business review: chansyncctl partner $TOP"
	$C_BIN partner "$TOP"
fi

say "open conflicts and their recommended winners: chansyncctl conflicts (first 15)"
$C_BIN conflicts | head -16

DA=$($C_BIN --json conflicts | python3 -c 'import json,sys
d=json.load(sys.stdin); print(next((r["key"] for r in d if r.get("type") == "double_approval"), ""))')
if [ -n "$DA" ]; then
	say "two partners approved for one deal: chansyncctl conflict $DA"
	$C_BIN conflict "$DA"
fi

say "partner ids the CRM does not know: chansyncctl partners --unresolved"
$C_BIN partners --unresolved

say "open alerts: chansyncctl alerts (first 20)"
$C_BIN alerts | head -21

say "what chansync wrote to the CRM, read back from the emulator"
python3 tests/demo_crm.py show "$CRM"

say "what was quarantined, and why: chansyncctl quarantine"
$C_BIN quarantine

say "files refused whole (failed/ with a .reason)"
for r in "$D"/spool/*/failed/*.reason; do
	[ -e "$r" ] || continue
	printf '%s: %s\n' "${r#$D/spool/}" "$(cat "$r")"
done

say "changes in the CRM before the next cycle"
python3 tests/demo_crm.py change "$CRM" "$C_BIN"

say "cycle 2: updates, resolutions, and only the changed records written"
cycle "$D/cycle2.log"
grep -E 'alert .* resolved|conflict .* (opened|closed)' "$D/cycle2.log" || true

say "the last writes, old -> new: chansyncctl audit --action crm.write --limit 8"
$C_BIN audit --action crm.write --limit 8

say "cycle 3: nothing changed, nothing written"
cycle "$D/cycle3.log"

if [ -n "$DA" ]; then
	say "a channel manager decides the double approval: the daemon takes it"
	CHANSYNC_LOG_TARGET=stderr "$D_BIN" -c "$D/chansync.yaml" 2> "$D/daemon.log" &
	echo $! > "$D/daemon.pid"
	n=0
	while [ ! -S "$D/state/chansyncd.sock" ] && [ $n -lt 200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	$C_BIN conflict "$DA" decide --winner reghub:HUB-7781 \
	    --reason "Alpine IT AG holds the customer's framework agreement"
	kill -TERM "$(cat "$D/daemon.pid")"
	wait "$(cat "$D/daemon.pid")" || true
	rm -f "$D/daemon.pid"
	say "the next cycle writes the decision back: the CRM's record, the sources' files"
	cycle "$D/cycle-decision.log"
	python3 tests/demo_crm.py conflict "$CRM" "$DA"
	for f in "$D"/state/decisions/*.ndjson; do
		[ -e "$f" ] && printf '%s:\n%s\n' "${f#$D/}" "$(cat "$f")"
	done
fi

say "the audit log: chansyncctl audit (the last 10 rows)"
$C_BIN audit --limit 10

say "chansyncctl audit verify"
$C_BIN audit verify

say "the approval queue of one channel manager: chansyncctl queue --owner \"Ana Ruiz\""
$C_BIN queue --owner "Ana Ruiz" | head -16

say "the digest Ana Ruiz gets in the morning: chansyncctl digest --owner \"Ana Ruiz\""
$C_BIN digest --owner "Ana Ruiz"

say "the business review pages: chansyncctl report partner $TOP and report program"
mkdir -p "$D/reports"
if [ -n "$TOP" ]; then
	$C_BIN report partner "$TOP" --html "$D/reports/partner.html"
	$C_BIN report partner "$TOP" --audience partner \
	    --html "$D/reports/partner-for-partner.html"
	if command -v chromium >/dev/null 2>&1; then
		$C_BIN report partner "$TOP" --pdf "$D/reports/partner.pdf" ||
		    echo "(no PDF: Chromium could not print)"
	fi
fi
$C_BIN report program --html "$D/reports/program.html"
printf 'open them in a browser: file://%s/reports/partner.html and file://%s/reports/program.html\n' "$D" "$D"

printf '\nThe demo state is in %s (remove it with: rm -rf %s)\n' "$D" "$D"
