#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Control-plane benchmark: grants per second through `gate511ctl import`
# and through single `gate511ctl allow` calls, and the start-up time to
# restore 100k grants into empty maps (a reboot). Baseline, measured in the
# same run on the same test bed: what an nftables portal does for the same
# work, an nft set of IPv4 addresses filled with one `nft -f` and grown with
# single `nft add element` calls (no durability, no expiry, no accounting).
set -u
. "$(dirname "$0")/../tests/lib.sh"
[ "$(id -u)" = 0 ] || { echo "bench/control: needs root" >&2; exit 1; }
command -v nft >/dev/null || { echo "bench/control: nft missing (scripts/install-deps.sh)" >&2; exit 1; }

N=${CONTROL_N:-100000}
SINGLE=${CONTROL_SINGLE:-1000}
tb_up b
daemon_start >/dev/null || exit 1
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

/usr/bin/python3 - "$N" > "$T_TMP/import.txt" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print("10.%d.%d.%d ttl=8h" % (100 + (i >> 16), (i >> 8) & 255, i & 255))
PY
sed -n 's/^\([0-9.]*\) .*/\1/p' "$T_TMP/import.txt" |
	awk 'BEGIN { printf "add element inet g511b clients { " } { printf "%s%s", (NR > 1 ? ", " : ""), $1 } END { print " }" }' \
	> "$T_TMP/nft-elements.nft"

# gate511: import, single allows, restore.
t0=$(now); ctl import "$T_TMP/import.txt" >/dev/null || echo "import failed"; t1=$(now)
g_import=$(secs "$t0" "$t1")
t0=$(now)
for i in $(seq 1 "$SINGLE"); do ctl allow "10.200.$((i / 250)).$((i % 250 + 1))" >/dev/null; done
t1=$(now)
g_single=$(rate "$SINGLE" "$t0" "$t1")
daemon_stop
# A reboot: the program comes back with empty maps; the daemon restores.
in_gw ip link set dev "$IF_GW" xdp off
rm -f $PIN_DIR/g511_*
in_gw ip link set dev "$IF_GW" xdp obj "$ROOT/bpf/gate511.bpf.o" sec xdp
t0=$(now); daemon_start >/dev/null; t1=$(now)
g_restore=$(secs "$t0" "$t1")
in_map=$(bpftool -j map dump pinned $PIN_DIR/g511_clients | jq length)
g_restore_log=$(grep -o 'restored [0-9]* grants.* in [0-9]* ms' "$T_TMP/gate511d.log" | tail -n1)
daemon_stop

# nftables baseline in the gateway namespace.
in_gw nft add table inet g511b
in_gw nft add set inet g511b clients '{ type ipv4_addr; size 262144; }'
t0=$(now); in_gw nft -f "$T_TMP/nft-elements.nft"; t1=$(now)
n_import=$(secs "$t0" "$t1")
t0=$(now)
for i in $(seq 1 "$SINGLE"); do
	in_gw nft add element inet g511b clients "{ 10.200.$((i / 250)).$((i % 250 + 1)) }"
done
t1=$(now)
n_single=$(rate "$SINGLE" "$t0" "$t1")
in_gw nft delete table inet g511b

echo "Control plane: $N grants (gate511: SQLite WAL commit + map; nft: set element only)"
printf '%-38s %12s %12s %8s\n' "" "gate511" "nft set" "ratio"
printf '%-38s %11ss %11ss %7.2fx\n' "import $N grants (one transaction)" "$g_import" "$n_import" \
	"$(awk -v a="$g_import" -v b="$n_import" 'BEGIN { print a / b }')"
printf '%-38s %12s %12s %7.2fx\n' "  grants/s" "$(awk -v n=$N -v t="$g_import" 'BEGIN { printf "%.0f", n / t }')" \
	"$(awk -v n=$N -v t="$n_import" 'BEGIN { printf "%.0f", n / t }')" \
	"$(awk -v a="$n_import" -v b="$g_import" 'BEGIN { print a / b }')"
printf '%-38s %12s %12s %7.2fx\n' "single CLI calls/s ($SINGLE, sequential)" "$g_single" "$n_single" \
	"$(awk -v a="$g_single" -v b="$n_single" 'BEGIN { print a / b }')"
printf '%-38s %11ss %12s\n' "restore $N grants after a reboot" "$g_restore" "(nft: none)"
echo "  daemon: $g_restore_log; entries in g511_clients: $in_map"
echo "goals: import of 100k under 2 s ($g_import s), restore under 2 s ($g_restore s)"
