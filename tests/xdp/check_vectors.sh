#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/xdp/check_vectors.sh - do the committed pcap vectors (tests/xdp/vectors)
# still match their generator (tests/xdp/gen_vectors.py)? Regenerates them
# into a temp dir and compares byte for byte, both ways: a vector that
# differs, one the generator no longer writes, and one it writes that is not
# committed each fail. Needs /usr/bin/python3 with scapy (python3-scapy);
# without it the check says "skipped" and why. No root needed.
# Fix a failure with: tests/xdp/gen_vectors.py && git add tests/xdp/vectors
set -u
cd "$(dirname "$0")"
pass=0 fail=0 skip=0
if ! /usr/bin/python3 -c 'import scapy.all' 2>/dev/null; then
	echo "skip vectors: /usr/bin/python3 cannot import scapy (apt-get install python3-scapy)"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
tmp=$(mktemp -d /tmp/g511vec.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if ! /usr/bin/python3 gen_vectors.py "$tmp" >"$tmp.log" 2>&1; then
	echo "FAIL vectors: gen_vectors.py failed:"; sed 's/^/   /' "$tmp.log" | tail -5
	rm -f "$tmp.log"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
rm -f "$tmp.log"
for f in "$tmp"/*.pcap; do
	n=$(basename "$f")
	if [ ! -e "vectors/$n" ]; then
		echo "FAIL $n: written by gen_vectors.py, not committed"; fail=$((fail + 1))
	elif ! cmp -s "$f" "vectors/$n"; then
		echo "FAIL $n: differs from what gen_vectors.py writes"; fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
for f in vectors/*.pcap; do
	[ -e "$tmp/$(basename "$f")" ] && continue
	echo "FAIL $(basename "$f"): committed, no longer written by gen_vectors.py"
	fail=$((fail + 1))
done
echo "RESULT: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
