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
# RB_XDP=iplink to have the test bed attach gate511 (default: gate511d does).
# Layout on 2+ CPUs: generator on CPU 0, server (all its threads) on CPU 1.
set -u
. "$(dirname "$0")/../tests/lib.sh"

SECS=${RB_SECONDS:-5}
CONC=${RB_CONC:-128}
RATE=${RB_RATE:-10000}
FLOOD=${RB_FLOOD:-1000000}
WRK=${RB_WRK:-1}
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
case $SECS$CONC$RATE$FLOOD in *[!0-9]*) die "RB_* knobs must be integers" ;; esac
[ "$SECS" -ge 1 ] && [ "$SECS" -le 30 ] || die "RB_SECONDS: 1..30"

if [ "$(nproc)" -ge 2 ]; then
	GEN_CPU=0 SRV_CPU=1
	GEN_PIN=(taskset -c $GEN_CPU)
else
	GEN_CPU="" SRV_CPU=""
	GEN_PIN=()
fi

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
kv() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2; exit }'; }

# Ticks (utime + stime) of every thread of the given processes.
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
# "softirq busy cpuG_busy cpuS_busy" in ticks, from /proc/stat.
stat_ticks() {
	awk -v g="cpu$GEN_CPU" -v s="cpu$SRV_CPU" '
		function busy() { return $2 + $3 + $4 + $7 + $8 + $9 }
		$1 == "cpu" { si = $8; all = busy() }
		$1 == g { gb = busy() }
		$1 == s { sb = busy() }
		END { print si, all, gb + 0, sb + 0 }' /proc/stat
}

# run_load TAG PIDS -- LOADGEN_ARGS: loadgen from the client namespace while
# the server processes PIDS are measured; leaves "k=v ..." in $T_TMP/TAG.
run_load() {
	local tag=$1 pids=() p0 p1 s0 s1 out
	shift
	while [ "$1" != "--" ]; do pids+=("$1"); shift; done
	shift
	p0=$(proc_ticks "${pids[@]}")
	s0=$(stat_ticks)
	out=$(in_cl timeout $((SECS + 20)) "${GEN_PIN[@]}" "$LG" -i "$IF_CL" -g "$GW_MAC" \
		-d "$UP4" -s "$SRC_NET" -e 511 -t "$SECS" "$@")
	s1=$(stat_ticks)
	p1=$(proc_ticks "${pids[@]}")
	[ -n "$out" ] || { echo "loadgen failed ($tag)" >&2; out="completed=0"; }
	read -r si0 all0 g0 c0 <<<"$s0"
	read -r si1 all1 g1 c1 <<<"$s1"
	echo "$out proc_ticks=$((p1 - p0)) softirq_ticks=$((si1 - si0))" \
		"busy_ticks=$((all1 - all0)) gen_core_ticks=$((g1 - g0))" \
		"srv_core_ticks=$((c1 - c0))" > "$T_TMP/$tag"
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
daemon_start "${DAEMON_ARGS[@]}" || die "gate511d did not start"
[ -n "$SRV_CPU" ] && taskset -apc "$SRV_CPU" "$DAEMON_PID" >/dev/null
G_THREADS=$(ls /proc/"$DAEMON_PID"/task | wc -l)
in_cl curl -s -m 3 -D "$T_TMP/g.hdr" -o "$T_TMP/body.html" "http://$UP4/" ||
	die "curl to gate511 failed"
head -n1 "$T_TMP/g.hdr" | grep -q ' 511 ' || die "gate511 did not answer 511"

echo "gate511: running (load $SECS s each) ..."
run_load g_closed "$DAEMON_PID" -- -c "$CONC"
run_load g_open "$DAEMON_PID" -- -r "$RATE" -c 4096
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
NGINX_PIDS=("$NGINX_PID" $(cat /proc/"$NGINX_PID"/task/*/children))
[ -n "$SRV_CPU" ] && for p in "${NGINX_PIDS[@]}"; do taskset -apc "$SRV_CPU" "$p" >/dev/null; done
in_cl curl -s -m 3 -D "$T_TMP/n.hdr" -o "$T_TMP/n.body" "http://$UP4/" ||
	die "curl to nginx failed"
cmp -s "$T_TMP/n.body" "$T_TMP/body.html" || die "nginx's page differs from gate511's"

echo "nginx: running (load $SECS s each) ..."
run_load n_closed "${NGINX_PIDS[@]}" -- -c "$CONC"
run_load n_open "${NGINX_PIDS[@]}" -- -r "$RATE" -c 4096
wrk_ref n_wrk
NGINX_VER=$(nginx -v 2>&1 | sed 's/.*nginx\///')

# ---- 4. report ----
# row NAME FILE: one line of the table from a run_load result.
row() {
	local r
	r=$(cat "$T_TMP/$2")
	awk -v name="$1" -v hz="$HZ" -v r="$r" 'BEGIN {
		n = split(r, kvs, " ")
		for (i = 1; i <= n; i++) { split(kvs[i], p, "="); v[p[1]] = p[2] }
		c = v["completed"] > 0 ? v["completed"] : 1
		us = 1e6 / hz
		proc = v["proc_ticks"] * us / c; si = v["softirq_ticks"] * us / c
		errs = v["timeouts"] + v["resets"] + v["short"] + v["bad_status"] + v["no_slot"]
		# Other processes on the box (not ours): all busy time minus
		# the server, softirq and the generator itself.
		bg = (v["busy_ticks"] - v["proc_ticks"] - v["softirq_ticks"]) / hz - v["gen_cpu_s"]
		printf "%-8s %9.0f %8.1f %8.1f %9.2f %8.2f %7.2f %6.0f%% %5.0f%% %5.0f%% %7d %6.2f\n",
		       name, v["rps"], v["p50_us"], v["p99_us"], proc, si, proc + si,
		       100 * v["srv_core_ticks"] / hz / v["seconds"],
		       100 * v["proc_ticks"] / hz / v["seconds"],
		       100 * v["gen_busy"], errs, (bg > 0 ? bg / v["seconds"] : 0)
	}'
}
ratio_row() {
	paste -d' ' <(row g "$1") <(row n "$2") | awk '{
		printf "%-8s %8.2fx %7.2fx %7.2fx %8.2fx %7.2fx %6.2fx\n", "g/n",
		       $2 / ($14 ? $14 : 1), $3 / ($15 ? $15 : 1), $4 / ($16 ? $16 : 1),
		       $5 / ($17 ? $17 : 1), $6 / ($18 ? $18 : 1), $7 / ($19 ? $19 : 1) }'
}
HDR=$(printf '%-8s %9s %8s %8s %9s %8s %7s %7s %6s %6s %7s %6s' server resp/s p50_us p99_us \
	proc_us sirq_us tot_us "core$SRV_CPU" srv gen errors bg)

echo
echo "gate511: XDP program $G_ATTACH; gate511d, $G_THREADS threads (1 responder per RX queue)"
echo "nginx $NGINX_VER: worker_processes 1 (+ master), nftables 'tcp dport 80 redirect to :$NGINX_PORT'"
echo "         on the gateway's client-facing veth; same page, same headers (+ Server, Date)"
echo "load: build/bench/loadgen, new TCP connection per request (SYN; ACK+GET; response to"
echo "      FIN; RST), sources $SRC_NET${GEN_CPU:+, generator on CPU $GEN_CPU, server on CPU $SRV_CPU}"
echo
echo "throughput: closed loop, $CONC connections in flight, $SECS s"
echo "$HDR"
row gate511 g_closed
row nginx n_closed
ratio_row g_closed n_closed
echo
echo "latency: open loop, $RATE new connections/s, $SECS s"
echo "$HDR"
row gate511 g_open
row nginx n_open
ratio_row g_open n_open
echo
echo "columns: proc_us = server process CPU (all threads, utime+stime) per response;"
echo "  sirq_us = softirq CPU per response, system-wide: the gateway's receive path AND the"
echo "  client's (one VM), so an upper bound for the gateway; tot_us = proc + sirq;"
echo "  core$SRV_CPU = server core busy; srv = server process busy (of one core); gen = share of"
echo "  the generator's loop that had work (~100%: the generator is saturated); errors ="
echo "  timeouts + resets + short + bad status + no free slot; bg = other processes on the"
echo "  box, in cores (noise)"
echo
read -r gw_rps gw_p50 gw_p99 gw_n gw_e < "$T_TMP/g_wrk"
read -r nw_rps nw_p50 nw_p99 nw_n nw_e < "$T_TMP/n_wrk"
echo "wrk reference (-t2 -c50 -H 'Connection: close', ${SECS}s${GEN_CPU:+, on CPU $GEN_CPU}; socket client, its own ceiling):"
printf '  gate511 %8s req/s  p50 %-8s p99 %-8s (non-2xx/3xx %s, socket errors %s)\n' \
	"$gw_rps" "$gw_p50" "$gw_p99" "$gw_n" "$gw_e"
printf '  nginx   %8s req/s  p50 %-8s p99 %-8s (non-2xx/3xx %s, socket errors %s)\n' \
	"$nw_rps" "$nw_p50" "$nw_p99" "$nw_n" "$nw_e"
echo
SYN_NS=$(awk '/^SYN, IPv4/ { print $3 }' "$T_TMP/core.txt")
REQ_NS=$(awk '/^request, IPv4/ { print $3 }' "$T_TMP/core.txt")
echo "pure core (IPv4): $SYN_NS ns per SYN, $REQ_NS ns per request"
printf 'flood: %s SYNs in %s s (%s/s), %s SYN-ACKs back; gate511d RSS %s kB -> %s kB; answers after: %s\n' \
	"$(kv "$FLOOD_OUT" syns)" "$(kv "$FLOOD_OUT" seconds)" "$(kv "$FLOOD_OUT" syn_rate)" \
	"$(kv "$FLOOD_OUT" synacks)" "$RSS0" "$RSS1" "$AFTER"
echo

# ---- 5. goals ----
G=$(cat "$T_TMP/g_closed") N=$(cat "$T_TMP/n_closed")
GO=$(cat "$T_TMP/g_open") NO=$(cat "$T_TMP/n_open")
goal() { # text, awk condition over g/n values
	if awk "BEGIN { exit !($2) }"; then echo "goal met:     $1"; else echo "goal NOT met: $1"; fi
}
cpu_g=$(awk -v p="$(kv "$G" proc_ticks)" -v s="$(kv "$G" softirq_ticks)" -v c="$(kv "$G" completed)" \
	-v hz="$HZ" 'BEGIN { print (p + s) * 1e6 / hz / (c ? c : 1) }')
cpu_n=$(awk -v p="$(kv "$N" proc_ticks)" -v s="$(kv "$N" softirq_ticks)" -v c="$(kv "$N" completed)" \
	-v hz="$HZ" 'BEGIN { print (p + s) * 1e6 / hz / (c ? c : 1) }')
g_busy=$(awk -v p="$(kv "$G" proc_ticks)" -v s="$(kv "$G" seconds)" -v hz="$HZ" \
	'BEGIN { printf "%.0f", 100 * p / hz / s }')
goal "gateway CPU per response <= 1/3 of nginx's ($cpu_g vs $cpu_n us)" \
	"$cpu_g * 3 <= $cpu_n"
goal "responses/s >= 3x nginx's ($(kv "$G" rps) vs $(kv "$N" rps)); gate511d at $g_busy% of its core, generator loop busy $(kv "$G" gen_busy)" \
	"$(kv "$G" rps) >= 3 * $(kv "$N" rps)"
[ "$g_busy" -lt 90 ] && echo "              (gate511d below 90% of its core: the generator side, not gate511, set this rate)"
goal "lower p99 at $RATE/s ($(kv "$GO" p99_us) vs $(kv "$NO" p99_us) us) and at $CONC in flight ($(kv "$G" p99_us) vs $(kv "$N" p99_us) us)" \
	"$(kv "$GO" p99_us) < $(kv "$NO" p99_us) && $(kv "$G" p99_us) < $(kv "$N" p99_us)"
goal "flat RSS under $FLOOD SYNs ($RSS0 -> $RSS1 kB, within 1024 kB)" \
	"$RSS1 <= $RSS0 + 1024"
exit 0
