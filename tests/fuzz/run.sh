#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh [NAME...] - run libFuzzer targets for a bounded time.
#
#   NAME        a target built as build/fuzz/NAME from tests/fuzz/NAME.c
#               (make build/fuzz/NAME, or make fuzz); without NAME every
#               build/fuzz/fuzz_* is run, one after the other.
#   FUZZ_SECONDS  time per target (default 20).
#   FUZZ_ARTIFACTS  where crash/leak/timeout inputs go (default: a temp dir
#               that is kept, and printed, only when something was found).
#
# The seed corpus tests/fuzz/corpus/NAME (committed; may be missing or
# empty) is copied to a temp dir first, so a run never changes the repo;
# the inputs libFuzzer adds are thrown away. Options: -max_len=9000
# (a jumbo frame), -rss_limit_mb=2048, -timeout=10 per input.
#
# Ends with "RESULT: N passed, N failed, 0 skipped" (one per target), the
# line tests/run.sh adds up, and exits non-zero if any target failed.
# Reproduce a failure with: build/fuzz/NAME ARTIFACT_FILE
set -u
cd "$(dirname "$0")/../.."

secs=${FUZZ_SECONDS:-20}
passed=0 failed=0

if [ $# -eq 0 ]; then
	for t in build/fuzz/fuzz_*; do
		[ -x "$t" ] && set -- "$@" "$(basename "$t")"
	done
	if [ $# -eq 0 ]; then
		echo "no fuzz targets in build/fuzz (make fuzz builds them)" >&2
		echo "RESULT: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
fi

run_target() { # name
	local name=$1 bin=build/fuzz/$1 work art rc
	if [ ! -x "$bin" ]; then
		echo "$bin: not built (make $bin)" >&2
		return 1
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/g511-fuzz-$name.XXXXXX") || return 1
	mkdir -p "$work/corpus"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -R "tests/fuzz/corpus/$name/." "$work/corpus/"
	fi
	art=${FUZZ_ARTIFACTS:-$work/artifacts}
	mkdir -p "$art"
	echo "== $name: ${secs}s, corpus $(ls "$work/corpus" | wc -l) seeds"
	"$bin" -max_total_time="$secs" -max_len=9000 -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$art/" "$work/corpus" \
		>"$work/log" 2>&1
	rc=$?
	# the interesting part of libFuzzer's output: the end, and any report
	grep -E '^(INFO: Seed|#[0-9]+ +DONE|Done [0-9]+ runs|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' \
		"$work/log" | tail -n 8
	if [ $rc -ne 0 ]; then
		echo "$name: libFuzzer exited $rc; log and input kept:" >&2
		tail -n 40 "$work/log" >&2
		ls -l "$art" >&2
		echo "log: $work/log" >&2
		return 1
	fi
	rm -rf "$work"
	return 0
}

for name in "$@"; do
	if run_target "$name"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "RESULT: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
