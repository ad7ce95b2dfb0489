// SPDX-License-Identifier: GPL-2.0
/*
 * radius_ctl.c - the control requests of the RADIUS module: LOGIN (a
 * portal's) and RADIUS_STATUS (gate511ctl radius). Called from
 * ctl_dispatch() (ctl_handlers.c) in the connection's worker.
 */
#include <errno.h>
#include <string.h>
#include "control_int.h"
#include "log.h"
#include "radius.h"
#include "radius_ctl.h"

int radius_ctl_login(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_ctl_login_req req = m->body.login_req;
	struct g511_ctl_grant out;
	char msg[G511_CTL_ERRMSG_LEN];
	int err;

	err = radius_login(w->ctl->d, &req.client, req.user, req.password, &out, msg,
			   sizeof(msg));
	explicit_bzero(&req, sizeof(req));
	explicit_bzero((void *)m->body.login_req.password, sizeof(m->body.login_req.password));
	if (err)
		return ctl_send_error(&w->conn, m->hdr.seq, -err, "%s", msg);
	return ctl_send(&w->conn, G511_CTL_GRANT, m->hdr.seq, &out);
}

int radius_ctl_status(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_ctl_radius_status st;

	radius_status(w->ctl->d, &st);
	return ctl_send(&w->conn, G511_CTL_RADIUS_STATUS_REPLY, m->hdr.seq, &st);
}
