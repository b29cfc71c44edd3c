/*
 * ctl_report.h - what the report's files share (contract §16): the page
 * being written and what it was asked for. Only src/ctl/ includes it.
 */
#ifndef CHANSYNC_CTL_REPORT_H
#define CHANSYNC_CTL_REPORT_H

#include "ctl_internal.h"
#include "lib/mem.h"
#include "rules/plan.h"

struct report {
	struct ctl *c;
	struct buf *b;			/* the page */
	int partner_audience;		/* --audience partner */
	const char *currency;		/* the base currency */
	struct plan_period cur, next;	/* the periods of now */
	char today[11];
	const char *period;		/* the period reported on */
};

/* Rows of a store read as a JSON array (to free); NULL on error. */
struct jval *report_rows(int rc_of_read, struct ctl_out *o);

/* The page around the sections. */
void report_open(struct report *r, const char *title, const char *subtitle);
void report_close(struct report *r);
/* <h2> with its text escaped. */
void report_h2(struct report *r, const char *title);
/* Money as people read it, in the base currency. */
void report_money(const struct report *r, double v, char *out, size_t len);

/* The partner's page (ctl_report_partner.c); 0 or an exit status. */
int report_partner(struct report *r, const char *partner_id);
/* The program's page (ctl_report_program.c); 0 or an exit status. */
int report_program(struct report *r);

#endif
