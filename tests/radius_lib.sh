# SPDX-License-Identifier: GPL-2.0
# tests/radius_lib.sh - a real FreeRADIUS 3.2 in the upstream namespace for
# the RADIUS e2e scripts (56, 58), sourced after lib.sh and tb_up:
#
#   fr_conf DIR ADDR      a minimal config in DIR listening on ADDR (1812,
#                         1813); the gateway 10.52.0.1 is its client with
#                         $SECRET and require_message_authenticator; the
#                         users file is the caller's (DIR/users);
#                         accounting lines go to DIR/acct.log and one line
#                         per Access-Request (its attributes) to DIR/auth.log
#                         ($FR_CLIENTS: "NAME=ADDR ..." other clients than
#                         the one gateway; $FR_MAX_REQUESTS: more requests
#                         in flight, for the bench; ADDR may be '*')
#   fr_start N / fr_stop N   FreeRADIUS N (DIR = $T_TMP/frN), FRN_PID

fr_conf() {
	local dir=$1 addr=$2 c clients=""
	for c in ${FR_CLIENTS:-gw=10.52.0.1}; do
		clients+="client ${c%%=*} {
	ipaddr = ${c#*=}
	secret = $SECRET
	require_message_authenticator = yes
}
"
	done
	mkdir -p "$dir/log" "$dir/run" "$dir/mods-config"
	: > "$dir/dictionary"
	: > "$dir/acct_users"
	cat > "$dir/radiusd.conf" <<EOC
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = $dir/log
raddbdir = $dir
radacctdir = $dir/log
name = freeradius
confdir = $dir
modconfdir = $dir/mods-config
certdir = $dir
cadir = $dir
run_dir = $dir/run
db_dir = $dir
libdir = /usr/lib/freeradius
pidfile = $dir/run/radiusd.pid
max_request_time = 30
cleanup_delay = 2
max_requests = ${FR_MAX_REQUESTS:-16384}
hostname_lookups = no
log {
	destination = files
	file = $dir/log/radius.log
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
${clients}thread pool {
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 4
	max_requests_per_server = 0
}
modules {
	files {
		filename = $dir/users
		acctusersfile = $dir/acct_users
	}
	pap {
	}
	linelog acctlog {
		filename = $dir/acct.log
		format = "status=%{Acct-Status-Type} sid=%{Acct-Session-Id} cause=%{%{Acct-Terminate-Cause}:-none} in=%{%{Acct-Input-Octets}:-0} time=%{%{Acct-Session-Time}:-0} delay=%{%{Acct-Delay-Time}:-0} class=%{%{Class}:-none} user=%{%{User-Name}:-none} nas=%{NAS-Identifier} ip=%{%{Framed-IP-Address}:-none} porttype=%{%{NAS-Port-Type}:-none}"
	}
	linelog authlog {
		filename = $dir/auth.log
		format = "user=%{User-Name} nas=%{NAS-Identifier} nasip=%{%{NAS-IP-Address}:-none} service=%{Service-Type} porttype=%{NAS-Port-Type} ip=%{%{Framed-IP-Address}:-none} ip6=%{%{Framed-IPv6-Address}:-none} calling=%{%{Calling-Station-Id}:-none} called=%{%{Called-Station-Id}:-none} sid=%{%{Acct-Session-Id}:-none} ma=%{%{Message-Authenticator}:-none}"
	}
}
# FreeRADIUS before 3.2.5 adds no Message-Authenticator to its replies
# by itself; gate511 requires one (BLASTRADIUS), so the config asks for it.
server default {
	listen {
		type = auth
		ipaddr = $addr
		port = 1812
	}
	listen {
		type = acct
		ipaddr = $addr
		port = 1813
	}
	authorize {
		authlog
		files
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
	}
	post-auth {
		update reply {
			Message-Authenticator := 0x00
		}
		Post-Auth-Type REJECT {
			update {
				&reply: !* ANY
			}
			update reply {
				Reply-Message := "access denied"
				Message-Authenticator := 0x00
			}
		}
	}
	preacct {
	}
	accounting {
		acctlog
		update reply {
			Message-Authenticator := 0x00
		}
	}
}
EOC
}

FR1_PID="" FR2_PID=""
# fr_start N: FreeRADIUS N in the foreground (-f), as root (-X would log
# every packet; -f -l keeps the log in the file)
fr_ready() { grep -q "Ready to process requests" "$1/log/radius.log" 2>/dev/null; }
fr_start() {
	local dir=$T_TMP/fr$1
	: > "$dir/log/radius.log"
	bg_ns "$NS_UP" freeradius -f -d "$dir"
	eval "FR$1_PID=$LAST_PID"
	wait_for 10 fr_ready "$dir"
}
fr_stop() {
	local v=FR$1_PID
	[ -n "${!v}" ] && bg_stop "${!v}"
	eval "FR$1_PID="
}
