/*
 * cycle.h - one cycle: the passes (pass.h) in turn, bookkeeping in the
 * cycles tables, audit rows at start and end, the audit anchor.
 *
 * A failing source is recorded and the others still run. The cycle ends
 * early (status "interrupted") when tick() reports a stop; the unit of
 * work in progress is rolled back whole by the source.
 */
#ifndef CHANSYNC_CYCLE_H
#define CHANSYNC_CYCLE_H

#include <stdint.h>

#include "store/audit.h"
#include "config/config.h"
#include "store/store.h"

struct conflicts;
struct http;
struct sf;

enum cycle_status {
	CYCLE_OK,		/* every source that ran succeeded */
	CYCLE_PARTIAL,		/* some sources failed */
	CYCLE_FAILED,		/* every source failed, or the store did */
	CYCLE_INTERRUPTED,	/* stopped by a signal */
};

struct cycle_env {
	const struct config *cfg;
	struct store *st;
	struct audit *au;
	int (*tick)(void *arg);		/* 1: stop requested */
	void *tick_arg;
	struct http *http;		/* for the sources that speak HTTP */
	struct sf *sf;			/* the CRM client, NULL without crm: */
	struct conflicts *conflicts;	/* the conflict index; NULL: no pass */
	int dry_run;			/* --dry-run: plan CRM writes, send none */
	/* when each source (by index in cfg->sources) last ran; 0: never */
	int64_t *last_run;
};

struct cycle_result {
	int64_t id;
	enum cycle_status status;
	int64_t records, quarantined, files, failed_files;
	int sources_run, sources_failed, store_failed;
	int64_t conflicts_open;		/* after the pass; -1: no pass */
	int64_t alerts_open;		/* after the rules; -1: none run */
	int64_t writes, write_failures;	/* CRM records written, refused */
	char summary[256];	/* one line for STATUS= and the log */
};

/*
 * Runs one cycle. trigger names what started it (startup, schedule,
 * signal, ctl, once); with force every source runs, otherwise only those
 * whose own interval has passed. Returns 0, or -1 when the cycle could
 * not even be recorded (res->summary says why).
 */
int cycle_run(struct cycle_env *env, const char *trigger, int force,
    struct cycle_result *res);

const char *cycle_status_name(enum cycle_status s);

#endif
