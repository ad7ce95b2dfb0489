// SPDX-License-Identifier: GPL-2.0
/*
 * test_ctl_proto.c - the control protocol (user/lib/ctl_proto.c) and its
 * buffered stream I/O (ctl_io.c): every message type round-trips; the
 * decoder refuses bad magic, other versions (but reads any version's
 * ERROR), unknown types, short and overlong lengths, truncated bodies,
 * trailing bytes, bad bodies and random garbage, without reading past the
 * buffer; a stream over a socketpair carries many messages and reports a
 * cut-off message.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"
#include "ctl_io.h"
#include "ctl_proto.h"

static __u8 buf[G511_CTL_MSG_MAX + 64];

static struct g511_client client_of(const char *s)
{
	struct g511_client c;

	client_parse(s, &c);
	return c;
}

/* A valid body for each type, or NULL for empty bodies. */
static const void *sample_body(unsigned int type, void *store)
{
	union g511_ctl_body *b = store;

	memset(b, 0, sizeof(*b));
	switch (type) {
	case G511_CTL_ALLOW:
	case G511_CTL_IMPORT_ITEM:
		b->grant_req.client = client_of("10.0.0.5");
		b->grant_req.flags = G511_CTL_F_TTL | G511_CTL_F_IDLE | G511_CTL_F_MAC;
		b->grant_req.ttl_s = 3600;
		b->grant_req.idle_s = 600;
		memcpy(b->grant_req.mac, "\x02\x00\x00\x00\x00\x01", 6);
		return b;
	case G511_CTL_DENY:
	case G511_CTL_SHOW:
		b->client_req.client = client_of("02:00:00:00:00:09");
		return b;
	case G511_CTL_HISTORY:
		b->history_req.client = client_of("2001:db8::1");
		b->history_req.flags = G511_CTL_F_FILTER;
		return b;
	case G511_CTL_GARDEN_ADD:
		garden_parse("10.0.0.0/8:443", &b->garden.key, &b->garden.val);
		return b;
	case G511_CTL_GARDEN_DEL:
		garden_parse("10.0.0.0/8", &b->garden.key, &b->garden.val);
		return b;
	case G511_CTL_GARDEN:
		garden_parse("[2001:db8::/32]:80", &b->garden.key, &b->garden.val);
		b->garden.source = G511_GARDEN_SRC_DB;
		return b;
	case G511_CTL_IMPORT_END:
	case G511_CTL_OK:
	case G511_CTL_END:
		b->count.count = 100000;
		return b;
	case G511_CTL_ERROR:
		ctl_error_set(&b->error, ENOSPC, "map %s is full", "g511_clients");
		return b;
	case G511_CTL_GRANT:
		b->grant.client = client_of("10.0.0.6");
		b->grant.grant_id = 7;
		b->grant.expires_wall = 1700000000;
		b->grant.packets = 5;
		b->grant.flags = G511_CTL_GF_IN_MAP;
		return b;
	case G511_CTL_SESSION:
		b->session.client = client_of("10.0.0.7");
		b->session.reason = G511_REASON_IDLE;
		b->session.bytes = 1ULL << 40;
		return b;
	case G511_CTL_STATS_REPLY:
		b->stats.n = G511_STAT__MAX;
		b->stats.value[3] = 42;
		return b;
	case G511_CTL_LOGIN:
		b->login_req.client = client_of("10.0.0.8");
		snprintf(b->login_req.user, sizeof(b->login_req.user), "nemo");
		snprintf(b->login_req.password, sizeof(b->login_req.password), "arctangent");
		return b;
	case G511_CTL_SET:
		b->set_req.client = client_of("10.0.0.9");
		b->set_req.flags = G511_CTL_F_RATE_UP | G511_CTL_F_QUOTA;
		b->set_req.rate_up_bps = 10000000;	/* quota 0: removed */
		return b;
	case G511_CTL_RADIUS_STATUS_REPLY:
		b->radius_status.n_servers = 2;
		b->radius_status.servers[1].state = G511_RADIUS_SRV_DOWN;
		b->radius_status.queue_depth = 3;
		snprintf(b->radius_status.nas_identifier, 64, "gw-7");
		return b;
	case G511_CTL_STATUS_REPLY:
		b->status.n_ifaces = 1;
		snprintf(b->status.ifaces[0], 16, "eth0");
		snprintf(b->status.version, 32, "test");
		return b;
	default:
		return NULL;
	}
}

static const unsigned int all_types[] = {
	G511_CTL_ALLOW, G511_CTL_DENY, G511_CTL_SHOW, G511_CTL_LIST,
	G511_CTL_EXPORT, G511_CTL_STATS, G511_CTL_STATUS, G511_CTL_GARDEN_ADD,
	G511_CTL_GARDEN_DEL, G511_CTL_GARDEN_LIST, G511_CTL_HISTORY,
	G511_CTL_IMPORT_BEGIN, G511_CTL_IMPORT_ITEM, G511_CTL_IMPORT_END,
	G511_CTL_OK, G511_CTL_ERROR, G511_CTL_END, G511_CTL_GRANT,
	G511_CTL_SESSION, G511_CTL_GARDEN, G511_CTL_STATS_REPLY,
	G511_CTL_STATUS_REPLY, G511_CTL_LOGIN, G511_CTL_RADIUS_STATUS,
	G511_CTL_RADIUS_STATUS_REPLY, G511_CTL_SET,
};
#define N_TYPES (sizeof(all_types) / sizeof(all_types[0]))

static bool round_trip_every_type(void)
{
	static __u8 store[sizeof(struct g511_ctl_status)];
	struct g511_ctl_msg m;
	unsigned int i;
	bool ok = true;

	for (i = 0; i < N_TYPES; i++) {
		unsigned int t = all_types[i];
		const void *body = sample_body(t, store);
		long blen = ctl_body_len(t);
		int len = ctl_encode(buf, sizeof(buf), t, 1000 + i, body);

		if (!ASSERT_EQ(len, G511_CTL_HDR_LEN + blen, ctl_type_name(t))) {
			ok = false;
			continue;
		}
		ok &= ASSERT_EQ(ctl_decode(buf, len, &m), 0, ctl_type_name(t));
		ok &= ASSERT_EQ(m.hdr.type, t, "type");
		ok &= ASSERT_EQ(m.hdr.seq, 1000 + i, "seq");
		ok &= ASSERT_EQ(m.hdr.version, G511_CTL_VERSION, "version");
		if (blen)
			ok &= ASSERT_MEMEQ(&m.body, body, blen, ctl_type_name(t));
		ok &= ASSERT_EQ(ctl_type_is_request(t), t < G511_CTL_REQ__MAX,
				"request or reply");
	}
	return ok;
}

static int encode_sample(unsigned int type)
{
	static __u8 store[sizeof(struct g511_ctl_status)];

	return ctl_encode(buf, sizeof(buf), type, 1, sample_body(type, store));
}

static struct g511_ctl_hdr *hdr(void)
{
	return (struct g511_ctl_hdr *)buf;
}

static bool bad_magic(void)
{
	struct g511_ctl_msg m;
	int len = encode_sample(G511_CTL_ALLOW);

	hdr()->magic ^= 1;
	return ASSERT_EQ(ctl_decode(buf, len, &m), -EBADMSG, "magic");
}

static bool bad_version(void)
{
	struct g511_ctl_hdr h;
	struct g511_ctl_msg m;
	bool ok = true;
	int len;

	len = encode_sample(G511_CTL_ALLOW);
	hdr()->version = G511_CTL_VERSION + 1;
	ok &= ASSERT_EQ(ctl_decode(buf, len, &m), -EPROTONOSUPPORT, "newer");
	/* the header is filled in, so the daemon can reply with the seq */
	ok &= ASSERT_EQ(ctl_decode_hdr(buf, len, &h), -EPROTONOSUPPORT, "hdr");
	ok &= ASSERT_EQ(h.seq, 1, "seq available");
	hdr()->version = 0;
	ok &= ASSERT_EQ(ctl_decode(buf, len, &m), -EPROTONOSUPPORT, "version 0");
	/* an ERROR of any version is readable */
	len = encode_sample(G511_CTL_ERROR);
	hdr()->version = G511_CTL_VERSION + 7;
	ok &= ASSERT_EQ(ctl_decode(buf, len, &m), 0, "ERROR of another version");
	ok &= ASSERT_EQ(m.body.error.code, ENOSPC, "its code");
	return ok;
}

static bool unknown_type(void)
{
	static const unsigned int bad[] = { 0, G511_CTL_REQ__MAX, 63,
		G511_CTL_REPLY__MAX, 0xffff };
	struct g511_ctl_msg m;
	unsigned int i;
	bool ok = true;
	int len = encode_sample(G511_CTL_LIST);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hdr()->type = bad[i];
		ok &= ASSERT_EQ(ctl_decode(buf, len, &m), -ENOMSG, "type");
	}
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), 0, 0, NULL), -ENOMSG, "encode");
	return ok;
}

static bool short_and_long_length(void)
{
	struct g511_ctl_msg m;
	bool ok = true;
	int len = encode_sample(G511_CTL_ALLOW);

	/* the header's len must be exactly the type's size */
	hdr()->len = len - 1;
	ok &= ASSERT_EQ(ctl_decode(buf, len - 1, &m), -EMSGSIZE, "short len");
	hdr()->len = len + 1;
	ok &= ASSERT_EQ(ctl_decode(buf, len + 1, &m), -EMSGSIZE, "overlong len");
	hdr()->len = 0xffffffff;
	ok &= ASSERT_EQ(ctl_decode(buf, len, &m), -EMSGSIZE, "huge len");
	hdr()->len = 0;
	ok &= ASSERT_EQ(ctl_decode(buf, len, &m), -EMSGSIZE, "zero len");
	hdr()->len = G511_CTL_HDR_LEN;
	ok &= ASSERT_EQ(ctl_decode(buf, G511_CTL_HDR_LEN, &m), -EMSGSIZE,
			"header only for a type with a body");
	/* empty-body types: a body is too long */
	len = encode_sample(G511_CTL_LIST);
	hdr()->len = len + 8;
	ok &= ASSERT_EQ(ctl_decode(buf, len + 8, &m), -EMSGSIZE, "body on LIST");
	return ok;
}

static bool truncated_and_trailing(void)
{
	struct g511_ctl_msg m;
	bool ok = true;
	int len = encode_sample(G511_CTL_GRANT), cut;

	for (cut = 0; cut < len; cut++) {
		int err = ctl_decode(buf, cut, &m);

		if (err != -EBADMSG) {
			ok = ASSERT_EQ(err, -EBADMSG, "truncated");
			break;
		}
	}
	ok &= ASSERT_EQ(ctl_decode(buf, len + 1, &m), -EBADMSG, "trailing byte");
	ok &= ASSERT_EQ(ctl_decode(buf, len, &m), 0, "whole");
	return ok;
}

static bool bad_login_bodies(void)
{
	struct g511_ctl_radius_status rs;
	struct g511_ctl_login_req l;
	bool ok = true;

	memset(&l, 0, sizeof(l));
	l.client = client_of("10.0.0.1");
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_LOGIN, 0, &l), -EINVAL,
			"no user");
	snprintf(l.user, sizeof(l.user), "nemo");
	ok &= ASSERT_TRUE(ctl_encode(buf, sizeof(buf), G511_CTL_LOGIN, 0, &l) > 0,
			  "empty password is a password");
	l.password[5] = 'x';
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_LOGIN, 0, &l), -EINVAL,
			"bytes after the password's NUL");
	memset(l.password, 'a', 129);
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_LOGIN, 0, &l), -EINVAL,
			"password over 128");
	memset(l.password, 0, sizeof(l.password));
	memset(l.user, 'u', sizeof(l.user));
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_LOGIN, 0, &l), -EINVAL,
			"user unterminated");
	memset(&rs, 0, sizeof(rs));
	rs.n_servers = 5;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_RADIUS_STATUS_REPLY, 0, &rs),
			-EINVAL, "too many servers");
	rs.n_servers = 1;
	rs.servers[0].state = G511_RADIUS_SRV__MAX;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_RADIUS_STATUS_REPLY, 0, &rs),
			-EINVAL, "bad server state");
	return ok;
}

static bool bad_set_bodies(void)
{
	struct g511_ctl_set_req r;
	bool ok = true;

	memset(&r, 0, sizeof(r));
	r.client = client_of("10.0.0.1");
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_SET, 0, &r), -EINVAL,
			"no field named");
	r.flags = G511_CTL_F_MAC;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_SET, 0, &r), -EINVAL,
			"a flag set does not take");
	r.flags = G511_CTL_F_RATE_DOWN;
	ok &= ASSERT_TRUE(ctl_encode(buf, sizeof(buf), G511_CTL_SET, 0, &r) > 0,
			  "rate 0: the limit removed");
	r.rate_up_bps = 5;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_SET, 0, &r), -EINVAL,
			"a value without its flag");
	r.rate_up_bps = 0;
	r.flags |= G511_CTL_F_TTL;
	r.ttl_s = G511_CTL_TIMEOUT_MAX + 1;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_SET, 0, &r), -EINVAL,
			"ttl over 10 years");
	r.ttl_s = 0;
	r.flags |= G511_CTL_F_QUOTA;
	r.quota_bytes = G511_CTL_QUOTA_MAX + 1;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_SET, 0, &r), -EINVAL,
			"quota too large");
	return ok;
}

static bool bad_bodies(void)
{
	struct g511_ctl_grant_req r;
	struct g511_ctl_error e;
	struct g511_ctl_garden g;
	struct g511_ctl_history_req h;
	struct g511_ctl_status *st;
	bool ok = true;

	memset(&r, 0, sizeof(r));
	r.client = client_of("10.0.0.1");
	ok &= ASSERT_TRUE(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r) > 0, "plain");
	r.flags = 1U << 7;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r), -EINVAL, "flag");
	r.flags = 0;
	r.ttl_s = 5;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r), -EINVAL,
			"ttl without F_TTL");
	r.flags = G511_CTL_F_TTL | G511_CTL_F_EXPIRES_AT;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r), -EINVAL,
			"ttl and expires");
	r.flags = G511_CTL_F_TTL;
	r.ttl_s = G511_CTL_TIMEOUT_MAX + 1;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r), -EINVAL,
			"ttl too long");
	r.ttl_s = 0;
	r.pad = 1;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r), -EINVAL, "pad");
	r.pad = 0;
	r.mac[0] = 2;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r), -EINVAL,
			"mac without F_MAC");
	r.flags |= G511_CTL_F_MAC;
	r.client = client_of("02:00:00:00:00:01");
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r), -EINVAL,
			"a MAC grant bound to a MAC");
	r.client = client_of("10.0.0.1");
	r.mac[0] = 1;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r), -EINVAL,
			"multicast bound MAC");
	r.mac[0] = 2;
	r.client.kind = 9;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ALLOW, 0, &r), -EINVAL,
			"client kind");

	memset(&e, 'x', sizeof(e));
	e.code = EIO;
	e.pad = 0;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ERROR, 0, &e), -EINVAL,
			"unterminated message");
	e.msg[5] = '\0';
	e.code = 0;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_ERROR, 0, &e), -EINVAL,
			"code 0");

	memset(&g, 0, sizeof(g));
	garden_parse("10.0.0.0/8", &g.key, &g.val);
	g.key.addr[15] = 1;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_GARDEN_ADD, 0, &g), -EINVAL,
			"host bits");
	garden_parse("10.0.0.0/8:80", &g.key, &g.val);
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_GARDEN_DEL, 0, &g), -EINVAL,
			"del with ports");
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_GARDEN, 0, &g), -EINVAL,
			"reply without a source");
	g.source = 2;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_GARDEN_ADD, 0, &g), -EINVAL,
			"request with a source");

	memset(&h, 0, sizeof(h));
	h.client = client_of("10.0.0.1");
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_HISTORY, 0, &h), -EINVAL,
			"client without F_FILTER");

	st = calloc(1, sizeof(*st));
	memset(st->portal_url, 'a', sizeof(st->portal_url));
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_STATUS_REPLY, 0, st),
			-EINVAL, "unterminated url");
	memset(st->portal_url, 0, sizeof(st->portal_url));
	st->n_ifaces = G511_CTL_IFACES + 1;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_STATUS_REPLY, 0, st),
			-EINVAL, "too many ifaces");
	free(st);

	ok &= ASSERT_EQ(ctl_encode(buf, 20, G511_CTL_ALLOW, 0, &r), -ENOBUFS, "small buf");
	return ok;
}

/* Random bytes, and random mutations of valid messages: no crash, no pass of garbage. */
static bool garbage(void)
{
	struct g511_ctl_msg m;
	unsigned int seed = 511, i, decoded = 0;
	bool ok = true;

	for (i = 0; i < 200000; i++) {
		size_t len = rand_r(&seed) % sizeof(buf), j;
		int err;

		if (i % 2) {
			len = encode_sample(all_types[i % N_TYPES]);
			for (j = 0; j < 3; j++)
				buf[rand_r(&seed) % len] = rand_r(&seed);
		} else {
			for (j = 0; j < len; j++)
				buf[j] = rand_r(&seed);
		}
		err = ctl_decode(buf, len, &m);
		if (err == 0) {
			decoded++;
			/* whatever decodes re-encodes to the same bytes */
			if (ctl_encode(buf + 0, sizeof(buf), m.hdr.type, m.hdr.seq,
				       &m.body) != (int)len) {
				ok = ASSERT_TRUE(false, "re-encode");
				break;
			}
		} else if (err != -EBADMSG && err != -EPROTONOSUPPORT &&
			   err != -ENOMSG && err != -EMSGSIZE && err != -EINVAL) {
			ok = ASSERT_EQ(err, -EBADMSG, "error code");
			break;
		}
	}
	printf("     %u of 200000 mutated messages still decoded\n", decoded);
	return ok;
}

static bool stream_many(void)
{
	struct ctl_conn *tx = calloc(1, sizeof(*tx)), *rx = calloc(1, sizeof(*rx));
	struct g511_ctl_grant g;
	struct g511_ctl_count end = { .count = 5000 };
	struct g511_ctl_msg m;
	int sv[2];
	unsigned int i;
	bool ok = true;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return ASSERT_TRUE(false, "socketpair");
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		ctl_conn_init(tx, sv[1]);
		for (i = 0; i < 5000; i++) {
			memset(&g, 0, sizeof(g));
			g.client = client_of("10.0.0.1");
			g.grant_id = i;
			ctl_send(tx, G511_CTL_GRANT, 9, &g);
		}
		ctl_send(tx, G511_CTL_END, 9, &end);
		ctl_flush(tx);
		/* then half a message and hang up */
		ctl_send(tx, G511_CTL_GRANT, 9, &g);
		if (write(sv[1], tx->wbuf, 30) != 30)
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	ctl_conn_init(rx, sv[0]);
	for (i = 0; i < 5000 && ok; i++) {
		ok &= ASSERT_EQ(ctl_recv(rx, &m), 0, "recv");
		ok &= ASSERT_EQ(m.body.grant.grant_id, i, "in order");
	}
	ok &= ASSERT_EQ(ctl_recv(rx, &m), 0, "end");
	ok &= ASSERT_EQ(m.hdr.type, G511_CTL_END, "END");
	ok &= ASSERT_EQ(ctl_recv(rx, &m), -ECONNRESET, "cut inside a message");
	close(sv[0]);
	waitpid(pid, NULL, 0);
	free(tx);
	free(rx);
	return ok;
}

static bool stream_eof_and_garbage(void)
{
	struct ctl_conn *rx = calloc(1, sizeof(*rx));
	struct g511_ctl_msg m;
	int sv[2];
	bool ok = true;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	ctl_conn_init(rx, sv[0]);
	ok &= ASSERT_EQ(ctl_recv(rx, &m), -ENODATA, "clean EOF");
	close(sv[0]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	/* a header announcing 4 GiB: refused before anything is waited for */
	memset(buf, 0, G511_CTL_HDR_LEN);
	hdr()->magic = G511_CTL_MAGIC;
	hdr()->version = G511_CTL_VERSION;
	hdr()->type = G511_CTL_ALLOW;
	hdr()->len = 0xffffffff;
	ok &= ASSERT_EQ(write(sv[1], buf, G511_CTL_HDR_LEN), G511_CTL_HDR_LEN, "write");
	ctl_conn_init(rx, sv[0]);
	ok &= ASSERT_EQ(ctl_recv(rx, &m), -EMSGSIZE, "huge length");
	close(sv[0]);
	close(sv[1]);
	free(rx);
	return ok;
}

static bool names(void)
{
	bool ok = true;

	ok &= ASSERT_STREQ(ctl_reason_name(G511_REASON_EXPIRED), "expired", "expired");
	ok &= ASSERT_STREQ(ctl_reason_name(99), "unknown", "unknown");
	ok &= ASSERT_EQ(ctl_reason_parse("replaced"), G511_REASON_REPLACED, "parse");
	ok &= ASSERT_EQ(ctl_reason_parse("gone"), -EINVAL, "parse unknown");
	ok &= ASSERT_STREQ(ctl_type_name(G511_CTL_IMPORT_END), "import-end", "type");
	return ok;
}

/* The listeners of a status reply: flags 0/1, zero padding, a terminated URI. */
static bool status_listeners(void)
{
	static struct g511_ctl_status st;
	struct g511_ctl_msg m;
	bool ok = true;
	int n;

	memset(&st, 0, sizeof(st));
	st.listeners[G511_LISTENER_CAPPORT].on = 1;
	st.listeners[G511_LISTENER_CAPPORT].tls = 1;
	st.listeners[G511_LISTENER_CAPPORT].port = 443;
	snprintf(st.capport_uri, sizeof(st.capport_uri), "https://gw.example/capport");
	n = ctl_encode(buf, sizeof(buf), G511_CTL_STATUS_REPLY, 1, &st);
	ok &= ASSERT_TRUE(n > 0, "encode");
	ok &= ASSERT_EQ(ctl_decode(buf, n, &m), 0, "decode");
	ok &= ASSERT_EQ(m.body.status.listeners[G511_LISTENER_CAPPORT].port, 443, "port");
	ok &= ASSERT_STREQ(m.body.status.capport_uri, "https://gw.example/capport", "uri");
	st.listeners[G511_LISTENER_API].on = 2;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_STATUS_REPLY, 1, &st), -EINVAL,
			"on is 0 or 1");
	st.listeners[G511_LISTENER_API].on = 0;
	st.listeners[G511_LISTENER_METRICS].pad[3] = 1;
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_STATUS_REPLY, 1, &st), -EINVAL,
			"pad");
	st.listeners[G511_LISTENER_METRICS].pad[3] = 0;
	memset(st.capport_uri, 'x', sizeof(st.capport_uri));
	ok &= ASSERT_EQ(ctl_encode(buf, sizeof(buf), G511_CTL_STATUS_REPLY, 1, &st), -EINVAL,
			"unterminated URI");
	ok &= ASSERT_STREQ(ctl_listener_name(G511_LISTENER_METRICS), "metrics", "name");
	return ok;
}

int main(void)
{
	RUN_CASE(round_trip_every_type);
	RUN_CASE(bad_magic);
	RUN_CASE(bad_version);
	RUN_CASE(unknown_type);
	RUN_CASE(short_and_long_length);
	RUN_CASE(truncated_and_trailing);
	RUN_CASE(bad_bodies);
	RUN_CASE(bad_login_bodies);
	RUN_CASE(bad_set_bodies);
	RUN_CASE(garbage);
	RUN_CASE(stream_many);
	RUN_CASE(stream_eof_and_garbage);
	RUN_CASE(names);
	RUN_CASE(status_listeners);
	return test_summary();
}
