// SPDX-License-Identifier: GPL-2.0
/*
 * addr.c - parse and print addresses, MACs, clients and garden entries.
 * Everything is bounded: input longer than any valid form is refused before
 * it is copied.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"

static const __u8 v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

bool addr_is_v4(const struct g511_addr *addr)
{
	return memcmp(addr->addr, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
}

int addr_parse(const char *s, struct g511_addr *addr)
{
	struct in_addr in4;
	struct in6_addr in6;

	if (!s || strnlen(s, G511_ADDR_STRLEN) >= G511_ADDR_STRLEN)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &in4) == 1) {
		memcpy(addr->addr, v4mapped_prefix, sizeof(v4mapped_prefix));
		memcpy(addr->addr + 12, &in4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &in6) == 1) {
		memcpy(addr->addr, &in6, 16);
		return 0;
	}
	return -EINVAL;
}

void addr_format(const struct g511_addr *addr, char *buf, size_t len)
{
	char tmp[G511_ADDR_STRLEN];

	if (addr_is_v4(addr))
		inet_ntop(AF_INET, addr->addr + 12, tmp, sizeof(tmp));
	else
		inet_ntop(AF_INET6, addr->addr, tmp, sizeof(tmp));
	snprintf(buf, len, "%s", tmp);
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mac_parse(const char *s, __u8 mac[6])
{
	char sep;
	int i;

	if (!s || strnlen(s, G511_MAC_STRLEN) != G511_MAC_STRLEN - 1)
		return -EINVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hex_digit(p[0]), lo = hex_digit(p[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < 5 && p[2] != sep)
			return -EINVAL;
		mac[i] = hi << 4 | lo;
	}
	return 0;
}

void mac_format(const __u8 mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

bool mac_is_unicast(const __u8 mac[6])
{
	static const __u8 zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

/* Could a client send from this address? */
static bool addr_usable_by_client(const struct g511_addr *addr)
{
	static const __u8 zero[16];

	if (addr_is_v4(addr)) {
		const __u8 *a = addr->addr + 12;

		if (!a[0] && !a[1] && !a[2] && !a[3])
			return false;
		if ((a[0] & 0xf0) == 0xe0)	/* 224.0.0.0/4 */
			return false;
		if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
			return false;
		return true;
	}
	if (memcmp(addr->addr, zero, 16) == 0)
		return false;
	if (addr->addr[0] == 0xff)		/* ff00::/8 */
		return false;
	return true;
}

int client_parse(const char *s, struct g511_client *client)
{
	struct g511_addr addr;
	__u8 mac[6];

	memset(client, 0, sizeof(*client));
	if (mac_parse(s, mac) == 0) {
		if (!mac_is_unicast(mac))
			return -EINVAL;
		client->kind = G511_CLIENT_MAC;
		memcpy(client->key, mac, 6);
		return 0;
	}
	if (addr_parse(s, &addr) == 0) {
		if (!addr_usable_by_client(&addr))
			return -EINVAL;
		client->kind = G511_CLIENT_ADDR;
		memcpy(client->key, addr.addr, 16);
		return 0;
	}
	return -EINVAL;
}

void client_format(const struct g511_client *client, char *buf, size_t len)
{
	struct g511_addr addr;

	switch (client->kind) {
	case G511_CLIENT_ADDR:
		memcpy(addr.addr, client->key, 16);
		addr_format(&addr, buf, len);
		break;
	case G511_CLIENT_MAC:
		mac_format(client->key, buf, len);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

bool client_valid(const struct g511_client *client)
{
	static const __u8 zero[16];

	if (client->pad[0] || client->pad[1] || client->pad[2])
		return false;
	switch (client->kind) {
	case G511_CLIENT_ADDR:
		return true;
	case G511_CLIENT_MAC:
		return memcmp(client->key + 6, zero, 10) == 0;
	default:
		return false;
	}
}

/* Host part of a (an IPv4 address) under an IPv4 prefix net: 1 all ones,
 * -1 all zeros, 0 otherwise or not in it. Only /30 and shorter count. */
static int v4_host_part(const struct g511_addr *a, const struct g511_garden_key *net)
{
	__u32 ip, pfx, mask, plen;

	if (net->prefixlen < 96 || net->prefixlen > 126 ||
	    !addr_is_v4((const struct g511_addr *)net->addr))
		return 0;
	plen = net->prefixlen - 96;
	mask = plen ? 0xffffffffU << (32 - plen) : 0;
	ip = (__u32)a->addr[12] << 24 | a->addr[13] << 16 | a->addr[14] << 8 | a->addr[15];
	pfx = (__u32)net->addr[12] << 24 | net->addr[13] << 16 | net->addr[14] << 8 |
	      net->addr[15];
	if ((ip & mask) != (pfx & mask))
		return 0;
	if ((ip & ~mask) == ~mask)
		return 1;
	return (ip & ~mask) == 0 ? -1 : 0;
}

bool addr_is_loopback(const struct g511_addr *addr)
{
	static const __u8 loop6[16] = { [15] = 1 };

	return (addr_is_v4(addr) && addr->addr[12] == 127) || !memcmp(addr->addr, loop6, 16);
}

bool addr_is_unspecified(const struct g511_addr *addr)
{
	static const __u8 zero[16];

	return !memcmp(addr->addr, zero, 16) ||
	       (addr_is_v4(addr) && !memcmp(addr->addr + 12, zero, 4));
}

int client_grantable(const struct g511_client *client, const struct g511_config *x,
		     const char **why)
{
	const struct g511_addr *a = (const struct g511_addr *)client->key;
	unsigned int i;

	*why = "";
	if (!client_valid(client)) {
		*why = "not a valid client";
		return -EINVAL;
	}
	if (client->kind == G511_CLIENT_MAC) {
		if (mac_is_unicast(client->key))
			return 0;
		*why = "not a unicast MAC: no device sends from it";
		return -EINVAL;
	}
	if (!addr_usable_by_client(a)) {
		*why = "unspecified, multicast or broadcast: no client sends from it";
		return -EINVAL;
	}
	if (addr_is_loopback(a)) {
		*why = "a loopback address: no client sends from it";
		return -EINVAL;
	}
	for (i = 0; x && i < x->n_local_addrs && i < G511_MAX_LOCAL_ADDRS; i++) {
		if (!memcmp(&x->local_addrs[i], a, sizeof(*a))) {
			*why = "the gateway's own address";
			return -EINVAL;
		}
	}
	for (i = 0; x && addr_is_v4(a) && i < x->n_client_nets && i < G511_MAX_CLIENT_NETS;
	     i++) {
		int host = v4_host_part(a, &x->client_nets[i]);

		if (host) {
			*why = host > 0 ? "the broadcast address of a client prefix" :
					  "the network address of a client prefix";
			return -EINVAL;
		}
	}
	return 0;
}

int client_cmp(const struct g511_client *a, const struct g511_client *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return memcmp(a->key, b->key, sizeof(a->key));
}

/* Decimal without sign or leading zeros, at most max. */
static int parse_uint(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int port_cmp(const void *a, const void *b)
{
	return (int)*(const __u16 *)a - (int)*(const __u16 *)b;
}

int garden_ports_parse(const char *s, struct g511_garden_val *val)
{
	const char *p = s;
	unsigned int i;

	memset(val, 0, sizeof(*val));
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		unsigned long port;

		if (val->nports == G511_GARDEN_PORTS)
			return -E2BIG;
		if (parse_uint(p, n, 65535, &port) || port == 0)
			return -EINVAL;
		for (i = 0; i < val->nports; i++)
			if (val->ports[i] == port)
				return -EINVAL;
		val->ports[val->nports++] = port;
		if (!end)
			break;
		p = end + 1;
	}
	qsort(val->ports, val->nports, sizeof(val->ports[0]), port_cmp);
	return 0;
}

static bool prefix_host_bits_zero(const __u8 addr[16], unsigned int plen)
{
	unsigned int i;

	for (i = plen; i < 128; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool garden_key_valid(const struct g511_garden_key *key)
{
	return key->prefixlen <= 128 &&
	       prefix_host_bits_zero(key->addr, key->prefixlen);
}

bool garden_val_valid(const struct g511_garden_val *val)
{
	unsigned int i;

	if (val->nports > G511_GARDEN_PORTS || val->pad)
		return false;
	for (i = 0; i < G511_GARDEN_PORTS; i++) {
		if (i < val->nports && val->ports[i] == 0)
			return false;
		if (i >= val->nports && val->ports[i] != 0)
			return false;
	}
	return true;
}

/* "ADDR[/LEN]" of n bytes into key. */
static int cidr_parse(const char *s, size_t n, struct g511_garden_key *key)
{
	char text[G511_ADDR_STRLEN];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	struct g511_addr addr;
	unsigned long plen;
	bool v4;

	if (alen == 0 || alen >= sizeof(text))
		return -EINVAL;
	memcpy(text, s, alen);
	text[alen] = '\0';
	if (addr_parse(text, &addr))
		return -EINVAL;
	v4 = addr_is_v4(&addr) && !strchr(text, ':');
	if (slash) {
		if (parse_uint(slash + 1, n - alen - 1, v4 ? 32 : 128, &plen))
			return -EINVAL;
	} else {
		plen = v4 ? 32 : 128;
	}
	key->prefixlen = v4 ? 96 + plen : plen;
	memcpy(key->addr, addr.addr, 16);
	if (!prefix_host_bits_zero(key->addr, key->prefixlen))
		return -EINVAL;
	return 0;
}

int garden_parse(const char *s, struct g511_garden_key *key,
		 struct g511_garden_val *val)
{
	const char *cidr = s, *ports = NULL;
	size_t cidr_len;
	int err;

	memset(key, 0, sizeof(*key));
	memset(val, 0, sizeof(*val));
	if (!s || strnlen(s, G511_GARDEN_STRLEN) >= G511_GARDEN_STRLEN)
		return -EINVAL;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			return -EINVAL;
		cidr = s + 1;
		cidr_len = close - cidr;
		if (close[1] == ':')
			ports = close + 2;
		else if (close[1] != '\0')
			return -EINVAL;
		/* brackets are for IPv6 only */
		if (!memchr(cidr, ':', cidr_len))
			return -EINVAL;
	} else {
		const char *colon = strchr(s, ':');

		if (colon && !strchr(colon + 1, ':')) {
			/* one colon: IPv4 with ports */
			cidr_len = colon - s;
			ports = colon + 1;
		} else {
			/* IPv6 without ports, or IPv4 without ports */
			cidr_len = strlen(s);
		}
	}

	err = cidr_parse(cidr, cidr_len, key);
	if (err)
		return err;
	if (ports) {
		err = garden_ports_parse(ports, val);
		if (err)
			return -EINVAL;
	}
	return 0;
}

void garden_format(const struct g511_garden_key *key,
		   const struct g511_garden_val *val, char *buf, size_t len)
{
	char addr[G511_ADDR_STRLEN], ports[8 * 6 + 2] = "";
	struct g511_addr a;
	bool v4;
	unsigned int i, plen = key->prefixlen;
	size_t off = 0;

	memcpy(a.addr, key->addr, 16);
	v4 = plen >= 96 && addr_is_v4(&a);
	addr_format(&a, addr, sizeof(addr));
	if (!v4)	/* ::ffff:0:0/80 and the like stay IPv6 text */
		inet_ntop(AF_INET6, key->addr, addr, sizeof(addr));
	for (i = 0; i < val->nports && i < G511_GARDEN_PORTS; i++)
		off += snprintf(ports + off, sizeof(ports) - off, "%s%u",
				i ? "," : ":", val->ports[i]);
	if (v4)
		snprintf(buf, len, "%s/%u%s", addr, plen - 96, ports);
	else if (val->nports)
		snprintf(buf, len, "[%s/%u]%s", addr, plen, ports);
	else
		snprintf(buf, len, "%s/%u", addr, plen);
}
