#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# e2e: two gateways against one FreeRADIUS 3.2 (issue 11, item 7, the last
# case). Two gateway namespaces, each with its own gate511d, its own maps
# (gate511d -P: a pin directory of its own under /sys/fs/bpf, so the two
# never share a pinned map, and neither touches /sys/fs/bpf/tc/globals),
# its own state DB, control socket, NAS-Identifier and DAE address:
#
#   ${P}c1 10.51.0.2 == ${P}g1 10.51.0.1 | 10.53.1.1 ==\
#                                                     ${P}up 10.53.1.2, 10.53.2.2
#   ${P}c2 10.61.0.2 == ${P}g2 10.61.0.1 | 10.53.2.1 ==/   (FreeRADIUS, a web server)
#
# The same user (alice) logs in on both. A Disconnect-Request by User-Name
# sent to box 1's DAE address revokes her there only (511 again on box 1,
# box 2's client still gets through); a Disconnect for box 2 naming box
# 1's NAS-Identifier is refused (NAK 403) and changes nothing; then one
# sent to box 2 revokes her there. Each Stop names its NAS.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../radius_lib.sh"
t_require_root
for tool in freeradius radclient jq curl; do
	command -v $tool >/dev/null || { t_skip 59_radius_two_gw "$tool not installed"; t_summary; exit 0; }
done

P=tg$(( $$ % 10000 ))
SECRET=two-s3cret
NSS="${P}up ${P}g1 ${P}g2 ${P}c1 ${P}c2"
PIN1=/sys/fs/bpf/g511-${P}-1 PIN2=/sys/fs/bpf/g511-${P}-2
two_down() {
	for ns in $NSS; do
		[ -e /run/netns/$ns ] && ip netns del $ns
	done
	rm -rf "$PIN1" "$PIN2"
}
trap 't_cleanup; two_down' EXIT
for ns in $NSS; do
	if [ -e /run/netns/$ns ]; then
		t_fail "namespace $ns exists already"; t_summary; exit 1
	fi
done
mount | grep -q ' /sys/fs/bpf type bpf' || mount -t bpf bpf /sys/fs/bpf
mkdir -p "$PIN1" "$PIN2"
ns() { local n=$1; shift; nsenter --net=/run/netns/$n "$@"; }

for ns in $NSS; do ip netns add $ns; done
ns ${P}up ip link set lo up
ns ${P}up sysctl -qw net.ipv4.ip_forward=0
# box N: LAN 10.51.0.0/24 (box 1) or 10.61.0.0/24 (box 2), uplink 10.53.N.0/24
box_up() { # N LAN_NET
	local n=$1 lan=$2 g=${P}g$1 c=${P}c$1
	ip link add ${P}c${n}a netns $c type veth peer name ${P}g${n}a netns $g
	ip link add ${P}g${n}u netns $g type veth peer name ${P}u$n netns ${P}up
	ns $c sh -c "
		ip link set lo up
		ip link set ${P}c${n}a address 02:5$n:00:00:00:02
		ip addr add $lan.2/24 dev ${P}c${n}a
		ip link set ${P}c${n}a up
		ip route add default via $lan.1
		ethtool -K ${P}c${n}a tx off >/dev/null 2>&1 || true
		ip neigh replace $lan.1 lladdr 02:5$n:00:00:00:01 dev ${P}c${n}a"
	ns $g sh -c "
		ip link set lo up
		ip link set ${P}g${n}a address 02:5$n:00:00:00:01
		ip addr add $lan.1/24 dev ${P}g${n}a
		ip addr add 10.53.$n.1/24 dev ${P}g${n}u
		ip link set ${P}g${n}a up
		ip link set ${P}g${n}u up
		sysctl -qw net.ipv4.ip_forward=1"
	ns ${P}up sh -c "
		ip addr add 10.53.$n.2/24 dev ${P}u$n
		ip link set ${P}u$n up
		ip route add $lan.0/24 via 10.53.$n.1
		ethtool -K ${P}u$n tx off >/dev/null 2>&1 || true"
	# frames the gateway sends with XDP_TX / AF_XDP reach the client stack
	ns $c ip link set dev ${P}c${n}a xdp obj "$ROOT/tests/xdp_pass.bpf.o" sec xdp
}
box_up 1 10.51.0
box_up 2 10.61.0
t_ok "two gateway namespaces and one upstream"

# ---- one FreeRADIUS for both (the 56_radius.sh config, two clients) ----
FR=$T_TMP/fr
FR_CLIENTS="gw1=10.53.1.1 gw2=10.53.2.1" fr_conf "$FR" "*"
cat > "$FR/users" <<'EOU'
alice	Cleartext-Password := "wonderland"
	Session-Timeout = 600,
	Acct-Interim-Interval = 600

DEFAULT	Auth-Type := Reject
EOU
fr_ready() { grep -q "Ready to process requests" "$FR/log/radius.log" 2>/dev/null; }
bg_start nsenter --net=/run/netns/${P}up freeradius -f -d "$FR"
wait_for 10 fr_ready || { t_fail "FreeRADIUS starts"; cat "$FR/log/radius.log"; t_summary; exit 1; }
bg_start nsenter --net=/run/netns/${P}up /usr/bin/python3 -m http.server 80 --bind 0.0.0.0 >/dev/null 2>&1
wait_for 5 ns ${P}up bash -c "exec 3<>/dev/tcp/127.0.0.1/80"

# ---- two daemons: each its own maps, DB, socket, NAS and DAE address ----
gw_start() { # N
	local n=$1 d=$T_TMP/gw$1 pin
	pin=$([ "$1" = 1 ] && echo "$PIN1" || echo "$PIN2")
	mkdir -p "$d"
	cat > "$d/gate511.conf" <<EOF
portal_url = $PORTAL
state_db = $d/state.db
control_socket = $d/ctl.sock
radius_server = 10.53.$n.2
radius_secret = $SECRET
radius_nas_identifier = gw-$n
radius_timeout = 1
radius_retries = 1
radius_dae_listen = 10.53.$n.1:3799
radius_dae_clients = 10.53.$n.2
EOF
	bg_start nsenter --net=/run/netns/${P}g$n "$ROOT/build/gate511d" -f -i ${P}g${n}a \
		-c "$d/gate511.conf" -o "$ROOT/bpf/gate511.bpf.o" -P "$pin" -d >>"$d/gate511d.log" 2>&1
	eval "GW${n}_PID=$LAST_PID"
	daemon_wait_up "$LAST_PID" "$d/ctl.sock" 10 "$d/gate511d.log"
}
gctl() { local n=$1; shift; "$ROOT/build/gate511ctl" -s "$T_TMP/gw$n/ctl.sock" --pin-dir \
	"$([ "$n" = 1 ] && echo "$PIN1" || echo "$PIN2")" "$@"; }
gw_start 1 || { t_fail "gate511d on box 1 starts"; t_summary; exit 1; }
gw_start 2 || { t_fail "gate511d on box 2 starts"; t_summary; exit 1; }
t_ok "two gate511d running"
check "box 1's maps are pinned in its own directory" [ -e "$PIN1/g511_clients" ]
check "box 2's maps are pinned in its own directory" [ -e "$PIN2/g511_clients" ]
id1=$(bpftool -j map show pinned "$PIN1/g511_clients" | jq -r .id)
id2=$(bpftool -j map show pinned "$PIN2/g511_clients" | jq -r .id)
check "two different client maps (ids $id1, $id2)" [ -n "$id1" -a "$id1" != "$id2" ]

LAN1=10.51.0 LAN2=10.61.0
code() { # N: the HTTP status box N's client gets for the upstream web server
	local lan; lan=$([ "$1" = 1 ] && echo $LAN1 || echo $LAN2)
	ns ${P}c$1 curl -s -m 2 -o /dev/null -w '%{http_code}' --interface $lan.2 "http://10.53.$1.2/"
}
check "box 1's client is captive (511)" [ "$(code 1)" = 511 ]
check "box 2's client is captive (511)" [ "$(code 2)" = 511 ]

echo wonderland | gctl 1 login $LAN1.2 alice >/dev/null 2>&1; rc1=$?
echo wonderland | gctl 2 login $LAN2.2 alice >/dev/null 2>&1; rc2=$?
check "alice logs in on box 1 (exit $rc1)" [ $rc1 -eq 0 ]
check "alice logs in on box 2 (exit $rc2)" [ $rc2 -eq 0 ]
SID1=$(gctl 1 -j show $LAN1.2 | jq -r .grant.acct_session_id)
SID2=$(gctl 2 -j show $LAN2.2 | jq -r .grant.acct_session_id)
check "two sessions, two Acct-Session-Ids" [ -n "$SID1" -a -n "$SID2" -a "$SID1" != "$SID2" ]
check "box 1's client gets through" [ "$(code 1)" = 200 ]
check "box 2's client gets through" [ "$(code 2)" = 200 ]
check "both Starts arrive, each naming its NAS" wait_for 5 bash -c \
	"grep -q '^status=Start sid=$SID1 .*nas=gw-1' $FR/acct.log && grep -q '^status=Start sid=$SID2 .*nas=gw-2' $FR/acct.log"

dae() { # N ATTRS...: a Disconnect-Request to box N's DAE address
	local n=$1; shift
	( IFS=,; echo "$*" ) | ns ${P}up timeout 10 radclient -x -r 1 -t 2 10.53.$n.1:3799 \
		disconnect "$SECRET" 2>&1
}
out=$(dae 2 "User-Name=alice" "NAS-Identifier=gw-1" "Message-Authenticator=0x00")
check "box 2 refuses a Disconnect naming box 1's NAS: NAK 403" \
	bash -c "echo '$out' | grep -q 'Received Disconnect-NAK' && echo '$out' | grep -q 'NAS-Identification-Mismatch'"
check "and alice is still on box 2" gctl 2 show $LAN2.2

out=$(dae 1 "User-Name=alice" "Event-Timestamp=$(date +%s)" "Message-Authenticator=0x00")
check "Disconnect User-Name=alice to box 1: ACK" bash -c "echo '$out' | grep -q 'Received Disconnect-ACK'"
check_not "box 1: alice's grant is gone" gctl 1 show $LAN1.2
check "box 1: the client gets 511 again at once" [ "$(code 1)" = 511 ]
check "box 2: alice's grant stays" gctl 2 show $LAN2.2
check "box 2: the client still gets through" [ "$(code 2)" = 200 ]
check "box 2: the same session (no Stop for it)" \
	[ "$(gctl 2 -j show $LAN2.2 | jq -r .grant.acct_session_id)/$(grep -c "^status=Stop sid=$SID2 " "$FR/acct.log")" = "$SID2/0" ]
check "box 1's Stop: Admin-Reset, NAS gw-1" wait_for 5 bash -c \
	"grep '^status=Stop sid=$SID1 ' $FR/acct.log | grep -q 'cause=Admin-Reset.*nas=gw-1'"
out=$(dae 1 "User-Name=alice" "Message-Authenticator=0x00")
check "box 1 again: no session (NAK 503)" \
	bash -c "echo '$out' | grep -q 'Received Disconnect-NAK' && echo '$out' | grep -q 'Session-Context-Not-Found'"

out=$(dae 2 "User-Name=alice" "Message-Authenticator=0x00")
check "Disconnect User-Name=alice to box 2: ACK" bash -c "echo '$out' | grep -q 'Received Disconnect-ACK'"
check_not "box 2: alice's grant is gone" gctl 2 show $LAN2.2
check "box 2: the client gets 511 again" [ "$(code 2)" = 511 ]
check "box 2's Stop: Admin-Reset, NAS gw-2" wait_for 5 bash -c \
	"grep '^status=Stop sid=$SID2 ' $FR/acct.log | grep -q 'cause=Admin-Reset.*nas=gw-2'"
check "each box counted its own Disconnects (box 1: 1 ack 1 nak; box 2: 1 ack 1 nak)" bash -c \
	"[ \"\$('$ROOT/build/gate511ctl' -s $T_TMP/gw1/ctl.sock -j radius | jq -r '\"\(.disconnect_ack)/\(.disconnect_nak)\"')\" = 1/1 ] &&
	 [ \"\$('$ROOT/build/gate511ctl' -s $T_TMP/gw2/ctl.sock -j radius | jq -r '\"\(.disconnect_ack)/\(.disconnect_nak)\"')\" = 1/1 ]"

bg_stop "$GW1_PID"
bg_stop "$GW2_PID"
check "with -d, box 1's pins are removed at exit" [ ! -e "$PIN1/g511_clients" ]
t_summary
