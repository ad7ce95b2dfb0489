#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench/tc.sh - the cost of the TC egress program gate511_tc on the
# download path, as a ratio to the same path with no program, measured in
# the same run.
#
# The path: two namespaces joined by a veth; iperf3 sends from the
# "gateway" side to the "client" side, whose address holds a grant. Four
# configurations, each run measuring all four:
#   none    no clsact qdisc at all: the baseline
#   count   gate511_tc, a grant without quota or rate: counting only
#   quota   gate511_tc, a grant with a quota of 2^62 bytes (checked, never hit)
#   rate    gate511_tc, a grant with rate-down TC_RATE (default 10 Gb/s,
#           above what the path carries, so nothing is dropped): the EDT
#           code runs on every packet and sets skb->tstamp
# The order rotates run by run, so a noisy neighbour hits them all alike;
# each figure is the median of RUNS runs; each ratio is the median of the
# per-run ratios (cost: none / with; > 1 is slower):
#   64B   UDP, 18-byte payloads (64-byte frames), packets/s of the sender
#   tcp   one TCP stream, bits/s
# Then BPF_PROG_RUN: ns per run of gate511_tc with each grant and of
# bench/tc_min.bpf.o (an empty program), on a 64-byte frame to the
# granted client.
#
# It runs in a mount namespace of its own with a fresh bpffs on
# /sys/fs/bpf, so the maps it pins (by name, as iproute2 and libbpf do)
# never meet those of a test bed or a gateway running beside it.
# No fq qdisc is installed (the baseline has none either): the rate case
# measures what the program costs to stamp, not the pacing, which fq would
# apply (and this VM's kernel may not have fq at all: the output says).
# Goals (issue 12): count and quota <= 1.15x, rate <= 1.3x; the output
# says met or missed from the medians (a figure, not a test).
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench/tc: needs root" >&2; exit 1; }
if [ -z "${G511_TC_PRIVATE_BPFFS:-}" ]; then
	exec unshare -m --propagation private env G511_TC_PRIVATE_BPFFS=1 "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf || { echo "bench/tc: cannot mount a private bpffs" >&2; exit 1; }
for t in iperf3 bpftool tc jq; do
	command -v $t >/dev/null || { echo "bench/tc: $t missing" >&2; exit 1; }
done
RUNS=${TC_RUNS:-7}
RATE=${TC_RATE:-10000000000}
SECS=${TC_SECS:-2}
P=g5tc$(( $$ % 10000 ))
NS_G=${P}g NS_C=${P}c
PIN=/sys/fs/bpf/${P}	# in the private bpffs
TMP=$(mktemp -d /tmp/g511tcb.XXXXXX)
SRV=""
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	ip netns del $NS_G 2>/dev/null
	ip netns del $NS_C 2>/dev/null
	ip netns del ${P}q 2>/dev/null
	rm -rf "$TMP"	# the private bpffs goes with this mount namespace
}
trap cleanup EXIT
g() { nsenter --net=/run/netns/$NS_G "$@"; }
c() { nsenter --net=/run/netns/$NS_C "$@"; }

ip netns add $NS_G && ip netns add $NS_C || exit 1
ip link add ${P}a netns $NS_G type veth peer name ${P}b netns $NS_C
g ip link set lo up; c ip link set lo up
g ip addr add 10.99.0.1/24 dev ${P}a; c ip addr add 10.99.0.2/24 dev ${P}b
g ip link set ${P}a up; c ip link set ${P}b up
c ip link set ${P}b address 02:99:00:00:00:02
g ip neigh replace 10.99.0.2 lladdr 02:99:00:00:00:02 dev ${P}a

mkdir -p "$PIN"
bpftool prog loadall bpf/gate511.bpf.o "$PIN/p" 2>/dev/null || exit 1
bpftool prog load bench/tc_min.bpf.o "$PIN/min" 2>/dev/null || exit 1
# the client's grant, struct g511_grant: expires, idle, quota, rate_up,
# rate_down (8 bytes each, little endian), then 80 bytes of zeros
key=$(printf '00 00 00 00 00 00 00 00 00 00 ff ff 0a 63 00 02')
le64() { local v=$1 i; for i in 0 1 2 3 4 5 6 7; do printf '%02x ' $(( (v >> (8 * i)) & 255 )); done; }
grant() { # QUOTA RATE_DOWN: a fresh grant (counters and EDT state zero)
	bpftool map update pinned /sys/fs/bpf/g511_clients key hex $key value hex \
		$(le64 0) $(le64 0) $(le64 "$1") $(le64 0) $(le64 "$2") $(printf '00 %.0s' $(seq 80))
}
grant 0 0 || exit 1
stat_idx() {
	grep -o '"[a-z_0-9]*"' include/gate511.h | sed -n '/pass_client/,$p' | tr -d '"' |
		grep -nx "$1" | cut -d: -f1
}
stat_get() {
	bpftool -j map lookup pinned /sys/fs/bpf/g511_stats key $(( $(stat_idx "$1") - 1 )) 0 0 0 |
		jq '[.formatted.values[].value] | add'
}
# fq: present in this kernel? (only asked, never installed on the path)
ip netns add ${P}q 2>/dev/null
if nsenter --net=/run/netns/${P}q tc qdisc add dev lo root fq 2>/dev/null; then
	FQ="fq exists in this kernel but is not installed here: the stamps are set, no pacing"
else
	FQ="this kernel has no fq qdisc: the program sets skb->tstamp, nothing paces by it"
fi
ip netns del ${P}q 2>/dev/null

c iperf3 -s -D -I "$TMP/srv.pid" >/dev/null 2>&1
for i in $(seq 50); do [ -s "$TMP/srv.pid" ] && break; sleep 0.1; done
SRV=$(cat "$TMP/srv.pid" 2>/dev/null)
for i in $(seq 50); do g bash -c 'exec 3<>/dev/tcp/10.99.0.2/5201' 2>/dev/null && break; sleep 0.1; done

prog_on() {
	g tc qdisc add dev ${P}a clsact &&
	g tc filter add dev ${P}a egress bpf da pinned "$PIN/p/gate511_tc"
}
prog_off() { g tc qdisc del dev ${P}a clsact 2>/dev/null; true; }
udp64() {
	g iperf3 -c 10.99.0.2 -u -b 0 -l 18 -t "$SECS" -J 2>/dev/null |
		jq '.end.sum.packets / .end.sum.seconds'
}
tcp1() { g iperf3 -c 10.99.0.2 -t "$SECS" -J 2>/dev/null | jq '.end.sum_sent.bits_per_second'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }

CONFS="none count quota rate"
for f in $CONFS; do : > "$TMP/64.$f"; : > "$TMP/tcp.$f"; : > "$TMP/64.r.$f"; : > "$TMP/tcp.r.$f"; done
conf() { # set up configuration $1
	prog_off
	case $1 in
	none) return 0 ;;
	count) grant 0 0 ;;
	quota) grant $((1 << 62)) 0 ;;
	rate) grant 0 "$RATE" ;;
	esac || return 1
	prog_on || { echo "bench/tc: cannot attach gate511_tc" >&2; return 1; }
}
drops0=$(stat_get tc_drop_rate)
for r in $(seq "$RUNS"); do
	# the order rotates, so none gains from its place
	k=$(( (r - 1) % 4 ))
	order=$(echo $CONFS $CONFS | cut -d' ' -f$((k + 1))-$((k + 4)))
	for f in $order; do
		conf "$f" || exit 1
		udp64 > "$TMP/cur.64.$f"; tcp1 > "$TMP/cur.tcp.$f"
		[ "$f" = rate ] && pkts=$(bpftool -j map lookup pinned /sys/fs/bpf/g511_clients key hex $key |
			jq .formatted.value.packets_down)
	done
	prog_off
	for f in $CONFS; do
		cat "$TMP/cur.64.$f" >> "$TMP/64.$f"; cat "$TMP/cur.tcp.$f" >> "$TMP/tcp.$f"
		# cost ratio: rate without / rate with
		awk -v a="$(cat "$TMP/cur.64.none")" -v x="$(cat "$TMP/cur.64.$f")" \
			'BEGIN { if (x > 0) printf "%.4f\n", a / x }' >> "$TMP/64.r.$f"
		awk -v b="$(cat "$TMP/cur.tcp.none")" -v y="$(cat "$TMP/cur.tcp.$f")" \
			'BEGIN { if (y > 0) printf "%.4f\n", b / y }' >> "$TMP/tcp.r.$f"
	done
done
drops=$(( $(stat_get tc_drop_rate) - drops0 ))

goal() { case $1 in rate) echo 1.3 ;; *) echo 1.15 ;; esac; }
met() { awk -v r="$1" -v g="$2" 'BEGIN { print (r <= g ? "met" : "MISSED") }'; }
echo "tc egress (gate511_tc) vs no program, same veth path, $RUNS runs of ${SECS}s each, medians:"
printf '  %-5s %-6s %16s %8s  %s\n' path grant rate ratio "goal"
for p in 64B tcp; do
	for f in $CONFS; do
		t=${p%B}
		if [ $p = 64B ]; then v=$(median < "$TMP/64.$f" | awk '{ printf "%12.0f/s", $1 }')
		else v=$(median < "$TMP/tcp.$f" | awk '{ printf "%9.2f Gb/s", $1 / 1e9 }'); fi
		if [ $f = none ]; then
			printf '  %-5s %-6s %16s %8s  %s\n' $p "$f" "$v" "1" "(baseline)"
		else
			ratio=$(median < "$TMP/$t.r.$f")
			printf '  %-5s %-6s %16s %7.3fx  <= %sx %s\n' $p "$f" "$v" "$ratio" "$(goal $f)" \
				"$(met "$ratio" "$(goal $f)")"
		fi
	done
done
echo "  rate = rate-down $(awk -v r="$RATE" 'BEGIN { print r / 1e9 }') Gb/s; ${FQ}"
echo "  (last rate run: ${pkts:-?} download packets counted; $drops dropped by the rate over all runs)"

# BPF_PROG_RUN: the program alone
/usr/bin/python3 - "$TMP/f64" <<'PY'
import struct, sys
eth = bytes.fromhex("029900000002" "029900000001" "0800")
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, 0, 0, 64, 17, 0,
		 bytes([10, 99, 0, 1]), bytes([10, 99, 0, 2]))
udp = struct.pack("!HHHH", 5201, 40000, 26, 0) + b"x" * 18
open(sys.argv[1], "wb").write(eth + ip + udp)
PY
ns() { bpftool prog run pinned "$1" data_in "$TMP/f64" repeat 2000000 2>&1 |
	sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p'; }
for r in 1 2 3 4 5; do ns "$PIN/min"; done | median > "$TMP/bpr.none"
for f in count quota rate; do
	conf "$f" >/dev/null && prog_off	# the grant of $f (the attach is not used)
	for r in 1 2 3 4 5; do ns "$PIN/p/gate511_tc"; done | median > "$TMP/bpr.$f"
done
echo "BPF_PROG_RUN, 64-byte frame to the granted client (median of 5): empty tc program" \
	"$(cat "$TMP/bpr.none") ns; gate511_tc: count $(cat "$TMP/bpr.count") ns," \
	"quota $(cat "$TMP/bpr.quota") ns, rate $(cat "$TMP/bpr.rate") ns"
