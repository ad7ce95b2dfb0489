#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
gen_resp_vectors.py - write the responder's pcap test vectors
(tests/unit/vectors/resp_*.pcap, LINKTYPE_ETHERNET), deterministically:
fixed addresses, ports, ISNs, IP ids and timestamps, seeded "random" bytes.

Convention read by tests/unit/test_responder.c: in a file whose first frame
is the client's SYN, the ack field of every later frame is not a real ack
(it cannot be: the cookie depends on the secret and the time) but says what
the test client acknowledges:
    0          everything the responder has sent so far (a well-behaved client)
    n > 0      cookie + n (1 = "nothing of yours yet")
The test rewrites it (and the TCP checksum) before handing the frame over.
Files without a leading SYN (resp_badcookie, resp_malformed) are used as is.

It also writes the seed corpus of the responder's fuzz target,
tests/fuzz/corpus/fuzz_responder/seed_*, in the input layout described at
the top of tests/fuzz/fuzz_responder.c: some vector frames as they are
("raw" mode) and some payloads to be wrapped in a valid-cookie frame
("built" mode).

Run from anywhere: ./tests/unit/gen_resp_vectors.py
"""
import os
import random
import struct

from scapy.all import (Ether, Dot1Q, IP, IPv6, TCP, UDP, Raw, IPOption,
                       IPv6ExtHdrHopByHop, ARP, conf)
from scapy.layers.l2 import Dot1AD

conf.verb = 0
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors")
SEEDS = os.path.join(HERE, "..", "fuzz", "corpus", "fuzz_responder")

CMAC, GMAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
C4, S4 = "192.0.2.10", "198.51.100.80"
C6, S6 = "2001:db8::10", "2001:db8:1::80"
SPORT, DPORT = 40000, 80
ISN = 1000
LINUX_OPTS = [("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None),
              ("WScale", 7)]


def l2(tags):
    """Ethernet plus VLAN tags: tags is a list of (tpid, vid)."""
    pkt = Ether(src=CMAC, dst=GMAC)
    for tpid, vid in tags:
        if tpid == 0x88a8:
            pkt = pkt / Dot1AD(vlan=vid)
        elif tpid == 0x8100:
            pkt = pkt / Dot1Q(vlan=vid)
        else:       # 0x9100: scapy has no layer for it; Dot1Q with the type fixed below
            pkt = pkt / Dot1Q(vlan=vid)
    return pkt


def fix_tpids(raw, tags):
    """Set the TPIDs exactly as asked (scapy picks them from the layer)."""
    b = bytearray(raw)
    off = 12
    for tpid, _ in tags:
        b[off:off + 2] = tpid.to_bytes(2, "big")
        off += 4
    return bytes(b)


def l3(v6, ipopts=None, ext=False):
    if v6:
        ip = IPv6(src=C6, dst=S6, hlim=64, fl=0)
        if ext:
            ip = ip / IPv6ExtHdrHopByHop()
        return ip
    if ipopts:
        return IP(src=C4, dst=S4, id=1, ttl=64, flags="DF", options=ipopts)
    return IP(src=C4, dst=S4, id=1, ttl=64, flags="DF")


class Conn:
    """One client connection: builds its frames with consistent seqs."""

    def __init__(self, v6=False, tags=(), ipopts=None, ext=False, sport=SPORT):
        self.v6, self.tags, self.ipopts, self.ext = v6, list(tags), ipopts, ext
        self.sport = sport
        self.seq = ISN

    def frame(self, flags, ack=0, payload=b"", window=64240, options=None,
              advance=True):
        tcp = TCP(sport=self.sport, dport=DPORT, seq=self.seq, ack=ack,
                  flags=flags, window=window, options=options or [])
        pkt = l2(self.tags) / l3(self.v6, self.ipopts, self.ext) / tcp
        if payload:
            pkt = pkt / Raw(payload)
        raw = fix_tpids(bytes(pkt), self.tags)
        # what a NIC puts on the wire: short frames padded to 60 bytes, so
        # the IP length, not the frame length, must say where TCP ends
        raw += b"\0" * max(0, 60 - len(raw))
        if advance:
            self.seq += len(payload) + (1 if "S" in flags else 0) + \
                (1 if "F" in flags else 0)
        return raw

    def syn(self, mss=1460, extra=LINUX_OPTS, payload=b""):
        opts = ([("MSS", mss)] if mss is not None else []) + list(extra)
        return self.frame("S", options=opts, payload=payload)


def write(name, frames):
    """A classic pcap file, written by hand so the bytes are exactly ours."""
    path = os.path.join(OUT, "resp_%s.pcap" % name)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def get(path=b"/", host=b"example.com", method=b"GET", extra=b"", body=b""):
    req = method + b" " + path + b" HTTP/1.1\r\n"
    if host is not None:
        req += b"Host: " + host + b"\r\n"
    req += b"User-Agent: gate511-test/1.0\r\nAccept: */*\r\n" + extra + b"\r\n"
    return req + body


def syn_then(name, payloads, v6=False, tags=(), mss=1460, flags="PA",
             window=64240, ipopts=None, ext=False, acks=None):
    c = Conn(v6=v6, tags=tags, ipopts=ipopts, ext=ext)
    frames = [c.syn(mss=mss)]
    for i, pl in enumerate(payloads):
        fl = flags[i] if isinstance(flags, list) else flags
        ack = acks[i] if acks else 1
        frames.append(c.frame(fl, ack=ack, payload=pl, window=window))
    write(name, frames)


def seed(name, data):
    with open(os.path.join(SEEDS, "seed_" + name), "wb") as f:
        f.write(data)


def write_seeds(frames, payloads):
    """frames: name -> raw frame; payloads: name -> (header bits, payload)."""
    os.makedirs(SEEDS, exist_ok=True)
    for name, fr in frames.items():
        seed("raw_" + name, bytes([0, 63, 236]) + fr)          # 64 x 3840 bytes
    for name, (v6tags, flags, window, payload) in payloads.items():
        hdr = bytes([1, 63, 236, v6tags, flags]) + window.to_bytes(2, "big") + \
            bytes([0, 0, 0, 0, 0])
        seed("built_" + name, hdr + payload)
        seed("built_alt_" + name, bytes([3]) + hdr[1:] + payload)


def main():
    os.makedirs(OUT, exist_ok=True)
    rnd = random.Random(511)

    # --- SYNs ---
    write("syn_v4", [Conn().syn(1460)])
    write("syn_v6", [Conn(v6=True).syn(1440)])
    write("syn_mss536", [Conn().syn(536)])
    write("syn_mss48", [Conn().syn(48)])
    write("syn_nomss_v4", [Conn().syn(None)])
    write("syn_nomss_v6", [Conn(v6=True).syn(None)])
    write("syn_vlan", [Conn(tags=[(0x8100, 10)]).syn(1460)])
    write("syn_qinq", [Conn(tags=[(0x88a8, 100), (0x8100, 10)]).syn(1460)])
    write("syn_9100", [Conn(tags=[(0x9100, 7)], v6=True).syn(1440)])
    write("syn_3tags", [Conn(tags=[(0x88a8, 1), (0x8100, 2), (0x8100, 3)]).syn(1460)])
    # TFO: cookie request option (kind 34, len 2... scapy: TFO) plus data
    write("syn_tfo", [Conn().syn(1460, extra=LINUX_OPTS + [(34, b"\x01\x02\x03\x04\x05\x06\x07\x08")],
                                 payload=get(b"/tfo"))])

    # --- requests ---
    syn_then("get", [get(b"/path/page.html?x=1&y=%20z")])
    syn_then("get_v6", [get(b"/v6?q=1", host=b"[2001:db8:1::80]")], v6=True, mss=1440)
    syn_then("get_v6_ext", [get(b"/ext", host=b"ipv6.example")], v6=True, mss=1440, ext=True)
    syn_then("get_qinq", [get(b"/tagged")], tags=[(0x88a8, 100), (0x8100, 10)])
    syn_then("get_ipopts", [get(b"/opts")],
             ipopts=[IPOption(b"\x94\x04\x00\x00"), IPOption(b"\x01\x01\x01\x00")])
    syn_then("head", [get(b"/head", method=b"HEAD")])
    syn_then("post", [get(b"/form", method=b"POST",
                          extra=b"Content-Type: application/x-www-form-urlencoded\r\n"
                                b"Content-Length: 7\r\n", body=b"a=1&b=2")])
    syn_then("get_fin", [get(b"/fin")], flags="FPA")
    syn_then("get_mss536", [get(b"/" + b"m" * 300)], mss=536)
    syn_then("get_smallwin", [get(b"/small")], window=300)
    syn_then("zero_window", [get(b"/zero")], window=0)
    syn_then("nohost", [b"GET /nohost HTTP/1.0\r\nAccept: */*\r\n\r\n"])
    syn_then("absolute", [b"GET http://example.org/abs?q=1 HTTP/1.1\r\n"
                          b"Host: example.org\r\n\r\n"])
    syn_then("escape", [get(b"/a\"b<c>'d&e", host=b"esc.example")])
    syn_then("pipelined", [get(b"/first") + get(b"/second")])
    syn_then("longurl", [get(b"/" + b"L" * 8192)])
    # A URL the page can carry (under 2048 bytes) but not within this
    # window: the page goes out without it (signed: url= empty).
    syn_then("get_win_url", [get(b"/" + b"W" * 1500)], window=4000)
    # the same request as a real client sends it: first MSS-sized segment only
    syn_then("longurl_split", [get(b"/" + b"L" * 8192)[:1448]])
    # one byte at a time: "G" is answered, the rest is a continuation, then FIN
    c = Conn()
    req = get(b"/split")
    write("split1", [c.syn(1460), c.frame("PA", ack=1, payload=req[:1]),
                     c.frame("PA", ack=0, payload=req[1:]),
                     c.frame("FA", ack=0)])

    # --- OS probes ---
    probes = {
        "generate_204": (b"/generate_204", b"connectivitycheck.gstatic.com"),
        "gen_204": (b"/gen_204", b"clients3.google.com"),
        "hotspot": (b"/hotspot-detect.html", b"captive.apple.com"),
        "apple_root": (b"/", b"captive.apple.com"),
        "connecttest": (b"/connecttest.txt", b"www.msftconnecttest.com"),
        "ncsi": (b"/ncsi.txt", b"www.msftncsi.com"),
        "success_txt": (b"/success.txt?ipv4", b"detectportal.firefox.com"),
        "canonical": (b"/canonical.html", b"detectportal.firefox.com"),
    }
    for name, (path, host) in probes.items():
        syn_then("probe_" + name, [get(path, host=host)])

    # --- not HTTP ---
    hello = bytes.fromhex("16030100c4010000c00303") + bytes(rnd.randrange(256) for _ in range(190))
    syn_then("tls", [hello])
    syn_then("ssh", [b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"])
    syn_then("garbage", [bytes(rnd.randrange(256) for _ in range(100))])
    syn_then("h2", [b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"])
    syn_then("text", [b"Host: example.com\r\n\r\n"])
    syn_then("lowercase", [b"get / HTTP/1.1\r\nHost: example.com\r\n\r\n"])

    # --- connection handling ---
    syn_then("fin", [b""], flags="FA")
    c = Conn()
    write("fin_after", [c.syn(1460), c.frame("PA", ack=1, payload=get(b"/bye")),
                        c.frame("FA", ack=0)])
    c = Conn()
    write("late_request", [c.syn(1460), c.frame("PA", ack=1, payload=get(b"/one")),
                           c.frame("PA", ack=0, payload=get(b"/two"))])
    syn_then("rst", [b""], flags="RA")
    syn_then("pure_ack", [b""], flags="A")

    # --- no SYN first: used as they are ---
    c = Conn()
    c.seq = ISN + 1
    write("badcookie", [c.frame("PA", ack=0x12345678, payload=get(b"/bad")),
                        c.frame("FA", ack=0x0badc0de)])

    # --- malformed: every frame must be dropped as malformed ---
    good = Conn().frame("PA", ack=1, payload=get(b"/m"), advance=False)
    good6 = Conn(v6=True).frame("PA", ack=1, payload=get(b"/m6"), advance=False)
    mal = []
    mal.append(good[:10])                          # shorter than Ethernet
    mal.append(good[:14])                          # Ethernet only
    mal.append(good[:14 + 19])                     # IPv4 header cut
    mal.append(good[:14 + 20 + 19])                # TCP header cut
    b = bytearray(good); b[14] = 0x44; mal.append(bytes(b))        # IHL 4
    b = bytearray(good); b[16:18] = (len(good) - 14 + 10).to_bytes(2, "big")
    mal.append(bytes(b))                           # total length > frame
    b = bytearray(good); b[16:18] = (20 + 10).to_bytes(2, "big")
    mal.append(bytes(b))                           # total length < IP + TCP header
    b = bytearray(good); b[14 + 20 + 12] = 0x40; mal.append(bytes(b))  # doff 4
    b = bytearray(good); b[14 + 20 + 12] = 0xf0
    mal.append(bytes(b[:14 + 20 + 40]))            # doff 60 > segment
    b = bytearray(good); b[14] = 0x65; mal.append(bytes(b))        # version 6 in IPv4
    b = bytearray(good); b[20] = 0x20; mal.append(bytes(b))        # MF fragment
    mal.append(bytes(Ether(src=CMAC, dst=GMAC) / IP(src=C4, dst=S4, id=1) /
                     UDP(sport=1, dport=80) / Raw(b"GET / HTTP/1.1\r\n\r\n")))
    mal.append(bytes(Ether(src=CMAC, dst=GMAC) / ARP(psrc=C4, pdst=S4)))
    mal.append(good6[:14 + 39])                    # IPv6 header cut
    b = bytearray(good6); b[18:20] = (len(good6) - 54 + 1).to_bytes(2, "big")
    mal.append(bytes(b))                           # payload length > frame
    b = bytearray(good6); b[18:20] = b"\x00\x00"; mal.append(bytes(b))  # jumbo
    mal.append(good6[:14 + 40 + 10])               # TCP cut (IPv6), lengths fixed below
    b = bytearray(mal[-1]); b[18:20] = (10).to_bytes(2, "big"); mal[-1] = bytes(b)
    mal.append(bytes(Ether(src=CMAC, dst=GMAC) / IPv6(src=C6, dst=S6) /
                     IPv6ExtHdrHopByHop() / UDP(sport=1, dport=80)))
    write("malformed", mal)

    # --- fuzz seeds ---
    c = Conn(tags=[(0x88a8, 100), (0x8100, 10)])
    c6 = Conn(v6=True, ext=True)
    write_seeds(
        {"syn_qinq": c.syn(1460),
         "syn6_ext": c6.syn(1440),
         "get_ipopts": Conn(ipopts=[IPOption(b"\x94\x04\x00\x00")]).frame(
             "PA", ack=1, payload=get(b"/x"), advance=False),
         "ipv6_trunc": mal[-4]},
        {"get": (0, 0, 64240, get(b"/path?q=1")),
         "get_v6_qinq": (1 | 2 << 1 | 4 << 3, 0, 64240, get(b"/v6", host=b"[2001:db8::1]")),
         "head_fin": (0, 1, 64240, get(b"/h", method=b"HEAD")),
         "probe": (0, 0, 64240, get(b"/generate_204")),
         "absolute": (0, 0, 1000, b"GET http://a.example/x HTTP/1.1\r\n\r\n"),
         "prefix": (0, 0, 64240, b"GE"),
         "tls": (0, 0, 64240, hello[:64]),
         "escape": (0 << 3, 0, 64240, get(b"/a\"b<c>'d&e", host=b"e.x"))})


if __name__ == "__main__":
    main()
