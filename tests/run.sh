#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every gate511 test group and add up the results. Each test program or
# script prints "RESULT: N passed, N failed, N skipped" as its last such line;
# one that prints none and exits non-zero counts as one failure.
set -u
cd "$(dirname "$0")/.."
B=build
total_p=0 total_f=0 total_s=0
declare -a failed_runs=()
declare -A grp_p=() grp_f=() grp_s=()
declare -a groups=()

run_one() { # group, command...
	local group=$1; shift
	local log out p f s rc
	log=$(mktemp)
	echo "== [$group] $*"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	out=$(grep -E '^RESULT: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" | tail -n1)
	rm -f "$log"
	if [ -z "$out" ]; then
		p=0 s=0; f=$([ $rc -eq 0 ] && echo 0 || echo 1)
		[ $rc -eq 0 ] && p=1
	else
		read -r p f s < <(echo "$out" | sed -E 's/RESULT: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/')
		[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	fi
	total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
	[ -n "${grp_p[$group]+x}" ] || { groups+=("$group"); grp_p[$group]=0; grp_f[$group]=0; grp_s[$group]=0; }
	grp_p[$group]=$((grp_p[$group] + p)); grp_f[$group]=$((grp_f[$group] + f))
	grp_s[$group]=$((grp_s[$group] + s))
	printf '   [%s] %s: %d passed, %d failed, %d skipped\n' "$group" "$(basename "${@: -1}")" "$p" "$f" "$s"
	[ "$f" -ne 0 ] && failed_runs+=("$*")
}

only=${TESTS:-}
want() { [ -z "$only" ] || [[ " $only " == *" $1 "* ]]; }

if want unit; then
	for t in $B/tests/test_*; do [ -x "$t" ] && run_one unit "$t"; done
	# pure python parts (the reference portal): the Debian interpreter
	for t in tests/unit/test_*.py; do [ -x "$t" ] && run_one unit /usr/bin/python3 "$t"; done
fi
if want xdp; then
	for t in $B/tests/xdp_*; do [ -x "$t" ] && run_one xdp "$t"; done
fi
if want fuzz; then
	for t in $B/fuzz/fuzz_*; do
		[ -x "$t" ] && run_one fuzz tests/fuzz/run.sh "$(basename "$t")"
	done
fi
if want e2e; then
	for t in tests/e2e/[0-9]*.sh; do [ -x "$t" ] && run_one e2e "$t"; done
fi
if want adversarial && [ -d tests/adversarial ]; then
	for t in tests/adversarial/[0-9]*.sh; do [ -x "$t" ] && run_one adversarial "$t"; done
fi

echo
for g in "${groups[@]}"; do
	printf '%-12s %4d passed, %d failed, %d skipped\n' "$g:" "${grp_p[$g]}" "${grp_f[$g]}" "${grp_s[$g]}"
done
for r in "${failed_runs[@]}"; do echo "failed: $r"; done
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ] && [ "$total_p" -gt 0 ]
