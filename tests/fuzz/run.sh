#!/bin/sh
# Runs the libFuzzer targets built in BUILD/fuzz.
#   tests/fuzz/run.sh BUILD smoke SECONDS   replay the seeds and the kept
#                                           regressions, then fuzz each
#                                           target for SECONDS (make check)
#   tests/fuzz/run.sh BUILD long RUNS       fuzz each target for RUNS
#                                           executions and print the figures
#                                           (make fuzz)
# New inputs go to a scratch corpus under BUILD; an input that breaks a
# target is written to BUILD/fuzz/crash-TARGET-* and the run fails: copy
# it into tests/fuzz/regress/TARGET/ with the fix.
set -u
build=$1 mode=$2 amount=$3
here=$(dirname "$0")
targets="fuzz_jscan fuzz_json fuzz_csv fuzz_config fuzz_normalize fuzz_record fuzz_soql"
seeds=$build/fuzz/seeds
rm -rf "$seeds"
python3 "$here/seeds.py" "$seeds" >/dev/null || exit 1
failed=0
for t in $targets; do
	work=$build/fuzz/corpus/$t
	mkdir -p "$work"
	dirs="$work $seeds/$t"
	[ -d "$here/regress/$t" ] && dirs="$dirs $here/regress/$t"
	if [ "$mode" = smoke ]; then
		limit="-max_total_time=$amount"
	else
		limit="-runs=$amount"
	fi
	log=$build/fuzz/$t.log
	# -timeout: one input stuck for 10 s is a hang; -rss_limit_mb: a
	# memory budget broken is a failure too
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$build/fuzz/$t" $dirs $limit -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$build/fuzz/crash-$t-" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -E '^#[0-9]+.*(DONE|INITED)' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	if [ $rc -eq 0 ]; then
		printf '  %-15s ok: %s executions, %s/s, coverage %s edges, corpus %s\n' \
		    "$t" "${execs:-?}" "${speed:-?}" "${cov:-?}" "$(ls "$work" | wc -l)"
	else
		failed=$((failed + 1))
		printf '  %-15s FAILED (exit %d); the end of %s:\n' "$t" "$rc" "$log"
		grep -v '^#' "$log" | tail -40
	fi
done
[ $failed -eq 0 ] || { echo "fuzz: $failed target(s) failed"; exit 1; }
echo "fuzz: every target ok"
