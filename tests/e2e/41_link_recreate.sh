#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the client-facing link deleted and recreated (ifupdown,
# networkd, a VLAN or bridge rebuilt) under an unauthenticated flood. The
# new link gets gate511's program (same maps) from the RTM_NEWLINK event;
# not one unauthenticated frame reaches upstream at any moment, the 511
# page is back, the grants still pass and gate511_tc is back on egress
# (downloads counted again). Then the program detached,
# re-attached by an admin, and replaced by another one: reported in
# status and the log, never fought.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

tb_up l
UP4=10.52.0.2
GRANTED=10.51.0.9
daemon_conf "$T_TMP/gate511.conf"
daemon_start -o "$ROOT/bpf/gate511.bpf.o" || { t_fail "daemon starts"; t_summary; exit 1; }
up_http_start
in_cl ip addr add $GRANTED/24 dev "$IF_CL"
check "allow $GRANTED" ctl allow $GRANTED

link_state() { ctl -j status | jq -r --arg n "$IF_GW" '.links[] | select(.name == $n) | .state'; }
state_is() { [ "$(link_state)" = "$1" ]; }
gw_prog() { in_gw ip -j link show dev "$IF_GW" | jq -r '.[0].xdp.prog.id // 0'; }
got_511() { [ "$(http_code)" = 511 ]; }
tc_on() { in_gw tc filter show dev "$IF_GW" egress | grep -q gate511_tc; }
dl_bytes() { ctl -j show $GRANTED | jq -r ".grant.bytes_down"; }
# dl_grew: one more page fetched by the grant shows in its download bytes
dl_grew() { local b; b=$(dl_bytes); http_code $GRANTED >/dev/null; [ "$(dl_bytes)" -gt "$b" ]; }

check "status: $IF_GW enforcing" state_is enforcing
check "before: unauthenticated client gets 511" got_511
check "before: granted client reaches upstream" [ "$(http_code $GRANTED)" = 200 ]
PROG0=$(gw_prog)
check "the program is on $IF_GW (id $PROG0)" [ "$PROG0" -gt 0 ]

# Everything from the unauthenticated source that reaches upstream, the
# whole test long.
cap_start "$NS_UP" "$IF_UP" "$T_TMP/up.pcap" src host 10.51.0.2 || t_fail "capture starts"
# The flood: ICMP, UDP and TCP SYNs to port 80 and 443 from 10.51.0.2,
# bounded in time (the client namespace keeps the sender across the link's
# re-creation: it is the same process, its sends fail while no link).
cat > "$T_TMP/flood.py" <<'EOF'
import socket, time
end = time.time() + 40
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while time.time() < end:
    for port in (80, 443):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setblocking(False)
        try:
            t.bind(("10.51.0.2", 0))
            t.connect_ex(("10.52.0.2", port))
        except OSError:
            pass
        t.close()
    try:
        u.sendto(b"x" * 64, ("10.52.0.2", 9999))
    except OSError:
        pass
    time.sleep(0.002)
EOF
bg_ns "$NS_CL" /usr/bin/python3 "$T_TMP/flood.py" >/dev/null 2>&1
FLOOD=$LAST_PID
bg_ns "$NS_CL" ping -q -i 0.005 -w 40 -I 10.51.0.2 $UP4 >/dev/null 2>&1
PING=$LAST_PID

# recreate: the veth pair deleted and made again with the testbed's
# settings, in one go, as ifupdown would.
recreate() {
	in_gw ip link del "$IF_GW"
	wait_for 5 state_is gone || return 1
	ip link add "$IF_CL" netns "${TB}cl" type veth peer name "$IF_GW" netns "${TB}gw" || return 1
	in_gw sh -c "ip link set $IF_GW address 02:51:00:00:00:01
		ip addr add 10.51.0.1/24 dev $IF_GW
		ip addr add fd51::1/64 dev $IF_GW nodad
		ip link set $IF_GW up"
	RECREATED=$(now_ms)
	in_cl sh -c "ip link set $IF_CL address 02:51:00:00:00:02
		ip addr add 10.51.0.2/24 dev $IF_CL
		ip addr add $GRANTED/24 dev $IF_CL
		ip addr add fd51::2/64 dev $IF_CL nodad
		ip link set $IF_CL up
		ip route add default via 10.51.0.1
		ip neigh replace 10.51.0.1 lladdr 02:51:00:00:00:01 dev $IF_CL
		ethtool -K $IF_CL tx off >/dev/null 2>&1 || true
		ip link set dev $IF_CL xdp obj $ROOT/tests/xdp_pass.bpf.o sec xdp"
}

for cycle in 1 2 3; do
	if ! recreate; then
		t_fail "cycle $cycle: link deleted and recreated" "$(tail -3 "$T_TMP/gate511d.log")"
		continue
	fi
	check "cycle $cycle: the same program is on the new link" [ "$(gw_prog)" = "$PROG0" ]
	if wait_for_ms 10000 got_511; then
		t_ok "cycle $cycle: 511 served $(( $(now_ms) - RECREATED )) ms after the link was up"
	else
		t_fail "cycle $cycle: 511 served again" "$(tail -5 "$T_TMP/gate511d.log")"
	fi
	check "cycle $cycle: status says enforcing" state_is enforcing
	check "cycle $cycle: the grant still passes" [ "$(http_code $GRANTED)" = 200 ]
	check "cycle $cycle: gate511_tc is on the new link's egress" wait_for 5 tc_on
	check "cycle $cycle: downloads to the grant are counted again" wait_for 5 dl_grew
	check_not "cycle $cycle: unauthenticated ping fails" in_cl ping -c 1 -W 1 -I 10.51.0.2 $UP4
done
check "the log says the link went and came back" \
	grep -q "$IF_GW: back (ifindex .*) after .* ms: program $PROG0 re-attached" "$T_TMP/gate511d.log"
bg_stop "$FLOOD"
bg_stop "$PING"
cap_stop
n=$(cap_count "$T_TMP/up.pcap")
check "no unauthenticated frame reached upstream, ever ($n)" [ "$n" -eq 0 ]

# ---- someone detaches the program: reported, not fought ----
in_gw ip link set dev "$IF_GW" xdp off
check "detached: status says detached" wait_for 5 state_is detached
check "detached: the log warns" grep -q "$IF_GW: the gate511 program was detached" "$T_TMP/gate511d.log"
# an absence takes time to show: two of the daemon's once-a-second checks
wait_for_ms 2500 false
check "detached: gate511d did not put it back" [ "$(gw_prog)" = 0 ]
check "detached: status still says detached" state_is detached

# ---- the admin puts gate511 back by hand: same pinned maps, adopted ----
in_gw ip link set dev "$IF_GW" xdp obj "$ROOT/bpf/gate511.bpf.o" sec xdp
check "re-attached by the admin: adopted" wait_for 5 state_is enforcing
check "re-attached: the log says adopted" grep -q "replaced by a gate511 program on the same maps" "$T_TMP/gate511d.log"
check "re-attached: 511 again" wait_for 5 got_511
check "re-attached: the grant passes" [ "$(http_code $GRANTED)" = 200 ]

# ---- replaced by another program ----
in_gw ip link set dev "$IF_GW" xdp off
in_gw ip link set dev "$IF_GW" xdp obj "$ROOT/tests/xdp_pass.bpf.o" sec xdp
check "replaced: status says replaced" wait_for 5 state_is replaced
check "replaced: status names the other program" \
	[ "$(ctl -j status | jq -r '.links[0].prog_id')" = "$(gw_prog)" ]
check "replaced: the log warns" grep -q "$IF_GW: another XDP program (id $(gw_prog)) replaced" "$T_TMP/gate511d.log"
check "replaced: text status shows it" sh -c "$ROOT/build/gate511ctl -s $T_TMP/ctl.sock status | grep -q '$IF_GW (replaced, prog'"
in_gw ip link set dev "$IF_GW" xdp off
in_gw ip link set dev "$IF_GW" xdp obj "$ROOT/bpf/gate511.bpf.o" sec xdp
check "restored: enforcing" wait_for 5 state_is enforcing
check "restored: 511" wait_for 5 got_511
check "the daemon is still the same process" daemon_up "$DAEMON_PID" "$T_TMP/ctl.sock"
t_summary
