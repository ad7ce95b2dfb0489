#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end, the metrics listener: gate511d with metrics_listen in the
# gateway namespace; traffic that moves the counters (a 511, an allow, a
# granted request); a scrape with curl whose values moved, that the real
# `promtool check metrics` accepts, that wrote nothing to the state DB;
# then a real Prometheus in the same namespace scrapes it every second and
# its query API returns the verdict series.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

PROMTOOL=/usr/bin/promtool PROMETHEUS=/usr/bin/prometheus
MPORT=9511 PPORT=19511
UP4=10.52.0.2

tb_up pm
daemon_conf "$T_TMP/gate511.conf" "metrics_listen = 127.0.0.1:$MPORT"
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
check "log: metrics listener on 127.0.0.1:$MPORT" \
	grep -q "metrics listener on 127.0.0.1:$MPORT (plain HTTP)" "$T_TMP/gate511d.log"
up_http_start

# scrape FILE: GET /metrics from inside the gateway, headers in FILE.h.
scrape() {
	in_gw curl -s -m 5 -D "$1.h" -o "$1" "http://127.0.0.1:$MPORT/metrics"
}
# metric FILE SERIES: the value of one series line (exact name and labels).
metric() {
	awk -v s="$2" '$1 == s { print $2; found = 1 } END { exit !found }' "$1"
}
# metric_gt FILE SERIES N: its value is greater than N.
metric_gt() {
	local v
	v=$(metric "$1" "$2") || return 1
	awk -v v="$v" -v n="$3" 'BEGIN { exit !(v + 0 > n + 0) }'
}

check "scrape before traffic" scrape "$T_TMP/m0"
check "200 with the 0.0.4 content type" bash -c \
	"head -n1 '$T_TMP/m0.h' | grep -q ' 200' &&
	 grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' '$T_TMP/m0.h'"
check "build info carries the version" \
	grep -q '^gate511_build_info{version="[0-9][^"]*"} 1$' "$T_TMP/m0"
check "no grant yet" [ "$(metric "$T_TMP/m0" 'gate511_grants{kind="address",origin="cli"}')" = 0 ]
check "the clients map's capacity is shown" \
	metric_gt "$T_TMP/m0" 'gate511_map_max_entries{map="g511_clients"}' 0
code=$(in_gw curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/other")
check "another path: 404 (got $code)" [ "$code" = 404 ]
code=$(in_gw curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MPORT/metrics")
check "POST /metrics: 405 (got $code)" [ "$code" = 405 ]

# ---- traffic: a 511, an allow, a granted request ----
check "unauthenticated client gets 511" [ "$(http_code)" = 511 ]
check "allow 10.51.0.2" ctl allow 10.51.0.2
check "granted client reaches upstream (200)" [ "$(http_code)" = 200 ]
# the sweep runs once a second: wait for one to have been timed
sweep_seen() { scrape "$T_TMP/mw" && metric_gt "$T_TMP/mw" gate511_sweep_duration_seconds_count 0; }
check "a sweep was timed" wait_for 5 sweep_seen

check "scrape after traffic" scrape "$T_TMP/m1"
check "pass_client counter > 0 after granted traffic" \
	metric_gt "$T_TMP/m1" 'gate511_packets_total{verdict="pass_client"}' 0
PC='gate511_packets_total{verdict="pass_client"}'
check "pass_client moved" [ "$(metric "$T_TMP/m1" "$PC")" -gt "$(metric "$T_TMP/m0" "$PC")" ]
check "redirect counter > 0 (the 511 went through the responder)" \
	metric_gt "$T_TMP/m1" 'gate511_packets_total{verdict="redirect"}' 0
check "responder: 511 pages >= 1" \
	metric_gt "$T_TMP/m1" 'gate511_responder_actions_total{action="http_511"}' 0
check "responder: SYN-ACKs >= 1" \
	metric_gt "$T_TMP/m1" 'gate511_responder_actions_total{action="synack"}' 0
check "responder: sockets > 0" metric_gt "$T_TMP/m1" gate511_responder_sockets 0
check "grants: one address grant from the CLI" \
	[ "$(metric "$T_TMP/m1" 'gate511_grants{kind="address",origin="cli"}')" = 1 ]
check "map fill: g511_clients holds >= 1 entry" \
	metric_gt "$T_TMP/m1" 'gate511_map_entries{map="g511_clients"}' 0
check "db commit timed (the allow)" \
	metric_gt "$T_TMP/m1" gate511_db_commit_duration_seconds_count 0
check "+Inf bucket equals the count" [ \
	"$(metric "$T_TMP/m1" 'gate511_db_commit_duration_seconds_bucket{le="+Inf"}')" = \
	"$(metric "$T_TMP/m1" gate511_db_commit_duration_seconds_count)" ]
check "listener counters: the metrics listener answered 2xx" \
	metric_gt "$T_TMP/m1" 'gate511_http_requests_total{listener="metrics",code="2xx"}' 0
check "listener counters: the 404 and 405 counted as 4xx" \
	metric_gt "$T_TMP/m1" 'gate511_http_requests_total{listener="metrics",code="4xx"}' 1
check "interface enforcing" metric "$T_TMP/m1" \
	"gate511_interface_state{interface=\"$IF_GW\",state=\"enforcing\"}"
check "every source read" bash -c "! grep -q '^gate511_scrape_source_ok{.*} 0$' '$T_TMP/m1'"

if [ -x "$PROMTOOL" ]; then
	if "$PROMTOOL" check metrics < "$T_TMP/m1" > "$T_TMP/promtool.out" 2>&1; then
		t_ok "promtool check metrics passes"
	else
		t_fail "promtool check metrics passes" "$(head -5 "$T_TMP/promtool.out")"
	fi
	# and it can fail: the same text with a counter renamed off *_total
	sed 's/gate511_responder_rx_frames_total/gate511_responder_rx_frames/' "$T_TMP/m1" \
		> "$T_TMP/m1.bad"
	check_not "promtool refuses a broken copy" "$PROMTOOL" check metrics < "$T_TMP/m1.bad"
else
	t_skip "promtool check metrics" "$PROMTOOL not installed (Debian prometheus)"
fi

# ---- reading writes nothing: the DB files are byte-identical after scrapes ----
db_sum() { cat "$T_TMP"/state.db* 2>/dev/null | sha256sum; }
before=$(db_sum)
for i in 1 2 3 4 5; do scrape "$T_TMP/mr" || break; done
check "five scrapes left the state DB as it was" [ "$(db_sum)" = "$before" ]

# ---- a real Prometheus scrapes it ----
if [ -x "$PROMETHEUS" ]; then
	mkdir -p "$T_TMP/prom"
	cat > "$T_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: gate511
    scrape_interval: 1s
    scrape_timeout: 1s
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
	check "promtool check config" "$PROMTOOL" check config "$T_TMP/prometheus.yml"
	bg_ns "$NS_GW" "$PROMETHEUS" --config.file="$T_TMP/prometheus.yml" \
		--storage.tsdb.path="$T_TMP/prom" --web.listen-address="127.0.0.1:$PPORT" \
		>"$T_TMP/prometheus.log" 2>&1
	PROM_PID=$LAST_PID
	q() { # PROMQL: the instant query succeeds with a non-empty result
		local out
		out=$(in_gw curl -sf -m 3 -G "http://127.0.0.1:$PPORT/api/v1/query" \
			--data-urlencode "query=$1") || return 1
		# (jq -e passes on empty input: the reply must be there)
		[ -n "$out" ] && jq -e '.status == "success" and (.data.result | length > 0)' \
			<<<"$out"
	}
	# Prometheus applies discovered targets every 5 s: the first scrape
	# comes a few seconds after it is up.
	if wait_for 60 q 'gate511_packets_total'; then
		t_ok "prometheus: gate511_packets_total has series"
	else
		t_fail "prometheus: gate511_packets_total has series" \
			"$(tail -5 "$T_TMP/prometheus.log")"
	fi
	check "prometheus: target up" q 'up{job="gate511"} == 1'
	check_not "prometheus: no result for a series nobody exports" q 'gate511_no_such_series'
	check "prometheus: pass_client > 0" q 'gate511_packets_total{verdict="pass_client"} > 0'
	check "prometheus: every verdict series" \
		q "count(gate511_packets_total) == $(grep -c '^gate511_packets_total{' "$T_TMP/m1")"
	check "prometheus: commit histogram usable" \
		q 'histogram_quantile(0.9, gate511_db_commit_duration_seconds_bucket) >= 0'
	bg_stop "$PROM_PID"
	check "prometheus stopped" pid_gone "$PROM_PID"
else
	t_skip "prometheus scrape" "$PROMETHEUS not installed (Debian prometheus)"
fi

daemon_stop
check "daemon stopped: the metrics port is closed" bash -c \
	"! nsenter --net=$NS_GW curl -s -m 2 -o /dev/null http://127.0.0.1:$MPORT/metrics"
t_summary
