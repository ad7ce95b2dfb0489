# SPDX-License-Identifier: GPL-2.0
# Shared by tests/adversarial/[0-9]*.sh: on top of tests/lib.sh, a private
# bpffs, the test bed with the daemon and the extra upstream hosts the
# policy cases need, one long-lived craft.py in the client namespace, and a
# capture on the upstream veth for the whole script.
#
# Private bpffs: `ip link ... xdp obj` pins the maps in
# /sys/fs/bpf/tc/globals, so two gate511 test beds (or a demo) on one box
# share maps, and testbed.sh refuses to start. Each script re-runs itself
# in a new mount namespace with its own bpffs (as xdp-tools' tests do):
# nothing it pins is seen outside, and nothing is left behind.
# shellcheck shell=bash

ADV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "$(id -u)" = 0 ] && [ -z "${G511_ADV_MNTNS:-}" ] && command -v unshare >/dev/null; then
	export G511_ADV_MNTNS=1
	exec unshare --mount --propagation private "$BASH" "$0" "$@"
fi
if [ "$(id -u)" = 0 ] && [ "${G511_ADV_MNTNS:-}" = 1 ]; then
	mount -t bpf bpf /sys/fs/bpf || { echo "cannot mount a private bpffs"; exit 1; }
	G511_ADV_MNTNS=2
fi
# shellcheck source=../lib.sh
. "$ADV_DIR/../lib.sh"

GW_MAC=02:51:00:00:00:01 CL_MAC=02:51:00:00:00:02
CL4=10.51.0.2 CL6=fd51::2 GW4=10.51.0.1 GW6=fd51::1
INET4=10.52.0.2 INET6=fd52::2
# Hosts upstream: configured resolvers, a resolver not configured, a
# walled-garden host (TCP 443 only). Kept in step with craft.py.
RES4=10.52.0.53 RES6=fd52::53 FOREIGN4=10.52.0.99 FOREIGN6=fd52::99 GARDEN4=10.52.0.80
DEV_MAC=02:51:00:00:00:42	# a device trusted by MAC in some cases
# Alternative XDP object (mutate.sh): attached over the test bed's.
ADV_OBJ=${G511_ADV_OBJ:-}

# adv_conf: the daemon config every group uses.
adv_conf() {
	daemon_conf "$T_TMP/gate511.conf" \
		"dns_resolvers = $RES4, $RES6" \
		"local_addrs = $GW4, $GW6" \
		"garden = $GARDEN4/32:443" "$@"
}

# adv_bed LETTER: test bed, upstream hosts, daemon, craft server, capture.
adv_bed() {
	t_require_root
	tb_up "$1"
	[ -e "$NS_GW" ] || { t_fail "test bed comes up"; t_summary; exit 1; }
	if [ -n "$ADV_OBJ" ]; then
		in_gw ip -force link set dev "$IF_GW" xdp obj "$ADV_OBJ" sec xdp ||
			{ t_fail "attach $ADV_OBJ"; t_summary; exit 1; }
	fi
	local a
	for a in $RES4 $FOREIGN4 $GARDEN4; do in_up ip addr add $a/24 dev "$IF_UP"; done
	for a in $RES6 $FOREIGN6; do in_up ip -6 addr add $a/64 dev "$IF_UP" nodad; done
	[ -f "$T_TMP/gate511.conf" ] || adv_conf
	daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
	craft_start
	up_cap_start
}

# ---- craft.py, one process for the whole script (scapy loads once) ----
craft_start() {
	coproc CRAFT { exec nsenter --net="$NS_CL" /usr/bin/python3 "$ADV_DIR/craft.py" \
		serve "$IF_CL" 2>>"$T_TMP/craft.log"; }
	T_PIDS+=("$CRAFT_PID")
	local line=""
	IFS= read -r -t 30 line <&"${CRAFT[0]}"
	[ "$line" = ready ] || { t_fail "craft.py starts" "$(tail -3 "$T_TMP/craft.log")"; t_summary; exit 1; }
}
# craft VERB NAME [key=value...]: one command; the answer in $CRAFT_OUT.
craft() {
	CRAFT_OUT=""
	echo "$*" >&"${CRAFT[1]}" || { CRAFT_OUT="fail craft.py is gone"; return 1; }
	IFS= read -r -t 60 CRAFT_OUT <&"${CRAFT[0]}" || CRAFT_OUT="fail no answer from craft.py"
	case $CRAFT_OUT in fail*) return 1 ;; esac
	return 0
}
# Frames the gateway sent back during the last `craft send`.
craft_got() { echo "$CRAFT_OUT" | sed -n 's/.* got \([0-9]*\).*/\1/p'; }

# ---- what reaches upstream: one capture for the whole script ----
# Everything arriving on the upstream veth that the gateway did not
# originate itself (its ARP/ND and its own addresses are left out).
UP_FILTER="not arp and not (src host 10.52.0.1 or src host fd52::1) and not (ip6 and src net fe80::/10)"
up_cap_start() {
	UP_PCAP=$T_TMP/upstream.pcap
	bg_ns "$NS_UP" tcpdump -i "$IF_UP" -Q in -n -U --immediate-mode -w "$UP_PCAP" \
		"$UP_FILTER" 2>"$UP_PCAP.log"
	UP_CAP_PID=$LAST_PID
	wait_for 5 grep -q listening "$UP_PCAP.log"
}
up_count() { tcpdump -r "$UP_PCAP" -n 2>/dev/null | wc -l; }
# up_show FROM: packets from line FROM+1 on, for failure details.
up_show() { tcpdump -r "$UP_PCAP" -n 2>/dev/null | tail -n +"$(($1 + 1))" | head -3 | cut -c1-110 | tr '\n' ';'; }

stat_sum() { local s=0 n; for n in "$@"; do s=$((s + $(stat_get "$n"))); done; echo $s; }

# send_case NAME SET EXPECT STAT [key=value...]: send a frame set; EXPECT is
# "none" (nothing reaches upstream) or "some"; the named XDP counter (or
# "-") must go up by at least one frame.
send_case() {
	local name=$1 set=$2 expect=$3 stat=$4; shift 4
	local n0 n1 s0=0 s1=0 why=""
	n0=$(up_count)
	[ "$stat" != - ] && s0=$(stat_get "$stat")
	craft send "$set" "$@" || why="craft: $CRAFT_OUT"
	# craft.py already waited 0.2 s for replies. What must arrive (a frame
	# upstream, a counter) is waited for, bounded; "nothing upstream" gets
	# a short settle, and the capture of the whole script catches a late one.
	if [ "$expect" = some ]; then
		wait_for_ms 2000 eval '[ "$(up_count)" -gt '"$n0"' ]'
	else
		sleep 0.05
	fi
	[ "$stat" != - ] && wait_for_ms 2000 eval '[ "$(stat_get '"$stat"')" -gt '"$s0"' ]'
	n1=$(up_count)
	[ "$stat" != - ] && s1=$(stat_get "$stat")
	if [ -z "$why" ]; then
		if [ "$expect" = none ] && [ "$n1" -ne "$n0" ]; then
			why="$((n1 - n0)) packets reached upstream: $(up_show "$n0")"
		elif [ "$expect" = some ] && [ "$n1" -eq "$n0" ]; then
			why="nothing reached upstream"
		elif [ "$stat" != - ] && [ "$s1" -le "$s0" ]; then
			why="counter $stat did not move ($s0)"
		fi
	fi
	local what="upstream $expect (+$((n1 - n0)))"
	[ "$stat" != - ] && what="$what, $stat +$((s1 - s0))"
	if [ -z "$why" ]; then t_ok "$name: $what"; else t_fail "$name" "$why"; fi
}

# tcp_case NAME CASE: a craft.py exchange with the responder; it judges.
tcp_case() {
	local name=$1; shift
	if craft tcp "$@"; then t_ok "$name: ${CRAFT_OUT#pass }"; else t_fail "$name" "${CRAFT_OUT#fail }"; fi
}

# The daemon is alive and answering its control socket.
daemon_alive() { [ -n "${DAEMON_PID:-}" ] && kill -0 "$DAEMON_PID" 2>/dev/null && ctl status >/dev/null 2>&1; }

adv_summary() { # group name
	echo "group $1: $((T_PASS + T_FAIL + T_SKIP)) cases"
	t_summary
}
