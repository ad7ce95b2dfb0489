#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: the whole gate511 flow on a self-made test bed of network
# namespaces. A client's curl gets the 511 page, the admin authorizes it
# with gate511ctl, the client reaches the upstream web page, the grant is
# listed and revoked, and the 511 page is back. Then the same login as a
# person does it: headless Chromium in the client namespace opens a page,
# gets the 511 page, follows its signed link to the reference portal
# (scripts/portal/portal.py), accepts, and lands on the page it asked for;
# a screenshot of each step is kept (DEMO_SHOTS, default build/demo-shots).
# Everything else is torn down.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
P=demo$(( $$ % 100 ))
TMP=$(mktemp -d /tmp/gate511-demo.XXXXXX)
PIDS=()
SHOTS=${DEMO_SHOTS:-$ROOT/build/demo-shots}
SIGN_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
API_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
HAVE_API=0
[ -f user/gate511d/api.c ] && HAVE_API=1
CL=/run/netns/${P}cl GW=/run/netns/${P}gw UP=/run/netns/${P}up
ctl() { build/gate511ctl -s "$TMP/ctl.sock" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	scripts/testbed.sh down "$P" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, XDP)" >&2; exit 1; }

step "Test bed: client, gateway, upstream namespaces joined by veth"
scripts/testbed.sh up "$P" || exit 1

step "Load gate511 on the gateway's client-facing veth the way an admin would"
echo "\$ ip link set dev ${P}g0 xdp obj bpf/gate511.bpf.o sec xdp   (done by testbed.sh)"
nsenter --net=$GW ip -d link show ${P}g0 2>/dev/null | grep -o 'prog/xdp id [0-9]* name [a-z0-9_]*'
show ls /sys/fs/bpf/tc/globals/

step "An upstream web server at 10.52.0.2:80"
mkdir -p "$TMP/www"
echo "<h1>Hello from upstream: you are online</h1>" > "$TMP/www/index.html"
mkdir -p "$TMP/www/news"
echo "<h1>Hello from upstream: today's news</h1>" > "$TMP/www/news/index.html"
nsenter --net=$UP /usr/bin/python3 -m http.server 80 --bind 10.52.0.2 --directory "$TMP/www" \
	>/dev/null 2>&1 &
PIDS+=($!)

step "Start gate511d on the gateway (adopts the program, opens AF_XDP sockets)"
cat > "$TMP/gate511.conf" <<CONF
portal_url = http://10.51.0.1:8080/login
state_db = $TMP/state.db
control_socket = $TMP/ctl.sock
session_timeout = 1h
idle_timeout = 10m
# the login portal (below) is reachable before login; it gets signed links
garden = 10.51.0.1/32:8080
portal_sign_key = $SIGN_KEY
gateway_id = demo-gw
network_name = gate511 demo network
CONF
[ $HAVE_API = 1 ] && printf 'api_listen = 127.0.0.1:9080\napi_key = portal:%s\n' "$API_SECRET" \
	>> "$TMP/gate511.conf"
chmod 600 "$TMP/gate511.conf"	# it holds the signing key and the API secret
nsenter --net=$GW build/gate511d -f -i ${P}g0 -c "$TMP/gate511.conf" -o bpf/gate511.bpf.o \
	>"$TMP/gate511d.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$TMP/ctl.sock" ] && break; sleep 0.1; done
sleep 0.3
sed 's/^/  [log] /' "$TMP/gate511d.log"

step "The unauthenticated client asks for a web page: it gets 511 from the gateway"
show nsenter --net=$CL curl -s -m 3 -i http://10.52.0.2/news/today
step "Its OS captive-portal probe gets a 302 to the portal (Android shows the login page)"
show nsenter --net=$CL curl -s -m 3 -o /dev/null -w '%{http_code} -> %{redirect_url}\n' http://10.52.0.2/generate_204
step "Ping and other ports do not get through"
show nsenter --net=$CL ping -c 1 -W 1 10.52.0.2 | grep -E 'transmitted'

step "The portal (or an admin) authorizes the client"
show ctl allow 10.51.0.2 --ttl 3600
show ctl allow fd51::2 --ttl 3600

step "Now the client reaches the real upstream page"
show nsenter --net=$CL curl -s -m 3 -i http://10.52.0.2/
show nsenter --net=$CL ping -c 1 -W 1 10.52.0.2 | grep -E 'transmitted'

step "Who is online (JSON, as the portal would read it)"
show ctl -j -p list
show ctl stats

step "Revoke: the 511 page is back"
show ctl deny 10.51.0.2
show nsenter --net=$CL curl -s -m 3 -o /dev/null -w 'HTTP %{http_code}\n' http://10.52.0.2/
show ctl history

step "The reference login portal on the gateway, 10.51.0.1:8080 (in the garden)"
echo "\$ scripts/portal/portal.py --listen 10.51.0.1:8080 --api http://127.0.0.1:9080 ..."
nsenter --net=$GW /usr/bin/python3 scripts/portal/portal.py --listen 10.51.0.1:8080 \
	--api http://127.0.0.1:9080 --api-key "portal:$API_SECRET" --sign-key "$SIGN_KEY" \
	--gateway-id demo-gw >"$TMP/portal.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
	nsenter --net=$GW bash -c 'exec 3<>/dev/tcp/10.51.0.1/8080' 2>/dev/null && break
	sleep 0.1
done

step "A person on a phone: headless Chromium in the client namespace"
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] &&
   /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
	rm -rf "$SHOTS"
	until=online
	if [ $HAVE_API = 0 ]; then
		until=portal
		echo "(the signed API is not in this build: the flow stops at the portal)"
	fi
	echo "\$ scripts/browser_flow.py --url http://10.52.0.2/news/ --out $SHOTS"
	nsenter --net=$CL timeout 150 /usr/bin/python3 scripts/browser_flow.py \
		--url http://10.52.0.2/news/ --out "$SHOTS" --until $until \
		--expect "Hello from upstream" | sed 's/^STEP /  step /'
	[ $HAVE_API = 1 ] && show ctl list
	echo "screenshots: $(ls "$SHOTS"/*.png 2>/dev/null | tr '\n' ' ')"
else
	echo "skipped: needs chromium, chromium-driver and python3-selenium"
fi

step "Stop gate511d: the program and maps stay, enforcement goes on"
kill "${PIDS[1]}"; wait "${PIDS[1]}" 2>/dev/null
sed 's/^/  [log] /' "$TMP/gate511d.log" | tail -n 3
show nsenter --net=$CL curl -s -m 2 -o /dev/null -w 'HTTP %{http_code} (the client the portal let in: still in)\n' http://10.52.0.2/
nsenter --net=$CL ip addr add 10.51.0.3/24 dev ${P}c0
show nsenter --net=$CL curl -s -m 2 -o /dev/null --interface 10.51.0.3 -w 'HTTP %{http_code} (another, unauthenticated: 000, dropped: nobody answers port 80)\n' http://10.52.0.2/

step "Tear down"
