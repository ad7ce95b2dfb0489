#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Adversarial group 3, hostile TCP toward the responder. craft.py talks
# stateless TCP from addresses the client stack does not own and judges
# what the gateway sends back on the client veth: bad checksums, random
# ACKs with data (RST at most, never a page), RST and FIN storms, MSS 48,
# zero window, TCP Fast Open data, pipelined, 1-byte and 8 KB requests, no
# Host. Then a bounded SYN flood from spoofed sources: at most one SYN-ACK
# per SYN, flat daemon memory, curl served during and after it. Nothing of
# it may reach upstream, and the daemon must live through all of it.
set -u
. "$(dirname "$0")/lib.sh"

adv_bed h
n0=$(up_count)

for c in bad_ip_csum bad_tcp_csum random_ack rst_storm fin_storm mss48 zero_window \
	 tfo pipelined split1 long_line no_host; do
	tcp_case "$c" "$c"
	daemon_alive || { t_fail "daemon alive after $c"; break; }
done
check "daemon alive after the exchanges" daemon_alive

# curl from the client's own address: the 511 within 3 s
curl511() { [ "$(in_cl curl -s -m 3 -o /dev/null -w '%{http_code}' "http://$INET4/$1")" = 511 ]; }
check "control: curl gets the 511" curl511 before

# ---- SYN flood from spoofed sources ----
N=${SYNFLOOD_N:-20000}
rss0=$(rss_kb "$DAEMON_PID")
cap_start "$NS_CL" "$IF_CL" "$T_TMP/synack.pcap" \
	"tcp[tcpflags] & tcp-syn != 0 and src port 80 and not dst host $CL4"
bg_ns "$NS_CL" /usr/bin/python3 "$ROOT/tests/tools/synflood.py" "$IF_CL" "$GW_MAC" "$INET4" "$N" >/dev/null
FLOOD_PID=$LAST_PID
sleep 0.5
during=0
for i in 1 2 3; do curl511 "during$i" && during=$((during + 1)); done
check "curl served during the flood ($during of 3 within 3 s)" [ "$during" -eq 3 ]
# bounded: synflood.py sends N frames and exits; give it 60 s at most
for i in $(seq 600); do kill -0 "$FLOOD_PID" 2>/dev/null || break; sleep 0.1; done
check "flood finished within 60 s" bash -c "! kill -0 $FLOOD_PID 2>/dev/null"
bg_stop "$FLOOD_PID"
sleep 1
cap_stop
synacks=$(cap_count "$T_TMP/synack.pcap")
dups=$(tcpdump -r "$T_TMP/synack.pcap" -n 2>/dev/null | awk '{print $3, $5}' | sort | uniq -d | wc -l)
rss1=$(rss_kb "$DAEMON_PID")
check "flood: at most one SYN-ACK per SYN ($synacks for $N)" [ "$synacks" -le "$N" ]
check "flood: no 4-tuple got two SYN-ACKs ($dups)" [ "$dups" -eq 0 ]
check "flood: the responder answered it ($synacks SYN-ACKs)" [ "$synacks" -ge $((N / 4)) ]
check "flood: daemon RSS flat (${rss0} -> ${rss1} kB)" [ "$rss1" -le $((rss0 + 1024)) ]
check "curl served after the flood" curl511 after
check "nothing of it reached upstream ($(( $(up_count) - n0 )))" [ "$(up_count)" -eq "$n0" ]
check "daemon alive after the group" daemon_alive
adv_summary hostile_tcp
