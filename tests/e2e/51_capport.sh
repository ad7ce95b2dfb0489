#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the RFC 8908 API (capport_listen) over TLS validated against
# the test's own CA (curl --cacert, never -k): the answer before login,
# after `allow` (seconds-remaining from the deadline), after `deny`; MAC
# binding and MAC grants seen through the neighbour table; Accept, 404,
# 405; an unauthenticated client reaches this listener and nothing else of
# the gateway's; `gate511ctl status` shows it and the API URI; the pass
# closes with the daemon. RFC 8910: a real dnsmasq hands out option 114
# with that URI, and the DHCP exchange passes gate511 before login.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

GW4=10.51.0.1 CL4=10.51.0.2 GW6=fd51::1 CL6=fd51::2
CL_MAC=02:51:00:00:00:02
HOST=gw.example
URI=https://$HOST/capport
VENUE=https://venue.example/info

# ---- a throwaway CA and a server certificate for gw.example, 10.51.0.1, fd51::1 ----
PKI=$(mktemp -d /tmp/g511cap.XXXXXX)
trap 'rm -rf "$PKI"; t_cleanup' EXIT
mkcert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=gate511 test CA" -keyout "$PKI/ca.key" -out "$PKI/ca.pem" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=$HOST" -keyout "$PKI/gw.key" -out "$PKI/gw.csr" &&
	printf 'subjectAltName=DNS:%s,IP:%s,IP:%s\nextendedKeyUsage=serverAuth\n' \
		"$HOST" "$GW4" "$GW6" > "$PKI/ext" &&
	openssl x509 -req -in "$PKI/gw.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
		-CAcreateserial -days 2 -extfile "$PKI/ext" -out "$PKI/gw.pem"
} >/dev/null 2>&1
if ! mkcert; then
	t_fail "test CA and certificate (openssl)"; t_summary; exit 1
fi

tb_up cp
[ -e "$NS_GW" ] || { t_fail "test bed comes up"; t_summary; exit 1; }
daemon_conf "$T_TMP/gate511.conf" "capport_listen = $GW4:443" \
	"tls_cert = $PKI/gw.pem" "tls_key = $PKI/gw.key" "venue_info_url = $VENUE"
daemon_start || { t_fail "daemon starts with capport_listen"; t_summary; exit 1; }

# api [curl args...]: GET the API from the client as it would: by the URI's
# host name (resolved to the gateway), the certificate checked with our CA.
# Headers go to $T_TMP/h, the body to $T_TMP/b; prints the status.
api() {
	in_cl curl -sS -m 5 --cacert "$PKI/ca.pem" --resolve "$HOST:443:$GW4" \
		-D "$T_TMP/h" -o "$T_TMP/b" -w '%{http_code}' "$@" 2>"$T_TMP/curl.err"
}
body_is() { jq -e "$1" "$T_TMP/b" >/dev/null; }
header_is() { grep -qix "$1"$'\r' "$T_TMP/h"; }
code_is() { local want=$1; shift; [ "$(api "$@")" = "$want" ]; }

# ---- status: the listener and the URI (from the certificate's DNS name) ----
check "status: capport listener on $GW4:443" bash -c \
	"'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' status | grep -qx 'capport: *$GW4:443 (https)'"
check "status: API URI is $URI" bash -c \
	"'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' status | grep -qx 'capport URI: *$URI'"
check "status -j: listeners and capport_uri" bash -c \
	"'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j status | jq -e '.listeners.capport.address == \"$GW4\" and .listeners.capport.port == 443 and .listeners.capport.tls == true and .listeners.api == null and .listeners.metrics == null and .capport_uri == \"$URI\"'"

# ---- before login ----
pass0=$(stat_get pass_capport)
check "unauthenticated: 200 over validated TLS" code_is 200 "$URI"
check "unauthenticated: captive true, portal and venue URLs" body_is \
	".captive == true and .\"user-portal-url\" == \"$PORTAL\" and .\"venue-info-url\" == \"$VENUE\" and (has(\"seconds-remaining\") | not)"
check "Content-Type: application/captive+json" header_is 'content-type: application/captive+json'
check "Cache-Control: private, no-store" header_is 'cache-control: private, no-store'
check "the datapath counted pass_capport" test "$(stat_get pass_capport)" -gt "${pass0:-0}"
check "by address: the certificate's IP SAN validates too" code_is 200 "https://$GW4/capport"
check_not "without our CA: the certificate is refused" in_cl curl -s -m 5 \
	--resolve "$HOST:443:$GW4" "$URI"
check "plain HTTP to the API port: no answer" bash -c \
	"[ \"\$(nsenter --net='$NS_CL' curl -s -m 3 -o /dev/null -w '%{http_code}' http://$GW4:443/capport)\" != 200 ]"
check "path /capport/: 200" code_is 200 "$URI/"
check "Accept */*: 200" code_is 200 -H 'Accept: */*' "$URI"
check "Accept list with q: 200" code_is 200 \
	-H 'Accept: text/html;q=0.9, application/captive+json;q=0.5' "$URI"
check "Accept application/*: 200" code_is 200 -H 'Accept: application/*' "$URI"
check "Accept application/json only: 406" code_is 406 -H 'Accept: application/json' "$URI"
check "Accept ours with q=0: 406" code_is 406 \
	-H 'Accept: application/captive+json;q=0, */*' "$URI"
check "406 is JSON" body_is '.error | type == "string"'
check "other path: 404" code_is 404 "https://$HOST/other"
check "prefix path /capportx: 404" code_is 404 "https://$HOST/capportx"
check "404 is JSON" body_is '.error | type == "string"'
check "POST: 405" code_is 405 -X POST -d x "$URI"
check "405 says Allow: GET, HEAD" header_is 'allow: GET, HEAD'
check "HEAD: 200, the same headers" bash -c "[ \"\$(nsenter --net='$NS_CL' curl -sS -m 5 -I --cacert '$PKI/ca.pem' --resolve '$HOST:443:$GW4' -o /dev/null -w '%{http_code} %{content_type}' '$URI')\" = '200 application/captive+json' ]"

# ---- an unauthenticated client reaches this listener and nothing else ----
bg_ns "$NS_GW" /usr/bin/python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$GW4', 8443)); s.listen(8)
while True:
    c, _ = s.accept(); c.close()" >/dev/null 2>&1
tcp_open() { in_cl timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2"; }
if wait_for 5 in_gw timeout 2 bash -c "exec 3<>/dev/tcp/$GW4/8443"; then
	check_not "before login: another TCP port of the gateway is closed" tcp_open $GW4 8443
else
	t_fail "a listener on $GW4:8443 in the gateway"
fi
check_not "before login: no ping to the gateway" in_cl ping -c1 -W1 $GW4
check_not "before login: the API port on the gateway's other address" tcp_open 10.52.0.1 443

# ---- after login, after logout ----
ctl allow $CL4 --ttl 1h >/dev/null
check "allowed: 200" code_is 200 "$URI"
check "allowed: captive false, 3500 < seconds-remaining <= 3600" body_is \
	'.captive == false and ."seconds-remaining" <= 3600 and ."seconds-remaining" > 3500 and ."can-extend-session" == false and (has("bytes-remaining") | not)'
check "allowed: venue URL kept, no portal URL (cannot extend)" body_is \
	".\"venue-info-url\" == \"$VENUE\" and (has(\"user-portal-url\") | not)"
check "allowed: the gateway's other port is open to the client" tcp_open $GW4 8443
ctl deny $CL4 >/dev/null
check "denied: captive true again" bash -c "[ \"\$(nsenter --net='$NS_CL' curl -sS -m 5 --cacert '$PKI/ca.pem' --resolve '$HOST:443:$GW4' '$URI' | jq .captive)\" = true ]"
ctl allow $CL4 --ttl 0 >/dev/null
check "no deadline: captive false without seconds-remaining" bash -c \
	"code=\$(nsenter --net='$NS_CL' curl -sS -m 5 --cacert '$PKI/ca.pem' --resolve '$HOST:443:$GW4' '$URI'); echo \"\$code\" | jq -e '.captive == false and (has(\"seconds-remaining\") | not)'"
ctl allow $CL4 --ttl 1h --mac $CL_MAC >/dev/null
api "$URI" >/dev/null
check "bound to the client's MAC: captive false" body_is '.captive == false'
ctl allow $CL4 --ttl 1h --mac 02:00:00:00:00:99 >/dev/null
api "$URI" >/dev/null
check "bound to another MAC: captive true" body_is '.captive == true'
ctl deny $CL4 >/dev/null
ctl allow $CL_MAC --ttl 30m >/dev/null
api "$URI" >/dev/null
check "MAC grant for the client's MAC: captive false, <= 1800 s" body_is \
	'.captive == false and ."seconds-remaining" <= 1800 and ."seconds-remaining" > 1700'
ctl deny $CL_MAC >/dev/null
api "$URI" >/dev/null
check "MAC grant revoked: captive true" body_is '.captive == true'
# a reload that moves the listener: restart-only, the running one and its pass stay
daemon_conf "$T_TMP/gate511.conf" "capport_listen = [$GW6]:443" \
	"tls_cert = $PKI/gw.pem" "tls_key = $PKI/gw.key" "venue_info_url = $VENUE"
kill -HUP "$DAEMON_PID"
check "reload: capport_listen takes effect at restart" \
	wait_for 10 grep -q 'capport_listen changed: takes effect at restart' "$T_TMP/gate511d.log"
check "after the reload: the API still answers on $GW4" code_is 200 "$URI"
check "after the reload: status still shows $GW4:443" bash -c \
	"'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' status | grep -qx 'capport: *$GW4:443 (https)'"

# ---- RFC 8910: dnsmasq hands out option 114 before login ----
dhcp_case() {
	local dhcp0
	# the option line exactly as doc/gate511d.8 and the README give it
	printf 'dhcp-option=114,"%s"\n' "$URI" > "$T_TMP/dnsmasq.conf"
	bg_ns "$NS_GW" /usr/sbin/dnsmasq -k --conf-file="$T_TMP/dnsmasq.conf" --port=0 \
		-u root --interface="$IF_GW" --bind-interfaces --dhcp-authoritative \
		--dhcp-range=10.51.0.100,10.51.0.150,1h --dhcp-leasefile="$T_TMP/leases" \
		--pid-file="$T_TMP/dnsmasq.pid" >"$T_TMP/dnsmasq.log" 2>&1
	if ! wait_for 5 test -s "$T_TMP/dnsmasq.pid"; then
		t_fail "dnsmasq starts" "$(tail -3 "$T_TMP/dnsmasq.log")"
		return
	fi
	dhcp0=$(stat_get pass_dhcp)
	# DISCOVER -> OFFER, REQUEST -> ACK, each must carry option 114 = URI
	in_cl /usr/bin/python3 - "$IF_CL" "$CL_MAC" "$URI" >"$T_TMP/dhcp.out" 2>&1 <<'EOF'
import sys
from scapy.all import conf, srp1, Ether, IP, UDP, BOOTP, DHCP, mac2str
iface, mac, uri = sys.argv[1], sys.argv[2], sys.argv[3].encode()
conf.checkIPaddr = False
conf.verb = 0

def opt114(p):
    raw = bytes(p[DHCP])
    i = 0
    while i < len(raw) and raw[i] != 255:
        if raw[i] == 0:
            i += 1
            continue
        if i + 1 >= len(raw):
            break
        code, n = raw[i], raw[i + 1]
        if code == 114:
            return raw[i + 2:i + 2 + n]
        i += 2 + n
    return None

def ask(kind, extra):
    p = Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") / \
        UDP(sport=68, dport=67) / BOOTP(chaddr=mac2str(mac), xid=0x5110114, flags=0x8000) / \
        DHCP(options=[("message-type", kind)] + extra + [("param_req_list", [1, 3, 114]), "end"])
    for _ in range(3):
        r = srp1(p, iface=iface, timeout=3, filter="udp and dst port 68")
        if r is not None and DHCP in r:
            return r
    return None

offer = ask("discover", [])
if offer is None:
    sys.exit("no OFFER")
print("offer", offer[BOOTP].yiaddr, opt114(offer))
if opt114(offer) != uri:
    sys.exit("OFFER without option 114 = %r" % uri)
ack = ask("request", [("requested_addr", offer[BOOTP].yiaddr),
                      ("server_id", offer[IP].src)])
if ack is None or dict((o[0], o[1]) for o in ack[DHCP].options if isinstance(o, tuple)).get("message-type") != 5:
    sys.exit("no ACK")
print("ack", ack[BOOTP].yiaddr, opt114(ack))
sys.exit(0 if opt114(ack) == uri else "ACK without option 114")
EOF
	local rc=$?
	check "DHCP before login: OFFER and ACK carry option 114 = $URI" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/    /' "$T_TMP/dhcp.out"
	check "DHCP passed gate511 as pass_dhcp" test "$(stat_get pass_dhcp)" -ge $((${dhcp0:-0} + 2))
	check "dnsmasq leased an address" grep -qi "$CL_MAC" "$T_TMP/leases"
}
dhcp_case

# ---- the pass closes with the daemon ----
daemon_stop
pass0=$(stat_get pass_capport)
in_cl curl -s -m 3 --cacert "$PKI/ca.pem" --resolve "$HOST:443:$GW4" "$URI" >/dev/null 2>&1
check "daemon stopped: the datapath no longer passes TCP to the API" \
	test "$(stat_get pass_capport)" -eq "${pass0:-0}"

# ---- IPv6: the listener on the gateway's v6 address ----
daemon_conf "$T_TMP/gate511.conf" "capport_listen = [$GW6]:443" \
	"tls_cert = $PKI/gw.pem" "tls_key = $PKI/gw.key"
if daemon_start; then
	api6() {
		in_cl curl -sS -m 5 --cacert "$PKI/ca.pem" --resolve "$HOST:443:[$GW6]" \
			-o "$T_TMP/b" -w '%{http_code}' "$URI"
	}
	check "IPv6: unauthenticated, captive true" bash -c \
		"[ \"\$(nsenter --net='$NS_CL' curl -sS -m 5 --cacert '$PKI/ca.pem' --resolve '$HOST:443:[$GW6]' '$URI' | jq .captive)\" = true ]"
	ctl allow $CL6 --ttl 1h --mac $CL_MAC >/dev/null
	api6 >/dev/null
	check "IPv6: bound to the client's MAC (ND table), captive false" body_is \
		'.captive == false and ."seconds-remaining" > 3500'
	check "IPv6: status URI is still the certificate's name" bash -c \
		"'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' status | grep -qx 'capport URI: *$URI'"
	check_not "IPv6: the v4 address no longer passes to 443 (API moved)" \
		in_cl curl -s -m 3 --cacert "$PKI/ca.pem" "https://$GW4/capport"
else
	t_fail "daemon starts with an IPv6 capport_listen"
fi

t_summary
