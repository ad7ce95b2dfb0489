#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end, RADIUS against a real FreeRADIUS 3.2 (two instances in the
# upstream namespace, 10.52.0.2 and 10.52.0.3, configs generated here):
# login accepted (the server's Session-Timeout, Idle-Timeout, Class on the
# grant, origin radius), rejected (exit 7, Reply-Message, no grant), all
# servers down (exit 8, no grant), failover to the second server;
# accounting On, Start, Interim with growing octets, Stop with the cause of
# a CLI revoke (Admin-Reset); records queued through a 30 s outage and through
# a kill -9 of gate511d arrive once each; Disconnect revokes (511 again),
# CoA changes the session timeout; a CoA/Disconnect with the wrong secret,
# from the wrong source, stale, without Message-Authenticator, for an
# unknown session, another NAS, an unsupported attribute or no session id
# is refused (dropped or the right NAK) and changes nothing.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root
if ! command -v freeradius >/dev/null || ! command -v radclient >/dev/null; then
	t_skip "$(basename "$0")" "freeradius and radclient not installed (scripts/install-deps.sh)"
	t_summary; exit 0
fi

tb_up ra
UP4=10.52.0.2
SECRET=gw-s3cret
in_up ip addr add 10.52.0.3/24 dev "$IF_UP"

. "$(dirname "$0")/../radius_lib.sh"
# fr_users DIR: the users file of this script's cases
fr_users() {
	local dir=$1
	cat > "$dir/users" <<'EOU'
alice	Cleartext-Password := "wonderland"
	Session-Timeout = 120,
	Idle-Timeout = 60,
	Acct-Interim-Interval = 2,
	Class = "gold-1",
	Reply-Message = "Welcome, alice"

limited	Cleartext-Password := "narrow"
	Session-Timeout = 120,
	WISPr-Bandwidth-Max-Up = 1000000,
	WISPr-Bandwidth-Max-Down = 2000000

bob	Cleartext-Password := "builder"
	Session-Timeout = 300,
	Idle-Timeout = 100,
	Acct-Interim-Interval = 600

DEFAULT	Auth-Type := Reject
EOU
}

FR1=$T_TMP/fr1 FR2=$T_TMP/fr2
fr_conf "$FR1" 10.52.0.2; fr_users "$FR1"
fr_conf "$FR2" 10.52.0.3; fr_users "$FR2"
fr_start 1 || { t_fail "FreeRADIUS 1 starts"; cat "$FR1/log/radius.log"; t_summary; exit 1; }
fr_start 2 || { t_fail "FreeRADIUS 2 starts"; t_summary; exit 1; }
t_ok "two FreeRADIUS servers started"

daemon_conf "$T_TMP/gate511.conf" \
	"radius_server = 10.52.0.2" \
	"radius_server = 10.52.0.3" \
	"radius_secret = $SECRET" \
	"radius_nas_identifier = gw-test" \
	"radius_timeout = 1" \
	"radius_retries = 1" \
	"radius_dae_listen = 10.52.0.1:3799" \
	"radius_dae_clients = 10.52.0.2" \
	"acct_all = yes"
daemon_start -o "$ROOT/bpf/gate511.bpf.o" || { t_fail "daemon starts"; t_summary; exit 1; }
up_http_start
# the checks below run `bash -c` pipelines: they see ctl, and fail when
# any part of the pipeline does (jq -e on no input would not)
export ROOT T_TMP
export -f ctl
PF="set -o pipefail;"

# acct STATUS SID: how many records of that status and session both servers logged
acct() { cat "$FR1/acct.log" "$FR2/acct.log" 2>/dev/null | grep -c "^status=$1 sid=$2 "; }
acct_line() { cat "$FR1/acct.log" "$FR2/acct.log" 2>/dev/null | grep "^status=$1 sid=$2 " | tail -1; }
jshow() { ctl -j show "$1" 2>/dev/null | jq -r ".grant.$2"; }
queue() { ctl -j radius | jq -r .queue_depth; }

check "Accounting-On reaches the server" wait_for 5 grep -q "^status=Accounting-On" "$FR1/acct.log"

# ---- login ----
out=$(echo wonderland | ctl -j login 10.51.0.2 alice); rc=$?
check "login alice accepted: exit 0 (got $rc)" [ $rc -eq 0 ]
check "the grant: origin radius, user alice" [ "$(jshow 10.51.0.2 origin)/$(jshow 10.51.0.2 user)" = radius/alice ]
check "the grant: ttl 120 and idle 60 from the server" [ "$(jshow 10.51.0.2 ttl)/$(jshow 10.51.0.2 idle_timeout)" = 120/60 ]
check "the grant: Class from the server" [ "$(jshow 10.51.0.2 class)" = 676f6c642d31 ]
SID=$(jshow 10.51.0.2 acct_session_id)
check "the grant has an Acct-Session-Id" [ -n "$SID" -a "$SID" != null ]
check "logged in: HTTP reaches upstream" [ "$(http_code)" = 200 ]
check "Start arrives once" wait_for 5 bash -c "[ \$(cat $FR1/acct.log | grep -c '^status=Start sid=$SID ') = 1 ]"
check "NAS-Port-Type Ethernet by default (Access-Request and Start)" \
	bash -c "grep '^user=alice ' $FR1/auth.log | grep -q ' porttype=Ethernet ' && grep '^status=Start sid=$SID ' $FR1/acct.log | grep -q 'porttype=Ethernet'"
check "Start names the NAS, the client and echoes the Class" \
	bash -c "grep '^status=Start sid=$SID ' $FR1/acct.log | grep 'nas=gw-test' | grep 'ip=10.51.0.2' | grep -q 'class=0x676f6c642d31'"

# Interim-Update every 2 s (the server's Acct-Interim-Interval): octets grow
check "Interim-Update arrives" wait_for 6 bash -c "grep -q '^status=Interim-Update sid=$SID ' $FR1/acct.log"
in1=$(acct_line Interim-Update "$SID" | sed 's/.* in=\([0-9]*\) .*/\1/')
for i in 1 2 3 4 5; do http_code >/dev/null; done
in_grew() { local n; n=$(acct_line Interim-Update "$SID" | sed 's/.* in=\([0-9]*\) .*/\1/'); [ "$n" -gt "$in1" ]; }
check "Interim-Update: input octets grow after traffic (from $in1)" wait_for 8 in_grew

out=$(echo nope | ctl login 10.51.0.3 alice 2>&1); rc=$?
check "wrong password: exit 7 (got $rc)" [ $rc -eq 7 ]
check "wrong password: the Reply-Message is shown ($out)" bash -c "echo '$out' | grep -q 'access denied'"
ctl show 10.51.0.3 >/dev/null 2>&1; rc=$?
check "wrong password: no grant (show exit 2, got $rc)" [ $rc -eq 2 ]

# A grant with rates: the datapath enforces them (issue 12), so the
# WISPr rates are on the grant, never dropped.
echo narrow | ctl login 10.51.0.5 limited >/dev/null 2>&1; rc=$?
check "limited: login accepted (exit 0, got $rc)" [ $rc -eq 0 ]
check "limited: the grant carries the WISPr rates" \
	[ "$(jshow 10.51.0.5 rate_up_bps)/$(jshow 10.51.0.5 rate_down_bps)" = 1000000/2000000 ]
ctl deny 10.51.0.5 >/dev/null 2>&1

# ---- a CLI revoke: Stop with Admin-Reset ----
check "deny alice" ctl deny 10.51.0.2
check "Stop arrives once, Admin-Reset" wait_for 5 bash -c "[ \$(cat $FR1/acct.log | grep '^status=Stop sid=$SID ' | grep -c 'cause=Admin-Reset') = 1 ]"

# ---- failover ----
fr_stop 1
echo builder | ctl login 10.51.0.3 bob >/dev/null 2>&1; rc=$?
check "server 1 down: bob's login fails over to server 2 (exit $rc)" [ $rc -eq 0 ]
BOB=$(jshow 10.51.0.3 acct_session_id)
check "server 2 logged bob's Start" wait_for 8 bash -c "grep -q '^status=Start sid=$BOB ' $FR2/acct.log"
check "radius: server 1 is down, server 2 up" \
	bash -c "$PF ctl -j radius | jq -e '.servers[0].state == \"down\" and .servers[1].state == \"up\"'"
fr_stop 2
OUTAGE0=$(now_ms)
out=$(echo wonderland | ctl login 10.51.0.6 alice 2>&1); rc=$?
check "all servers down: exit 8 (got $rc)" [ $rc -eq 8 ]
check_not "all servers down: no grant" ctl show 10.51.0.6

# ---- an outage: records queue in the DB and arrive once each ----
check "during the outage: allow 10.51.0.10" ctl allow 10.51.0.10
check "during the outage: allow 10.51.0.11" ctl allow 10.51.0.11
S10=$(jshow 10.51.0.10 acct_session_id) S11=$(jshow 10.51.0.11 acct_session_id)
check "during the outage: deny 10.51.0.10 and bob" bash -c "$PF ctl deny 10.51.0.10 && ctl deny 10.51.0.3"
check "grants and revokes do not wait for the servers (queue >= 4: $(queue))" [ "$(queue)" -ge 4 ]
# ---- and across a kill -9 of gate511d, servers still down ----
check "allow 10.51.0.12" ctl allow 10.51.0.12
S12=$(jshow 10.51.0.12 acct_session_id)
check "deny 10.51.0.12" ctl deny 10.51.0.12
kill -9 "$DAEMON_PID"; pid_wait_gone "$DAEMON_PID" 5; DAEMON_PID=""
daemon_start -o "$ROOT/bpf/gate511.bpf.o" || { t_fail "daemon restarts after kill -9"; t_summary; exit 1; }
# the outage lasts 30 s (the issue's case): the sender retries meanwhile
left=$(( 30000 - ($(now_ms) - OUTAGE0) ))
[ $left -gt 0 ] && wait_for_ms $left false
fr_start 1; fr_start 2
check "after the outage and the kill -9: the queue drains" wait_for 30 bash -c "[ \"\$(ctl -j radius | jq -r .queue_depth)\" = 0 ]"
for r in "Start $S10" "Stop $S10" "Start $S11" "Start $S12" "Stop $S12" "Stop $BOB"; do
	set -- $r
	n=$(acct "$1" "$2")
	check "$1 of $2 arrived exactly once (got $n)" [ "$n" = 1 ]
done
check "a Start queued at the outage's start waited it out (Acct-Delay-Time >= 25)" bash -c "[ \$(cat $FR1/acct.log $FR2/acct.log | grep '^status=Start sid=$S10 ' | sed 's/.* delay=\([0-9]*\) .*/\1/') -ge 25 ]"
check "records sent late carry Acct-Delay-Time" bash -c "[ \$(cat $FR1/acct.log $FR2/acct.log | grep '^status=Stop sid=$S12 ' | sed 's/.* delay=\([0-9]*\) .*/\1/') -ge 1 ]"

# ---- CoA and Disconnect ----
echo wonderland | ctl login 10.51.0.2 alice >/dev/null 2>&1
SID=$(jshow 10.51.0.2 acct_session_id)
dae() { # TYPE SECRET ATTRS...: radclient from the upstream namespace
	local type=$1 secret=$2; shift 2
	( IFS=,; echo "$*" ) | in_up timeout 10 radclient -x -r 1 -t 2 10.52.0.1:3799 "$type" "$secret" 2>&1
}
now=$(date +%s)
out=$(dae coa $SECRET "Acct-Session-Id=$SID" "Session-Timeout=30" "Event-Timestamp=$now" "Message-Authenticator=0x00")
check "CoA: ACK" bash -c "echo '$out' | grep -q 'Received CoA-ACK'"
check "CoA: the session timeout is now 30" [ "$(jshow 10.51.0.2 ttl)" = 30 ]
nak() { echo "$1" | grep -q "Received $2-NAK" && echo "$1" | grep -q "Error-Cause = $3"; }
out=$(dae coa $SECRET "Acct-Session-Id=nope" "Session-Timeout=5" "Message-Authenticator=0x00")
check "CoA for an unknown session: NAK 503" nak "$out" CoA Session-Context-Not-Found
out=$(dae disconnect $SECRET "Acct-Session-Id=$SID" "NAS-Identifier=other-nas" "Message-Authenticator=0x00")
check "Disconnect for another NAS: NAK 403" nak "$out" Disconnect NAS-Identification-Mismatch
out=$(dae coa $SECRET "Acct-Session-Id=$SID" "Filter-Id=x" "Message-Authenticator=0x00")
check "CoA with an unsupported attribute: NAK 401" nak "$out" CoA Unsupported-Attribute
out=$(dae disconnect $SECRET "NAS-Identifier=gw-test" "Message-Authenticator=0x00")
check "Disconnect without a session id: NAK 402" nak "$out" Disconnect Missing-Attribute
out=$(dae disconnect wrong-secret "Acct-Session-Id=$SID" "Message-Authenticator=0x00")
check "Disconnect with the wrong secret: no answer" bash -c "! echo '$out' | grep -q 'Received'"
out=$(dae disconnect $SECRET "Acct-Session-Id=$SID" "Event-Timestamp=$((now - 1000))" "Message-Authenticator=0x00")
check "stale Event-Timestamp: no answer" bash -c "! echo '$out' | grep -q 'Received'"
out=$(dae disconnect $SECRET "Acct-Session-Id=$SID")
check "no Message-Authenticator: no answer" bash -c "! echo '$out' | grep -q 'Received'"
in_up ip route add 10.52.0.1/32 dev "$IF_UP" src 10.52.0.3
out=$(dae disconnect $SECRET "Acct-Session-Id=$SID" "Message-Authenticator=0x00")
in_up ip route del 10.52.0.1/32 dev "$IF_UP" src 10.52.0.3
check "from a source not in radius_dae_clients: no answer" bash -c "! echo '$out' | grep -q 'Received'"
check "none of them changed the session (ttl 30, same session id)" \
	[ "$(jshow 10.51.0.2 ttl)/$(jshow 10.51.0.2 acct_session_id)" = "30/$SID" ]
check "radius: drops counted" bash -c "$PF ctl -j radius | jq -e '.dae_dropped >= 4'"
out=$(dae disconnect $SECRET "User-Name=alice" "Framed-IP-Address=10.51.0.2" "Event-Timestamp=$(date +%s)" "Message-Authenticator=0x00")
check "Disconnect by User-Name + Framed-IP: ACK" bash -c "echo '$out' | grep -q 'Received Disconnect-ACK'"
check_not "disconnected: no grant" ctl show 10.51.0.2
check "disconnected: HTTP gets 511 again" [ "$(http_code)" = 511 ]
check "disconnected: Stop with Admin-Reset, once" wait_for 5 bash -c "[ \$(cat $FR1/acct.log $FR2/acct.log | grep '^status=Stop sid=$SID ' | grep -c 'cause=Admin-Reset') = 1 ]"
check "history: reason disconnected" bash -c "$PF ctl -j history 10.51.0.2 | jq -e '.history[-1].reason == \"disconnected\"'"
check "radius -j: counters since the restart (1 accept, CoA 1 ack 2 nak, Disconnect 1 ack 2 nak)" bash -c "$PF ctl -j radius | jq -e '.accepts >= 1 and .coa_ack == 1 and .coa_nak == 2 and .disconnect_ack == 1 and .disconnect_nak == 2'"

# ---- expiry and idle: the sweep closes them, Stop says why ----
echo builder | ctl login 10.51.0.3 bob >/dev/null 2>&1
BOB=$(jshow 10.51.0.3 acct_session_id)
echo builder | ctl login 10.51.0.7 bob >/dev/null 2>&1
BOB2=$(jshow 10.51.0.7 acct_session_id)
out=$(dae coa $SECRET "Acct-Session-Id=$BOB" "Session-Timeout=2" "Message-Authenticator=0x00")
check "CoA: Session-Timeout 2 for bob on 10.51.0.3" bash -c "echo '$out' | grep -q 'Received CoA-ACK'"
out=$(dae coa $SECRET "Framed-IP-Address=10.51.0.7" "Idle-Timeout=2" "Message-Authenticator=0x00")
check "CoA by Framed-IP: Idle-Timeout 2 for 10.51.0.7" bash -c "echo '$out' | grep -q 'Received CoA-ACK'"
check "expired: Stop with Session-Timeout" wait_for 10 bash -c "grep '^status=Stop sid=$BOB ' $FR1/acct.log $FR2/acct.log | grep -q 'cause=Session-Timeout'"
check "idle: Stop with Idle-Timeout" wait_for 10 bash -c "grep '^status=Stop sid=$BOB2 ' $FR1/acct.log $FR2/acct.log | grep -q 'cause=Idle-Timeout'"

# ---- figures, not assertions (G511_RADIUS_BENCH=N, N <= 200: N logins, then the
# drain of N Starts and N Stops queued while the servers were down) ----
if [ -n "${G511_RADIUS_BENCH:-}" ]; then
	n=$(( G511_RADIUS_BENCH > 200 ? 200 : G511_RADIUS_BENCH )) t0=$(now_ms)
	for i in $(seq 1 "$n"); do
		echo builder | ctl login "10.51.0.$(( 20 + i ))" bob >/dev/null 2>&1 ||
			echo "bench login $i failed"
	done
	t1=$(now_ms)
	echo "bench: $n logins in $((t1 - t0)) ms ($(( n * 1000 / (t1 - t0 + 1) ))/s, sequential)"
	wait_for 60 bash -c "[ \"\$(ctl -j radius | jq -r .queue_depth)\" = 0 ]"
	fr_stop 1; fr_stop 2
	for i in $(seq 1 "$n"); do ctl deny "10.51.0.$(( 20 + i ))" >/dev/null 2>&1; done
	q=$(queue); fr_start 1; fr_start 2; t0=$(now_ms)
	wait_for 120 bash -c "[ \"\$(ctl -j radius | jq -r .queue_depth)\" = 0 ]"
	t1=$(now_ms)
	echo "bench: drained $q queued records in $((t1 - t0)) ms after the servers came back"
fi

daemon_stop
check "Accounting-Off at a clean stop" wait_for 5 bash -c "grep -q '^status=Accounting-Off' $FR1/acct.log $FR2/acct.log"
t_summary
