#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: an admin's ordinary slips fail safe. A second gate511d for
# the same maps (other state DB, other control socket) is refused and
# changes nothing; an emptied, missing or corrupt state database facing
# maps that hold grants revokes nobody unless the admin says so
# (--adopt-maps keeps them in a new database, --reset-maps drops them);
# nor does another gateway's database restored by mistake.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

tb_up m
UP4=10.52.0.2
daemon_conf "$T_TMP/gate511.conf"
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
up_http_start
n_map() { bpftool -j map dump pinned $PIN_DIR/g511_clients | jq length; }
in_cl ip addr add 10.51.0.3/24 dev "$IF_CL"

check "allow 10.51.0.2" ctl allow 10.51.0.2
check "allow fd51::2" ctl allow fd51::2
check "allow 10.51.0.9" ctl allow 10.51.0.9
check "granted client reaches upstream" [ "$(http_code)" = 200 ]

# ---- a second daemon for the same maps ----
daemon_conf "$T_TMP/second.conf"
sed -i "s|$T_TMP/state.db|$T_TMP/second.db|; s|$T_TMP/ctl.sock|$T_TMP/second.sock|" "$T_TMP/second.conf"
t0=$(now_ms)
timeout 20 nsenter --net="$NS_GW" "$ROOT/build/gate511d" -f -i "$IF_GW" -c "$T_TMP/second.conf" \
	>"$T_TMP/second.log" 2>&1; rc=$?
t1=$(now_ms)
check "second daemon: refused (exit $rc, $((t1 - t0)) ms)" [ $rc -eq 1 ]
check "second daemon: says who runs" grep -q "already runs for $IF_GW (pid $DAEMON_PID" "$T_TMP/second.log"
check_not "second daemon: removed nothing" grep -q "removed [1-9]" "$T_TMP/second.log"
check "second daemon: every grant still in the map ($(n_map))" [ "$(n_map)" -eq 3 ]
check "second daemon: the first still answers" ctl status
check "second daemon: granted client still passes" [ "$(http_code)" = 200 ]
check "second daemon: unauthenticated still 511" [ "$(http_code 10.51.0.3)" = 511 ]

# ---- the state database emptied (": > state.db") ----
daemon_stop
: > "$T_TMP/state.db"; rm -f "$T_TMP/state.db-wal" "$T_TMP/state.db-shm"
start_once() { # args: gate511d's; its exit status, log in $T_TMP/once.log
	timeout 20 nsenter --net="$NS_GW" "$ROOT/build/gate511d" -f -i "$IF_GW" \
		-c "$T_TMP/gate511.conf" "$@" >"$T_TMP/once.log" 2>&1
}
start_once; rc=$?
check "empty DB: start refused (exit $rc)" [ $rc -eq 1 ]
check "empty DB: says how many grants the maps hold" grep -q "maps hold 3 grants" "$T_TMP/once.log"
check "empty DB: says what to do" grep -q -- "--adopt-maps" "$T_TMP/once.log"
check "empty DB: every grant still in the map" [ "$(n_map)" -eq 3 ]
check "empty DB: granted client still passes" [ "$(http_code)" = 200 ]
start_once; rc=$?
check "empty DB: a second try is refused too (exit $rc)" [ $rc -eq 1 ]
check "empty DB: still 3 grants in the map" [ "$(n_map)" -eq 3 ]
daemon_start --adopt-maps || t_fail "empty DB: --adopt-maps starts"
check "--adopt-maps: logged" grep -q "adopted 3 grants" "$T_TMP/gate511d.log"
check "--adopt-maps: three grants listed" bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j list | jq -e '.grants | length == 3'"
check "--adopt-maps: origin adopted" bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j show 10.51.0.2 | jq -e '.. | objects | select(.origin? == \"adopted\")'"
check "--adopt-maps: granted client passes" [ "$(http_code)" = 200 ]
check "--adopt-maps: deny works on an adopted grant" ctl deny 10.51.0.9
daemon_stop
daemon_start || t_fail "restart after adopting"
check "restart after adopting: two grants kept" bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j list | jq -e '.grants | length == 2'"
daemon_stop

# ---- another gateway's database restored by mistake ----
# A copy of this one with another box id and one grant fewer: what a
# backup of a neighbouring gateway looks like to this one.
cp "$T_TMP/state.db" "$T_TMP/foreign.db"
/usr/bin/python3 - "$T_TMP/foreign.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE meta SET value = 'deadbeef-0000-4000-8000-000000000000' WHERE key = 'box_id'")
c.execute("DELETE FROM grants WHERE rowid = (SELECT min(rowid) FROM grants)")
c.commit()
EOF
start_once -s "$T_TMP/foreign.db"; rc=$?
check "foreign DB: start refused (exit $rc)" [ $rc -eq 1 ]
check "foreign DB: says whose database it is" grep -q "belongs to box deadbeef-.*hold 2 grants" "$T_TMP/once.log"
check "foreign DB: every grant still in the map" [ "$(n_map)" -eq 2 ]
check "foreign DB: granted client still passes" [ "$(http_code)" = 200 ]
start_once -s "$T_TMP/foreign.db" --adopt-maps; rc=$?
check "foreign DB: --adopt-maps is no answer (exit $rc)" [ $rc -eq 1 ]
check "foreign DB: still 2 grants in the map" [ "$(n_map)" -eq 2 ]
check "the right database starts" daemon_start
check "the right database: 2 grants" [ "$(n_map)" -eq 2 ]
daemon_stop
bg_ns "$NS_GW" "$ROOT/build/gate511d" -f -i "$IF_GW" -c "$T_TMP/gate511.conf" \
	-s "$T_TMP/foreign.db" --reset-maps >"$T_TMP/once.log" 2>&1
FPID=$LAST_PID
wait_for 10 grep -q "gate511d running" "$T_TMP/once.log"
check "foreign DB with --reset-maps: its one grant replaces the maps' two" [ "$(n_map)" -eq 1 ]
bg_stop "$FPID"
start_once; rc=$?
check "then this box's database is refused: the maps are the other's now (exit $rc)" [ $rc -eq 1 ]
check "back to this box's database with --reset-maps" daemon_start --reset-maps
check "this box's database: 2 grants again" [ "$(n_map)" -eq 2 ]
daemon_stop

# ---- a corrupt state database ----
cp "$T_TMP/state.db" "$T_TMP/state.db.bak"
dd if=/dev/urandom of="$T_TMP/state.db" bs=1024 seek=1 count=8 conv=notrunc 2>/dev/null
start_once; rc=$?
check "corrupt DB: refused (exit $rc)" [ $rc -eq 1 ]
check "corrupt DB: names the file and a way out" grep -q "state.db.*restore a backup" "$T_TMP/once.log"
check "corrupt DB: grants still in the map" [ "$(n_map)" -eq 2 ]
check "corrupt DB: granted client still passes" [ "$(http_code)" = 200 ]

# ---- the state database removed, and the admin drops the maps' grants ----
rm -f "$T_TMP/state.db" "$T_TMP/state.db-wal" "$T_TMP/state.db-shm"
start_once; rc=$?
check "missing DB: start refused (exit $rc)" [ $rc -eq 1 ]
daemon_start --reset-maps || t_fail "missing DB: --reset-maps starts"
check "--reset-maps: the maps are empty" [ "$(n_map)" -eq 0 ]
check "--reset-maps: the client is captive again" [ "$(http_code)" = 511 ]
daemon_stop
t_summary
