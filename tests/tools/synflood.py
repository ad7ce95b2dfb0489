#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send N SYNs to DST:80 from spoofed sources 10.51.0.10-249 (inside the
client /24, not owned by the client stack; distinct address/port pairs),
one burst, out of IFACE. Bounded by N."""
import sys
from scapy.all import Ether, IP, TCP, conf, sendp

iface, dst_mac, dst, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
conf.verb = 0
frames = []
for i in range(n):
    src = "10.51.0.%d" % (10 + i % 240)
    frames.append(Ether(src="02:51:00:00:00:02", dst=dst_mac) /
                  IP(src=src, dst=dst) /
                  TCP(sport=1024 + (i // 240) % 64000, dport=80, flags="S", seq=i * 7919,
                      options=[("MSS", 1460)]))
sendp(frames, iface=iface)
print("sent %d SYNs" % n)
