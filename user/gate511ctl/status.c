// SPDX-License-Identifier: GPL-2.0
/*
 * status.c - gate511ctl status: the daemon, its links, responder,
 * listeners and the state database, as text or -j.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "addr.h"
#include "duration.h"
#include "gate511ctl.h"
#include "json_writer.h"

int status_cmd(const struct gctl *g)
{
	struct rpc_call call = { .type = G511_CTL_STATUS, .reply = G511_CTL_STATUS_REPLY };
	const struct g511_ctl_status *st = &call.msg.body.status;
	char t[32], ttl[32], idle[32], addr[G511_ADDR_STRLEN];
	unsigned int i;
	int ret;

	ret = rpc_call(g, &call);
	if (ret)
		return ret;
	if (g->json) {
		struct json_writer *jw = g->jw;

		jw_start_object(jw);
		jw_bool_field(jw, "running", true);
		jw_string_field(jw, "version", st->version);
		jw_u64_field(jw, "pid", st->pid);
		jw_u64_field(jw, "started", st->started_wall);
		jw_u64_field(jw, "uptime", st->now_wall > st->started_wall ?
			     st->now_wall - st->started_wall : 0);
		jw_name(jw, "interfaces");
		jw_start_array(jw);
		for (i = 0; i < st->n_ifaces; i++)
			jw_string(jw, st->ifaces[i]);
		jw_end_array(jw);
		/* what each link is doing (gate511d(8), LINKS) */
		jw_name(jw, "links");
		jw_start_array(jw);
		for (i = 0; i < st->n_ifaces; i++) {
			jw_start_object(jw);
			jw_string_field(jw, "name", st->ifaces[i]);
			jw_string_field(jw, "state", ctl_link_state_name(st->iface_state[i]));
			if (st->iface_prog[i])
				jw_u64_field(jw, "prog_id", st->iface_prog[i]);
			else
				jw_null_field(jw, "prog_id");
			jw_end_object(jw);
		}
		jw_end_array(jw);
		jw_u64_field(jw, "address_grants", st->n_clients);
		jw_u64_field(jw, "clients_max", st->clients_max);
		jw_u64_field(jw, "mac_grants", st->n_macs);
		jw_u64_field(jw, "macs_max", st->macs_max);
		jw_u64_field(jw, "garden_entries", st->n_garden);
		jw_u64_field(jw, "session_timeout", st->default_ttl_s);
		jw_u64_field(jw, "idle_timeout", st->default_idle_s);
		jw_string_field(jw, "portal_url", st->portal_url);
		jw_string_field(jw, "state_db", st->state_path);
		jw_string_field(jw, "config", st->conf_path);
		jw_name(jw, "responder");
		jw_start_object(jw);
		jw_u64_field(jw, "sockets", st->xsk_sockets);
		jw_u64_field(jw, "zerocopy", st->xsk_zerocopy);
		jw_u64_field(jw, "rx", st->resp_rx);
		jw_u64_field(jw, "tx", st->resp_tx);
		jw_u64_field(jw, "synack", st->resp_synack);
		jw_u64_field(jw, "http_511", st->resp_511);
		jw_u64_field(jw, "http_302", st->resp_302);
		jw_u64_field(jw, "rst", st->resp_rst);
		jw_u64_field(jw, "silent", st->resp_silent);
		jw_u64_field(jw, "lost", st->resp_lost);
		jw_u64_field(jw, "rx_dropped", st->resp_rx_dropped);
		jw_end_object(jw);
		/* the network-facing listeners, null when off */
		jw_name(jw, "listeners");
		jw_start_object(jw);
		for (i = 0; i < G511_LISTENER__MAX; i++) {
			const struct g511_ctl_listener *l = &st->listeners[i];

			if (!l->on) {
				jw_null_field(jw, ctl_listener_name(i));
				continue;
			}
			addr_format(&l->addr, addr, sizeof(addr));
			jw_name(jw, ctl_listener_name(i));
			jw_start_object(jw);
			jw_string_field(jw, "address", addr);
			jw_u64_field(jw, "port", l->port);
			jw_bool_field(jw, "tls", l->tls);
			jw_end_object(jw);
		}
		jw_end_object(jw);
		if (st->capport_uri[0])
			jw_string_field(jw, "capport_uri", st->capport_uri);
		else
			jw_null_field(jw, "capport_uri");
		jw_end_object(jw);
		return EXIT_OK;
	}
	print_time(st->started_wall, t, sizeof(t));
	duration_format(st->now_wall > st->started_wall ?
			st->now_wall - st->started_wall : 0, ttl, sizeof(ttl));
	printf("gate511d %s, pid %u, running since %s (%s)\n", st->version,
	       st->pid, t, ttl);
	printf("interfaces:      ");
	for (i = 0; i < st->n_ifaces; i++) {
		printf("%s%s (%s", i ? ", " : "", st->ifaces[i],
		       ctl_link_state_name(st->iface_state[i]));
		if (st->iface_prog[i])
			printf(", prog %u", st->iface_prog[i]);
		printf(")");
	}
	printf("%s\n", st->n_ifaces ? "" : "-");
	printf("address grants:  %u of %u\n", st->n_clients, st->clients_max);
	printf("MAC grants:      %u of %u\n", st->n_macs, st->macs_max);
	printf("garden entries:  %u\n", st->n_garden);
	duration_format(st->default_ttl_s, ttl, sizeof(ttl));
	duration_format(st->default_idle_s, idle, sizeof(idle));
	printf("defaults:        session %s, idle %s\n",
	       st->default_ttl_s ? ttl : "none", st->default_idle_s ? idle : "none");
	printf("portal:          %s\n", st->portal_url);
	printf("state db:        %s\n", st->state_path);
	printf("config:          %s\n", st->conf_path[0] ? st->conf_path : "-");
	printf("responder:       %u socket%s (%u zero-copy)\n", st->xsk_sockets,
	       st->xsk_sockets == 1 ? "" : "s", st->xsk_zerocopy);
	printf("  frames:        %llu in, %llu out, %llu dropped by the kernel, "
	       "%llu replies lost\n", (unsigned long long)st->resp_rx,
	       (unsigned long long)st->resp_tx, (unsigned long long)st->resp_rx_dropped,
	       (unsigned long long)st->resp_lost);
	printf("  answers:       %llu SYN-ACK, %llu 511, %llu 302, %llu RST, %llu silent\n",
	       (unsigned long long)st->resp_synack, (unsigned long long)st->resp_511,
	       (unsigned long long)st->resp_302, (unsigned long long)st->resp_rst,
	       (unsigned long long)st->resp_silent);
	for (i = 0; i < G511_LISTENER__MAX; i++) {
		const struct g511_ctl_listener *l = &st->listeners[i];
		int pad = 15 - (int)strlen(ctl_listener_name(i));

		printf("%s:%*s ", ctl_listener_name(i), pad > 0 ? pad : 0, "");
		if (!l->on) {
			printf("off\n");
			continue;
		}
		addr_format(&l->addr, addr, sizeof(addr));
		printf(addr_is_v4(&l->addr) ? "%s:%u (%s)\n" : "[%s]:%u (%s)\n", addr, l->port,
		       l->tls ? "https" : "http");
	}
	printf("capport URI:     %s\n", st->capport_uri[0] ? st->capport_uri : "-");
	return EXIT_OK;
}
