#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check every TCP frame in a pcap that came from SRC_MAC: IPv4 header and
TCP checksums must be complete and right. Prints the count checked and
exits 1 on the first bad one (or when nothing was checked)."""
import sys
from scapy.all import rdpcap, Ether, IP, IPv6, TCP

path, src_mac = sys.argv[1], sys.argv[2].lower()
checked = 0
for pkt in rdpcap(path):
    if Ether not in pkt or pkt[Ether].src.lower() != src_mac or TCP not in pkt:
        continue
    orig = bytes(pkt)
    fresh = pkt.copy()
    if IP in fresh:
        del fresh[IP].chksum
    del fresh[TCP].chksum
    fresh = Ether(bytes(fresh))
    if IP in pkt and pkt[IP].chksum != fresh[IP].chksum:
        print("bad IPv4 checksum: %s" % pkt.summary())
        sys.exit(1)
    if pkt[TCP].chksum != fresh[TCP].chksum:
        print("bad TCP checksum: %s (0x%04x, want 0x%04x)" %
              (pkt.summary(), pkt[TCP].chksum, fresh[TCP].chksum))
        sys.exit(1)
    checked += 1
print("%d frames, all checksums right" % checked)
sys.exit(0 if checked else 1)
