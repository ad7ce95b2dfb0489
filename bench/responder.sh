#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: gate511's responder against the status quo, measured in the
# same run on the same kind of test bed: nftables redirecting port 80 to a
# local nginx that `return 511`s the same page. One new TCP connection per
# request, driven by build/bench/loadgen (AF_PACKET, not the bottleneck the
# way socket clients are); wrk is run too, for reference only.
#
# Prints the pure core's ns per SYN / request (build/bench/core_bench),
# then for each server: responses/s (closed loop), p50/p99 latency (closed
# loop and open loop at a fixed rate), gateway CPU us per response (server
# process + softirq), and gate511d's RSS around a flood of SYNs.
#
# Knobs (env): RB_SECONDS (5), RB_CONC (128 in flight), RB_RATE (10000/s for
# the latency run), RB_FLOOD (1000000 SYNs), RB_WRK=0 to skip wrk,
# RB_XDP=iplink to have the test bed attach gate511 (default: gate511d does),
# RB_NICE (-10): nice level of both servers and the generator, which
# shields them from other load on a shared box.
# Layout on 2+ CPUs: generator on CPU 0, server (all its threads) on CPU 1.
set -u
. "$(dirname "$0")/../tests/lib.sh"

SECS=${RB_SECONDS:-5}
CONC=${RB_CONC:-128}
RATE=${RB_RATE:-10000}
FLOOD=${RB_FLOOD:-1000000}
WRK=${RB_WRK:-1}
NICE=${RB_NICE:--10}
LG=$ROOT/build/bench/loadgen
CORE=$ROOT/build/bench/core_bench
GW_MAC=02:51:00:00:00:01
CL_MAC=02:51:00:00:00:02
UP4=10.52.0.2
SRC_NET=10.51.128.0/17	# generator sources: not owned by the client stack
NGINX_PORT=8080
HZ=$(getconf CLK_TCK)
PRIV_PINS=""

die() { echo "responder bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (namespaces, XDP, AF_PACKET)"
for f in "$ROOT/bpf/gate511.bpf.o" "$ROOT/build/gate511d" "$LG" "$CORE"; do
	[ -e "$f" ] || die "$f missing: run 'make all build/bench/loadgen build/bench/core_bench'"
done
for c in nft nginx wrk curl taskset; do
	command -v $c >/dev/null || die "$c not installed (scripts/install-deps.sh)"
done
case $SECS$CONC$RATE$FLOOD${NICE#-} in *[!0-9]*) die "RB_* knobs must be integers" ;; esac
if [ "$SECS" -lt 1 ] || [ "$SECS" -gt 30 ]; then die "RB_SECONDS: 1..30"; fi

if [ "$(nproc)" -ge 2 ]; then
	GEN_CPU=0 SRV_CPU=1
	GEN_PIN=(nice -n "$NICE" taskset -c "$GEN_CPU")
else
	GEN_CPU="" SRV_CPU=""
	GEN_PIN=(nice -n "$NICE")
fi
# server_setup PID...: every thread of these processes on the server CPU,
# at the bench's nice level.
server_setup() {
	local p t
	for p in "$@"; do
		[ -n "$SRV_CPU" ] && taskset -apc "$SRV_CPU" "$p" >/dev/null
		for t in /proc/"$p"/task/*; do
			renice -n "$NICE" -p "${t##*/}" >/dev/null
		done
	done
}

# Ours to undo on top of tests/lib.sh's cleanup: a private pin dir.
rb_cleanup() {
	t_cleanup
	if [ -n "$PRIV_PINS" ] && [ -d "$PRIV_PINS" ]; then
		rm -f "$PRIV_PINS"/g511_*
		rmdir "$PRIV_PINS" 2>/dev/null
	fi
}
trap rb_cleanup EXIT

# ---- measuring ----

# kv "k=v k=v ..." KEY -> v
kv() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { v = $2 } END { print v == "" ? 0 : v }'; }

# CPU accounting. This kernel has tick-based accounting without
# IRQ_TIME_ACCOUNTING: a task's utime+stime (scaled to its exact runtime)
# include the softirq work the kernel ran in its context, and /proc/stat
# counts that same work as softirq. On veth, a frame is received in the
# context of whoever sent it. So, with the generator on GEN_CPU and the
# server on SRV_CPU:
#   server process time = the server + the client's receive path of the
#                         frames it sends (charged to the gateway: unfair
#                         to neither, both servers pay for their replies);
#   softirq on GEN_CPU  = the gateway's receive path (XDP + AF_XDP copy, or
#                         conntrack + NAT + TCP), run inside the
#                         generator's sendmmsg(); the generator never
#                         sleeps, so these ticks are sampled without bias.
# gateway CPU = the two, which do not overlap. System-wide softirq is
# printed too (it also holds the client side).

# Time (utime + stime, ticks) of every thread of the given processes.
proc_ticks() {
	local pid t sum=0 v
	for pid in "$@"; do
		for t in /proc/"$pid"/task/*/stat; do
			v=$(sed 's/.*) //' "$t" 2>/dev/null | awk '{ print $12 + $13 }')
			sum=$((sum + ${v:-0}))
		done
	done
	echo $sum
}
# "all_softirq all_busy gen_cpu_softirq" in ticks, from /proc/stat.
stat_ticks() {
	awk -v g="cpu$GEN_CPU" '
		$1 == "cpu" { si = $8; all = $2 + $3 + $4 + $7 + $8 }
		$1 == g { gsi = $8 }
		END { print si, all, gsi }' /proc/stat
}

# run_load TAG PIDS -- LOADGEN_ARGS: loadgen from the client namespace while
# the server processes PIDS are measured; leaves "k=v ..." in $T_TMP/TAG.
run_load() {
	local tag=$1 pids=() p0 p1 s0 s1 out si0 si1 all0 all1 g0 g1
	shift
	while [ "$1" != "--" ]; do pids+=("$1"); shift; done
	shift
	p0=$(proc_ticks "${pids[@]}")
	s0=$(stat_ticks)
	out=$(in_cl timeout $((SECS + 20)) "${GEN_PIN[@]}" "$LG" -i "$IF_CL" -g "$GW_MAC" \
		-d "$UP4" -s "$SRC_NET" -e 511 -t "$SECS" "$@")
	s1=$(stat_ticks)
	p1=$(proc_ticks "${pids[@]}")
	[ -n "$out" ] || { echo "loadgen failed ($tag)" >&2; out="completed=0 seconds=1"; }
	read -r si0 all0 g0 <<<"$s0"
	read -r si1 all1 g1 <<<"$s1"
	echo "$out proc_ticks=$((p1 - p0)) softirq_ticks=$((si1 - si0))" \
		"busy_ticks=$((all1 - all0)) gen_softirq_ticks=$((g1 - g0))" > "$T_TMP/$tag"
}

# wrk_ref TAG: wrk for reference; leaves "rps p50 p99 non511 errors".
wrk_ref() {
	local out
	[ "$WRK" = 1 ] || { echo "- - - - -" > "$T_TMP/$1"; return; }
	out=$(in_cl timeout $((SECS + 20)) "${GEN_PIN[@]}" wrk -t2 -c50 -d"${SECS}s" \
		-H 'Connection: close' --latency "http://$UP4/" 2>&1)
	awk '
		/Requests\/sec:/ { rps = $2 }
		$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
		/Non-2xx or 3xx/ { n = $NF }
		/Socket errors/ { e = $0; sub(/.*Socket errors: /, "", e); gsub(/ /, "", e) }
		END { printf "%s %s %s %s %s\n", rps ? rps : "-", p50 ? p50 : "-",
		      p99 ? p99 : "-", n ? n : 0, e ? e : "none" }' <<<"$out" > "$T_TMP/$1"
}

# ---- 1. the pure core ----
echo "== responder: gate511 against nftables redirect + nginx =="
echo
"$CORE" | tee "$T_TMP/core.txt" || die "core_bench failed"
echo

# ---- 2. gate511 ----
# gate511d attaches the program itself with its maps pinned in a directory
# of ours, so the bench never meets another gate511 test bed on the box in
# the shared pin dir. RB_XDP=iplink has the test bed attach it instead.
DAEMON_ARGS=()
if [ "${RB_XDP:-daemon}" = iplink ]; then
	tb_up ra iplink
	G_ATTACH="attached by the test bed (ip link)"
else
	PRIV_PINS=/sys/fs/bpf/g511rb-$$
	mkdir -p "$PRIV_PINS" || die "cannot make $PRIV_PINS"
	tb_up ra none
	DAEMON_ARGS=(-o "$ROOT/bpf/gate511.bpf.o" -P "$PRIV_PINS" -d)
	G_ATTACH="attached by gate511d (libxdp), maps pinned in $PRIV_PINS"
fi
[ -e "$NS_GW" ] || die "test bed $TB did not come up"
# loadgen's sources are 10.51.128.0/17: client prefixes to match.
daemon_conf "$T_TMP/gate511.conf" "client_nets = 10.51.0.0/16, fd51::/64"
daemon_start "${DAEMON_ARGS[@]}" || die "gate511d did not start"
server_setup "$DAEMON_PID"
G_THREADS=$(ls /proc/"$DAEMON_PID"/task | wc -l)
in_cl curl -s -m 3 -D "$T_TMP/g.hdr" -o "$T_TMP/body.html" "http://$UP4/" ||
	die "curl to gate511 failed"
head -n1 "$T_TMP/g.hdr" | grep -q ' 511 ' || die "gate511 did not answer 511"

echo "gate511: running (load $SECS s each) ..."
# Latency first: the closed loop leaves nginx's conntrack table full of
# closed entries for 10 s, which would weigh on the next run.
run_load g_open "$DAEMON_PID" -- -r "$RATE" -c 4096
run_load g_closed "$DAEMON_PID" -- -c "$CONC"
wrk_ref g_wrk
RSS0=$(rss_kb "$DAEMON_PID")
FLOOD_OUT=$(in_cl timeout 120 "${GEN_PIN[@]}" "$LG" -i "$IF_CL" -g "$GW_MAC" -d "$UP4" \
	-s "$SRC_NET" -f "$FLOOD")
sleep 1
RSS1=$(rss_kb "$DAEMON_PID")
AFTER=$(in_cl curl -s -m 3 -o /dev/null -w '%{http_code}' "http://$UP4/after")
daemon_stop
"$ROOT/scripts/testbed.sh" down "$TB" >/dev/null 2>&1
if [ -n "$PRIV_PINS" ]; then
	rm -f "$PRIV_PINS"/g511_*
	rmdir "$PRIV_PINS" 2>/dev/null
fi
TB=""

# ---- 3. nginx behind an nftables redirect ----
tb_up rb none
[ -e "$NS_GW" ] || die "test bed $TB did not come up"
in_gw ip route add "$SRC_NET" via 10.51.0.2 dev "$IF_GW"
in_gw ip neigh replace 10.51.0.2 lladdr "$CL_MAC" dev "$IF_GW"
in_gw nft -f - <<EOF || die "nft rule refused"
table ip g511bench {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "$IF_GW" tcp dport 80 redirect to :$NGINX_PORT
	}
}
EOF
# The page goes into nginx's config as a single-quoted string: escape \ and
# ', and refuse $ (nginx would read a variable).
grep -q '\$' "$T_TMP/body.html" && die "page holds a \$; cannot quote it for nginx"
BODY=$(sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" "$T_TMP/body.html"; echo x)
BODY=${BODY%x}
mkdir -p "$T_TMP/nginx"
cat > "$T_TMP/nginx.conf" <<EOF
# One worker, like gate511's one responder thread (one RX queue on veth).
worker_processes 1;
pid $T_TMP/nginx/nginx.pid;
error_log $T_TMP/nginx/error.log warn;
events { worker_connections 16384; multi_accept on; }
http {
	access_log off;
	server_tokens off;
	keepalive_timeout 0;
	default_type text/html;
	charset utf-8;
	client_body_temp_path $T_TMP/nginx/body;
	proxy_temp_path $T_TMP/nginx/proxy;
	fastcgi_temp_path $T_TMP/nginx/fastcgi;
	uwsgi_temp_path $T_TMP/nginx/uwsgi;
	scgi_temp_path $T_TMP/nginx/scgi;
	server {
		listen $NGINX_PORT backlog=4096;
		location / {
			add_header Cache-Control no-store always;
			return 511 '$BODY';
		}
	}
}
EOF
bg_ns "$NS_GW" nginx -c "$T_TMP/nginx.conf" -g 'daemon off;' 2>>"$T_TMP/nginx/error.log"
NGINX_PID=$LAST_PID
wait_for 5 in_cl curl -s -m 1 -o /dev/null "http://$UP4/" ||
	{ cat "$T_TMP/nginx/error.log" >&2; die "nginx did not come up"; }
read -ra NGINX_KIDS <<<"$(cat /proc/"$NGINX_PID"/task/*/children)"
NGINX_PIDS=("$NGINX_PID" "${NGINX_KIDS[@]}")
server_setup "${NGINX_PIDS[@]}"
in_cl curl -s -m 3 -D "$T_TMP/n.hdr" -o "$T_TMP/n.body" "http://$UP4/" ||
	die "curl to nginx failed"
cmp -s "$T_TMP/n.body" "$T_TMP/body.html" || die "nginx's page differs from gate511's"

echo "nginx: running (load $SECS s each) ..."
run_load n_open "${NGINX_PIDS[@]}" -- -r "$RATE" -c 4096
run_load n_closed "${NGINX_PIDS[@]}" -- -c "$CONC"
wrk_ref n_wrk
NGINX_VER=$(nginx -v 2>&1 | sed 's/.*nginx\///')

# ---- 4. report ----
# cpu_awk: awk prelude turning a run_load result r into v[] and the
# per-response CPU figures (us): proc, gsi (gateway softirq), tot, asi.
cpu_awk='
	n = split(r, kvs, " ")
	for (i = 1; i <= n; i++) { split(kvs[i], kv2, "="); v[kv2[1]] = kv2[2] }
	c = v["completed"] > 0 ? v["completed"] : 1
	us = 1e6 / hz
	proc = v["proc_ticks"] * us / c
	gsi = (pinned ? v["gen_softirq_ticks"] : v["softirq_ticks"]) * us / c
	tot = proc + gsi
	asi = v["softirq_ticks"] * us / c'
# row NAME FILE [lat]: one line of the table from a run_load result; "lat"
# leaves out the tick-sampled columns, which a mostly idle server core
# (NO_HZ: no tick while idle) under-samples.
row() {
	awk -v name="$1" -v hz="$HZ" -v pinned="${GEN_CPU:+1}" -v r="$(cat "$T_TMP/$2")" \
	    -v lat="${3:-}" 'BEGIN {'"$cpu_awk"'
		errs = v["timeouts"] + v["resets"] + v["short"] + v["bad_status"] + v["no_slot"]
		# Everything else that ran on the box: other processes (noise).
		bg = (v["busy_ticks"] - v["proc_ticks"] - v["gen_ticks"]) / hz / v["seconds"]
		printf "%-8s %9.0f %8.1f %8.1f %8.2f ", name, v["rps"], v["p50_us"], v["p99_us"], proc
		if (lat)
			printf "%8s %7s %8s ", "-", "-", "-"
		else
			printf "%8.2f %7.2f %8.2f ", gsi, tot, asi
		printf "%5.0f%% %5.0f%% %6d %5.2f\n", 100 * v["proc_ticks"] / hz / v["seconds"],
		       100 * v["gen_busy"], errs, (bg > 0 ? bg : 0)
	}'
}
# ratio_row G_FILE N_FILE [lat]
ratio_row() {
	paste -d' ' <(row g "$1" "${3:-}") <(row n "$2" "${3:-}") | awk '
		function r(a, b) { return (a + 0 == a && b + 0 == b && b) ? sprintf("%.2fx", a / b) : "-" }
		{ printf "%-8s %9s %8s %8s %8s %8s %7s %8s\n", "g/n", r($2, $14), r($3, $15),
		  r($4, $16), r($5, $17), r($6, $18), r($7, $19), r($8, $20) }'
}
HDR=$(printf '%-8s %9s %8s %8s %8s %8s %7s %8s %6s %6s %6s %5s' server resp/s p50_us p99_us \
	proc_us gsirq_us tot_us asirq_us srv gen errors bg)

N_STATUS=$(head -n1 "$T_TMP/n.hdr" | tr -d '\r')
echo
echo "gate511: XDP program $G_ATTACH;"
echo "  gate511d, $G_THREADS threads (1 responder per RX queue), $(kv "$(cat "$T_TMP/g_closed")" \
	bytes_per_resp) bytes per response"
echo "nginx $NGINX_VER: worker_processes 1 (+ master), behind nftables" \
	"'tcp dport 80 redirect to :$NGINX_PORT' on the gateway's client-facing veth;"
echo "  same page and headers (+ Server, Date; status line '$N_STATUS')," \
	"$(kv "$(cat "$T_TMP/n_closed")" bytes_per_resp) bytes per response"
echo "load: build/bench/loadgen, a new TCP connection per request (SYN; ACK+GET; response to"
echo "  FIN; RST), sources $SRC_NET," \
	"${GEN_CPU:+generator on CPU $GEN_CPU, servers on CPU $SRV_CPU, }nice $NICE"
echo
echo "throughput: closed loop, $CONC connections in flight, $SECS s"
echo "$HDR"
row gate511 g_closed
row nginx n_closed
ratio_row g_closed n_closed
echo
echo "latency: open loop, $RATE new connections/s, $SECS s"
echo "$HDR"
row gate511 g_open lat
row nginx n_open lat
ratio_row g_open n_open lat
echo
echo "CPU per response (us): proc = server process, all threads (includes the client's receive"
echo "  path of the frames it sends: one VM); gsirq = softirq on the generator's CPU (the gateway's"
echo "  receive path, which veth runs in the sender's context); tot = proc + gsirq = gateway CPU;"
echo "  asirq = softirq on all CPUs (client side included; overlaps proc), for reference."
echo "  At a fixed rate proc also holds the cost of waking up for each frame."
echo "srv = server process busy (of one core); gen = share of the generator loop with work (near"
echo "  100%: the generator side is saturated); errors = timeouts, resets, short or non-511"
echo "  responses, no free slot; bg = CPUs used by everything else on the box (noise)"
if awk -v a="$(row x g_closed)" -v b="$(row x n_closed)" -v c="$(row x g_open lat)" \
	-v d="$(row x n_open lat)" 'BEGIN { split(a " " b " " c " " d, f, " ");
	exit !(f[12] > 0.2 || f[24] > 0.2 || f[36] > 0.2 || f[48] > 0.2) }'; then
	echo "NOTE: other processes took over 0.2 CPU during a run (bg): noisy numbers;" \
		"rerun on an idle box"
fi
echo
read -r gw_rps gw_p50 gw_p99 gw_n gw_e < "$T_TMP/g_wrk"
read -r nw_rps nw_p50 nw_p99 nw_n nw_e < "$T_TMP/n_wrk"
echo "wrk for reference (-t2 -c50 -H 'Connection: close', ${SECS}s${GEN_CPU:+, on CPU $GEN_CPU}):" \
	"a socket client, its own ceiling"
printf '  gate511 %8s req/s  p50 %-8s p99 %-8s (non-2xx/3xx %s, socket errors %s)\n' \
	"$gw_rps" "$gw_p50" "$gw_p99" "$gw_n" "$gw_e"
printf '  nginx   %8s req/s  p50 %-8s p99 %-8s (non-2xx/3xx %s, socket errors %s)\n' \
	"$nw_rps" "$nw_p50" "$nw_p99" "$nw_n" "$nw_e"
echo
SYN_NS=$(awk '/^SYN, IPv4/ { print $3 }' "$T_TMP/core.txt")
REQ_NS=$(awk '/^request, IPv4/ { print $3 }' "$T_TMP/core.txt")
echo "pure core (IPv4): $SYN_NS ns per SYN, $REQ_NS ns per request"
printf 'flood: %s SYNs in %s s (%s/s), %s SYN-ACKs back;' \
	"$(kv "$FLOOD_OUT" syns)" "$(kv "$FLOOD_OUT" seconds)" "$(kv "$FLOOD_OUT" syn_rate)" \
	"$(kv "$FLOOD_OUT" synacks)"
printf ' gate511d RSS %s kB -> %s kB, answers after: %s\n' "$RSS0" "$RSS1" "$AFTER"
if [ "${RB_VERBOSE:-0}" = 1 ]; then
	for f in g_open g_closed n_open n_closed; do echo "$f: $(cat "$T_TMP/$f")"; done
	echo "flood: $FLOOD_OUT"
fi
echo

# ---- 5. goals ----
G=$(cat "$T_TMP/g_closed") N=$(cat "$T_TMP/n_closed")
GO=$(cat "$T_TMP/g_open") NO=$(cat "$T_TMP/n_open")
goal() { # text, awk condition over g/n values
	if awk "BEGIN { exit !($2) }"; then echo "goal met:     $1"; else echo "goal NOT met: $1"; fi
}
tot_us() { awk -v hz="$HZ" -v pinned="${GEN_CPU:+1}" -v r="$1" 'BEGIN {'"$cpu_awk"'
	printf "%.2f", tot }'; }
cpu_g=$(tot_us "$G") cpu_n=$(tot_us "$N")
g_busy=$(awk -v p="$(kv "$G" proc_ticks)" -v s="$(kv "$G" seconds)" -v hz="$HZ" \
	'BEGIN { printf "%.0f", 100 * p / hz / s }')
G_RPS=$(kv "$G" rps) N_RPS=$(kv "$N" rps)
goal "gateway CPU per response <= 1/3 of nginx's ($cpu_g vs $cpu_n us)" "$cpu_g * 3 <= $cpu_n"
goal "responses/s >= 3x nginx's ($G_RPS vs $N_RPS)" "$G_RPS >= 3 * $N_RPS"
echo "              (gate511d at $g_busy% of its core, generator loop busy $(kv "$G" gen_busy))"
if [ "$g_busy" -lt 90 ]; then
	echo "              (gate511d below 90% of its core: the generator side or other load" \
		"set this rate)"
fi
goal "lower p99 at $RATE/s ($(kv "$GO" p99_us) vs $(kv "$NO" p99_us) us) and with $CONC in flight" \
	"$(kv "$GO" p99_us) < $(kv "$NO" p99_us) && $(kv "$G" p99_us) < $(kv "$N" p99_us)"
echo "              ($(kv "$G" p99_us) vs $(kv "$N" p99_us) us)"
goal "flat RSS under $FLOOD SYNs ($RSS0 -> $RSS1 kB, within 1024 kB)" "$RSS1 <= $RSS0 + 1024"
exit 0
