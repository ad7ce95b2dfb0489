#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every benchmark, each against a baseline measured in this run.
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench: needs root (BPF_PROG_RUN, namespaces)" >&2; exit 1; }
rc=0
for b in ${BENCH:-xdp responder control}; do
	case $b in
	xdp) build/bench/xdp_bench || rc=1 ;;
	*) [ -x bench/$b.sh ] && { bench/$b.sh || rc=1; } ;;
	esac
	echo
done
exit $rc
