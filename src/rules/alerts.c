/*
 * alerts.c - alerts with a lifecycle (see alerts.h).
 */
#include "rules/alerts.h"
#include "lib/clock.h"
#include "lib/humanfmt.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "lib/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


/* ---- business time ---- */

static int
holiday(const struct config *cfg, const struct tm *tm)
{
	char d[48];
	size_t i;

	snprintf(d, sizeof(d), "%04d-%02d-%02d", tm->tm_year + 1900,
	    tm->tm_mon + 1, tm->tm_mday);
	for (i = 0; i < cfg->daemon.nholidays; i++)
		if (strcmp(cfg->daemon.holidays[i], d) == 0)
			return 1;
	return 0;
}

static int
business_day(const struct config *cfg, const struct tm *tm)
{
	int bit = (tm->tm_wday + 6) % 7;		/* mon = 0 ... sun = 6 */

	return (cfg->daemon.business_days >> bit & 1) && !holiday(cfg, tm);
}

/* Is day number n (civil_days) a business day, holidays aside? */
static int
weekday_business(const struct config *cfg, int64_t n)
{
	int wd = (int)(((n + 3) % 7 + 7) % 7);	/* 1970-01-01 was a Thursday: mon = 0 */

	return cfg->daemon.business_days >> wd & 1;
}

static int64_t
tm_days(const struct tm *tm)
{
	return clock_days_from_civil(tm->tm_year + 1900, tm->tm_mon + 1,
	    tm->tm_mday);
}

int64_t
alerts_business_seconds(const struct config *cfg, int64_t from, int64_t to)
{
	const char *tz = cfg->daemon.timezone;
	struct tm tf, tt, mid;
	int64_t total = 0, d0, d1, n, after_from, start_of_to, i, week = 0;
	size_t h;
	int k;

	if (from >= to)
		return 0;
	if (clock_local(from, tz, &tf) < 0 || clock_local(to, tz, &tt) < 0)
		return -1;
	mid = tf;
	mid.tm_mday++;
	mid.tm_hour = mid.tm_min = mid.tm_sec = 0;
	after_from = clock_from_local(&mid, tz);
	if (to <= after_from)
		return business_day(cfg, &tf) ? to - from : 0;
	mid = tt;
	mid.tm_hour = mid.tm_min = mid.tm_sec = 0;
	start_of_to = clock_from_local(&mid, tz);
	/* the two partial days, to the second */
	if (business_day(cfg, &tf))
		total += after_from - from;
	if (business_day(cfg, &tt))
		total += to - start_of_to;
	/* the whole days between, counted by the week */
	d0 = tm_days(&tf) + 1;
	d1 = tm_days(&tt) - 1;
	if (d1 < d0)
		return total;
	n = d1 - d0 + 1;
	for (k = 0; k < 7; k++)
		week += weekday_business(cfg, d0 + k);
	total += (n / 7) * week * 86400;
	for (i = d0 + (n / 7) * 7; i <= d1; i++)
		total += weekday_business(cfg, i) * 86400;
	for (h = 0; h < cfg->daemon.nholidays; h++) {
		int y, m, d;
		int64_t hd;

		if (sscanf(cfg->daemon.holidays[h], "%d-%d-%d", &y, &m, &d) != 3)
			continue;
		hd = clock_days_from_civil(y, m, d);
		if (hd >= d0 && hd <= d1 && weekday_business(cfg, hd))
			total -= 86400;
	}
	return total;
}

/* ---- what should hold ---- */

/* The stale pending registrations of one source and owner. */
struct stale {
	char source[128];
	char owner[128];		/* the partners' owner; "": none known */
	int64_t n, oldest_t;
	const struct alerts_registration *oldest;
};

struct ctx {
	const struct config *cfg;
	const struct plan_result *plan;
	struct alerts_result *w;
	int64_t now;
	struct stale *stale;
	size_t nstale, capstale;
};

/*
 * An alert that holds, once per key; its owner is the partner's
 * (partners.owner_field). Returns it, or NULL when the key was there.
 */
static struct alert *
want_add(struct ctx *c, const char *type, const char *subject,
    const char *period, const char *partner, const char *severity,
    char *message, struct jval *evidence)
{
	struct alerts_result *w = c->w;
	const struct plan_row *p = plan_find(c->plan, partner);
	struct alert *a;
	char *key = period ? xasprintf("%s:%s:%s", type, subject, period) :
	    xasprintf("%s:%s", type, subject);
	uint32_t *ix;
	int created;

	ix = strmap_put(&w->index, key, strlen(key), &created);
	if (!created) {		/* once per key */
		free(key);
		free(message);
		jv_free(evidence);
		return NULL;
	}
	*ix = (uint32_t)w->nholds;
	xgrow(&w->holds, &w->capholds, w->nholds + 1, sizeof(*w->holds));
	a = &w->holds[w->nholds++];
	a->key = key;
	a->type = xstrdup(type);
	a->partner_id = partner ? xstrdup(partner) : NULL;
	a->owner_id = p && p->owner_id ? xstrdup(p->owner_id) : NULL;
	a->account_owner_id = NULL;
	a->subject = xstrdup(subject);
	a->period = period ? xstrdup(period) : NULL;
	a->severity = xstrdup(severity);
	a->message = message;
	jv_set_str(evidence, "type", type);
	a->evidence = jv_dump_canonical(evidence);
	jv_free(evidence);
	return a;
}

void
alerts_result_free(struct alerts_result *w)
{
	size_t i;

	for (i = 0; i < w->nholds; i++) {
		free(w->holds[i].key);
		free(w->holds[i].type);
		free(w->holds[i].partner_id);
		free(w->holds[i].owner_id);
		free(w->holds[i].account_owner_id);
		free(w->holds[i].subject);
		free(w->holds[i].period);
		free(w->holds[i].severity);
		free(w->holds[i].message);
		free(w->holds[i].evidence);
	}
	free(w->holds);
	free(w->changes);
	strmap_free(&w->index);
	memset(w, 0, sizeof(*w));
}

void
alerts_input_free(struct alerts_input *in)
{
	free(in->conflicts);
	free(in->registrations);
	free(in->skipped);
	free(in->states);
	arena_free(&in->arena);
	memset(in, 0, sizeof(*in));
}


static const char *
partner_name(const struct ctx *c, const char *id)
{
	const struct plan_row *p = plan_find(c->plan, id);

	return p && p->name ? p->name : id ? id : "(no partner)";
}

/* An amount as people read it: "1,234,567 USD" (whole units). */
static void
money(double v, const char *cur, char *out, size_t len)
{
	size_t k;

	human_thousands(v, 0, out, len);
	k = strlen(out);
	if (cur && k + 1 + strlen(cur) < len) {
		out[k] = ' ';
		memcpy(out + k + 1, cur, strlen(cur) + 1);
	}
}

/* A rounded figure for evidence: the same cycle after cycle. */
static void
set_fig(struct jval *e, const char *name, double v, int decimals)
{
	char b[48];

	snprintf(b, sizeof(b), "%.*f", decimals, v);
	jv_set(e, name, jv_real(strtod(b, NULL)));
}

/* One alert per open conflict. */
static void
conflict_alert(struct ctx *c, const struct alerts_conflict *k)
{
	const char *atype, *sev, *action;
	struct jval *e;
	struct alert *a;
	char *msg, members[24], partners[24];

	if (k->key == NULL || k->type == NULL)
		return;
	if (strcmp(k->type, "partner_conflict") == 0) {
		atype = "partner_conflict";
		sev = "warning";
		action = "decide which partner keeps the customer and reject or "
		    "redirect the other registrations";
	} else if (strcmp(k->type, "double_approval") == 0) {
		atype = "double_approval";
		sev = "critical";
		action = "two partners hold an approval for the same deal: keep "
		    "one and withdraw the others' approvals now";
	} else if (strcmp(k->type, "direct_conflict") == 0) {
		atype = "direct_conflict";
		sev = "warning";
		action = "agree with the account team who owns the deal before "
		    "approving the registration";
	} else {
		atype = "duplicate_registration";
		sev = "info";
		action = "keep the first registration and close the repeats";
	}
	snprintf(members, sizeof(members), "%lld", (long long)k->members);
	snprintf(partners, sizeof(partners), "%lld", (long long)k->partners);
	msg = xasprintf("%s: %s claims on %s (%s partner%s); recommended: %s. "
	    "To do: %s. See chansyncctl conflict %s.", atype, members,
	    k->customer ? k->customer : "an end customer", partners,
	    k->partners == 1 ? "" : "s",
	    k->winner ? k->winner : "none (manual policy)", action, k->key);
	e = jv_object();
	jv_set_str(e, "conflict", k->key);
	jv_set_str(e, "customer", k->customer);
	jv_set_str(e, "winner", k->winner);
	jv_set_str(e, "members", members);
	jv_set_str(e, "partner_id", k->partner_id);
	jv_set_str(e, "account_owner_id", k->account_owner_id);
	if ((a = want_add(c, atype, k->key, NULL, k->partner_id, sev, msg, e)) &&
	    k->account_owner_id)
		a->account_owner_id = xstrdup(k->account_owner_id);
}

/* One alert per source and partner id no CRM partner was found for. */
static void
unknown_partner_alert(struct ctx *c, const struct alerts_unknown_partner *u)
{
	struct jval *e;
	char subject[320], maybe[400], *msg;

	if (u->source == NULL || u->id == NULL)
		return;
	snprintf(subject, sizeof(subject), "%s:%s", u->source, u->id);
	if (u->proposed_id)
		snprintf(maybe, sizeof(maybe), " It may be %s (%s).",
		    u->proposed_name ? u->proposed_name : "a CRM partner",
		    u->proposed_id);
	else
		maybe[0] = '\0';
	msg = xasprintf("unknown_partner: source %s names partner '%s'%s%s%s in "
	    "%lld registration%s, and no CRM partner has that id%s; its claims "
	    "stay out of partner conflicts.%s Map it under "
	    "partners.aliases.%s, or correct it in %s (chansyncctl partners "
	    "--unresolved).", u->source, u->id, u->name ? " (" : "",
	    u->name ? u->name : "", u->name ? ")" : "", (long long)u->claims,
	    u->claims == 1 ? "" : "s", u->name ? " or that name" : "", maybe,
	    u->source, u->source);
	e = jv_object();
	jv_set_str(e, "source", u->source);
	jv_set_str(e, "partner_id", u->id);
	jv_set_str(e, "partner_name", u->name);
	jv_set_int(e, "registrations", u->claims);
	jv_set_str(e, "proposed_partner_id", u->proposed_id);
	jv_set_str(e, "proposed_partner_name", u->proposed_name);
	want_add(c, "unknown_partner", subject, NULL, NULL, "warning", msg, e);
}

/* One alert per page a source gave up on: its records are missing. */
static void
skipped_page_alert(struct ctx *c, const struct alerts_skipped_page *p)
{
	struct jval *e;
	char subject[96], *msg;

	if (p->source == NULL || p->url_sha256 == NULL)
		return;
	snprintf(subject, sizeof(subject), "%s:%.16s", p->source, p->url_sha256);
	msg = xasprintf("source_page_skipped: source %s could not read %s "
	    "(%lld bytes) in %lld cycles in a row (%s) and skipped it on %s; "
	    "the records on it are missing. To do: ask the vendor to fix the "
	    "page, then run chansyncctl source %s reset-watermark to read it "
	    "again (the alert resolves when a full read no longer meets it).",
	    p->source, p->position ? p->position : "a page", (long long)p->bytes,
	    (long long)p->attempts, p->reason ? p->reason : "unreadable",
	    p->skipped_at ? p->skipped_at : "?", p->source);
	e = jv_object();
	jv_set_str(e, "source", p->source);
	jv_set_str(e, "position", p->position);
	jv_set_str(e, "reason", p->reason);
	jv_set_int(e, "bytes", p->bytes);
	jv_set_str(e, "skipped_at", p->skipped_at);
	want_add(c, "source_page_skipped", subject, NULL, NULL, "warning",
	    msg, e);
}

/* Counts a stale pending registration in its source's roll-up. */
static void
stale_add(struct ctx *c, const struct alerts_registration *r, int64_t t)
{
	const char *colon = strchr(r->key, ':');
	size_t n = colon ? (size_t)(colon - r->key) : strlen(r->key), i;
	const struct plan_row *p = plan_find(c->plan, r->partner_id);
	const char *owner = p && p->owner_id ? p->owner_id : "";
	struct stale *s;

	for (i = 0; i < c->nstale; i++)
		if (strlen(c->stale[i].source) == n &&
		    strncmp(c->stale[i].source, r->key, n) == 0 &&
		    strcmp(c->stale[i].owner, owner) == 0)
			break;
	if (i == c->nstale) {
		xgrow(&c->stale, &c->capstale, c->nstale + 1, sizeof(*c->stale));
		s = &c->stale[c->nstale++];
		memset(s, 0, sizeof(*s));
		snprintf(s->source, sizeof(s->source), "%.*s", (int)n, r->key);
		snprintf(s->owner, sizeof(s->owner), "%s", owner);
	}
	s = &c->stale[i];
	s->n++;
	if (s->oldest == NULL || t < s->oldest_t || (t == s->oldest_t &&
	    strcmp(r->key, s->oldest->key) < 0)) {
		s->oldest = r;
		s->oldest_t = t;
	}
}

/* One stale_registrations alert per source and owner: how many, the
 * oldest. */
static void
stale_alerts(struct ctx *c)
{
	double days = (double)c->cfg->registrations.pending_max_age / 86400.0;
	size_t i;

	for (i = 0; i < c->nstale; i++) {
		const struct stale *s = &c->stale[i];
		const struct alerts_registration *o = s->oldest;
		struct jval *e = jv_object();
		struct alert *a;
		char subject[260];
		char *msg = xasprintf("stale_registrations: source %s has %lld "
		    "pending registration%s older than %.0f days "
		    "(registrations.pending_max_age); the oldest is %s by %s for %s, "
		    "registered %s. They are out of conflicts. To do: approve, "
		    "reject or close them in %s.", s->source, (long long)s->n,
		    s->n == 1 ? "" : "s", days, o->key, partner_name(c,
		    o->partner_id), o->customer_name ? o->customer_name : "?",
		    o->registered_at, s->source);

		jv_set_str(e, "source", s->source);
		jv_set_int(e, "stale", s->n);
		jv_set_str(e, "oldest", o->key);
		jv_set_str(e, "oldest_registered_at", o->registered_at);
		jv_set_str(e, "owner_id", s->owner[0] ? s->owner : NULL);
		if (s->owner[0])
			snprintf(subject, sizeof(subject), "%s:%s", s->source,
			    s->owner);
		else
			snprintf(subject, sizeof(subject), "%s", s->source);
		if ((a = want_add(c, "stale_registrations", subject, NULL, NULL,
		    "warning", msg, e)) && s->owner[0])
			a->owner_id = xstrdup(s->owner);
	}
	free(c->stale);
	c->stale = NULL;
	c->nstale = c->capstale = 0;
}

/* SLA and expiry alerts of one pending or approved registration. */
static void
registration_alerts(struct ctx *c, const struct alerts_registration *r)
{
	const struct config *cfg = c->cfg;
	const char *key = r->key, *status = r->status, *partner = r->partner_id;
	const char *cust = r->customer_name, *reg = r->registered_at;
	const char *exp = r->expires_at;
	int64_t t;

	if (key == NULL || status == NULL)
		return;
	if (strcmp(status, "pending") == 0 && reg &&
	    norm_time(reg, TIME_ISO8601, &t) == 0 &&
	    c->now - t >= cfg->registrations.pending_max_age) {
		stale_add(c, r, t);	/* rolled up per source, no alert of its own */
	} else if (strcmp(status, "pending") == 0 && reg &&
	    norm_time(reg, TIME_ISO8601, &t) == 0) {
		int64_t b = alerts_business_seconds(cfg, t, c->now);
		const char *type = NULL, *sev = NULL;

		if (b >= cfg->rules.approval_sla.breach) {
			type = "approval_sla_breach";
			sev = "critical";
		} else if (b >= cfg->rules.approval_sla.warn) {
			type = "approval_sla_warning";
			sev = "warning";
		}
		if (type) {
			struct jval *e = jv_object();
			int breach = strcmp(type, "approval_sla_breach") == 0;
			double limit = (double)(breach ? cfg->rules.approval_sla.breach :
			    cfg->rules.approval_sla.warn) / 86400.0;
			/* the age in whole business days: the text changes once
			 * a business day, not every cycle */
			int64_t days = b / 86400;
			char *msg = xasprintf("%s: registration %s by %s for %s has "
			    "waited %lld business day%s for a decision (registered %s; "
			    "%s after %.0f). To do: approve or reject it.", type, key,
			    partner_name(c, partner), cust ? cust : "?", (long long)days,
			    days == 1 ? "" : "s", reg, breach ? "critical" : "a warning",
			    limit);

			jv_set_str(e, "registration", key);
			jv_set_str(e, "registered_at", reg);
			jv_set(e, "limit_business_days", jv_real(limit));
			jv_set_int(e, "age_business_days", days);
			/* a breach replaces the warning: one alert per stage */
			want_add(c, type, key, NULL, partner, sev, msg, e);
		}
	}
	if (strcmp(status, "approved") == 0 && exp &&
	    norm_time(exp, TIME_ISO8601, &t) == 0 && t > c->now &&
	    t - c->now <= cfg->rules.expiry_warning) {
		struct jval *e = jv_object();
		char *msg = xasprintf("registration_expiring: registration %s by %s "
		    "for %s expires %s and is not won yet. To do: extend it or help "
		    "the partner close.", key, partner_name(c, partner),
		    cust ? cust : "?", exp);

		jv_set_str(e, "registration", key);
		jv_set_str(e, "expires_at", exp);
		want_add(c, "registration_expiring", key, NULL, partner, "warning",
		    msg, e);
	}
}

/*
 * pipeline_below_plan or risk_adjusted_below_plan of one partner and
 * period: the coverage of its target, stated with the figures.
 */
static void
coverage_alert(struct ctx *c, const struct plan_result *r,
    const struct plan_row *p, int risk)
{
	const struct config *cfg = c->cfg;
	const char *cur = cfg->normalize.base_currency ?
	    cfg->normalize.base_currency : "USD";
	double cov = risk ? p->risk_coverage : p->coverage;
	double index = risk ? cfg->rules.pipeline.risk_adjusted_index :
	    cfg->rules.pipeline.total_index;
	double have = risk ? p->risk_adjusted : p->pipeline;
	int crit = cov < cfg->rules.pipeline.critical_below;
	int remaining = cfg->rules.pipeline.basis == BASIS_REMAINING && !r->later;
	const char *type = risk ? "risk_adjusted_below_plan" :
	    "pipeline_below_plan";
	char h[64], b[64], pl[64], cw[64], cl[64], *msg;
	struct jval *e = jv_object();

	/* critical: under rules.pipeline.critical_below of the target */
	if (crit)
		snprintf(cl, sizeof(cl), "; critical under %.2fx",
		    cfg->rules.pipeline.critical_below);
	else
		cl[0] = '\0';
	money(have, cur, h, sizeof(h));
	money(p->basis, cur, b, sizeof(b));
	money(p->plan, cur, pl, sizeof(pl));
	money(p->closed_won, cur, cw, sizeof(cw));
	if (remaining)
		msg = xasprintf("%s: %s's %spipeline of %s covers %.2fx of the "
		    "%gx target on the %s still to close in %s (plan %s, "
		    "closed-won %s)%s. To do: plan pipeline generation with the "
		    "partner.", type, p->name ? p->name : p->partner_id, risk ?
		    "risk-adjusted " : "", h, cov, index, b, r->period.name, pl, cw,
		    cl);
	else
		msg = xasprintf("%s: %s's %spipeline of %s covers %.2fx of the "
		    "%gx target on the plan of %s for %s%s. To do: plan pipeline "
		    "generation with the partner.", type, p->name ? p->name :
		    p->partner_id, risk ? "risk-adjusted " : "", h, cov, index, pl,
		    r->period.name, cl);
	jv_set_str(e, "period", r->period.name);
	jv_set_str(e, "basis", remaining ? "remaining" : "plan");
	set_fig(e, "coverage", cov, 4);
	set_fig(e, risk ? "risk_adjusted_pipeline" : "pipeline", have, 2);
	set_fig(e, "target", index * p->basis, 2);
	set_fig(e, "plan", p->plan, 2);
	set_fig(e, "closed_won", p->closed_won, 2);
	want_add(c, type, p->partner_id, r->period.name, p->partner_id,
	    crit ? "critical" : "warning", msg, e);
}

/* The pipeline rules of one period's figures (contract §8). */
static void
period_alerts(struct ctx *c, const struct plan_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct plan_row *p = &r->rows[i];

		if (!p->has_plan || p->plan <= 0)
			continue;	/* no plan: flagged on the scorecard */
		if (!r->later && p->closed_won >= p->plan)
			continue;	/* the current period's plan is met */
		/* the risk-adjusted alert says what the total one does not:
		 * enough pipeline, too little of it likely to close */
		if (p->has_coverage && p->coverage < 1.0)
			coverage_alert(c, r, p, 0);
		else if (p->has_risk_coverage && p->risk_coverage < 1.0)
			coverage_alert(c, r, p, 1);
	}
}

/* A partner's open opportunities past their close date: apart from the
 * pipeline, one alert with their count and total. */
static void
past_due_alert(struct ctx *c, const struct plan_row *p)
{
	const char *cur = c->cfg->normalize.base_currency ?
	    c->cfg->normalize.base_currency : "USD";
	struct jval *e = jv_object();
	char t[64], *msg;

	money(p->past_due, cur, t, sizeof(t));
	msg = xasprintf("pipeline_past_due: %s has %d open opportunit%s past "
	    "the close date (the oldest %s), %s in all, not counted as "
	    "pipeline. To do: ask the partner to move the close dates or close "
	    "them.", p->name ? p->name : p->partner_id, p->past_due_n,
	    p->past_due_n == 1 ? "y" : "ies", p->past_due_oldest, t);
	jv_set_int(e, "opportunities", p->past_due_n);
	set_fig(e, "total", p->past_due, 2);
	jv_set_str(e, "oldest_close_date", p->past_due_oldest);
	/* housekeeping for the partner, not a risk today: info */
	want_add(c, "pipeline_past_due", p->partner_id, NULL, p->partner_id,
	    "info", msg, e);
}

/* ", score 72 to 55" when both are known, else "" (a static buffer). */
static const char *
scores_of(const struct score_row *s)
{
	static char b[64];

	if (!s->has_previous || !s->has_score)
		return "";
	snprintf(b, sizeof(b), ", score %.0f to %.0f", s->previous, s->score);
	return b;
}

/* A tier's place in scoring.tiers (0 the top), or -1. */
static int
tier_index(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; name && i < cfg->scoring.ntiers; i++)
		if (strcasecmp(cfg->scoring.tiers[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * tier_changed: the tier the rules give the partner in this period is not
 * the one it ended the previous period with. A condition of the period,
 * not of a cycle: it stays open while it holds, and the write-back of
 * the new tier does not clear it. A step down says the scores too, and
 * stands for the score_drop it implies: 1 then, else 0.
 */
static int
tier_alert(struct ctx *c, const struct plan_row *p, const struct score_row *s)
{
	const char *had = s->previous_tier;
	int was = tier_index(c->cfg, had), now = tier_index(c->cfg, s->tier);
	int down = was >= 0 && now > was;
	struct jval *e;
	char *msg;

	if (s->tier == NULL || had == NULL || strcasecmp(had, s->tier) == 0)
		return 0;
	e = jv_object();
	if (s->has_previous && s->has_score) {
		set_fig(e, "previous", s->previous, 2);
		set_fig(e, "score", s->score, 2);
	}
	jv_set_str(e, "previous_tier", had);
	jv_set_str(e, "tier", s->tier);
	jv_set_str(e, "rule", s->tier_rule);
	jv_set_str(e, "next_tier_needs", s->next_needs);
	msg = xasprintf("tier_changed: %s moves from %s (the previous period's"
	    "%s) to %s in %s by the rule %s%s%s. To do: %s (chansyncctl partner "
	    "%s).", p->name ? p->name : p->partner_id, had, scores_of(s),
	    s->tier, c->plan->period.name, s->tier_rule ? s->tier_rule :
	    s->tier, s->next_needs ? "; the tier above needs " : "",
	    s->next_needs ? s->next_needs : "", down ? "tell the partner, with "
	    "what the tier above needs" : "confirm the new tier's benefits with "
	    "the partner", p->partner_id);
	want_add(c, "tier_changed", p->partner_id, c->plan->period.name,
	    p->partner_id, down ? "warning" : "info", msg, e);
	return down;
}

static void
plan_alerts(struct ctx *c, const struct score_result *scores,
    const struct alerts_input *in)
{
	const struct config *cfg = c->cfg;
	const struct plan_result *plan = c->plan;
	size_t i;

	period_alerts(c, plan);
	for (i = 0; i < in->nlater; i++)
		period_alerts(c, &in->later[i]);
	for (i = 0; i < plan->n; i++) {
		const struct plan_row *p = &plan->rows[i];

		int down = 0;

		if (p->past_due_n > 0)
			past_due_alert(c, p);
		/* a step down in tier says the score drop too: one alert */
		if (scores && i < scores->n)
			down = tier_alert(c, p, &scores->rows[i]);
		if (!down && scores && i < scores->n && scores->rows[i].has_score &&
		    scores->rows[i].has_previous && scores->rows[i].previous -
		    scores->rows[i].score >= cfg->rules.score_drop) {
			const struct score_row *s = &scores->rows[i];
			struct jval *e = jv_object();
			char *msg = xasprintf("score_drop: %s's score fell from %.0f to "
			    "%.0f in %s. To do: review the scorecard (chansyncctl partner "
			    "%s).", p->name ? p->name : p->partner_id, s->previous,
			    s->score, plan->period.name, p->partner_id);

			set_fig(e, "previous", s->previous, 2);
			set_fig(e, "score", s->score, 2);
			want_add(c, "score_drop", p->partner_id, plan->period.name,
			    p->partner_id, "warning", msg, e);
		}
	}
}

/* ---- the lifecycle ---- */

static void
change(struct alerts_result *w, enum alert_change_kind kind,
    const struct alert *a, const struct alert_state *was)
{
	xgrow(&w->changes, &w->capchanges, w->nchanges + 1,
	    sizeof(*w->changes));
	w->changes[w->nchanges].kind = kind;
	w->changes[w->nchanges].alert = a;
	w->changes[w->nchanges].was = was;
	w->nchanges++;
}

static int
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* What differs from the stored alerts: raised, updated, resolved. */
static void
diff(struct alerts_result *w, const struct alerts_input *in)
{
	struct strmap have_ix = { NULL, 0, 0 };
	uint8_t *handled = xcalloc(in->nstates + 1, 1);
	size_t i;

	for (i = 0; i < in->nstates; i++)
		if (in->states[i].key)
			*strmap_put(&have_ix, in->states[i].key,
			    strlen(in->states[i].key), NULL) = (uint32_t)i + 1;
	for (i = 0; i < w->nholds; i++) {
		const struct alert *a = &w->holds[i];
		uint32_t *ix = strmap_get(&have_ix, a->key, strlen(a->key));
		const struct alert_state *o = ix && *ix ? &in->states[*ix - 1] : NULL;
		int open = o && same(o->status, "open");

		w->open++;
		if (o)
			handled[*ix - 1] = 1;
		if (open && same(o->severity, a->severity) &&
		    same(o->message, a->message) && same(o->evidence, a->evidence) &&
		    same(o->owner_id, a->owner_id) && same(o->account_owner_id,
		    a->account_owner_id) && same(o->partner_id, a->partner_id))
			continue;	/* as it was: nothing to write */
		if (open) {
			change(w, ALERT_UPDATED, a, o);
			w->updated++;
		} else {
			change(w, ALERT_RAISED, a, o);
			w->raised++;
		}
	}
	/* what no longer holds is resolved */
	for (i = 0; i < in->nstates; i++) {
		const struct alert_state *o = &in->states[i];

		if (handled[i] || o->key == NULL || !same(o->status, "open"))
			continue;
		change(w, ALERT_RESOLVED, NULL, o);
		w->resolved++;
	}
	free(handled);
	strmap_free(&have_ix);
}

void
alerts_compute(const struct config *cfg, int64_t now,
    const struct plan_result *plan, const struct score_result *scores,
    const struct alerts_input *in, struct alerts_result *out)
{
	struct ctx c;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.plan = plan;
	c.w = out;
	c.now = now;
	for (i = 0; i < in->nconflicts; i++)
		conflict_alert(&c, &in->conflicts[i]);
	for (i = 0; i < in->nregistrations; i++)
		registration_alerts(&c, &in->registrations[i]);
	stale_alerts(&c);
	plan_alerts(&c, scores, in);
	for (i = 0; i < in->nskipped; i++)
		skipped_page_alert(&c, &in->skipped[i]);
	for (i = 0; i < in->nunknown; i++)
		unknown_partner_alert(&c, &in->unknown[i]);
	diff(out, in);
}
