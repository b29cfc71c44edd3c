/*
 * store_rules.c - reads and writes of the rules' passes: claims and
 * conflicts, plan figures, scores, alerts.
 */
#include "store_internal.h"
#include "lib/digest.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "rules/alerts.h"
#include "rules/conflicts.h"
#include "rules/partner_ids.h"
#include "rules/plan.h"
#include "rules/queue.h"
#include "rules/score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A text column copied into a, or NULL. */
static const char *
col_str(struct arena *a, sqlite3_stmt *s, int i)
{
	const char *v = sq_col_text(s, i);

	return v ? arena_strdup(a, v) : NULL;
}

/* Room for one more element of *v (of sz bytes). */
static void *
push(void *v, size_t *n, size_t *cap, size_t sz)
{
	void **pv = v;

	xgrow(pv, cap, *n + 1, sz);
	return (char *)*pv + sz * (*n)++;
}

/* A time column in seconds since the epoch; 0 for NULL or unreadable. */
static int64_t
col_time(sqlite3_stmt *s, int i)
{
	const char *v = sq_col_text(s, i);
	int64_t t;

	return v && norm_time(v, TIME_ISO8601, &t) == 0 ? t : 0;
}

/*
 * The first read's direct claims: a third of a big org's opportunities
 * (333,000 of a million), so they are read by a query of their own that
 * asks SQLite for the four columns they have, and the claim's key is
 * written into a buffer rather than concatenated (and allocated) by
 * SQLite. What the WHERE settles (not deleted, not closed) is not read;
 * its terms go in column order: SQLite reads a row's header only as far
 * as the columns asked (2/3 have a partner).
 */
static int
direct_claims(struct store *st, store_claim_fn fn, void *ctx)
{
	static const char prefix[] = "opportunity:";
	struct conflict_claim_row row;
	char buf[sizeof(prefix) + 64], *key = buf;
	size_t cap = sizeof(buf);
	sqlite3_stmt *s;
	int rc;

	s = sq_prep(st, "SELECT id, customer_name, customer_domain, "
	    "customer_country, stage, amount_base, probability, close_date, "
	    "created_at FROM opportunities WHERE partner_id IS NULL "
	    "AND coalesce(is_closed, 0) = 0 AND deleted = 0");
	if (s == NULL)
		return -1;
	memset(&row, 0, sizeof(row));
	row.is_opportunity = 1;
	memcpy(key, prefix, sizeof(prefix));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = sq_col_text(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);

		if (id == NULL)
			continue;
		if (sizeof(prefix) + n > cap) {
			cap = sizeof(prefix) + n;
			key = xrealloc(key == buf ? NULL : key, cap);
			memcpy(key, prefix, sizeof(prefix));
		}
		memcpy(key + sizeof(prefix) - 1, id, n + 1);
		row.key = key;
		row.customer_name = sq_col_text(s, 1);
		row.customer_domain = sq_col_text(s, 2);
		row.customer_country = sq_col_text(s, 3);
		row.status = sq_col_text(s, 4);
		row.amount = sqlite3_column_double(s, 5);
		row.probability = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 :
		    sqlite3_column_double(s, 6);
		row.expires_at = col_time(s, 7);
		row.registered_at = col_time(s, 8);
		if (fn(ctx, &row))
			break;
	}
	if (key != buf)
		free(key);
	return sq_read_end(st, s, rc, "reading");
}

/* The claim rows of s (store_conflict_claims' columns); *stopped says
 * whether fn stopped the reading. */
static int
claim_rows(struct store *st, sqlite3_stmt *s, store_claim_fn fn, void *ctx,
    int *stopped)
{
	struct conflict_claim_row row;
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.is_opportunity = sqlite3_column_int(s, 0);
		row.key = sq_col_text(s, 1);
		row.partner_id = sq_col_text(s, 2);
		row.customer_name = sq_col_text(s, 3);
		row.customer_domain = sq_col_text(s, 4);
		row.customer_country = sq_col_text(s, 5);
		row.product = sq_col_text(s, 6);
		row.status = sq_col_text(s, 7);
		row.registered_at = col_time(s, 8);
		row.decided_at = col_time(s, 9);
		row.expires_at = col_time(s, 10);
		row.deleted = sqlite3_column_int(s, 11) != 0;
		row.is_closed = sqlite3_column_int(s, 12) != 0;
		row.partner_name = sq_col_text(s, 13);
		row.amount = sqlite3_column_double(s, 14);
		row.probability = sqlite3_column_type(s, 15) == SQLITE_NULL ? -1 :
		    sqlite3_column_double(s, 15);
		if (row.key && fn(ctx, &row))
			break;
	}
	if (stopped)
		*stopped = rc == SQLITE_ROW;
	return sq_read_end(st, s, rc, "reading");
}

/* A registration's columns for claim_rows, with its partner's CRM name
 * and its linked opportunity's probability. */
#define REG_CLAIM_COLS "0, r.key, r.partner_id, r.customer_name, " \
	"r.customer_domain, r.customer_country, r.product, r.status, " \
	"r.registered_at, r.decided_at, r.expires_at, r.deleted, 0, p.name, " \
	"r.amount_base, o.probability FROM registrations r LEFT JOIN partners " \
	"p ON p.id = r.partner_id LEFT JOIN opportunities o ON " \
	"o.id = r.opportunity_id "

int
store_conflict_claims(struct store *st, const char *since, int direct,
    store_claim_fn fn, void *ctx)
{
	sqlite3_stmt *s;
	int stopped;

	/*
	 * Registrations, and (direct) opportunities with no partner. The
	 * first read (since NULL) builds the index from nothing: only the
	 * claims that can be active are worth reading, in table order; later
	 * reads take every row synced since, to see claims end too.
	 */
	if (since == NULL || *since == '\0') {
		s = sq_prep(st, "SELECT " REG_CLAIM_COLS "WHERE r.deleted = 0 AND "
		    "r.status IN ('pending', 'approved')");
		if (claim_rows(st, s, fn, ctx, &stopped) < 0)
			return -1;
		return direct && !stopped ? direct_claims(st, fn, ctx) : 0;
	}
	s = sq_prep(st, "SELECT " REG_CLAIM_COLS "WHERE r.synced_at >= ?1 "
	    "UNION ALL SELECT 1, 'opportunity:' || id, partner_id, "
	    "customer_name, customer_domain, customer_country, NULL, stage, "
	    "created_at, NULL, close_date, deleted, is_closed, NULL, amount_base, "
	    "probability FROM opportunities WHERE ?2 AND synced_at >= ?1");
	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, since);
	sqlite3_bind_int(s, 2, direct);
	return claim_rows(st, s, fn, ctx, NULL);
}

int
store_partner_directory(struct store *st, struct arena *a,
    struct partner_entry **ret, size_t *ret_n)
{
	struct partner_entry *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	if ((s = sq_prep(st, "SELECT id, name, domain FROM partners WHERE "
	    "deleted = 0 ORDER BY id")) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct partner_entry *x = push(&v, &n, &cap, sizeof(*x));

		x->id = col_str(a, s, 0);
		x->name = col_str(a, s, 1);
		x->domain = col_str(a, s, 2);
	}
	if (sq_read_end(st, s, rc, "reading partners") < 0) {
		free(v);
		return -1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int
store_partner_refs(struct store *st, struct arena *a,
    struct partner_ref **ret, size_t *ret_n)
{
	struct partner_ref *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	/*
	 * The ids registrations name that no CRM partner has, per source,
	 * with the name the source gives most recently. The distinct ids
	 * come from the partner_id index and only those unknown are looked
	 * at row by row: it runs every cycle, and over a million
	 * registrations that all name CRM partners it reads 0.1 s, where a
	 * probe per row read 1.9 s.
	 */
	if ((s = sq_prep(st, "SELECT source, partner_id, (SELECT partner_name "
	    "FROM registrations q WHERE q.source = r.source AND q.partner_id = "
	    "r.partner_id AND q.partner_name IS NOT NULL ORDER BY updated_at "
	    "DESC LIMIT 1), count(*), (SELECT partner_domain FROM registrations "
	    "q WHERE q.source = r.source AND q.partner_id = r.partner_id AND "
	    "q.partner_domain IS NOT NULL ORDER BY updated_at DESC LIMIT 1) "
	    "FROM registrations r WHERE partner_id IN "
	    "(SELECT partner_id FROM registrations EXCEPT SELECT id FROM partners "
	    "WHERE deleted = 0) AND deleted = 0 GROUP BY source, partner_id "
	    "ORDER BY source, partner_id")) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct partner_ref *x = push(&v, &n, &cap, sizeof(*x));

		x->source = col_str(a, s, 0);
		x->id = col_str(a, s, 1);
		x->name = col_str(a, s, 2);
		x->claims = sqlite3_column_int64(s, 3);
		x->domain = col_str(a, s, 4);
	}
	if (sq_read_end(st, s, rc, "reading partner ids") < 0) {
		free(v);
		return -1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Win rates per partner and product line: registrations won ÷ (won +
 * lost) among those decided since (likelihood_to_close). */
int
store_win_rates(struct store *st, int64_t since, struct arena *a,
    struct conflict_score **ret, size_t *ret_n)
{
	struct conflict_score *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	char t[21];
	int rc;

	norm_time_format(since, t);
	if ((s = sq_prep(st, "SELECT partner_id, lower(product), "
	    "avg(status = 'won') FROM registrations WHERE deleted = 0 AND "
	    "status IN ('won', 'lost') AND product IS NOT NULL AND "
	    "coalesce(decided_at, updated_at) >= ?1 GROUP BY partner_id, "
	    "lower(product) ORDER BY 1, 2")) == NULL)
		return -1;
	sq_bind_text(s, 1, t);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct conflict_score *x = push(&v, &n, &cap, sizeof(*x));

		x->partner_id = col_str(a, s, 0);
		x->product = col_str(a, s, 1);
		x->score = sqlite3_column_double(s, 2);
	}
	if (sq_read_end(st, s, rc, "reading win rates") < 0) {
		free(v);
		return -1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int
store_conflicts_known(struct store *st, struct arena *a,
    struct conflicts_known *out)
{
	struct conflict_state *v = NULL;
	struct conflict_member_row *m = NULL;
	size_t n = 0, cap = 0, nm = 0, capm = 0;
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((s = sq_prep(st, "SELECT key, type, status, crm_status, winner, "
	    "evidence_sha, customer, customer_domain, customer_country, reason "
	    "FROM conflicts ORDER BY key")) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct conflict_state *x = push(&v, &n, &cap, sizeof(*x));

		x->key = col_str(a, s, 0);
		x->type = col_str(a, s, 1);
		x->status = col_str(a, s, 2);
		x->crm_status = col_str(a, s, 3);
		x->winner = col_str(a, s, 4);
		x->evidence_sha = col_str(a, s, 5);
		x->customer = col_str(a, s, 6);
		x->customer_domain = col_str(a, s, 7);
		x->customer_country = col_str(a, s, 8);
		x->reason = col_str(a, s, 9);
	}
	if (sq_read_end(st, s, rc, "reading conflicts") < 0)
		goto fail;
	if ((s = sq_prep(st, "SELECT conflict_key, member FROM "
	    "conflict_members WHERE removed_at IS NULL ORDER BY conflict_key, "
	    "added_at, member")) == NULL)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct conflict_member_row *x = push(&m, &nm, &capm, sizeof(*x));

		x->conflict_key = col_str(a, s, 0);
		x->member = col_str(a, s, 1);
	}
	if (sq_read_end(st, s, rc, "reading conflict members") < 0)
		goto fail;
	out->states = v;
	out->nstates = n;
	out->members = m;
	out->nmembers = nm;
	return 0;
fail:
	free(v);
	free(m);
	return -1;
}

int
store_latest_scores(struct store *st, struct arena *a,
    struct conflict_score **ret, size_t *ret_n)
{
	struct conflict_score *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	if ((s = sq_prep(st, "SELECT partner_id, score FROM partner_periods p "
	    "WHERE score IS NOT NULL AND period = (SELECT max(period) FROM "
	    "partner_periods q WHERE q.partner_id = p.partner_id AND q.score IS "
	    "NOT NULL) ORDER BY partner_id")) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct conflict_score *x = push(&v, &n, &cap, sizeof(*x));

		x->partner_id = col_str(a, s, 0);
		x->score = sqlite3_column_double(s, 1);
		x->product = NULL;
	}
	if (sq_read_end(st, s, rc, "reading partner scores") < 0) {
		free(v);
		return -1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int
store_conflict_put(struct store *st, const struct conflict_record *c)
{
	sqlite3_stmt *s = sq_cached(st, STMT_CONFLICT_PUT, "INSERT INTO conflicts(key, type, status, "
	    "customer, customer_domain, customer_country, policy, winner, reason, "
	    "evidence, opened_at, updated_at, resolved_at, resolution, crm_status, "
	    "evidence_sha) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "coalesce(?10, '{}'), ?11, ?12, ?13, ?14, NULL, ?16) "
	    "ON CONFLICT(key) DO UPDATE SET type = ?2, "
	    "status = ?3, customer = ?4, customer_domain = ?5, "
	    "customer_country = ?6, policy = ?7, winner = ?8, reason = ?9, "
	    "evidence = coalesce(?10, evidence), "
	    "evidence_sha = coalesce(?16, evidence_sha), "
	    "updated_at = ?12, resolved_at = ?13, resolution = ?14, "
	    "crm_status = CASE WHEN ?15 THEN NULL ELSE crm_status END, "
	    "decided_winner = CASE WHEN ?3 = 'open' THEN NULL ELSE "
	    "decided_winner END, decision = CASE WHEN ?3 = 'open' THEN NULL "
	    "ELSE decision END");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, c->key);
	sq_bind_text(s, 2, c->type);
	sq_bind_text(s, 3, c->status);
	sq_bind_text(s, 4, c->customer);
	sq_bind_text(s, 5, c->customer_domain);
	sq_bind_text(s, 6, c->customer_country);
	sq_bind_text(s, 7, c->policy);
	sq_bind_text(s, 8, c->winner);
	sq_bind_text(s, 9, c->reason);
	sq_bind_text(s, 10, c->evidence);
	sq_bind_text(s, 11, c->opened_at);
	sq_bind_text(s, 12, c->updated_at);
	sq_bind_text(s, 13, c->resolved_at);
	sq_bind_text(s, 14, c->resolution);
	sqlite3_bind_int(s, 15, c->clear_crm_status);
	if (c->evidence) {
		unsigned char h[DIGEST_LEN];
		char hex[DIGEST_HEX_LEN + 1];

		sha256(c->evidence, strlen(c->evidence), h);
		hex_encode(h, DIGEST_LEN, hex);
		sq_bind_text(s, 16, hex);
	} else
		sqlite3_bind_null(s, 16);
	return sq_run_cached(st, s, "storing a conflict");
}

int
store_conflict_member(struct store *st, const char *key, const char *member,
    const char *kind, const char *partner_id, const char *now, int present)
{
	sqlite3_stmt *s = present ? sq_cached(st, STMT_MEMBER_ADD,
	    "INSERT INTO conflict_members(conflict_key, member, kind, partner_id, "
	    "added_at) VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(conflict_key, "
	    "member) DO UPDATE SET removed_at = NULL, partner_id = ?4") :
	    sq_cached(st, STMT_MEMBER_REMOVE,
	    "UPDATE conflict_members SET removed_at = ?5 WHERE conflict_key = ?1 "
	    "AND member = ?2 AND removed_at IS NULL");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, key);
	sq_bind_text(s, 2, member);
	sq_bind_text(s, 3, kind);
	sq_bind_text(s, 4, partner_id);
	sq_bind_text(s, 5, now);
	return sq_run_cached(st, s, "storing a conflict member");
}

int
store_conflict_set_crm_status(struct store *st, const char *key,
    const char *status, const char *sobject)
{
	/* the status chansync itself last wrote there is not an operator's
	 * word: read back (within the lookback) before the next write-back,
	 * it would close a conflict an operator has just reopened */
	sqlite3_stmt *s = sq_prep(st, "UPDATE conflicts SET crm_status = ?2 "
	    "WHERE key = ?1 AND NOT EXISTS (SELECT 1 FROM crm_acks WHERE "
	    "object = ?3 AND record = ?1 AND field = 'Status__c' AND "
	    "value = json_quote(?2))");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, key);
	sq_bind_text(s, 2, status);
	sq_bind_text(s, 3, sobject);
	if (sq_run(st, s, "storing a conflict's CRM status") < 0)
		return -1;
	return sqlite3_changes(st->db);
}

int
store_partner_period_put(struct store *st, const struct store_partner_period *p,
    const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT INTO partner_periods(partner_id, "
	    "period, closed_won, pipeline, risk_adjusted, plan_target, "
	    "total_target, risk_target, coverage, risk_coverage, attainment, score, "
	    "tier, kpis, computed_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT(partner_id, period) DO "
	    "UPDATE SET closed_won = ?3, pipeline = ?4, risk_adjusted = ?5, "
	    "plan_target = ?6, total_target = ?7, risk_target = ?8, coverage = ?9, "
	    "risk_coverage = ?10, attainment = ?11, score = ?12, tier = ?13, "
	    "kpis = ?14, computed_at = ?15");
	const double *opt[] = { p->plan_target, p->total_target, p->risk_target,
		p->coverage, p->risk_coverage, p->attainment, p->score };
	int i;

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, p->partner_id);
	sq_bind_text(s, 2, p->period);
	sqlite3_bind_double(s, 3, p->closed_won);
	sqlite3_bind_double(s, 4, p->pipeline);
	sqlite3_bind_double(s, 5, p->risk_adjusted);
	for (i = 0; i < 7; i++)
		if (opt[i])
			sqlite3_bind_double(s, 6 + i, *opt[i]);
		else
			sqlite3_bind_null(s, 6 + i);
	sq_bind_text(s, 13, p->tier);
	sq_bind_text(s, 14, p->kpis);
	sq_bind_text(s, 15, now);
	return sq_run(st, s, "storing a partner's period");
}

#define SEVERITY_RANK(x) "(CASE " x " WHEN 'critical' THEN 2 WHEN 'warning' " \
	"THEN 1 ELSE 0 END)"

int
store_alert_put(struct store *st, const struct store_alert *a)
{
	sqlite3_stmt *s = sq_cached(st, STMT_ALERT_PUT, "INSERT INTO alerts(key, "
	    "type, partner_id, subject, period, severity, message, evidence, "
	    "first_seen, last_seen, status, resolved_at, owner_id, "
	    "account_owner_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14) ON CONFLICT(key) DO UPDATE SET "
	    "severity = ?6, message = ?7, evidence = ?8, last_seen = ?10, "
	    "status = ?11, resolved_at = ?12, first_seen = CASE WHEN status = "
	    "'resolved' AND ?11 = 'open' THEN ?9 ELSE first_seen END, "
	    "partner_id = coalesce(?3, partner_id), owner_id = ?13, "
	    "account_owner_id = ?14, escalated_at = CASE WHEN status = 'open' "
	    "AND ?11 = 'open' AND " SEVERITY_RANK("?6") " > " SEVERITY_RANK(
	    "severity") " THEN ?10 ELSE escalated_at END");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, a->key);
	sq_bind_text(s, 2, a->type);
	sq_bind_text(s, 3, a->partner_id);
	sq_bind_text(s, 4, a->subject);
	sq_bind_text(s, 5, a->period);
	sq_bind_text(s, 6, a->severity);
	sq_bind_text(s, 7, a->message);
	sq_bind_text(s, 8, a->evidence);
	sq_bind_text(s, 9, a->first_seen);
	sq_bind_text(s, 10, a->last_seen);
	sq_bind_text(s, 11, a->status);
	sq_bind_text(s, 12, a->resolved_at);
	sq_bind_text(s, 13, a->owner_id);
	sq_bind_text(s, 14, a->account_owner_id);
	return sq_run_cached(st, s, "storing an alert");
}

int
store_plan_input(struct store *st, const struct plan_period *per,
    const char *past_due_before, struct plan_input *in)
{
	size_t cap[4] = { 0, 0, 0, 0 };
	sqlite3_stmt *s;
	int rc;

	memset(in, 0, sizeof(*in));
	if ((s = sq_prep(st, "SELECT id, name, tier, owner_id FROM partners "
	    "WHERE deleted = 0 ORDER BY id")) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct plan_partner *p;

		if (sq_col_text(s, 0) == NULL)
			continue;
		p = push(&in->partners, &in->npartners, &cap[0], sizeof(*p));
		p->id = col_str(&in->arena, s, 0);
		p->name = col_str(&in->arena, s, 1);
		p->tier = col_str(&in->arena, s, 2);
		p->owner_id = col_str(&in->arena, s, 3);
	}
	if (sq_read_end(st, s, rc, "reading partners") < 0)
		goto fail;
	if ((s = sq_prep(st, "SELECT name, probability FROM stages WHERE "
	    "probability IS NOT NULL")) == NULL)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct plan_stage *g;

		if (sq_col_text(s, 0) == NULL)
			continue;
		g = push(&in->stages, &in->nstages, &cap[1], sizeof(*g));
		g->name = col_str(&in->arena, s, 0);
		g->probability = sqlite3_column_double(s, 1);
	}
	if (sq_read_end(st, s, rc, "reading stages") < 0)
		goto fail;
	/* no partner, nothing to add up: no scan of every opportunity */
	if (in->npartners == 0)
		return 0;
	/* the period's, and (past_due_before) every open one closing before
	 * that day: past due, whichever period it was in */
	if ((s = sq_prep(st, "SELECT partner_id, stage, amount_base, "
	    "probability, is_closed, is_won, close_date FROM opportunities WHERE "
	    "deleted = 0 AND partner_id IS NOT NULL AND ((close_date >= ?1 AND "
	    "close_date <= ?2) OR (?3 IS NOT NULL AND is_closed = 0 AND "
	    "close_date < ?3))")) == NULL)
		goto fail;
	sq_bind_text(s, 1, per->from);
	sq_bind_text(s, 2, per->to);
	sq_bind_text(s, 3, past_due_before);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct plan_opportunity *o;

		o = push(&in->opportunities, &in->nopportunities, &cap[2],
		    sizeof(*o));
		o->partner_id = col_str(&in->arena, s, 0);
		o->stage = col_str(&in->arena, s, 1);
		o->has_amount = sqlite3_column_type(s, 2) != SQLITE_NULL;
		o->amount = sqlite3_column_double(s, 2);
		o->has_probability = sqlite3_column_type(s, 3) != SQLITE_NULL;
		o->probability = sqlite3_column_double(s, 3);
		o->is_closed = sqlite3_column_int(s, 4) != 0;
		o->is_won = sqlite3_column_int(s, 5) != 0;
		o->close_date = col_str(&in->arena, s, 6);
	}
	if (sq_read_end(st, s, rc, "reading opportunities") < 0)
		goto fail;
	if ((s = sq_prep(st, "SELECT partner_id, target_base FROM plans WHERE "
	    "period = ?1 AND target_base IS NOT NULL")) == NULL)
		goto fail;
	sq_bind_text(s, 1, per->name);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct plan_target *t;

		t = push(&in->targets, &in->ntargets, &cap[3], sizeof(*t));
		t->partner_id = col_str(&in->arena, s, 0);
		t->target = sqlite3_column_double(s, 1);
	}
	if (sq_read_end(st, s, rc, "reading plans") < 0)
		goto fail;
	return 0;
fail:
	plan_input_free(in);
	return -1;
}

int
store_period_scores(struct store *st, const char *period, struct arena *a,
    struct score_stored **ret, size_t *ret_n)
{
	struct score_stored *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	if ((s = sq_prep(st, "SELECT partner_id, score, tier FROM "
	    "partner_periods WHERE period = ?1 ORDER BY partner_id")) == NULL)
		return -1;
	sq_bind_text(s, 1, period);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct score_stored *x = push(&v, &n, &cap, sizeof(*x));

		x->partner_id = col_str(a, s, 0);
		x->has_score = sqlite3_column_type(s, 1) != SQLITE_NULL;
		x->score = sqlite3_column_double(s, 1);
		x->tier = col_str(a, s, 2);
	}
	if (sq_read_end(st, s, rc, "reading scores") < 0) {
		free(v);
		return -1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* The trailing year's MDF claims, each with the campaign its request
 * funds, and the closed-won revenue by campaign. Returns 0 or -1. */
static int
mdf_input(struct store *st, const struct score_windows *w,
    struct score_input *in)
{
	size_t cap[2] = { 0, 0 };
	sqlite3_stmt *s;
	int rc;

	/* the trailing year's MDF claims, with the campaign each request funds */
	if ((s = sq_prep(st, "SELECT c.partner_id, c.status, c.value, "
	    "(SELECT r.campaign_id FROM activities r WHERE r.kind = "
	    "'mdf_request' AND r.deleted = 0 AND r.external_id = c.request_id "
	    "LIMIT 1) FROM activities c WHERE c.kind = 'mdf_claim' AND "
	    "c.deleted = 0 AND c.occurred_at >= ?1 AND c.occurred_at <= ?2 "
	    "ORDER BY c.partner_id, c.occurred_at, c.key")) == NULL)
		return -1;
	sq_bind_text(s, 1, w->year_from_time);
	sq_bind_text(s, 2, w->now_time);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct score_claim *x = push(&in->claims, &in->nclaims, &cap[0],
		    sizeof(*x));

		x->partner_id = col_str(&in->arena, s, 0);
		x->status = col_str(&in->arena, s, 1);
		x->amount = sqlite3_column_double(s, 2);
		x->campaign_id = col_str(&in->arena, s, 3);
	}
	if (sq_read_end(st, s, rc, "reading MDF claims") < 0)
		return -1;
	/* closed-won revenue by campaign over the trailing year */
	if ((s = sq_prep(st, "SELECT campaign_id, sum(coalesce(amount_base, "
	    "amount, 0)) FROM opportunities WHERE deleted = 0 AND is_won = 1 AND "
	    "campaign_id IS NOT NULL AND close_date >= ?1 AND close_date <= ?2 "
	    "GROUP BY campaign_id")) == NULL)
		return -1;
	sq_bind_text(s, 1, w->year_from);
	sq_bind_text(s, 2, w->today);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct score_campaign *x = push(&in->campaigns, &in->ncampaigns,
		    &cap[1], sizeof(*x));

		x->campaign_id = col_str(&in->arena, s, 0);
		x->revenue = sqlite3_column_double(s, 1);
	}
	if (sq_read_end(st, s, rc, "reading campaign revenue") < 0)
		return -1;
	return 0;
}

int
store_score_input(struct store *st, const struct score_windows *w,
    const char *previous_period, struct score_input *in)
{
	size_t cap[4] = { 0, 0, 0, 0 };
	sqlite3_stmt *s;
	int rc;

	memset(in, 0, sizeof(*in));
	if ((s = sq_prep(st, "SELECT partner_id, sum(is_won = 1), "
	    "sum(is_won = 0) FROM opportunities WHERE deleted = 0 AND "
	    "is_closed = 1 AND partner_id IS NOT NULL AND close_date >= ?1 AND "
	    "close_date <= ?2 GROUP BY partner_id")) == NULL)
		return -1;
	sq_bind_text(s, 1, w->year_from);
	sq_bind_text(s, 2, w->today);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct score_wins *x = push(&in->wins, &in->nwins, &cap[0],
		    sizeof(*x));

		x->partner_id = col_str(&in->arena, s, 0);
		x->won = sqlite3_column_double(s, 1);
		x->lost = sqlite3_column_double(s, 2);
	}
	if (sq_read_end(st, s, rc, "reading win rates") < 0)
		goto fail;
	if ((s = sq_prep(st, "SELECT partner_id, status, count(*) FROM "
	    "registrations WHERE deleted = 0 AND registered_at >= ?1 AND "
	    "registered_at <= ?2 GROUP BY partner_id, status")) == NULL)
		goto fail;
	sq_bind_text(s, 1, w->year_from_time);
	sq_bind_text(s, 2, w->now_time);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct score_outcome *x = push(&in->outcomes, &in->noutcomes,
		    &cap[1], sizeof(*x));

		x->partner_id = col_str(&in->arena, s, 0);
		x->status = col_str(&in->arena, s, 1);
		x->n = sqlite3_column_double(s, 2);
	}
	if (sq_read_end(st, s, rc, "reading registration outcomes") < 0)
		goto fail;
	/* the period's activities, up to now */
	if ((s = sq_prep(st, "SELECT partner_id, kind, count(*) FROM "
	    "activities WHERE deleted = 0 AND occurred_at >= ?1 AND "
	    "occurred_at <= ?2 GROUP BY partner_id, kind")) == NULL)
		goto fail;
	sq_bind_text(s, 1, w->period_from_time);
	sq_bind_text(s, 2, w->now_time);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct score_activity *x = push(&in->activities, &in->nactivities,
		    &cap[2], sizeof(*x));

		x->partner_id = col_str(&in->arena, s, 0);
		x->kind = col_str(&in->arena, s, 1);
		x->n = sqlite3_column_double(s, 2);
	}
	if (sq_read_end(st, s, rc, "reading activities") < 0)
		goto fail;
	/* certifications completed within their validity, not lapsed */
	if ((s = sq_prep(st, "SELECT partner_id, count(*) FROM activities "
	    "WHERE deleted = 0 AND kind = 'certification' AND occurred_at >= ?1 "
	    "AND occurred_at <= ?2 AND (status IS NULL OR lower(status) NOT IN "
	    "('expired', 'lapsed', 'revoked', 'inactive')) GROUP BY "
	    "partner_id")) == NULL)
		goto fail;
	sq_bind_text(s, 1, w->certs_from_time);
	sq_bind_text(s, 2, w->now_time);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct score_certs *x = push(&in->certs, &in->ncerts, &cap[3],
		    sizeof(*x));

		x->partner_id = col_str(&in->arena, s, 0);
		x->n = sqlite3_column_double(s, 1);
	}
	if (sq_read_end(st, s, rc, "reading certifications") < 0)
		goto fail;
	if (mdf_input(st, w, in) < 0)
		goto fail;
	if (previous_period && store_period_scores(st, previous_period,
	    &in->arena, &in->previous, &in->nprevious) < 0)
		goto fail;
	return 0;
fail:
	score_input_free(in);
	return -1;
}

int
store_alerts_input(struct store *st, struct alerts_input *in)
{
	size_t cap[4] = { 0, 0, 0, 0 };
	struct arena *a = &in->arena;
	sqlite3_stmt *s;
	int rc;

	memset(in, 0, sizeof(*in));
	/* a conflict's partner: the decided or recommended winner's, else the
	 * first claim's; its account owner: the opportunity's owner */
	if ((s = sq_prep(st, "SELECT c.key, c.type, c.customer, c.winner, "
	    "(SELECT count(*) FROM conflict_members m WHERE m.conflict_key = "
	    "c.key AND m.removed_at IS NULL), (SELECT count(DISTINCT partner_id) "
	    "FROM conflict_members m WHERE m.conflict_key = c.key AND "
	    "m.removed_at IS NULL AND m.kind = 'registration'), "
	    "coalesce((SELECT m.partner_id FROM conflict_members m WHERE "
	    "m.conflict_key = c.key AND m.removed_at IS NULL AND m.member = "
	    "coalesce(c.decided_winner, c.winner)), (SELECT m.partner_id FROM "
	    "conflict_members m WHERE m.conflict_key = c.key AND m.removed_at IS "
	    "NULL AND m.kind = 'registration' AND m.partner_id IS NOT NULL ORDER "
	    "BY m.added_at, m.member LIMIT 1)), "
	    "(SELECT o.owner_id FROM conflict_members m JOIN opportunities o ON "
	    "o.id = substr(m.member, 13) WHERE m.conflict_key = c.key AND "
	    "m.removed_at IS NULL AND m.kind = 'opportunity' AND o.owner_id IS "
	    "NOT NULL ORDER BY m.member LIMIT 1) FROM conflicts c "
	    "WHERE c.status = 'open' ORDER BY c.opened_at, c.key")) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alerts_conflict *x = push(&in->conflicts, &in->nconflicts,
		    &cap[0], sizeof(*x));

		x->key = col_str(a, s, 0);
		x->type = col_str(a, s, 1);
		x->customer = col_str(a, s, 2);
		x->winner = col_str(a, s, 3);
		x->members = sqlite3_column_int64(s, 4);
		x->partners = sqlite3_column_int64(s, 5);
		x->partner_id = col_str(a, s, 6);
		x->account_owner_id = col_str(a, s, 7);
	}
	if (sq_read_end(st, s, rc, "reading conflicts") < 0)
		goto fail;
	if ((s = sq_prep(st, "SELECT key, status, partner_id, customer_name, "
	    "registered_at, expires_at FROM registrations WHERE deleted = 0 AND "
	    "status IN ('pending', 'approved') ORDER BY key")) == NULL)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alerts_registration *x = push(&in->registrations,
		    &in->nregistrations, &cap[1], sizeof(*x));

		x->key = col_str(a, s, 0);
		x->status = col_str(a, s, 1);
		x->partner_id = col_str(a, s, 2);
		x->customer_name = col_str(a, s, 3);
		x->registered_at = col_str(a, s, 4);
		x->expires_at = col_str(a, s, 5);
	}
	if (sq_read_end(st, s, rc, "reading registrations") < 0)
		goto fail;
	if ((s = sq_prep(st, "SELECT source, url_sha256, position, reason, "
	    "skipped_at, bytes, attempts FROM bad_pages WHERE skipped_at IS NOT "
	    "NULL AND cleared_at IS NULL ORDER BY source, url_sha256")) == NULL)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alerts_skipped_page *x = push(&in->skipped, &in->nskipped,
		    &cap[3], sizeof(*x));

		x->source = col_str(a, s, 0);
		x->url_sha256 = col_str(a, s, 1);
		x->position = col_str(a, s, 2);
		x->reason = col_str(a, s, 3);
		x->skipped_at = col_str(a, s, 4);
		x->bytes = sqlite3_column_int64(s, 5);
		x->attempts = sqlite3_column_int64(s, 6);
	}
	if (sq_read_end(st, s, rc, "reading skipped pages") < 0)
		goto fail;
	if ((s = sq_prep(st, "SELECT key, status, severity, message, evidence, "
	    "owner_id, account_owner_id, partner_id FROM alerts ORDER BY key")) ==
	    NULL)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alert_state *x = push(&in->states, &in->nstates, &cap[2],
		    sizeof(*x));

		x->key = col_str(a, s, 0);
		x->status = col_str(a, s, 1);
		x->severity = col_str(a, s, 2);
		x->message = col_str(a, s, 3);
		x->evidence = col_str(a, s, 4);
		x->owner_id = col_str(a, s, 5);
		x->account_owner_id = col_str(a, s, 6);
		x->partner_id = col_str(a, s, 7);
	}
	if (sq_read_end(st, s, rc, "reading alerts") < 0)
		goto fail;
	return 0;
fail:
	alerts_input_free(in);
	return -1;
}

/* ---- the approval queue ---- */

/* An owner given as a User id, name or e-mail (any case); NULL: any. */
#define OWNER_MATCH(col) "(?2 IS NULL OR " col " = ?2 OR EXISTS (SELECT 1 " \
	"FROM users u WHERE u.id = " col " AND (lower(u.name) = lower(?2) OR " \
	"lower(u.email) = lower(?2))))"

int
store_queue_input(struct store *st, const char *source, const char *owner,
    int64_t since, struct arena *a, struct queue_claim **claims,
    size_t *nclaims, struct queue_decided **decided, size_t *ndecided)
{
	size_t cap[2] = { 0, 0 };
	sqlite3_stmt *s;
	char t[21];
	int rc;

	*claims = NULL;
	*decided = NULL;
	*nclaims = *ndecided = 0;
	if ((s = sq_prep(st, "SELECT r.key, r.source, r.partner_id, p.name, "
	    "r.customer_name, r.product, p.owner_id, u.name, r.registered_at, "
	    "r.amount_base FROM registrations r LEFT JOIN partners p ON p.id = "
	    "r.partner_id LEFT JOIN users u ON u.id = p.owner_id WHERE "
	    "r.status = 'pending' AND r.deleted = 0 AND (?1 IS NULL OR r.source = "
	    "?1) AND " OWNER_MATCH("p.owner_id") " ORDER BY r.key")) == NULL)
		return -1;
	sq_bind_text(s, 1, source);
	sq_bind_text(s, 2, owner);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct queue_claim *x = push(claims, nclaims, &cap[0], sizeof(*x));

		x->key = col_str(a, s, 0);
		x->source = col_str(a, s, 1);
		x->partner_id = col_str(a, s, 2);
		x->partner = col_str(a, s, 3);
		x->customer = col_str(a, s, 4);
		x->product = col_str(a, s, 5);
		x->owner_id = col_str(a, s, 6);
		x->owner = col_str(a, s, 7);
		x->registered_at = col_str(a, s, 8);
		x->has_amount = sqlite3_column_type(s, 9) != SQLITE_NULL;
		x->amount = sqlite3_column_double(s, 9);
	}
	if (sq_read_end(st, s, rc, "reading the approval queue") < 0)
		goto fail;
	/* decisions in the window: approved or rejected, and those that went
	 * on to be won or lost */
	norm_time_format(since, t);
	if ((s = sq_prep(st, "SELECT r.source, r.registered_at, r.decided_at "
	    "FROM registrations r LEFT JOIN partners p ON p.id = r.partner_id "
	    "WHERE r.deleted = 0 AND r.decided_at >= ?3 AND r.registered_at IS "
	    "NOT NULL AND r.status IN ('approved', 'rejected', 'won', 'lost') "
	    "AND (?1 IS NULL OR r.source = ?1) AND " OWNER_MATCH("p.owner_id")
	    " ORDER BY r.source, r.key")) == NULL)
		goto fail;
	sq_bind_text(s, 1, source);
	sq_bind_text(s, 2, owner);
	sq_bind_text(s, 3, t);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct queue_decided *x = push(decided, ndecided, &cap[1],
		    sizeof(*x));

		x->source = col_str(a, s, 0);
		x->registered_at = col_str(a, s, 1);
		x->decided_at = col_str(a, s, 2);
	}
	if (sq_read_end(st, s, rc, "reading decisions") < 0)
		goto fail;
	return 0;
fail:
	free(*claims);
	free(*decided);
	*claims = NULL;
	*decided = NULL;
	*nclaims = *ndecided = 0;
	return -1;
}

int
store_plan_periods(struct store *st, store_row_fn fn, void *ctx)
{
	return sq_query_rows(st, "SELECT DISTINCT period FROM plans ORDER BY "
	    "period", NULL, 0, fn, ctx);
}

int
store_period_scored(struct store *st, const char *period)
{
	sqlite3_stmt *s = sq_prep(st, "SELECT EXISTS (SELECT 1 FROM "
	    "partner_periods WHERE period = ?1)");
	int rc = -1;

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, period);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = sqlite3_column_int(s, 0);
	else
		sq_set_err(st, "reading the scored periods");
	sqlite3_finalize(s);
	return rc;
}
