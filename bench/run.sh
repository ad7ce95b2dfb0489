#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every benchmark, each against a baseline measured in this run.
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench: needs root (BPF_PROG_RUN, namespaces)" >&2; exit 1; }

# The XDP cost breakdown times bpf/gate511.bpf.c cut short after each stage
# (bench_stage() there): build the cuts, same flags as the Makefile's.
xdp_stages() {
	local dir=build/bench arch
	arch=/usr/include/$(${CC:-cc} -dumpmachine)
	mkdir -p "$dir"
	for n in 0 1 2 3 4 5 6; do
		local o=$dir/gate511_stage$n.bpf.o
		[ "$o" -nt bpf/gate511.bpf.c ] && [ "$o" -nt include/gate511.h ] &&
			[ "$o" -nt include/g511_wire.h ] && [ "$o" -nt bpf/gate511_tc.h ] && continue
		${CLANG:-clang} -g -O2 --target=bpf -Wall -Werror -Iinclude -I"$arch" \
			-DG511_BENCH_STAGE=$n -c bpf/gate511.bpf.c -o "$o" || return 1
	done
	echo "$dir"
}

rc=0
for b in ${BENCH:-xdp tc responder control radius}; do
	case $b in
	xdp)
		stages=$(xdp_stages) || { stages=""; echo "bench: cannot build the XDP stage cuts" >&2; rc=1; }
		build/bench/xdp_bench bpf/gate511.bpf.o bench/xdp_min.bpf.o "$stages" bench/xdp_floor.bpf.o || rc=1 ;;
	*) [ -x bench/$b.sh ] && { bench/$b.sh || rc=1; } ;;
	esac
	echo
done
exit $rc
