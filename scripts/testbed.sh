#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# gate511 test bed: three network namespaces joined by veth.
#
#   ${P}cl (client)            ${P}gw (gateway, forwards)            ${P}up (upstream)
#   ${P}c0 10.51.0.2/24  ===  ${P}g0 10.51.0.1 | ${P}g1 10.52.0.1  ===  ${P}u0 10.52.0.2/24
#          fd51::2/64             fd51::1/64  |        fd52::1/64          fd52::2/64
#
# gate511 sits on ${P}g0, the gateway's client-facing veth. The client veth
# gets a pass-all XDP program so frames the gateway sends with XDP_TX or
# AF_XDP reach the client stack, and TX checksum offload off so captures on
# it show real checksums.
#
# Usage: testbed.sh up|down [PREFIX]   (PREFIX <= 6 chars, default g511)
#        env XDP=iplink (default) | none   how gate511 is attached on up
# Namespaces and links are named after PREFIX; `down` removes only those,
# and the pinned g511_* maps when this test bed made them.
set -eu
cd "$(dirname "$0")/.."

cmd=${1:-}
P=${2:-${G511_TB:-g511}}
XDP=${XDP:-iplink}
PIN_DIR=/sys/fs/bpf/tc/globals
[ ${#P} -le 6 ] || { echo "testbed: prefix '$P' longer than 6 chars" >&2; exit 1; }

NS_CL=${P}cl NS_GW=${P}gw NS_UP=${P}up
in_ns() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" "$@"; }

up() {
	for ns in $NS_CL $NS_GW $NS_UP; do
		if [ -e /run/netns/$ns ]; then
			echo "testbed: namespace $ns exists; run '$0 down $P' first" >&2
			exit 1
		fi
	done
	mount | grep -q ' /sys/fs/bpf type bpf' || mount -t bpf bpf /sys/fs/bpf
	if [ "$XDP" = iplink ] && ls $PIN_DIR/g511_* >/dev/null 2>&1; then
		echo "testbed: pinned g511_* maps already exist in $PIN_DIR;" \
		     "another gate511 runs here, not touching it" >&2
		exit 1
	fi
	trap 'down >/dev/null 2>&1' ERR
	ip netns add $NS_CL
	ip netns add $NS_GW
	ip netns add $NS_UP
	ip link add ${P}c0 netns $NS_CL type veth peer name ${P}g0 netns $NS_GW
	ip link add ${P}g1 netns $NS_GW type veth peer name ${P}u0 netns $NS_UP

	in_ns $NS_CL sh -c "
		ip link set lo up
		ip link set ${P}c0 address 02:51:00:00:00:02
		ip addr add 10.51.0.2/24 dev ${P}c0
		ip addr add fd51::2/64 dev ${P}c0 nodad
		ip link set ${P}c0 up
		ip route add default via 10.51.0.1
		ip -6 route add default via fd51::1
		ethtool -K ${P}c0 tx off >/dev/null 2>&1 || true"
	in_ns $NS_GW sh -c "
		ip link set lo up
		ip link set ${P}g0 address 02:51:00:00:00:01
		ip addr add 10.51.0.1/24 dev ${P}g0
		ip addr add fd51::1/64 dev ${P}g0 nodad
		ip addr add 10.52.0.1/24 dev ${P}g1
		ip addr add fd52::1/64 dev ${P}g1 nodad
		ip link set ${P}g0 up
		ip link set ${P}g1 up
		sysctl -qw net.ipv4.ip_forward=1
		sysctl -qw net.ipv6.conf.all.forwarding=1"
	in_ns $NS_UP sh -c "
		ip link set lo up
		ip addr add 10.52.0.2/24 dev ${P}u0
		ip addr add fd52::2/64 dev ${P}u0 nodad
		ip link set ${P}u0 up
		ip route add default via 10.52.0.1
		ip -6 route add default via fd52::1
		ethtool -K ${P}u0 tx off >/dev/null 2>&1 || true"
	# Static neighbours: the tests want verdicts, not ND/ARP timing.
	in_ns $NS_CL ip neigh replace 10.51.0.1 lladdr 02:51:00:00:00:01 dev ${P}c0
	in_ns $NS_CL ip -6 neigh replace fd51::1 lladdr 02:51:00:00:00:01 dev ${P}c0

	in_ns $NS_CL ip link set dev ${P}c0 xdp obj tests/xdp_pass.bpf.o sec xdp
	case $XDP in
	iplink)
		in_ns $NS_GW ip link set dev ${P}g0 xdp obj bpf/gate511.bpf.o sec xdp
		touch /run/netns/.${P}-pins
		;;
	none) ;;
	*) echo "testbed: XDP=$XDP: want iplink or none" >&2; exit 1 ;;
	esac
	trap - ERR
	echo "testbed $P up: client ${P}cl, gateway ${P}gw (gate511 on ${P}g0), upstream ${P}up"
}

down() {
	for ns in $NS_CL $NS_GW $NS_UP; do
		[ -e /run/netns/$ns ] && ip netns del $ns
	done
	if [ -e /run/netns/.${P}-pins ]; then
		rm -f $PIN_DIR/g511_clients $PIN_DIR/g511_macs $PIN_DIR/g511_garden \
		      $PIN_DIR/g511_config $PIN_DIR/g511_stats $PIN_DIR/g511_xsks \
		      $PIN_DIR/g511_gnames $PIN_DIR/g511_garden_dns
		rm -f /run/netns/.${P}-pins
	fi
	return 0
}

case $cmd in
up) up ;;
down) down ;;
*) echo "usage: $0 up|down [PREFIX]" >&2; exit 1 ;;
esac
