#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# gen_vectors.py - writes the input frames of the XDP table test
# (tests/xdp/xdp_table.c) as tests/xdp/vectors/<case>.pcap and, for the cases
# answered with XDP_TX, the exact expected reply as <case>.out.pcap.
#
# Everything is fixed (MACs, addresses, ports, sequence numbers, pcap
# timestamps), so running this twice gives identical files; the output is
# committed. Expected replies are built field by field from the spec of the
# HTTPS RST, not by running any code from bpf/. Truncated frames are cut from
# the encoded bytes, and scapy never pads, so a short frame stays short.
#
# Usage: tests/xdp/gen_vectors.py [OUTDIR]   (default: vectors/ next to it)

import os
import struct
import sys

from scapy.all import (ARP, BOOTP, DHCP, DHCP6_Solicit, Dot1AD, Dot1Q, Ether,
                       ICMP, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                       ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr, IP,
                       IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw, TCP, UDP)

# Keep in step with the addresses in xdp_table.c.
CLIENT_MAC = "02:00:00:00:00:01"	# the client (grants, bound MAC)
DEVICE_MAC = "02:00:00:00:00:42"	# a device trusted by MAC (g511_macs)
GW_MAC = "02:00:00:00:00:fe"		# the gateway's client-facing NIC

CLIENT4 = "10.5.0.10"
DEVICE4 = "10.5.0.42"
GW4 = "10.5.0.1"			# config.local_addrs[0]
RESOLVER4 = "10.5.0.53"			# config.resolvers[0]
FOREIGN_DNS4 = "203.0.113.53"
SERVER4 = "198.51.100.7"		# somewhere on the Internet
GARDEN_ALL4 = "192.0.2.80"		# in 192.0.2.0/24, every port
GARDEN_PORTS4 = "198.18.0.5"		# in 198.18.0.0/24, ports 443, 8443

CLIENT6 = "2001:db8:5::10"
CLIENT6_LL = "fe80::1"
GW6 = "2001:db8:5::1"			# config.local_addrs[1]
GW6_LL = "fe80::fe"
RESOLVER6 = "2001:db8:5::53"		# config.resolvers[1]
SERVER6 = "2001:db8:ff::7"
GARDEN6 = "2001:db8:9a:1::5"		# in 2001:db8:9a::/48, every port
OUTSIDE_GARDEN6 = "2001:db8:9b::5"

SPORT = 40000
SEQ = 0x11223344
ACK = 0x55667788

LINKTYPE_ETHERNET = 1


def write_pcap(path, frame):
	"""One-record pcap, fixed timestamp, LINKTYPE_ETHERNET."""
	with open(path, "wb") as f:
		f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535,
				    LINKTYPE_ETHERNET))
		f.write(struct.pack("<IIII", 1700000000, 0, len(frame),
				    len(frame)))
		f.write(frame)


def eth(src=CLIENT_MAC, dst=GW_MAC, **kw):
	return Ether(src=src, dst=dst, **kw)


def down(src=GW_MAC, dst=CLIENT_MAC, **kw):
	"""A download frame: the gateway's NIC to the client (TC egress)."""
	return Ether(src=src, dst=dst, **kw)


def v4(src=CLIENT4, dst=SERVER4, **kw):
	return IP(src=src, dst=dst, id=0x1234, **kw)


def v6(src=CLIENT6, dst=SERVER6, **kw):
	return IPv6(src=src, dst=dst, **kw)


def syn(dport, **kw):
	return TCP(sport=SPORT, dport=dport, seq=SEQ, flags="S", window=64240,
		   options=[("MSS", 1460)], **kw)


def udp(dport, sport=SPORT):
	return UDP(sport=sport, dport=dport)


def echo4():
	return ICMP(type=8, id=0x77, seq=1) / Raw(b"ping-gate511")


def echo6():
	return ICMPv6EchoRequest(id=0x77, seq=1, data=b"ping-gate511")


def dns_query():
	# A fixed query for example.org A; the program only looks at the port.
	return Raw(bytes.fromhex("abcd01000001000000000000076578616d706c65"
				 "036f72670000010001"))


def pad60(frame):
	"""What a NIC hands up for a short frame: padded to 60 bytes."""
	return frame + b"\0" * max(0, 60 - len(frame))


def dstopts(n):
	chain = IPv6ExtHdrDestOpt()
	for _ in range(n - 1):
		chain = chain / IPv6ExtHdrDestOpt()
	return chain


def ipv4_options_http(dport):
	# IHL 6: NOP NOP NOP EOL
	return eth() / IP(src=CLIENT4, dst=SERVER4, id=0x1234,
			  options=[Raw(b"\x01\x01\x01\x00")]) / syn(dport)


# ---- expected HTTPS RST replies, built from the spec ----

def rst_seq_ack(ip_payload_len, tcp):
	"""seq/ack of the RST|ACK answering `tcp` (scapy TCP layer)."""
	flags = int(tcp.flags)
	seg = ip_payload_len - tcp.dataofs * 4
	seq = tcp.ack if flags & 0x10 else 0
	ack = tcp.seq + seg + (1 if flags & 0x02 else 0) + \
		(1 if flags & 0x01 else 0)
	return seq, ack & 0xffffffff


def rst_tcp(tcp, ip_payload_len):
	seq, ack = rst_seq_ack(ip_payload_len, tcp)
	return TCP(sport=tcp.dport, dport=tcp.sport, seq=seq, ack=ack,
		   dataofs=5, reserved=0, flags="RA", window=0, urgptr=0)


def l2_reply(inp):
	"""Ethernet (+ tags exactly as they came) with the MACs swapped."""
	e = inp[Ether]
	out = Ether(src=e.dst, dst=e.src, type=e.type)
	layer = e.payload
	while isinstance(layer, (Dot1Q, Dot1AD)):
		tag = layer.__class__(prio=layer.prio, id=layer.id,
				      vlan=layer.vlan, type=layer.type)
		out = out / tag
		layer = layer.payload
	return out


def expected_rst(frame):
	inp = Ether(frame)
	out = l2_reply(inp)
	if IP in inp:
		ip = inp[IP]
		tcp = ip[TCP]
		out = out / IP(version=4, ihl=5, tos=0, len=40, id=0,
			       flags="DF", frag=0, ttl=64, proto=6,
			       src=ip.dst, dst=ip.src) / \
			rst_tcp(tcp, ip.len - ip.ihl * 4)
	else:
		ip = inp[IPv6]
		tcp = ip[TCP]
		out = out / IPv6(version=6, tc=0, fl=0, plen=20, nh=6, hlim=64,
				 src=ip.dst, dst=ip.src) / \
			rst_tcp(tcp, ip.plen)
	return bytes(out)


# ---- the cases: name -> input frame (bytes); RST_CASES also get .out ----

def cases():
	c = {}

	# authorized sources
	c["auth_v4_client"] = eth() / v4() / echo4()
	c["auth_v6_client"] = eth() / v6() / udp(5000) / Raw(b"x" * 33)
	c["auth_v4_fragment"] = eth() / v4(flags="MF", frag=0) / udp(5000) / \
		Raw(b"f" * 64)
	c["auth_v4_later_fragment"] = eth() / v4(frag=185, proto=17) / \
		Raw(b"g" * 40)
	c["auth_v4_gre"] = eth() / v4(proto=47) / Raw(b"\0\0\x08\0" + b"z" * 20)
	c["auth_v6_fragment"] = eth() / v6() / IPv6ExtHdrFragment(
		id=0x1234, m=1, nh=17) / udp(5000) / Raw(b"q" * 24)
	c["mac_device_icmp"] = eth(src=DEVICE_MAC) / v4(src=DEVICE4) / echo4()
	c["mac_device_pppoe"] = eth(src=DEVICE_MAC, type=0x8864) / \
		Raw(bytes.fromhex("1100000100040021") + b"\0" * 4)
	c["mac_device_expired"] = eth(src=DEVICE_MAC) / v4(src=DEVICE4) / \
		echo4()
	c["grant_expired"] = eth() / v4() / echo4()
	c["grant_idle"] = eth() / v4() / echo4()
	c["grant_idle_fresh"] = eth() / v4() / echo4()
	c["grant_mac_mismatch"] = eth() / v4() / echo4()
	c["grant_mac_match"] = eth() / v4() / echo4()
	c["grant_other_addr"] = eth() / v4(src="10.5.0.11") / echo4()
	c["vlan_policy_drop_authorized"] = eth(type=0x8100) / Dot1Q(
		vlan=7) / v4() / echo4()

	# authorized sources skip the L4 and extension-header rules, not the
	# IP header validation
	c["auth_v4_padded"] = pad60(bytes(eth() / v4() / ICMP(
		type=8, id=0x77, seq=2)))
	c["auth_v4_bad_tcp"] = eth() / v4() / TCP(
		sport=SPORT, dport=80, seq=SEQ, flags="S", dataofs=4) / \
		Raw(b"\0" * 4)
	c["auth_v6_many_exthdrs"] = eth() / v6() / dstopts(9) / syn(443)
	c["auth_v4_totlen_big"] = eth() / v4(len=20 + 8 + 12 + 40) / echo4()

	# ARP, DHCP, ND
	c["arp_padded"] = pad60(bytes(eth(dst="ff:ff:ff:ff:ff:ff") / ARP(
		op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, hwdst="00:00:00:00:00:00",
		pdst=GW4)))
	c["vlan_arp"] = eth(dst="ff:ff:ff:ff:ff:ff", type=0x8100) / Dot1Q(
		vlan=10) / ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, pdst=GW4)
	c["arp_request"] = eth(dst="ff:ff:ff:ff:ff:ff") / ARP(
		op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, hwdst="00:00:00:00:00:00",
		pdst=GW4)
	dhcp = BOOTP(op=1, xid=0x5110511, chaddr=bytes.fromhex("020000000001")) \
		/ DHCP(options=[("message-type", "discover"), "end"])
	c["dhcp4_discover_bcast"] = eth(dst="ff:ff:ff:ff:ff:ff") / v4(
		src="0.0.0.0", dst="255.255.255.255") / udp(67, 68) / dhcp
	c["dhcp4_bcast_from_addr"] = eth(dst="ff:ff:ff:ff:ff:ff") / v4(
		dst="255.255.255.255") / udp(67, 68) / dhcp
	c["dhcp4_request_local"] = eth() / v4(dst=GW4) / udp(67, 68) / dhcp
	c["dhcp4_local_unconfigured"] = eth() / v4(dst=GW4) / udp(67, 68) / dhcp
	c["dhcp4_unicast_foreign"] = eth() / v4() / udp(67, 68) / dhcp
	c["udp67_internet"] = eth() / v4(dst="203.0.113.67") / udp(67) / \
		Raw(b"u" * 20)
	c["dhcp6_solicit"] = eth(dst="33:33:00:01:00:02") / v6(
		src=CLIENT6_LL, dst="ff02::1:2") / udp(547, 546) / \
		DHCP6_Solicit(trid=0x511)
	c["dhcp6_wrong_sport"] = eth(dst="33:33:00:01:00:02") / v6(
		src=CLIENT6_LL, dst="ff02::1:2") / udp(547, 5555) / \
		DHCP6_Solicit(trid=0x513)
	c["dhcp6_to_local"] = eth() / v6(dst=GW6) / udp(547, 546) / \
		DHCP6_Solicit(trid=0x512)
	c["nd_rs"] = eth(dst="33:33:00:00:00:02") / v6(
		src=CLIENT6_LL, dst="ff02::2", hlim=255) / ICMPv6ND_RS() / \
		ICMPv6NDOptSrcLLAddr(lladdr=CLIENT_MAC)
	c["nd_ns"] = eth(dst="33:33:ff:00:00:01") / v6(
		dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt=GW6) / \
		ICMPv6NDOptSrcLLAddr(lladdr=CLIENT_MAC)
	c["nd_na"] = eth() / v6(src=CLIENT6_LL, dst=GW6_LL, hlim=255) / \
		ICMPv6ND_NA(tgt=CLIENT6_LL, R=0, S=1, O=1)
	c["nd_ra_drop"] = eth(dst="33:33:00:00:00:01") / v6(
		src=CLIENT6_LL, dst="ff02::1", hlim=255) / ICMPv6ND_RA()
	c["nd_ns_hlim64"] = eth(dst="33:33:ff:00:00:01") / v6(
		dst="ff02::1:ff00:1", hlim=64) / ICMPv6ND_NS(tgt=GW6)
	# hop limit 255 but to a global address off the link: the kernel
	# would forward it (ND as a tunnel)
	c["nd_ns_offlink"] = eth() / v6(dst=SERVER6, hlim=255) / \
		ICMPv6ND_NS(tgt=SERVER6)
	c["icmp6_echo"] = eth() / v6() / echo6()

	# DNS
	c["dns_v4_resolver"] = eth() / v4(dst=RESOLVER4) / udp(53) / dns_query()
	c["dns_v6_resolver"] = eth() / v6(dst=RESOLVER6) / udp(53) / dns_query()
	c["dns_v4_foreign"] = eth() / v4(dst=FOREIGN_DNS4) / udp(53) / \
		dns_query()
	c["dns_no_resolvers"] = eth() / v4(dst=RESOLVER4) / udp(53) / \
		dns_query()
	c["dns_policy_any"] = eth() / v4(dst=FOREIGN_DNS4) / udp(53) / \
		dns_query()
	c["dns_policy_none"] = eth() / v4(dst=RESOLVER4) / udp(53) / dns_query()
	c["dns_resolver_last_slot"] = eth() / v4(dst="10.5.0.56") / udp(53) / \
		dns_query()
	c["dns_tcp_foreign"] = eth() / v4(dst=FOREIGN_DNS4) / syn(53)
	c["dns_tcp_resolver"] = eth() / v4(dst=RESOLVER4) / syn(53)

	# walled garden
	c["garden_all_ports"] = eth() / v4(dst=GARDEN_ALL4) / echo4()
	c["garden_port_match"] = eth() / v4(dst=GARDEN_PORTS4) / syn(8443)
	c["garden_https_port"] = eth() / v4(dst=GARDEN_PORTS4) / syn(443)
	c["garden_udp_port_match"] = eth() / v4(dst=GARDEN_PORTS4) / udp(443)
	c["garden_port_mismatch_icmp"] = eth() / v4(dst=GARDEN_PORTS4) / echo4()
	c["garden_port_mismatch_http"] = eth() / v4(dst=GARDEN_PORTS4) / syn(80)
	c["garden_last_port_slot"] = eth() / v4(dst="198.18.1.9") / syn(995)
	c["garden_v4_outside"] = eth() / v4(dst="192.0.3.80") / echo4()
	c["garden_v6_prefix"] = eth() / v6(dst=GARDEN6) / udp(9999) / \
		Raw(b"w" * 8)
	c["garden_v6_outside"] = eth() / v6(dst=OUTSIDE_GARDEN6) / udp(9999) / \
		Raw(b"w" * 8)

	# the RFC 8908 API (config.capport_*: GW4 or GW6, TCP 443)
	c["capport_v4"] = eth() / v4(dst=GW4) / syn(443)
	c["capport_v4_off"] = eth() / v4(dst=GW4) / syn(443)
	c["capport_v4_other_port"] = eth() / v4(dst=GW4) / syn(8443)
	c["capport_v4_udp"] = eth() / v4(dst=GW4) / udp(443)
	c["capport_v4_other_addr"] = eth() / v4(dst=SERVER4) / syn(443)
	c["capport_v4_fragment"] = eth() / v4(dst=GW4, flags="MF", frag=0) / syn(443)
	c["capport_v6"] = eth() / v6(dst=GW6) / syn(443)
	c["capport_v6_wrong_family"] = eth() / v6(dst=GW6) / syn(443)
	c["capport_v4_in_client_nets"] = eth() / v4(dst=GW4) / syn(443)
	c["capport_v4_spoofed_src"] = eth() / v4(src="192.0.2.99", dst=GW4) / syn(443)
	c["capport_v4_gateway_src"] = eth() / v4(src=GW4, dst=GW4) / syn(443)

	# redirect
	c["http_v4"] = eth() / v4() / syn(80)
	c["http_v6"] = eth() / v6() / syn(80)
	c["redirect_port_8080"] = eth() / v4() / syn(8080)
	c["redirect_port_last_slot"] = eth() / v4() / syn(8888)
	c["http_v4_padded"] = pad60(bytes(eth() / v4() / TCP(
		sport=SPORT, dport=80, seq=SEQ, flags="S")))
	c["redirect_custom_not_80"] = eth() / v4() / syn(80)

	# HTTPS
	c["https_v4_syn_rst"] = pad60(bytes(eth() / v4() / syn(443)))
	c["https_v6_syn_rst"] = eth() / v6(tc=0x28, fl=0xabcde) / TCP(
		sport=SPORT, dport=443, seq=SEQ, flags="SE", window=64800,
		options=[("MSS", 1440), ("SAckOK", b""),
			 ("Timestamp", (1, 0)), ("WScale", 7)])
	c["https_vlan_rst"] = pad60(bytes(eth(type=0x8100) / Dot1Q(
		prio=5, id=0, vlan=100) / v4() / syn(443)))
	c["https_qinq_v6_rst"] = eth(type=0x88a8) / Dot1AD(vlan=300) / \
		Dot1Q(prio=3, vlan=42) / v6() / syn(443)
	c["https_v4_payload_ack"] = eth() / v4(tos=0x10, ttl=61) / TCP(
		sport=SPORT, dport=443, seq=SEQ, ack=ACK, flags="PA",
		window=502) / Raw(b"\x16\x03\x01" + b"h" * 97)
	c["https_v4_fin_ack"] = eth() / v4() / TCP(
		sport=SPORT, dport=443, seq=0xfffffffa, ack=ACK, flags="FPA",
		window=502, urgptr=0) / Raw(b"e" * 10)
	c["https_v4_pure_ack"] = pad60(bytes(eth() / v4() / TCP(
		sport=SPORT, dport=443, seq=0xffffffff, ack=ACK, flags="A")))
	c["https_v4_options_drop"] = ipv4_options_http(443)
	c["https_rst_in"] = eth() / v4() / TCP(sport=SPORT, dport=443, seq=SEQ,
					      flags="R", window=0)
	c["https_rstack_in"] = eth() / v4() / TCP(sport=SPORT, dport=443,
						 seq=SEQ, ack=ACK, flags="RA")
	c["https_action_drop"] = eth() / v4() / syn(443)
	c["https_v6_exthdr_drop"] = eth() / v6() / IPv6ExtHdrDestOpt() / syn(443)

	# everything else unauthenticated
	c["quic_udp443"] = eth() / v4() / udp(443) / Raw(b"\xc0" + b"Q" * 40)
	c["icmp_echo_v4"] = eth() / v4() / echo4()
	c["tcp_ssh_v4"] = eth() / v4() / syn(22)
	c["gre_unauth"] = eth() / v4(proto=47) / Raw(b"\0\0\x08\0" + b"z" * 20)
	c["frag_v4_first"] = eth() / v4(flags="MF") / syn(80) / Raw(b"a" * 32)
	c["frag_v4_later"] = eth() / v4(frag=185, proto=6) / Raw(b"b" * 40)
	c["frag_v6"] = eth() / v6() / IPv6ExtHdrFragment(id=0x99, m=1) / syn(80)
	c["frag_v6_after_dstopts"] = eth() / v6() / IPv6ExtHdrDestOpt() / \
		IPv6ExtHdrFragment(id=0x9a, offset=10) / Raw(b"c" * 24)
	c["exthdr_8_dstopts_http"] = eth() / v6() / dstopts(8) / syn(80)
	c["exthdr_9_dstopts_https"] = eth() / v6() / dstopts(9) / syn(443)
	c["exthdr_hbh_routing_ssh"] = eth() / v6() / IPv6ExtHdrHopByHop() / \
		IPv6ExtHdrRouting(type=2, segleft=0, addresses=[SERVER6]) / syn(22)
	c["esp_v6"] = eth() / v6(nh=50) / Raw(bytes.fromhex("0000100100000001")
					     + b"s" * 32)
	c["ah_v6"] = eth() / v6(nh=51) / Raw(bytes.fromhex(
		"06040000000010010000000100000000000000000000000000000000"))
	c["no_next_v6"] = eth() / v6(nh=59)
	c["vlan_one_http"] = eth(type=0x8100) / Dot1Q(vlan=10) / v4() / syn(80)
	c["vlan_two_http"] = eth(type=0x88a8) / Dot1AD(vlan=20) / \
		Dot1Q(vlan=10) / v4() / syn(80)
	c["vlan_9100_http"] = eth(type=0x9100) / Dot1Q(vlan=30) / v4() / syn(80)
	c["vlan_three_tags"] = eth(type=0x88a8) / Dot1AD(vlan=20) / \
		Dot1Q(vlan=10, type=0x8100) / Dot1Q(vlan=5) / v4() / syn(80)
	c["vlan_policy_drop"] = eth(type=0x8100) / Dot1Q(vlan=10) / v4() / \
		syn(80)
	c["vlan_policy_drop_untagged_http"] = eth() / v4() / syn(80)
	c["pppoe_drop"] = eth(type=0x8864) / Raw(bytes.fromhex("1100000100040021")
						 + b"\0" * 4)
	c["mpls_drop"] = eth(type=0x8847) / Raw(bytes.fromhex("000101ff")) / \
		v4() / syn(80)
	c["ipv4_options_http"] = ipv4_options_http(80)

	# malformed and truncated
	c["ipv4_ihl4"] = eth() / v4(ihl=4) / Raw(b"\0" * 40)
	c["ipv4_version6_in_v4"] = eth() / v4(version=6) / syn(80)
	c["ipv4_totlen_big"] = eth() / v4(len=20 + 24 + 20) / syn(80)
	c["ipv4_totlen_lt_ihl"] = eth() / v4(len=16) / syn(80)
	c["ipv6_plen_big"] = eth() / v6(plen=24 + 20) / syn(80)
	c["tcp_doff4"] = eth() / v4() / TCP(sport=SPORT, dport=80, seq=SEQ,
					   flags="S", dataofs=4) / Raw(b"\0" * 4)
	c["tcp_doff_beyond"] = eth() / v4() / TCP(sport=SPORT, dport=80, seq=SEQ,
						 flags="S", dataofs=15)
	c["tcp_doff_beyond_v6"] = eth() / v6() / TCP(
		sport=SPORT, dport=443, seq=SEQ, flags="S", dataofs=8)
	c["trunc_eth13"] = bytes(eth() / v4() / syn(80))[:13]
	c["trunc_eth_type_only"] = bytes(eth(type=0x0800))[:14]
	c["trunc_vlan_tag"] = bytes(eth(type=0x8100) / Dot1Q(vlan=10) /
				    v4() / syn(80))[:16]
	c["trunc_second_vlan_tag"] = bytes(eth(type=0x88a8) / Dot1AD(vlan=20) /
					   Dot1Q(vlan=10) / v4() / syn(80))[:20]
	c["trunc_ipv4_hdr"] = bytes(eth() / v4() / syn(80))[:14 + 19]
	c["trunc_ipv4_options"] = bytes(ipv4_options_http(80))[:14 + 22]
	c["trunc_ipv6_hdr"] = bytes(eth() / v6() / syn(80))[:14 + 39]
	c["trunc_tcp_hdr"] = eth() / v4(proto=6) / Raw(bytes(syn(80))[:19])
	c["trunc_tcp_hdr_v6"] = eth() / v6(nh=6) / Raw(bytes(syn(443))[:10])
	c["trunc_udp_hdr"] = eth() / v4(proto=17) / Raw(bytes(udp(53))[:7])
	c["trunc_icmp"] = eth() / v4(proto=1) / Raw(b"\x08\x00\x00")
	c["trunc_icmp6"] = eth() / v6(nh=58) / Raw(b"\x80\x00\x00")
	c["trunc_exthdr"] = eth() / v6(nh=60) / Raw(b"\x06\x00\x01\x04")
	c["trunc_exthdr_len"] = eth() / v6(nh=60) / Raw(
		b"\x06\x01\x01\x04\0\0\0\0")

	# bad sources
	c["src_zero_nondhcp"] = eth() / v4(src="0.0.0.0") / syn(80)
	c["src_zero_udp_not_dhcp"] = eth(dst="ff:ff:ff:ff:ff:ff") / v4(
		src="0.0.0.0", dst="255.255.255.255") / udp(67, 5555) / \
		Raw(b"n" * 20)
	c["src_multicast_v4"] = eth() / v4(src="224.0.0.5") / syn(80)
	c["src_multicast_v6"] = eth() / v6(src="ff02::1") / syn(80)
	c["src_unspec_v6"] = eth() / v6(src="::") / syn(80)
	# the key of CLIENT4's grant as an IPv6 source (never on the wire)
	c["src_v4mapped_v6"] = eth() / v6(src="::ffff:" + CLIENT4) / echo6()
	# the gateway's own addresses as the source of DNS to the resolvers
	c["src_gateway_dns_v4"] = eth() / v4(src=GW4, dst=RESOLVER4) / \
		udp(53) / dns_query()
	c["src_gateway_dns_v6"] = eth() / v6(src=GW6, dst=RESOLVER6) / \
		udp(53) / dns_query()

	# client prefixes (10.5.0.0/24, 2001:db8:5::/64 in the test config)
	c["cnet_dns_inside_v4"] = eth() / v4(dst=RESOLVER4) / udp(53) / dns_query()
	c["cnet_dns_inside_v6"] = eth() / v6(dst=RESOLVER6) / udp(53) / dns_query()
	c["cnet_dns_outside_v4"] = eth() / v4(src="192.0.2.7", dst=RESOLVER4) / \
		udp(53) / dns_query()
	c["cnet_dns_outside_v6"] = eth() / v6(src="2001:db8:99::7", dst=RESOLVER6) / \
		udp(53) / dns_query()
	c["cnet_dns_subnet_bcast"] = eth() / v4(src="10.5.0.255", dst=RESOLVER4) / \
		udp(53) / dns_query()
	c["cnet_http_outside_v4"] = eth() / v4(src="192.0.2.7") / syn(80)
	c["cnet_dhcp_zero_src"] = eth(dst="ff:ff:ff:ff:ff:ff") / v4(
		src="0.0.0.0", dst="255.255.255.255") / udp(67, 68) / Raw(b"d" * 240)
	c["cnet_dns_linklocal_v6"] = eth() / v6(src="fe80::10", dst=RESOLVER6) / \
		udp(53) / dns_query()
	c["cnet_dns_outside_no_nets"] = eth() / v4(src="192.0.2.7", dst=RESOLVER4) / \
		udp(53) / dns_query()

	# byte quotas in XDP (the grant's counters set by the table)
	c["quota_last_byte"] = eth() / v4() / echo4()
	c["quota_used_up"] = eth() / v4() / echo4()
	c["quota_used_up_http"] = eth() / v4() / syn(80)
	c["quota_used_by_download"] = eth() / v4() / echo4()
	c["quota_mac_used_up"] = eth(src=DEVICE_MAC) / v4(src=DEVICE4) / echo4()

	# TC egress: download frames, gateway to client (tc_* cases)
	c["tc_down_v4"] = down() / v4(src=SERVER4, dst=CLIENT4) / \
		TCP(sport=80, dport=SPORT, seq=SEQ, ack=ACK, flags="A") / Raw(b"d" * 100)
	c["tc_down_v6"] = down() / v6(src=SERVER6, dst=CLIENT6) / \
		UDP(sport=443, dport=SPORT) / Raw(b"e" * 77)
	c["tc_down_vlan"] = down(type=0x8100) / Dot1Q(vlan=7) / \
		v4(src=SERVER4, dst=CLIENT4) / UDP(sport=443, dport=SPORT) / Raw(b"v" * 50)
	c["tc_down_mac"] = down(dst=DEVICE_MAC) / v4(src=SERVER4, dst=DEVICE4) / \
		UDP(sport=443, dport=SPORT) / Raw(b"m" * 60)
	c["tc_down_mac_pppoe"] = down(dst=DEVICE_MAC, type=0x8864) / \
		Raw(bytes.fromhex("1100000100040021") + b"\0" * 4)
	c["tc_down_unauth"] = down() / v4(src=SERVER4, dst=CLIENT4) / \
		TCP(sport=80, dport=SPORT, flags="A") / Raw(b"u" * 20)
	c["tc_down_unauth_v6"] = down() / v6(src=SERVER6, dst=CLIENT6) / \
		UDP(sport=443, dport=SPORT) / Raw(b"u" * 20)
	c["tc_arp_reply"] = down() / ARP(op=2, hwsrc=GW_MAC, psrc=GW4,
					 hwdst=CLIENT_MAC, pdst=CLIENT4)
	c["tc_broadcast_dhcp"] = down(dst="ff:ff:ff:ff:ff:ff") / v4(
		src=GW4, dst="255.255.255.255") / udp(68, 67) / Raw(b"o" * 240)
	c["tc_gso_v4"] = down() / v4(src=SERVER4, dst=CLIENT4) / \
		TCP(sport=80, dport=SPORT, seq=SEQ, ack=ACK, flags="A",
		    options=[("NOP", None), ("NOP", None),
			     ("Timestamp", (1, 2))]) / Raw(b"g" * 600)
	c["tc_quota_last_byte"] = c["tc_down_v4"]
	c["tc_quota_used_up"] = c["tc_down_v4"]
	c["tc_quota_used_by_upload"] = c["tc_down_v4"]
	c["tc_quota_mac"] = c["tc_down_mac"]
	c["tc_quota_dns"] = down() / v4(src=RESOLVER4, dst=CLIENT4) / \
		UDP(sport=53, dport=SPORT) / Raw(b"a" * 40)
	c["tc_quota_dns_v6"] = down() / v6(src=RESOLVER6, dst=CLIENT6) / \
		UDP(sport=53, dport=SPORT) / Raw(b"a" * 40)
	c["tc_quota_dns_foreign"] = down() / v4(src=FOREIGN_DNS4, dst=CLIENT4) / \
		UDP(sport=53, dport=SPORT) / Raw(b"a" * 40)
	c["tc_quota_dhcp"] = down() / v4(src="10.5.0.2", dst=CLIENT4) / \
		udp(68, 67) / Raw(b"o" * 240)
	c["tc_quota_gateway"] = down() / v4(src=GW4, dst=CLIENT4) / \
		TCP(sport=8080, dport=SPORT, flags="A") / Raw(b"p" * 30)
	c["tc_quota_nd"] = down() / v6(src=GW6_LL, dst=CLIENT6, hlim=255) / \
		ICMPv6ND_NA(tgt=GW6_LL, R=1, S=1)
	c["tc_quota_garden"] = down() / v4(src=GARDEN_ALL4, dst=CLIENT4) / \
		TCP(sport=443, dport=SPORT, flags="A") / Raw(b"p" * 30)
	c["tc_quota_garden_port"] = down() / v4(src=GARDEN_PORTS4, dst=CLIENT4) / \
		TCP(sport=443, dport=SPORT, flags="A") / Raw(b"p" * 30)
	c["tc_quota_garden_other_port"] = down() / v4(src=GARDEN_PORTS4, dst=CLIENT4) / \
		TCP(sport=80, dport=SPORT, flags="A") / Raw(b"p" * 30)
	c["tc_quota_later_fragment"] = down() / v4(src=RESOLVER4, dst=CLIENT4,
						   frag=185, proto=17) / Raw(b"g" * 40)
	dns_cases(c)
	return {k: bytes(v) for k, v in c.items()}


# ---- DNS answers for the garden by name (gate511_dns.h), built by hand so
# that every pointer and length is exactly what the case says ----
def dname(name):
	return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"


def dptr(off):
	return struct.pack("!H", 0xc000 | off)


def drr(owner, rtype, ttl, rdata):
	return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def dmsg(qname, rrs, flags=0x8180, qtype=1, qd=1):
	"""A response to qname with the records rrs (already encoded)."""
	return struct.pack("!HHHHHH", 0x4242, flags, qd, len(rrs), 0, 0) + \
		dname(qname) + struct.pack("!HH", qtype, 1) + b"".join(rrs)


A_1 = bytes([198, 51, 100, 1])
Q_END = lambda qname: 12 + len(dname(qname)) + 4	# first answer's offset


def dns_cases(c):
	def ans4(payload, src=RESOLVER4, sport=53, **kw):
		return down() / v4(src=src, dst=CLIENT4, **kw) / UDP(sport=sport, dport=SPORT) / \
			Raw(payload)
	c["tc_dns_a"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 300, A_1)]))
	c["tc_dns_aaaa"] = down() / v6(src=RESOLVER6, dst=CLIENT6) / \
		UDP(sport=53, dport=SPORT) / Raw(dmsg("example.com", [drr(dptr(12), 28, 300,
			bytes.fromhex("20010db8009900000000000000000001"))], qtype=28))
	# alias.other.test (no garden name) CNAME www.wild.example (*.wild.example)
	q = "alias.other.test"
	cname_off = Q_END(q) + 12	# the CNAME's rdata
	c["tc_dns_cname"] = ans4(dmsg(q, [drr(dptr(12), 5, 300, dname("www.wild.example")),
					  drr(dptr(cname_off), 1, 300, bytes([198, 51, 100, 3]))]))
	# a CNAME whose owner is not in the chain teaches nothing
	c["tc_dns_cname_unchained"] = ans4(dmsg(q, [
		drr(dname("other.test"), 5, 300, dname("www.wild.example")),
		drr(dname("www.wild.example"), 1, 300, bytes([198, 51, 100, 4]))]))
	# owner: "www" then a pointer to "wild.example" inside the question
	q = "www.wild.example"
	c["tc_dns_compress"] = ans4(dmsg(q, [drr(b"\x03WWW" + dptr(16), 1, 300,
					      bytes([198, 51, 100, 5]))]))
	c["tc_dns_ptr_loop"] = ans4(dmsg("example.com", [drr(dptr(Q_END("example.com")), 1, 300,
							    A_1)]))
	c["tc_dns_ptr_forward"] = ans4(dmsg("example.com", [drr(dptr(200), 1, 300, A_1)]) +
				       b"\0" * 200)
	c["tc_dns_truncated"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 300, A_1)])[:-2])
	c["tc_dns_tc_bit"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 300, A_1)],
				       flags=0x8380))
	c["tc_dns_two_questions"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 300, A_1)], qd=2))
	c["tc_dns_oversized"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 300, A_1)]) +
				     b"\0" * 2100)
	c["tc_dns_wrong_source"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 300, A_1)]),
					src="10.5.0.99")
	c["tc_dns_wrong_port"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 300, A_1)]),
				      sport=5353)
	c["tc_dns_fragment"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 300, A_1)]),
				    flags="MF")
	c["tc_dns_tcp"] = down() / v4(src=RESOLVER4, dst=CLIENT4) / \
		TCP(sport=53, dport=SPORT, flags="PA") / \
		Raw(b"\0\x2b" + dmsg("example.com", [drr(dptr(12), 1, 300, A_1)]))
	c["tc_dns_apex"] = ans4(dmsg("wild.example", [drr(dptr(12), 1, 300, A_1)]))
	c["tc_dns_badsuffix"] = ans4(dmsg("badexample.com", [drr(dptr(12), 1, 300, A_1)]))
	c["tc_dns_ttl_min"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 1, A_1)]))
	c["tc_dns_ttl_max"] = ans4(dmsg("example.com", [drr(dptr(12), 1, 0xffffffff, A_1)]))
	# the question's name cannot match (ev_tc_dns_long once); the record's
	# owner is another name, out of the chain
	c["tc_dns_long_name"] = ans4(dmsg(".".join(["a" * 60] * 3) + ".example.com",
					  [drr(dname("x.test"), 1, 300, A_1)]))
	c["tc_dns_hairpin"] = c["tc_dns_a"]	# run with ingress_ifindex == ifindex
	# XDP: to an address learned from DNS (g511_garden_dns)
	c["gdns_pass"] = eth() / v4(dst=SERVER4) / syn(8443)
	c["gdns_expired"] = eth() / v4(dst=SERVER4) / syn(8443)
	c["gdns_port_match"] = eth() / v4(dst=SERVER4) / syn(8443)
	c["gdns_port_mismatch"] = eth() / v4(dst=SERVER4) / syn(8444)
	# a client forging a resolver's answer (to another client)
	c["dns_answer_from_client"] = eth() / v4(src=RESOLVER4, dst="10.5.0.11") / \
		UDP(sport=53, dport=SPORT) / Raw(dmsg("example.com", [drr(dptr(12), 1, 300, A_1)]))
	c["tc_dns_many_rrs"] = ans4(dmsg("example.com", [drr(dptr(12), 16, 300, b"\x03abc")] * 40 +
					 [drr(dptr(12), 1, 300, A_1)]))


RST_CASES = ("https_v4_syn_rst", "https_v6_syn_rst", "https_vlan_rst",
	     "https_qinq_v6_rst", "https_v4_payload_ack", "https_v4_fin_ack",
	     "https_v4_pure_ack", "capport_v4_off", "capport_v4_other_addr",
	     "capport_v6_wrong_family")


def main():
	out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
		os.path.dirname(os.path.abspath(__file__)), "vectors")
	os.makedirs(out, exist_ok=True)
	for name in os.listdir(out):
		if name.endswith(".pcap"):
			os.unlink(os.path.join(out, name))
	all_cases = cases()
	for name, frame in sorted(all_cases.items()):
		write_pcap(os.path.join(out, name + ".pcap"), frame)
	for name in RST_CASES:
		write_pcap(os.path.join(out, name + ".out.pcap"),
			   expected_rst(all_cases[name]))
	print("wrote %d input and %d output frames to %s" %
	      (len(all_cases), len(RST_CASES), out))


if __name__ == "__main__":
	main()
