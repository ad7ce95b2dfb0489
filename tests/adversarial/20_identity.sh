#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Adversarial group 2, identity: a client claims to be someone it is not.
# An authorized address from a foreign MAC when the grant is MAC-bound; a
# foreign address from the authorized client's MAC; sources outside the
# client subnet, equal to the gateway, broadcast, 0.0.0.0 or IPv4-mapped;
# a router advertisement from a client. Each has its positive control: the
# legitimate packet does pass, so every "none" can fail.
set -u
. "$(dirname "$0")/lib.sh"

adv_bed i
FOREIGN_MAC=02:51:00:00:00:66

# ---- nothing granted: RA, ND, spoofed sources on the policy paths ----
send_case "RA to all nodes from a client"        ra_mcast   none drop_ra
send_case "RA to an Internet host from a client" ra_unicast none drop_ra src6=fd51::3
send_case "control: NS for the gateway passes"   ns_gw      none pass_nd
check "control: the gateway answered the NS with an NA ($(craft_got))" [ "$(craft_got)" -ge 1 ]
send_case "control: DNS from a client address to the resolver" dns_spoofed some pass_dns src=10.51.0.3
send_case "control: DNS6 from a client address to the resolver" dns6_spoofed some pass_dns src6=fd51::3
send_case "control: DHCP from 0.0.0.0 to broadcast passes" dhcp_bcast none pass_dhcp
# DNS is allowed to the resolvers, but only for clients: a spoofed source
# turns the resolver into a reflector aimed at a third party. Found by this
# suite (off-subnet and subnet-broadcast sources reached the resolver);
# fixed by g511_config.client_nets, which gate511d fills from the
# interface's prefixes (client_nets = auto).
send_case "DNS from 192.0.2.7 (outside the client subnet)" dns_spoofed none drop_src src=192.0.2.7
send_case "DNS from the gateway's address"     dns_spoofed none drop_src src=$GW4
send_case "DNS from the subnet broadcast"      dns_spoofed none drop_src src=10.51.0.255
send_case "DNS from 255.255.255.255"           dns_spoofed none drop_src src=255.255.255.255
send_case "DNS from 0.0.0.0"                   dns_spoofed none drop_src src=0.0.0.0
send_case "DNS6 from fd99::7 (outside the client prefix)" dns6_spoofed none drop_src src6=fd99::7
send_case "DNS6 from the gateway's address"    dns6_spoofed none drop_src src6=$GW6

# ---- an address grant: only that address, from any MAC ----
ctl allow $CL4 >/dev/null && ctl allow $CL6 >/dev/null || t_fail "allow $CL4 $CL6"
send_case "control: granted $CL4 passes"       syn  some pass_client src=$CL4
send_case "control: granted $CL6 passes"       syn6 some pass_client src6=$CL6
send_case "granted client's MAC, source 10.51.0.77" syn none drop_unauth src=10.51.0.77
send_case "granted client's MAC, source fd51::77"   syn6 none drop_unauth src6=fd51::77
check "an address grant makes no MAC grant" \
	[ "$(bpftool -j map dump pinned $PIN_DIR/g511_macs | jq length)" = 0 ]
send_case "IPv6 from ::ffff:$CL4 (the IPv4 grant's key)" mapped6 none drop_src src=$CL4
send_case "SYN from 192.0.2.7"          syn none drop_src src=192.0.2.7
send_case "SYN from the gateway's address" syn none drop_src src=$GW4
send_case "SYN from the subnet broadcast" syn none drop_src src=10.51.0.255
send_case "SYN from 255.255.255.255"    syn none drop_src src=255.255.255.255
send_case "SYN from 0.0.0.0"            syn none drop_src src=0.0.0.0
send_case "SYN6 from fd99::7"           syn6 none drop_src src6=fd99::7

# ---- MAC-bound grants: the address only from that MAC ----
ctl allow $CL4 --mac $CL_MAC >/dev/null && ctl allow $CL6 --mac $CL_MAC >/dev/null ||
	t_fail "allow --mac $CL_MAC"
send_case "control: MAC-bound $CL4 from its MAC" syn some pass_client src=$CL4
send_case "MAC-bound $CL4 from $FOREIGN_MAC" syn none ev_mac_mismatch src=$CL4 smac=$FOREIGN_MAC
send_case "control: MAC-bound $CL6 from its MAC" syn6 some pass_client src6=$CL6
send_case "MAC-bound $CL6 from $FOREIGN_MAC" syn6 none ev_mac_mismatch src6=$CL6 smac=$FOREIGN_MAC
send_case "MAC-bound $CL4 from $FOREIGN_MAC: its DNS is still only DNS" dns_foreign none drop_dns \
	src=$CL4 smac=$FOREIGN_MAC

# ---- a MAC grant: that device, any address (by design); nobody else ----
ctl allow $DEV_MAC >/dev/null || t_fail "allow $DEV_MAC"
send_case "control: MAC-trusted device, any address" syn some pass_mac src=10.51.0.99 smac=$DEV_MAC
send_case "the same address from the client's MAC" syn none drop_unauth src=10.51.0.99

check "daemon alive after the group" daemon_alive
adv_summary identity
