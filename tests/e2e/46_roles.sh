#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: roles on the control socket. The mistake: a login portal's
# account, given the one control group there was, could `garden add
# 0.0.0.0/0` and open the network to every client for good. Now a
# portal_group member may allow, deny, show and list, and nothing else:
# its garden add is refused (exit 5, a message naming the admin role), the
# garden map is unchanged and an unauthenticated client still gets 511.
# admin_group and root may do everything; anyone else nothing. Throwaway
# system users and groups with this run's PID in their names, removed on
# any exit.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_root
for tool in groupadd groupdel useradd userdel runuser; do
	if ! command -v $tool >/dev/null; then
		t_skip "$(basename "$0")" "no $tool"; t_summary; exit 0
	fi
done

GP=g511t-portal-$$ GA=g511t-admin-$$
UP=g511t-pu-$$ UP2=g511t-pu2-$$ UA=g511t-au-$$ UN=g511t-nu-$$
MADE_USERS=() MADE_GROUPS=()
roles_cleanup() {
	local x
	t_cleanup	# stops the daemon and every client first
	for x in "${MADE_USERS[@]}"; do userdel "$x" >/dev/null 2>&1; done
	for x in "${MADE_GROUPS[@]}"; do groupdel "$x" >/dev/null 2>&1; done
	[ -n "${CTL_DIR:-}" ] && rm -rf "$CTL_DIR"
}
trap roles_cleanup EXIT

mk_group() { groupadd --system "$1" && MADE_GROUPS+=("$1"); }
mk_user() { # NAME useradd-options...
	local u=$1; shift
	useradd --system -M -N -s /usr/sbin/nologin "$@" "$u" && MADE_USERS+=("$u")
}
if ! { mk_group "$GP" && mk_group "$GA" &&
	mk_user "$UP" -g "$GP" &&		# portal as primary group
	mk_user "$UP2" -g nogroup -G "$GP" &&	# portal as supplementary group
	mk_user "$UA" -g nogroup -G "$GA" &&	# admin as supplementary group
	mk_user "$UN" -g nogroup; }; then	# in neither
	t_fail "create the test users and groups"; t_summary; exit 1
fi

# gate511ctl where every user can run it; the socket's directory ($T_TMP,
# 0700) traversable, not listable
CTL_DIR=$(mktemp -d /tmp/g511roles.XXXXXX)
chmod 0755 "$CTL_DIR"
install -m 0755 "$ROOT/build/gate511ctl" "$CTL_DIR/gate511ctl"
chmod 0711 "$T_TMP"
SOCK=$T_TMP/ctl.sock
as() { # USER ARGS...: gate511ctl as USER; root runs it directly
	local u=$1; shift
	if [ "$u" = root ]; then "$CTL_DIR/gate511ctl" -s "$SOCK" "$@"
	else runuser -u "$u" -- "$CTL_DIR/gate511ctl" -s "$SOCK" "$@"; fi
}
# rc_is WANT USER ARGS...: exit status WANT; output in $T_TMP/out, err
rc_is() {
	local want=$1; shift
	as "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	[ $? -eq "$want" ]
}
says() { grep -q -- "$1" "$T_TMP/err"; }
garden_dump() { bpftool -j map dump pinned "$PIN_DIR"/g511_garden | jq -S -c 'sort_by(.key)'; }
n_clients() { bpftool -j map dump pinned "$PIN_DIR"/g511_clients | jq length; }

tb_up o
# shellcheck disable=SC2034 # read by http_code
UP4=10.52.0.2
in_cl ip addr add 10.51.0.3/24 dev "$IF_CL"
up_http_start

# ---- an unknown group name is a clear error at start ----
daemon_conf "$T_TMP/gate511.conf" "portal_group = g511t-nosuch-$$" "admin_group = $GA"
timeout 20 nsenter --net="$NS_GW" "$ROOT/build/gate511d" -f -i "$IF_GW" \
	-c "$T_TMP/gate511.conf" >"$T_TMP/once.log" 2>&1; rc=$?
check "unknown portal_group: start refused (exit $rc)" [ $rc -ne 0 ]
check "unknown portal_group: named in the log" grep -q "portal_group g511t-nosuch-$$: no such group" "$T_TMP/once.log"

# ---- both groups ----
daemon_conf "$T_TMP/gate511.conf" "portal_group = $GP" "admin_group = $GA"
daemon_start || { t_fail "daemon starts with portal_group and admin_group"; t_summary; exit 1; }
check "two groups: socket mode 0666, the peer check decides ($(stat -c %a "$SOCK"))" \
	[ "$(stat -c %a "$SOCK")" = 666 ]
check "unauthenticated client: 511" [ "$(http_code)" = 511 ]
G0=$(garden_dump)
check "the garden map can be read ($G0)" [ -n "$G0" ]

for u in "$UP" "$UP2"; do
	check "portal $u: allow 10.51.0.2" rc_is 0 "$u" allow 10.51.0.2
	check "portal $u: the client passes" [ "$(http_code)" = 200 ]
	check "portal $u: show" rc_is 0 "$u" show 10.51.0.2
	check "portal $u: list -j has the grant" bash -c \
		"runuser -u '$u' -- '$CTL_DIR/gate511ctl' -s '$SOCK' -j list | jq -e '.grants | length == 1'"
	check "portal $u: deny" rc_is 0 "$u" deny 10.51.0.2
	check "portal $u: the client is captive again" [ "$(http_code)" = 511 ]
done

# the mistake: the portal's account opens the garden to everything
check "portal: garden add 0.0.0.0/0 exits 5" rc_is 5 "$UP" garden add 0.0.0.0/0
check "portal: the message names the admin role" says "'garden add' needs the admin role (root or admin_group $GA)"
check "portal: garden map unchanged" [ "$(garden_dump)" = "$G0" ]
check "portal: unauthenticated client still 511" [ "$(http_code)" = 511 ]
check "portal: -j garden add: exit 5" rc_is 5 "$UP" -j garden add 0.0.0.0/0
check "portal: -j: the refusal as {\"error\"} on stdout" \
	jq -e '.error | test("needs the admin role")' "$T_TMP/out"
check "portal: the refusal is logged with uid and role" \
	grep -q "refused 'garden add' from uid $(id -u "$UP") .*needs the admin role, has the portal role" \
	"$T_TMP/gate511d.log"
printf '10.51.0.7\n10.51.0.8 ttl=1h\n' > "$T_TMP/one.txt"
seq 1 200 | awk '{ printf "fd51::1:%x ttl=1h user=u%d\n", $1, $1 }' > "$T_TMP/many.txt"
chmod 0644 "$T_TMP/one.txt" "$T_TMP/many.txt"
for c in "garden del 198.51.100.0/24" "garden list" "import $T_TMP/one.txt" \
	 "import $T_TMP/many.txt" export status stats history; do
	# shellcheck disable=SC2086
	check "portal: $c exits 5" rc_is 5 "$UP" $c
	check "portal: $c: says it needs the admin role" says "needs the admin role"
done
check "portal: nothing imported ($(n_clients) in the map)" [ "$(n_clients)" -eq 0 ]
check "portal: garden still unchanged" [ "$(garden_dump)" = "$G0" ]

# in neither group: nothing at all
for c in "list" "show 10.51.0.2" "allow 10.51.0.2" "deny 10.51.0.2" \
	 "garden add 0.0.0.0/0" "import $T_TMP/many.txt" status; do
	# shellcheck disable=SC2086
	check "no role: $c exits 5" rc_is 5 "$UN" $c
	check "no role: $c: says the uid has no role" says "uid $(id -u "$UN") has no role"
done
check "no role: no grant made ($(n_clients))" [ "$(n_clients)" -eq 0 ]
check "no role: garden unchanged" [ "$(garden_dump)" = "$G0" ]
check "no role: unauthenticated client still 511" [ "$(http_code)" = 511 ]

# admin_group (supplementary): everything. The same garden add that was
# refused above really does open the network, so the 511 checks can fail.
check "admin: garden add 0.0.0.0/0" rc_is 0 "$UA" garden add 0.0.0.0/0
check "admin: the garden map changed" [ "$(garden_dump)" != "$G0" ]
check "admin: 0.0.0.0/0 lets the unauthenticated client through" [ "$(http_code)" = 200 ]
check "admin: garden del 0.0.0.0/0" rc_is 0 "$UA" garden del 0.0.0.0/0
check "admin: garden map as before" [ "$(garden_dump)" = "$G0" ]
check "admin: the client is captive again" [ "$(http_code)" = 511 ]
check "admin: import" rc_is 0 "$UA" import "$T_TMP/one.txt"
for c in "garden list" export status stats history list "show 10.51.0.7" "deny 10.51.0.7"; do
	# shellcheck disable=SC2086
	check "admin: $c" rc_is 0 "$UA" $c
done

# root: everything, whatever its groups
check "root: garden add 203.0.113.0/24:443" rc_is 0 root garden add 203.0.113.0/24:443
check "root: garden del 203.0.113.0/24:443" rc_is 0 root garden del 203.0.113.0/24:443
check "root: import" rc_is 0 root import "$T_TMP/many.txt"
check "root: export, status, deny" bash -c \
	"'$CTL_DIR/gate511ctl' -s '$SOCK' export >/dev/null &&
	 '$CTL_DIR/gate511ctl' -s '$SOCK' status >/dev/null &&
	 '$CTL_DIR/gate511ctl' -s '$SOCK' deny 10.51.0.8"
check "root: garden as at the start" [ "$(garden_dump)" = "$G0" ]
daemon_stop

# ---- one group: the file mode is the first fence again ----
daemon_conf "$T_TMP/gate511.conf" "portal_group = $GP"
daemon_start || t_fail "daemon starts with portal_group only"
check "portal_group only: socket 0660 root:$GP" \
	[ "$(stat -c '%a %U %G' "$SOCK")" = "660 root $GP" ]
check "portal_group only: portal lists" rc_is 0 "$UP2" list
check "portal_group only: portal garden add refused (exit 5)" rc_is 5 "$UP2" garden add 0.0.0.0/0
check "portal_group only: says root only has the admin role" says "root only: no admin_group is set"
check "portal_group only: the admin user cannot even connect (exit 5)" rc_is 5 "$UA" garden add 0.0.0.0/0
check "portal_group only: garden unchanged" [ "$(garden_dump)" = "$G0" ]
check "portal_group only: unauthenticated client still 511" [ "$(http_code 10.51.0.3)" = 511 ]
daemon_stop
t_summary
