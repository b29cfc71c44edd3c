/*
 * pass_sync.c - the reading passes: the CRM first (the system of
 * record), then every due source, each recorded in the cycle's books.
 */
#include "pass.h"
#include "crm/crm_reader.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "sources/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
pass_tick(struct pass *p)
{
	return p->env->tick && p->env->tick(p->env->tick_arg);
}

void
pass_crm(struct pass *p)
{
	const struct cycle_env *env = p->env;
	struct cycle_result *res = p->res;
	struct crm_env ce;
	struct crm_result cr;
	struct jval *o;

	if (!env->cfg->crm.present || env->sf == NULL)
		return;
	memset(&ce, 0, sizeof(ce));
	ce.cfg = env->cfg;
	ce.st = env->st;
	ce.au = env->au;
	ce.sf = env->sf;
	ce.cycle_id = res->id;
	ce.tick = env->tick;
	ce.tick_arg = env->tick_arg;
	crm_run(&ce, &cr);
	res->sources_run += cr.objects_run;
	res->sources_failed += cr.objects_failed;
	res->records += cr.records;
	res->quarantined += cr.quarantined;
	if (cr.store_failed)
		res->store_failed = 1;
	if (cr.stopped)
		p->stopped = 1;
	o = jv_object();
	jv_set_int(o, "objects_run", cr.objects_run);
	jv_set_int(o, "objects_failed", cr.objects_failed);
	jv_set_int(o, "records", cr.records);
	jv_set_int(o, "quarantined", cr.quarantined);
	jv_set(o, "budget_reached", jv_bool(cr.budget));
	if (cr.error[0])
		jv_set_str(o, "error", cr.error);
	jv_set(p->detail, "crm", o);
}

static int
source_due(const struct cycle_env *env, size_t i, int64_t now)
{
	const struct config_source *s = &env->cfg->sources[i];
	int64_t every = s->interval ? s->interval : env->cfg->daemon.interval;

	return env->last_run[i] == 0 || now - env->last_run[i] >= every;
}

/* The cycle_sources row of a run (status ok, failed, skipped, ...). */
static void
record_source(struct pass *p, const struct source_run *run,
    const char *status, const char *started)
{
	struct store_cycle_source cs;
	char ended[CLOCK_ISO_LEN];

	clock_now_iso(ended);
	memset(&cs, 0, sizeof(cs));
	cs.cycle_id = p->res->id;
	cs.source = run->src->name;
	cs.status = status;
	cs.started_at = started;
	cs.ended_at = ended;
	cs.records = run->records;
	cs.quarantined = run->quarantined;
	cs.files = run->files;
	cs.failed_files = run->failed_files;
	cs.error = run->error[0] ? run->error : NULL;
	if (store_cycle_source(p->env->st, &cs) < 0) {
		log_err("cycle %lld: cannot record source %s: %s",
		    (long long)p->res->id, run->src->name,
		    store_errmsg(p->env->st));
		p->res->store_failed = 1;
	}
}

/* A source that failed: counted, recorded, audited and logged. */
static void
source_failed(struct pass *p, const struct source_run *run, const char *started)
{
	struct jval *ed = jv_object();
	const char *fields[2];
	char *f0 = xasprintf("CHANSYNC_SOURCE=%s", run->src->name);

	p->res->sources_failed++;
	record_source(p, run, "failed", started);
	jv_set_str(ed, "error", run->error);
	if (audit_log(p->env->au, p->res->id, "source.error", "source",
	    run->src->name, ed) < 0)
		p->res->store_failed = 1;
	fields[0] = f0;
	fields[1] = NULL;
	log_event(LOG_ERR, MSGID_SOURCE_ERROR, fields, "source %s failed: %s; "
	    "retrying next cycle", run->src->name, run->error);
	free(f0);
}

/* Source i, if due: run, counted, recorded. */
static void
one_source(struct pass *p, size_t i)
{
	const struct cycle_env *env = p->env;
	struct cycle_result *res = p->res;
	struct source_run run;
	enum source_status st;
	char started[CLOCK_ISO_LEN];
	struct jval *o;

	memset(&run, 0, sizeof(run));
	run.cfg = env->cfg;
	run.src = &env->cfg->sources[i];
	run.st = env->st;
	run.au = env->au;
	run.cycle_id = res->id;
	run.tick = env->tick;
	run.tick_arg = env->tick_arg;
	run.http = env->http;
	if (!p->force && !source_due(env, i, clock_now())) {
		record_source(p, &run, "skipped", NULL);
		return;
	}
	if (pass_tick(p)) {
		p->stopped = 1;
		return;
	}
	clock_now_iso(started);
	env->last_run[i] = clock_now();
	st = source_run(&run);
	res->sources_run++;
	res->records += run.records;
	res->quarantined += run.quarantined;
	res->files += run.files;
	res->failed_files += run.failed_files;
	o = jv_object();
	jv_set_int(o, "records", run.records);
	jv_set_int(o, "quarantined", run.quarantined);
	jv_set_int(o, "files", run.files);
	jv_set_int(o, "failed_files", run.failed_files);
	switch (st) {
	case SOURCE_OK:
		jv_set_str(o, "status", "ok");
		record_source(p, &run, "ok", started);
		break;
	case SOURCE_STOPPED:
		jv_set_str(o, "status", "interrupted");
		record_source(p, &run, "interrupted", started);
		p->stopped = 1;
		break;
	case SOURCE_STORE_FAILED:
		res->store_failed = 1;
		/* fall through */
	case SOURCE_FAILED:
		jv_set_str(o, "status", "failed");
		jv_set_str(o, "error", run.error);
		source_failed(p, &run, started);
		break;
	}
	jv_set(p->detail, run.src->name, o);
}

void
pass_sources(struct pass *p)
{
	size_t i;

	for (i = 0; i < p->env->cfg->nsources && !p->stopped; i++)
		one_source(p, i);
}
