#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end, no daemon: gate511 loaded with `ip link`, grants written into
# the pinned map. Unauthenticated TCP and ping from the client must never
# reach upstream (captured there); with a grant they do; revoked, they stop.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

tb_up e
CL4=10.51.0.2 CL6=fd51::2 UP4=10.52.0.2 UP6=fd52::2
K4=$(hexkey_v4 $CL4) K6=$(hexkey_v6 $CL6)

check "ip link pinned all six maps" bash -c \
	'for m in clients macs garden config stats xsks; do [ -e '$PIN_DIR'/g511_$m ] || exit 1; done'

# A TCP listener upstream that records what reaches it.
bg_ns "$NS_UP" nc -4 -k -l 5001 >> $T_TMP/tcp.rx
bg_ns "$NS_UP" nc -6 -k -l 5001 >> $T_TMP/tcp.rx
wait_for 5 eval '[ "$(in_up ss -Hltn "sport = :5001" | wc -l)" -ge 2 ]'

traffic() { # send one burst of ping, ping6, TCP; returns nothing useful
	in_cl ping -c 2 -i 0.2 -W 1 $UP4 >/dev/null 2>&1
	in_cl ping -6 -c 2 -i 0.2 -W 1 $UP6 >/dev/null 2>&1
	echo "hello-$1" | in_cl timeout 3 nc -w 1 $UP4 5001 >/dev/null 2>&1
	echo "hello6-$1" | in_cl timeout 3 nc -w 1 $UP6 5001 >/dev/null 2>&1
}

phase() { # name, expect (none|some)
	local f=$T_TMP/$1.pcap n
	cap_start "$NS_UP" "$IF_UP" "$f" "src host $CL4 or src host $CL6"
	traffic "$1"
	cap_stop
	n=$(cap_count "$f")
	if [ "$2" = none ]; then
		check "$1: nothing from the client reaches upstream (saw $n)" [ "$n" -eq 0 ]
	else
		check "$1: client traffic reaches upstream (saw $n)" [ "$n" -gt 0 ]
	fi
}

phase unauthenticated none
check "unauthenticated: drops counted" [ "$(stat_get drop_unauth)" -gt 0 ]

map_grant "$K4"; map_grant "$K6"
phase granted some
check "granted: ping answered" in_cl ping -c 3 -i 0.3 -W 1 $UP4
check "granted: ping6 answered" in_cl ping -6 -c 3 -i 0.3 -W 1 $UP6
check "granted: TCP payload delivered" grep -q hello-granted $T_TMP/tcp.rx
check "granted: TCP over IPv6 payload delivered" grep -q hello6-granted $T_TMP/tcp.rx
check "granted: pass_client counted" [ "$(stat_get pass_client)" -gt 0 ]
check "granted: per-grant packet counter moved" bash -c \
	"bpftool -j map lookup pinned $PIN_DIR/g511_clients key hex $K4 | jq -e '.formatted.value.packets > 0' >/dev/null"

map_revoke "$K4"; map_revoke "$K6"
phase revoked none
check "revoked: ping fails" bash -c "! nsenter --net=$NS_CL ping -c 1 -W 1 $UP4 >/dev/null"

t_summary
