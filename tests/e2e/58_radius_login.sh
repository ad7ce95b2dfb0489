#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end, RADIUS login through the portal API and MAC authentication,
# against a real FreeRADIUS 3.2 (tests/radius_lib.sh; two instances,
# 10.52.0.2 and 10.52.0.3): POST /v1/login accepted (201, the grant with the
# server's Session-Timeout, Idle-Timeout, Class, WISPr rates and ChilliSpot
# quota, origin radius, reply_message), rejected (403 with the
# Reply-Message, no grant), every server down (503, no grant), bad bodies
# (400), a slow login does not hold up other API requests; the
# Access-Request as FreeRADIUS logged it (NAS-Port-Type Wireless-802.11 from
# radius_nas_port_type, Service-Type Login, Calling-/Called-Station-Id, ...);
# accounting Start with that NAS-Port-Type; MAC authentication: a known MAC's first redirected request gets the 511 and
# the MAC is granted at once (origin radius, user = the MAC); a rejected MAC
# stays captive and 50 more requests send no second Access-Request (the
# reject cache); the counters in gate511ctl -j radius.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root
if ! command -v freeradius >/dev/null || ! command -v radclient >/dev/null; then
	t_skip "$(basename "$0")" "freeradius and radclient not installed (scripts/install-deps.sh)"
	t_summary; exit 0
fi

tb_up rl
[ -e "$NS_GW" ] || { t_fail "test bed comes up"; t_summary; exit 1; }
UP4=10.52.0.2
SECRET=gw-s3cret
PORT=18581
KEY=portal-1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
in_up ip addr add 10.52.0.3/24 dev "$IF_UP"
# more client addresses: the MAC-auth cases need their own MACs (macvlans
# in the client namespace, each with its address and MAC)
ifmac() { "$1" ip -br link show dev "$2" | awk '{print $3}'; }
CLMAC=$(ifmac in_cl "$IF_CL")
MAC_OK=02:58:00:00:00:0a MAC_BAD=02:58:00:00:00:0b
in_cl ip link add link "$IF_CL" name m58a address $MAC_OK type macvlan mode bridge
in_cl ip link add link "$IF_CL" name m58b address $MAC_BAD type macvlan mode bridge
in_cl ip addr add 10.51.0.30/24 dev m58a
in_cl ip addr add 10.51.0.31/24 dev m58b
in_cl ip link set m58a up
in_cl ip link set m58b up
# each leaves by its own link (its own MAC), by its source address
for t in 30:m58a 31:m58b; do
	in_cl ip rule add from 10.51.0.${t%%:*} table 58${t%%:*}
	in_cl ip route add default via 10.51.0.1 dev ${t#*:} table 58${t%%:*}
done
# the gateway learns the client's MAC as a real one would, from its ARP
# (the test bed's static neighbour would hide it): Calling-Station-Id
in_cl ip neigh del 10.51.0.1 dev "$IF_CL"

. "$(dirname "$0")/../radius_lib.sh"
dash() { echo "$1" | tr : -; }
fr_users() {
	cat > "$1/users" <<EOU
alice	Cleartext-Password := "wonderland"
	Session-Timeout = 120,
	Idle-Timeout = 60,
	Acct-Interim-Interval = 30,
	Class = "gold-1",
	WISPr-Bandwidth-Max-Up = 1000000,
	WISPr-Bandwidth-Max-Down = 2000000,
	ChilliSpot-Max-Total-Octets = 50000000,
	Reply-Message = "Welcome, alice"

"$(dash $MAC_OK)"	Cleartext-Password := "$(dash $MAC_OK)"
	Session-Timeout = 600,
	Class = "mac-ok"

DEFAULT	Auth-Type := Reject
EOU
}
FR1=$T_TMP/fr1 FR2=$T_TMP/fr2
fr_conf "$FR1" 10.52.0.2; fr_users "$FR1"
fr_conf "$FR2" 10.52.0.3; fr_users "$FR2"
fr_start 1 || { t_fail "FreeRADIUS 1 starts"; cat "$FR1/log/radius.log"; t_summary; exit 1; }
fr_start 2 || { t_fail "FreeRADIUS 2 starts"; t_summary; exit 1; }
t_ok "two FreeRADIUS servers started"

daemon_conf "$T_TMP/gate511.conf" \
	"api_listen = 127.0.0.1:$PORT" "api_key = $KEY" \
	"radius_server = 10.52.0.2" \
	"radius_server = 10.52.0.3" \
	"radius_secret = $SECRET" \
	"radius_nas_identifier = gw-58" \
	"radius_nas_port_type = wireless" \
	"radius_timeout = 1" \
	"radius_retries = 1" \
	"radius_mac_auth = yes" \
	"radius_mac_auth_reject_cache = 300"
chmod 600 "$T_TMP/gate511.conf"
daemon_start -o "$ROOT/bpf/gate511.bpf.o" || { t_fail "daemon starts"; t_summary; exit 1; }
up_http_start
export ROOT T_TMP
export -f ctl
PF="set -o pipefail;"

# api METHOD PATH [JSON]: status on line 1, then the body
api() { in_gw /usr/bin/python3 "$ROOT/tests/tools/g511_api.py" --url "http://127.0.0.1:$PORT" \
	--key "$KEY" "$@"; }
jshow() { ctl -j show "$1" 2>/dev/null | jq -r ".grant.$2"; }
authlines() { cat "$FR1/auth.log" "$FR2/auth.log" 2>/dev/null | grep -c "^user=$1 "; }
rad() { ctl -j radius | jq -r ".$1"; }

# ---- POST /v1/login: accepted ----
check "unauthenticated: HTTP gets 511" [ "$(http_code)" = 511 ]
out=$(api POST /v1/login '{"client": "10.51.0.2", "username": "alice", "password": "wonderland"}')
st=$(echo "$out" | head -1) js=$(echo "$out" | tail -n +2)
check "login alice: 201 (got $st)" [ "$st" = 201 ]
jq_ok() { echo "$js" | jq -e "$1"; }
check "login: the grant, origin radius, user alice" jq_ok '.grant.client == "10.51.0.2" and .grant.origin == "radius" and .grant.user == "alice"'
check "login: ttl 120, idle 60 from the server" jq_ok '.grant.ttl == 120 and .grant.idle_timeout == 60'
check "login: Class, WISPr rates and ChilliSpot quota from the server" jq_ok '.grant.class == "676f6c642d31" and .grant.rate_up_bps == 1000000 and .grant.rate_down_bps == 2000000 and .grant.quota_bytes == 50000000'
check "login: reply_message" jq_ok '.reply_message == "Welcome, alice"'
check "login: an Acct-Session-Id" jq_ok '(.grant.acct_session_id | length) == 16'
check "login: the same grant gate511ctl shows (origin, rates)" [ "$(jshow 10.51.0.2 origin)/$(jshow 10.51.0.2 rate_down_bps)" = radius/2000000 ]
check "logged in: HTTP reaches upstream" wait_for 3 bash -c "[ \"\$(nsenter --net=$NS_CL curl -s -m 2 -o /dev/null -w '%{http_code}' --interface 10.51.0.2 http://$UP4/)\" = 200 ]"
check_not "the password is not in the daemon's log" grep -q wonderland "$T_TMP/gate511d.log"

# ---- the Access-Request as FreeRADIUS saw it ----
SID=$(echo "$js" | jq -r .grant.acct_session_id)
line=$(grep "^user=alice " "$FR1/auth.log" | tail -1)
echo "  auth.log: $line"
has() { echo "$line" | grep -q -- "$1"; }
GWMAC=$(ifmac in_gw "$IF_GW" | tr a-f: A-F-)
check "Access-Request: NAS-Identifier" has " nas=gw-58 "
check "Access-Request: NAS-IP-Address 10.52.0.1" has " nasip=10.52.0.1 "
check "Access-Request: Service-Type Login" has " service=Login-User "
check "Access-Request: NAS-Port-Type Wireless-802.11 (radius_nas_port_type = wireless)" has " porttype=Wireless-802.11 "
check "Access-Request: Framed-IP-Address" has " ip=10.51.0.2 "
check "Access-Request: Calling-Station-Id = the client's MAC, AA-BB-..." has " calling=$(echo "$CLMAC" | tr a-f: A-F-) "
check "Access-Request: Called-Station-Id = the gateway's MAC" has " called=$GWMAC "
check "Access-Request: Acct-Session-Id = the grant's" has " sid=$SID "
check "accounting Start: NAS-Port-Type Wireless-802.11 too" wait_for 5 bash -c "grep '^status=Start sid=$SID ' $FR1/acct.log | grep -q 'porttype=Wireless-802.11'"
check "Access-Request: Message-Authenticator" bash -c "! echo '$line' | grep -q ' ma=none'"

# ---- rejected, bad bodies ----
out=$(api POST /v1/login '{"client": "10.51.0.3", "username": "alice", "password": "nope"}')
st=$(echo "$out" | head -1) js=$(echo "$out" | tail -n +2)
check "wrong password: 403 (got $st)" [ "$st" = 403 ]
check "wrong password: the Reply-Message" jq_ok '.reply_message == "access denied" and (.error | length) > 0'
check_not "wrong password: no grant" ctl show 10.51.0.3
for b in '{"client": "10.51.0.3", "username": "alice"}' \
	 '{"client": "nope", "username": "alice", "password": "x"}' \
	 '{"client": "10.51.0.3", "username": "alice", "password": "x", "ttl": 5}' \
	 '{"client": "10.51.0.3", "username": 5, "password": "x"}' \
	 '{"client": "10.51.0.3", "username": "", "password": "x"}' \
	 '{"client": "10.51.0.3", "username": "alice", "password": "x"'; do
	out=$(api POST /v1/login "$b" 2>/dev/null || api --body "$b" POST /v1/login)
	st=$(echo "$out" | head -1)
	check "bad body $b: 400 with a JSON error (got $st)" bash -c "[ '$st' = 400 ] && echo '$(echo "$out" | tail -n +2)' | jq -e '.error | length > 0'"
done
out=$(api --body 'not json' POST /v1/login)
check "not JSON: 400" [ "$(echo "$out" | head -1)" = 400 ]
check "GET /v1/login: 405" [ "$(api -s GET /v1/login)" = 405 ]
check "unsigned: 401" [ "$(api --no-auth -s POST /v1/login '{"client": "10.51.0.3", "username": "alice", "password": "wonderland"}')" = 401 ]
check_not "after the refusals: no grant for 10.51.0.3" ctl show 10.51.0.3

# ---- every server down: 503 after the retries, and the API goes on meanwhile ----
fr_stop 1; fr_stop 2
n0=$(rad access_requests)
api POST /v1/login '{"client": "10.51.0.4", "username": "alice", "password": "wonderland"}' > "$T_TMP/down.out" &
LPID=$!
# the login is waiting on the servers (1 s x 2 tries x 2 servers): other
# requests are answered while it waits, not after it
check "a login is pending" wait_for 5 bash -c "[ \$(ctl -j radius | jq -r .access_requests) -gt $n0 ]"
st=$(api -s GET /v1/grants/10.51.0.2)
pending=no; kill -0 $LPID 2>/dev/null && pending=yes
check "during a pending login: GET /v1/grants answers 200 (got $st) before it ends ($pending)" bash -c "[ '$st' = 200 ] && [ $pending = yes ]"
check "during a pending login: the control socket answers" ctl status
wait $LPID
st=$(head -1 "$T_TMP/down.out")
check "every server down: 503 (got $st)" [ "$st" = 503 ]
check "every server down: the error says so" grep -q "no RADIUS server answered" "$T_TMP/down.out"
check_not "every server down: no grant" ctl show 10.51.0.4
fr_start 1; fr_start 2

# ---- MAC authentication ----
curl_from() { in_cl curl -s -m 2 -o /dev/null -w '%{http_code}' --interface "$1" "http://$UP4/"; }
check "MAC auth: a new MAC's first request gets the 511" [ "$(curl_from 10.51.0.30)" = 511 ]
check "MAC auth: the MAC is granted at once" wait_for 10 ctl show $MAC_OK
check "MAC auth: origin radius, user the MAC, the server's ttl" \
	[ "$(jshow $MAC_OK origin)/$(jshow $MAC_OK user)/$(jshow $MAC_OK ttl)" = "radius/$(dash $MAC_OK)/600" ]
check "MAC auth: its next request passes" wait_for 3 bash -c "[ \"\$(nsenter --net=$NS_CL curl -s -m 2 -o /dev/null -w '%{http_code}' --interface 10.51.0.30 http://$UP4/)\" = 200 ]"
line=$(cat "$FR1/auth.log" "$FR2/auth.log" 2>/dev/null | grep "^user=$(dash $MAC_OK) " | tail -1)
echo "  auth.log: $line"
check "MAC auth: Service-Type Call-Check, Framed-IP-Address and Calling-Station-Id the client's" has " service=Call-Check .* ip=10.51.0.30 .*calling=$(dash $MAC_OK | tr a-f A-F) "
check "MAC auth: one Access-Request for it" [ "$(authlines "$(dash $MAC_OK)")" = 1 ]

# the first client's MAC was asked too, by its first 511, and rejected (it
# logged in through the API instead)
check "MAC auth: the first client's MAC was asked once (got $(authlines "$(dash "$CLMAC")"))" [ "$(authlines "$(dash "$CLMAC")")" = 1 ]
r0=$(ctl -j radius | jq -r .mac_auth.rejects)
check "MAC auth: a rejected MAC's first request gets the 511" [ "$(curl_from 10.51.0.31)" = 511 ]
check "MAC auth: the server rejects it" wait_for 10 bash -c "[ \$(ctl -j radius | jq -r .mac_auth.rejects) = $((r0 + 1)) ]"
n511=0
for i in $(seq 1 50); do [ "$(curl_from 10.51.0.31)" = 511 ] && n511=$((n511 + 1)); done
check "MAC auth: rejected, 50 more requests all get the 511 ($n511)" [ $n511 = 50 ]
check_not "MAC auth: rejected: no grant" ctl show $MAC_BAD
check "MAC auth: rejected: one Access-Request in all (the reject is cached; got $(authlines "$(dash $MAC_BAD)"))" [ "$(authlines "$(dash $MAC_BAD)")" = 1 ]
ctl radius | grep mac-auth
check "radius -j: mac_auth 3 requests (the two clients' and the first one's), 1 accept, 2 rejects, >= 50 suppressed, none pending" \
	bash -c "$PF ctl -j radius | jq -e '.mac_auth.enabled and .mac_auth.requests == 3 and .mac_auth.accepts == 1 and .mac_auth.rejects == 2 and .mac_auth.suppressed >= 50 and .mac_auth.pending == 0'"
check "radius: the mac-auth line" bash -c "ctl radius | grep -q '^mac-auth: on; 3 requests, 1 accepts, 2 rejects'"
check "radius -j: the logins counted apart (accepts 1, rejects 1, timeouts 1)" \
	bash -c "$PF ctl -j radius | jq -e '.accepts == 1 and .rejects == 1 and .auth_timeouts == 1'"

t_summary
