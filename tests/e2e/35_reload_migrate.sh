#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: any number of SIGHUP reloads (each one applied, none refused,
# enforcement and grants unchanged through them), and a state database
# written by release 0.1.0 (schema v1, tests/unit/fixtures/state-v1.db)
# opened by this gate511d: migrated, every grant kept or closed by its own
# deadline, nothing lost.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

tb_up r
UP4=10.52.0.2
daemon_conf "$T_TMP/gate511.conf"
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
up_http_start
reloads() { grep -c ": reloaded" "$T_TMP/gate511d.log"; }

check "allow before the reloads" ctl allow 10.51.0.2 --ttl 3600

# ---- 200 reloads, one at a time (signals of one kind coalesce) ----
N=200 applied=0
for i in $(seq 1 $N); do
	before=$(reloads)
	kill -HUP "$DAEMON_PID" 2>/dev/null || break
	wait_for_ms 3000 bash -c "[ \$(grep -c ': reloaded' '$T_TMP/gate511d.log') -gt $before ]" || break
	applied=$((applied + 1))
done
check "SIGHUP x$N: every reload applied ($applied)" [ "$applied" -eq $N ]
check_not "SIGHUP x$N: none refused" grep -q "too many reloads" "$T_TMP/gate511d.log"
check "after the reloads: daemon answers" ctl status
check "after the reloads: granted client reaches upstream" [ "$(http_code)" = 200 ]
in_cl ip addr add 10.51.0.3/24 dev "$IF_CL" 2>/dev/null
check "after the reloads: unauthenticated client gets 511" [ "$(http_code 10.51.0.3)" = 511 ]
rss=$(rss_kb "$DAEMON_PID")
check "after the reloads: memory bounded (${rss} kB RSS)" [ "${rss:-999999}" -lt 200000 ]

# ---- an empty or truncated file is refused, the running config stays ----
cp "$T_TMP/gate511.conf" "$T_TMP/gate511.conf.good"
: > "$T_TMP/gate511.conf"
before=$(grep -c "no portal_url" "$T_TMP/gate511d.log")
kill -HUP "$DAEMON_PID"
check "SIGHUP with an empty file: refused (no portal_url)" \
	wait_for_ms 3000 bash -c "[ \$(grep -c 'no portal_url' '$T_TMP/gate511d.log') -gt $before ]"
check "SIGHUP with an empty file: still 511 for the unauthenticated" [ "$(http_code 10.51.0.3)" = 511 ]
check "SIGHUP with an empty file: grant still passes" [ "$(http_code)" = 200 ]
cp "$T_TMP/gate511.conf.good" "$T_TMP/gate511.conf"
daemon_stop

# ---- gate511d -t and -V ----
check "gate511d -t: a good file is ok" "$ROOT/build/gate511d" -t -c "$T_TMP/gate511.conf"
: > "$T_TMP/empty.conf"
check_not "gate511d -t: an empty file is refused" "$ROOT/build/gate511d" -t -c "$T_TMP/empty.conf"
printf 'portal_url = %s\nhttps_action = sideways\n' "$PORTAL" > "$T_TMP/bad.conf"
out=$("$ROOT/build/gate511d" -t -c "$T_TMP/bad.conf" 2>&1); rc=$?
check "gate511d -t: a bad value is refused with its line (rc $rc: $out)" \
	bash -c "[ $rc -ne 0 ] && grep -q 'line 2' <<< '$out'"
check "gate511d -V prints the version" bash -c "'$ROOT/build/gate511d' -V | grep -Eq '^gate511d [0-9]+\.[0-9]+'"

# ---- a v1 database from release 0.1.0 ----
cp "$ROOT/tests/unit/fixtures/state-v1.db" "$T_TMP/state.db"
chmod 600 "$T_TMP/state.db"
rm -f "$T_TMP/state.db-wal" "$T_TMP/state.db-shm"
# Its grants: 10.0.3.17 (ttl, expired by now), 10.0.3.18 (no deadline),
# 2001:db8:5::17 and 02:00:00:00:00:42 and 10.0.3.19 (expired by now).
daemon_start || { t_fail "daemon starts on a v1 database"; t_summary; exit 1; }
check "v1 database: migrated to schema 2" \
	bash -c "[ \$(sqlite3 '$T_TMP/state.db' 'PRAGMA user_version') = 4 ]"
check "v1 database: grant without a deadline kept" ctl show 10.0.3.18
check "v1 database: it is in the map" \
	bpftool map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v4 10.0.3.18)
n_hist=$(ctl -j history | jq '[.history[]?] | length' 2>/dev/null)
n_exp=$(ctl -j history | jq '[.history[]? | select(.reason == "expired")] | length' 2>/dev/null)
# 3 sessions from 0.1.0, plus the 4 grants whose deadlines passed (closed now)
check "v1 database: old sessions kept, passed deadlines closed ($n_hist sessions, $n_exp expired)" \
	test "${n_hist:-0}" -eq 7 -a "${n_exp:-0}" -ge 4
for who in 10.0.3.17 2001:db8:5::17 02:00:00:00:00:42 10.0.3.19; do
	check "v1 database: $who accounted for (grant or history)" \
		bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j history $who | jq -e '[.history[]?] | length >= 1'"
done
check "v1 database: its garden entry kept" bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' garden list | grep -q 192.0.2.10"
check "v1 database: new grants work" ctl allow 10.51.0.2
daemon_stop
t_summary
