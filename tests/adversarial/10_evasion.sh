#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Adversarial group 1, evasion: an unauthenticated client tries to get
# traffic past gate511 by hiding the port (fragments, header chains,
# encapsulations, IP options), by speaking other protocols on port 80, or
# through what policy lets through (DNS, DHCP, ND, ICMP). The verdict is
# what arrives in the upstream namespace (one capture for the whole run)
# plus the XDP counter that names the reason.
#
# Then every set that the gateway would route is sent again from a granted
# source and must arrive: the frames are well-formed and routable, so each
# "none" above is the program's doing and the case can fail.
set -u
. "$(dirname "$0")/lib.sh"

adv_bed v
# a device trusted by MAC, for the non-IP positive controls
ctl allow $DEV_MAC >/dev/null || t_fail "allow $DEV_MAC"

# ---- unauthenticated: nothing but policy reaches upstream ----
send_case frag4_tiny            frag4_tiny            none drop_frag
send_case frag4_tcp_second      frag4_tcp_second      none drop_frag
send_case frag4_overlap_80_22   frag4_overlap_80_22   none drop_frag
send_case frag4_overlap_dns     frag4_overlap_dns     none drop_frag
send_case frag4_later_as_dns    frag4_later_as_dns    none drop_frag
send_case frag6                 frag6                 none drop_frag
send_case frag6_atomic_dns      frag6_atomic_dns      none drop_frag
send_case ext9_dstopts_443      ext9_dstopts_443      none drop_exthdrs
check "ext9_dstopts_443: no RST built over the chain" [ "$(craft_got)" = 0 ]
send_case ext8_dstopts_22       ext8_dstopts_22       none drop_unauth
send_case hbh_rh_22             hbh_rh_22             none drop_unauth
send_case hbh_rh_443            hbh_rh_443            none drop_https
send_case srh_via_gateway       srh_via_gateway       none -
send_case vlan1_22              vlan1_22              none drop_unauth
send_case qinq_22               qinq_22               none drop_unauth
send_case vlan9100_22           vlan9100_22           none drop_unauth
send_case vlan3_22              vlan3_22              none drop_vlan
send_case pppoe_22              pppoe_22              none drop_unauth
send_case mpls_22               mpls_22               none drop_unauth
send_case ipopt_22              ipopt_22              none drop_unauth
send_case ipopt_443             ipopt_443             none drop_https
send_case lsrr_dhcp_local       lsrr_dhcp_local       none pass_dhcp
send_case quic                  quic                  none drop_unauth
send_case dot                   dot                   none drop_unauth
send_case icmp_tunnel           icmp_tunnel           none drop_unauth
send_case nd_tunnel             nd_tunnel             none drop_unauth
send_case dns_foreign           dns_foreign           none drop_dns
send_case udp67_inet            udp67_inet            none drop_unauth
send_case garden_22             garden_22             none drop_unauth
# port 80 is the responder's: other protocols get a RST, CONNECT the page
n0=$(up_count)
tcp_case tls_on_80        tls80
tcp_case tls_on_80_v6     tls80_v6
tcp_case ssh_on_80        ssh80
tcp_case connect_on_80    connect80
tcp_case connect_on_80_v6 connect80_v6
tcp_case ipopt_on_80      ipopt80
sleep 0.2
check "port 80 sessions: nothing reached upstream ($(( $(up_count) - n0 )))" [ "$(up_count)" -eq "$n0" ]

# ---- what policy allows does arrive (the capture sees it) ----
send_case dns_resolver          dns_resolver          some pass_dns
send_case garden_443            garden_443            some pass_garden
send_case dhcp_broadcast        dhcp_bcast            none pass_dhcp

# ---- positive controls: granted, the same frames are routed upstream ----
ctl allow $CL4 >/dev/null && ctl allow $CL6 >/dev/null || t_fail "allow $CL4 $CL6"
for set in frag4_tiny frag4_tcp_second frag4_overlap_80_22 frag4_overlap_dns \
	   frag4_later_as_dns frag6 frag6_atomic_dns ext9_dstopts_443 ext8_dstopts_22 \
	   hbh_rh_22 hbh_rh_443 vlan1_22 qinq_22 ipopt_22 ipopt_443 quic dot \
	   icmp_tunnel nd_tunnel dns_foreign udp67_inet garden_22; do
	send_case "granted $set" "$set" some pass_client
done
# tags the kernel does not strip, or that are over the bound
send_case "granted vlan9100_22 (passed, not routed)" vlan9100_22 none pass_client
send_case "granted vlan3_22 (still over the bound)" vlan3_22 none drop_vlan
send_case "MAC-trusted pppoe_22 (passed)" pppoe_22 none pass_mac smac=$DEV_MAC
send_case "MAC-trusted mpls_22 (passed)" mpls_22 none pass_mac smac=$DEV_MAC

check "daemon alive after the group" daemon_alive
adv_summary evasion
