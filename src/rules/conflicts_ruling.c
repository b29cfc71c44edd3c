/*
 * conflicts_ruling.c - the recommended winner of a conflict and why, in
 * words a channel manager can read out to both partners (contract §7):
 * the first step that separates the claims decides: an approved,
 * protected claim over pending ones (the earlier approval between
 * approved ones), then the policy, then the earlier registration, then
 * the key; a direct conflict by direct_policy. The order the claims were
 * read in never matters: every comparison ends on the key. Also the
 * evidence stored with a conflict, each member with its verdict.
 */
#include "conflicts_rule.h"
#include "model/normalize.h"

#include <stdio.h>
#include <strings.h>

const char *
cx_policy_name(int p)
{
	switch (p) {
	case POLICY_SCORE:
		return "highest_score";
	case POLICY_MANUAL:
		return "manual";
	case POLICY_LIKELIHOOD:
		return "likelihood_to_close";
	default:
		return "first_to_register";
	}
}

const char *
cx_direct_policy_name(int p)
{
	return p == DIRECT_FIRST ? "direct_first" : p == DIRECT_MANUAL ?
	    "manual" : "registration_first";
}

/* A partner's current score, or (product) its win rate on that line. */
static int
score_of(const struct conflicts *c, const char *partner, const char *product,
    int by_product, double *score)
{
	char k[400];
	uint32_t *ix;

	if (partner == NULL)
		return 0;
	cx_score_key(k, sizeof(k), partner, by_product ? product : NULL);
	if (by_product && product == NULL)
		return 0;
	if ((ix = strmap_get(&c->score_of, k, strlen(k))) == NULL)
		return 0;
	*score = c->scores[*ix - 1];
	return 1;
}

/* Earlier known time first, unknown last: <0, 0, >0. */
static int
cmp_time(int64_t a, int64_t b)
{
	if (a == b)
		return 0;
	if (a == 0 || b == 0)
		return a == 0 ? 1 : -1;
	return a < b ? -1 : 1;
}

/* Higher known value first: <0, 0, >0. */
static int
cmp_high(int has_a, double a, int has_b, double b)
{
	if (has_a != has_b)
		return has_a ? -1 : 1;
	if (!has_a || a == b)
		return 0;
	return a > b ? -1 : 1;
}

/*
 * Compares two registrations by the ruling; *step says which step
 * separated them. product is the conflict's line (likelihood_to_close).
 * policy -1: no policy step (a duplicate: one partner).
 */
static int
rank_cmp(const struct conflicts *c, int policy, const char *product,
    const struct claim *a, const struct claim *b, enum ruling_step *step)
{
	int r;

	*step = STEP_APPROVAL;
	if (cx_is_approved(a) != cx_is_approved(b))
		return cx_is_approved(a) ? -1 : 1;
	/* an approval without a decision date counts from its registration:
	 * it was approved no earlier, and a source that leaves the date out
	 * should not lose to one that sends it */
	if (cx_is_approved(a) && (r = cmp_time(cx_anchor(a), cx_anchor(b))))
		return r;
	*step = STEP_POLICY;
	if (policy == POLICY_FIRST && (r = cmp_time(a->registered_at,
	    b->registered_at)))
		return r;
	if (policy == POLICY_SCORE || policy == POLICY_LIKELIHOOD) {
		double sa = 0, sb = 0;
		int ha = score_of(c, a->partner, product, policy == POLICY_LIKELIHOOD,
		    &sa);
		int hb = score_of(c, b->partner, product, policy == POLICY_LIKELIHOOD,
		    &sb);

		if ((r = cmp_high(ha, sa, hb, sb)))
			return r;
		if (policy == POLICY_LIKELIHOOD && (r = cmp_high(a->probability >= 0,
		    a->probability, b->probability >= 0, b->probability)))
			return r;
	}
	*step = STEP_REGISTERED;
	if ((r = cmp_time(a->registered_at, b->registered_at)))
		return r;
	*step = STEP_KEY;
	return strcmp(a->key, b->key);
}

static void
day_of(int64_t t, char out[21])
{
	if (t == 0) {
		snprintf(out, 21, "an unknown date");
		return;
	}
	norm_time_format(t, out);
	out[10] = '\0';
}

/* "HUB-7781 by Alpine IT AG" (the partner's CRM name, else its id). */
static void
who(const struct claim *cl, char *out, size_t len)
{
	if (cl->kind == CLAIM_OPP)
		snprintf(out, len, "the direct team's %s", cl->key);
	else if (cl->partner_name)
		snprintf(out, len, "%s by %s", cl->key, cl->partner_name);
	else
		snprintf(out, len, "%s by partner %s", cl->key,
		    cl->partner ? cl->partner : "(none)");
}

/* The words for why w is ahead of l at step (the ruling's reason, and a
 * loser's verdict). */
static void
words(const struct conflicts *c, const struct config *cfg, const char *product,
    const struct claim *w, const struct claim *l, enum ruling_step step,
    char *out, size_t len)
{
	char a[200], b[200], t1[21], t2[21];
	double sw = 0, sl = 0;
	int hw, hl, lk = cfg->rules.conflicts.policy == POLICY_LIKELIHOOD;

	who(w, a, sizeof(a));
	who(l, b, sizeof(b));
	switch (step) {
	case STEP_APPROVAL:
		day_of(w->decided_at, t1);
		day_of(cx_protected_until(w, cfg), t2);
		if (!cx_is_approved(l))
			snprintf(out, len, "%s holds an approval (%s%s%sprotected "
			    "until %s); an approved claim beats a pending one such as "
			    "%s", a, w->decided_at ? "of " : "", w->decided_at ? t1 : "",
			    w->decided_at ? ", " : "", t2, b);
		else {
			char t3[21];

			day_of(cx_anchor(w), t3);
			day_of(cx_anchor(l), t2);
			snprintf(out, len, "%s was approved first (%s%s), before %s (%s%s)",
			    a, t3, w->decided_at ? "" : ", registered; no decision date",
			    b, t2, l->decided_at ? "" : ", registered; no decision date");
		}
		break;
	case STEP_POLICY:
		if (cfg->rules.conflicts.policy == POLICY_FIRST) {
			day_of(w->registered_at, t1);
			day_of(l->registered_at, t2);
			snprintf(out, len, "%s was registered first (%s), before %s (%s)",
			    a, t1, b, t2);
			break;
		}
		hw = score_of(c, w->partner, product, lk, &sw);
		hl = score_of(c, l->partner, product, lk, &sl);
		if (lk && (hw != hl || sw != sl))
			snprintf(out, len, "%s: the partner's win rate on %s over the "
			    "last year is %.0f%%, against %s%s%.0f%%", a, product ?
			    product : "this product line", sw * 100, b, hl ? ": " :
			    ": none known, ", sl * 100);
		else if (lk)
			snprintf(out, len, "%s: its opportunity's probability is %.0f%%, "
			    "against %s: %s", a, w->probability, b, l->probability >= 0 ?
			    "lower" : "none linked");
		else if (hl)
			snprintf(out, len, "%s: the better current partner score "
			    "(%.1f, against %.1f for %s)", a, sw, sl, b);
		else
			snprintf(out, len, "%s: the better current partner score "
			    "(%.1f; %s has none yet)", a, sw, b);
		break;
	case STEP_REGISTERED:
		day_of(w->registered_at, t1);
		day_of(l->registered_at, t2);
		hw = score_of(c, w->partner, product, lk, &sw);
		hl = score_of(c, l->partner, product, lk, &sl);
		snprintf(out, len, "%s%s was registered first (%s), before %s (%s)",
		    cfg->rules.conflicts.policy == POLICY_SCORE ? (hw || hl ?
		    "equal partner scores, so by registration: " :
		    "no partner scores yet, so by registration: ") :
		    lk ? "no win rate or probability separates them, so by "
		    "registration: " : "", a, t1, b, t2);
		break;
	case STEP_KEY:
		snprintf(out, len, "%s and %s are alike in approval, policy and "
		    "registration time; the key decides", a, b);
		break;
	default:
		snprintf(out, len, "-");
		break;
	}
}

/* The direct team's earliest opportunity among d's members. */
static const struct claim *
first_opportunity(const struct conflicts *c, const struct derived *d)
{
	const struct claim *o = NULL;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);
		int r;

		if (cl->kind != CLAIM_OPP)
			continue;
		if (o == NULL || (r = cmp_time(cl->registered_at,
		    o->registered_at)) < 0 || (r == 0 && strcmp(cl->key, o->key) < 0))
			o = cl;
	}
	return o;
}

/* Approved before the direct team opened its opportunity? */
static int
approved_before(const struct claim *cl, const struct claim *opp)
{
	return cx_is_approved(cl) && cl->decided_at && opp->registered_at &&
	    cl->decided_at < opp->registered_at;
}

/* The best registration of d (eligible: all, or those approved before
 * opp) and the next best, by the ruling's order. */
static void
best_two(const struct conflicts *c, const struct derived *d, int policy,
    const struct claim *opp, const struct claim **best,
    const struct claim **second)
{
	enum ruling_step st;
	size_t i;

	*best = *second = NULL;
	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);

		if (cl->kind != CLAIM_REG || (opp && !approved_before(cl, opp)))
			continue;
		if (*best == NULL || rank_cmp(c, policy, d->product, cl, *best,
		    &st) < 0) {
			*second = *best;
			*best = cl;
		} else if (*second == NULL || rank_cmp(c, policy, d->product, cl,
		    *second, &st) < 0)
			*second = cl;
	}
}

/* direct_policy: registration_first, direct_first or manual. */
static void
rule_direct(const struct conflicts *c, const struct config *cfg,
    const struct derived *d, struct ruling *r)
{
	const struct claim *opp = first_opportunity(c, d), *best, *second;
	int dp = cfg->rules.conflicts.direct_policy;
	char a[200], b[200], t1[21], t2[21];

	r->step = STEP_DIRECT;
	if (dp == DIRECT_MANUAL) {
		r->step = STEP_NONE;
		snprintf(r->why, sizeof(r->why), "direct_policy manual: no "
		    "recommendation; the channel manager and the account team "
		    "decide");
		return;
	}
	day_of(opp->registered_at, t2);
	if (dp == DIRECT_FIRST) {
		r->winner = opp;
		snprintf(r->why, sizeof(r->why), "direct_first: the direct team's "
		    "%s (opened %s) is preferred over every partner claim", opp->key,
		    t2);
		return;
	}
	best_two(c, d, cfg->rules.conflicts.policy, opp, &best, &second);
	if (best) {
		who(best, a, sizeof(a));
		day_of(best->decided_at, t1);
		r->winner = best;
		snprintf(r->why, sizeof(r->why), "registration_first: %s was "
		    "approved on %s, before the direct team opened %s on %s",
		    a, t1, opp->key, t2);
		return;
	}
	r->winner = opp;
	best_two(c, d, cfg->rules.conflicts.policy, NULL, &best, &second);
	if (best)
		who(best, b, sizeof(b));
	else
		snprintf(b, sizeof(b), "any registration");
	if (opp->registered_at == 0)
		snprintf(r->why, sizeof(r->why), "registration_first: the direct "
		    "team's %s has no creation date, so no approval can come before "
		    "it; the direct team keeps the customer (against %s)", opp->key,
		    b);
	else
		snprintf(r->why, sizeof(r->why), "registration_first: no claim was "
		    "approved before the direct team opened %s on %s, so the direct "
		    "team keeps the customer (against %s)", opp->key, t2, b);
}

void
cx_rule(const struct conflicts *c, const struct config *cfg,
    const struct derived *d, struct ruling *r)
{
	int dup = strcmp(d->type, "duplicate") == 0;
	int policy = dup ? -1 : cfg->rules.conflicts.policy;
	const struct claim *best, *second;
	char w[200];

	memset(r, 0, sizeof(*r));
	if (strcmp(d->type, "direct_conflict") == 0) {
		rule_direct(c, cfg, d, r);
		return;
	}
	best_two(c, d, policy, NULL, &best, &second);
	if (best == NULL || second == NULL) {
		snprintf(r->why, sizeof(r->why), "no two registrations to rank");
		r->winner = best;
		return;
	}
	rank_cmp(c, policy, d->product, best, second, &r->step);
	r->runner = second;
	if (policy == POLICY_MANUAL && r->step != STEP_APPROVAL) {
		r->step = STEP_NONE;
		snprintf(r->why, sizeof(r->why), "policy manual: no approval "
		    "separates the claims, so no recommendation; a channel manager "
		    "decides");
		return;
	}
	r->winner = best;
	if (dup) {
		who(best, w, sizeof(w));
		snprintf(r->why, sizeof(r->why), "keep %s; the others repeat it: ", w);
	}
	words(c, cfg, d->product, best, second, r->step, r->why + strlen(r->why),
	    sizeof(r->why) - strlen(r->why));
}

/* Why member m wins or loses under ruling r. */
static void
verdict(const struct conflicts *c, const struct config *cfg,
    const struct derived *d, const struct ruling *r, const struct claim *m,
    char *out, size_t len)
{
	const struct claim *w = r->winner;
	enum ruling_step st;
	char t1[21];
	int n, policy = strcmp(d->type, "duplicate") == 0 ? -1 :
	    cfg->rules.conflicts.policy;

	if (w == NULL) {
		snprintf(out, len, "no recommendation");
		return;
	}
	if (m == w) {
		snprintf(out, len, "recommended");
		return;
	}
	if (strcmp(d->type, "direct_conflict") == 0) {
		if (m->kind == CLAIM_OPP) {
			day_of(m->registered_at, t1);
			snprintf(out, len, w->kind == CLAIM_OPP ? "the direct team's "
			    "too (opened %s)" : "loses: opened %s, after the approval "
			    "that wins", t1);
			return;
		}
		if (w->kind == CLAIM_OPP) {
			day_of(w->registered_at, t1);
			snprintf(out, len, "loses: %s (opened %s)",
			    cfg->rules.conflicts.direct_policy == DIRECT_FIRST ?
			    "direct_first prefers the direct team's opportunity" :
			    "not approved before the direct team opened its "
			    "opportunity", t1);
			return;
		}
	}
	rank_cmp(c, policy, d->product, w, m, &st);
	n = snprintf(out, len, "loses: ");
	if (n > 0 && (size_t)n < len)
		words(c, cfg, d->product, w, m, st, out + n, len - (size_t)n);
}

static void
set_time(struct jval *o, const char *k, int64_t t)
{
	char b[21];

	if (t == 0) {
		jv_set(o, k, jv_null());
		return;
	}
	norm_time_format(t, b);
	jv_set_str(o, k, b);
}

/* Why the members are one customer: the links inside the group. */
static struct jval *
links_of(const struct conflicts *c, const uint32_t *nodes, size_t nn)
{
	struct jval *links = jv_array();
	size_t i, k, nl = 0;

	for (i = 0; i < nn && nl < 50; i++) {
		const struct node *n = &c->nodes[nodes[i]];

		if (n->nclaims > 1) {
			struct jval *l = jv_object();
			struct jval *members = jv_array();

			for (k = 0; k < n->nclaims && k < EVIDENCE_MEMBERS; k++)
				jv_append(members, jv_str(claim_at(c, n->claims[k])->key));
			jv_set(l, "members", members);
			if (n->nclaims > EVIDENCE_MEMBERS)
				jv_set_int(l, "members_total", (int64_t)n->nclaims);
			if (n->domain) {
				jv_set_str(l, "rule", "domain");
				jv_set_str(l, "domain", n->domain);
			} else {
				jv_set_str(l, "rule", "name");
				jv_set_str(l, "name_key", n->name_key);
				jv_set(l, "similarity", jv_real(1.0));
				jv_set_str(l, "measure", "exact");
			}
			jv_append(links, l);
		}
		/* how it joined its cluster: its name against the center's,
		 * or the member's whose other name it is */
		if (n->center != nodes[i] && n->center != NO_CENTER) {
			const struct node *o = &c->nodes[n->via != NO_CENTER ?
			    n->via : n->center];
			struct jval *l = jv_object();
			char sim[16];

			jv_set_str(l, "rule", "name");
			jv_set_str(l, "a", claim_at(c, n->claims[0])->key);
			jv_set_str(l, "b", claim_at(c, o->claims[0])->key);
			jv_set_str(l, "name_a", claim_at(c, n->claims[0])->name);
			jv_set_str(l, "name_b", claim_at(c, o->claims[0])->name);
			snprintf(sim, sizeof(sim), "%.3f", n->score);
			jv_set(l, "similarity", jv_real(strtod(sim, NULL)));
			jv_set_str(l, "measure", match_measure_name((enum match_measure)
			    n->measure));
			if (n->name_key && o->name_key) {
				struct match_name ma, mb;
				char why[400];

				match_prepare(c->idf, n->name_key, &ma);
				match_prepare(c->idf, o->name_key, &mb);
				match_explain(&ma, &mb, (enum match_measure)n->measure,
				    why, sizeof(why));
				jv_set_str(l, "why", why);
			}
			jv_append(links, l);
			nl++;
		}
	}
	return links;
}

/* One member as the evidence lists it, with its verdict. */
static struct jval *
member_evidence(const struct conflicts *c, const struct config *cfg,
    const struct derived *d, const struct ruling *r, const struct claim *cl)
{
	struct jval *m = jv_object();
	char v[600];
	int reg = cl->kind == CLAIM_REG;

	jv_set_str(m, "key", cl->key);
	jv_set_str(m, "kind", reg ? "registration" : "opportunity");
	jv_set_str(m, "partner_id", cl->partner);
	jv_set_str(m, "partner_name", cl->partner_name);
	if (cl->unresolved)
		jv_set(m, "partner_unresolved", jv_bool(1));
	jv_set_str(m, "customer_name", cl->name);
	jv_set_str(m, "customer_domain", cl->domain);
	jv_set_str(m, "customer_country", cl->country[0] ? cl->country : NULL);
	jv_set_str(m, "product", cl->product);
	jv_set_str(m, reg ? "status" : "stage", cl->status);
	if (cl->amount != 0)
		jv_set(m, "amount", jv_real(cl->amount));
	if (cl->probability >= 0 && (!reg || cl->probability > 0))
		jv_set(m, "probability", jv_real(cl->probability));
	if (reg) {
		set_time(m, "registered_at", cl->registered_at);
		set_time(m, "decided_at", cl->decided_at);
		set_time(m, "expires_at", cl->expires_at);
		if (cx_is_approved(cl))
			set_time(m, "protected_until", cx_protected_until(cl, cfg));
		else
			set_time(m, "stale_at", cl->ends_at);
	} else {
		set_time(m, "created_at", cl->registered_at);
		set_time(m, "close_date", cl->expires_at);
	}
	verdict(c, cfg, d, r, cl, v, sizeof(v));
	jv_set_str(m, "verdict", v);
	return m;
}

struct jval *
cx_evidence(const struct conflicts *c, const struct config *cfg,
    const struct derived *d, const uint32_t *nodes, size_t nn,
    const struct ruling *r)
{
	struct jval *e = jv_object(), *members = jv_array(), *products = jv_array();
	char thr[16];
	const char *seen[32];
	size_t i, j, nseen = 0;

	jv_set_str(e, "type", d->type);
	jv_set_str(e, "rule", d->why);
	jv_set_str(e, "product_line", d->product);
	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);

		if (i < EVIDENCE_MEMBERS)
			jv_append(members, member_evidence(c, cfg, d, r, cl));
		if (cl->product) {
			for (j = 0; j < nseen; j++)
				if (strcasecmp(seen[j], cl->product) == 0)
					break;
			if (j == nseen && nseen < sizeof(seen) / sizeof(seen[0])) {
				seen[nseen++] = cl->product;
				jv_append(products, jv_str(cl->product));
			}
		}
	}
	jv_set(e, "members", members);
	if (d->n > EVIDENCE_MEMBERS) {
		/* a customer claimed thousands of times: the evidence names
		 * the first claims and counts the rest (conflict_members has
		 * them all), so that it stays a record, not megabytes */
		jv_set_int(e, "members_total", (int64_t)d->n);
		jv_set_int(e, "members_omitted", (int64_t)(d->n - EVIDENCE_MEMBERS));
	}
	jv_set(e, "products", products);
	jv_set(e, "links", links_of(c, nodes, nn));
	snprintf(thr, sizeof(thr), "%.2f", cfg->rules.conflicts.match_threshold);
	jv_set(e, "match_threshold", jv_real(strtod(thr, NULL)));
	if (d->window_from) {
		struct jval *w = jv_object();

		set_time(w, "from", d->window_from);
		set_time(w, "to", d->window_to);
		jv_set(e, "protection_window", w);
	}
	jv_set_str(e, "policy", strcmp(d->type, "direct_conflict") == 0 ?
	    cx_direct_policy_name(cfg->rules.conflicts.direct_policy) :
	    cx_policy_name(cfg->rules.conflicts.policy));
	jv_set_str(e, "winner", r->winner ? r->winner->key : NULL);
	jv_set_str(e, "winner_partner_id", r->winner ? r->winner->partner : NULL);
	jv_set_str(e, "reason", r->why);
	return e;
}
