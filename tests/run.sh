#!/bin/sh
# Runs every test against one build directory and ends with
# "N passed, N failed". Usage: tests/run.sh [BUILD]   (default: build)
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${1:-build}
export CHANSYNC_BUILD="$BUILD"
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests ($BUILD)"
for t in "$BUILD"/tests/test_*; do
	case "$t" in *.o|*.d) continue ;; esac
	[ -x "$t" ] || continue
	"$t" >"$log" 2>&1
	rc=$?
	grep -v '^<[0-9]>' "$log" | grep -E 'FAIL|passed' | sed 's/^/  /'
	line=$(grep -E '^[a-z0-9_]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
	# a binary that dies or exits non-zero fails, whatever it printed
	if [ -z "$line" ] || { [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
		echo "  FAIL $t exited $rc"
		failed=$((failed + 1))
	fi
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
done

echo "== integration tests ($BUILD)"
python3 tests/integration/run.py >"$log" 2>&1
rc=$?
sed 's/^/  /' "$log"
line=$(grep -E '^integration: ' "$log" | tail -n 1)
p=$(echo "$line" | sed -n 's/^integration: \([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
if [ -z "$line" ] || { [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
	echo "  FAIL the integration runner exited $rc"
	failed=$((failed + 1))
fi
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
