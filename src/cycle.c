/*
 * cycle.c - the steps of one cycle, in order. Later stages (the CRM,
 * conflicts, rules, scores, write-back) join here after the sources.
 */
#include "cycle.h"
#include "pass_rules.h"
#include "pass_conflicts.h"
#include "rules/conflicts.h"
#include "rules/alerts.h"
#include "rules/plan.h"
#include "rules/score.h"
#include "crm/writeback.h"
#include "lib/clock.h"
#include "crm/crm_reader.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "sources/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
cycle_status_name(enum cycle_status s)
{
	static const char *const names[] = { "ok", "partial", "failed",
		"interrupted" };

	return names[s];
}

static int
source_due(const struct cycle_env *env, size_t i, int64_t now)
{
	const struct config_source *s = &env->cfg->sources[i];
	int64_t every = s->interval ? s->interval : env->cfg->daemon.interval;

	return env->last_run[i] == 0 || now - env->last_run[i] >= every;
}

static void
record_source(struct cycle_env *env, struct cycle_result *res,
    const struct source_run *run, const char *status, const char *started)
{
	struct store_cycle_source cs;
	char ended[CLOCK_ISO_LEN];

	clock_now_iso(ended);
	memset(&cs, 0, sizeof(cs));
	cs.cycle_id = res->id;
	cs.source = run->src->name;
	cs.status = status;
	cs.started_at = started;
	cs.ended_at = ended;
	cs.records = run->records;
	cs.quarantined = run->quarantined;
	cs.files = run->files;
	cs.failed_files = run->failed_files;
	cs.error = run->error[0] ? run->error : NULL;
	if (store_cycle_source(env->st, &cs) < 0) {
		log_err("cycle %lld: cannot record source %s: %s",
		    (long long)res->id, run->src->name, store_errmsg(env->st));
		res->store_failed = 1;
	}
}

/*
 * Pipeline to plan, scores and alerts for the current period, after the
 * reads and the conflicts: what the cycle read is what they judge.
 */
static void
rules_pass(struct cycle_env *env, struct cycle_result *res, struct jval *per)
{
	const struct config *cfg = env->cfg;
	struct plan_period cur, prev;
	struct plan_result plan;
	struct score_result scores;
	struct rules_alerts_result ar;
	struct jval *o = jv_object();
	char err[256];
	int64_t now = clock_now();

	memset(&scores, 0, sizeof(scores));
	if (plan_period_of(now, cfg->daemon.timezone, cfg->rules.pipeline.period,
	    0, &cur) < 0 || plan_period_of(now, cfg->daemon.timezone,
	    cfg->rules.pipeline.period, 1, &prev) < 0) {
		log_err("rules: unknown time zone %s", cfg->daemon.timezone);
		jv_free(o);
		return;
	}
	memset(&plan, 0, sizeof(plan));
	if (rules_plan(cfg, env->st, &cur, &plan, err, sizeof(err)) < 0 ||
	    rules_scores(cfg, env->st, env->au, res->id, &plan, &prev, now,
	    &scores, err, sizeof(err)) < 0) {
		log_err("rules: %s; the next cycle tries again", err);
		jv_set_str(o, "error", err);
		res->store_failed = 1;
		plan_result_free(&plan);
		score_result_free(&scores);
		jv_set(per, "rules", o);
		return;
	}
	if (rules_alerts(cfg, env->st, env->au, res->id, now, &plan, &scores,
	    &ar) < 0) {
		log_err("alerts: %s; the next cycle tries again", ar.error);
		jv_set_str(o, "error", ar.error);
		res->store_failed = 1;
	} else
		res->alerts_open = ar.open;
	jv_set_str(o, "period", cur.name);
	jv_set_int(o, "partners", (int64_t)plan.n);
	jv_set_int(o, "alerts_raised", ar.raised);
	jv_set_int(o, "alerts_updated", ar.updated);
	jv_set_int(o, "alerts_resolved", ar.resolved);
	jv_set(per, "rules", o);
	plan_result_free(&plan);
	score_result_free(&scores);
}

/* What changed, written to the CRM (or, dry, planned in the audit log). */
static void
writeback_pass(struct cycle_env *env, struct cycle_result *res, struct jval *per)
{
	struct writeback_result wr;
	struct jval *o = jv_object();
	int dry = env->dry_run || env->cfg->daemon.dry_run;

	if (writeback_run(env->cfg, env->st, env->au, env->sf, res->id, dry,
	    &wr) < 0) {
		jv_set_str(o, "error", wr.error);
		if (strncmp(wr.error, "database", 8) == 0)
			res->store_failed = 1;
		else
			res->sources_failed++;
		log_err("write-back: %s", wr.error);
	}
	jv_set(o, "dry_run", jv_bool(dry));
	jv_set_int(o, "planned", wr.planned);
	jv_set_int(o, "written", wr.acknowledged);
	jv_set_int(o, "failed", wr.failed);
	jv_set_int(o, "requests", wr.requests);
	jv_set(per, "writeback", o);
	res->writes = wr.acknowledged;
	res->write_failures = wr.failed;
}

int
cycle_run(struct cycle_env *env, const char *trigger, int force,
    struct cycle_result *res)
{
	const struct config *cfg = env->cfg;
	struct jval *detail, *per, *cpu_o;
	char now[CLOCK_ISO_LEN], *det;
	int64_t cpu[5] = { 0, 0, 0, 0, 0 };
	int stopped = 0;
	size_t i;

	memset(res, 0, sizeof(*res));
	cpu[0] = clock_cpu_ms();
	clock_now_iso(now);
	if (store_cycle_begin(env->st, trigger, now, &res->id) < 0) {
		snprintf(res->summary, sizeof(res->summary), "cannot start a "
		    "cycle: %s", store_errmsg(env->st));
		res->status = CYCLE_FAILED;
		return -1;
	}
	detail = jv_object();
	jv_set_str(detail, "trigger", trigger);
	if (audit_log(env->au, res->id, "cycle.start", "cycle", NULL, detail) < 0)
		res->store_failed = 1;
	log_info("cycle %lld started (%s)", (long long)res->id, trigger);
	per = jv_object();
	/* the CRM first: the system of record */
	if (cfg->crm.present && env->sf) {
		struct crm_env ce;
		struct crm_result cr;
		struct jval *o = jv_object();

		memset(&ce, 0, sizeof(ce));
		ce.cfg = cfg;
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
			stopped = 1;
		jv_set_int(o, "objects_run", cr.objects_run);
		jv_set_int(o, "objects_failed", cr.objects_failed);
		jv_set_int(o, "records", cr.records);
		jv_set_int(o, "quarantined", cr.quarantined);
		jv_set(o, "budget_reached", jv_bool(cr.budget));
		if (cr.error[0])
			jv_set_str(o, "error", cr.error);
		jv_set(per, "crm", o);
	}
	for (i = 0; i < cfg->nsources && !stopped; i++) {
		const struct config_source *src = &cfg->sources[i];
		struct source_run run;
		enum source_status st;
		char started[CLOCK_ISO_LEN];
		struct jval *o;

		memset(&run, 0, sizeof(run));
		run.cfg = cfg;
		run.src = src;
		run.st = env->st;
		run.au = env->au;
		run.cycle_id = res->id;
		run.tick = env->tick;
		run.tick_arg = env->tick_arg;
		run.http = env->http;
		if (!force && !source_due(env, i, clock_now())) {
			record_source(env, res, &run, "skipped", NULL);
			continue;
		}
		if (env->tick && env->tick(env->tick_arg)) {
			stopped = 1;
			break;
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
			record_source(env, res, &run, "ok", started);
			break;
		case SOURCE_STOPPED:
			jv_set_str(o, "status", "interrupted");
			record_source(env, res, &run, "interrupted", started);
			stopped = 1;
			break;
		case SOURCE_STORE_FAILED:
			res->store_failed = 1;
			/* fall through */
		case SOURCE_FAILED: {
			struct jval *ed = jv_object();
			const char *fields[2];
			char *f0 = xasprintf("CHANSYNC_SOURCE=%s", src->name);

			res->sources_failed++;
			jv_set_str(o, "status", "failed");
			jv_set_str(o, "error", run.error);
			record_source(env, res, &run, "failed", started);
			jv_set_str(ed, "error", run.error);
			if (audit_log(env->au, res->id, "source.error", "source",
			    src->name, ed) < 0)
				res->store_failed = 1;
			fields[0] = f0;
			fields[1] = NULL;
			log_event(LOG_ERR, MSGID_SOURCE_ERROR, fields,
			    "source %s failed: %s; retrying next cycle",
			    src->name, run.error);
			free(f0);
			break;
		}
		}
		jv_set(per, src->name, o);
	}
	res->conflicts_open = -1;
	/* the passes below scan tables once: the cache's memory serves the
	 * conflict index better */
	store_cache_small(env->st, 1);
	cpu[1] = clock_cpu_ms();
	if (!stopped && env->conflicts && !res->store_failed) {
		struct conflicts_result cr;
		struct jval *o = jv_object();

		if (pass_conflicts(env->conflicts, cfg, env->st, env->au, res->id,
		    clock_now(), &cr) < 0) {
			log_err("conflict detection failed: %s; the next cycle "
			    "tries again", cr.error);
			jv_set_str(o, "error", cr.error);
			res->store_failed = 1;
		} else
			res->conflicts_open = store_count(env->st, "conflicts_open");
		jv_set_int(o, "claims", cr.claims);
		jv_set_int(o, "compared", cr.compared);
		jv_set_int(o, "opened", cr.opened);
		jv_set_int(o, "updated", cr.updated);
		jv_set_int(o, "resolved", cr.resolved);
		jv_set_int(o, "closed", cr.closed);
		jv_set_int(o, "reopened", cr.reopened);
		jv_set(per, "conflicts", o);
	}
	res->alerts_open = -1;
	cpu[2] = clock_cpu_ms();
	if (!stopped && !res->store_failed)
		rules_pass(env, res, per);
	cpu[3] = clock_cpu_ms();
	if (!stopped && !res->store_failed && env->sf && cfg->crm.present &&
	    !(env->tick && env->tick(env->tick_arg)))
		writeback_pass(env, res, per);
	store_cache_small(env->st, 0);
	cpu[4] = clock_cpu_ms();
	if (stopped)
		res->status = CYCLE_INTERRUPTED;
	else if (res->store_failed || (res->sources_run > 0 &&
	    res->sources_failed == res->sources_run))
		res->status = CYCLE_FAILED;
	else if (res->sources_failed)
		res->status = CYCLE_PARTIAL;
	else
		res->status = CYCLE_OK;
	snprintf(res->summary, sizeof(res->summary), "cycle %lld %s: %d "
	    "source%s run, %d failed, %lld records, %lld quarantined",
	    (long long)res->id, cycle_status_name(res->status), res->sources_run,
	    res->sources_run == 1 ? "" : "s", res->sources_failed,
	    (long long)res->records, (long long)res->quarantined);
	if (res->conflicts_open >= 0)
		snprintf(res->summary + strlen(res->summary), sizeof(res->summary) -
		    strlen(res->summary), ", %lld conflict%s open",
		    (long long)res->conflicts_open, res->conflicts_open == 1 ? "" : "s");
	if (res->alerts_open >= 0)
		snprintf(res->summary + strlen(res->summary), sizeof(res->summary) -
		    strlen(res->summary), ", %lld alert%s open",
		    (long long)res->alerts_open, res->alerts_open == 1 ? "" : "s");
	if (res->writes || res->write_failures)
		snprintf(res->summary + strlen(res->summary), sizeof(res->summary) -
		    strlen(res->summary), ", %lld CRM write%s, %lld failed",
		    (long long)res->writes, res->writes == 1 ? "" : "s",
		    (long long)res->write_failures);
	detail = jv_object();
	jv_set_str(detail, "status", cycle_status_name(res->status));
	jv_set_int(detail, "records", res->records);
	jv_set_int(detail, "quarantined", res->quarantined);
	jv_set_int(detail, "files", res->files);
	jv_set_int(detail, "failed_files", res->failed_files);
	jv_set_int(detail, "sources_run", res->sources_run);
	jv_set_int(detail, "sources_failed", res->sources_failed);
	jv_set(detail, "sources", per);
	/* where the cycle's CPU went, for an operator sizing the machine */
	cpu_o = jv_object();
	jv_set_int(cpu_o, "sync", cpu[1] - cpu[0]);
	jv_set_int(cpu_o, "conflicts", cpu[2] - cpu[1]);
	jv_set_int(cpu_o, "rules", cpu[3] - cpu[2]);
	jv_set_int(cpu_o, "writeback", cpu[4] - cpu[3]);
	jv_set(detail, "cpu_ms", cpu_o);
	det = jv_dump_canonical(detail);
	clock_now_iso(now);
	if (store_cycle_end(env->st, res->id, cycle_status_name(res->status),
	    det, now) < 0 || audit_log(env->au, res->id, "cycle.end", "cycle",
	    NULL, detail) < 0) {
		log_err("cycle %lld: cannot record its end: %s",
		    (long long)res->id, store_errmsg(env->st));
		res->status = CYCLE_FAILED;
	}
	free(det);
	{
		char idf[48];
		const char *fields[2] = { idf, NULL };

		snprintf(idf, sizeof(idf), "CHANSYNC_CYCLE=%lld", (long long)res->id);
		log_event(res->status == CYCLE_OK ? LOG_INFO : LOG_WARNING,
		    res->status == CYCLE_OK ? MSGID_CYCLE_DONE : MSGID_CYCLE_FAILED,
		    fields, "%s", res->summary);
	}
	if (audit_anchor(env->au, cfg->daemon.state_dir) < 0)
		log_warning("cannot write the audit anchor to %s/%s",
		    cfg->daemon.state_dir, AUDIT_ANCHOR_FILE);
	return 0;
}
