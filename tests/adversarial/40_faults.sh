#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Adversarial group 4, faults: the world breaks while an unauthenticated
# client floods and an authorized one works. The upstream capture runs for
# the whole script, so "no unauthenticated packet reached upstream" covers
# every moment, restarts and program swaps included.
#
#  - kill -9 of gate511d under traffic, then restart: grants all survive;
#  - the XDP program replaced under a flood: `ip -force link ... xdp obj`
#    (atomic) and the libxdp path (xdp-loader);
#  - the wall clock stepped a day forward and back under the daemon, by an
#    LD_PRELOAD shim (wallshift.c) that shifts only the daemon's
#    CLOCK_REALTIME: stepping the machine's clock (date -s) would disturb
#    every other process on the box, so it is never done here. Grant
#    deadlines are BOOTTIME: no mass expiry, no extension;
#  - g511_clients filled to its limit: the next grant fails, an import
#    that would overflow changes nothing, nobody is evicted;
#  - a veth with 4 RX queues (a bed of its own): one AF_XDP socket per
#    queue, HTTP steered onto each queue is answered.
set -u
. "$(dirname "$0")/lib.sh"

adv_bed f
in_cl ip addr add 10.51.0.4/24 dev "$IF_CL"
UNAUTH4=10.51.0.3 UNAUTH6=fd51::3
OBJ=${ADV_OBJ:-$ROOT/bpf/gate511.bpf.o}
# the 4-queue bed (made last) goes with the rest on any exit
Q=q$(( $$ % 10000 ))
QC=/run/netns/${Q}qc QG=/run/netns/${Q}qg
mq_down() { ip netns del ${Q}qc 2>/dev/null; ip netns del ${Q}qg 2>/dev/null; return 0; }
trap 't_cleanup; mq_down' EXIT

# Packets of the flooding client that reached upstream, ever.
leaks() { tcpdump -r "$UP_PCAP" -n "src host $UNAUTH4 or src host $UNAUTH6" 2>/dev/null | wc -l; }
authorized_up() { tcpdump -r "$UP_PCAP" -n "src host $CL4" 2>/dev/null | wc -l; }
flood_start() { # seconds
	bg_ns "$NS_CL" /usr/bin/python3 "$ADV_DIR/craft.py" flood "$IF_CL" mix "seconds=$1" \
		src=$UNAUTH4 src6=$UNAUTH6 n=8 >>"$T_TMP/flood.log" 2>&1
	FLOOD_PID=$LAST_PID
}
flood_wait() { # bounded: the flood stops itself; 20 s grace
	pid_wait_gone "$FLOOD_PID" 20
	bg_stop "$FLOOD_PID"
}
# flood_on: wait (bounded) until the flood's frames reach the XDP program.
flood_on() {
	local s0=$1
	wait_for 5 eval '[ "$(stat_get drop_unauth)" -gt '"$s0"' ]'
}
# HTTP from a client address that never holds a grant (10.51.0.4)
curl511() { [ "$(in_cl curl -s -m 3 -o /dev/null -w '%{http_code}' --interface 10.51.0.4 \
	"http://$INET4/$1")" = 511 ]; }
ping_ok() { in_cl ping -c 2 -i 0.2 -W 1 "$INET4" >/dev/null 2>&1; }
prog_id() { in_gw ip -j link show "$IF_GW" | jq '.[0].xdp.prog.id // 0'; }
# grants, one line each, deadlines to the minute (a restart may round)
snapshot() {
	ctl -j list | jq -r '.grants[] | [.client, .kind, .id, .ttl, .idle_timeout,
		(.mac // "-"), ((.expires // 0) / 60 | floor)] | @tsv' | sort
}
exp_ns() { bpftool -j map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v4 "$1") 2>/dev/null |
	jq '.formatted.value.expires_ns'; }

# ---- grants of every kind ----
ctl allow $CL4 --ttl 1h >/dev/null
ctl allow $CL6 --mac $CL_MAC --idle 10m >/dev/null
ctl allow $DEV_MAC >/dev/null
ctl allow 10.51.0.20 --ttl 2h --idle 5m >/dev/null
seq 1 50 | sed 's/^/10.51.1./; s/$/ ttl=30m/' | ctl import - >/dev/null
snapshot > "$T_TMP/grants.before"
check "54 grants in place" [ "$(wc -l < "$T_TMP/grants.before")" -eq 54 ]
check "control: the responder answers" curl511 start

# ---- kill -9 under traffic, restart ----
s0=$(stat_get drop_unauth) a0=$(authorized_up)
flood_start 6
bg_ns "$NS_CL" ping -D -c 120 -i 0.05 -w 9 "$INET4" >"$T_TMP/ping.out" 2>&1
PING_PID=$LAST_PID
# under traffic: the flood is on and the authorized client's pings go out
flood_on "$s0"
wait_for 5 eval '[ "$(authorized_up)" -gt $((a0 + 5)) ]'
up0=$(authorized_up)
daemon_stop KILL
t_dead=$(date +%s.%N)
check "daemon dead: authorized traffic still reaches upstream" \
	wait_for 5 eval '[ "$(authorized_up)" -gt '"$up0"' ]'
check "daemon dead: unauthenticated HTTP is not answered (fail closed)" bash -c "! nsenter --net=$NS_CL curl -s -m 1 -o /dev/null --interface 10.51.0.4 http://$INET4/dead"
t_back=$(date +%s.%N)
daemon_start || t_fail "daemon restarts after kill -9"
flood_wait
wait "$PING_PID" 2>/dev/null
dead_replies=$(awk -v a="$t_dead" -v b="$t_back" -F'[][]' '/bytes from/ && $2 >= a && $2 <= b' "$T_TMP/ping.out" | wc -l)
check "daemon dead: the authorized client's pings answered ($dead_replies in the window)" [ "$dead_replies" -gt 5 ]
check "kill -9 window: no unauthenticated packet reached upstream ($(leaks))" [ "$(leaks)" -eq 0 ]
snapshot > "$T_TMP/grants.after"
check "restart: every grant survived (diff of ctl list)" diff "$T_TMP/grants.before" "$T_TMP/grants.after"
check "restart: adopted the attached program" bash -c "grep -c 'adopting the attached' '$T_TMP/gate511d.log' | grep -q 2"
check "restart: the responder answers again" curl511 restarted
send_case "restart: MAC binding still enforced" syn6 none ev_mac_mismatch src6=$CL6 smac=02:51:00:00:00:66
echo "   (daemon dead from $t_dead to $t_back)"

# ---- replace the program under a flood: ip link (atomic) ----
id0=$(prog_id)
s0=$(stat_get drop_unauth)
flood_start 4
flood_on "$s0"
in_gw ip -force link set dev "$IF_GW" xdp obj "$OBJ" sec xdp 2>/dev/null
id1=$(prog_id)
flood_wait
check "ip -force link: program replaced ($id0 -> $id1)" test "$id1" != "$id0" -a "$id1" != 0
check "ip -force link under flood: nothing unauthenticated reached upstream ($(leaks))" [ "$(leaks)" -eq 0 ]
check "ip -force link: grants kept (pinned maps reused)" ping_ok
check "ip -force link: responder still bound (XSKMAP reused)" curl511 replaced

# ---- the wall clock steps a day, forward and back ----
shift_file=$T_TMP/wallshift
if ${CC:-cc} -shared -fPIC -O2 -o "$T_TMP/wallshift.so" "$ADV_DIR/wallshift.c" -ldl 2>"$T_TMP/cc.log"; then
	echo 0 > "$shift_file"
	daemon_stop
	export G511_WALL_SHIFT_FILE=$shift_file
	LD_PRELOAD=$T_TMP/wallshift.so daemon_start || t_fail "daemon starts under the shim"
	# the CLI reads the same (shifted) wall clock as the daemon
	sctl() { LD_PRELOAD=$T_TMP/wallshift.so ctl "$@"; }
	sctl allow 10.51.0.30 --ttl 12 >/dev/null
	t_short=$(now_ms)	# the grant ends before t_short + 12 s
	long0=$(exp_ns $CL4) short0=$(exp_ns 10.51.0.30)
	n0=$(ctl -j list | jq '.grants | length')
	nstep=0
	for step in 86400 0; do
		echo $step > "$shift_file"
		nstep=$((nstep + 1))
		what="wall clock at +${step}s"
		# the daemon looks at the clocks once a second
		check "$what: the daemon saw the step" wait_for 5 eval \
			'[ "$(grep -c "wall clock stepped by [+-]86400" "$T_TMP/gate511d.log")" = '$nstep' ]'
		check "$what: BOOTTIME deadlines unchanged" \
			test "$(exp_ns $CL4)" = "$long0" -a "$(exp_ns 10.51.0.30)" = "$short0"
		check "$what: no grant lost ($n0)" [ "$(ctl -j list | jq '.grants | length')" = "$n0" ]
		send_case "$what: a 12 s grant still passes" syn some pass_client src=10.51.0.30
		left=$(sctl -j show 10.51.0.30 | jq '.grant.remaining')
		check "$what: the 12 s grant shows ${left}s left, not a day more" [ "${left:-99}" -le 12 ]
	done
	# time must pass here: until 0.5 s after the grant's end at the latest
	left_ms=$(( t_short + 12500 - $(now_ms) ))
	[ $left_ms -gt 0 ] && [ $left_ms -le 13000 ] && sleep "$((left_ms / 1000)).$(printf %03d $((left_ms % 1000)))"
	send_case "wall clock back: the 12 s grant ended on time (not extended)" syn none drop_unauth src=10.51.0.30
	# the sweep (once a second) moves it to the history
	check "the 12 s grant is in the history as expired" wait_for 5 bash -c \
		"'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j history 10.51.0.30 | jq -e '.. | objects | select(.reason? == \"expired\")'"
	echo 86400 > "$shift_file"
	daemon_stop
	LD_PRELOAD=$T_TMP/wallshift.so daemon_start || t_fail "daemon restarts a day ahead"
	check "restart a day ahead (same boot): deadline unchanged" [ "$(exp_ns $CL4)" = "$long0" ]
	check "restart a day ahead: every grant kept ($((n0 - 1)))" \
		[ "$(ctl -j list | jq '.grants | length')" = "$((n0 - 1))" ]
	daemon_stop
	unset G511_WALL_SHIFT_FILE
	daemon_start || t_fail "daemon restarts on the real clock"
	check "back on the real clock: deadline unchanged" [ "$(exp_ns $CL4)" = "$long0" ]
else
	t_skip "wall clock step" "cannot build the wallshift.c shim: $(head -1 "$T_TMP/cc.log")"
fi

# ---- the libxdp path: the daemon attaches, xdp-loader replaces ----
daemon_stop
in_gw ip link set dev "$IF_GW" xdp off	# nothing is being sent now
daemon_start -o "$OBJ" || t_fail "daemon attaches the program itself"
check "the daemon attached it through libxdp" grep -q "attached .*gate511.bpf.o\|attached $OBJ" "$T_TMP/gate511d.log"
check "libxdp attach: the responder answers" curl511 libxdp
old=$(prog_id)
s0=$(stat_get drop_unauth)
flood_start 4
flood_on "$s0"
out=$(in_gw xdp-loader load -m native -p "$PIN_DIR" "$IF_GW" "$OBJ" 2>&1); rc=$?
if in_gw xdp-loader status "$IF_GW" 2>/dev/null | grep -q xdp_dispatcher; then
	# multi-prog: the new program joined the dispatcher; drop the old one
	in_gw xdp-loader unload "$IF_GW" -i "$old" >/dev/null 2>&1
	check "xdp-loader: new program in, old one out (dispatcher swaps are atomic)" \
		bash -c "nsenter --net=$NS_GW xdp-loader status $IF_GW | grep -c gate511_xdp | grep -qx 1"
else
	case $out in
	*"program lock"*) t_skip "xdp-loader over a running program" "xdp-loader lock held elsewhere" ;;
	*) check "xdp-loader load over a single-prog attach: refused, old program kept (rc $rc)" \
		test $rc -ne 0 -a "$(prog_id)" = "$old" ;;
	esac
	t_skip "xdp-loader atomic replace" "libxdp fell back to single-program mode (no dispatcher on this kernel); xdp-loader can only unload then load, which leaves the NIC open in between: replace with ip -force link"
fi
flood_wait
check "libxdp path under flood: nothing unauthenticated reached upstream ($(leaks))" [ "$(leaks)" -eq 0 ]
check "libxdp path: grants kept" ping_ok
check "libxdp path: the responder answers" curl511 after-loader

# ---- g511_clients filled to its limit ----
max=$(bpftool -j map show pinned $PIN_DIR/g511_clients | jq .max_entries)
have=$(ctl -j list | jq '[.grants[] | select(.kind == "addr")] | length')
/usr/bin/python3 -c 'import sys
for i in range(int(sys.argv[1])):
    print("10.%d.%d.%d ttl=1h" % (100 + (i >> 16), (i >> 8) & 255, i & 255))' $((max - have - 1)) > "$T_TMP/fill.txt"
check "import up to one below the limit ($max)" ctl import "$T_TMP/fill.txt"
printf '10.98.0.1 ttl=1h\n10.98.0.2 ttl=1h\n' > "$T_TMP/over.txt"
ctl import "$T_TMP/over.txt" >/dev/null 2>&1; rc=$?
check "an import one over the limit fails: exit 4 (got $rc)" [ $rc -eq 4 ]
check "... and adds nothing (all or nothing)" bash -c \
	"! bpftool map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v4 10.98.0.1) >/dev/null 2>&1"
check "the last slot can be granted" ctl allow 10.99.0.1
ctl allow 10.99.0.2 >"$T_TMP/full.out" 2>&1; rc=$?
check "allow into the full map: exit 4 (got $rc), said so" \
	bash -c "[ $rc -eq 4 ] && grep -qi full '$T_TMP/full.out'"
check "full map: no grant evicted ($CL4 still there)" \
	bpftool map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v4 $CL4)
check "full map: the last import entry is there" \
	bpftool map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v4 "$(tail -1 "$T_TMP/fill.txt" | cut -d' ' -f1)")
send_case "full map: granted client still passes" syn some pass_client src=$CL4
send_case "full map: MAC binding still enforced" syn6 none ev_mac_mismatch src6=$CL6 smac=02:51:00:00:00:66
check "full map: after a deny the slot can be reused" bash -c \
	"'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' deny 10.99.0.1 >/dev/null && '$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' allow 10.99.0.2 >/dev/null"
check "no unauthenticated packet reached upstream during the whole run ($(leaks))" [ "$(leaks)" -eq 0 ]
check "daemon alive" daemon_alive
daemon_stop

# ---- 4 RX queues: a bed of its own ----
if [ ! -e "$ROOT/tests/adversarial/txq_steer.bpf.o" ]; then
	t_fail "4 RX queues" "tests/adversarial/txq_steer.bpf.o not built (make test-build)"
elif ip netns add ${Q}qc && ip netns add ${Q}qg &&
     ip link add ${Q}q0 netns ${Q}qc numtxqueues 4 numrxqueues 4 type veth \
	peer name ${Q}q1 netns ${Q}qg numtxqueues 4 numrxqueues 4; then
	qc() { nsenter --net=$QC "$@"; }
	qg() { nsenter --net=$QG "$@"; }
	qc ip link set lo up; qg ip link set lo up
	qc ip link set ${Q}q0 address 02:53:00:00:00:02
	qg ip link set ${Q}q1 address 02:53:00:00:00:01
	qc ip addr add 10.53.0.2/24 dev ${Q}q0; qg ip addr add 10.53.0.1/24 dev ${Q}q1
	qc ip link set ${Q}q0 up; qg ip link set ${Q}q1 up
	qc ip route add default via 10.53.0.1
	qc ip neigh replace 10.53.0.1 lladdr 02:53:00:00:00:01 dev ${Q}q0
	qc ip link set dev ${Q}q0 xdp obj "$ROOT/tests/xdp_pass.bpf.o" sec xdp
	qc tc qdisc add dev ${Q}q0 clsact
	qc tc filter add dev ${Q}q0 egress bpf da obj "$ROOT/tests/adversarial/txq_steer.bpf.o" sec tc
	mkdir -p "$T_TMP/q4"
	daemon_conf "$T_TMP/q4/conf"
	sed -i "s|$T_TMP/|$T_TMP/q4/|" "$T_TMP/q4/conf"
	bg_ns "$QG" "$ROOT/build/gate511d" -f -i ${Q}q1 -c "$T_TMP/q4/conf" -P /sys/fs/bpf/g511q4 \
		-o "$OBJ" >"$T_TMP/q4/log" 2>&1
	QD_PID=$LAST_PID
	if daemon_wait_up "$QD_PID" "$T_TMP/q4/ctl.sock" 10 "$T_TMP/q4/log"; then
		socks=$("$ROOT/build/gate511ctl" -s "$T_TMP/q4/ctl.sock" -j status |
			jq '[.. | objects | .sockets? // empty][0]')
		check "4 RX queues: the daemon opened one socket per queue (${socks:-?})" [ "${socks:-0}" = 4 ]
		check "4 RX queues: the log says so" grep -q "responder on 4 RX queues" "$T_TMP/q4/log"
		for q in 0 1 2 3; do
			r0=$(qg ethtool -S ${Q}q1 | awk "/rx_queue_${q}_xdp_redirect:/ {print \$2}")
			code=$(qc curl -s -m 3 -o /dev/null -w '%{http_code}' --local-port $((40000 + q)) \
				http://10.52.0.2/q$q)
			r1=$(qg ethtool -S ${Q}q1 | awk "/rx_queue_${q}_xdp_redirect:/ {print \$2}")
			check "RX queue $q: HTTP steered onto it answered ($code), $((r1 - r0)) frames redirected there" \
				test "$code" = 511 -a "$((r1 - r0))" -gt 0
		done
	else
		t_fail "4 RX queues: daemon comes up" "$(tail -3 "$T_TMP/q4/log" | tr '\n' ' ')"
	fi
	bg_stop "$QD_PID"
	mq_down
else
	t_fail "4 RX queues: bed" "cannot create the 4-queue veth"
	mq_down
fi

adv_summary faults
