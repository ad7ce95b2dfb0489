#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# e2e: byte quotas in the datapath, both directions, and the TC egress
# program's two load paths.
#
#   - an admin loads gate511_tc with tc (clsact, `egress bpf da obj ...
#     sec tc`): it finds the XDP program's pinned maps; gate511d adopts it
#   - a download (curl of a file larger than the quota) stops at the
#     quota; the session is closed with reason quota; list/history show
#     the bytes down; the client is captive again (HTTP gets the 511)
#   - an upload (curl -T to an upstream server) stops at the quota
#   - gate511d killed (SIGKILL): the quota still holds, in the maps alone
#   - gate511d attaches gate511_tc itself when none is there; stopping it
#     leaves both programs; --detach-on-exit removes both
. "$(dirname "$0")/../lib.sh"
t_require_root
for tool in curl tc bpftool jq; do
	command -v $tool >/dev/null || { t_skip 55_quota "$tool not installed"; t_summary; exit 0; }
done
tb_up qt
PIN_DIR=/sys/fs/bpf/tc/globals
CL4=10.51.0.2 UP4=10.52.0.2
QUOTA=300000			# bytes, both directions (L3)
BIG=$((2 * 1024 * 1024))	# what is fetched and sent: well over the quota
# The most a quota may be overshot: a packet per CPU, GSO ones up to 64 KiB.
SLACK=$(( $(nproc) * 65536 + 65536 ))

mkdir -p "$T_TMP/www"
head -c $BIG /dev/urandom > "$T_TMP/www/big"
cp "$T_TMP/www/big" "$T_TMP/big.up"
# An upstream server: GET serves www/, PUT and POST read the body and say
# how much arrived (the client side alone cannot tell a cut upload).
cat > "$T_TMP/srv.py" <<'EOF'
import http.server, sys, os
class H(http.server.SimpleHTTPRequestHandler):
	def do_PUT(self):
		n = int(self.headers.get("Content-Length", 0)); got = 0
		while got < n:
			b = self.rfile.read(min(65536, n - got))
			if not b: break
			got += len(b)
		with open(sys.argv[2], "a") as f: f.write("%d\n" % got)
		self.send_response(200); self.end_headers(); self.wfile.write(b"%d\n" % got)
	do_POST = do_PUT
	def log_message(self, *a): pass
os.chdir(sys.argv[1])
http.server.ThreadingHTTPServer(("0.0.0.0", 8000), H).serve_forever()
EOF
bg_ns "$NS_UP" /usr/bin/python3 "$T_TMP/srv.py" "$T_TMP/www" "$T_TMP/uploads" 2>/dev/null
wait_for 5 in_up bash -c "exec 3<>/dev/tcp/127.0.0.1/8000"

tc_ours() { in_gw tc filter show dev "$IF_GW" egress | grep -q gate511_tc; }
xdp_on() { in_gw ip link show "$IF_GW" | grep -q 'prog/xdp'; }
# download SECONDS: bytes of big the client got (curl is cut by -m)
download() {
	in_cl curl -s -m "$1" -o /dev/null -w '%{size_download}' "http://$UP4:8000/big" 2>/dev/null
}
upload() { in_cl curl -s -m "$1" -o /dev/null -T "$T_TMP/big.up" "http://$UP4:8000/up" 2>/dev/null; }
closed_quota() { ctl -j history "$CL4" | jq -e "[.history[] | select(.reason == \"quota\")] | length >= \$n" --argjson n "$1"; }
# the client's grant straight from the pinned map (daemon dead): up + down
map_used() {
	bpftool -j map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v4 $CL4) |
		jq '.formatted.value.bytes + .formatted.value.bytes_down'
}
list_has_down() { ctl -j list | jq -e '.grants[0] | has("bytes_down") and has("packets_down")'; }
history_text_quota() { ctl history "$CL4" | grep -q quota; }
within_quota() { [ "$1" -ge $QUOTA ] && [ "$1" -le $((QUOTA + SLACK)) ]; }

# ---- the admin's load path: tc finds the pinned maps ----
in_gw tc qdisc add dev "$IF_GW" clsact
check admin_tc_load in_gw tc filter add dev "$IF_GW" egress bpf da obj "$ROOT/bpf/gate511.bpf.o" sec tc
clients_id=$(bpftool -j map show pinned $PIN_DIR/g511_clients | jq .id)
# the program on this link's egress (another gate511_tc may be loaded on the box)
tc_id=$(in_gw tc filter show dev "$IF_GW" egress | sed -n 's/.* id \([0-9]*\) name gate511_tc .*/\1/p' | head -1)
tc_id=$(bpftool -j prog show id "${tc_id:-0}" 2>/dev/null | jq "select(.map_ids | index($clients_id)) | .id")
check admin_tc_shares_maps test -n "$tc_id" -a "$tc_id" != null

OBJ=(-o "$ROOT/bpf/gate511.bpf.o")
daemon_start "${OBJ[@]}" || { t_fail daemon_start; t_summary; exit 1; }
check daemon_adopts_tc grep -q "adopting the attached gate511_tc" "$T_TMP/gate511d.log"
check_not daemon_no_second_tc test "$(in_gw tc filter show dev "$IF_GW" egress | grep -c 'gate511_tc')" -gt 1

# ---- download, daemon alive ----
check allow_quota ctl allow $CL4 --quota $QUOTA
got=$(download 4)
echo "# quota $QUOTA: download got ${got:-0} of $BIG bytes"
check download_cut test "${got:-0}" -lt $BIG
check download_got_up_to_quota test "${got:-0}" -gt $((QUOTA / 2)) -a "${got:-0}" -le $QUOTA
wait_for 10 closed_quota 1
check session_closed_quota closed_quota 1
hist=$(ctl -j history "$CL4" | jq '[.history[] | select(.reason == "quota")][0]')
check history_bytes_down_counted test "$(echo "$hist" | jq .bytes_down)" -gt $((QUOTA / 2))
check history_used_at_quota within_quota "$(echo "$hist" | jq '.bytes + .bytes_down')"
check history_text_says_quota history_text_quota
check captive_again_511 test "$(http_code)" = 511

# ---- upload, daemon alive ----
: > "$T_TMP/uploads"
check allow_quota_up ctl allow $CL4 --quota $QUOTA
check list_shows_bytes_down list_has_down
# the server never hears the end of a cut upload: its log stays short of BIG
upload 4; up_rc=$?
check upload_cut test "$up_rc" -ne 0
check_not upload_not_all_arrived grep -qx "$BIG" "$T_TMP/uploads"
wait_for 10 closed_quota 2
check upload_session_closed_quota closed_quota 2
hist=$(ctl -j history "$CL4" | jq '[.history[] | select(.reason == "quota")] | max_by(.grant_id)')
check upload_bytes_up_at_quota within_quota "$(echo "$hist" | jq '.bytes + .bytes_down')"
check upload_counted_up test "$(echo "$hist" | jq .bytes)" -gt $((QUOTA / 2))

# ---- daemon killed: the maps alone hold the quota ----
check allow_quota_before_kill ctl allow $CL4 --quota $QUOTA
kill -KILL "$DAEMON_PID"; pid_reap "$DAEMON_PID" 10; DAEMON_PID=""
drops0=$(stat_get tc_drop_quota)
got=$(download 4)
check dead_download_cut test "${got:-0}" -lt $BIG -a "${got:-0}" -le $QUOTA
check dead_used_at_quota within_quota "$(map_used)"
check dead_tc_dropped test "$(stat_get tc_drop_quota)" -gt "${drops0:-0}"
check dead_tc_still_there tc_ours

# ---- the daemon's own attach path ----
in_gw tc filter del dev "$IF_GW" egress
check_not admin_tc_removed tc_ours
OBJ=(-o "$ROOT/bpf/gate511.bpf.o")
daemon_start "${OBJ[@]}" || { t_fail daemon_restart; t_summary; exit 1; }
check daemon_attaches_tc grep -q "attached gate511_tc on egress" "$T_TMP/gate511d.log"
check daemon_tc_on_egress tc_ours
# the grant used up while the daemon was dead is closed at start
wait_for 10 closed_quota 3
check dead_session_closed_quota closed_quota 3
check allow_quota_daemon_tc ctl allow $CL4 --quota $QUOTA
got=$(download 4)
check daemon_tc_download_cut test "${got:-0}" -lt $BIG -a "${got:-0}" -le $QUOTA
wait_for 10 closed_quota 4
check daemon_tc_closed_quota closed_quota 4

# ---- stopping leaves both; --detach-on-exit removes both ----
daemon_stop
check stop_leaves_tc tc_ours
check stop_leaves_xdp xdp_on
daemon_start "${OBJ[@]}" -d || { t_fail daemon_start_detach; t_summary; exit 1; }
check detach_daemon_adopts grep -q "adopting the attached gate511_tc" "$T_TMP/gate511d.log"
daemon_stop
check_not detach_removes_tc tc_ours
check_not detach_removes_xdp xdp_on

t_summary
