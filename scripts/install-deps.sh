#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages gate511 builds, tests and benchmarks with.
# Idempotent: installs only what is missing, and mounts bpffs if needed.
set -eu

PKGS="clang llvm lld gcc make pkg-config libbpf-dev libxdp-dev xdp-tools bpftool
libpcap-dev libelf-dev zlib1g-dev libsqlite3-dev sqlite3 libclang-rt-14-dev
iproute2 ethtool tcpdump curl wget iperf3 python3 python3-scapy nginx-light wrk
linux-libc-dev procps psmisc util-linux iputils-ping netcat-openbsd jq nftables
libmicrohttpd-dev libgnutls28-dev gnutls-bin openssl
prometheus dnsmasq-base chromium chromium-driver python3-selenium
freeradius freeradius-utils"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages:$missing (run as root)" >&2
		exit 1
	fi
	echo "install-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	# nginx is a benchmark baseline only; never leave it running as a service.
	if command -v systemctl >/dev/null 2>&1; then
		systemctl disable --now nginx >/dev/null 2>&1 || true
	fi
fi

if [ "$(id -u)" = 0 ] && ! mount | grep -q ' /sys/fs/bpf type bpf'; then
	mount -t bpf bpf /sys/fs/bpf
fi
exit 0
