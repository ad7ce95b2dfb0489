#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the whole login in a real browser. Headless Chromium in the
# client namespace opens an upstream page, gets gate511's 511 page, follows
# its button to the reference portal (scripts/portal/portal.py, in the
# gateway namespace, reachable before login through the garden), which
# checks the signed redirect; "Accept" authorizes the client through the
# signed API and the browser lands on the page it first asked for. Also:
# the signed link carries this client's address and MAC, a tampered one
# gets the portal's 403, the grant is listed with origin api, and the RFC
# 8908 API (TLS checked against the test's own CA) says captive with the
# same signed link before login and not captive after.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

for dep in /usr/bin/chromium /usr/bin/chromedriver; do
	[ -x $dep ] || { t_skip browser_flow "$dep missing (apt-get install chromium chromium-driver)"; t_summary; exit 0; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null ||
	{ t_skip browser_flow "python3-selenium missing"; t_summary; exit 0; }

tb_up w
UP4=10.52.0.2 GW4=10.51.0.1
SIGN_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
API_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
API_PORT=9080 PORTAL_PORT=8080
PORTAL=http://$GW4:$PORTAL_PORT/login
HAVE_API=0 HAVE_CAP=0
[ -f "$ROOT/user/gate511d/api.c" ] && HAVE_API=1
api_lines=()
[ $HAVE_API = 1 ] && api_lines=("api_listen = 127.0.0.1:$API_PORT" "api_key = portal:$API_SECRET")
# The RFC 8908 API with the test's own CA (certificate validated by curl).
HOST=gw.example CAP=https://gw.example/capport PKI=$T_TMP/pki
mkdir -p "$PKI"
if [ -f "$ROOT/user/gate511d/capport.c" ] && {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=gate511 test CA" -keyout "$PKI/ca.key" -out "$PKI/ca.pem" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=$HOST" -keyout "$PKI/gw.key" -out "$PKI/gw.csr" &&
	printf 'subjectAltName=DNS:%s,IP:%s,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' "$HOST" "$GW4" \
		> "$PKI/ext" &&
	openssl x509 -req -in "$PKI/gw.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
		-CAcreateserial -days 2 -extfile "$PKI/ext" -out "$PKI/gw.pem"; } >/dev/null 2>&1
then
	HAVE_CAP=1	# the API then speaks TLS too (same certificate), checked by the portal
	api_lines+=("capport_listen = $GW4:443" "tls_cert = $PKI/gw.pem" "tls_key = $PKI/gw.key")
fi
# capport: the client's RFC 8908 answer (JSON), over TLS checked against our CA.
capport() {
	in_cl curl -sS -m 5 --cacert "$PKI/ca.pem" --resolve "$HOST:443:$GW4" \
		-H 'Accept: application/captive+json' "$CAP"
}
daemon_conf "$T_TMP/gate511.conf" "garden = $GW4/32:$PORTAL_PORT" \
	"portal_sign_key = $SIGN_KEY" "gateway_id = e2e-gw" "network_name = gate511 test net" \
	"${api_lines[@]}"
chmod 600 "$T_TMP/gate511.conf"	# it holds secrets
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
API=http://127.0.0.1:$API_PORT API_CA=()
[ $HAVE_CAP = 1 ] && API=https://127.0.0.1:$API_PORT API_CA=(--api-ca "$PKI/ca.pem")

mkdir -p "$T_TMP/www/news"
echo "<h1>Upstream news: you are online</h1>" > "$T_TMP/www/news/index.html"
bg_ns "$NS_UP" /usr/bin/python3 -m http.server 80 --bind $UP4 --directory "$T_TMP/www"
wait_for 5 in_up bash -c "exec 3<>/dev/tcp/$UP4/80"
bg_ns "$NS_GW" /usr/bin/python3 "$ROOT/scripts/portal/portal.py" --listen $GW4:$PORTAL_PORT \
	--api "$API" "${API_CA[@]}" --api-key "portal:$API_SECRET" --sign-key "$SIGN_KEY" \
	--gateway-id e2e-gw --ttl 600 >"$T_TMP/portal.log" 2>&1
check "portal listens" wait_for 5 in_gw bash -c "exec 3<>/dev/tcp/$GW4/$PORTAL_PORT"

# The 511 page and its signed link, as curl sees them.
URL=http://$UP4/news/
in_cl curl -s -m 3 -o "$T_TMP/511.html" "$URL"
MAC=$(in_cl ip -br link show dev "$IF_CL" | awk "{print \$3}")
LINK=$(grep -o 'class="btn" href="[^"]*"' "$T_TMP/511.html" | sed 's/.*href="//; s/"$//; s/&amp;/\&/g')
check "511 page: styled, in the network's name" grep -q '<h1>gate511 test net</h1>' "$T_TMP/511.html"
check "signed link: this client, its MAC, the URL, gw" bash -c "echo '$LINK' | grep -q \
	'^$PORTAL?gw=e2e-gw&client=10.51.0.2&mac=${MAC//:/%3A}&url=http%3A%2F%2F10.52.0.2%2Fnews%2F&ts=[0-9]*&sig=[0-9a-f]\{64\}$'"
LOC=$(in_cl curl -s -m 3 -o /dev/null -w '%{redirect_url}' http://$UP4/generate_204)
check "OS probe: 302 to the signed link" bash -c "echo '$LOC' | grep -q \
	'^$PORTAL?gw=e2e-gw&client=10.51.0.2&mac=.*&url=http%3A%2F%2F10.52.0.2%2Fgenerate_204&ts=[0-9]*&sig=[0-9a-f]\{64\}$'"
check "the portal accepts the probe's link" bash -c \
	"[ \"\$(nsenter --net=$NS_CL curl -s -m 3 -o /dev/null -w '%{http_code}' '$LOC')\" = 200 ]"
check "the portal accepts the link (200, terms page)" bash -c \
	"in_cl() { nsenter --net=$NS_CL \"\$@\"; }; [ \"\$(in_cl curl -s -m 3 -o /dev/null -w '%{http_code}' '$LINK')\" = 200 ]"
check "a tampered link gets 403" bash -c \
	"[ \"\$(nsenter --net=$NS_CL curl -s -m 3 -o /dev/null -w '%{http_code}' '${LINK/client=10.51.0.2/client=10.51.0.3}')\" = 403 ]"

# origin_api CLIENT: gate511ctl -j list has CLIENT's grant, written by the API.
origin_api() {
	ctl -j list | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = d if isinstance(d, list) else next(v for v in d.values() if isinstance(v, list))
sys.exit(0 if any(g.get("client") == sys.argv[1] and g.get("origin") == "api"
                  for g in rows) else 1)' "$1"
}

if [ $HAVE_CAP = 1 ]; then
	capport > "$T_TMP/cap0.json"
	check "RFC 8908 before login: captive" jq -e '.captive == true' "$T_TMP/cap0.json"
	CAPURL=$(jq -r '."user-portal-url"' "$T_TMP/cap0.json")
	check "RFC 8908: user-portal-url signed for this client" bash -c "echo '$CAPURL' | grep -q \
		'^$PORTAL?gw=e2e-gw&client=10.51.0.2&mac=${MAC//:/%3A}&url=&ts=[0-9]*&sig=[0-9a-f]\{64\}$'"
	check "the portal accepts the API's link" bash -c \
		"[ \"\$(nsenter --net=$NS_CL curl -s -m 3 -o /dev/null -w '%{http_code}' '$CAPURL')\" = 200 ]"
else
	t_skip "RFC 8908 before login" "no capport.c in this tree, or openssl failed"
fi

# The browser, bounded (timeout) and its processes stopped by PID inside.
SHOTS=$T_TMP/shots
until=portal
[ $HAVE_API = 1 ] && until=online
in_cl timeout 150 /usr/bin/python3 "$ROOT/scripts/browser_flow.py" --url "$URL" \
	--out "$SHOTS" --expect "Upstream news: you are online" --until $until \
	>"$T_TMP/browser.log" 2>&1
sed 's/^/   [browser] /' "$T_TMP/browser.log" | grep STEP
check "browser: the 511 page" grep -q '^STEP 511 ok' "$T_TMP/browser.log"
check "browser: the portal's terms page" grep -q '^STEP portal ok' "$T_TMP/browser.log"
check "browser: screenshots saved" test -s "$SHOTS/1-511.png" -a -s "$SHOTS/2-portal.png"
if [ $HAVE_API = 1 ]; then
	check "browser: after Accept, the original page" grep -q '^STEP online ok' "$T_TMP/browser.log"
	grep -q '^STEP online ok' "$T_TMP/browser.log" ||
		{ grep -i 'grant' "$T_TMP/portal.log"; tail -n 5 "$T_TMP/gate511d.log"; } | sed 's/^/   /'
	check "gate511ctl list: the client, origin api" origin_api 10.51.0.2
	check "online: curl reaches the upstream page" bash -c \
		"nsenter --net=$NS_CL curl -s -m 3 '$URL' | grep -q 'you are online'"
	if [ $HAVE_CAP = 1 ]; then
		capport > "$T_TMP/cap1.json"
		check "RFC 8908 after login: not captive, seconds remaining" \
			jq -e '.captive == false and ."seconds-remaining" > 0' "$T_TMP/cap1.json"
	fi
else
	t_skip "browser: after Accept, the original page" "the signed API (api.c) is not in this tree"
	t_skip "gate511ctl list: the client, origin api" "the signed API (api.c) is not in this tree"
	check "not online before any grant" bash -c \
		"! nsenter --net=$NS_CL curl -s -m 3 '$URL' | grep -q 'you are online'"
	ctl allow 10.51.0.2 --ttl 60 >/dev/null
	check_not "a grant made with gate511ctl is not origin api" origin_api 10.51.0.2
fi

# Reload without gateway_id and with another name: gw= is the box id now.
sed -i '/^gateway_id/d; s/^network_name = .*/network_name = renamed net/' "$T_TMP/gate511.conf"
ctl deny 10.51.0.2 >/dev/null 2>&1
kill -HUP "$DAEMON_PID"
page_renamed() { in_cl curl -s -m 3 "http://$UP4/x" | grep -q '<h1>renamed net</h1>'; }
check "reload: the page has the new name" wait_for 5 page_renamed
check "reload: gw= is the state DB's box id" bash -c "nsenter --net=$NS_CL curl -s -m 3 \
	http://$UP4/x | grep -q 'href=\"$PORTAL?gw=[0-9a-f-]\{36\}&amp;client=10.51.0.2&amp;'"
t_summary
