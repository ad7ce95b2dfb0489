// SPDX-License-Identifier: GPL-2.0
/*
 * gname.c - gate511ctl's garden by name: garden add|del NAME[:PORTS] and
 * the names part of garden list (the addresses learned for each, with the
 * seconds they have left).
 */
#include <stdio.h>
#include <string.h>
#include "gate511ctl.h"
#include "gardenname.h"
#include "json_writer.h"

/* The names and the addresses learned for them (after the prefixes). */
void gname_print_text(const struct g511_ctl_gname *v, size_t n)
{
	char text[G511_GNAME_ENTRY_STRLEN], addr[G511_ADDR_STRLEN];
	struct g511_gname g;

	if (!n)
		return;
	printf("\n%-50s %-8s %s\n", "NAME", "SOURCE", "LEARNED (TTL s)");
	for (size_t i = 0; i < n; i++) {
		memset(&g, 0, sizeof(g));
		snprintf(g.name, sizeof(g.name), "%s", v[i].name);
		g.ports = v[i].ports;
		gname_format(&g, text, sizeof(text));
		printf("%-50s %-8s", text,
		       v[i].source == G511_GARDEN_SRC_CONFIG ? "config" : "runtime");
		for (__u32 k = 0; k < v[i].naddrs && k < G511_CTL_GNAME_ADDRS; k++) {
			addr_format(&v[i].addrs[k].addr, addr, sizeof(addr));
			printf(" %s (%u)", addr, v[i].addrs[k].ttl_s);
		}
		if (v[i].naddrs > G511_CTL_GNAME_ADDRS)
			printf(" +%u more", v[i].naddrs - G511_CTL_GNAME_ADDRS);
		if (!v[i].naddrs)
			printf(" -");
		printf("\n");
	}
}

void gname_print_json(struct json_writer *jw, const struct g511_ctl_gname *v, size_t n)
{
	char addr[G511_ADDR_STRLEN];

	jw_name(jw, "names");
	jw_start_array(jw);
	for (size_t i = 0; i < n; i++) {
		jw_start_object(jw);
		jw_string_field(jw, "name", v[i].name);
		jw_name(jw, "ports");
		jw_start_array(jw);
		for (unsigned int k = 0; k < v[i].ports.nports && k < G511_GARDEN_PORTS; k++)
			jw_u64(jw, v[i].ports.ports[k]);
		jw_end_array(jw);
		jw_string_field(jw, "source",
				v[i].source == G511_GARDEN_SRC_CONFIG ? "config" : "runtime");
		jw_u64_field(jw, "learned", v[i].naddrs);
		jw_name(jw, "addresses");
		jw_start_array(jw);
		for (__u32 k = 0; k < v[i].naddrs && k < G511_CTL_GNAME_ADDRS; k++) {
			jw_start_object(jw);
			addr_format(&v[i].addrs[k].addr, addr, sizeof(addr));
			jw_string_field(jw, "addr", addr);
			jw_u64_field(jw, "ttl", v[i].addrs[k].ttl_s);
			jw_end_object(jw);
		}
		jw_end_array(jw);
		jw_end_object(jw);
	}
	jw_end_array(jw);
}

/* garden add|del NAME[:PORTS] */
int gname_cmd(const struct gctl *g, const char *sub, const struct g511_gname *gn)
{
	struct g511_ctl_gname req;
	struct rpc_call call = { .body = &req, .reply = G511_CTL_OK };
	char text[G511_GNAME_ENTRY_STRLEN];
	int ret;

	memset(&req, 0, sizeof(req));
	snprintf(req.name, sizeof(req.name), "%s", gn->name);
	if (strcmp(sub, "add") == 0)
		req.ports = gn->ports;
	call.type = strcmp(sub, "add") == 0 ? G511_CTL_GNAME_ADD : G511_CTL_GNAME_DEL;
	ret = rpc_call(g, &call);
	if (ret)
		return ret;
	gname_format(gn, text, sizeof(text));
	if (g->json) {
		jw_start_object(g->jw);
		jw_string_field(g->jw, "result", "ok");
		jw_string_field(g->jw, sub[0] == 'a' ? "added" : "deleted", text);
		jw_end_object(g->jw);
	} else {
		printf("%s %s\n", sub[0] == 'a' ? "added" : "deleted", text);
	}
	return EXIT_OK;
}
