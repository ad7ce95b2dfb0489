// SPDX-License-Identifier: GPL-2.0
/*
 * radius.c - the RADIUS client core (radius.h): the module's life, one
 * request/reply exchange with timeout, retries and failover, the
 * attributes every request carries, the status for gate511ctl radius.
 *
 * An exchange uses its own connected UDP socket (an ephemeral port), so
 * concurrent logins never share an identifier space and a reply can only
 * come from the server it was sent to. A retransmission is the same bytes
 * (same identifier, same authenticator). Failover order is the config's,
 * except that a server that timed out last is tried after those that did
 * not (it stays in the list: when all are down, all are tried).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "addr.h"
#include "log.h"
#include "radius.h"
#include "state.h"

static int sockaddr_of(const struct g511_addr *a, uint16_t port, struct sockaddr_storage *ss,
		       socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (addr_is_v4(a)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->addr + 12, 4);
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->addr, 16);
		*len = sizeof(*s6);
	}
	return ss->ss_family;
}

static int udp_connect(const struct g511_addr *a, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, fam = sockaddr_of(a, port, &ss, &len);

	fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static uint64_t radius_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool reply_fits(uint8_t req, uint8_t rep)
{
	if (req == RAD_ACCESS_REQUEST)
		return rep == RAD_ACCESS_ACCEPT || rep == RAD_ACCESS_REJECT ||
		       rep == RAD_ACCESS_CHALLENGE;
	return req == RAD_ACCT_REQUEST && rep == RAD_ACCT_RESPONSE;
}

/* One server: 1 + retries sends of p; 0 with a genuine reply in buf/v. */
static int exchange_one(struct g511_radius *r, struct radius_server_state *s, bool acct,
			const struct rad_packet *p, uint8_t *buf, size_t cap,
			struct rad_view *v)
{
	unsigned int tries = r->one_try ? 1 : 1 + r->conf.retries;
	int fd, err = -ETIMEDOUT;

	fd = udp_connect(&s->cfg.addr, acct ? s->cfg.acct_port : s->cfg.auth_port);
	if (fd < 0)
		return fd;
	for (unsigned int t = 0; t < tries && err && !r->abort_io; t++) {
		uint64_t deadline = radius_mono_ms() + r->conf.timeout_s * 1000ULL;

		pthread_mutex_lock(&r->mu);
		s->requests++;
		pthread_mutex_unlock(&r->mu);
		if (send(fd, p->buf, p->len, 0) < 0) {
			/* ECONNREFUSED (an ICMP from a down server) and the like:
			 * wait out the try anyway, a later one may get through */
		}
		for (;;) {
			uint64_t now = radius_mono_ms();
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (now >= deadline || r->abort_io)
				break;
			/* slices of 200 ms, so a stop does not wait out a timeout */
			if (poll(&pfd, 1, deadline - now > 200 ? 200 : (int)(deadline - now)) <= 0)
				continue;
			n = recv(fd, buf, cap, 0);
			if (n < 0)
				continue;	/* ECONNREFUSED: nobody there yet */
			if (rad_parse(buf, n, v) || v->id != p->buf[1] ||
			    !reply_fits(p->buf[0], v->code) ||
			    rad_verify_reply(v, p->buf + 4, r->secret, r->secret_len)) {
				pthread_mutex_lock(&r->mu);
				s->bad_replies++;
				pthread_mutex_unlock(&r->mu);
				continue;
			}
			err = 0;
			break;
		}
	}
	close(fd);
	pthread_mutex_lock(&r->mu);
	if (err) {
		s->timeouts++;
		s->state = G511_RADIUS_SRV_DOWN;
	} else {
		s->state = G511_RADIUS_SRV_UP;
		s->last_ok_wall = g511_wall_s();
	}
	pthread_mutex_unlock(&r->mu);
	return err;
}

int radius_exchange(struct g511_radius *r, bool acct, const struct rad_packet *p,
		    uint8_t *buf, size_t cap, struct rad_view *v)
{
	unsigned int order[G511_RADIUS_MAX_SERVERS], n = 0, i;
	int err = -ETIMEDOUT;

	/* those not down first, then the down ones, each in config order */
	pthread_mutex_lock(&r->mu);
	for (i = 0; i < r->conf.n_servers; i++)
		if (r->srv[i].state != G511_RADIUS_SRV_DOWN)
			order[n++] = i;
	for (i = 0; i < r->conf.n_servers; i++)
		if (r->srv[i].state == G511_RADIUS_SRV_DOWN)
			order[n++] = i;
	pthread_mutex_unlock(&r->mu);
	if (r->one_try)
		n = n ? 1 : 0;
	for (i = 0; i < n && err && !r->abort_io; i++)
		err = exchange_one(r, &r->srv[order[i]], acct, p, buf, cap, v);
	return err ? -ETIMEDOUT : 0;
}

int radius_session_id(char out[17])
{
	uint8_t b[8];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return -EIO;
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02X", b[i]);
	return 0;
}

int radius_add_nas(struct g511_radius *r, struct rad_packet *p)
{
	int err;

	err = rad_add_str(p, RAD_NAS_IDENTIFIER, r->nas_id);
	if (!err && r->has_nas_ip)
		err = rad_add(p, RAD_NAS_IP_ADDRESS, r->nas_ip, 4);
	if (!err)
		err = rad_add_u32(p, RAD_NAS_PORT_TYPE,
				  r->conf.nas_port_type == G511_NAS_PORT_WIRELESS ?
				  RAD_PORT_WIRELESS : RAD_PORT_ETHERNET);
	return err;
}

/* The neighbour table's MAC for an IPv4 client (/proc/net/arp). */
static bool arp_mac(const uint8_t ip[4], uint8_t mac[6])
{
	char line[256], want[16], ipb[64], hw[64];
	bool found = false;
	FILE *f;

	snprintf(want, sizeof(want), "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
	f = fopen("/proc/net/arp", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %*s %*s %63s", ipb, hw) == 2 && !strcmp(ipb, want) &&
		    !rad_mac_parse((const uint8_t *)hw, strlen(hw), mac) &&
		    memcmp(mac, "\0\0\0\0\0\0", 6))
			found = true;
	fclose(f);
	return found;
}

int radius_add_client(struct g511_radius *r, struct rad_packet *p,
		      const struct g511_client *c, bool has_mac, const uint8_t mac_in[6])
{
	uint8_t mac[6];
	char s[18];
	int err = 0;

	if (c->kind == G511_CLIENT_ADDR) {
		if (addr_is_v4((const struct g511_addr *)c->key)) {
			err = rad_add(p, RAD_FRAMED_IP_ADDRESS, c->key + 12, 4);
			if (!has_mac)
				has_mac = arp_mac(c->key + 12, mac);
			else
				memcpy(mac, mac_in, 6);
		} else {
			err = rad_add(p, RAD_FRAMED_IPV6_ADDRESS, c->key, 16);	/* RFC 6911 */
			if (has_mac)
				memcpy(mac, mac_in, 6);
		}
	} else {
		memcpy(mac, c->key, 6);
		has_mac = true;
	}
	if (!err && has_mac) {
		rad_mac_format(mac, s);
		err = rad_add_str(p, RAD_CALLING_STATION_ID, s);
	}
	if (!err && r->has_gw_mac) {
		rad_mac_format(r->gw_mac, s);
		err = rad_add_str(p, RAD_CALLED_STATION_ID, s);
	}
	return err;
}

static int secret_read(const char *path, char *out, size_t size)
{
	char buf[G511_RADIUS_SECRET_MAX + 4];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_warn("radius_secret_file %s", path);
		return -errno;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!conf_radius_secret_ok(buf)) {
		log_warnx("radius_secret_file %s: want one line of 1 to %d printable "
			  "characters", path, G511_RADIUS_SECRET_MAX);
		explicit_bzero(buf, sizeof(buf));
		return -EINVAL;
	}
	memcpy(out, buf, strlen(buf) + 1 <= size ? strlen(buf) + 1 : 0);	/* checked above */
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static void find_nas_ip(struct g511_radius *r)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	if (!r->conf.n_servers || !addr_is_v4(&r->conf.servers[0].addr))
		return;
	fd = udp_connect(&r->conf.servers[0].addr, r->conf.servers[0].auth_port);
	if (fd < 0)
		return;
	if (!getsockname(fd, (struct sockaddr *)&sin, &len) && sin.sin_family == AF_INET) {
		memcpy(r->nas_ip, &sin.sin_addr, 4);
		r->has_nas_ip = true;
	}
	close(fd);
}

/* SIOCGIFHWADDR, not /sys/class/net: sysfs is the mounter's namespace's */
static void find_gw_mac(struct g511_radius *r)
{
	struct ifreq ifr;
	int fd;

	if (!r->d->n_ifaces)
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", r->d->ifaces[0].name);
	if (!ioctl(fd, SIOCGIFHWADDR, &ifr) && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER) {
		memcpy(r->gw_mac, ifr.ifr_hwaddr.sa_data, 6);
		r->has_gw_mac = true;
	}
	close(fd);
}

int radius_init(struct g511_daemon *d)
{
	struct g511_radius *r;
	char box[STATE_BOX_ID_LEN];
	int err;

	d->radius = NULL;
	if (!d->conf.radius.n_servers)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->d = d;
	r->conf = d->conf.radius;
	pthread_mutex_init(&r->mu, NULL);
	if (r->conf.secret_file[0]) {
		err = secret_read(r->conf.secret_file, r->secret, sizeof(r->secret));
		if (err)
			goto fail;
	} else {
		snprintf(r->secret, sizeof(r->secret), "%s", r->conf.secret);
	}
	explicit_bzero(r->conf.secret, sizeof(r->conf.secret));
	r->secret_len = strlen(r->secret);
	if (r->conf.nas_identifier[0])
		snprintf(r->nas_id, sizeof(r->nas_id), "%s", r->conf.nas_identifier);
	else if (d->conf.gateway_id[0])
		snprintf(r->nas_id, sizeof(r->nas_id), "%s", d->conf.gateway_id);
	else if (!state_box_id(d->state, box))
		snprintf(r->nas_id, sizeof(r->nas_id), "%s", box);
	else
		snprintf(r->nas_id, sizeof(r->nas_id), "gate511");
	for (unsigned int i = 0; i < r->conf.n_servers; i++)
		r->srv[i].cfg = r->conf.servers[i];
	find_nas_ip(r);
	find_gw_mac(r);
	err = macauth_init(r);
	if (!err) {
		err = acct_init(r);
		if (err)
			macauth_free(r);
	}
	if (err)
		goto fail;
	d->radius = r;
	log_info("radius: %u server(s), NAS-Identifier %s", r->conf.n_servers, r->nas_id);
	return 0;
fail:
	explicit_bzero(r->secret, sizeof(r->secret));
	pthread_mutex_destroy(&r->mu);
	free(r);
	return err;
}

int radius_start(struct g511_daemon *d)
{
	struct g511_radius *r = d->radius;
	int err;

	if (!r)
		return 0;
	err = acct_start(r);
	if (!err && r->conf.dae_listen.set) {
		err = dae_start(r);
		if (err)
			acct_stop(r);
	}
	if (!err) {
		err = macauth_start(r);
		if (err) {
			dae_stop(r);
			acct_stop(r);
		}
	}
	return err;
}

void radius_stop(struct g511_daemon *d)
{
	if (!d->radius)
		return;
	dae_stop(d->radius);
	acct_stop(d->radius);	/* sets abort_io */
	macauth_stop(d->radius);
}

void radius_free(struct g511_daemon *d)
{
	struct g511_radius *r = d->radius;

	if (!r)
		return;
	if (d->state)
		state_set_hooks(d->state, NULL);
	acct_free(r);
	macauth_free(r);
	explicit_bzero(r->secret, sizeof(r->secret));
	pthread_mutex_destroy(&r->mu);
	free(r);
	d->radius = NULL;
}

void radius_status(struct g511_daemon *d, struct g511_ctl_radius_status *out)
{
	struct g511_radius *r = d->radius;
	uint64_t depth = 0, oldest = 0, suppressed, pending;

	memset(out, 0, sizeof(*out));
	if (!r)
		return;
	macauth_counts(r, &suppressed, &pending);
	pthread_mutex_lock(&d->lock);
	acct_queue_info(r, &depth, &oldest);
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_lock(&r->mu);
	out->n_servers = r->conf.n_servers;
	out->dae_on = r->conf.dae_listen.set;
	for (unsigned int i = 0; i < r->conf.n_servers && i < G511_CTL_RADIUS_SERVERS; i++) {
		struct g511_ctl_radius_server *o = &out->servers[i];

		o->addr = r->srv[i].cfg.addr;
		o->auth_port = r->srv[i].cfg.auth_port;
		o->acct_port = r->srv[i].cfg.acct_port;
		o->state = r->srv[i].state;
		o->last_ok_wall = r->srv[i].last_ok_wall;
		o->requests = r->srv[i].requests;
		o->timeouts = r->srv[i].timeouts;
		o->bad_replies = r->srv[i].bad_replies;
	}
	out->access_requests = r->cnt.access_requests;
	out->accepts = r->cnt.accepts;
	out->rejects = r->cnt.rejects;
	out->auth_timeouts = r->cnt.auth_timeouts;
	out->acct_sent = r->cnt.acct_sent;
	out->acct_acked = r->cnt.acct_acked;
	out->acct_timeouts = r->cnt.acct_timeouts;
	out->coa_ack = r->cnt.coa_ack;
	out->coa_nak = r->cnt.coa_nak;
	out->dm_ack = r->cnt.dm_ack;
	out->dm_nak = r->cnt.dm_nak;
	out->dae_dropped = r->cnt.dae_dropped;
	out->mac_auth_on = r->macauth != NULL;
	out->mac_requests = r->cnt.mac_requests;
	out->mac_accepts = r->cnt.mac_accepts;
	out->mac_rejects = r->cnt.mac_rejects;
	out->mac_timeouts = r->cnt.mac_timeouts;
	pthread_mutex_unlock(&r->mu);
	out->mac_suppressed = suppressed;
	out->mac_pending = pending;
	out->queue_depth = depth;
	out->queue_oldest_wall = oldest;
	snprintf(out->nas_identifier, sizeof(out->nas_identifier), "%s", r->nas_id);
}
