#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the state database's filesystem is full (gate511 issue 9,
# item 5). The state DB lives on a small tmpfs this script mounts under its
# own temp dir; after a few grants a filler file takes every free block.
# Then a revoke still works at once (fail closed) and says it is not
# recorded yet (exit 6), a new grant is refused with SQLite's reason (exit
# 4, nothing applied), and restarts (SIGTERM, SIGKILL, emptied maps as
# after a reboot) with the disk still full keep the revoked client out and
# the others in. Once space is back, the daemon's retry records the revoke
# in the history, and a later restart still keeps it revoked.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

DISK=$T_TMP/disk
MOUNTED=""
dfull_cleanup() {
	daemon_stop KILL
	[ -n "$MOUNTED" ] && umount "$DISK" 2>/dev/null
	t_cleanup
}
trap dfull_cleanup EXIT

tb_up d
UP4=10.52.0.2
mkdir -p "$DISK"
if ! mount -t tmpfs -o size=2m,mode=0700 g511-disk-full "$DISK"; then
	t_skip "$(basename "$0")" "cannot mount a tmpfs"
	t_summary; exit 0
fi
MOUNTED=1
daemon_conf "$T_TMP/gate511.conf"
sed -i "s|^state_db = .*|state_db = $DISK/state.db|" "$T_TMP/gate511.conf"
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
up_http_start
for a in 10.51.0.3 10.51.0.4 10.51.0.5; do in_cl ip addr add $a/24 dev "$IF_CL"; done
n_map() { bpftool -j map dump pinned $PIN_DIR/g511_clients | jq length; }
journal_bytes() { stat -c %s "$DISK/state.db-revoked"; }

check "journal created beside the DB ($(journal_bytes) bytes)" [ "$(journal_bytes)" -eq 65536 ]
for a in 10.51.0.2 10.51.0.3 10.51.0.4; do
	check "allow $a" ctl allow $a
done
check "10.51.0.3 passes before" [ "$(http_code 10.51.0.3)" = 200 ]

# ---- fill the filesystem ----
dd if=/dev/zero of="$DISK/filler" bs=4k >/dev/null 2>&1
check "the filesystem is full" [ "$(df --output=avail -B1 "$DISK" | tail -1 | tr -d ' ')" -eq 0 ]
check_not "a further write fails" dd if=/dev/zero of="$DISK/more" bs=4k count=1 conv=fsync

# ---- deny with the disk full ----
out=$(ctl deny 10.51.0.3 2>&1); rc=$?
echo "    deny: $out"
check "deny: exit 6 (revoked, not durable) (got $rc)" [ $rc -eq 6 ]
check "deny: says revoked in the datapath" grep -q "revoked in the datapath" <<<"$out"
check "deny: says SQLite's reason" grep -q "database or disk is full" <<<"$out"
check "deny: says it survives a restart" grep -q "stays revoked across a restart" <<<"$out"
check "deny: 10.51.0.3 gets 511 at once" [ "$(http_code 10.51.0.3)" = 511 ]
check "deny: 10.51.0.2 still passes" [ "$(http_code)" = 200 ]
check "deny: out of the map" [ "$(n_map)" -eq 2 ]
check "deny: not listed any more" bash -c "! '$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j list | jq -e '.grants[] | select(.client == \"10.51.0.3\")'"
check "deny: the journal did not grow" [ "$(journal_bytes)" -eq 65536 ]
out=$(ctl -j deny 10.51.0.3 2>&1); rc=$?
check "deny again: exit 6 too, as JSON (got $rc)" bash -c "[ $rc -eq 6 ] && jq -e '.error | test(\"disk is full\")' <<<'$out'"

# ---- allow with the disk full ----
out=$(ctl allow 10.51.0.5 2>&1); rc=$?
echo "    allow: $out"
check "allow: refused, exit 4 (got $rc)" [ $rc -eq 4 ]
check "allow: says SQLite's reason" grep -q "disk is full" <<<"$out"
check_not "allow: not a generic I/O error" grep -qi "input/output error" <<<"$out"
check_not "allow: not blamed on a map" grep -q "map .* is full" <<<"$out"
check "allow: map unchanged" [ "$(n_map)" -eq 2 ]
check "allow: 10.51.0.5 still 511" [ "$(http_code 10.51.0.5)" = 511 ]

# ---- restarts with the disk still full ----
after_restart() { # $1: which restart
	check "$1: daemon up" ctl status
	check "$1: 10.51.0.3 stays revoked" [ "$(http_code 10.51.0.3)" = 511 ]
	check "$1: 10.51.0.2 still passes" [ "$(http_code)" = 200 ]
	check "$1: 10.51.0.4 still passes" [ "$(http_code 10.51.0.4)" = 200 ]
	check "$1: two grants in the map" [ "$(n_map)" -eq 2 ]
}
daemon_stop
daemon_start || t_fail "SIGTERM restart: starts with the disk full"
after_restart "SIGTERM restart"
check "SIGTERM restart: logged the pending revocation" grep -q "revoked but not yet removed" "$T_TMP/gate511d.log"
daemon_stop KILL
daemon_start || t_fail "SIGKILL restart: starts with the disk full"
after_restart "SIGKILL restart"
# a reboot: the maps come back empty and everything is restored from the DB
daemon_stop
for a in 10.51.0.2 10.51.0.4; do map_revoke "$(hexkey_v4 $a)"; done
check "reboot: maps emptied" [ "$(n_map)" -eq 0 ]
daemon_start || t_fail "reboot restart: starts with the disk full"
after_restart "reboot restart"

# ---- space comes back: the daemon's retry records the revoke ----
rm -f "$DISK/filler"
revoked_in_history() {
	ctl -j history 10.51.0.3 | jq -e '[.history[] | select(.reason == "revoked")] | length >= 1'
}
check "space back: the retry records the revoke (bounded 70 s)" wait_for 70 revoked_in_history
check "space back: logged" grep -q "revocation of 10.51.0.3 now recorded" "$T_TMP/gate511d.log"
if command -v sqlite3 >/dev/null; then
	check "space back: no grant row for 10.51.0.3 in the DB" \
		[ "$(sqlite3 "$DISK/state.db" "SELECT count(*) FROM grants WHERE key = x'$(hexkey_v4 10.51.0.3 | tr -d ' ')'")" = 0 ]
	check "space back: the others' rows kept" \
		[ "$(sqlite3 "$DISK/state.db" 'SELECT count(*) FROM grants')" = 2 ]
else
	t_skip "space back: DB rows" "no sqlite3 CLI"
fi
check "space back: allow works again" ctl allow 10.51.0.5
check "space back: 10.51.0.5 passes" [ "$(http_code 10.51.0.5)" = 200 ]
daemon_stop
log_lines=$(wc -l <"$T_TMP/gate511d.log")
daemon_start || t_fail "restart after recovery"
check "restart after recovery: 10.51.0.3 still revoked" [ "$(http_code 10.51.0.3)" = 511 ]
check "restart after recovery: 10.51.0.5 still passes" [ "$(http_code 10.51.0.5)" = 200 ]
check "restart after recovery: nothing pending in the journal" \
	bash -c "! tail -n +$((log_lines + 1)) '$T_TMP/gate511d.log' | grep -q 'not yet'"
check "restart after recovery: one revoked session, not two" \
	bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j history 10.51.0.3 | jq -e '[.history[] | select(.reason == \"revoked\")] | length == 1'"
daemon_stop
[ -n "${KEEP_LOG:-}" ] && cp "$T_TMP/gate511d.log" "$KEEP_LOG"
t_summary
