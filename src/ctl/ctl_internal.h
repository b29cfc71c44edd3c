/*
 * ctl_internal.h - what chansyncctl's files share: its state, its output,
 * and the commands the table in ctl.c dispatches to. Only src/ctl/
 * includes it.
 */
#ifndef CHANSYNC_CTL_INTERNAL_H
#define CHANSYNC_CTL_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "store/store.h"

struct ctl {
	const char *config_path;
	struct config *cfg;
	int json;			/* --json */
	struct store *st;		/* opened by ctl_open_store */
	char *dbpath;
};

/* ctl.c */
void ctl_usage(FILE *f);
/* Opens the database read-only (as its owner when run as root); an exit
 * status on failure, said on stderr. */
int ctl_open_store(struct ctl *c);

/* ctl_output.c: rows as a table for people or a JSON array */
struct table;
struct ctl_out {
	int json;
	struct table *t;
	struct jval *arr;
	int columns;		/* > 0: the table shows only the first ones
				 * (the rest, ids, are for --json) */
};
void ctl_out_init(struct ctl_out *o, int json);
/* A store_row_fn that adds the row to o. */
int ctl_collect(void *ctx, const struct store_row *row);
/* Prints o (empty when it has no row), cells cut to maxw; frees it. */
void ctl_out_print(struct ctl_out *o, const char *empty, int maxw);
/* An option's time ("2026-11-01", an ISO time, "24h" ago) as the audit
 * log's UTC ISO form; -1 when unreadable. */
int ctl_parse_when(const char *s, char out[CLOCK_ISO_LEN]);
/* A timeout in seconds, 1 to 86400; -1 otherwise. */
int ctl_parse_secs(const char *s, int *ret);
/* The string k of object o, "" when none. */
const char *ctl_js(const struct jval *o, const char *k);
/* A number at pointer p of o: 1 and *ret, or 0 for none. */
int ctl_num(const struct jval *o, const char *p, double *ret);

/* The commands: argv[0] is the command's name; each returns an exit
 * status (sysexits.h). */
int ctl_cmd_status(struct ctl *c, int argc, char **argv);	/* ctl_daemon.c */
int ctl_cmd_sync(struct ctl *c, int argc, char **argv);
int ctl_cmd_reload(struct ctl *c, int argc, char **argv);
int ctl_cmd_quarantine(struct ctl *c, int argc, char **argv);	/* ctl_lists.c */
int ctl_cmd_registrations(struct ctl *c, int argc, char **argv);
int ctl_cmd_conflicts(struct ctl *c, int argc, char **argv);
/* A partner given by Account Id or by name, as an Account Id (a text no
 * partner has is kept as it is: a source's own id); 0 or an exit status. */
int ctl_partner_id(struct ctl *c, const char *text, char out[64]);
int ctl_cmd_conflict(struct ctl *c, int argc, char **argv);
/* conflict KEY decide|reopen ... (ctl_decide.c) */
int ctl_conflict_decide(struct ctl *c, int argc, char **argv);
int ctl_cmd_alerts(struct ctl *c, int argc, char **argv);
int ctl_cmd_queue(struct ctl *c, int argc, char **argv);
/* The approval queue's summary for status: into status (JSON, key
 * "approvals"), or printed when NULL. Returns 0 or -1. */
struct jval;
int ctl_queue_status(struct ctl *c, struct jval *status);
/* The approval queue (of source and owner, NULL: all) computed now, its
 * claims in a; 0 or -1 (the store's error). */
struct queue_claim;
struct queue_decided;
struct queue_result;
struct arena;
int ctl_queue_now(struct ctl *c, const char *source, const char *owner,
    struct arena *a, struct queue_claim **claims, struct queue_decided **d,
    struct queue_result *q);
/* A KPI of the scorecard as people read it (ctl_scores.c): its label,
 * and a figure of it in its own units ("60%", "3", "4.5x"). */
const char *ctl_kpi_label(int kpi);
void ctl_kpi_figure(int kpi, double v, char *out, size_t len);
/* conflicts --possible (ctl_decide.c), possible KEY confirm|reject */
int ctl_possible_list(struct ctl *c, int all);
int ctl_cmd_possible(struct ctl *c, int argc, char **argv);
/* report partner P|program ... (ctl_report.c) */
int ctl_cmd_report(struct ctl *c, int argc, char **argv);
int ctl_cmd_digest(struct ctl *c, int argc, char **argv);
int ctl_cmd_crm(struct ctl *c, int argc, char **argv);
/*
 * Sends one request to the running daemon and prints its answer. Exit
 * status: 0 ok, 65 refused, 75 busy or lost, 69 (77) no daemon to ask,
 * said with why ("the daemon records decisions, so that ...").
 */
int ctl_daemon_ask(struct ctl *c, const char *req, int timeout_ms,
    const char *why);
/* The notifications' outbox per channel for status: into status (JSON,
 * key "notifications"), or printed when NULL. Returns 0 or -1. */
int ctl_outbox_status(struct ctl *c, struct jval *status);
int ctl_cmd_scores(struct ctl *c, int argc, char **argv);	/* ctl_scores.c */
int ctl_cmd_partner(struct ctl *c, int argc, char **argv);
int ctl_cmd_partners(struct ctl *c, int argc, char **argv);	/* ctl_partners.c */
int ctl_cmd_source(struct ctl *c, int argc, char **argv);	/* ctl_source.c */
int ctl_cmd_audit(struct ctl *c, int argc, char **argv);	/* ctl_audit.c */
int ctl_cmd_verify(struct ctl *c, int argc, char **argv);

#endif
