// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_conf.c - libFuzzer target for the config parser (conf_parse in
 * user/lib/conf.c) on an exact-size heap copy of the input.
 *
 * Checked: it returns 0 or -EINVAL; an error names its line ("line N: ");
 * a parsed config keeps every bound (ports, resolvers, garden entries,
 * terminated strings, canonical garden keys, the config version).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "conf.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct g511_conf conf;
	char err[256];
	char *text;
	unsigned int i;
	int ret;

	text = malloc(size ? size : 1);
	memcpy(text, data, size);
	ret = conf_parse(&conf, text, size, err, sizeof(err));
	free(text);
	check(ret == 0 || ret == -EINVAL);
	if (ret) {
		check(strncmp(err, "line ", 5) == 0);
		return 0;
	}
	check(conf.xdp.version == G511_CONFIG_VERSION);
	check(conf.xdp.n_redirect_ports >= 1 &&
	      conf.xdp.n_redirect_ports <= G511_MAX_REDIRECT_PORTS);
	for (i = 0; i < conf.xdp.n_redirect_ports; i++)
		check(conf.xdp.redirect_ports[i] != 0);
	check(conf.xdp.n_resolvers <= G511_MAX_RESOLVERS);
	check(conf.xdp.n_local_addrs <= G511_MAX_LOCAL_ADDRS);
	check(conf.xdp.https_action <= G511_HTTPS_DROP);
	check(conf.xdp.dns_policy <= G511_DNS_NONE);
	check(conf.xdp.vlan_policy <= G511_VLAN_DROP);
	check(conf.n_garden <= G511_MAX_GARDEN);
	for (i = 0; i < conf.n_garden; i++)
		check(garden_key_valid(&conf.garden[i].key) &&
		      garden_val_valid(&conf.garden[i].val));
	check(memchr(conf.portal_url, 0, sizeof(conf.portal_url)) != NULL);
	check(memchr(conf.template_path, 0, sizeof(conf.template_path)) != NULL);
	check(memchr(conf.state_path, 0, sizeof(conf.state_path)) != NULL);
	check(memchr(conf.ctl_path, 0, sizeof(conf.ctl_path)) != NULL);
	check(memchr(conf.admin_group, 0, sizeof(conf.admin_group)) != NULL);
	check(conf.default_ttl_s <= 10ULL * 366 * 86400);
	check(conf.default_idle_s <= 10ULL * 366 * 86400);
	return 0;
}
