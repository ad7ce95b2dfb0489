#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: what a reload says, and the portal-reachability warning.
# A portal outside the garden is warned about at start (and really is out
# of reach: the client gets the 511 page for it); a SIGHUP names each key
# that changed and nothing else; an identical file says "no changes"; a
# restart-only key is kept and says so; once the portal's address is in the
# garden the warning goes and the client reaches it. gate511d -t warns too,
# and a resolver that never answers costs the bounded wait, not a hang.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root

tb_up l
UP4=10.52.0.2
LOG=$T_TMP/gate511d.log
CONF=$T_TMP/gate511.conf
P1=http://$UP4/login
P2=http://10.52.0.3/login

PORTAL=$P1 daemon_conf "$CONF" "garden = 192.0.2.0/24" "garden = 198.51.100.0/24:443"
up_http_start

# since LINE: the log from line LINE+1 on
since() { tail -n +"$(( $1 + 1 ))" "$LOG"; }
mark() { wc -l < "$LOG"; }
# checked LINE: the portal check after LINE has ended (one verdict logged)
checked() { since "$1" | grep -Eq "portal .*(reachable before login|cannot check)"; }
# hup: SIGHUP, then wait until the reload and the portal check after it are logged
hup() {
	local m; m=$(mark)
	kill -HUP "$DAEMON_PID"
	wait_for 10 bash -c "tail -n +$((m + 1)) '$LOG' | grep -q ': reloaded'" &&
		wait_for 10 checked "$m"
}
changes() { since "$1" | grep -o 'reload: .*'; }

# ---- start: the portal is in no garden entry ----
daemon_start || { t_fail "daemon starts"; t_summary; exit 1; }
check "start: the portal check ran" wait_for 10 checked 0
check "start: warns the portal is out of reach before login" \
	grep -q "portal $P1 is not reachable before login: $UP4 port 80 is in no garden entry; add \`garden = $UP4:80\`" "$LOG"
check "start: and it is (the client gets the 511 page for the portal)" [ "$(http_code)" = 511 ]

# ---- reload: portal_url changed, a garden entry added, one removed ----
PORTAL=$P2 daemon_conf "$CONF" "garden = 198.51.100.0/24:443" "garden = 203.0.113.0/24:80"
m=$(mark)
check "reload 1: applied" hup
got=$(changes "$m")
want=$(printf '%s\n' "reload: portal_url: $P1 -> $P2" \
	"reload: garden: + 203.0.113.0/24:80, - 192.0.2.0/24")
check "reload 1: one line per change and nothing else ($(echo "$got" | tr '\n' '|'))" \
	[ "$got" = "$want" ]
check "reload 1: the new portal is warned about" \
	bash -c "tail -n +$((m + 1)) '$LOG' | grep -q 'portal $P2 is not reachable before login'"

# ---- reload of the identical file ----
m=$(mark)
check "reload 2 (same file): applied" hup
check "reload 2 (same file): \"no changes\", alone ($(changes "$m" | tr '\n' '|'))" \
	[ "$(changes "$m")" = "reload: no changes" ]

# ---- a restart-only key: kept, said so, not listed as a change ----
sed -i "s|^state_db = .*|state_db = $T_TMP/other.db|" "$CONF"
m=$(mark)
check "reload 3 (state_db): applied" hup
check "reload 3 (state_db): takes effect at restart" \
	bash -c "tail -n +$((m + 1)) '$LOG' | grep -q 'state_db changed: takes effect at restart'"
check "reload 3 (state_db): not listed as applied ($(changes "$m" | tr '\n' '|'))" \
	[ "$(changes "$m")" = "reload: no changes" ]

# ---- listeners and RADIUS start once: kept, said so, status stays true ----
printf '%s\n' "metrics_listen = 127.0.0.1:9549" "radius_server = 10.52.0.9" \
	"radius_secret = s3cret" >> "$CONF"
m=$(mark)
check "reload 3b (metrics_listen, radius_server): applied" hup
check "reload 3b: metrics_listen takes effect at restart" \
	bash -c "tail -n +$((m + 1)) '$LOG' | grep -q 'metrics_listen changed: takes effect at restart'"
check "reload 3b: radius_* takes effect at restart" \
	bash -c "tail -n +$((m + 1)) '$LOG' | grep -q 'radius_\* or acct_\* changed: takes effect at restart'"
check "reload 3b: not listed as applied ($(changes "$m" | tr '\n' '|'))" \
	[ "$(changes "$m")" = "reload: no changes" ]
check "reload 3b: status shows no metrics listener (none runs)" \
	bash -c "$ROOT/build/gate511ctl -s $T_TMP/ctl.sock -j status | jq -e '.listeners.metrics == null'"

# ---- the portal's address into the garden: no warning, and reachable ----
PORTAL=$P1 daemon_conf "$CONF" "garden = $UP4:80" "garden = 198.51.100.0/24:443" \
	"garden = 203.0.113.0/24:80"
m=$(mark)
check "reload 4 (portal in the garden): applied" hup
got=$(changes "$m")
want=$(printf '%s\n' "reload: portal_url: $P2 -> $P1" "reload: garden: + $UP4/32:80")
check "reload 4: the two changes ($(echo "$got" | tr '\n' '|'))" [ "$got" = "$want" ]
check_not "reload 4: no reachability warning" \
	bash -c "tail -n +$((m + 1)) '$LOG' | grep -q 'not reachable before login'"
check "reload 4: says the portal is reachable" \
	bash -c "tail -n +$((m + 1)) '$LOG' | grep -q 'portal $P1: reachable before login'"
check "reload 4: and it is (the unauthenticated client reaches $UP4:80)" [ "$(http_code)" = 200 ]

# ---- a port the garden entry lacks ----
PORTAL=https://$UP4/login daemon_conf "$CONF" "garden = $UP4:80"
m=$(mark)
check "reload 5 (https portal, garden :80 only): applied" hup
check "reload 5: warns about port 443" \
	bash -c "tail -n +$((m + 1)) '$LOG' | grep -q 'garden $UP4/32:80 holds $UP4 but not port 443'"

# ---- a portal on the gateway's own address (local_addrs from the interface) ----
PORTAL=http://10.51.0.1:8080/ daemon_conf "$CONF"
m=$(mark)
check "reload 6 (portal on the gateway): applied" hup
check "reload 6: warns that the gateway's address needs a garden entry too" \
	bash -c "tail -n +$((m + 1)) '$LOG' | grep -q \"10.51.0.1 is the gateway's own address.*add \\\`garden = 10.51.0.1:8080\\\`\""
daemon_stop

# ---- gate511d -t ----
printf 'portal_url = %s\n' "$P2" > "$T_TMP/t.conf"
out=$("$ROOT/build/gate511d" -t -c "$T_TMP/t.conf" 2>&1); rc=$?
check "-t: ok (rc $rc) with the warning" bash -c "[ $rc = 0 ] && grep -q 'portal $P2 is not reachable before login' <<< '$out'"
printf 'portal_url = %s\ngarden = 10.52.0.0/24\n' "$P2" > "$T_TMP/t.conf"
out=$("$ROOT/build/gate511d" -t -c "$T_TMP/t.conf" 2>&1)
check_not "-t: no warning once the garden holds it" grep -q "not reachable" <<< "$out"

# A name: the addresses it resolves to are checked (localhost: /etc/hosts),
# and that clients have no resolver before login is said too.
printf 'portal_url = http://localhost:8080/\n' > "$T_TMP/t.conf"
out=$("$ROOT/build/gate511d" -t -c "$T_TMP/t.conf" 2>&1)
check "-t, a name: its address is checked" grep -q "127.0.0.1 port 8080 is in no garden entry" <<< "$out"
check "-t, a name: no resolver before login is said" grep -q "cannot resolve localhost before login" <<< "$out"

# A resolver that never answers (in a private mount + net namespace, so
# /etc/resolv.conf is ours to replace): the check gives up after its
# deadline and says so; it does not hang.
if command -v unshare >/dev/null; then
	echo "nameserver 127.0.0.1" > "$T_TMP/resolv.conf"
	printf 'portal_url = http://portal.example.org/\n' > "$T_TMP/t.conf"
	out=$(timeout 20 unshare -mn bash -c "
		ip link set lo up
		mount --bind '$T_TMP/resolv.conf' /etc/resolv.conf
		/usr/bin/python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((\"127.0.0.1\", 53)); time.sleep(15)' &
		for i in \$(seq 50); do ss -Hlun 'sport = :53' | grep -q . && break; sleep 0.1; done
		'$ROOT/build/gate511d' -t -c '$T_TMP/t.conf' 2>&1; rc=\$?
		kill \$! 2>/dev/null; exit \$rc" 2>&1); rc=$?
	check "-t, a resolver that never answers: given up on, config ok (rc $rc)" \
		bash -c "[ $rc = 0 ] && grep -q 'resolving portal.example.org: no answer within 2000 ms' <<< '$out'"
else
	t_skip "-t, a resolver that never answers" "no unshare"
fi

t_summary
