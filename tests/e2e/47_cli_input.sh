#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: input gate511ctl must refuse, and what the admin is told.
# Addresses no client sends from (loopback, unspecified, multicast, the
# client prefix's broadcast, the gateway's own) are refused with exit 1
# and leave the map as it was, with the daemon up and with it down; with
# -j every error is one JSON object on stdout and nothing on stderr, with
# the exit status it has without -j; an import the daemon refuses names
# the file's line and the reason (not "Broken pipe") and applies nothing;
# a client twice in one import names both lines; export's in_map and
# last_seen are what the maps hold.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

tb_up q
UP4=10.52.0.2
CTL="$ROOT/build/gate511ctl"
SOCK=$T_TMP/ctl.sock
daemon_conf "$T_TMP/gate511.conf"

# The grants as the map and the daemon (or the pinned maps) see them.
map_keys() { bpftool -j map dump pinned $PIN_DIR/g511_clients | jq -c '[.[].key] | sort'; }
listed() { "$CTL" -s "$SOCK" -j list 2>/dev/null | jq -c '[.grants[].client] | sort'; }
snap() { echo "$(map_keys) $(listed)"; }
# run_ctl ARGS...: gate511ctl with this test's socket; sets RC, OUT, ERR.
run_ctl() {
	"$CTL" -s "$SOCK" "$@" >"$T_TMP/out" 2>"$T_TMP/err"; RC=$?
	OUT=$(cat "$T_TMP/out") ERR=$(cat "$T_TMP/err")
}
# json_error WANT_RC ARGS...: -j ARGS gives exactly one {"error", "code"}
# object on stdout, nothing on stderr, exit WANT_RC, and the same exit
# status as without -j.
json_error() {
	local want=$1 plain; shift
	"$CTL" -s "$SOCK" "$@" >/dev/null 2>&1; plain=$?
	run_ctl -j "$@"
	[ "$RC" -eq "$want" ] && [ "$plain" -eq "$want" ] && [ -z "$ERR" ] &&
		[ "$(printf '%s\n' "$OUT" | jq -s 'length')" = 1 ] &&
		printf '%s\n' "$OUT" | jq -e --argjson c "$want" \
			'(.error | type == "string" and length > 0) and .code == $c' >/dev/null
}

# ---- the daemon down: refused before anything is asked ----
before=$(map_keys)
for bad in 127.0.0.1 127.1.2.3 ::1 224.0.0.1 ff02::1 0.0.0.0 :: 255.255.255.255; do
	run_ctl allow $bad
	check "daemon down: allow $bad refused, exit 1 (got $RC: $ERR)" \
		bash -c "[ $RC -eq 1 ] && [ -z '$OUT' ] && [ -n \"\$1\" ]" _ "$ERR"
	check "daemon down: -j allow $bad is JSON" json_error 1 allow $bad
done
# these need the daemon's config: not running is all the CLI can say
for bad in 10.51.0.255 10.51.0.1; do
	run_ctl allow $bad
	check "daemon down: allow $bad: exit 3, daemon not running (got $RC)" [ $RC -eq 3 ]
done
check "daemon down: the map is unchanged" [ "$(map_keys)" = "$before" ]
check "daemon down: -j list (pinned maps) holds none of them" bash -c \
	"'$CTL' -s '$SOCK' -j list | jq -e '.source == \"pinned-maps\" and (.grants | length == 0)'"
check "daemon down: -j allow 10.51.0.5 is JSON, exit 3" json_error 3 allow 10.51.0.5

daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
up_http_start
check "allow 10.51.0.9 (a grant to keep)" "$CTL" -s "$SOCK" allow 10.51.0.9

# ---- refused by the daemon, the map unchanged ----
before=$(snap)
for bad in 127.0.0.1 ::1 10.51.0.255 10.51.0.0 224.0.0.1 ff02::1 0.0.0.0 :: \
	   10.51.0.1 fd51::1; do
	run_ctl allow $bad
	check "allow $bad refused: exit 1 with the reason (got $RC: $ERR)" \
		bash -c "[ $RC -eq 1 ] && [ -z '$OUT' ] && [ -n \"\$1\" ]" _ "$ERR"
	check "-j allow $bad: JSON, exit 1" json_error 1 allow $bad
done
check "refused addresses: map and list unchanged" [ "$(snap)" = "$before" ]
run_ctl allow 10.51.0.1
check "the gateway's own address: said so" grep -q "gateway's own address" "$T_TMP/err"
run_ctl allow 10.51.0.255
check "the prefix's broadcast: said so" grep -q "broadcast address of a client prefix" "$T_TMP/err"

# ---- -j: every error is one JSON object on stdout ----
check "-j allow X --ttl -5: JSON, exit 1" json_error 1 allow 10.51.0.7 --ttl -5
check "-j allow X --ttl=-5: JSON, exit 1" json_error 1 allow 10.51.0.7 --ttl=-5
check "allow X -j --ttl -5 (-j after the command): JSON" json_error 1 allow 10.51.0.7 -j --ttl -5
check "--bogus -j: JSON, exit 1" json_error 1 --bogus allow 10.51.0.7
check "allow -x X -j (bad option before -j): JSON" json_error 1 allow -x 10.51.0.7
check "allow --ttl (missing value): JSON" json_error 1 allow 10.51.0.7 --ttl
check "-j with no command: JSON, exit 1" json_error 1
check "-j unknown command: JSON, exit 1" json_error 1 frobnicate
check "-j allow 10.51.0.300: JSON, exit 1" json_error 1 allow 10.51.0.300
check "-j deny of a client without a grant (daemon ERROR): JSON, exit 2" json_error 2 deny 10.51.0.77
check "-j garden del of an entry that is not there (daemon ERROR): JSON, exit 2" \
	json_error 2 garden del 192.0.2.0/24
check "-j import of a missing file: JSON, exit 1" json_error 1 import "$T_TMP/nope.txt"
check "-p (pretty) error: one JSON object" json_error 1 -p allow 10.51.0.7 --ttl -5
check "the bad --ttl granted nothing" [ "$(snap)" = "$before" ]

# ---- import: a daemon-side refusal names the line and applies nothing ----
# Line 17 is one the CLI's parser accepts but the daemon refuses (the
# gateway's own address); 2000 lines follow, more than the socket buffers,
# so the daemon closes while the CLI is still sending (the old "Broken pipe").
gen_import() { # FILE BADLINE-TEXT
	/usr/bin/python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("# a site's grants\n")
    for i in range(15):
        f.write("10.51.%d.%d ttl=1h\n" % (100 + i // 200, 1 + i % 200))
    f.write(sys.argv[2] + "\n")
    for i in range(15, 2015):
        f.write("10.51.%d.%d ttl=1h\n" % (100 + i // 200, 1 + i % 200))
PY
}
gen_import "$T_TMP/own.txt" "10.51.0.1 ttl=1h"
run_ctl import "$T_TMP/own.txt"
check "import, gateway's own address on line 17: exit 1 (got $RC)" [ $RC -eq 1 ]
check "... names the file, line 17, the client and why ($ERR)" \
	grep -q "own.txt line 17: 10.51.0.1: the gateway's own address" "$T_TMP/err"
check_not "... not Broken pipe" grep -qi "broken pipe" "$T_TMP/err"
check "... nothing applied (map and list unchanged)" [ "$(snap)" = "$before" ]
run_ctl -j import "$T_TMP/own.txt"
check "-j import refused: JSON with the line, nothing on stderr" bash -c \
	"[ $RC -eq 1 ] && [ -z \"\$2\" ] && printf '%s' \"\$1\" | jq -e '.code == 1 and (.error | test(\"line 17: 10.51.0.1\"))'" \
	_ "$OUT" "$ERR"
gen_import "$T_TMP/quota.txt" "10.51.9.9 ttl=1h rate-down=200G"
run_ctl import "$T_TMP/quota.txt"
check "import, a rate the datapath cannot police on line 17: exit 1 (got $RC)" [ $RC -eq 1 ]
check "... names line 17 and why ($ERR)" grep -q "quota.txt line 17: 10.51.9.9: rate above 100 Gbit/s" "$T_TMP/err"
check "... nothing applied" [ "$(snap)" = "$before" ]
printf '10.51.7.1\n10.51.0.255 ttl=1h\n' | "$CTL" -s "$SOCK" import - >/dev/null 2>"$T_TMP/err"; rc=$?
check "import from stdin, broadcast on line 2: exit 1 (got $rc)" [ $rc -eq 1 ]
check "... 'standard input line 2'" grep -q "standard input line 2: 10.51.0.255: the broadcast" "$T_TMP/err"
check "... nothing applied" [ "$(snap)" = "$before" ]
printf '10.51.7.1\n127.0.0.1 ttl=1h\n' > "$T_TMP/loop.txt"
run_ctl import "$T_TMP/loop.txt"
check "import with loopback: refused by the file check, line 2 (got $RC: $ERR)" \
	bash -c "[ $RC -eq 1 ] && grep -q 'loop.txt line 2: 127.0.0.1: a loopback' '$T_TMP/err'"

# ---- the same client twice in one import ----
printf '10.51.8.1\n10.51.8.2\nfd51::5 ttl=1h\n10.51.8.3\n# x\n\n10.51.8.4\n10.51.8.5\nfd51:0:0::5 idle=10m\n' \
	> "$T_TMP/dup.txt"
run_ctl import "$T_TMP/dup.txt"
check "duplicate client: exit 1 (got $RC)" [ $RC -eq 1 ]
check "... both line numbers ($ERR)" grep -q "dup.txt line 9: fd51::5 already on line 3" "$T_TMP/err"
check "... nothing applied" [ "$(snap)" = "$before" ]
printf '02:51:00:00:00:aa\n02-51-00-00-00-AA ttl=1h\n' > "$T_TMP/dupmac.txt"
run_ctl import "$T_TMP/dupmac.txt"
check "duplicate MAC (other case and separator): line 2 and 1 ($ERR)" \
	bash -c "[ $RC -eq 1 ] && grep -q 'line 2: 02:51:00:00:00:aa already on line 1' '$T_TMP/err'"
# The daemon checks too, for a client that does not: the protocol by hand
# (struct g511_ctl_grant_req is 664 bytes; ttl 3600 with F_TTL).
/usr/bin/python3 - "$SOCK" >"$T_TMP/raw.out" 2>&1 <<'PY'
import socket, struct, sys
def msg(t, body=b""):
    return struct.pack("=IHHII", 0x67353131, 2, t, 16 + len(body), 7) + body
def item(last):
    client = struct.pack("=B3x16s", 1, bytes(10) + b"\xff\xff" + bytes([10, 51, 8, last]))
    body = client + struct.pack("=IQ", 1, 3600)
    return body + bytes(664 - len(body))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(msg(12) + msg(13, item(7)) + msg(13, item(8)) + msg(13, item(7)) +
          msg(14, struct.pack("=II", 3, 0)))
rep = b""
while len(rep) < 16 + 248:
    d = s.recv(4096)
    if not d:
        break
    rep += d
t = struct.unpack("=IHHII", rep[:16])[2]
code = struct.unpack("=i", rep[16:20])[0]
print(t, code, rep[24:264].split(b"\0")[0].decode())
PY
check "daemon: the same client twice in an import is an ERROR naming both items ($(cat "$T_TMP/raw.out"))" \
	grep -q "^65 22 import item 3: 10.51.8.7: the same client as item 1" "$T_TMP/raw.out"
check "... nothing applied" [ "$(snap)" = "$before" ]
printf '10.51.8.1 ttl=1h\nfd51::5 ttl=1h\n' > "$T_TMP/good.txt"
check "a good import is applied" "$CTL" -s "$SOCK" import "$T_TMP/good.txt"
check "... both grants in the map" bash -c "[ \"\$(bpftool -j map dump pinned $PIN_DIR/g511_clients | jq length)\" -eq 3 ]"

# ---- export: in_map and last_seen are facts of the maps ----
exported() { # CLIENT JQ-FILTER: the export's grant of CLIENT satisfies the filter
	"$CTL" -s "$SOCK" -j export | jq -e --arg c "$1" ".grants[] | select(.client == \$c) | $2"
}
check "allow 10.51.0.2" "$CTL" -s "$SOCK" allow 10.51.0.2
check "export: a grant never seen has in_map true, last_seen null" \
	exported 10.51.0.2 '.in_map == true and .last_seen == null'
t0=$(date +%s)
check "granted client reaches upstream" [ "$(http_code)" = 200 ]
t1=$(date +%s)
check "export: after traffic in_map true, last_seen in [$t0, $t1]" \
	exported 10.51.0.2 ".in_map == true and .last_seen >= $((t0 - 1)) and .last_seen <= $((t1 + 1)) and .packets > 0"
check "export: 10.51.0.9 (no traffic) last_seen null" exported 10.51.0.9 '.in_map == true and .last_seen == null'
# Behind the daemon's back: the map entry goes, the DB grant stays. The
# daemon puts it back only at start (reconcile), so this holds until then.
check "bpftool deletes 10.51.0.2's map entry" map_revoke "$(hexkey_v4 10.51.0.2)"
check "export: in_map false, last_seen null once the entry is gone" \
	exported 10.51.0.2 '.in_map == false and .last_seen == null and .packets == 0'
check "list says the same" bash -c "'$CTL' -s '$SOCK' -j list | jq -e '.grants[] | select(.client == \"10.51.0.2\") | .in_map == false'"
check "show: in maps: no" bash -c "'$CTL' -s '$SOCK' show 10.51.0.2 | grep -q 'in maps: *no'"
check "text export still has the DB grant" bash -c "'$CTL' -s '$SOCK' export | grep -q '^10.51.0.2 expires='"
check "the client is captive again (the map is what XDP reads)" [ "$(http_code)" = 511 ]
daemon_stop
daemon_start || t_fail "daemon restarts"
check "after a restart (reconcile) export: in_map true again" exported 10.51.0.2 '.in_map == true'
daemon_stop
t_summary
