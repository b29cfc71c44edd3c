/*
 * pass_conflicts.c - the conflict pass (see pass_conflicts.h): the store
 * on one side, the conflict engine on the other.
 */
#include "pass_conflicts.h"
#include "pass.h"
#include "pass_partners.h"
#include "lib/digest.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "rules/match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct feed {
	struct conflicts *c;
	const struct config *cfg;
	int64_t now;
	struct conflicts_result *res;
	const struct partner_map *pm;
};

/* A registration's partner as the CRM knows it: resolved through an
 * alias or its name, or marked unresolved. */
static int
feed_row(void *ctx, const struct conflict_claim_row *row)
{
	struct feed *f = ctx;
	const struct partner_resolution *r;
	const char *colon;
	struct conflict_claim_row x;

	if (!row->is_opportunity && row->partner_id && row->key &&
	    (colon = strchr(row->key, ':')) != NULL &&
	    (r = partner_map_get(f->pm, row->key, (size_t)(colon - row->key),
	    row->partner_id)) != NULL) {
		x = *row;
		if (r->how != PARTNER_UNRESOLVED) {
			x.partner_id = r->crm_id;
			x.partner_name = r->crm_name;
		} else {
			x.partner_unresolved = 1;
			x.partner_name = r->ref->name;
		}
		row = &x;
	}
	conflicts_apply(f->c, f->cfg, row, f->now, f->res);
	return conflicts_tick(f->c);	/* 1: stop reading */
}

/*
 * The digest of the ids resolved to CRM partners: a change re-derives
 * all. A new unknown id does not change it: the claims that name it are
 * new rows, read this pass with their mark.
 */
static void
identity_digest(const struct partner_map *pm, char *const *confirmed,
    size_t nconfirmed, unsigned char h[DIGEST_LEN])
{
	struct digest *dg = digest_new(NULL, 0);
	size_t i;

	/* a pair an operator confirmed joins two customers: all again */
	for (i = 0; i < nconfirmed; i++) {
		digest_update(dg, confirmed[i], strlen(confirmed[i]));
		digest_update(dg, "\n", 1);
	}

	for (i = 0; i < pm->nrefs; i++) {
		const struct partner_resolution *r = &pm->res[i];
		char *s;

		if (r->how == PARTNER_UNRESOLVED)
			continue;
		s = xasprintf("%s|%s|%d|%s|%s\n", r->ref->source, r->ref->id,
		    (int)r->how, r->crm_id ? r->crm_id : "", r->crm_name ?
		    r->crm_name : "");

		digest_update(dg, s, strlen(s));
		free(s);
	}
	digest_final(dg, h);
}

struct keep {
	struct store *st;
	struct audit *au;
	int64_t cycle_id;
	const char *now;
};

/* Stores, audits and logs one change (the sink of conflicts_derive). */
static int
keep_change(void *ctx, struct conflict_change *ch)
{
	struct keep *k = ctx;
	const struct conflict_record *r = &ch->rec;
	size_t i;
	int rc;

	rc = store_conflict_put(k->st, r);
	/* a new claim reopens a decided conflict: the decision becomes
	 * history */
	if (rc == 0 && ch->action == CONFLICT_REOPENED &&
	    store_decision_withdraw(k->st, r->key, "chansyncd", "a new claim "
	    "joined the conflict", k->now) < 0)
		rc = -1;
	for (i = 0; rc == 0 && i < ch->nmembers; i++)
		rc = store_conflict_member(k->st, r->key, ch->members[i].member,
		    ch->members[i].kind, ch->members[i].partner_id, k->now,
		    ch->members[i].present);
	if (rc < 0) {
		jv_free(ch->audit);
		return -1;
	}
	if (audit_log(k->au, k->cycle_id, ch->action_name, "conflict", r->key,
	    ch->audit) < 0)
		return -1;
	switch (ch->action) {
	case CONFLICT_OPENED:
		log_notice("conflict %s opened (%s): %s, %zu members", r->key,
		    r->type, r->customer ? r->customer : r->customer_domain,
		    ch->size);
		break;
	case CONFLICT_UPDATED:
	case CONFLICT_REOPENED:
		log_info("conflict %s %s: %zu members", r->key,
		    ch->action_name + 9, ch->size);
		break;
	default:
		log_notice("conflict %s %s: %s", r->key, r->status, r->resolution);
	}
	return 0;
}

/* Keeps the possible matches the pass met (in the open transaction). */
static int
keep_possible(struct conflicts *c, struct store *st, const char *now,
    struct conflicts_result *res)
{
	const struct conflict_possible *v;
	size_t n, i;

	v = conflicts_possible(c, &n);
	for (i = 0; i < n; i++) {
		struct store_possible sp;
		unsigned char h[DIGEST_LEN];
		char hex[2 * DIGEST_LEN + 1], key[24], why[400];
		char *pair = conflicts_pair_key(v[i].key_a, v[i].key_b);
		int rc;

		conflicts_explain(c, &v[i], why, sizeof(why));
		sha256(pair, strlen(pair), h);
		hex_encode(h, 6, hex);
		snprintf(key, sizeof(key), "PM-%.12s", hex);
		memset(&sp, 0, sizeof(sp));
		sp.key = key;
		sp.pair = pair;
		sp.name_key_a = v[i].key_a;
		sp.name_key_b = v[i].key_b;
		sp.name_a = v[i].name_a;
		sp.name_b = v[i].name_b;
		sp.claim_a = v[i].claim_a;
		sp.claim_b = v[i].claim_b;
		sp.score = v[i].score;
		sp.measure = match_measure_name((enum match_measure)v[i].measure);
		sp.why = why;
		rc = store_possible_put(st, &sp, now);
		free(pair);
		if (rc < 0)
			return -1;
	}
	res->possible = (int64_t)n;
	return 0;
}

/* pass_conflicts_run with the cycle's partner map (NULL: read one). */
static int
run_with(struct conflicts *c, const struct config *cfg, struct store *st,
    struct audit *au, int64_t cycle_id, int64_t now,
    const struct partner_map *given, struct conflicts_result *res)
{
	struct feed f = { c, cfg, now, res, NULL };
	struct partner_map pm;
	unsigned char idh[DIGEST_LEN];
	struct keep k;
	struct conflicts_known known;
	struct conflict_score *scores = NULL;
	struct arena a;
	size_t nscores = 0, nconfirmed = 0, nrejected = 0;
	char **confirmed = NULL, **rejected = NULL;
	char started[21];
	int rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&a, 0, sizeof(a));
	memset(&known, 0, sizeof(known));
	memset(&pm, 0, sizeof(pm));
	norm_time_format(now, started);
	if (given == NULL && partner_map_load(&pm, st, cfg) < 0) {
		snprintf(res->error, sizeof(res->error), "reading partners: %s",
		    store_errmsg(st));
		goto fail;
	}
	f.pm = given ? given : &pm;
	if (store_possible_pairs(st, "confirmed", &a, &confirmed, &nconfirmed) < 0 ||
	    store_possible_pairs(st, "rejected", &a, &rejected, &nrejected) < 0) {
		snprintf(res->error, sizeof(res->error), "reading decided pairs: %s",
		    store_errmsg(st));
		goto fail;
	}
	identity_digest(f.pm, confirmed, nconfirmed, idh);
	if (conflicts_identity(c, idh))
		log_info("partner identities or confirmed names changed: "
		    "conflicts derived again");
	conflicts_set_pairs(c, (const char *const *)confirmed, nconfirmed,
	    (const char *const *)rejected, nrejected);
	if (store_conflict_claims(st, conflicts_since(c),
	    cfg->rules.conflicts.direct, feed_row, &f) < 0) {
		snprintf(res->error, sizeof(res->error), "reading claims: %s",
		    store_errmsg(st));
		goto fail;
	}
	if (conflicts_tick(c) || conflicts_prepare(c, cfg, now, res) < 0) {
		snprintf(res->error, sizeof(res->error), "stopped");
		goto fail;
	}
	if (cfg->rules.conflicts.policy == POLICY_SCORE ||
	    cfg->rules.conflicts.policy == POLICY_LIKELIHOOD) {
		int rs = cfg->rules.conflicts.policy == POLICY_SCORE ?
		    store_latest_scores(st, &a, &scores, &nscores) :
		    store_win_rates(st, now - 365 * 86400, &a, &scores, &nscores);

		if (rs < 0) {
			snprintf(res->error, sizeof(res->error), "reading partner "
			    "scores: %s", store_errmsg(st));
			goto fail;
		}
		conflicts_set_scores(c, scores, nscores);
	}
	if (store_conflicts_known(st, &a, &known) < 0) {
		snprintf(res->error, sizeof(res->error), "reading conflicts: %s",
		    store_errmsg(st));
		goto fail;
	}
	if (store_begin(st) < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		goto fail;
	}
	k.st = st;
	k.au = au;
	k.cycle_id = cycle_id;
	k.now = started;
	if (conflicts_derive(c, cfg, &known, started, keep_change, &k, res) < 0 ||
	    keep_possible(c, st, started, res) < 0) {
		if (strcmp(res->error, "stopped") != 0)
			snprintf(res->error, sizeof(res->error), "database: %s",
			    store_errmsg(st));
		store_rollback(st);
		goto fail;
	}
	if (store_commit(st) < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		goto fail;
	}
	conflicts_done(c, now, res);
	rc = 0;
	goto out;
fail:
	conflicts_failed(c, res);
out:
	free(confirmed);
	free(rejected);
	free(scores);
	free((void *)known.states);
	free((void *)known.members);
	arena_free(&a);
	partner_map_free(&pm);
	return rc;
}

int
pass_conflicts_run(struct conflicts *c, const struct config *cfg,
    struct store *st, struct audit *au, int64_t cycle_id, int64_t now,
    struct conflicts_result *res)
{
	return run_with(c, cfg, st, au, cycle_id, now, NULL, res);
}

/* Conflict detection over what the cycle read. */
void
pass_conflicts(struct pass *p)
{
	const struct cycle_env *env = p->env;
	struct cycle_result *res = p->res;
	struct conflicts_result cr;
	struct jval *o;

	res->conflicts_open = -1;
	if (p->stopped || env->conflicts == NULL || res->store_failed)
		return;
	o = jv_object();
	conflicts_set_tick(env->conflicts, env->tick, env->tick_arg);
	if (run_with(env->conflicts, env->cfg, env->st, env->au, res->id,
	    clock_now(), pass_partner_map(p), &cr) < 0) {
		if (strcmp(cr.error, "stopped") == 0) {
			/* the daemon is stopping: the pass is undone whole */
			p->stopped = 1;
			jv_set_str(o, "status", "interrupted");
		} else {
			log_err("conflict detection failed: %s; the next cycle "
			    "tries again", cr.error);
			jv_set_str(o, "error", cr.error);
			res->store_failed = 1;
		}
	} else
		res->conflicts_open = store_count(env->st, "conflicts_open");
	jv_set_int(o, "claims", cr.claims);
	jv_set_int(o, "compared", cr.compared);
	jv_set_int(o, "opened", cr.opened);
	jv_set_int(o, "updated", cr.updated);
	jv_set_int(o, "resolved", cr.resolved);
	jv_set_int(o, "closed", cr.closed);
	jv_set_int(o, "reopened", cr.reopened);
	jv_set_int(o, "possible", cr.possible);
	jv_set(p->detail, "conflicts", o);
}
