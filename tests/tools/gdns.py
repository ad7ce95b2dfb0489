#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""DNS helpers for tests/e2e/60_garden_dns.sh (bounded: one query, one
connect, a fixed number of frames).

  gdns.py connect RESOLVER NAME SRC PORT [v6]
      Ask RESOLVER (UDP, from SRC) for NAME (A, or AAAA with v6), then at
      once open TCP to the first address of the answer, with a 0.9 s
      timeout: shorter than the initial SYN retransmission timeout (1 s),
      so success means the first SYN passed. Prints "ADDR MS" (ms from the
      answer to the connection up); exit 0 connected, 1 refused/timed out,
      2 no address in the answer.
  gdns.py forge IFACE DSTMAC SRC SPORT DST NAME ADDR TTL [KIND]
      Send one DNS answer "NAME A ADDR" with TTL from SRC:SPORT to DST:40000
      out of IFACE as a raw frame. KIND: udp (default), tcp, frag (two IPv4
      fragments), loop (a compression pointer to itself), trunc (the
      answer cut inside its record), cname (NAME is a CNAME to
      edge.cdnhost.example, whose A is ADDR).
"""
import random
import socket
import struct
import sys
import time


def query(name, qtype):
    qid = random.randrange(65536)
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return qid, struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", qtype, 1)


def skip_name(m, off):
    for _ in range(128):
        b = m[off]
        if b == 0:
            return off + 1
        if b & 0xc0 == 0xc0:
            return off + 2
        off += 1 + b
    raise ValueError("name too long")


def first_addr(m, qtype):
    an = struct.unpack("!H", m[6:8])[0]
    off = skip_name(m, 12) + 4
    for _ in range(min(an, 32)):
        off = skip_name(m, off)
        t, _c, _ttl, rdlen = struct.unpack("!HHIH", m[off:off + 10])
        off += 10
        if t == qtype:
            fam = socket.AF_INET if t == 1 else socket.AF_INET6
            return socket.inet_ntop(fam, m[off:off + rdlen])
        off += rdlen
    return None


def do_connect(resolver, name, src, port, v6):
    qtype = 28 if v6 else 1
    fam = socket.AF_INET6 if ":" in resolver else socket.AF_INET
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((src, 0))
    u.settimeout(2)
    qid, q = query(name, qtype)
    u.sendto(q, (resolver, 53))
    m, _ = u.recvfrom(4096)
    t0 = time.monotonic()
    addr = first_addr(m, qtype)
    if not addr:
        print("- 0")
        return 2
    t = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
    t.bind((src, 0))
    t.settimeout(0.9)
    try:
        t.connect((addr, port))
    except OSError:
        print("%s -1" % addr)
        return 1
    ms = (time.monotonic() - t0) * 1000
    t.close()
    print("%s %.1f" % (addr, ms))
    return 0


def do_forge(iface, dst_mac, src, sport, dst, name, addr, ttl, kind):
    from scapy.all import DNS, DNSQR, DNSRR, Ether, IP, TCP, UDP, Raw, conf, fragment, sendp
    conf.verb = 0
    if kind == "cname":
        an = (DNSRR(rrname=name, type="CNAME", ttl=ttl, rdata="edge.cdnhost.example") /
              DNSRR(rrname="edge.cdnhost.example", type="A", ttl=ttl, rdata=addr))
        dns = DNS(id=7, qr=1, aa=1, rd=1, ra=1, qd=DNSQR(qname=name), an=an)
    else:
        dns = DNS(id=7, qr=1, aa=1, rd=1, ra=1, qd=DNSQR(qname=name),
                  an=DNSRR(rrname=name, type="A", ttl=ttl, rdata=addr))
    payload = bytes(dns)
    if kind == "loop":
        # the answer's owner: a pointer to itself (offset of the record)
        qend = 12 + len(bytes(DNSQR(qname=name)))
        payload = payload[:qend] + struct.pack("!H", 0xc000 | qend) + payload[qend + 2:]
    elif kind == "trunc":
        payload = payload[:len(payload) - 3]
    eth = Ether(dst=dst_mac)
    if kind == "tcp":
        frames = [eth / IP(src=src, dst=dst) /
                  TCP(sport=sport, dport=40000, flags="PA", seq=1, ack=1) /
                  Raw(struct.pack("!H", len(payload)) + payload)]
    elif kind == "frag":
        pkt = IP(src=src, dst=dst) / UDP(sport=sport, dport=40000) / Raw(payload + b"\0" * 64)
        frames = [eth / f for f in fragment(pkt, fragsize=32)]
    else:
        frames = [eth / IP(src=src, dst=dst) / UDP(sport=sport, dport=40000) / Raw(payload)]
    sendp(frames, iface=iface)
    print("sent %d frame(s)" % len(frames))
    return 0


def main(a):
    if len(a) >= 5 and a[1] == "connect":
        return do_connect(a[2], a[3], a[4], int(a[5]), len(a) > 6 and a[6] == "v6")
    if len(a) >= 10 and a[1] == "forge":
        return do_forge(a[2], a[3], a[4], int(a[5]), a[6], a[7], a[8], int(a[9]),
                        a[10] if len(a) > 10 else "udp")
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
