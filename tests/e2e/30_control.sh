#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end, control loop: gate511ctl through gate511d to the maps and the
# state database. allow/deny, deadline enforced by XDP with the daemon
# frozen, kill -9 fails closed, restart restores every grant, the ip-link
# program is adopted, a full map is an error that evicts nobody, and 200
# concurrent CLI calls are all answered and recorded.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

tb_up c
UP4=10.52.0.2 UP6=fd52::2
# A second, never-authorized client address on the client side.
in_cl ip addr add 10.51.0.3/24 dev "$IF_CL"
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }

check "daemon adopted the program loaded by ip link" grep -q "adopting the attached" "$T_TMP/gate511d.log"
bg_ns "$NS_UP" /usr/bin/python3 -m http.server 80 --bind 0.0.0.0 >/dev/null 2>&1
wait_for 5 in_up bash -c "exec 3<>/dev/tcp/127.0.0.1/80"

reach4() { in_cl ping -c 2 -i 0.3 -W 1 -I "${1:-10.51.0.2}" $UP4 >/dev/null 2>&1; }
http_code() { in_cl curl -s -m 2 -o /dev/null -w '%{http_code}' --interface "${1:-10.51.0.2}" http://$UP4/; }

check_not "unauthenticated: ping blocked" reach4
check "unauthenticated: HTTP gets 511" [ "$(http_code)" = 511 ]

# ---- allow / deny ----
check "allow 10.51.0.2 exits 0" ctl allow 10.51.0.2
check "allow fd51::2 exits 0" ctl allow fd51::2
check "allowed: ping passes" reach4
check "allowed: HTTP reaches upstream (200)" [ "$(http_code)" = 200 ]
check "allowed: ping6 passes" in_cl ping -6 -c 3 -i 0.3 -W 1 $UP6
check "allowed: other address still blocked" [ "$(http_code 10.51.0.3)" = 511 ]
check "show: JSON names the client" bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j show 10.51.0.2 | jq -e '.. | objects | select(.client? == \"10.51.0.2\")'"
check "list -j: two grants" bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j list | jq -e '.grants | length == 2'"
check "deny exits 0" ctl deny 10.51.0.2
check "denied: HTTP gets 511 again" [ "$(http_code)" = 511 ]
check "denied: history has the session" bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j history 10.51.0.2 | jq -e '.. | objects | select(.reason? == \"revoked\")'"
ctl deny 10.51.0.2 >/dev/null 2>&1; rc=$?
check "deny of an unknown client: exit 2 (got $rc)" [ $rc -eq 2 ]
ctl allow 10.51.0.300 >/dev/null 2>&1; rc=$?
check "allow of a bad address: exit 1 (got $rc)" [ $rc -eq 1 ]
# Addresses no client sends from are refused by the daemon, with the reason.
for bad in 127.0.0.1 ::1 10.51.0.255 10.51.0.0 10.51.0.1; do
	out=$(ctl allow $bad 2>&1); rc=$?
	check "allow $bad refused: exit 1 with a reason (got $rc: $out)" \
		test $rc -eq 1 -a -n "$out"
done
check_not "refused addresses left no grant" bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j list | jq -e '.grants[] | select(.client == \"127.0.0.1\" or .client == \"10.51.0.1\")'"

# ---- deadline enforced by XDP while the daemon is frozen ----
check "allow --ttl 2" ctl allow 10.51.0.2 --ttl 2
check "ttl grant: ping passes" reach4
kill -STOP "$DAEMON_PID"
sleep 3
check "ttl expired with the daemon stopped: ping blocked" bash -c "! nsenter --net=$NS_CL ping -c 1 -W 1 $UP4"
check "ttl expired with the daemon stopped: HTTP not passed" [ "$(http_code)" != 200 ]
kill -CONT "$DAEMON_PID"
# the sweep runs once a second
check "daemon swept the expired grant into history" wait_for 5 bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j history 10.51.0.2 | jq -e '.. | objects | select(.reason? == \"expired\")'"

# ---- kill -9: fail closed, grants survive, restart restores ----
ctl allow 10.51.0.2 >/dev/null
ctl allow 02:51:00:00:00:77 >/dev/null
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=""
check "daemon dead: authorized client still passes" reach4
check "daemon dead: unauthenticated HTTP dropped, not passed (000)" [ "$(http_code 10.51.0.3)" = 000 ]
check "daemon dead: unauthenticated ping blocked" bash -c "! nsenter --net=$NS_CL ping -c 1 -W 1 -I 10.51.0.3 $UP4"
out=$("$ROOT/build/gate511ctl" -s "$T_TMP/ctl.sock" -j list 2>/dev/null)
check "daemon dead: list answers from the pinned maps" bash -c "echo '$out' | jq -e '.source == \"pinned-maps\"'"
"$ROOT/build/gate511ctl" -s "$T_TMP/ctl.sock" allow 10.51.0.9 >/dev/null 2>&1; rc=$?
check "daemon dead: allow exits 3 (got $rc)" [ $rc -eq 3 ]

# A reboot loses the maps: reload the program from scratch, then restart.
in_gw ip link set dev "$IF_GW" xdp off
rm -f $PIN_DIR/g511_*
in_gw ip link set dev "$IF_GW" xdp obj "$ROOT/bpf/gate511.bpf.o" sec xdp
check "fresh maps: client blocked before the daemon restores it" bash -c "! nsenter --net=$NS_CL ping -c 1 -W 1 $UP4"
daemon_start || t_fail "daemon restarts"
check "restart: the address grant is back in the map" bpftool map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v4 10.51.0.2)
check "restart: the MAC grant is back in the map" bpftool map lookup pinned $PIN_DIR/g511_macs key hex 02 51 00 00 00 77 00 00
check "restart: fd51::2 is back" bpftool map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v6 fd51::2)
check "restart: client passes again" reach4

# ---- SIGHUP: a bad file changes nothing, a good one applies ----
cp "$T_TMP/gate511.conf" "$T_TMP/gate511.conf.good"
printf 'https_action = sideways\n' >> "$T_TMP/gate511.conf"
kill -HUP "$DAEMON_PID"
check "SIGHUP with a bad file: refused with its line number" wait_for 5 grep -q "line [0-9]" "$T_TMP/gate511d.log"
check "SIGHUP with a bad file: daemon still serves" ctl status
check "SIGHUP with a bad file: old config in force (HTTPS gets RST)" \
	bash -c "nsenter --net=$NS_CL curl -s -m 2 --interface 10.51.0.3 https://$UP4/ 2>&1; [ \$? -eq 7 ]"
cp "$T_TMP/gate511.conf.good" "$T_TMP/gate511.conf"
printf 'https_action = drop\n' >> "$T_TMP/gate511.conf"
kill -HUP "$DAEMON_PID"
# RST (curl 7) until the reload is in, a timeout (28) after
https_curl_rc() { nsenter --net=$NS_CL curl -s -m 1 --interface 10.51.0.3 https://$UP4/ >/dev/null 2>&1; [ $? -eq "$1" ]; }
check "SIGHUP with a good file: HTTPS now dropped (timeout, not RST)" wait_for 5 https_curl_rc 28
cp "$T_TMP/gate511.conf.good" "$T_TMP/gate511.conf"
kill -HUP "$DAEMON_PID"
check "SIGHUP back to the first file: HTTPS gets RST again" wait_for 5 https_curl_rc 7

# ---- 200 concurrent CLI calls ----
pids=()
for i in $(seq 1 200); do
	"$ROOT/build/gate511ctl" -s "$T_TMP/ctl.sock" allow "10.60.$((i / 250)).$((i % 250 + 1))" >/dev/null 2>&1 &
	pids+=($!)
done
ok=0
for p in "${pids[@]}"; do wait "$p" && ok=$((ok + 1)); done
check "200 concurrent allows: all exit 0 ($ok)" [ $ok -eq 200 ]
n=$("$ROOT/build/gate511ctl" -s "$T_TMP/ctl.sock" -j list | jq '[.grants[] | select(.client | startswith("10.60."))] | length')
check "200 concurrent allows: all recorded ($n)" [ "$n" -eq 200 ]
n=$(sqlite3 "$T_TMP/state.db" "select count(*) from grants" 2>/dev/null || echo 0)
check "200 concurrent allows: all in the state database ($n >= 200)" [ "$n" -ge 200 ]

# ---- a full map is an error, nobody is evicted ----
max=$(bpftool -j map show pinned $PIN_DIR/g511_clients | jq .max_entries)
have=$(bpftool -j map dump pinned $PIN_DIR/g511_clients | jq length)
/usr/bin/python3 - "$((max - have))" > "$T_TMP/fill.txt" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print("10.%d.%d.%d ttl=1h" % (100 + (i >> 16), (i >> 8) & 255, i & 255))
PY
ctl import "$T_TMP/fill.txt" >/dev/null 2>&1; rc=$?
check "import up to the map's limit ($max): exit 0 (got $rc)" [ $rc -eq 0 ]
ctl allow 10.99.99.99 >/dev/null 2>&1; rc=$?
check "allow into a full map: exit 4 (got $rc)" [ $rc -eq 4 ]
check "full map: the earlier client is still there" bpftool map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v4 10.51.0.2)
check "full map: client still passes" reach4
check "full map: the refused grant is not in the database" \
	[ "$(sqlite3 "$T_TMP/state.db" "select count(*) from grants where key = x'$(hexkey_v4 10.99.99.99 | tr -d ' ')'")" = 0 ]
check "full map: database and map agree ($max grants)" \
	[ "$(sqlite3 "$T_TMP/state.db" "select count(*) from grants where kind = 1")" = "$max" ]

daemon_stop
t_summary
