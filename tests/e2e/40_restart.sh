#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end, restarts: a restart must always come back. 20 back-to-back
# stop/start cycles of gate511d, 10 by SIGTERM and 10 by SIGKILL. "Stop" is
# what systemd does: the signal, then a bounded wait until the PID is gone;
# the next start follows at once, no sleep, while the kernel may still hold
# the previous instance's AF_XDP queue binding and a SIGKILL leaves its
# control socket file behind. After every start, within 2 s: `gate511ctl
# status` answers, an unauthenticated client gets the 511 page over HTTP,
# and every grant is still there. At the end the grants still pass traffic.
# Also: a restart that does not wait for the old PID comes up too, and a
# second daemon on the socket of a live one is refused and leaves it serving.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

CYCLES_TERM=${RESTART_TERM:-10} CYCLES_KILL=${RESTART_KILL:-10}
BACK_MS=2000			# a start must be serving within this
UP4=10.52.0.2 UP6=fd52::2
NOAUTH4=10.51.0.3		# a client address that never holds a grant

tb_up r
in_cl ip addr add $NOAUTH4/24 dev "$IF_CL"
in_cl ip addr add 10.51.0.20/24 dev "$IF_CL"
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
bg_ns "$NS_UP" /usr/bin/python3 -m http.server 80 --bind 0.0.0.0 >/dev/null 2>&1
wait_for 5 in_up bash -c "exec 3<>/dev/tcp/127.0.0.1/80"

http_code() { in_cl curl -s -m 1 -o /dev/null -w '%{http_code}' --interface "$1" http://$UP4/; }
got_511() { [ "$(http_code $NOAUTH4)" = 511 ]; }
n_grants() { ctl -j list 2>/dev/null | jq '.grants | length'; }
snapshot() { # one line a grant, deadlines to the minute
	ctl -j list | jq -r '.grants[] | [.client, .kind, .id, .ttl, .idle_timeout,
		(.mac // "-"), ((.expires // 0) / 60 | floor)] | @tsv' | sort
}

# ---- grants of three kinds before the cycles ----
check "allow 10.51.0.2" ctl allow 10.51.0.2
check "allow fd51::2 --ttl 2h" ctl allow fd51::2 --ttl 2h
check "allow a MAC" ctl allow 02:51:00:00:00:77
check "allow 10.51.0.20 --ttl 1h --idle 10m" ctl allow 10.51.0.20 --ttl 1h --idle 10m
snapshot > "$T_TMP/grants.before"
N0=$(wc -l < "$T_TMP/grants.before")
check "4 grants listed before the cycles ($N0)" [ "$N0" -eq 4 ]
check "before: the unauthenticated client gets 511" got_511
check "before: the authorized client reaches upstream (200)" [ "$(http_code 10.51.0.2)" = 200 ]
check "the lock file holds the daemon's PID" [ "$(cat "$T_TMP/ctl.sock.lock" 2>/dev/null)" = "$DAEMON_PID" ]

# ---- 20 cycles ----
# cycle NUM SIGNAL: stop, start at once, judge the new instance.
cycle() {
	local n=$1 sig=$2 pid=$DAEMON_PID t0 t_status t_511 why="" grants stale="" rc
	{ kill -"$sig" "$pid"; pid_reap "$pid" 10; } 2>/dev/null
	rc=$?	# SIGTERM: a clean exit; SIGKILL: 128 + 9
	if [ $rc -ne "$([ "$sig" = TERM ] && echo 0 || echo 137)" ]; then
		why="stop by SIG$sig: exit status $rc (137 after 10 s: the watchdog's SIGKILL)"
	fi
	[ "$sig" = KILL ] && [ -S "$T_TMP/ctl.sock" ] && stale=", stale socket replaced"
	[ -n "$why" ] && { t_fail "cycle $n (SIG$sig)" "$why"; why=""; }
	t0=$(now_ms)
	bg_ns "$NS_GW" "$ROOT/build/gate511d" -f -i "$IF_GW" -c "$T_TMP/gate511.conf" \
		>>"$T_TMP/gate511d.log" 2>&1
	DAEMON_PID=$LAST_PID
	if ! wait_for_ms $BACK_MS daemon_answers "$DAEMON_PID" "$T_TMP/ctl.sock" ||
	   ! daemon_up "$DAEMON_PID" "$T_TMP/ctl.sock"; then
		why="status did not answer within ${BACK_MS} ms: $(tail -2 "$T_TMP/gate511d.log" | tr '\n' ' ')"
	fi
	t_status=$(( $(now_ms) - t0 ))
	if [ -z "$why" ] && ! wait_for_ms $(( BACK_MS - t_status )) got_511; then
		why="no 511 within ${BACK_MS} ms of the start"
	fi
	t_511=$(( $(now_ms) - t0 ))
	[ -z "$why" ] && [ $t_511 -gt $BACK_MS ] && why="511 after $t_511 ms"
	grants=$(n_grants)
	[ -z "$why" ] && [ "${grants:-0}" != "$N0" ] && why="${grants:-no} grants listed, not $N0"
	if [ -z "$why" ]; then
		t_ok "cycle $n (SIG$sig): status in $t_status ms, 511 in $t_511 ms, $grants grants$stale"
	else
		t_fail "cycle $n (SIG$sig)" "$why"
		# a dead start: bring one up for the cycles after it
		pid_gone "$DAEMON_PID" && { pid_reap "$DAEMON_PID" 1; daemon_start >/dev/null; }
	fi
}
i=0
for s in $(yes TERM | head -n "$CYCLES_TERM") $(yes KILL | head -n "$CYCLES_KILL"); do
	i=$((i + 1))
	cycle $i $s
done
busy=$(grep -c "still bound by the previous instance" "$T_TMP/gate511d.log")
echo "   ($busy of $i starts found their queue still bound by the previous instance and waited)"

# ---- after the cycles ----
snapshot > "$T_TMP/grants.after"
check "after the cycles: every grant kept (diff of ctl list)" diff "$T_TMP/grants.before" "$T_TMP/grants.after"
check "after: 10.51.0.2 is in the map" \
	bpftool map lookup pinned $PIN_DIR/g511_clients key hex $(hexkey_v4 10.51.0.2)
check "after: the MAC grant is in the map" \
	bpftool map lookup pinned $PIN_DIR/g511_macs key hex 02 51 00 00 00 77 00 00
check "after: 10.51.0.2 reaches upstream over HTTP (200)" [ "$(http_code 10.51.0.2)" = 200 ]
check "after: 10.51.0.2 pings upstream" in_cl ping -c 2 -i 0.2 -W 1 -I 10.51.0.2 $UP4
check "after: fd51::2 pings upstream" in_cl ping -6 -c 2 -i 0.2 -W 1 $UP6
check "after: 10.51.0.20 reaches upstream" in_cl ping -c 2 -i 0.2 -W 1 -I 10.51.0.20 $UP4
check "after: the unauthenticated client still gets 511" got_511
check "no start failed with a busy AF_XDP queue" bash -c "! grep -q 'cannot open AF_XDP' '$T_TMP/gate511d.log'"

# ---- a careless restart: SIGTERM, and start at once without waiting for
# the old PID to go; the new instance waits for what the old one still holds
old=$DAEMON_PID
kill -TERM "$old"
bg_ns "$NS_GW" "$ROOT/build/gate511d" -f -i "$IF_GW" -c "$T_TMP/gate511.conf" \
	>>"$T_TMP/gate511d.log" 2>&1
DAEMON_PID=$LAST_PID
pid_reap "$old" 10 2>/dev/null; rc=$?
check "careless restart: the old instance exits cleanly (rc $rc)" [ $rc -eq 0 ]
check "careless restart: the new instance answers status" \
	daemon_wait_up "$DAEMON_PID" "$T_TMP/ctl.sock" 10 "$T_TMP/gate511d.log"
check "careless restart: 511 served" wait_for_ms $BACK_MS got_511
check "careless restart: every grant listed" [ "$(n_grants)" = "$N0" ]

# ---- a second daemon while one runs: refused, the first keeps serving ----
first=$DAEMON_PID
bg_ns "$NS_GW" "$ROOT/build/gate511d" -f -i "$IF_GW" -c "$T_TMP/gate511.conf" \
	>"$T_TMP/second.log" 2>&1
second=$LAST_PID
pid_reap "$second" 10 2>/dev/null; rc=$?
check "second daemon on a live one's socket: exits by itself, non-zero (rc $rc)" \
	[ $rc -ne 0 -a $rc -ne 137 ]
check "second daemon: says another instance runs or its queue is held" \
	grep -Eq "another gate511d|still after" "$T_TMP/second.log"
check "second daemon: the first still answers status" ctl status
check "second daemon: the first's socket is still there" [ -S "$T_TMP/ctl.sock" ]
check "second daemon: the first still serves 511" got_511
check "second daemon: the lock file still holds the first's PID" \
	[ "$(cat "$T_TMP/ctl.sock.lock" 2>/dev/null)" = "$first" ]
check "second daemon: every grant still listed" [ "$(n_grants)" = "$N0" ]

daemon_stop
t_summary
