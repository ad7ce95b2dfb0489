/* SPDX-License-Identifier: GPL-2.0 */
/* radius_ctl.h - LOGIN and RADIUS_STATUS on the control socket (radius_ctl.c). */
#ifndef GATE511D_RADIUS_CTL_H
#define GATE511D_RADIUS_CTL_H

struct worker;
struct g511_ctl_msg;

int radius_ctl_login(struct worker *w, const struct g511_ctl_msg *m);
int radius_ctl_status(struct worker *w, const struct g511_ctl_msg *m);

#endif /* GATE511D_RADIUS_CTL_H */
