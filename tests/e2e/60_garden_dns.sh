#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# e2e: the walled garden by name. A real dnsmasq in the upstream namespace
# serves a test zone; gate511d (with gate511_tc) learns the addresses of
# garden names from its answers on their way to the client.
#
#   - an unauthenticated client resolves a garden name and connects at
#     once: connected within 0.9 s (under the 1 s SYN retransmission
#     timeout) and the upstream saw exactly one SYN: the first one passed
#   - the same over IPv6 (AAAA from the resolver's IPv6 address)
#   - a name not in the garden: its address is not reachable
#   - *.wild.gdtest.example: www.wild.gdtest.example passes, the apex not
#   - a CNAME to a garden name (alias.other.example -> login2, added at
#     run time with gate511ctl garden add) and from one (cdn -> an edge
#     name outside the zone); garden del drops the name and what it taught
#   - garden list -j shows the addresses with their TTL, clamped up to
#     garden_dns_ttl_min (dnsmasq answers with TTL 1) and down to 1 h
#   - after the TTL the address no longer passes, and the sweep removes it
#   - forged answers teach nothing: from the client side (unauthenticated:
#     dropped by XDP; with a MAC grant, hairpinned through the gateway:
#     refused in TC), from an upstream address that is no resolver, from
#     a port other than 53, over TCP, as IPv4 fragments; a compression
#     pointer loop and a truncated answer are counted as malformed. After
#     each, a genuine answer (a sentinel) is learned: the forgery was seen.
. "$(dirname "$0")/../lib.sh"
t_require_root
for tool in curl tc bpftool jq /usr/sbin/dnsmasq; do
	command -v $tool >/dev/null || { t_skip 60_garden_dns "$tool not installed"; t_summary; exit 0; }
done
/usr/bin/python3 -c 'import scapy' 2>/dev/null ||
	{ t_skip 60_garden_dns "python3-scapy not installed"; t_summary; exit 0; }
tb_up gd
PIN_DIR=/sys/fs/bpf/tc/globals
CL4=10.51.0.2 CL6=fd51::2 CL9=10.51.0.9 RES4=10.52.0.2 RES6=fd52::2
GDNS="$ROOT/tests/tools/gdns.py"
TTL_MIN=5

in_cl ip addr add $CL9/24 dev "$IF_CL"
for i in 3 10 11 12 14 15 20 $(seq 30 40) $(seq 50 60); do
	in_up ip addr add 10.52.0.$i/24 dev "$IF_UP"
done
in_up ip addr add fd52::10/64 dev "$IF_UP" nodad
# the hairpin case must reach TC: no reverse-path filter on the gateway
in_gw sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf."$IF_GW".rp_filter=0

bg_ns "$NS_UP" /usr/bin/python3 -m http.server 8080 --bind :: >/dev/null 2>&1
wait_for 5 in_up bash -c "exec 3<>/dev/tcp/127.0.0.1/8080"
bg_ns "$NS_UP" /usr/sbin/dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts \
	--bind-interfaces --listen-address=$RES4 --listen-address=$RES6 --port=53 \
	--user=root --local-ttl=1 --pid-file="$T_TMP/dnsmasq.pid" \
	--host-record=login.gdtest.example,10.52.0.10,fd52::10 \
	--host-record=login2.gdtest.example,10.52.0.15 \
	--host-record=www.wild.gdtest.example,10.52.0.11 \
	--host-record=wild.gdtest.example,10.52.0.14 \
	--host-record=edge.cdnhost.example,10.52.0.12 \
	--host-record=notgarden.example,10.52.0.20 \
	--cname=cdn.gdtest.example,edge.cdnhost.example \
	--cname=alias.other.example,login2.gdtest.example >"$T_TMP/dnsmasq.log" 2>&1
check dnsmasq_up wait_for 5 in_up bash -c "exec 3<>/dev/tcp/$RES4/53"

daemon_conf "$T_TMP/gate511.conf" "dns_resolvers = $RES4, $RES6" \
	"garden = login.gdtest.example" "garden = *.wild.gdtest.example" \
	"garden = cdn.gdtest.example:8080" "garden_dns_ttl_min = $TTL_MIN"
daemon_start -o "$ROOT/bpf/gate511.bpf.o" || { t_fail daemon_start; t_summary; exit 1; }
check tc_attached wait_for 5 bash -c "nsenter --net=$NS_GW tc filter show dev $IF_GW egress | grep -q gate511_tc"

GW_CL_MAC=$(in_cl ip -j neigh show 10.51.0.1 dev "$IF_CL" | jq -r '.[0].lladdr')
GW_UP_MAC=$(in_gw ip -j link show dev "${TB}g1" | jq -r '.[0].address')

# resolve_connect NAME [SRC] [v6]: the helper's "ADDR MS"; status as its
resolve_connect() {
	local res=$RES4 src=${2:-$CL4}
	[ "${3:-}" = v6 ] && res=$RES6
	in_cl /usr/bin/python3 "$GDNS" connect $res "$1" "$src" 8080 ${3:-}
}
learned() { bpftool map lookup pinned $PIN_DIR/g511_garden_dns key hex $(hexkey_v4 "$1") >/dev/null 2>&1; }
learned6() { bpftool map lookup pinned $PIN_DIR/g511_garden_dns key hex $(hexkey_v6 "$1") >/dev/null 2>&1; }
# list_ttl NAME ADDR: the TTL garden list -j shows for ADDR under NAME
list_ttl() {
	ctl -j garden list | jq -r --arg n "$1" --arg a "$2" \
		'.names[] | select(.name == $n) | .addresses[] | select(.addr == $a) | .ttl'
}
can_connect() { in_cl /usr/bin/python3 "$GDNS" connect $RES4 "$1" $CL4 8080 >/dev/null; }
# forge_up SRC SPORT DST NAME ADDR TTL [KIND]: an answer sent from upstream
forge_up() {
	in_up /usr/bin/python3 "$GDNS" forge "$IF_UP" "$GW_UP_MAC" "$@" >/dev/null
}
forge_cl() {
	in_cl /usr/bin/python3 "$GDNS" forge "$IF_CL" "$GW_CL_MAC" "$@" >/dev/null
}
in_range() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
login_gone() { ! in_cl curl -s -m 1 -o /dev/null http://10.52.0.10:8080/; }
SENT=50
# sentinel: a genuine answer after a forgery, learned: the path has run
sentinel() {
	SENT=$((SENT + 1))
	forge_up $RES4 53 $CL4 login.gdtest.example 10.52.0.$SENT 600 &&
		wait_for 5 learned 10.52.0.$SENT
}

# ---- the first SYN passes ----
cap_start "$NS_UP" "$IF_UP" "$T_TMP/syn.pcap" \
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn and dst host 10.52.0.10"
out=$(resolve_connect login.gdtest.example); rc=$?
echo "# first connect after the answer: $out (address, ms from answer to connected)"
check first_syn_connects [ $rc = 0 ]
cap_stop
nsyn=$(cap_count "$T_TMP/syn.pcap")
echo "# SYNs the upstream saw for that connection: $nsyn"
check first_syn_only_one [ "$nsyn" = 1 ]
check learned_v4 learned 10.52.0.10
check curl_garden_200 [ "$(in_cl curl -s -m 2 -o /dev/null -w '%{http_code}' http://10.52.0.10:8080/)" = 200 ]
check pass_garden_dns_counted [ "$(stat_get pass_garden_dns)" -gt 0 ]
t=$(list_ttl login.gdtest.example 10.52.0.10)
echo "# garden list TTL of 10.52.0.10 (answer TTL 1, ttl_min $TTL_MIN): ${t:-none}"
check list_ttl_clamped_up in_range "$t" 1 $TTL_MIN
check list_text bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' garden list | grep -q 'login.gdtest.example .*10.52.0.10 ('"

out=$(resolve_connect login.gdtest.example $CL6 v6); rc=$?
echo "# IPv6: $out"
check first_syn_connects_v6 [ $rc = 0 ]
check learned_v6 learned6 fd52::10

# ---- not in the garden ----
check_not notgarden_blocked can_connect notgarden.example
check_not notgarden_not_learned learned 10.52.0.20
check notgarden_http_511 [ "$(in_cl curl -s -m 2 -o /dev/null -w '%{http_code}' http://10.52.0.20/)" = 511 ]

# ---- wildcard ----
check wildcard_passes can_connect www.wild.gdtest.example
check_not wildcard_not_apex can_connect wild.gdtest.example
check_not apex_not_learned learned 10.52.0.14

# ---- CNAME chains ----
check_not cname_to_before_add can_connect alias.other.example
check runtime_add ctl garden add login2.gdtest.example
check cname_to_garden can_connect alias.other.example
check cname_from_garden can_connect cdn.gdtest.example
check list_ports bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j garden list |
	jq -e '.names[] | select(.name == \"cdn.gdtest.example\") | .ports == [8080] and .source == \"config\"'"
check runtime_del ctl garden del login2.gdtest.example
check del_drops_learned wait_for 3 bash -c "! bpftool map lookup pinned $PIN_DIR/g511_garden_dns key hex $(hexkey_v4 10.52.0.15)"
check_not del_config_name_refused ctl garden del login.gdtest.example
check_not bad_name_refused ctl garden add 'bad..name'

# ---- TTL: expiry in the datapath, sweep in the daemon ----
resolve_connect login.gdtest.example >/dev/null
t0=$(now_ms)
check expiry_blocks wait_for $((TTL_MIN + 10)) login_gone
echo "# 10.52.0.10 stopped passing $(( $(now_ms) - t0 )) ms after its last answer (TTL $TTL_MIN s)"
check expiry_swept wait_for 5 bash -c "! bpftool map lookup pinned $PIN_DIR/g511_garden_dns key hex $(hexkey_v4 10.52.0.10)"

# ---- clamp down to 1 h ----
forge_up $RES4 53 $CL4 login.gdtest.example 10.52.0.40 999999
check genuine_forged_learned wait_for 5 learned 10.52.0.40
t=$(list_ttl login.gdtest.example 10.52.0.40)
echo "# TTL 999999 learned as ${t:-none} s"
check list_ttl_clamped_down in_range "$t" 3500 3600

# ---- forgeries ----
d0=$(stat_get drop_src)
forge_cl $RES4 53 $CL9 login.gdtest.example 10.52.0.30 600
sentinel
check_not forged_client_not_learned learned 10.52.0.30
d1=$(stat_get drop_src)
check forged_client_counted [ "$d1" -gt "$d0" ]

check mac_grant ctl allow 02:51:00:00:00:02
u0=$(stat_get ev_tc_dns_untrusted)
forge_cl $RES4 53 $CL9 login.gdtest.example 10.52.0.31 600
sentinel
check_not hairpin_not_learned learned 10.52.0.31
check hairpin_counted_untrusted [ "$(stat_get ev_tc_dns_untrusted)" -gt "$u0" ]
ctl deny 02:51:00:00:00:02 >/dev/null

u0=$(stat_get ev_tc_dns_untrusted)
forge_up 10.52.0.3 53 $CL4 login.gdtest.example 10.52.0.32 600
sentinel
check_not nonresolver_not_learned learned 10.52.0.32
check nonresolver_counted [ "$(stat_get ev_tc_dns_untrusted)" -gt "$u0" ]

forge_up $RES4 5353 $CL4 login.gdtest.example 10.52.0.33 600
sentinel
check_not port_not_53_not_learned learned 10.52.0.33

forge_up $RES4 53 $CL4 login.gdtest.example 10.52.0.34 600 tcp
sentinel
check_not tcp_not_learned learned 10.52.0.34

forge_up $RES4 53 $CL4 login.gdtest.example 10.52.0.35 600 frag
sentinel
check_not fragment_not_learned learned 10.52.0.35

m0=$(stat_get ev_tc_dns_malformed)
forge_up $RES4 53 $CL4 login.gdtest.example 10.52.0.36 600 loop
sentinel
check_not pointer_loop_not_learned learned 10.52.0.36
forge_up $RES4 53 $CL4 login.gdtest.example 10.52.0.37 600 trunc
sentinel
check_not truncated_not_learned learned 10.52.0.37
m1=$(stat_get ev_tc_dns_malformed)
echo "# ev_tc_dns_malformed went from $m0 to $m1"
check malformed_counted [ $((m1 - m0)) -ge 2 ]
check daemon_alive daemon_up "$DAEMON_PID" "$T_TMP/ctl.sock"

daemon_stop
t_summary
