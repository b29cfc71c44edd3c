/*
 * pass_rules.c - the rules' pass: load, compute, store, audit (see
 * pass_rules.h). The rule modules compute; this file is the only one
 * that hands them the store's rows and keeps what they return.
 */
#include "pass_rules.h"
#include "pass_partners.h"
#include "pass.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
pass_plan_on(const struct config *cfg, struct store *st,
    const struct plan_period *per, const char *today, int later,
    struct plan_result *out, char *err, size_t errlen)
{
	struct plan_input in;

	memset(out, 0, sizeof(*out));
	if (store_plan_input(st, per, later ? NULL : today, &in) < 0) {
		snprintf(err, errlen, "reading pipeline: %s", store_errmsg(st));
		return -1;
	}
	in.today = today;
	in.later = later;
	plan_compute(cfg, &in, per, out);
	plan_input_free(&in);
	return 0;
}

int
pass_plan(const struct config *cfg, struct store *st,
    const struct plan_period *per, struct plan_result *out, char *err,
    size_t errlen)
{
	return pass_plan_on(cfg, st, per, NULL, 0, out, err, errlen);
}

/* The stored score of a partner, or NULL. */
static const struct score_stored *
stored_of(const struct score_stored *v, size_t n, const char *partner)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].partner_id, partner) == 0)
			return &v[i];
	return NULL;
}

/*
 * Audits a partner's score or tier changing (contract §11), as shown: a change
 * below the shown precision is not one. Returns 0 or -1.
 */
static int
audit_change(struct audit *au, int64_t cycle_id, const char *period,
    const struct score_stored *sd, const struct score_row *r)
{
	struct jval *d, *o, *n;
	const char *tier = r->tier ? r->tier : "", *was = sd && sd->tier ?
	    sd->tier : "";

	if (sd && sd->has_score == r->has_score && strcmp(was, tier) == 0 &&
	    (!r->has_score || score_shown(sd->score) == score_shown(r->score)))
		return 0;
	d = jv_object();
	jv_set_str(d, "partner_id", r->plan->partner_id);
	jv_set_str(d, "period", period);
	o = jv_object();
	jv_set(o, "score", sd && sd->has_score ? jv_real(score_shown(sd->score)) :
	    jv_null());
	jv_set_str(o, "tier", sd && was[0] ? was : NULL);
	n = jv_object();
	jv_set(n, "score", r->has_score ? jv_real(score_shown(r->score)) :
	    jv_null());
	jv_set_str(n, "tier", r->tier);
	jv_set(d, "old", o);
	jv_set(d, "new", n);
	return audit_log(au, cycle_id, "score.changed", "partner",
	    r->plan->partner_id, d);
}

/* Stores one partner's scorecard for the plan's period. */
static int
store_card(struct store *st, const struct score_result *scores, size_t i,
    const char *period, const char *now)
{
	const struct score_row *r = &scores->rows[i];
	const struct plan_row *p = r->plan;
	struct store_partner_period pp;
	char *kpis = score_card_json(scores, i);
	int rc;

	memset(&pp, 0, sizeof(pp));
	pp.partner_id = p->partner_id;
	pp.period = period;
	pp.closed_won = p->closed_won;
	pp.pipeline = p->pipeline;
	pp.risk_adjusted = p->risk_adjusted;
	pp.plan_target = p->has_plan ? &p->plan : NULL;
	pp.total_target = p->has_plan ? &p->total_target : NULL;
	pp.risk_target = p->has_plan ? &p->risk_target : NULL;
	pp.coverage = p->has_coverage ? &p->coverage : NULL;
	pp.risk_coverage = p->has_risk_coverage ? &p->risk_coverage : NULL;
	pp.attainment = p->has_attainment ? &p->attainment : NULL;
	pp.score = r->has_score ? &r->score : NULL;
	pp.tier = r->tier;
	pp.kpis = kpis;
	rc = store_partner_period_put(st, &pp, now);
	free(kpis);
	return rc;
}

int
pass_scores(const struct config *cfg, struct store *st, struct audit *au,
    int64_t cycle_id, const struct plan_result *plan,
    const struct plan_period *previous, int64_t now, struct score_result *out,
    char *err, size_t errlen)
{
	return pass_scores_as_of(cfg, st, au, cycle_id, plan, previous, now, now,
	    out, err, errlen);
}

int
pass_scores_as_of(const struct config *cfg, struct store *st,
    struct audit *au, int64_t cycle_id, const struct plan_result *plan,
    const struct plan_period *previous, int64_t now, int64_t as_of,
    struct score_result *out, char *err, size_t errlen)
{
	struct score_input in;
	struct score_windows w;
	struct score_stored *stored = NULL;
	struct arena sa;
	size_t nstored = 0, i;
	char nowiso[21];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&in, 0, sizeof(in));
	memset(&sa, 0, sizeof(sa));
	score_windows_of(as_of, plan->period.from,
	    cfg->scoring.certification_valid, &w);
	norm_time_format(now, nowiso);
	/* no partner, nothing to read */
	if (plan->n && (store_score_input(st, &w, previous ? previous->name :
	    NULL, &in) < 0 || store_period_scores(st, plan->period.name, &sa,
	    &stored, &nstored) < 0)) {
		snprintf(err, errlen, "reading scores: %s", store_errmsg(st));
		score_input_free(&in);
		arena_free(&sa);
		return -1;
	}
	score_compute(cfg, plan, &in, out);
	score_input_free(&in);
	if (store_begin(st) < 0) {
		snprintf(err, errlen, "database: %s", store_errmsg(st));
		rc = -1;
		goto out;
	}
	for (i = 0; i < out->n && rc == 0; i++) {
		if (au)
			rc = audit_change(au, cycle_id, plan->period.name,
			    stored_of(stored, nstored, out->rows[i].plan->partner_id),
			    &out->rows[i]);
		if (rc == 0)
			rc = store_card(st, out, i, plan->period.name, nowiso);
	}
	if (rc < 0) {
		snprintf(err, errlen, "database: %s", store_errmsg(st));
		store_rollback(st);
	} else if (store_commit(st) < 0) {
		snprintf(err, errlen, "database: %s", store_errmsg(st));
		rc = -1;
	}
out:
	free(stored);
	arena_free(&sa);
	return rc;
}

/* An alert's audit detail: its evidence with the message. */
static int
audit_alert(struct audit *au, int64_t cycle_id, const char *action,
    const char *key, const char *evidence, const char *message)
{
	char err[64];
	struct jval *d = evidence ? jv_parse(evidence, strlen(evidence), err,
	    sizeof(err)) : NULL;

	if (d == NULL)
		d = jv_object();
	jv_set_str(d, "message", message);
	return audit_log(au, cycle_id, action, "alert", key, d);
}

/* Stores and audits one change of the alerts. */
static int
apply_alert(struct store *st, struct audit *au, int64_t cycle_id,
    const struct alert_change *ch, const char *now)
{
	struct store_alert sa;
	const struct alert *a = ch->alert;
	const struct alert_state *o = ch->was;

	memset(&sa, 0, sizeof(sa));
	sa.first_seen = now;
	sa.last_seen = now;
	if (ch->kind == ALERT_RESOLVED) {
		sa.key = o->key;
		sa.type = "";
		sa.severity = o->severity;
		sa.message = o->message;
		sa.evidence = o->evidence;
		sa.status = "resolved";
		sa.resolved_at = now;
		sa.owner_id = o->owner_id;	/* who had it, for the digest */
		sa.account_owner_id = o->account_owner_id;
		if (store_alert_put(st, &sa) < 0 || audit_alert(au, cycle_id,
		    "alert.resolved", o->key, o->evidence, "its condition "
		    "cleared") < 0)
			return -1;
		log_info("alert %s resolved", o->key);
		return 0;
	}
	sa.key = a->key;
	sa.type = a->type;
	sa.partner_id = a->partner_id;
	sa.owner_id = a->owner_id;
	sa.account_owner_id = a->account_owner_id;
	sa.subject = a->subject;
	sa.period = a->period;
	sa.severity = a->severity;
	sa.message = a->message;
	sa.evidence = a->evidence;
	sa.status = "open";
	if (store_alert_put(st, &sa) < 0 || audit_alert(au, cycle_id,
	    ch->kind == ALERT_RAISED ? "alert.raised" : "alert.updated", a->key,
	    a->evidence, a->message) < 0)
		return -1;
	if (ch->kind == ALERT_RAISED)
		log_notice("alert %s raised (%s)", a->key, a->severity);
	return 0;
}

#define ALERTS_TICK_EVERY 256

/* The ids no CRM partner was found for, as the alerts read them (an
 * array to free; strings borrowed from pm). */
static struct alerts_unknown_partner *
unknown_partners(const struct partner_map *pm, size_t *n)
{
	struct alerts_unknown_partner *unknown;
	size_t i, nu = 0;

	unknown = xcalloc(pm->nrefs + 1, sizeof(*unknown));
	for (i = 0; i < pm->nrefs; i++) {
		const struct partner_resolution *r = &pm->res[i];

		if (r->how != PARTNER_UNRESOLVED)
			continue;
		unknown[nu].source = r->ref->source;
		unknown[nu].id = r->ref->id;
		unknown[nu].name = r->ref->name;
		unknown[nu].claims = r->ref->claims;
		unknown[nu].proposed_id = r->crm_id;
		unknown[nu].proposed_name = r->crm_name;
		unknown[nu++].similarity = r->similarity;
	}
	*n = nu;
	return unknown;
}

/* pass_alerts with the cycle's partner map (NULL: read one). */
static int
alerts_with(const struct config *cfg, struct store *st, struct audit *au,
    int64_t cycle_id, int64_t now, const struct plan_result *plan,
    const struct plan_result *later, size_t nlater,
    const struct score_result *scores, int (*tick)(void *), void *tick_arg,
    const struct partner_map *given, struct pass_alerts_result *res)
{
	struct alerts_input in;
	struct alerts_result out;
	struct alerts_unknown_partner *unknown = NULL;
	struct partner_map pm;
	char nowiso[21];
	size_t i;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(&pm, 0, sizeof(pm));
	if (store_alerts_input(st, &in) < 0) {
		snprintf(res->error, sizeof(res->error), "reading: %s",
		    store_errmsg(st));
		return -1;
	}
	if (given == NULL && partner_map_load(&pm, st, cfg) < 0) {
		snprintf(res->error, sizeof(res->error), "reading partners: %s",
		    store_errmsg(st));
		partner_map_free(&pm);
		alerts_input_free(&in);
		return -1;
	}
	unknown = unknown_partners(given ? given : &pm, &in.nunknown);
	in.unknown = unknown;
	in.later = later;
	in.nlater = nlater;
	alerts_compute(cfg, now, plan, scores, &in, &out);
	norm_time_format(now, nowiso);
	if (store_begin(st) < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		rc = -1;
		goto out;
	}
	for (i = 0; i < out.nchanges && rc == 0; i++) {
		rc = apply_alert(st, au, cycle_id, &out.changes[i], nowiso);
		if (rc == 0 && tick && (i + 1) % ALERTS_TICK_EVERY == 0 &&
		    tick(tick_arg)) {
			store_rollback(st);
			rc = 1;
			goto out;
		}
	}
	if (rc < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		store_rollback(st);
	} else if (store_commit(st) < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		rc = -1;
	} else {
		res->raised = out.raised;
		res->updated = out.updated;
		res->resolved = out.resolved;
		res->open = out.open;
	}
out:
	alerts_result_free(&out);
	alerts_input_free(&in);
	free(unknown);
	partner_map_free(&pm);
	return rc;
}

int
pass_alerts(const struct config *cfg, struct store *st, struct audit *au,
    int64_t cycle_id, int64_t now, const struct plan_result *plan,
    const struct score_result *scores, int (*tick)(void *), void *tick_arg,
    struct pass_alerts_result *res)
{
	return alerts_with(cfg, st, au, cycle_id, now, plan, NULL, 0, scores,
	    tick, tick_arg, NULL, res);
}

/* A period name, collected (store_plan_periods). */
struct names {
	char (*v)[24];
	size_t n, cap;
};

static int
name_row(void *ctx, const struct store_row *r)
{
	struct names *nm = ctx;
	const char *p = store_col(r, "period");

	if (p == NULL || strlen(p) >= sizeof(nm->v[0]))
		return 0;
	xgrow(&nm->v, &nm->cap, nm->n + 1, sizeof(*nm->v));
	snprintf(nm->v[nm->n++], sizeof(nm->v[0]), "%s", p);
	return 0;
}

/* The period before per, of the same kind ("" when it is not one). */
static void
period_before(const struct plan_period *per, struct plan_period *out)
{
	char name[24] = "";
	int y, q, m;

	if (sscanf(per->name, "%4d-Q%1d", &y, &q) == 2)
		snprintf(name, sizeof(name), "%04d-Q%d", q == 1 ? y - 1 : y,
		    q == 1 ? 4 : q - 1);
	else if (sscanf(per->name, "%4d-%2d", &y, &m) == 2)
		snprintf(name, sizeof(name), "%04d-%02d", m == 1 ? y - 1 : y,
		    m == 1 ? 12 : m - 1);
	else if (sscanf(per->name, "%4d", &y) == 1)
		snprintf(name, sizeof(name), "%04d", y - 1);
	/* a name it cannot read leaves out empty */
	plan_period_named(name, out);
}

int
pass_score_history(const struct config *cfg, struct store *st,
    struct audit *au, int64_t cycle_id, const struct plan_period *cur,
    int64_t now, char *err, size_t errlen)
{
	struct names nm;
	struct plan_period prev;
	size_t i;
	int done = 0, rc = 0;

	memset(&nm, 0, sizeof(nm));
	period_before(cur, &prev);
	if (store_plan_periods(st, name_row, &nm) < 0) {
		snprintf(err, errlen, "reading plans: %s", store_errmsg(st));
		return -1;
	}
	for (i = 0; i < nm.n && rc == 0; i++) {
		struct plan_period per, before;
		struct plan_result plan;
		struct score_result sc;
		int64_t end;
		int scored;

		/* earlier periods of the same kind as the current one */
		if (plan_period_named(nm.v[i], &per) < 0 ||
		    strlen(per.name) != strlen(cur->name) ||
		    (strchr(per.name, 'Q') == NULL) != (strchr(cur->name, 'Q') ==
		    NULL) || strcmp(per.name, cur->name) >= 0)
			continue;
		if ((scored = store_period_scored(st, per.name)) < 0) {
			snprintf(err, errlen, "database: %s", store_errmsg(st));
			rc = -1;
			break;
		}
		if (scored && strcmp(per.name, prev.name) != 0)
			continue;	/* history already written, and settled */
		/* as it stood at its last day's end: its pipeline was what
		 * was still open then */
		if (norm_time(per.to, TIME_ISO8601, &end) < 0)
			continue;
		end += 86399;
		period_before(&per, &before);
		if (pass_plan_on(cfg, st, &per, NULL, 0, &plan, err, errlen) < 0) {
			rc = -1;
			break;
		}
		if (pass_scores_as_of(cfg, st, au, cycle_id, &plan, &before, now,
		    end < now ? end : now, &sc, err, errlen) < 0)
			rc = -1;
		else
			done++;
		score_result_free(&sc);
		plan_result_free(&plan);
	}
	free(nm.v);
	return rc < 0 ? -1 : done;
}

#define HORIZON_MAX 8

/*
 * Pipeline to plan for the current period and the later ones of the
 * horizon, scores for the current one, and alerts, after the reads and
 * the conflicts: what the cycle read is what they judge.
 */
void
pass_rules(struct pass *p)
{
	const struct config *cfg = p->env->cfg;
	struct cycle_result *res = p->res;
	struct plan_period cur, prev, next;
	struct plan_result plan, later[HORIZON_MAX];
	struct score_result scores;
	struct pass_alerts_result ar;
	struct jval *o;
	struct tm tm;
	char err[256], today[48];
	int64_t now = clock_now();
	size_t nlater = 0, i;

	res->alerts_open = -1;
	if (p->stopped || res->store_failed)
		return;
	if (plan_period_of(now, cfg->daemon.timezone, cfg->rules.pipeline.period,
	    0, &cur) < 0 || plan_period_of(now, cfg->daemon.timezone,
	    cfg->rules.pipeline.period, 1, &prev) < 0 ||
	    clock_local(now, cfg->daemon.timezone, &tm) < 0) {
		log_err("rules: unknown time zone %s", cfg->daemon.timezone);
		return;
	}
	snprintf(today, sizeof(today), "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	o = jv_object();
	memset(&plan, 0, sizeof(plan));
	memset(&scores, 0, sizeof(scores));
	memset(&ar, 0, sizeof(ar));
	/* each step commits on its own: a stop between them is clean */
	if (pass_plan_on(cfg, p->env->st, &cur, today, 0, &plan, err,
	    sizeof(err)) < 0)
		goto failed;
	/* the earlier periods with a plan first: the current scores then
	 * have the previous period's to compare with, from the first run */
	if (pass_score_history(cfg, p->env->st, p->env->au, res->id, &cur, now,
	    err, sizeof(err)) < 0)
		goto failed;
	if (pass_tick(p))
		goto stopped;
	for (i = 1; i < (size_t)cfg->rules.pipeline.horizon && i <= HORIZON_MAX;
	    i++) {
		if (plan_period_of(now, cfg->daemon.timezone,
		    cfg->rules.pipeline.period, -(int)i, &next) < 0)
			break;
		if (pass_plan_on(cfg, p->env->st, &next, today, 1,
		    &later[nlater], err, sizeof(err)) < 0)
			goto failed;
		nlater++;
	}
	if (pass_tick(p))
		goto stopped;
	if (pass_scores(cfg, p->env->st, p->env->au, res->id, &plan, &prev, now,
	    &scores, err, sizeof(err)) < 0)
		goto failed;
	if (pass_tick(p))
		goto stopped;
	switch (alerts_with(cfg, p->env->st, p->env->au, res->id, now, &plan,
	    later, nlater, &scores, p->env->tick, p->env->tick_arg,
	    pass_partner_map(p), &ar)) {
	case 0:
		res->alerts_open = ar.open;
		break;
	case 1:
		goto stopped;
	default:
		log_err("alerts: %s; the next cycle tries again", ar.error);
		jv_set_str(o, "error", ar.error);
		res->store_failed = 1;
	}
	jv_set_str(o, "period", cur.name);
	jv_set_int(o, "partners", (int64_t)plan.n);
	jv_set_int(o, "alerts_raised", ar.raised);
	jv_set_int(o, "alerts_updated", ar.updated);
	jv_set_int(o, "alerts_resolved", ar.resolved);
	goto out;
failed:
	log_err("rules: %s; the next cycle tries again", err);
	jv_set_str(o, "error", err);
	res->store_failed = 1;
	goto out;
stopped:
	p->stopped = 1;
	jv_set_str(o, "stopped", "between the rules' steps");
out:
	jv_set(p->detail, "rules", o);
	plan_result_free(&plan);
	for (i = 0; i < nlater; i++)
		plan_result_free(&later[i]);
	score_result_free(&scores);
}
