// SPDX-License-Identifier: GPL-2.0
/*
 * garden.c - gate511ctl garden add|del|list: prefixes (CIDR[:PORTS]) and
 * names (NAME[:PORTS], *.NAME); garden list shows both, the names with the
 * addresses learned for each and the seconds they have left.
 */
#include <stdio.h>
#include <stdlib.h>
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

/* "added ENTRY" / "deleted ENTRY", or {"result": "ok", "added": ENTRY} */
static int garden_done(const struct gctl *g, const char *sub, const char *text)
{
	const char *what = sub[0] == 'a' ? "added" : "deleted";

	if (g->json) {
		jw_start_object(g->jw);
		jw_string_field(g->jw, "result", "ok");
		jw_string_field(g->jw, what, text);
		jw_end_object(g->jw);
	} else {
		printf("%s %s\n", what, text);
	}
	return EXIT_OK;
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
	return garden_done(g, sub, text);
}

static const char *const garden_subs[] = { "add", "del", "list", NULL };

static int garden_list(const struct gctl *g)
{
	struct rpc_call call = { .type = G511_CTL_GARDEN_LIST, .reply = G511_CTL_GARDEN,
				 .stream = true };
	struct rpc_call names = { .type = G511_CTL_GNAME_LIST, .reply = G511_CTL_GNAME,
				  .stream = true };
	const struct g511_ctl_garden *v;
	char text[G511_GARDEN_STRLEN];
	size_t i;
	int ret;

	ret = rpc_call(g, &call);
	if (ret)
		return ret;
	ret = rpc_call(g, &names);
	if (ret) {
		free(call.items);
		return ret;
	}
	v = call.items;
	if (g->json) {
		jw_start_object(g->jw);
		jw_name(g->jw, "garden");
		jw_start_array(g->jw);
		for (i = 0; i < call.n; i++)
			print_garden_json(g->jw, &v[i]);
		jw_end_array(g->jw);
		gname_print_json(g->jw, names.items, names.n);
		jw_end_object(g->jw);
	} else {
		printf("%-50s %s\n", "ENTRY", "SOURCE");
		for (i = 0; i < call.n; i++) {
			garden_format(&v[i].key, &v[i].val, text, sizeof(text));
			printf("%-50s %s\n", text,
			       v[i].source == G511_GARDEN_SRC_CONFIG ? "config" : "runtime");
		}
		gname_print_text(names.items, names.n);
	}
	free(call.items);
	free(names.items);
	return EXIT_OK;
}

int garden_cmd(const struct gctl *g, const struct cmd *c, int argc, char **argv)
{
	struct g511_ctl_garden req = { 0 };
	struct rpc_call call = { .body = &req, .reply = G511_CTL_OK };
	const char *sub = NULL;
	char text[G511_GARDEN_STRLEN];
	size_t len = strlen(argv[0]);
	int ret, k;

	for (k = 0; garden_subs[k]; k++) {
		if (strncmp(argv[0], garden_subs[k], len) == 0) {
			if (sub)
				return usage_error(g, c, "ambiguous '%s'", argv[0]);
			sub = garden_subs[k];
		}
	}
	if (!sub && strcmp(argv[0], "delete") == 0)
		sub = "del";
	if (!sub)
		return usage_error(g, c, "unknown garden command '%s'", argv[0]);

	if (strcmp(sub, "list") == 0) {
		if (argc != 1)
			return usage_error(g, c, "garden list takes no argument");
		return garden_list(g);
	}
	if (argc != 2)
		return usage_error(g, c, "garden %s takes one CIDR[:PORT[,PORT...]] "
				   "or NAME[:PORT[,PORT...]]", sub);
	if (garden_parse(argv[1], &req.key, &req.val)) {
		struct g511_gname gn;

		if (gname_parse(argv[1], &gn) == 0)
			return gname_cmd(g, sub, &gn);
		return usage_error(g, c, "bad garden entry '%s' (CIDR[:PORT[,PORT...]], "
				   "[IPv6/LEN]:PORT, host bits zero, NAME[:PORTS], *.NAME)",
				   argv[1]);
	}
	if (strcmp(sub, "del") == 0)
		memset(&req.val, 0, sizeof(req.val));	/* the prefix names it */
	call.type = strcmp(sub, "add") == 0 ? G511_CTL_GARDEN_ADD : G511_CTL_GARDEN_DEL;
	ret = rpc_call(g, &call);
	if (ret)
		return ret;
	garden_format(&req.key, &req.val, text, sizeof(text));
	return garden_done(g, sub, text);
}
