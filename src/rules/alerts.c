/*
 * alerts.c - alerts with a lifecycle (see alerts.h).
 */
#include "rules/alerts.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "lib/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

struct want {
	char *key, *type, *partner_id, *subject, *period, *severity, *message;
	char *evidence;			/* canonical JSON */
};

struct wants {
	struct want *v;
	size_t n, cap;
	struct strmap index;
};

static void
want_add(struct wants *w, const char *type, const char *subject,
    const char *period, const char *partner, const char *severity,
    char *message, struct jval *evidence)
{
	struct want *a;
	char *key = period ? xasprintf("%s:%s:%s", type, subject, period) :
	    xasprintf("%s:%s", type, subject);
	int created;

	*strmap_put(&w->index, key, strlen(key), &created) = (uint32_t)w->n;
	if (!created) {		/* once per key */
		free(key);
		free(message);
		jv_free(evidence);
		return;
	}
	xgrow(&w->v, &w->cap, w->n + 1, sizeof(*w->v));
	a = &w->v[w->n++];
	a->key = key;
	a->type = xstrdup(type);
	a->partner_id = partner ? xstrdup(partner) : NULL;
	a->subject = xstrdup(subject);
	a->period = period ? xstrdup(period) : NULL;
	a->severity = xstrdup(severity);
	a->message = message;
	jv_set_str(evidence, "type", type);
	a->evidence = jv_dump_canonical(evidence);
	jv_free(evidence);
}

static void
wants_free(struct wants *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->v[i].key);
		free(w->v[i].type);
		free(w->v[i].partner_id);
		free(w->v[i].subject);
		free(w->v[i].period);
		free(w->v[i].severity);
		free(w->v[i].message);
		free(w->v[i].evidence);
	}
	free(w->v);
	strmap_free(&w->index);
}

struct ctx {
	const struct config *cfg;
	const struct plan_result *plan;
	struct wants *w;
	int64_t now;
};

static const char *
partner_name(const struct ctx *c, const char *id)
{
	const struct plan_row *p = plan_find(c->plan, id);

	return p && p->name ? p->name : id ? id : "(no partner)";
}

static void
money(double v, const char *cur, char *out, size_t len)
{
	if (v >= 1e6)
		snprintf(out, len, "%.2fM %s", v / 1e6, cur);
	else
		snprintf(out, len, "%.0f %s", v, cur);
}

/* One alert per open conflict. */
static int
conflict_row(void *arg, const struct store_row *r)
{
	struct ctx *c = arg;
	const char *key = store_col(r, "key"), *type = store_col(r, "type");
	const char *customer = store_col(r, "customer");
	const char *winner = store_col(r, "winner");
	const char *members = store_col(r, "members");
	const char *partners = store_col(r, "partners");
	const char *atype, *sev, *action;
	struct jval *e;
	char *msg;

	if (key == NULL || type == NULL)
		return 0;
	if (strcmp(type, "partner_conflict") == 0) {
		atype = "partner_conflict";
		sev = "warning";
		action = "decide which partner keeps the customer and reject or "
		    "redirect the other registrations";
	} else if (strcmp(type, "direct_conflict") == 0) {
		atype = "direct_conflict";
		sev = "warning";
		action = "agree with the account team who owns the deal before "
		    "approving the registration";
	} else {
		atype = "duplicate_registration";
		sev = "info";
		action = "keep the first registration and close the repeats";
	}
	msg = xasprintf("%s: %s claims on %s (%s partner%s); recommended: %s. "
	    "To do: %s. See chansyncctl conflict %s.", atype, members ? members :
	    "?", customer ? customer : "an end customer", partners ? partners : "?",
	    partners && strcmp(partners, "1") == 0 ? "" : "s",
	    winner ? winner : "none (manual policy)", action, key);
	e = jv_object();
	jv_set_str(e, "conflict", key);
	jv_set_str(e, "customer", customer);
	jv_set_str(e, "winner", winner);
	jv_set_str(e, "members", members);
	want_add(c->w, atype, key, NULL, NULL, sev, msg, e);
	return 0;
}

/* SLA and expiry alerts of one pending or approved registration. */
static int
registration_row(void *arg, const struct store_row *r)
{
	struct ctx *c = arg;
	const struct config *cfg = c->cfg;
	const char *key = store_col(r, "key"), *status = store_col(r, "status");
	const char *partner = store_col(r, "partner_id");
	const char *cust = store_col(r, "customer_name");
	const char *reg = store_col(r, "registered_at");
	const char *exp = store_col(r, "expires_at");
	int64_t t;

	if (key == NULL || status == NULL)
		return 0;
	if (strcmp(status, "pending") == 0 && reg &&
	    norm_time(reg, TIME_ISO8601, &t) == 0) {
		int64_t b = alerts_business_seconds(cfg, t, c->now);
		double days = (double)b / 86400.0;
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
			/* no running clock in the text: it would change every cycle */
			char *msg = xasprintf("%s: registration %s by %s for %s has "
			    "waited more than %.0f business day%s for a decision "
			    "(registered %s). To do: approve or reject it.", type, key,
			    partner_name(c, partner), cust ? cust : "?", limit,
			    limit == 1 ? "" : "s", reg);

			(void)days;
			jv_set_str(e, "registration", key);
			jv_set_str(e, "registered_at", reg);
			jv_set(e, "limit_business_days", jv_real(limit));
			/* a breach replaces the warning: one alert per stage */
			want_add(c->w, type, key, NULL, partner, sev, msg, e);
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
		want_add(c->w, "registration_expiring", key, NULL, partner, "warning",
		    msg, e);
	}
	return 0;
}

static void
plan_alerts(struct ctx *c, const struct score_result *scores)
{
	const struct config *cfg = c->cfg;
	const struct plan_result *plan = c->plan;
	const char *cur = cfg->normalize.base_currency ?
	    cfg->normalize.base_currency : "USD";
	size_t i;

	for (i = 0; i < plan->n; i++) {
		const struct plan_row *p = &plan->rows[i];
		char a[48], b[48];

		if (p->has_coverage && p->coverage < 1.0) {
			int crit = p->coverage < cfg->rules.pipeline.critical_below;
			struct jval *e = jv_object();
			char *msg;
			char v[32];

			money(p->pipeline, cur, a, sizeof(a));
			money(p->total_target, cur, b, sizeof(b));
			msg = xasprintf("pipeline_below_plan: %s has %s of pipeline "
			    "closing in %s against a target of %s (coverage %.2f, %s "
			    "under %s). To do: plan pipeline generation with the partner.",
			    p->name ? p->name : p->partner_id, a, plan->period.name, b,
			    p->coverage, crit ? "critical" : "warning", crit ? "the "
			    "critical line" : "1.0");
			snprintf(v, sizeof(v), "%.4f", p->coverage);
			jv_set(e, "coverage", jv_real(strtod(v, NULL)));
			snprintf(v, sizeof(v), "%.2f", p->pipeline);
			jv_set(e, "pipeline", jv_real(strtod(v, NULL)));
			snprintf(v, sizeof(v), "%.2f", p->total_target);
			jv_set(e, "total_target", jv_real(strtod(v, NULL)));
			want_add(c->w, "pipeline_below_plan", p->partner_id,
			    plan->period.name, p->partner_id, crit ? "critical" :
			    "warning", msg, e);
		}
		if (scores && i < scores->n && scores->rows[i].has_score &&
		    scores->rows[i].has_previous && scores->rows[i].previous -
		    scores->rows[i].score >= cfg->rules.score_drop) {
			const struct score_row *s = &scores->rows[i];
			struct jval *e = jv_object();
			char v[32];
			char *msg = xasprintf("score_drop: %s's score fell from %.0f to "
			    "%.0f in %s. To do: review the scorecard (chansyncctl partner "
			    "%s).", p->name ? p->name : p->partner_id, s->previous,
			    s->score, plan->period.name, p->partner_id);

			snprintf(v, sizeof(v), "%.2f", s->previous);
			jv_set(e, "previous", jv_real(strtod(v, NULL)));
			snprintf(v, sizeof(v), "%.2f", s->score);
			jv_set(e, "score", jv_real(strtod(v, NULL)));
			want_add(c->w, "score_drop", p->partner_id, plan->period.name,
			    p->partner_id, "warning", msg, e);
		}
	}
}

/* ---- the lifecycle ---- */

struct have {
	char *key, *status, *severity, *message, *evidence;
};

struct haves {
	struct have *v;
	size_t n, cap;
};

static int
have_row(void *arg, const struct store_row *r)
{
	struct haves *h = arg;
	struct have *a;
	const char *v;

	xgrow(&h->v, &h->cap, h->n + 1, sizeof(*h->v));
	a = &h->v[h->n++];
	a->key = xstrdup(store_col(r, "key"));
	a->status = xstrdup((v = store_col(r, "status")) ? v : "");
	a->severity = xstrdup((v = store_col(r, "severity")) ? v : "");
	a->message = xstrdup((v = store_col(r, "message")) ? v : "");
	a->evidence = xstrdup((v = store_col(r, "evidence")) ? v : "");
	return 0;
}

static void
haves_free(struct haves *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].key);
		free(h->v[i].status);
		free(h->v[i].severity);
		free(h->v[i].message);
		free(h->v[i].evidence);
	}
	free(h->v);
}

static int
audit_alert(struct audit *au, int64_t cycle_id, const char *action,
    const char *key, const char *evidence, const char *message)
{
	char err[64];
	struct jval *d = jv_parse(evidence, strlen(evidence), err, sizeof(err));

	if (d == NULL)
		d = jv_object();
	jv_set_str(d, "message", message);
	return audit_log(au, cycle_id, action, "alert", key, d);
}

int
alerts_run(const struct config *cfg, struct store *st, struct audit *au,
    int64_t cycle_id, int64_t now, const struct plan_result *plan,
    const struct score_result *scores, struct alerts_result *res)
{
	struct wants w;
	struct haves h = { NULL, 0, 0 };
	struct ctx c;
	struct strmap have_ix = { NULL, 0, 0 };
	char nowiso[21];
	size_t i;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(&w, 0, sizeof(w));
	c.cfg = cfg;
	c.plan = plan;
	c.w = &w;
	c.now = now;
	norm_time_format(now, nowiso);
	if (store_list_conflicts(st, 0, conflict_row, &c) < 0 ||
	    store_open_registrations(st, registration_row, &c) < 0 ||
	    store_alert_states(st, have_row, &h) < 0) {
		snprintf(res->error, sizeof(res->error), "reading: %s",
		    store_errmsg(st));
		rc = -1;
		goto out;
	}
	plan_alerts(&c, scores);
	for (i = 0; i < h.n; i++)
		*strmap_put(&have_ix, h.v[i].key, strlen(h.v[i].key), NULL) =
		    (uint32_t)i + 1;
	if (store_begin(st) < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		rc = -1;
		goto out;
	}
	for (i = 0; i < w.n && rc == 0; i++) {
		struct want *a = &w.v[i];
		uint32_t *ix = strmap_get(&have_ix, a->key, strlen(a->key));
		struct have *o = ix && *ix ? &h.v[*ix - 1] : NULL;
		struct store_alert sa;
		const char *action;

		if (o && strcmp(o->status, "open") == 0 &&
		    strcmp(o->severity, a->severity) == 0 &&
		    strcmp(o->message, a->message) == 0 &&
		    strcmp(o->evidence, a->evidence) == 0) {
			res->open++;
			continue;	/* as it was: nothing to write */
		}
		action = o == NULL || strcmp(o->status, "open") != 0 ?
		    "alert.raised" : "alert.updated";
		memset(&sa, 0, sizeof(sa));
		sa.key = a->key;
		sa.type = a->type;
		sa.partner_id = a->partner_id;
		sa.subject = a->subject;
		sa.period = a->period;
		sa.severity = a->severity;
		sa.message = a->message;
		sa.evidence = a->evidence;
		sa.first_seen = nowiso;
		sa.last_seen = nowiso;
		sa.status = "open";
		rc = store_alert_put(st, &sa);
		if (rc == 0)
			rc = audit_alert(au, cycle_id, action, a->key, a->evidence,
			    a->message);
		if (strcmp(action, "alert.raised") == 0) {
			res->raised++;
			log_notice("alert %s raised (%s)", a->key, a->severity);
		} else
			res->updated++;
		res->open++;
		if (o) {
			/* the alert is handled: not resolved below */
			free(o->status);
			o->status = xstrdup("seen");
		}
	}
	/* what no longer holds is resolved */
	for (i = 0; i < h.n && rc == 0; i++) {
		struct have *o = &h.v[i];
		struct store_alert sa;

		if (strcmp(o->status, "open") != 0 ||
		    strmap_get(&w.index, o->key, strlen(o->key)))
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.key = o->key;
		sa.type = "";
		sa.severity = o->severity;
		sa.message = o->message;
		sa.evidence = o->evidence;
		sa.first_seen = nowiso;
		sa.last_seen = nowiso;
		sa.status = "resolved";
		sa.resolved_at = nowiso;
		rc = store_alert_put(st, &sa);
		if (rc == 0)
			rc = audit_alert(au, cycle_id, "alert.resolved", o->key,
			    o->evidence, "its condition cleared");
		res->resolved++;
		log_info("alert %s resolved", o->key);
	}
	if (rc < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		store_rollback(st);
	} else if (store_commit(st) < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		rc = -1;
	}
out:
	strmap_free(&have_ix);
	haves_free(&h);
	wants_free(&w);
	return rc;
}
