#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# e2e: per-client rate limits, measured with iperf3 TCP on the test bed.
#
#   - a grant with --rate-down 20M --rate-up 5M: gate511d installs fq as
#     the root qdisc of the client link (it was the default noqueue); the
#     download (EDT in gate511_tc under fq) and the upload (XDP token
#     bucket) measure within +-10 % of the rates (L3 rate; iperf3 counts
#     TCP payload, 1448 of 1500 bytes, so the goodput target is 96.5 %)
#   - a second client (10.51.0.9), granted without a rate, is unaffected:
#     well above 20M both ways
#   - allowing the client again with other rates changes them for a
#     transfer started at once (a 3 s iperf3, its first second omitted)
#   - an admin's root qdisc is never replaced
# Prints the measured figures. On a kernel without fq (no
# CONFIG_NET_SCH_FQ), gate511d says so and the download is policed by
# gate511_tc's 2 s drop horizon instead of paced: the rate still holds.
. "$(dirname "$0")/../lib.sh"
t_require_root
for tool in iperf3 tc jq; do
	command -v $tool >/dev/null || { t_skip 57_rate "$tool not installed"; t_summary; exit 0; }
done
tb_up rt
CL4=10.51.0.2 CL9=10.51.0.9 UP4=10.52.0.2
in_cl ip addr add $CL9/24 dev "$IF_CL"

bg_ns "$NS_UP" iperf3 -s -B $UP4 -p 5201 >/dev/null 2>&1
wait_for 5 in_up bash -c "exec 3<>/dev/tcp/$UP4/5201"

# bps SRC SECONDS [-R]: goodput in bit/s the receiver measured (0 on error)
bps() {
	local src=$1 secs=$2; shift 2
	in_cl timeout $((secs + 15)) iperf3 -c $UP4 -p 5201 -B "$src" -t "$secs" -O 1 -J "$@" \
		2>/dev/null | jq -r '.end.sum_received.bits_per_second // 0 | floor' 2>/dev/null ||
		echo 0
}
mbit() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1e6 }'; }
# within BPS RATE: goodput within +-10 % of 96.5 % of the L3 rate
within() { awk -v b="$1" -v r="$2" 'BEGIN { t = r * 0.965; exit !(b >= t * 0.9 && b <= t * 1.1) }'; }
above() { awk -v b="$1" -v r="$2" 'BEGIN { exit !(b > r) }'; }
root_qdisc() { in_gw tc qdisc show dev "$IF_GW" root | awk '{ print $2; exit }'; }
root_is_fq() { [ "$(root_qdisc)" = fq ]; }

daemon_start -o "$ROOT/bpf/gate511.bpf.o" || { t_fail daemon_start; t_summary; exit 1; }
check tc_attached wait_for 5 bash -c "nsenter --net=$NS_GW tc filter show dev $IF_GW egress | grep -q gate511_tc"
check default_qdisc_before [ "$(root_qdisc)" = noqueue ]

# ---- no rate yet: no fq ----
check allow_unlimited ctl allow $CL9
check_not no_fq_without_rates wait_for 2 root_is_fq

check allow_rated ctl allow $CL4 --rate-down 20M --rate-up 5M
check show_rates bash -c "'$ROOT/build/gate511ctl' -s '$T_TMP/ctl.sock' -j show $CL4 |
	jq -e '.grant.rate_down_bps == 20000000 and .grant.rate_up_bps == 5000000'"
# Does this kernel have fq (CONFIG_NET_SCH_FQ)? Tried on our client's lo.
HAVE_FQ=0
in_cl tc qdisc replace dev lo root fq >/dev/null 2>&1 && HAVE_FQ=1
in_cl tc qdisc del dev lo root >/dev/null 2>&1
if [ $HAVE_FQ = 1 ]; then
	check fq_installed wait_for 3 root_is_fq
	check fq_logged grep -q "installed fq as the root qdisc" "$T_TMP/gate511d.log"
else
	t_skip fq_installed "this kernel has no fq qdisc: downloads are policed by the horizon"
	check no_fq_logged wait_for 3 grep -q "this kernel has no fq qdisc" "$T_TMP/gate511d.log"
	check no_fq_default_kept [ "$(root_qdisc)" = noqueue ]
fi

down=$(bps $CL4 5 -R)
echo "# rated client, rate-down 20M: $(mbit "$down") Mbit/s goodput"
check down_20M_within_10pct within "$down" 20000000
up=$(bps $CL4 5)
echo "# rated client, rate-up 5M: $(mbit "$up") Mbit/s goodput"
check up_5M_within_10pct within "$up" 5000000
drops=$(stat_get drop_rate)
echo "# drop_rate (XDP): $drops"
check upload_policed_drops [ "${drops:-0}" -gt 0 ]

free_down=$(bps $CL9 3 -R)
free_up=$(bps $CL9 3)
echo "# unlimited client: down $(mbit "$free_down") Mbit/s, up $(mbit "$free_up") Mbit/s"
check unlimited_down_unaffected above "$free_down" 60000000
check unlimited_up_unaffected above "$free_up" 60000000

# ---- a live change: allowed again with other rates, measured at once ----
check reallow_10M ctl allow $CL4 --rate-down 10M --rate-up 2M
down2=$(bps $CL4 3 -R)
echo "# after the change to rate-down 10M: $(mbit "$down2") Mbit/s"
check live_down_10M_within_10pct within "$down2" 10000000
up2=$(bps $CL4 3)
echo "# after the change to rate-up 2M: $(mbit "$up2") Mbit/s"
check live_up_2M_within_10pct within "$up2" 2000000
check reallow_unlimited ctl allow $CL4
down3=$(bps $CL4 3 -R)
echo "# rates lifted: $(mbit "$down3") Mbit/s"
check lifted_down_unaffected above "$down3" 60000000

# ---- an admin's root qdisc stays: stop, replace it, start again ----
daemon_stop
if [ $HAVE_FQ = 1 ]; then
	check fq_stays_after_stop root_is_fq
fi
in_gw tc qdisc replace dev "$IF_GW" root handle 7: pfifo limit 500
daemon_start -o "$ROOT/bpf/gate511.bpf.o" || { t_fail daemon_restart; t_summary; exit 1; }
check allow_rated_again ctl allow $CL4 --rate-down 20M
check admin_qdisc_refused_logged wait_for 3 grep -q "the root qdisc is an admin's pfifo" "$T_TMP/gate511d.log"
check admin_qdisc_kept [ "$(root_qdisc)" = pfifo ]

t_summary
