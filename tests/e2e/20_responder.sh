#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: gate511d answers real HTTP clients from the client namespace
# with the 511 page (302 for OS probes) over AF_XDP, complete, fast, with
# right checksums; a SYN flood gets at most one SYN-ACK per SYN and leaves
# the daemon's memory flat.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

tb_up h
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
UP4=10.52.0.2 UP6=fd52::2
GW_MAC=02:51:00:00:00:01
cap_start "$NS_CL" "$IF_CL" "$T_TMP/client.pcap" "tcp port 80"

# got511 FILE: a complete 511 page with the portal link in FILE.
got511() {
	local f=$1 len body
	head -n1 "$f" | grep -q '^HTTP/1.1 511 Network Authentication Required' || return 1
	grep -qi '^Cache-Control: no-store' "$f" || return 1
	grep -qi '^Connection: close' "$f" || return 1
	grep -qi '^Content-Type: text/html; charset=utf-8' "$f" || return 1
	len=$(grep -i '^Content-Length:' "$f" | tr -dc 0-9)
	body=$(sed '1,/^\r\?$/d' "$f" | wc -c)
	[ -n "$len" ] && [ "$len" -eq "$body" ] || { echo "length $len != body $body"; return 1; }
	grep -q "href=\"$PORTAL?orig=" "$f" && grep -q 'http-equiv="refresh"' "$f"
}

# curl variants: output with headers; time must be under a second.
curl_case() { # name, expect (511|302|head), curl args...
	local name=$1 want=$2; shift 2
	local f=$T_TMP/$name.out t rc
	t=$(in_cl curl -s -m 3 -D "$f.h" -o "$f.b" -w '%{time_total}' "$@")
	rc=$?
	cat "$f.h" "$f.b" > "$f" 2>/dev/null
	if [ $rc -ne 0 ]; then t_fail "$name" "curl exit $rc"; return; fi
	case $want in
	511) check "$name: complete 511 with portal link" got511 "$f" ;;
	302) check "$name: 302 to the portal" bash -c \
		"head -n1 $f.h | grep -q '^HTTP/1.1 302 Found' && grep -qi '^Location: $PORTAL' $f.h" ;;
	head) check "$name: 511 headers, no body" bash -c \
		"head -n1 $f.h | grep -q ' 511 ' && ! grep -qi '<html' $f.b && grep -qi '^Content-Length: [1-9]' $f.h" ;;
	esac
	check "$name: answered within 1 s (${t}s)" awk "BEGIN { exit !($t < 1.0) }"
}

curl_case curl_http11 511 http://$UP4/some/path?q=1
check "orig URL carried, percent-encoded" grep -q 'orig=http%3A%2F%2F10.52.0.2%2Fsome%2Fpath%3Fq%3D1' $T_TMP/curl_http11.out
curl_case curl_http10 511 --http1.0 http://$UP4/
curl_case curl_ipv6 511 "http://[$UP6]/v6"
curl_case curl_head head -I http://$UP4/
# A small MSS: the page goes out in several segments (spare UMEM frames).
in_cl ip route replace 10.52.0.2/32 via 10.51.0.1 advmss 536
curl_case curl_mss536 511 http://$UP4/a/fairly/long/path/so/that/the/page/needs/two/segments
in_cl ip route del 10.52.0.2/32
check "mss 536: the page came in several segments" bash -c \
	"[ \$(tcpdump -r $T_TMP/client.pcap -n 'src port 80 and tcp[tcpflags] & tcp-push != 0' 2>/dev/null | grep -c 'length 5[0-9][0-9]') -ge 1 ]"
head -c 1048576 /dev/zero > "$T_TMP/1mb"
curl_case curl_post_1mb 511 -H 'Expect: 100-continue' --data-binary @"$T_TMP/1mb" http://$UP4/upload
head -c 65536 /dev/zero > "$T_TMP/64k"
curl_case curl_post_64k_no_expect 511 -H 'Expect:' --data-binary @"$T_TMP/64k" http://$UP4/form
curl_case probe_android 302 http://$UP4/generate_204
curl_case probe_apple 302 http://$UP4/hotspot-detect.html
curl_case probe_windows 302 http://$UP4/connecttest.txt

# wget exits 8 on an HTTP error status; what matters is the page it got.
in_cl wget -q -S --content-on-error -O "$T_TMP/wget.b" -T 3 -t 1 http://$UP4/w 2>"$T_TMP/wget.h"
check "wget: 511 status" grep -q 'HTTP/1.1 511' "$T_TMP/wget.h"
check "wget: page with the portal link" grep -q "href=\"$PORTAL?orig=" "$T_TMP/wget.b"

in_cl /usr/bin/python3 - "$UP4" "$PORTAL" > "$T_TMP/py.out" 2>&1 <<'PY'
import http.client, sys
c = http.client.HTTPConnection(sys.argv[1], 80, timeout=3)
c.request("GET", "/py?x=1", headers={"User-Agent": "gate511-test"})
r = c.getresponse()
body = r.read()
assert r.status == 511, r.status
assert r.getheader("Content-Length") == str(len(body)), "length"
assert (sys.argv[2] + "?orig=").encode() in body, "portal link"
print("ok", r.status, len(body))
PY
check "python http.client: 511 page" grep -q '^ok 511' "$T_TMP/py.out"

cap_stop
check "every frame the responder sent has right checksums" \
	/usr/bin/python3 "$ROOT/tests/tools/check_csums.py" "$T_TMP/client.pcap" "$GW_MAC"

# SYN flood from spoofed sources: one SYN-ACK per SYN at most, memory flat.
N=${SYNFLOOD_N:-20000}
rss0=$(rss_kb "$DAEMON_PID")
cap_start "$NS_CL" "$IF_CL" "$T_TMP/flood.pcap" "tcp[tcpflags] & tcp-syn != 0 and src port 80"
in_cl /usr/bin/python3 "$ROOT/tests/tools/synflood.py" "$IF_CL" "$GW_MAC" "$UP4" "$N" >/dev/null
cap_stop	# once the SYN-ACKs stop coming
synacks=$(cap_count "$T_TMP/flood.pcap")
distinct=$(tcpdump -r "$T_TMP/flood.pcap" -n 2>/dev/null | awk '{print $5}' | sort -u | wc -l)
rss1=$(rss_kb "$DAEMON_PID")
check "flood: at most one SYN-ACK per SYN ($synacks for $N SYNs)" [ "$synacks" -le "$N" ]
check "flood: no client got two SYN-ACKs ($distinct distinct of $synacks)" [ "$distinct" -eq "$synacks" ]
check "flood: most SYNs answered ($synacks of $N)" [ "$synacks" -ge $((N / 2)) ]
check "flood: daemon RSS flat (${rss0} -> ${rss1} kB)" [ "$rss1" -le $((rss0 + 1024)) ]
curl_case after_flood 511 http://$UP4/after
check "daemon still running" kill -0 "$DAEMON_PID"
st=$(ctl -j status)
check "status: one socket per RX queue" bash -c "echo '$st' | jq -e '.responder.sockets >= 1'"
check "status: the flood shows in SYN-ACK counters" bash -c "echo '$st' | jq -e '.responder.synack >= $((N / 2))'"
check "status: 511 and 302 answers counted" bash -c "echo '$st' | jq -e '.responder.http_511 > 0 and .responder.http_302 >= 3'"

t_summary
