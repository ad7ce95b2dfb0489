#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make install / make uninstall into a DESTDIR (no root, no network, no
# test bed): the files and their modes, a unit whose paths exist and that
# systemd-analyze accepts, installed programs that run and a config that
# parses once portal_url and interface are set, a reinstall that keeps the
# admin's edits, and an uninstall that leaves exactly the config files.
set -u
. "$(dirname "$0")/../lib.sh"

D=$T_TMP/root
PFX=/usr/local
UNIT=$PFX/lib/systemd/system/gate511d.service
inst() { make -s -C "$ROOT" --no-print-directory DESTDIR="$D" PREFIX=$PFX "$@"; }
files() { (cd "$D" && find . -type f | sed 's|^\.||' | sort); }

# ---- install ----
out=$(inst install 2>&1); rc=$?
check "make install DESTDIR PREFIX=$PFX (rc $rc)" [ $rc = 0 ]
[ $rc = 0 ] || { echo "$out" | tail -5; t_summary; exit 1; }
want=$(printf '%s\n' /etc/default/gate511d /etc/gate511/gate511.conf \
	$PFX/lib/gate511/gate511.bpf.o $UNIT $PFX/sbin/gate511ctl $PFX/sbin/gate511d \
	$PFX/share/gate511/511.html $PFX/share/man/man8/gate511ctl.8 \
	$PFX/share/man/man8/gate511d.8 | sort)
got=$(files)
check "install: exactly the expected files ($(echo "$got" | tr '\n' ' '))" [ "$got" = "$want" ]
check "install: programs 0755" bash -c "[ \$(stat -c %a '$D$PFX/sbin/gate511d') = 755 ] && [ \$(stat -c %a '$D$PFX/sbin/gate511ctl') = 755 ]"
check "install: config 0640 (it may name groups and paths)" [ "$(stat -c %a "$D/etc/gate511/gate511.conf")" = 640 ]
check "install: unit 0644" [ "$(stat -c %a "$D$UNIT")" = 644 ]

# ---- the unit ----
check_not "unit: no @PLACEHOLDER@ left" grep -q '@[A-Z]*@' "$D$UNIT"
check "unit: EnvironmentFile=-/etc/default/gate511d" grep -qx 'EnvironmentFile=-/etc/default/gate511d' "$D$UNIT"
check "unit: ExecStart takes \$GATE511D_OPTS" grep -Eq '^ExecStart=.* \$GATE511D_OPTS$' "$D$UNIT"
check "unit: ExecReload sends SIGHUP to the main PID" grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$D$UNIT"
paths=$(grep -E '^(Exec[A-Za-z]*|EnvironmentFile)=' "$D$UNIT" | grep -o '=-\?/[^ ]*\| -c /[^ ]*' |
	sed 's/^=-\?//; s/^ -c //' | sort -u)
for p in $paths; do
	case $p in
	$PFX/*|/etc/*) check "unit: $p exists under DESTDIR" [ -e "$D$p" ] ;;
	*) check "unit: $p exists on this system" [ -x "$p" ] ;;
	esac
done
check "unit: names at least the daemon and its config" \
	bash -c "grep -qx '$PFX/sbin/gate511d' <<< '$paths' && grep -qx /etc/gate511/gate511.conf <<< '$paths'"
if command -v systemd-analyze >/dev/null; then
	# verify wants the programs at their paths: point a copy at DESTDIR
	mkdir -p "$T_TMP/verify"
	sed "s|$PFX/|$D$PFX/|g; s|=-/etc/|=-$D/etc/|; s| /etc/gate511/| $D/etc/gate511/|g" \
		"$D$UNIT" > "$T_TMP/verify/gate511d.service"
	# only what it says about our unit: it also loads (and may grumble
	# about) whatever else is installed on this machine
	out=$(systemd-analyze verify --man=no "$T_TMP/verify/gate511d.service" 2>&1); rc=$?
	out=$(grep gate511d <<< "$out")
	check "unit: systemd-analyze verify, clean (rc $rc${out:+: $out})" [ $rc = 0 -a -z "$out" ]
else
	t_skip "unit: systemd-analyze verify" "systemd-analyze not installed"
fi

# ---- the installed programs and files ----
check "installed gate511d -V runs" bash -c "'$D$PFX/sbin/gate511d' -V | grep -Eq '^gate511d [0-9]+\.[0-9]+'"
check "installed gate511ctl -h runs" "$D$PFX/sbin/gate511ctl" -h
check "installed gate511d looks for the installed XDP object" \
	bash -c "'$D$PFX/sbin/gate511d' -h | grep -qF '$PFX/lib/gate511/gate511.bpf.o'"
CONF=$D/etc/gate511/gate511.conf
out=$("$D$PFX/sbin/gate511d" -t -c "$CONF" 2>&1)
check "installed config as shipped: refused until portal_url is set" grep -q "no portal URL" <<< "$out"
printf '\ninterface = eth1\nportal_url = https://portal.example.net/login\n' >> "$CONF"
check "installed config with portal_url and interface: gate511d -t ok" \
	"$D$PFX/sbin/gate511d" -t -c "$CONF"
check "installed /etc/default/gate511d: shell syntax, GATE511D_OPTS set" \
	bash -c "set -u; . '$D/etc/default/gate511d' && [ -z \"\$GATE511D_OPTS\" ]"
if command -v man >/dev/null; then
	for m in gate511d gate511ctl; do
		check "installed $m(8) renders without warnings" bash -c \
			"MANWIDTH=80 man --warnings -l '$D$PFX/share/man/man8/$m.8' 2>&1 >/dev/null | { ! grep -q .; }"
	done
else
	t_skip "installed man pages render" "man not installed"
fi

# ---- reinstall keeps the admin's edits ----
echo 'GATE511D_OPTS="-v"' >> "$D/etc/default/gate511d"
cp "$CONF" "$T_TMP/conf.edited"
cp "$D/etc/default/gate511d" "$T_TMP/default.edited"
echo "# stale" >> "$D$UNIT"
out=$(inst install 2>&1); rc=$?
check "reinstall (rc $rc)" [ $rc = 0 ]
check "reinstall: edited gate511.conf kept" cmp -s "$CONF" "$T_TMP/conf.edited"
check "reinstall: edited /etc/default/gate511d kept" cmp -s "$D/etc/default/gate511d" "$T_TMP/default.edited"
check_not "reinstall: the unit is rewritten" grep -q '# stale' "$D$UNIT"
check "reinstall: same file list" [ "$(files)" = "$want" ]

# ---- uninstall ----
out=$(inst uninstall 2>&1); rc=$?
check "make uninstall (rc $rc)" [ $rc = 0 ]
want_left=$(printf '%s\n' /etc/default/gate511d /etc/gate511/gate511.conf)
got=$(files)
check "uninstall: only the config files are left ($(echo "$got" | tr '\n' ' '))" [ "$got" = "$want_left" ]
check "uninstall: says what it kept" bash -c "grep -q 'kept' <<< '$out' && grep -qF '$D/etc/gate511/gate511.conf' <<< '$out' && grep -q state <<< '$out'"
check "uninstall: the package's own directories are gone" \
	bash -c "[ ! -e '$D$PFX/lib/gate511' ] && [ ! -e '$D$PFX/share/gate511' ]"
check "uninstall: the config files are the admin's versions" \
	bash -c "cmp -s '$CONF' '$T_TMP/conf.edited' && cmp -s '$D/etc/default/gate511d' '$T_TMP/default.edited'"
out=$(inst uninstall 2>&1); rc=$?
check "uninstall twice: still fine (rc $rc)" [ $rc = 0 ]

# ---- binaries built for another PREFIX are not installed there ----
D2=$T_TMP/other
out=$(make -s -C "$ROOT" --no-print-directory DESTDIR="$D2" PREFIX=/opt/g511 install 2>&1); rc=$?
check "install PREFIX=/opt/g511 with a /usr/local build: refused (rc $rc)" \
	bash -c "[ $rc != 0 ] && grep -q 'built for another PREFIX' <<< '$out'"
check "install PREFIX=/opt/g511 refused: nothing written" \
	bash -c "[ ! -e '$D2' ] || [ -z \"\$(find '$D2' -type f)\" ]"

t_summary
