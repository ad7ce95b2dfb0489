#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench/radius.sh - RADIUS against a real FreeRADIUS 3.2 started here in
# the test bed's upstream namespace (10.52.0.2, a config generated as in
# tests/e2e/56_radius.sh), each figure beside a baseline measured in the
# same run:
#  (a) logins/s: RADIUS_N `gate511ctl login` calls, RADIUS_P at once,
#      against the same number of radclient Access-Requests straight to
#      the server (one radclient process per request, RADIUS_P at once:
#      the same shape), ratio gate511 / radclient; and radclient sending
#      them all from one process, the server's own capacity;
#  (b) accounting: 10,000 accounted grants (acct_all = yes, one import)
#      with an interim interval of RADIUS_INTERIM s; the daemon's CPU
#      (utime + stime of /proc/PID/stat) over RADIUS_WINDOWS windows of
#      RADIUS_INTERIM s, against the same daemon with the same grants and
#      no RADIUS over the same windows. The extra CPU per record sent,
#      times 10,000 / 60 s, is the projected share of a core at a 60 s
#      interval (goal < 5 %);
#  (c) the queue drain after an outage: FreeRADIUS stopped, RADIUS_K/2
#      grants made and expired (a Start and a Stop each), FreeRADIUS
#      started again; the time until `gate511ctl -j radius` says
#      queue_depth 0, records/s, and the most requests in flight at once
#      seen on the wire (tcpdump on the gateway's upstream side).
# Every figure is a median of RADIUS_RUNS runs (windows for (b)); they are
# figures, not assertions: "met"/"MISSED" compares a median with a goal.
#
# It runs in a mount namespace of its own with a fresh bpffs on
# /sys/fs/bpf (as bench/tc.sh), so its test bed's pinned maps never meet
# those of a test bed or a gateway running beside it.
set -u
[ "$(id -u)" = 0 ] || { echo "bench/radius: needs root" >&2; exit 1; }
if [ -z "${G511_RADIUS_PRIVATE_BPFFS:-}" ]; then
	exec unshare -m --propagation private env G511_RADIUS_PRIVATE_BPFFS=1 "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf || { echo "bench/radius: cannot mount a private bpffs" >&2; exit 1; }
. "$(dirname "$0")/../tests/lib.sh"
. "$(dirname "$0")/../tests/radius_lib.sh"
for t in freeradius radclient tcpdump jq; do
	command -v $t >/dev/null || { echo "bench/radius: $t missing (scripts/install-deps.sh)" >&2; exit 1; }
done
N=${RADIUS_N:-500}
P=${RADIUS_P:-4}
RUNS=${RADIUS_RUNS:-3}
GRANTS=${RADIUS_GRANTS:-10000}
INTERIM=${RADIUS_INTERIM:-10}
WINDOWS=${RADIUS_WINDOWS:-3}
K=${RADIUS_K:-2000}
SECRET=bench-s3cret
UP4=10.52.0.2
HZ=$(getconf CLK_TCK)

tb_up rd
FR=$T_TMP/fr
FR_MAX_REQUESTS=65536 fr_conf "$FR" "$UP4"
cat > "$FR/users" <<'EOU'
bench	Cleartext-Password := "b3nch"
	Session-Timeout = 28800

DEFAULT	Auth-Type := Reject
EOU

FR_PID=""
fr_ready() { grep -q "Ready to process requests" "$FR/log/radius.log" 2>/dev/null; }
fr_start() {
	: > "$FR/log/radius.log"
	bg_ns "$NS_UP" freeradius -f -d "$FR"
	FR_PID=$LAST_PID
	wait_for 10 fr_ready
}
fr_stop() { [ -n "$FR_PID" ] && bg_stop "$FR_PID"; FR_PID=""; }
conf_radius() { # EXTRA...: a daemon config with the server
	daemon_conf "$T_TMP/gate511.conf" \
		"radius_server = $UP4" \
		"radius_secret = $SECRET" \
		"radius_nas_identifier = gw-bench" \
		"radius_timeout = 1" \
		"radius_retries = 2" "$@"
}
rad() { ctl -j radius | jq -r ".$1"; }
queue_empty() { [ "$(rad queue_depth)" = 0 ]; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
now() { date +%s.%N; }
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }
# addrs FIRST_OCTET2 COUNT: COUNT client addresses 10.FIRST.x.y
addrs() { local i; for ((i = 0; i < $2; i++)); do echo "10.$1.$((i / 250)).$((i % 250 + 1))"; done; }

fr_start || { echo "bench/radius: FreeRADIUS does not start:"; tail "$FR/log/radius.log"; exit 1; }

# ---------------------------------------------------------------- (a)
conf_radius
daemon_start > "$T_TMP/start.out" || { echo "bench/radius: gate511d does not start:"; cat "$T_TMP/start.out"; exit 1; }
export ROOT T_TMP
export -f ctl
ctl_logins() { # OCTET: N logins, P at once; prints the seconds, failures to stderr
	local t0 t1
	addrs "$1" "$N" > "$T_TMP/login.addrs"
	t0=$(now)
	xargs -P "$P" -I{} bash -c 'echo b3nch | ctl login {} bench >/dev/null 2>&1 || echo "login {} failed" >&2' \
		< "$T_TMP/login.addrs"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
rc_req='User-Name=bench,User-Password=b3nch,NAS-Identifier=gw-bench,Service-Type=Login-User,Message-Authenticator=0x00'
radclient_each() { # N radclient processes, P at once, from the gateway namespace
	local t0 t1
	t0=$(now)
	seq "$N" | in_gw xargs -P "$P" -I{} bash -c \
		"echo '$rc_req' | radclient -q -r 2 -t 1 $UP4:1812 auth $SECRET || echo 'radclient {} failed' >&2"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
radclient_batch() { # N requests from one radclient process, P outstanding
	local t0 t1
	for ((i = 0; i < N; i++)); do echo "$rc_req"; echo; done > "$T_TMP/rc.batch"
	t0=$(now)
	in_gw radclient -q -p "$P" -r 2 -t 1 -f "$T_TMP/rc.batch" $UP4:1812 auth $SECRET ||
		echo "radclient batch failed" >&2
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
: > "$T_TMP/a.g"; : > "$T_TMP/a.rc"; : > "$T_TMP/a.rcb"; : > "$T_TMP/a.r"; : > "$T_TMP/a.rb"
acc0=$(rad accepts)
for r in $(seq "$RUNS"); do
	# the Starts of the last logins are sent before anything is timed
	wait_for 60 queue_empty || echo "bench/radius: the queue does not drain" >&2
	if [ $((r % 2)) = 1 ]; then
		g=$(ctl_logins $((60 + r))); wait_for 60 queue_empty; c=$(radclient_each)
	else
		c=$(radclient_each); g=$(ctl_logins $((60 + r)))
	fi
	b=$(radclient_batch)
	echo "$N $g" | awk '{ printf "%.1f\n", $1 / $2 }' >> "$T_TMP/a.g"
	echo "$N $c" | awk '{ printf "%.1f\n", $1 / $2 }' >> "$T_TMP/a.rc"
	echo "$N $b" | awk '{ printf "%.1f\n", $1 / $2 }' >> "$T_TMP/a.rcb"
	echo "$g $c" | awk '{ printf "%.4f\n", $1 / $2 }' >> "$T_TMP/a.r"
	echo "$g $b" | awk '{ printf "%.4f\n", $1 / $2 }' >> "$T_TMP/a.rb"
done
acc=$(( $(rad accepts) - acc0 ))
# RADIUS_PERF=FILE: FILE.login, a profile of the daemon over one more
# (unmeasured) round of logins
if [ -n "${RADIUS_PERF:-}" ] && command -v perf >/dev/null; then
	wait_for 60 queue_empty
	perf record -q -e cpu-clock -g -p "$DAEMON_PID" -o "$T_TMP/perf.login" >/dev/null 2>&1 &
	perf_pid=$!
	sleep 0.5
	ctl_logins 69 >/dev/null
	kill -INT "$perf_pid"; wait "$perf_pid"
	perf report -q -i "$T_TMP/perf.login" --no-children --sort sym --stdio 2>/dev/null \
		> "$RADIUS_PERF.login"
fi
wait_for 60 queue_empty
daemon_stop

# ---------------------------------------------------------------- (b)
addrs 70 "$GRANTS" | sed 's/$/ ttl=8h/' > "$T_TMP/grants.txt"
# window_cpu: WINDOWS windows of INTERIM s; per window "ticks acked"
windows() {
	local w c0 c1 a0 a1
	for ((w = 0; w < WINDOWS; w++)); do
		c0=$(cpu_ticks "$DAEMON_PID"); a0=${1:+$(rad acct_acked)}
		sleep "$INTERIM"
		c1=$(cpu_ticks "$DAEMON_PID"); a1=${1:+$(rad acct_acked)}
		echo "$((c1 - c0)) $(( ${a1:-0} - ${a0:-0} ))"
	done
}
# the baseline: the same grants, no RADIUS
rm -f "$T_TMP/state.db"*
daemon_conf "$T_TMP/gate511.conf"
daemon_start --reset-maps > "$T_TMP/start.out" || { echo "bench/radius: gate511d does not start:"; cat "$T_TMP/start.out"; exit 1; }
ctl import "$T_TMP/grants.txt" >/dev/null || echo "bench/radius: import failed" >&2
sleep 1
windows > "$T_TMP/b.base"
daemon_stop
# with RADIUS: every grant accounted
rm -f "$T_TMP/state.db"*
conf_radius "acct_all = yes" "acct_interim_interval = ${INTERIM}s"
daemon_start --reset-maps > "$T_TMP/start.out" || { echo "bench/radius: gate511d does not start:"; cat "$T_TMP/start.out"; exit 1; }
t0=$(now)
ctl import "$T_TMP/grants.txt" >/dev/null || echo "bench/radius: import failed" >&2
wait_for 120 queue_empty || echo "bench/radius: the Starts do not drain" >&2
t1=$(now)
starts_s=$(awk -v a="$t0" -v b="$t1" -v n="$GRANTS" 'BEGIN { printf "%.0f", n / (b - a) }')
windows acked > "$T_TMP/b.rad"
qd=$(rad queue_depth)
# RADIUS_PERF=FILE: a profile of the daemon over one more window (not
# measured: perf costs CPU of its own), its report written to FILE
if [ -n "${RADIUS_PERF:-}" ] && command -v perf >/dev/null; then
	perf record -q -e cpu-clock -g -p "$DAEMON_PID" -o "$T_TMP/perf.data" -- sleep "$INTERIM" \
		>/dev/null 2>&1
	perf report -q -i "$T_TMP/perf.data" --no-children --sort sym --stdio 2>/dev/null \
		> "$RADIUS_PERF"
fi
paste "$T_TMP/b.rad" "$T_TMP/b.base" | awk -v hz="$HZ" -v w="$INTERIM" -v g="$GRANTS" '
	{ extra = ($1 - $3) / hz; if ($2 > 0) printf "%.6f %.3f %.1f %.3f %.3f\n",
		extra / $2 * 1e3, extra / $2 * g / 60 * 100, $2 / w, $1 / hz / w * 100, $3 / hz / w * 100 }' \
	> "$T_TMP/b.per"

# ---------------------------------------------------------------- (c)
daemon_stop
# A daemon with no interim records, the server down: K/2 grants (Starts)
# that expire (Stops).
rm -f "$T_TMP/state.db"*
conf_radius "acct_all = yes"
daemon_start --reset-maps > "$T_TMP/start.out" || { echo "bench/radius: gate511d does not start:"; cat "$T_TMP/start.out"; exit 1; }
wait_for 60 queue_empty
fr_stop
addrs 80 $((K / 2)) | sed 's/$/ ttl=1s/' > "$T_TMP/drain.txt"
ctl import "$T_TMP/drain.txt" >/dev/null || echo "bench/radius: import failed" >&2
wait_for 60 bash -c "[ \$(ctl -j radius | jq -r .queue_depth) -ge $K ]" ||
	echo "bench/radius: only $(rad queue_depth) records queued" >&2
q=$(rad queue_depth); acked0=$(rad acct_acked)
cap_start "$NS_GW" "${TB}g1" "$T_TMP/drain.pcap" udp port 1813
fr_start
t0=$(now); first=""
for i in $(seq 6000); do
	d=$(rad queue_depth)
	[ -z "$first" ] && [ "$d" -lt "$q" ] && first=$(now)
	[ "$d" = 0 ] && break
	sleep 0.05
done
t1=$(now)
cap_stop
# The most Accounting-Requests outstanding at once: distinct identifiers
# (a retransmission is the same request) that were answered; requests
# never answered (sent before the server listened) are counted apart.
cat > "$T_TMP/inflight.py" <<'PY'
import re, sys
ev = []
for l in sys.stdin:
    m = re.search(r'Accounting-(Request|Response) \(\d+\), id: (0x[0-9a-f]+)', l)
    if m:
        ev.append((m.group(1), m.group(2)))
# a request is answered when the next packet of its identifier is a
# response, or a retransmission that is answered (identifiers wrap at 256)
ans, nxt = [False] * len(ev), {}
for i in range(len(ev) - 1, -1, -1):
    k, x = ev[i]
    if k == 'Response':
        nxt[x] = True
    else:
        ans[i] = nxt.get(x, False)
        nxt[x] = ans[i]
cur, best, unanswered = set(), 0, 0
for i, (k, x) in enumerate(ev):
    if k == 'Request':
        if ans[i]:
            cur.add(x)
        elif x not in cur:
            unanswered += 1
    else:
        cur.discard(x)
    best = max(best, len(cur))
print(best, unanswered)
PY
[ -n "${RADIUS_PCAP:-}" ] && cp "$T_TMP/drain.pcap" "$RADIUS_PCAP"	# kept for a look
set -- $(tcpdump -r "$T_TMP/drain.pcap" -n 2>/dev/null | /usr/bin/python3 "$T_TMP/inflight.py")
inflight=${1:-?} unanswered=${2:-?}
daemon_stop

# ---------------------------------------------------------------- report
met() { awk -v v="$1" -v g="$2" 'BEGIN { print (v < g ? "met" : "MISSED") }'; }
echo "RADIUS against FreeRADIUS $(freeradius -v 2>/dev/null | sed -n 's/.*Version \([0-9.]*\).*/\1/p' | head -1), $RUNS runs, medians:"
printf '  (a) %-52s %10s/s\n' "$N logins, gate511ctl login, $P at once" "$(median < "$T_TMP/a.g")"
printf '      %-52s %10s/s\n' "$N Access-Requests, one radclient each, $P at once" "$(median < "$T_TMP/a.rc")"
printf '      %-52s %10s/s\n' "$N Access-Requests from one radclient, $P outstanding" "$(median < "$T_TMP/a.rcb")"
printf '      %-52s %10.3fx\n' "cost ratio, gate511 / a radclient each" "$(median < "$T_TMP/a.r")"
printf '      %-52s %10.3fx\n' "cost ratio, gate511 / one radclient (the server)" "$(median < "$T_TMP/a.rb")"
echo "      (accepted by the daemon: $acc of $((N * RUNS)))"
echo "  (b) accounting, $GRANTS grants, acct_all, interim ${INTERIM}s, $WINDOWS windows of ${INTERIM}s:"
echo "      the Starts of the import drained at $starts_s records/s"
printf '      %-52s %9.1f%%\n' "daemon CPU, no RADIUS (baseline)" "$(awk '{ print $5 }' "$T_TMP/b.per" | median)"
printf '      %-52s %9.1f%%\n' "daemon CPU, accounting" "$(awk '{ print $4 }' "$T_TMP/b.per" | median)"
printf '      %-52s %9.1f/s\n' "interim records acknowledged" "$(awk '{ print $3 }' "$T_TMP/b.per" | median)"
printf '      %-52s %9.4f ms\n' "extra CPU per record" "$(awk '{ print $1 }' "$T_TMP/b.per" | median)"
proj=$(awk '{ print $2 }' "$T_TMP/b.per" | median)
printf '      %-52s %9.2f%%  goal < 5%% %s\n' "projected, $GRANTS grants / 60 s" "$proj" "$(met "$proj" 5)"
echo "      (queue depth at the end of the windows: $qd)"
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
fa=$(awk -v a="$t0" -v b="${first:-$t1}" 'BEGIN { printf "%.2f", b - a }')
rate=$(awk -v f="${first:-$t1}" -v b="$t1" -v q="$q" 'BEGIN { if (b > f) printf "%.0f", q / (b - f); else print 0 }')
echo "  (c) drain after an outage: $q records queued; server back: first ack after ${fa}s" \
	"(the sender's backoff), all in ${el}s, $rate records/s from the first;" \
	"most Accounting-Requests in flight at once: $inflight ($unanswered never answered)"
