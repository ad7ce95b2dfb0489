#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# e2e: changing a live grant, from the CLI (gate511ctl set) and from RADIUS
# (CoA-Request), against a real FreeRADIUS 3.2 in the upstream namespace.
#
#   - alice logs in (Accept: WISPr-Bandwidth-Max-Up 5 Mbit/s); one iperf3
#     upload (UDP offered at 20 Mbit/s, 1400-byte datagrams, the server's
#     0.5 s interval reports) runs while `gate511ctl set --rate-up 10M` and
#     then a CoA with WISPr-Bandwidth-Max-Up = 4 Mbit/s change the rate:
#     every interval from 1 s after each change on is within +-10 % of the
#     new rate (goodput 1400/1428 of the L3 rate), and the first interval
#     wholly after the change is at the new rate and starts within 1 s of
#     it (printed; the reports' 0.5 s are the grain). UDP, not
#     TCP: what is measured is the policer, not TCP's recovery from its
#     drops (57_rate measures TCP through it).
#   - through all of it the session goes on: the same Acct-Session-Id, one
#     Start, no Stop, the upload counter only grows
#   - set: 0/none removes a limit, an unknown client is exit 2, a bad value
#     exit 1 and nothing changed; a first download rate makes gate511d
#     install fq (on a kernel that has fq)
#   - CoA all or nothing: an unsupported attribute beside a good one -> NAK
#     401, a value out of range beside a good one -> NAK 407, nothing
#     changed either time; ChilliSpot names work as the WISPr ones
#   - a CoA lowering ChilliSpot-Max-Total-Octets below the bytes used cuts
#     the client off at once (511 again), and the session closes with
#     reason quota (history, and the Stop)
#   - the RADIUS metrics: promtool accepts the scrape; CoA results, DAE
#     drops, the server's state and the accounting queue are there
# A kernel without fq skips only the fq case.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../radius_lib.sh"
t_require_root
for tool in freeradius radclient iperf3 jq python3; do
	command -v $tool >/dev/null || { t_skip 59_live_change "$tool not installed"; t_summary; exit 0; }
done
PROMTOOL=/usr/bin/promtool

# Our own pin directory (gate511d -P): the shared /sys/fs/bpf/tc/globals
# is not touched, so the test bed attaches nothing (XDP=none) and gate511d
# loads both programs with its maps pinned here.
tb_up lc none
PIN_DIR=/sys/fs/bpf/g511-lc$$
mkdir -p "$PIN_DIR"
trap 't_cleanup; rm -rf "$PIN_DIR"' EXIT
UP4=10.52.0.2 CL4=10.51.0.2
SECRET=lc-s3cret
MPORT=9519

# lc_users DIR: the users file of this test (the config: radius_lib.sh)
lc_users() {
	local dir=$1
	cat > "$dir/users" <<'EOU'
alice	Cleartext-Password := "wonderland"
	Session-Timeout = 600,
	Acct-Interim-Interval = 600,
	WISPr-Bandwidth-Max-Up = 5000000

DEFAULT	Auth-Type := Reject
EOU
}

FR=$T_TMP/fr1
fr_conf "$FR" $UP4
lc_users "$FR"
fr_ready() { grep -q "Ready to process requests" "$FR/log/radius.log" 2>/dev/null; }
bg_ns "$NS_UP" freeradius -f -d "$FR"
wait_for 10 fr_ready || { t_fail "FreeRADIUS starts"; cat "$FR/log/radius.log"; t_summary; exit 1; }

daemon_conf "$T_TMP/gate511.conf" \
	"radius_server = $UP4" \
	"radius_secret = $SECRET" \
	"radius_nas_identifier = gw-lc" \
	"radius_timeout = 1" \
	"radius_retries = 1" \
	"radius_dae_listen = 10.52.0.1:3799" \
	"radius_dae_clients = $UP4" \
	"metrics_listen = 127.0.0.1:$MPORT"
daemon_start -o "$ROOT/bpf/gate511.bpf.o" -P "$PIN_DIR" -d ||
	{ t_fail "daemon starts"; t_summary; exit 1; }
up_http_start
# the server reports in JSON every 0.5 s: the client gets that (receiver-side) report
bg_ns "$NS_UP" iperf3 -s -B $UP4 -p 5201 -J -i 0.5 >/dev/null 2>&1
wait_for 5 in_up bash -c "exec 3<>/dev/tcp/$UP4/5201"

export ROOT T_TMP
export -f ctl
PF="set -o pipefail;"
jshow() { ctl -j show "$1" 2>/dev/null | jq -r ".grant.$2"; }
acct_n() { grep -c "^status=$1 sid=$2 " "$FR/acct.log" 2>/dev/null; }
dae() { # TYPE ATTRS...: radclient from the upstream namespace, our secret
	local type=$1; shift
	( IFS=,; echo "$*" ) | in_up timeout 10 radclient -x -r 1 -t 2 10.52.0.1:3799 "$type" \
		"$SECRET" 2>&1
}
acked() { echo "$1" | grep -q "Received $2-ACK"; }
nak() { echo "$1" | grep -q "Received $2-NAK" && echo "$1" | grep -q "Error-Cause = $3"; }

# ---- the login: a live session with the server's 5 Mbit/s upload ----
echo wonderland | ctl login $CL4 alice >/dev/null 2>&1
check "alice logged in, rate-up 5M from the Accept" [ "$(jshow $CL4 rate_up_bps)" = 5000000 ]
SID=$(jshow $CL4 acct_session_id)
check "the session has an Acct-Session-Id" [ -n "$SID" -a "$SID" != null ]
check "Start arrives" wait_for 5 bash -c "[ \$(grep -c '^status=Start sid=$SID ' $FR/acct.log) = 1 ]"

# ---- one upload, the rate changed twice while it runs ----
# iperf3 from a file descriptor we own; the changes at ~3.5 s and ~7 s
# after its start (bounded waits on the clock, not sleeps as assertions).
IPERF_OUT=$T_TMP/iperf.json
t0=$(now_ms)
in_cl timeout 30 iperf3 -c $UP4 -p 5201 -B $CL4 -u -b 20M -l 1400 -t 10 -i 0.5 -J \
	--get-server-output \
	> "$IPERF_OUT" 2>/dev/null &
IPERF_PID=$!
at_ms() { local end=$((t0 + $1)); wait_for_ms $(( $1 + 1000 )) bash -c "[ \$(( \$(date +%s%N) / 1000000 )) -ge $end ]"; }
at_ms 3500
b1=$(jshow $CL4 bytes)
tset0=$(now_ms)
ctl set $CL4 --rate-up 10M >/dev/null 2>&1; rc=$?
tset1=$(now_ms)
check "set --rate-up 10M during the upload: exit 0 (got $rc, took $((tset1 - tset0)) ms)" [ $rc -eq 0 ]
at_ms 7000
tcoa0=$(now_ms)
out=$(dae coa "Acct-Session-Id=$SID" "WISPr-Bandwidth-Max-Up=4000000" "Message-Authenticator=0x00")
tcoa1=$(now_ms)
check "CoA WISPr-Bandwidth-Max-Up 4M during the upload: ACK (took $((tcoa1 - tcoa0)) ms)" acked "$out" CoA
pid_reap $IPERF_PID 30
# the changes in seconds since the start of the test (when iperf3 began)
c1=$(awk -v a=$tset1 -v t=$t0 'BEGIN { printf "%.3f", (a - t) / 1000 }')
c2=$(awk -v a=$tcoa1 -v t=$t0 'BEGIN { printf "%.3f", (a - t) / 1000 }')

# segments START END RATE: intervals of the server's report from START to END s
python3 - "$IPERF_OUT" "$c1" "$c2" > "$T_TMP/segments" 2>"$T_TMP/segments.err" <<'EOP'
import json, sys
j = json.load(open(sys.argv[1]))
c1, c2 = float(sys.argv[2]), float(sys.argv[3])
GOOD = 1400.0 / 1428	# UDP payload of the L3 length (1400 + 8 + 20)
srv = j.get("server_output_json") or {}
iv = [(i["sum"]["start"], i["sum"]["end"], i["sum"]["bits_per_second"])
      for i in srv.get("intervals", [])]
if not iv:
    sys.exit(1)
def seg(a, b, rate):
    # the steady part: from 1 s after the change (or 1 s in: slow start) to the next
    xs = [r for (s, e, r) in iv if s >= a + 1.0 - 1e-6 and e <= b + 1e-6]
    lo = min(xs) if xs else 0
    hi = max(xs) if xs else 0
    avg = sum(xs) / len(xs) if xs else 0
    t = rate * GOOD
    bad = [r for r in xs if not (0.9 * t <= r <= 1.1 * t)]
    return len(xs), avg, lo, hi, len(bad)
def effect(c, old, new):
    # seconds from the change to the start of the first interval wholly
    # after it that is within 10 % of the new rate: the new rate holds
    # from then on (at most this late; the reports' 0.5 s are the grain)
    t = new * GOOD
    for (s, e, r) in iv:
        if s + 1e-6 >= c and 0.9 * t <= r <= 1.1 * t:
            return s - c
    return -1
end = iv[-1][1]
for name, a, b, rate in (("5M", 0.0, c1, 5e6), ("10M", c1, c2, 10e6), ("4M", c2, end, 4e6)):
    n, avg, lo, hi, bad = seg(a, b, rate)
    print("seg %s %d %.0f %.0f %.0f %d" % (name, n, avg, lo, hi, bad))
print("effect 10M %.3f" % effect(c1, 5e6, 10e6))
print("effect 4M %.3f" % effect(c2, 10e6, 4e6))
for (s, e, r) in iv:
    print("iv %.2f %.2f %.0f" % (s, e, r))
EOP
if [ ! -s "$T_TMP/segments" ]; then
	t_fail "iperf3 interval reports" "$(head -c 300 "$IPERF_OUT") $(cat "$T_TMP/segments.err")"
else
	echo "# changes at ${c1}s (set --rate-up 10M) and ${c2}s (CoA 4M) after the start"
	grep '^iv' "$T_TMP/segments" | awk '{ printf "#   %5.2f-%5.2f s  %6.2f Mbit/s\n", $2, $3, $4 / 1e6 }'
	while read -r _ name n avg lo hi bad; do
		echo "# steady at $name: $n intervals, mean $(awk -v b=$avg 'BEGIN { printf "%.2f", b / 1e6 }')" \
		     "Mbit/s (min $(awk -v b=$lo 'BEGIN { printf "%.2f", b / 1e6 }')," \
		     "max $(awk -v b=$hi 'BEGIN { printf "%.2f", b / 1e6 }'))"
		check "steady at $name from 1 s after the change: every 0.5 s interval within +-10 % ($bad outside, of $n)" \
			[ "$n" -ge 3 -a "$bad" = 0 ]
	done < <(grep '^seg' "$T_TMP/segments")
	while read -r _ name secs; do
		echo "# the rate was $name at most ${secs} s after the change (0.5 s intervals)"
		check "the change to $name took effect within 1 s (${secs} s)" \
			awk -v s="$secs" 'BEGIN { exit !(s >= 0 && s <= 1.0) }'
	done < <(grep '^effect' "$T_TMP/segments")
fi
check "the upload was policed: drop_rate counted" [ "$(stat_get drop_rate)" -gt 0 ]

# ---- the session went on ----
check "CoA: the grant has rate-up 4M now" [ "$(jshow $CL4 rate_up_bps)" = 4000000 ]
check "the same Acct-Session-Id" [ "$(jshow $CL4 acct_session_id)" = "$SID" ]
check "the upload counter kept counting (was $b1)" [ "$(jshow $CL4 bytes)" -gt "$b1" ]
check "one Start, no Stop for the session" [ "$(acct_n Start "$SID")/$(acct_n Stop "$SID")" = 1/0 ]
check "history: no session closed" [ "$(ctl -j history $CL4 | jq '.history | length')" = 0 ]
check "origin stays radius" [ "$(jshow $CL4 origin)" = radius ]

# ---- set: the CLI verb ----
check "set --quota 5G --idle 10m" ctl set $CL4 --quota 5G --idle 10m
check "quota and idle set, rate kept" \
	[ "$(jshow $CL4 quota_bytes)/$(jshow $CL4 idle_timeout)/$(jshow $CL4 rate_up_bps)" = 5000000000/600/4000000 ]
check "set --quota none --rate-up 0: limits removed" ctl set $CL4 --quota none --rate-up 0
check "no quota, no upload rate" [ "$(jshow $CL4 quota_bytes)/$(jshow $CL4 rate_up_bps)" = 0/0 ]
ctl set 10.51.0.77 --rate-up 1M >/dev/null 2>&1; rc=$?
check "set of a client without a grant: exit 2 (got $rc)" [ $rc -eq 2 ]
ctl set $CL4 --rate-up 5Q >/dev/null 2>&1; rc=$?
check "set --rate-up 5Q: exit 1 (got $rc)" [ $rc -eq 1 ]
ctl set $CL4 --rate-up 200G >/dev/null 2>&1; rc=$?
check "set --rate-up 200G (more than the datapath polices): exit 1 (got $rc)" [ $rc -eq 1 ]
ctl set $CL4 >/dev/null 2>&1; rc=$?
check "set with nothing to change: exit 1 (got $rc)" [ $rc -eq 1 ]
check "the refused sets changed nothing" [ "$(jshow $CL4 rate_up_bps)/$(jshow $CL4 idle_timeout)" = 0/600 ]
check "set -j answers the grant" bash -c "$PF ctl -j set $CL4 --ttl 1h | jq -e '.grant.ttl == 3600'"
HAVE_FQ=0
in_cl tc qdisc replace dev lo root fq >/dev/null 2>&1 && HAVE_FQ=1
in_cl tc qdisc del dev lo root >/dev/null 2>&1
root_is_fq() { [ "$(in_gw tc qdisc show dev "$IF_GW" root | awk '{ print $2; exit }')" = fq ]; }
check_not "no download rate yet: no fq" root_is_fq
check "set --rate-down 20M: a first download rate" ctl set $CL4 --rate-down 20M
if [ $HAVE_FQ = 1 ]; then
	check "gate511d installed fq for it" wait_for 3 root_is_fq
else
	t_skip "fq installed for a set rate" "this kernel has no fq qdisc"
	check "gate511d reacted to the set (no fq here, said so)" \
		wait_for 3 grep -q "this kernel has no fq qdisc" "$T_TMP/gate511d.log"
fi
check "set --rate-down none" ctl set $CL4 --rate-down none
check "the same session still (Acct-Session-Id, no Stop)" \
	[ "$(jshow $CL4 acct_session_id)/$(acct_n Stop "$SID")" = "$SID/0" ]

# ---- CoA: all or nothing ----
ttl0=$(jshow $CL4 ttl)
out=$(dae coa "Acct-Session-Id=$SID" "Session-Timeout=50" "Filter-Id=x" "Message-Authenticator=0x00")
check "CoA Session-Timeout + Filter-Id: NAK 401" nak "$out" CoA Unsupported-Attribute
out=$(dae coa "Acct-Session-Id=$SID" "Session-Timeout=50" "ChilliSpot-Bandwidth-Max-Up=4294967295" \
	"Message-Authenticator=0x00")
check "CoA Session-Timeout + a 4.3 Tbit/s ChilliSpot rate: NAK 407" nak "$out" CoA Invalid-Attribute-Value
check "neither changed anything (ttl $ttl0, no upload rate)" \
	[ "$(jshow $CL4 ttl)/$(jshow $CL4 rate_up_bps)" = "$ttl0/0" ]
out=$(dae coa "Acct-Session-Id=$SID" "ChilliSpot-Bandwidth-Max-Up=3000" "ChilliSpot-Bandwidth-Max-Down=6000" \
	"Idle-Timeout=300" "Message-Authenticator=0x00")
check "CoA with ChilliSpot rates (kbit/s) and Idle-Timeout: ACK" acked "$out" CoA
check "rates 3M/6M and idle 300 on the grant" \
	[ "$(jshow $CL4 rate_up_bps)/$(jshow $CL4 rate_down_bps)/$(jshow $CL4 idle_timeout)" = 3000000/6000000/300 ]
out=$(dae coa "Acct-Session-Id=$SID" "WISPr-Bandwidth-Max-Up=0" "WISPr-Bandwidth-Max-Down=0" \
	"Message-Authenticator=0x00")
check "CoA with WISPr rates 0: ACK, the limits removed" \
	bash -c "echo '$out' | grep -q 'Received CoA-ACK' && [ \"\$(ctl -j show $CL4 | jq -r '.grant.rate_up_bps + .grant.rate_down_bps')\" = 0 ]"

# ---- CoA of the quota below what was used: cut off at once ----
check "logged in: HTTP reaches upstream" [ "$(http_code)" = 200 ]
used=$(ctl -j show $CL4 | jq -r '.grant.bytes + .grant.bytes_down')
echo "# bytes used before the quota CoA: $used"
out=$(dae coa "Acct-Session-Id=$SID" "ChilliSpot-Max-Total-Octets=1000" "Message-Authenticator=0x00")
check "CoA ChilliSpot-Max-Total-Octets 1000 (< $used used): ACK" acked "$out" CoA
tq=$(now_ms)
check "over the quota: HTTP gets 511 again at once" wait_for 2 bash -c "[ \"\$(nsenter --net=$NS_CL curl -s -m 1 -o /dev/null -w '%{http_code}' --interface $CL4 http://$UP4/)\" = 511 ]"
echo "# 511 again $(( $(now_ms) - tq )) ms after the CoA-ACK"
check "the session closes with reason quota" \
	wait_for 5 bash -c "$PF ctl -j history $CL4 | jq -e '.history[-1].reason == \"quota\"'"
check "Stop arrives once (Session-Timeout: the cause quota maps to)" \
	wait_for 5 bash -c "[ \$(grep '^status=Stop sid=$SID ' $FR/acct.log | grep -c 'cause=Session-Timeout') = 1 ]"

# ---- metrics ----
curl_m() { in_gw curl -s -m 5 -o "$1" "http://127.0.0.1:$MPORT/metrics"; }
check "scrape /metrics" curl_m "$T_TMP/m"
if [ -x $PROMTOOL ]; then
	if $PROMTOOL check metrics < "$T_TMP/m" > "$T_TMP/promtool.out" 2>&1; then
		t_ok "promtool check metrics passes"
	else
		t_fail "promtool check metrics passes" "$(head -5 "$T_TMP/promtool.out")"
	fi
else
	t_skip "promtool check metrics" "promtool not installed"
fi
metric() { awk -v k="$1" '$1 == k { print $2 }' "$T_TMP/m"; }
check "gate511_radius_server_state up for the server" \
	[ "$(metric "gate511_radius_server_state{server=\"$UP4:1812\",state=\"up\"}")" = 1 ]
check "CoA acks counted (4)" \
	[ "$(metric 'gate511_radius_dae_requests_total{kind="coa",result="ack"}')" = 4 ]
check "CoA naks counted (2)" \
	[ "$(metric 'gate511_radius_dae_requests_total{kind="coa",result="nak"}')" = 2 ]
check "accepts counted (1)" [ "$(metric gate511_radius_accepts_total)" = 1 ]
check "queue depth and the oldest record's age are there" \
	bash -c "grep -q '^gate511_radius_queue_depth ' $T_TMP/m && grep -q '^gate511_radius_queue_oldest_age_seconds ' $T_TMP/m"
jsum=$(ctl -j radius | jq -r '"\(.coa_ack) \(.coa_nak) \(.dae_dropped)"')
msum="$(metric 'gate511_radius_dae_requests_total{kind="coa",result="ack"}') $(metric 'gate511_radius_dae_requests_total{kind="coa",result="nak"}') $(metric gate511_radius_dae_dropped_total)"
check "the metrics say what gate511ctl radius -j says ($msum / $jsum)" [ "$msum" = "$jsum" ]

daemon_stop
t_summary
