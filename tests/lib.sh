# SPDX-License-Identifier: GPL-2.0
# Shared by the shell tests in tests/e2e and tests/adversarial: a test bed
# with a unique prefix torn down on any exit, bounded waits, captures, and
# the case counters that end in "RESULT: N passed, N failed, N skipped".
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PIN_DIR=/sys/fs/bpf/tc/globals
T_PASS=0 T_FAIL=0 T_SKIP=0
T_PIDS=()
T_TMP=$(mktemp -d /tmp/g511test.XXXXXX)
TB=""

t_ok()   { T_PASS=$((T_PASS + 1)); echo "ok   $1"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $1${2:+: $2}"; }
t_skip() { T_SKIP=$((T_SKIP + 1)); echo "skip $1: $2"; }
# check NAME CMD...: the case passes when CMD exits 0.
check()  { local n=$1; shift; if "$@" >/dev/null 2>&1; then t_ok "$n"; else t_fail "$n"; fi; }

# check_not NAME CMD...: the case passes when CMD fails.
check_not() { local n=$1; shift; if "$@" >/dev/null 2>&1; then t_fail "$n"; else t_ok "$n"; fi; }

t_summary() {
	echo "RESULT: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" -eq 0 ]
}

# Skip the whole script (one skipped case) when we cannot run.
t_require_root() {
	if [ "$(id -u)" != 0 ]; then
		t_skip "$(basename "$0")" "needs root for namespaces and XDP"
		t_summary; exit 0
	fi
	if [ ! -e "$ROOT/bpf/gate511.bpf.o" ]; then
		t_fail "$(basename "$0")" "bpf/gate511.bpf.o not built"
		t_summary; exit 1
	fi
}

t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${T_PIDS[@]}"; do
		pid_reap "$pid" 10
	done 2>/dev/null
	[ -n "$TB" ] && "$ROOT/scripts/testbed.sh" down "$TB" >/dev/null 2>&1
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# Bring up a test bed with a prefix unique to this run.
tb_up() { # [XDP mode]
	TB=${1:-t}$(( $$ % 10000 ))
	XDP=${2:-iplink} "$ROOT/scripts/testbed.sh" up "$TB" >/dev/null
	NS_CL=/run/netns/${TB}cl NS_GW=/run/netns/${TB}gw NS_UP=/run/netns/${TB}up
	IF_GW=${TB}g0 IF_CL=${TB}c0 IF_UP=${TB}u0
}
in_cl() { nsenter --net="$NS_CL" "$@"; }
in_gw() { nsenter --net="$NS_GW" "$@"; }
in_up() { nsenter --net="$NS_UP" "$@"; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local limit=$(( $1 * 10 )) i=0; shift
	while [ $i -lt $limit ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# wait_for_ms MS CMD...: poll CMD every 20 ms until it succeeds; bounded by
# the clock (MS) and by a count, so a slow box cannot make it spin forever.
wait_for_ms() {
	local end=$(( $(date +%s%N) / 1000000 + $1 )) i=0; shift
	while [ $i -lt 10000 ]; do
		"$@" >/dev/null 2>&1 && return 0
		[ $(( $(date +%s%N) / 1000000 )) -ge $end ] && return 1
		sleep 0.02; i=$((i + 1))
	done
	return 1
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# pid_gone PID: the process has exited (no such PID, or a zombie not yet
# reaped: kill -0 still succeeds on those).
pid_gone() {
	local st
	st=$(sed 's/^.*) //' /proc/"$1"/stat 2>/dev/null) || return 0
	[ -z "$st" ] || [ "${st%% *}" = Z ]
}
# pid_wait_gone PID SECONDS: bounded wait for pid_gone (any process).
pid_wait_gone() { wait_for_ms $(( $2 * 1000 )) pid_gone "$1"; }
# pid_reap PID SECONDS: wait for a child of this shell to exit and reap it
# the moment it does, as systemd does on SIGCHLD; a watchdog sends SIGKILL
# after SECONDS, so the wait is bounded. Returns the child's status. (The
# watchdog goes by SIGKILL: caught before its exec, a SIGTERM would run
# this shell's EXIT trap in it.)
pid_reap() {
	local dog rc
	sh -c 'sleep "$2"; kill -KILL "$1" 2>/dev/null' sh "$1" "$2" & dog=$!
	wait "$1" 2>/dev/null; rc=$?
	kill -KILL "$dog" 2>/dev/null; wait "$dog" 2>/dev/null
	return $rc
}

# Background a process we own; its PID is kept for cleanup. CMD must be a
# program, not a shell function, so that $! is the process itself.
bg_start() { "$@" & T_PIDS+=($!); LAST_PID=$!; }
# bg_ns NS CMD...: the same inside a namespace (nsenter execs CMD).
bg_ns() { local ns=$1; shift; bg_start nsenter --net="$ns" "$@"; }
# bg_stop PID [SIGNAL]: signal it, wait until it is gone (bounded: SIGKILL
# after 10 s) and reap it.
bg_stop() {
	{ kill -"${2:-TERM}" "$1"; pid_reap "$1" 10; } 2>/dev/null
	return 0
}

# cap_start NS IFACE FILE [FILTER]: tcpdump into FILE until cap_stop.
cap_start() {
	local ns=$1 ifc=$2 file=$3; shift 3
	bg_start nsenter --net="$ns" tcpdump -i "$ifc" -n -U --immediate-mode -w "$file" "$@" \
		2>"$file.log"
	CAP_PID=$LAST_PID CAP_FILE=$file
	wait_for 5 grep -q listening "$file.log"
}
# cap_settle FILE: wait until FILE has not grown for 0.3 s (what is still in
# flight, a responder working off its RX ring, has been captured); bounded
# at 10 s. tcpdump -U writes every packet as it comes.
cap_settle() {
	local last=-1 cur still=0 i
	for i in $(seq 100); do
		cur=$(stat -c %s "$1" 2>/dev/null || echo 0)
		if [ "$cur" = "$last" ]; then
			still=$((still + 1))
			[ $still -ge 3 ] && return 0
		else
			still=0 last=$cur
		fi
		sleep 0.1
	done
	return 1
}
cap_stop() { cap_settle "$CAP_FILE"; bg_stop "$CAP_PID"; }
cap_count() { tcpdump -r "$1" -n 2>/dev/null | wc -l; }

# Grants written straight into the pinned map (no daemon).
hexkey_v4() { # a.b.c.d -> 16 hex bytes of ::ffff:a.b.c.d
	local IFS=.; set -- $1
	printf '00 00 00 00 00 00 00 00 00 00 ff ff %02x %02x %02x %02x' "$1" "$2" "$3" "$4"
}
hexkey_v6() { # full address -> 16 hex bytes
	/usr/bin/python3 -c 'import ipaddress,sys; print(" ".join("%02x" % b for b in ipaddress.IPv6Address(sys.argv[1]).packed))' "$1"
}
# struct g511_grant (120 bytes, asserted in include/gate511.h), all zero: no
# deadline, no idle, no MAC binding.
GRANT_OPEN=$(printf "00 %.0s" $(seq 120))
map_grant() { bpftool map update pinned $PIN_DIR/g511_clients key hex $1 value hex $GRANT_OPEN; }
map_revoke() { bpftool map delete pinned $PIN_DIR/g511_clients key hex $1; }
stat_get() { # name -> sum over CPUs of that g511_stats counter
	local idx
	idx=$(grep -o '"[a-z_0-9]*"' "$ROOT/include/gate511.h" | sed -n '/pass_client/,$p' | tr -d '"' | grep -nx "$1" | cut -d: -f1)
	bpftool -j map lookup pinned $PIN_DIR/g511_stats key $((idx - 1)) 0 0 0 |
		jq '[.formatted.values[].value] | add'
}

# ---- the daemon on the test bed ----
PORTAL=http://portal.example/login
# daemon_conf FILE [extra lines...]: a config for tests.
daemon_conf() {
	local f=$1; shift
	{
		echo "portal_url = $PORTAL"
		echo "state_db = $T_TMP/state.db"
		echo "control_socket = $T_TMP/ctl.sock"
		for l in "$@"; do echo "$l"; done
	} > "$f"
}
# daemon_up PID SOCKET: the daemon answers on its control socket, or has
# died (then 2, so that a wait on it ends at once).
daemon_up() {
	"$ROOT/build/gate511ctl" -s "$2" status >/dev/null 2>&1 && return 0
	pid_gone "$1" && return 2
	return 1
}
daemon_answers() { daemon_up "$@"; [ $? -ne 1 ]; }
# daemon_wait_up PID SOCKET SECONDS LOG: bounded wait until it answers.
daemon_wait_up() {
	wait_for_ms $(( $3 * 1000 )) daemon_answers "$1" "$2"
	daemon_up "$1" "$2" && return 0
	echo "gate511d did not come up:"; tail -20 "$4"
	return 1
}
# daemon_start [gate511d args...]: gate511d in the gateway namespace,
# logging to $T_TMP/gate511d.log; waits until `gate511ctl status` answers
# (the socket file alone proves nothing: a killed daemon leaves it, and a
# live one has it before it listens). A stale socket is the daemon's to
# replace, so it is not removed here.
daemon_start() {
	[ -f "$T_TMP/gate511.conf" ] || daemon_conf "$T_TMP/gate511.conf"
	bg_ns "$NS_GW" "$ROOT/build/gate511d" -f -i "$IF_GW" -c "$T_TMP/gate511.conf" \
		"$@" >>"$T_TMP/gate511d.log" 2>&1
	DAEMON_PID=$LAST_PID
	daemon_wait_up "$DAEMON_PID" "$T_TMP/ctl.sock" 10 "$T_TMP/gate511d.log"
}
# daemon_stop [SIGNAL]: stop as systemd does: the signal (TERM), a bounded
# wait until the process is gone, then reap it.
daemon_stop() { [ -n "${DAEMON_PID:-}" ] && bg_stop "$DAEMON_PID" "$@"; DAEMON_PID=""; }
# up_http_start: a web server on port 80 in the upstream namespace, up.
up_http_start() {
	bg_ns "$NS_UP" /usr/bin/python3 -m http.server 80 --bind 0.0.0.0 >/dev/null 2>&1
	wait_for 5 in_up bash -c "exec 3<>/dev/tcp/127.0.0.1/80"
}
# http_code [SRC]: the HTTP status the client gets for http://$UP4/ from
# SRC (default 10.51.0.2); 000 when nothing answers.
http_code() {
	in_cl curl -s -m 2 -o /dev/null -w '%{http_code}' --interface "${1:-10.51.0.2}" \
		"http://$UP4/"
}
# ctl ARGS...: gate511ctl against this test's daemon.
ctl() { "$ROOT/build/gate511ctl" -s "$T_TMP/ctl.sock" "$@"; }
rss_kb() { awk '/^VmRSS/ {print $2}' /proc/"$1"/status; }
