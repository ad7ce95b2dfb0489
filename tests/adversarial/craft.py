#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""craft.py - hostile frames for tests/adversarial, by name.

Frame sets ("send NAME"): each builds a list of Ethernet frames as an
unauthenticated client would put them on the wire, sends them on the
client veth, and counts what the gateway sends back in a short window.
Exchanges ("tcp NAME"): stateless TCP talks with the responder from an
address the client stack does not own (its kernel would RST our
SYN-ACKs), judged here; the answer line starts with "pass" or "fail".

  craft.py list
  craft.py send IFACE NAME [key=value...]
  craft.py flood IFACE NAME seconds=S [key=value...]   the set, over and over
  craft.py serve IFACE        reads commands on stdin, one answer line each:
        send NAME [key=value...]   -> "sent N got M"
        tcp NAME [key=value...]    -> "pass DETAIL" | "fail DETAIL"
        quit

key=value overrides: src, src6 (source addresses), smac (source MAC),
dst, dport, n (a count), wait (reply window, s). Addresses default to the
test bed's (scripts/testbed.sh) and tests/adversarial/lib.sh's extras;
every loop is bounded by a count and every wait by a deadline.
"""
import os
import random
import select
import socket
import struct
import sys
import time

from scapy.all import (DNS, DNSQR, ICMP, IP, IPv6, PPP, PPPoE, TCP, UDP,
                       Dot1AD, Dot1Q, Ether, ICMPv6EchoRequest, ICMPv6ND_NA,
                       ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
                       ICMPv6NDOptSrcLLAddr, IPOption_LSRR, IPOption_RR,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPv6ExtHdrSegmentRouting, Raw, conf, fragment)
from scapy.contrib.mpls import MPLS

conf.verb = 0

ENV = os.environ.get
GW_MAC = ENV("G511_GW_MAC", "02:51:00:00:00:01")
CL_MAC = ENV("G511_CL_MAC", "02:51:00:00:00:02")
CL4, CL6 = ENV("G511_CL4", "10.51.0.2"), ENV("G511_CL6", "fd51::2")
GW4, GW6 = "10.51.0.1", "fd51::1"
INET4, INET6 = "10.52.0.2", "fd52::2"          # "the Internet"
RES4, RES6 = "10.52.0.53", "fd52::53"          # configured resolvers
FOREIGN4, FOREIGN6 = "10.52.0.99", "fd52::99"  # a resolver not configured
GARDEN4 = "10.52.0.80"                         # walled garden, TCP 443 only
CL_LL = "fe80::51:ff:fe00:2"
TUNNEL = b"\x45\x00\x00\x1cTUNNEL-PAYLOAD-" + bytes(range(32))


class Params(dict):
    """key=value overrides with the defaults above."""

    def __getattr__(self, k):
        return self[k]


def params(args):
    p = Params(src=CL4, src6=CL6, smac=CL_MAC, dst=None, dport=None, n="1",
               wait="0.2", sport=None)
    for a in args:
        k, _, v = a.partition("=")
        p[k] = v
    return p


def eth(p, **kw):
    return Ether(src=p.smac, dst=GW_MAC, **kw)


# ---------------------------------------------------------------- frame sets
# Each: frames(p) -> list of frames. SETS[name] = (builder, one-line doc).

SETS = {}


def frameset(fn):
    SETS[fn.__name__[2:]] = fn
    return fn


def _frag_raw(p, dst, ident, off8, mf, proto, payload):
    """One IPv4 fragment with a hand-made payload (offset in 8-byte units)."""
    return eth(p) / IP(src=p.src, dst=dst, id=ident, frag=off8,
                       flags="MF" if mf else 0, proto=proto) / Raw(payload)


@frameset
def f_frag4_tiny(p):
    """IPv4 SYN to the Internet's port 22 in 8-byte fragments: the first
    carries only the ports, flags and the rest come later (RFC 1858)."""
    pkt = IP(src=p.src, dst=INET4, id=0x5101) / \
        TCP(sport=40001, dport=22, flags="S") / Raw(b"t" * 32)
    return [eth(p) / f for f in fragment(pkt, fragsize=8)]


@frameset
def f_frag4_tcp_second(p):
    """IPv4 SYN to port 22, two fragments, the one with the TCP header last
    (the first to arrive carries only payload)."""
    pkt = IP(src=p.src, dst=INET4, id=0x5102) / \
        TCP(sport=40002, dport=22, flags="S") / Raw(b"s" * 64)
    return [eth(p) / f for f in reversed(fragment(pkt, fragsize=32))]


@frameset
def f_frag4_overlap_80_22(p):
    """Overlapping IPv4 fragments: offset 0 says TCP port 80 (the
    responder's), a second offset-0 fragment rewrites it to 22."""
    t80 = bytes(TCP(sport=40003, dport=80, flags="S"))[:16]
    t22 = bytes(IP(src=p.src, dst=INET4) / TCP(sport=40003, dport=22, flags="S") /
                Raw(b"o" * 16))[20:]
    return [_frag_raw(p, INET4, 0x5103, 0, True, 6, t80),
            _frag_raw(p, INET4, 0x5103, 0, False, 6, t22)]


@frameset
def f_frag4_overlap_dns(p):
    """Overlap to the configured resolver: the first fragment is TCP to
    port 53 (allowed), a second offset-0 fragment makes it port 22."""
    t53 = bytes(TCP(sport=40004, dport=53, flags="S")) + b"d" * 4
    t22 = bytes(IP(src=p.src, dst=RES4) / TCP(sport=40004, dport=22, flags="S") /
                Raw(b"d" * 16))[20:]
    return [_frag_raw(p, RES4, 0x5104, 0, True, 6, t53),
            _frag_raw(p, RES4, 0x5104, 0, False, 6, t22)]


@frameset
def f_frag4_later_as_dns(p):
    """A non-first IPv4 fragment to the resolver whose payload reads like a
    UDP header to port 53: only a parser that ignores the offset is fooled."""
    fake = struct.pack("!HHHH", 53, 53, 24, 0) + b"L" * 16
    return [_frag_raw(p, RES4, 0x5105, 3, False, 17, fake)]


@frameset
def f_frag6(p):
    """IPv6 fragment header: SYN to the Internet's port 22 in two fragments."""
    body = bytes(IPv6(src=p.src6, dst=INET6) / TCP(sport=40006, dport=22, flags="S") /
                 Raw(b"6" * 44))[40:]
    base = IPv6(src=p.src6, dst=INET6, nh=44)
    return [eth(p) / base / IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=0x5106) / Raw(body[:32]),
            eth(p) / base / IPv6ExtHdrFragment(nh=6, offset=4, m=0, id=0x5106) / Raw(body[32:])]


@frameset
def f_frag6_atomic_dns(p):
    """IPv6 atomic fragment (offset 0, M=0) of a TCP segment to the
    resolver's port 22."""
    return [eth(p) / IPv6(src=p.src6, dst=RES6) / IPv6ExtHdrFragment(id=0x5107) /
            TCP(sport=40007, dport=22, flags="S")]


def _dstopts(n):
    chain = IPv6ExtHdrDestOpt()
    for _ in range(n - 1):
        chain = chain / IPv6ExtHdrDestOpt()
    return chain


@frameset
def f_ext9_dstopts_443(p):
    """Nine chained destination-options headers, then TCP 443 (bound is 8)."""
    return [eth(p) / IPv6(src=p.src6, dst=INET6) / _dstopts(9) /
            TCP(sport=40008, dport=443, flags="S")]


@frameset
def f_ext8_dstopts_22(p):
    """Eight destination-options headers (within the bound), then TCP 22."""
    return [eth(p) / IPv6(src=p.src6, dst=INET6) / _dstopts(8) /
            TCP(sport=40009, dport=22, flags="S")]


@frameset
def f_hbh_rh_22(p):
    """Hop-by-hop + routing header (type 0, no segments left), TCP 22."""
    return [eth(p) / IPv6(src=p.src6, dst=INET6) / IPv6ExtHdrHopByHop() /
            IPv6ExtHdrRouting(type=0, segleft=0, addresses=[INET6]) /
            TCP(sport=40010, dport=22, flags="S")]


@frameset
def f_hbh_rh_443(p):
    """Hop-by-hop + routing header, TCP 443: no RST is built over
    extension headers, the SYN must die."""
    return [eth(p) / IPv6(src=p.src6, dst=INET6) / IPv6ExtHdrHopByHop() /
            IPv6ExtHdrRouting(type=0, segleft=0, addresses=[INET6]) /
            TCP(sport=40011, dport=443, flags="S")]


@frameset
def f_srh_via_gateway(p):
    """DHCPv6 to the gateway's own address (allowed) carrying a segment
    routing header whose next segment is the Internet."""
    return [eth(p) / IPv6(src=p.src6, dst=GW6) /
            IPv6ExtHdrSegmentRouting(addresses=[INET6, GW6], segleft=1) /
            UDP(sport=546, dport=547) / Raw(b"\x01\x00\x05\x11"),
            eth(p) / IPv6(src=p.src6, dst=GW6) /
            IPv6ExtHdrRouting(type=0, segleft=1, addresses=[INET6]) /
            UDP(sport=546, dport=547) / Raw(b"\x01\x00\x05\x12")]


def _syn4(p, dst=INET4, dport=22, sport=40020):
    return IP(src=p.src, dst=dst) / TCP(sport=sport, dport=dport, flags="S")


@frameset
def f_vlan1_22(p):
    """One 802.1Q tag (VID 0, which this kernel strips and routes), TCP 22."""
    return [eth(p) / Dot1Q(vlan=0) / _syn4(p, sport=40021)]


@frameset
def f_qinq_22(p):
    """QinQ: 802.1ad + 802.1Q tags (VID 0), TCP 22."""
    return [eth(p) / Dot1AD(vlan=0) / Dot1Q(vlan=0) / _syn4(p, sport=40022)]


@frameset
def f_vlan9100_22(p):
    """0x9100-tagged (pre-standard QinQ) + 802.1Q, TCP 22."""
    return [eth(p, type=0x9100) / Dot1Q(vlan=0) / _syn4(p, sport=40023)]


@frameset
def f_vlan3_22(p):
    """Three tags (802.1ad, 802.1Q, 802.1Q, VID 0): over the bound of two."""
    return [eth(p) / Dot1AD(vlan=0) / Dot1Q(vlan=0) / Dot1Q(vlan=0) /
            _syn4(p, sport=40024)]


@frameset
def f_pppoe_22(p):
    """PPPoE session frame carrying IPv4 TCP 22."""
    return [eth(p) / PPPoE(sessionid=0x511) / PPP(proto=0x0021) / _syn4(p, sport=40025)]


@frameset
def f_mpls_22(p):
    """MPLS-labelled IPv4 TCP 22."""
    return [eth(p, type=0x8847) / MPLS(label=511, s=1, ttl=64) / _syn4(p, sport=40026)]


@frameset
def f_ipopt_22(p):
    """IPv4 with options (record route), TCP 22."""
    return [eth(p) / IP(src=p.src, dst=INET4, options=[IPOption_RR(routers=["0.0.0.0"] * 3)]) /
            TCP(sport=40027, dport=22, flags="S")]


@frameset
def f_ipopt_443(p):
    """IPv4 with options, TCP 443: the RST is built only over plain
    headers, so the SYN must simply die."""
    return [eth(p) / IP(src=p.src, dst=INET4, options=[IPOption_RR(routers=["0.0.0.0"] * 3)]) /
            TCP(sport=40028, dport=443, flags="S")]


@frameset
def f_lsrr_dhcp_local(p):
    """DHCP to the gateway's own address (allowed) with a loose source route
    on to the Internet."""
    return [eth(p) / IP(src=p.src, dst=GW4, options=[IPOption_LSRR(routers=[INET4])]) /
            UDP(sport=68, dport=67) / Raw(b"\x01\x01\x06\x00" + b"\x00" * 40)]


@frameset
def f_quic(p):
    """QUIC: a long-header Initial-looking datagram to UDP 443, v4 and v6."""
    pl = b"\xc3\x00\x00\x00\x01\x08" + os.urandom(8) + b"\x00" + os.urandom(60)
    return [eth(p) / IP(src=p.src, dst=INET4) / UDP(sport=40030, dport=443) / Raw(pl),
            eth(p) / IPv6(src=p.src6, dst=INET6) / UDP(sport=40030, dport=443) / Raw(pl)]


CLIENT_HELLO = bytes.fromhex("16030100a5010000a10303") + bytes(32) + \
    bytes.fromhex("000004130113020100007400000010000e00000b6578616d706c652e636f6d")


@frameset
def f_dot(p):
    """DNS over TLS: SYN and a ClientHello segment to TCP 853, v4 and v6."""
    return [eth(p) / IP(src=p.src, dst=INET4) / TCP(sport=40031, dport=853, flags="S"),
            eth(p) / IP(src=p.src, dst=INET4) /
            TCP(sport=40031, dport=853, flags="PA", seq=1, ack=1) / Raw(CLIENT_HELLO),
            eth(p) / IPv6(src=p.src6, dst=INET6) / TCP(sport=40031, dport=853, flags="S")]


@frameset
def f_icmp_tunnel(p):
    """ICMP echo to the Internet carrying tunnel-like payloads (an IP
    header, a DNS-tunnel label), v4 and v6."""
    return [eth(p) / IP(src=p.src, dst=INET4) / ICMP(id=0x511, seq=1) / Raw(TUNNEL),
            eth(p) / IP(src=p.src, dst=INET4) / ICMP(id=0x511, seq=2) /
            Raw(b"aGVsbG8gd29ybGQgZnJvbSB0aGUgdHVubmVs.t.example" * 8),
            eth(p) / IPv6(src=p.src6, dst=INET6) / ICMPv6EchoRequest(id=0x511) / Raw(TUNNEL)]


@frameset
def f_nd_tunnel(p):
    """Neighbour discovery (RS, NS, NA with hop limit 255) addressed to an
    Internet host, carrying a payload: ND that would leave the link."""
    ip6 = IPv6(src=p.src6, dst=INET6, hlim=255)
    return [eth(p) / ip6 / ICMPv6ND_NS(tgt=INET6) / Raw(TUNNEL),
            eth(p) / ip6 / ICMPv6ND_RS() / Raw(TUNNEL),
            eth(p) / ip6 / ICMPv6ND_NA(tgt=p.src6) / Raw(TUNNEL)]


def _dns(p, dst, v6=False, sport=40040):
    q = DNS(id=0x511, qd=DNSQR(qname="tunnel.example"))
    ip = IPv6(src=p.src6, dst=dst) if v6 else IP(src=p.src, dst=dst)
    return eth(p) / ip / UDP(sport=sport, dport=53) / q


@frameset
def f_dns_foreign(p):
    """DNS to a resolver that is not configured: UDP v4/v6 and a TCP SYN."""
    return [_dns(p, FOREIGN4), _dns(p, FOREIGN6, v6=True),
            eth(p) / IP(src=p.src, dst=FOREIGN4) / TCP(sport=40041, dport=53, flags="S")]


@frameset
def f_dns_resolver(p):
    """DNS to the configured resolvers (policy allows it), v4 and v6."""
    return [_dns(p, RES4, sport=40042), _dns(p, RES6, v6=True, sport=40042)]


@frameset
def f_udp67_inet(p):
    """DHCP-shaped UDP 68->67 (and DHCPv6 546->547) to Internet hosts."""
    return [eth(p) / IP(src=p.src, dst=INET4) / UDP(sport=68, dport=67) / Raw(b"\x01" * 48),
            eth(p) / IPv6(src=p.src6, dst=INET6) / UDP(sport=546, dport=547) / Raw(b"\x01" * 8)]


@frameset
def f_dhcp_bcast(p):
    """A DHCP discover from 0.0.0.0 to the broadcast address (passes, local)."""
    return [eth(p, ) / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) /
            Raw(b"\x01\x01\x06\x00" + os.urandom(4) + b"\x00" * 236 + b"\x63\x82\x53\x63\xff")]


@frameset
def f_garden_443(p):
    """TCP 443 to the walled-garden host (allowed port)."""
    return [eth(p) / IP(src=p.src, dst=GARDEN4) / TCP(sport=40050, dport=443, flags="S")]


@frameset
def f_garden_22(p):
    """TCP 22 to the walled-garden host (port not in the garden entry)."""
    return [eth(p) / IP(src=p.src, dst=GARDEN4) / TCP(sport=40051, dport=22, flags="S")]


@frameset
def f_syn(p):
    """A TCP SYN from src/smac to dst:dport (defaults: the Internet, 5001)."""
    return [eth(p) / IP(src=p.src, dst=p.dst or INET4) /
            TCP(sport=int(p.sport or 40060), dport=int(p.dport or 5001), flags="S")]


@frameset
def f_syn6(p):
    """A TCP SYN over IPv6 from src6/smac to dst:dport."""
    return [eth(p) / IPv6(src=p.src6, dst=p.dst or INET6) /
            TCP(sport=int(p.sport or 40061), dport=int(p.dport or 5001), flags="S")]


@frameset
def f_dns_spoofed(p):
    """DNS to the configured resolver from src (meant: a spoofed source)."""
    return [_dns(p, RES4, sport=40062)]


@frameset
def f_dns6_spoofed(p):
    """DNS over IPv6 to the configured resolver from src6."""
    return [_dns(p, RES6, v6=True, sport=40063)]


@frameset
def f_ra_mcast(p):
    """A router advertisement from the client to all nodes."""
    return [eth(p, ) / IPv6(src=CL_LL, dst="ff02::1", hlim=255) /
            ICMPv6ND_RA(routerlifetime=1800) / ICMPv6NDOptSrcLLAddr(lladdr=p.smac)]


@frameset
def f_ra_unicast(p):
    """A router advertisement from the client's global address to an
    Internet host (the kernel would forward it)."""
    return [eth(p) / IPv6(src=p.src6, dst=INET6, hlim=255) /
            ICMPv6ND_RA(routerlifetime=1800) / Raw(TUNNEL)]


@frameset
def f_ns_gw(p):
    """Neighbour solicitation for the gateway's address (expects an NA)."""
    return [Ether(src=p.smac, dst="33:33:ff:00:00:01") /
            IPv6(src=p.src6, dst="ff02::1:ff00:1", hlim=255) /
            ICMPv6ND_NS(tgt=GW6) / ICMPv6NDOptSrcLLAddr(lladdr=p.smac)]


@frameset
def f_mapped6(p):
    """IPv6 from the IPv4-mapped form of src (::ffff:a.b.c.d): the key an
    IPv4 grant has in g511_clients."""
    return [eth(p) / IPv6(src="::ffff:" + p.src, dst=INET6) /
            TCP(sport=40064, dport=5001, flags="S")]


@frameset
def f_mix(p):
    """A flood mix an unauthenticated client sends: TCP 22/80/443/853,
    UDP, ICMP, v4 and v6, n rounds (tens of frames each)."""
    out = []
    for i in range(int(p.n)):
        sp = 20000 + i % 40000
        for ip in (IP(src=p.src, dst=INET4), IPv6(src=p.src6, dst=INET6)):
            for dport in (22, 80, 443, 853, 5001):
                out.append(eth(p) / ip / TCP(sport=sp, dport=dport, flags="S"))
            out.append(eth(p) / ip / TCP(sport=sp, dport=80, flags="PA", seq=1, ack=1) /
                       Raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
            out.append(eth(p) / ip / UDP(sport=sp, dport=9999) / Raw(b"u" * 32))
        out.append(eth(p) / IP(src=p.src, dst=INET4) / ICMP(id=i & 0xffff) / Raw(TUNNEL))
        out.append(eth(p) / IPv6(src=p.src6, dst=INET6) / ICMPv6EchoRequest(id=i & 0xffff))
    return out


# ---------------------------------------------------------------- the wire

class Wire:
    """One L2 socket to send, one to listen for what the gateway sends."""

    def __init__(self, iface):
        self.iface = iface
        self.tx = conf.L2socket(iface=iface)
        self.rx = conf.L2listen(iface=iface, filter="ether src %s" % GW_MAC)
        # storms are answered faster than scapy parses: room for all of it
        self.rx.ins.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE

    def drain(self):
        deadline = time.time() + 1.0
        while time.time() < deadline and select.select([self.rx], [], [], 0)[0]:
            self.rx.recv()

    def send(self, frames):
        for f in frames:
            self.tx.send(f)

    def collect(self, seconds, want=None, until=None):
        """Frames from the gateway for `seconds` (bounded), filtered by want;
        stops early once until(list) is true."""
        got = []
        deadline = time.time() + seconds
        while len(got) < 100000:
            left = deadline - time.time()
            if left <= 0 or (until and until(got)):
                break
            if not select.select([self.rx], [], [], left)[0]:
                continue
            f = self.rx.recv()
            if f is None:
                continue
            if Ether not in f:
                f = Ether(bytes(f))
            if want is None or want(f):
                got.append(f)
        return got


def not_nd(f):
    """Gateway frames that answer us, not its own ND/MLD chatter."""
    if f.haslayer(ICMPv6ND_NS) or f.haslayer(ICMPv6ND_RA):
        return False
    return IP in f or IPv6 in f


def cmd_send(wire, name, p):
    frames = SETS[name](p)
    want = (lambda f: f.haslayer(ICMPv6ND_NA)) if name == "ns_gw" else not_nd
    wire.drain()
    wire.send(frames)
    got = wire.collect(float(p.wait), want)
    return "sent %d got %d" % (len(frames), len(got))


# ------------------------------------------------------- TCP to the responder

def csums_ok(f):
    """Both checksums of a reply frame computed in full and right."""
    fresh = f.copy()
    if IP in fresh:
        del fresh[IP].chksum
    if TCP in fresh:
        del fresh[TCP].chksum
    fresh = Ether(bytes(fresh))
    if IP in f and f[IP].chksum != fresh[IP].chksum:
        return False
    return TCP not in f or f[TCP].chksum == fresh[TCP].chksum


class Conn:
    """One client 4-tuple talking to port 80 from a foreign address."""
    n = 0

    def __init__(self, wire, v6=False, dport=80, dst=None):
        Conn.n += 1
        self.wire, self.v6 = wire, v6
        self.src = ("fd51::%x" % (0x50 + Conn.n % 100)) if v6 else \
            "10.51.0.%d" % (50 + Conn.n % 100)
        self.dst = dst or (INET6 if v6 else INET4)
        self.sport = random.randint(20000, 60000)
        self.dport = dport
        self.isn = random.randint(0, 2**32 - 1)
        self.cookie = None

    def ip(self, **kw):
        if self.v6:
            return IPv6(src=self.src, dst=self.dst, **kw)
        return IP(src=self.src, dst=self.dst, **kw)

    def seg(self, flags, payload=b"", seq=None, ack=None, win=65535, opts=None,
            ipkw=None, tcpkw=None):
        t = TCP(sport=self.sport, dport=self.dport, flags=flags,
                seq=self.isn + 1 if seq is None else seq,
                ack=(self.cookie + 1 if self.cookie is not None else 0) if ack is None else ack,
                window=win, options=opts or [], **(tcpkw or {}))
        f = Ether(src=CL_MAC, dst=GW_MAC) / self.ip(**(ipkw or {})) / t
        return f / Raw(payload) if payload else f

    def mine(self, f):
        if TCP not in f or f[TCP].sport != self.dport or f[TCP].dport != self.sport:
            return False
        return (IPv6 in f and f[IPv6].dst == self.src) or (IP in f and f[IP].dst == self.src)

    def talk(self, frames, seconds=1.0, until=None):
        self.wire.drain()
        self.wire.send(frames)
        return self.wire.collect(seconds, self.mine, until)

    def handshake(self, mss=1460, opts=None, payload=b""):
        syn = self.seg("S", payload, seq=self.isn, ack=0,
                       opts=opts if opts is not None else [("MSS", mss)])
        got = self.talk([syn], 1.0, until=lambda g: any(f[TCP].flags == "SA" for f in g))
        sa = [f for f in got if f[TCP].flags == "SA"]
        if sa:
            self.cookie = sa[0][TCP].seq
        return sa


def data_of(frames):
    """Payload bytes of the replies, by sequence number (first copy)."""
    by_seq = {}
    for f in frames:
        pl = bytes(f[TCP].payload)
        if pl:
            by_seq.setdefault(f[TCP].seq, pl)
    return b"".join(by_seq[s] for s in sorted(by_seq))


def flags_of(frames):
    return [str(f[TCP].flags) for f in frames]


def is_fin(f):
    return "F" in str(f[TCP].flags)


def page_done(frames):
    return any(is_fin(f) and bytes(f[TCP].payload) for f in frames)


def judge(ok, detail):
    return ("pass " if ok else "fail ") + detail


def bad_csums(frames):
    return sum(1 for f in frames if not csums_ok(f))


def exchange_request(wire, payload, v6=False, segs=None, win=65535, wait=1.5):
    """Handshake, then the request (in one segment, or the segs given as
    (offset, bytes)), all acking the cookie. Returns (conn, replies)."""
    c = Conn(wire, v6)
    if not c.handshake():
        return c, None
    base = c.isn + 1
    if segs is None:
        segs = [(0, payload)]
    frames = [c.seg("PA", chunk, seq=base + off, win=win) for off, chunk in segs]
    return c, c.talk(frames, wait, until=page_done)


TCP_CASES = {}


def tcpcase(fn):
    TCP_CASES[fn.__name__[2:]] = fn
    return fn


def _expect_rst_only(wire, payload, v6=False):
    c, got = exchange_request(wire, payload, v6, wait=1.0)
    if got is None:
        return judge(False, "no SYN-ACK")
    rsts = [f for f in got if "R" in str(f[TCP].flags)]
    data = data_of(got)
    return judge(len(rsts) >= 1 and not data and not bad_csums(got),
                 "%d RST, %d data bytes, flags %s" % (len(rsts), len(data), flags_of(got)))


@tcpcase
def t_tls80(wire, p):
    """TLS ClientHello on port 80: RST, no page."""
    return _expect_rst_only(wire, CLIENT_HELLO)


@tcpcase
def t_tls80_v6(wire, p):
    """TLS ClientHello on port 80 over IPv6: RST, no page."""
    return _expect_rst_only(wire, CLIENT_HELLO, v6=True)


@tcpcase
def t_ssh80(wire, p):
    """An SSH banner on port 80: RST, no page."""
    return _expect_rst_only(wire, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")


def _expect_511(c, got, what=""):
    if got is None:
        return judge(False, "no SYN-ACK")
    data = data_of(got)
    rsts = [f for f in got if "R" in str(f[TCP].flags)]
    head, _, body = data.partition(b"\r\n\r\n")
    clen = None
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            clen = int(line.split(b":", 1)[1])
    ok = (data.startswith(b"HTTP/1.1 511 ") and clen == len(body) and
          any(is_fin(f) for f in got) and not rsts and not bad_csums(got))
    return judge(ok, "%s%d bytes, status %r, body %s/%s, %d RST, %d bad csum" % (
        what, len(data), data.split(b"\r\n", 1)[0][:40], len(body), clen, len(rsts),
        bad_csums(got)))


@tcpcase
def t_connect80(wire, p):
    """HTTP CONNECT on port 80: the 511 page, complete."""
    c, got = exchange_request(wire, b"CONNECT example.com:443 HTTP/1.1\r\n"
                              b"Host: example.com:443\r\n\r\n")
    return _expect_511(c, got)


@tcpcase
def t_connect80_v6(wire, p):
    """HTTP CONNECT on port 80 over IPv6: the 511 page."""
    c, got = exchange_request(wire, b"CONNECT example.com:443 HTTP/1.1\r\n\r\n", v6=True)
    return _expect_511(c, got)


@tcpcase
def t_ipopt80(wire, p):
    """IPv4 with options (record route) on port 80: answered, 511."""
    c = Conn(wire)
    opts = {"options": [IPOption_RR(routers=["0.0.0.0"] * 3)]}
    syn = c.seg("S", seq=c.isn, ack=0, opts=[("MSS", 1460)], ipkw=opts)
    got = c.talk([syn], 1.0, until=lambda g: bool(g))
    sa = [f for f in got if f[TCP].flags == "SA"]
    if not sa:
        return judge(False, "no SYN-ACK to a SYN with IP options")
    c.cookie = sa[0][TCP].seq
    got = c.talk([c.seg("PA", b"GET /opt HTTP/1.1\r\nHost: a\r\n\r\n", ipkw=opts)],
                 1.5, until=page_done)
    return _expect_511(c, got)


def _with_bad(f, ip=False, tcp=False):
    f = Ether(bytes(f))
    if ip:
        f[IP].chksum = (f[IP].chksum + 0x1111) & 0xffff
    if tcp:
        f[TCP].chksum = (f[TCP].chksum + 0x2222) & 0xffff
    return f


def _bad_csum_case(wire, ip, tcp):
    c = Conn(wire)
    syn = _with_bad(c.seg("S", seq=c.isn, ack=0, opts=[("MSS", 1460)]), ip, tcp)
    got = c.talk([syn], 1.0, until=lambda g: bool(g))
    sa = [f for f in got if f[TCP].flags == "SA"]
    detail = "bad SYN: %d SYN-ACK" % len(sa)
    if len(sa) > 1 or bad_csums(got):
        return judge(False, detail + ", more than one or bad checksums")
    if not sa:
        return judge(True, detail + " (ignored)")
    c.cookie = sa[0][TCP].seq
    req = _with_bad(c.seg("PA", b"GET /csum HTTP/1.1\r\nHost: a\r\n\r\n"), ip, tcp)
    got = c.talk([req], 1.5, until=page_done)
    data = data_of(got)
    ok = not bad_csums(got) and (not data or data.startswith(b"HTTP/1.1 511 "))
    return judge(ok, detail + "; bad request: %d bytes back, %d bad checksums "
                 "(the design answers frames whatever their checksums)" %
                 (len(data), bad_csums(got)))


@tcpcase
def t_bad_ip_csum(wire, p):
    """SYN and request with a wrong IPv4 header checksum: at most one
    SYN-ACK, replies (if any) with right checksums."""
    return _bad_csum_case(wire, True, False)


@tcpcase
def t_bad_tcp_csum(wire, p):
    """SYN and request with a wrong TCP checksum: as above."""
    return _bad_csum_case(wire, False, True)


@tcpcase
def t_random_ack(wire, p):
    """Requests with random ACK numbers and no handshake: RST at most,
    never a page."""
    n = int(p.n) if p.n != "1" else 64
    frames, conns = [], []
    for _ in range(n):
        c = Conn(wire)
        c.cookie = random.randint(0, 2**32 - 1)
        conns.append(c)
        frames.append(c.seg("PA", b"GET /r HTTP/1.1\r\nHost: a\r\n\r\n"))
    ports = {c.sport for c in conns}
    srcs = {c.src for c in conns}
    wire.drain()
    wire.send(frames)
    got = wire.collect(1.5, lambda f: TCP in f and f[TCP].dport in ports and
                       (IP in f and f[IP].dst in srcs))
    data = sum(len(bytes(f[TCP].payload)) for f in got)
    rsts = sum(1 for f in got if "R" in str(f[TCP].flags))
    return judge(data == 0 and rsts == len(got) and len(got) <= n,
                 "%d segments: %d replies, %d RST, %d data bytes" % (n, len(got), rsts, data))


def _storm(wire, flags, n, with_ack):
    frames = []
    ports = set()
    c = Conn(wire)
    for i in range(n):
        c.sport = 20000 + i
        ports.add(c.sport)
        frames.append(c.seg(flags, seq=random.randint(0, 2**32 - 1),
                            ack=random.randint(0, 2**32 - 1) if with_ack else 0))
    wire.drain()
    t0 = time.time()
    wire.send(frames)
    got = wire.collect(1.0, lambda f: TCP in f and f[TCP].dport in ports and
                       IP in f and f[IP].dst == c.src)
    return got, time.time() - t0


@tcpcase
def t_rst_storm(wire, p):
    """500 RST and 500 RST|ACK with random numbers: no reply at all."""
    got, _ = _storm(wire, "R", 500, False)
    got2, _ = _storm(wire, "RA", 500, True)
    return judge(not got and not got2, "%d replies to 1000 RSTs" % (len(got) + len(got2)))


@tcpcase
def t_fin_storm(wire, p):
    """500 FIN|ACK with random ACKs: RSTs at most (one each); 200 FIN
    without ACK: nothing."""
    got, _ = _storm(wire, "FA", 500, True)
    got2, _ = _storm(wire, "F", 200, False)
    data = sum(len(bytes(f[TCP].payload)) for f in got + got2)
    non_rst = sum(1 for f in got if "R" not in str(f[TCP].flags))
    return judge(len(got) <= 500 and not non_rst and not got2 and not data,
                 "FIN|ACK: %d replies (%d not RST); bare FIN: %d replies" %
                 (len(got), non_rst, len(got2)))


@tcpcase
def t_mss48(wire, p):
    """SYN with MSS 48: no SYN-ACK, or one whose MSS is a real class, and
    then no segment shorter than 536 but the last."""
    c = Conn(wire)
    sa = c.handshake(mss=48)
    if not sa:
        return judge(True, "no SYN-ACK for MSS 48")
    mss = dict((k, v) for k, v in sa[0][TCP].options if isinstance(k, str)).get("MSS", 0)
    got = c.talk([c.seg("PA", b"GET /mss HTTP/1.1\r\nHost: a\r\n\r\n")], 1.5, until=page_done)
    lens = [len(bytes(f[TCP].payload)) for f in sorted(got, key=lambda f: f[TCP].seq)
            if bytes(f[TCP].payload)]
    small = [n for n in lens[:-1] if n < 536]
    return judge(mss >= 536 and not small,
                 "SYN-ACK MSS %d, segments %s" % (mss, lens[:20]))


@tcpcase
def t_zero_window(wire, p):
    """A request that advertises a zero window: no data until the window
    opens; the same request with a window gets the page."""
    c = Conn(wire)
    if not c.handshake():
        return judge(False, "no SYN-ACK")
    req = b"GET /zw HTTP/1.1\r\nHost: a\r\n\r\n"
    got = c.talk([c.seg("PA", req, win=0)], 1.0)
    data0 = data_of(got)
    got = c.talk([c.seg("PA", req)], 1.5, until=page_done)
    res = _expect_511(c, got, "window 0: %d data bytes; window open: " % len(data0))
    return res if not data0 else "fail " + res.split(" ", 1)[1]


@tcpcase
def t_tfo(wire, p):
    """SYN with a TCP Fast Open cookie and a request in it: a plain SYN-ACK
    acking only the SYN, no page before the handshake completes."""
    c = Conn(wire)
    req = b"GET /tfo HTTP/1.1\r\nHost: a\r\n\r\n"
    syn = c.seg("S", req, seq=c.isn, ack=0,
                opts=[("MSS", 1460), (34, b"\x11\x22\x33\x44\x55\x66\x77\x88")])
    got = c.talk([syn], 1.0)
    sa = [f for f in got if f[TCP].flags == "SA"]
    data = data_of(got)
    ok = (len(sa) == 1 and sa[0][TCP].ack == (c.isn + 1) & 0xffffffff and not data and
          not any(k == 34 for k, _ in sa[0][TCP].options))
    return judge(ok, "%d SYN-ACK, ack %s (isn+1 = %d), %d data bytes" % (
        len(sa), sa[0][TCP].ack if sa else None, (c.isn + 1) & 0xffffffff, len(data)))


@tcpcase
def t_pipelined(wire, p):
    """Two requests in one segment: one 511 (Connection: close), with FIN."""
    c, got = exchange_request(wire, b"GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
                              b"GET /two HTTP/1.1\r\nHost: a\r\n\r\n")
    res = _expect_511(c, got)
    n = data_of(got or []).count(b"HTTP/1.1 ")
    return res if n == 1 else "fail %d status lines; %s" % (n, res)


@tcpcase
def t_split1(wire, p):
    """A request sent in 1-byte segments: the page comes, every copy of it
    identical at the same sequence numbers, no RST."""
    req = b"GET /split HTTP/1.1\r\nHost: a\r\n\r\n"
    c, got = exchange_request(wire, req, segs=[(i, req[i:i + 1]) for i in range(len(req))],
                              wait=2.0)
    if got is None:
        return judge(False, "no SYN-ACK")
    seen, conflict = {}, 0
    for f in got:
        pl = bytes(f[TCP].payload)
        if pl and seen.setdefault(f[TCP].seq, pl) != pl:
            conflict += 1
    res = _expect_511(c, got)
    return res if not conflict else "fail %d conflicting copies; %s" % (conflict, res)


@tcpcase
def t_long_line(wire, p):
    """An 8 KB request line in MSS-sized segments: a complete 511, no RST."""
    req = b"GET /" + b"a" * 8192 + b" HTTP/1.1\r\nHost: a\r\n\r\n"
    segs = [(i, req[i:i + 1400]) for i in range(0, len(req), 1400)]
    c, got = exchange_request(wire, req, segs=segs, wait=2.0)
    return _expect_511(c, got)


@tcpcase
def t_no_host(wire, p):
    """A request without Host: the 511 page linking the portal, no orig."""
    c, got = exchange_request(wire, b"GET /nohost HTTP/1.1\r\nUser-Agent: t\r\n\r\n")
    res = _expect_511(c, got)
    data = data_of(got or [])
    if res.startswith("pass") and (b"href=" not in data or b"orig=" in data):
        return "fail no portal link, or an orig= without a Host; " + res
    return res


def cmd_tcp(wire, name, p):
    return TCP_CASES[name](wire, p)


# ---------------------------------------------------------------- main

def run(wire, line):
    words = line.split()
    if not words:
        return "fail empty command"
    verb, args = words[0], words[1:]
    if verb in ("send", "tcp") and not args:
        return "fail %s needs a name" % verb
    try:
        p = params(args[1:])
        if verb == "send" and args[0] in SETS:
            return cmd_send(wire, args[0], p)
        if verb == "tcp" and args[0] in TCP_CASES:
            return cmd_tcp(wire, args[0], p)
        return "fail unknown: %s" % line
    except Exception as e:  # report, keep serving
        return "fail %s: %s: %s" % (line, type(e).__name__, e)


def flood(wire, name, p):
    """Send the set again and again for seconds=S (at most 120 s, at most
    a million frames); print how many went out."""
    seconds = min(float(p.get("seconds", "3")), 120.0)
    frames = SETS[name](p)
    deadline, sent = time.time() + seconds, 0
    while time.time() < deadline and sent < 1000000:
        wire.send(frames)
        sent += len(frames)
    print("flooded %d frames in %.1f s" % (sent, seconds), flush=True)
    return 0


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "list":
        for k, fn in sorted(SETS.items()):
            print("send %-20s %s" % (k, " ".join((fn.__doc__ or "").split())))
        for k, fn in sorted(TCP_CASES.items()):
            print("tcp  %-20s %s" % (k, " ".join((fn.__doc__ or "").split())))
        return 0
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    wire = Wire(sys.argv[2])
    if sys.argv[1] == "flood":
        return flood(wire, sys.argv[3], params(sys.argv[4:]))
    if sys.argv[1] == "serve":
        print("ready", flush=True)
        for n, line in enumerate(sys.stdin):
            if line.strip() == "quit" or n > 100000:
                break
            print(run(wire, line), flush=True)
        return 0
    print(run(wire, " ".join([sys.argv[1]] + sys.argv[3:])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
