#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end, the signed portal API (api_listen, plain HTTP on loopback in
# the gateway namespace): a signed POST grants (201, the client passes,
# origin api), GET one and all, DELETE revokes (511 again); bad signature,
# stale ts, replayed nonce (also after a restart), unknown key, no header
# are 401 and change nothing; bodies over 64 KiB 413; unknown field and bad
# address 400; a quota taken; a flood of bad requests is 429 while the control
# socket answers; a full map 507 with nobody evicted; the api_keys file.
# tests/tools/g511_api.py is the client (and the reference signer).
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

tb_up k
UP4=10.52.0.2
PORT=18511
KEY1=portal-1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
KEY2=portal-2:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
printf '# portal keys\n\n%s\n' "$KEY2" > "$T_TMP/api_keys"
chmod 600 "$T_TMP/api_keys"
daemon_conf "$T_TMP/gate511.conf" "api_listen = 127.0.0.1:$PORT" "api_key = $KEY1" \
	"api_keys = $T_TMP/api_keys" "metrics_listen = 127.0.0.1:$((PORT + 1))"
chmod 600 "$T_TMP/gate511.conf"
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
up_http_start

# api [client options] METHOD PATH [JSON]: status on line 1, then the body
api() { in_gw /usr/bin/python3 "$ROOT/tests/tools/g511_api.py" --url "http://127.0.0.1:$PORT" \
	--key "$KEY1" "$@"; }
status() { api -s "$@"; }
body() { api "$@" | tail -n +2; }
ctlj() { ctl -j "$@"; }
n_grants() { ctlj list | jq '.grants | length'; }

check "api listening logged" grep -q "api listening on 127.0.0.1:$PORT (http, 2 keys)" \
	"$T_TMP/gate511d.log"
check "unauthenticated: HTTP gets 511" [ "$(http_code)" = 511 ]

# ---- grant, show, list, revoke ----
out=$(api POST /v1/grants '{"client": "10.51.0.2", "ttl": 3600, "username": "alice"}')
check "POST /v1/grants: 201 ($(echo "$out" | head -1))" [ "$(echo "$out" | head -1)" = 201 ]
check "POST: the grant in the answer" bash -c "echo '$(echo "$out" | tail -n +2)' | jq -e '.grant.client == \"10.51.0.2\" and .grant.origin == \"api\" and .grant.ttl == 3600 and .grant.user == \"alice\"'"
check "granted: HTTP reaches upstream (200)" wait_for 3 bash -c "[ \"\$(nsenter --net=$NS_CL curl -s -m 2 -o /dev/null -w '%{http_code}' --interface 10.51.0.2 http://$UP4/)\" = 200 ]"
check "gate511ctl -j list: origin api" bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j list | jq -e '.grants[] | select(.client == \"10.51.0.2\" and .origin == \"api\")'"
# GET one: the same object gate511ctl -j show prints (the counters and
# "remaining" move with time, and "expires", read from the map's BOOTTIME
# deadline, may round to the next second; the rest must be equal)
strip='del(.grant.remaining, .grant.expires, .grant.packets, .grant.bytes, .grant.last_seen, .grant.packets_down, .grant.bytes_down)'
a=$(body GET /v1/grants/10.51.0.2 | jq -cS "$strip")
c=$(ctlj show 10.51.0.2 | jq -cS "$strip")
check "GET /v1/grants/10.51.0.2: 200" [ "$(status GET /v1/grants/10.51.0.2)" = 200 ]
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
check "GET one: the object gate511ctl -j show prints" same "$a" "$c"
same "$a" "$c" || echo "  api: $a"$'\n'"  ctl: $c"
ea=$(body GET /v1/grants/10.51.0.2 | jq .grant.expires)
ec=$(ctlj show 10.51.0.2 | jq .grant.expires)
check "GET one: expires as gate511ctl shows it, to the second ($ea, $ec)" \
	[ $(( ea > ec ? ea - ec : ec - ea )) -le 1 ]
check "GET /v1/grants: list with the grant" bash -c "$(declare -f api body in_gw); ROOT='$ROOT' PORT=$PORT KEY1=$KEY1 NS_GW=$NS_GW; body GET /v1/grants | jq -e '.source == \"daemon\" and (.grants | length == 1) and .grants[0].client == \"10.51.0.2\"'"
check "GET /v1/grants/10.51.0.9: 404" [ "$(status GET /v1/grants/10.51.0.9)" = 404 ]
check "GET /v1/grants/bogus: 400" [ "$(status GET /v1/grants/bogus)" = 400 ]
check "PUT /v1/grants: 405" [ "$(status PUT /v1/grants)" = 405 ]
check "GET /v2: 404" [ "$(status GET /v2)" = 404 ]
check "key from the api_keys file: 200" [ "$(status --key "$KEY2" GET /v1/grants)" = 200 ]
out=$(api DELETE /v1/grants/10.51.0.2)
check "DELETE: 200 ($(echo "$out" | head -1))" [ "$(echo "$out" | head -1)" = 200 ]
check "DELETE: the closed session" bash -c "echo '$(echo "$out" | tail -n +2)' | jq -e '.reason == \"revoked\" and .origin == \"api\"'"
check "revoked: HTTP gets 511 again" wait_for 3 bash -c "[ \"\$(nsenter --net=$NS_CL curl -s -m 2 -o /dev/null -w '%{http_code}' --interface 10.51.0.2 http://$UP4/)\" = 511 ]"
check "DELETE again: 404" [ "$(status DELETE /v1/grants/10.51.0.2)" = 404 ]

# ---- authentication: refused, nothing changed ----
G='{"client": "10.51.0.2"}'
out=$(api --bad-sig POST /v1/grants "$G")
check "bad signature: 401" [ "$(echo "$out" | head -1)" = 401 ]
check "bad signature: the reason" bash -c "echo '$out' | grep -q 'bad signature'"
# well past the 300 s window: the second that passes between signing here
# and checking there must not decide a case (the exact bound is test_sig's)
check "stale ts (-330 s): 401 stale" bash -c "$(declare -f api in_gw); ROOT='$ROOT' PORT=$PORT KEY1=$KEY1 NS_GW=$NS_GW; api --ts $(( $(date +%s) - 330 )) POST /v1/grants '$G' | grep -q 'stale'"
check "future ts (+330 s): 401" [ "$(status --ts $(( $(date +%s) + 330 )) POST /v1/grants "$G")" = 401 ]
check "no Authorization header: 401" [ "$(status --no-auth GET /v1/grants)" = 401 ]
check "unknown key: 401" [ "$(status --key nobody:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff GET /v1/grants)" = 401 ]
check "malformed header: 401" [ "$(status --header 'G511-HMAC-SHA256 keyid=portal-1' GET /v1/grants)" = 401 ]
check "refused requests granted nothing" [ "$(n_grants)" = 0 ]
check "refused requests: still 511" [ "$(http_code)" = 511 ]

# replay: the same request (same ts, nonce, signature) twice
N=0123456789abcdef0123456789abcdef
T=$(date +%s)
check "signed GET with a chosen nonce: 200" [ "$(status --ts "$T" --nonce $N GET /v1/grants)" = 200 ]
out=$(api --ts "$T" --nonce $N GET /v1/grants)
check "replayed nonce: 401 replayed" bash -c "echo '$out' | head -1 | grep -qx 401 && echo '$out' | grep -q replayed"
# the metrics see the API: requests by endpoint, the replay by reason
in_gw curl -s -m 5 "http://127.0.0.1:$((PORT + 1))/metrics" > "$T_TMP/metrics.txt"
metric() { awk -v m="$1" '$1 == m { print $2 }' "$T_TMP/metrics.txt"; }
check "metrics: grant_list 2xx counted ($(metric 'gate511_api_requests_total{endpoint="grant_list",code="2xx"}'))" \
	[ "$(metric 'gate511_api_requests_total{endpoint="grant_list",code="2xx"}')" -ge 1 ]
check "metrics: the replay counted by reason" \
	[ "$(metric 'gate511_api_auth_failures_total{reason="replayed"}')" -ge 1 ]
check "metrics: the api listener's requests" grep -q '^gate511_http_requests_total{listener="api"' "$T_TMP/metrics.txt"
check "metrics: promtool check metrics" sh -c "promtool check metrics < '$T_TMP/metrics.txt'"
N2=fedcba9876543210fedcba9876543210
check "POST with nonce N2: 201" [ "$(status --ts "$T" --nonce $N2 POST /v1/grants "$G")" = 201 ]
ctl deny 10.51.0.2 >/dev/null
daemon_stop
daemon_start || { t_fail "daemon restarts"; t_summary; exit 1; }
check "after a restart: replayed POST 401" [ "$(status --ts "$T" --nonce $N2 POST /v1/grants "$G")" = 401 ]
check "after a restart: the replay granted nothing" [ "$(n_grants)" = 0 ]
check "nonce cache file beside the state DB" test -s "$T_TMP/state.db-nonces"

# ---- bodies ----
check "body over 64 KiB: 413" [ "$(status --body-size 70000 POST /v1/grants)" = 413 ]
out=$(api POST /v1/grants '{"client": "10.51.0.2", "tll": 60}')
check "unknown field: 400 naming it" bash -c "echo '$out' | head -1 | grep -qx 400 && echo '$out' | grep -q 'unknown field \\\\\"tll\\\\\"'"
check "bad address: 400" [ "$(status POST /v1/grants '{"client": "10.51.0.300"}')" = 400 ]
check "loopback client refused: 400" [ "$(status POST /v1/grants '{"client": "127.0.0.1"}')" = 400 ]
check "bad JSON: 400" [ "$(status POST /v1/grants '{"client": ')" = 400 ]
check "duplicate field: 400" [ "$(status POST /v1/grants '{"client": "10.51.0.2", "client": "10.51.0.3"}')" = 400 ]
check "refused bodies granted nothing" [ "$(n_grants)" = 0 ]
# a quota is enforced by the datapath (TC egress + XDP): the API takes it
out=$(api POST /v1/grants '{"client": "10.51.0.2", "quota_bytes": 1000000}')
check "quota: 201, the grant carries it" bash -c "echo '$out' | head -1 | grep -qx 201 && echo '$out' | grep -q '\"quota_bytes\":1000000'"
ctl deny 10.51.0.2 >/dev/null

# ---- a flood of bad requests: 429, the control socket unharmed ----
cat > "$T_TMP/flood.py" <<'PY'
import http.client, sys
codes = {}
for i in range(300):
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
    try:
        c.request("GET", "/v1/grants", headers={"Authorization": "G511-HMAC-SHA256 keyid=portal-1, ts=1, nonce=0123456789abcdef, sig=" + "0" * 64})
        s = c.getresponse().status
    except Exception:
        s = 0
    codes[s] = codes.get(s, 0) + 1
    c.close()
print(" ".join("%d:%d" % kv for kv in sorted(codes.items())))
PY
in_gw /usr/bin/python3 "$T_TMP/flood.py" "$PORT" > "$T_TMP/flood.txt" &
flood=$!
# the control socket while the flood runs: every status answered
n_ok=0 n_tries=0
for _ in $(seq 20); do
	pid_gone "$flood" && break
	n_tries=$((n_tries + 1))
	ctl status >/dev/null 2>&1 && n_ok=$((n_ok + 1))
done
check "control socket answers during the flood ($n_ok of $n_tries)" [ "$n_ok" -eq "$n_tries" -a "$n_tries" -ge 1 ]
wait $flood
codes=$(cat "$T_TMP/flood.txt")
n429=$(echo "$codes" | tr ' ' '\n' | awk -F: '$1 == 429 {print $2}')
n401=$(echo "$codes" | tr ' ' '\n' | awk -F: '$1 == 401 {print $2}')
check "flood: mostly 429 ($codes)" [ "${n429:-0}" -ge 250 ]
check "flood: a burst of 401 before the throttle ($codes)" [ "${n401:-0}" -ge 1 -a "${n401:-0}" -le 50 ]
check "flood: another source is not throttled" [ "$(status --source 127.0.0.2 GET /v1/grants)" = 200 ]
check "flood: the throttled source recovers" wait_for 15 bash -c "$(declare -f api status in_gw); ROOT='$ROOT' PORT=$PORT KEY1=$KEY1 NS_GW=$NS_GW; [ \"\$(status GET /v1/grants)\" = 200 ]"

# ---- HTTPS on the gateway's address: validated certificate, client certs ----
if ! command -v openssl >/dev/null; then
	t_skip "api over TLS" "no openssl to make a test CA"
else
	P=$T_TMP/pki
	mkdir -p "$P"
	{
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=g511-test-ca \
		-keyout "$P/ca.key" -out "$P/ca.pem"
	openssl req -newkey rsa:2048 -nodes -subj /CN=10.51.0.1 -keyout "$P/srv.key" \
		-out "$P/srv.csr"
	printf 'subjectAltName=IP:10.51.0.1\n' > "$P/srv.ext"
	openssl x509 -req -in "$P/srv.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" \
		-CAcreateserial -days 2 -extfile "$P/srv.ext" -out "$P/srv.pem"
	openssl req -newkey rsa:2048 -nodes -subj /CN=portal -keyout "$P/cl.key" \
		-out "$P/cl.csr"
	openssl x509 -req -in "$P/cl.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" \
		-CAcreateserial -days 2 -out "$P/cl.pem"
	} >/dev/null 2>&1
	chmod 600 "$P"/*.key
	daemon_stop
	mv "$T_TMP/gate511.conf" "$T_TMP/plain.conf"
	daemon_conf "$T_TMP/gate511.conf" "api_listen = 10.51.0.1:8443" "api_key = $KEY1" \
		"tls_cert = $P/srv.pem" "tls_key = $P/srv.key" "api_client_ca = $P/ca.pem"
	chmod 600 "$T_TMP/gate511.conf"
	if daemon_start; then
		tapi() { in_gw /usr/bin/python3 "$ROOT/tests/tools/g511_api.py" \
			--url https://10.51.0.1:8443 --cafile "$P/ca.pem" -s "$@"; }
		check "https: log says so" grep -q "api listening on 10.51.0.1:8443 (https, 1 keys, client certificates)" "$T_TMP/gate511d.log"
		check "https, certificate validated, HMAC: 200" [ "$(tapi --key "$KEY1" GET /v1/grants)" = 200 ]
		check "https, bad signature: 401" [ "$(tapi --key "$KEY1" --bad-sig GET /v1/grants)" = 401 ]
		check "https, client certificate, no HMAC: 200" [ "$(tapi --cert "$P/cl.pem" --certkey "$P/cl.key" GET /v1/grants)" = 200 ]
		check "https, client certificate, grant: 201" [ "$(tapi --cert "$P/cl.pem" --certkey "$P/cl.key" POST /v1/grants '{"client": "10.51.0.2", "ttl": 60}')" = 201 ]
		check "https, client certificate, revoke: 200" [ "$(tapi --cert "$P/cl.pem" --certkey "$P/cl.key" DELETE /v1/grants/10.51.0.2)" = 200 ]
		check "https, neither: 401" [ "$(tapi GET /v1/grants)" = 401 ]
		check_not "https: a client without the CA refuses the server" in_gw curl -s -m 3 -o /dev/null https://10.51.0.1:8443/v1/grants
		check "https: curl with the test CA validates it" bash -c "[ \"\$(nsenter --net=$NS_GW curl -s -m 3 -o /dev/null -w '%{http_code}' --cacert '$P/ca.pem' https://10.51.0.1:8443/v1/grants)\" = 401 ]"
	else
		t_fail "daemon starts with the https api"
	fi
	daemon_stop
	mv "$T_TMP/plain.conf" "$T_TMP/gate511.conf"
	daemon_start || { t_fail "daemon restarts on plain http"; t_summary; exit 1; }
fi

# ---- a full map: 507, nobody evicted ----
check "grant one before filling: 201" [ "$(status POST /v1/grants '{"client": "10.51.0.2"}')" = 201 ]
max=$(bpftool -j map show pinned "$PIN_DIR"/g511_clients | jq .max_entries)
have=$(bpftool -j map dump pinned "$PIN_DIR"/g511_clients | jq length)
if [ "$((max - have))" -gt 300000 ]; then
	t_skip "full map: 507" "the clients map holds $max entries: too many to fill here"
else
	/usr/bin/python3 - "$((max - have))" > "$T_TMP/fill.txt" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print("10.%d.%d.%d ttl=1h" % (100 + (i >> 16), (i >> 8) & 255, i & 255))
PY
	ctl import "$T_TMP/fill.txt" >/dev/null 2>&1
	out=$(api POST /v1/grants '{"client": "10.99.99.99"}')
	check "full map: 507 ($(echo "$out" | head -2 | tr '\n' ' '))" [ "$(echo "$out" | head -1)" = 507 ]
	check "full map: the earlier client still passes" [ "$(http_code)" = 200 ]
	check "full map: the refused grant is not there" [ "$(status GET /v1/grants/10.99.99.99)" = 404 ]
fi

check "daemon still running" kill -0 "$DAEMON_PID"
daemon_stop

# ---- an api_keys file others can read is refused ----
chmod 644 "$T_TMP/api_keys"
bg_ns "$NS_GW" "$ROOT/build/gate511d" -f -i "$IF_GW" -c "$T_TMP/gate511.conf" \
	>"$T_TMP/refused.log" 2>&1
pid=$LAST_PID
pid_reap "$pid" 60; rc=$?
check "world-readable api_keys: gate511d refuses to start (rc $rc)" [ $rc -ne 0 ]
check "world-readable api_keys: the reason logged" grep -q "api_keys.*readable or writable by anyone" "$T_TMP/refused.log" ||
	tail -5 "$T_TMP/refused.log"

t_summary
