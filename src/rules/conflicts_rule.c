/*
 * conflicts_rule.c - the ruling over one group of claims (contract §7): which
 * conflicts the claims of one customer make (partner conflict, direct
 * conflict, duplicate), the recommended winner under the policy and why,
 * and the evidence a channel manager reads. Pure: claims in, conflicts
 * out; the engine's index says which claims are one customer.
 */
#include "conflicts_rule.h"
#include "lib/json.h"
#include "model/normalize.h"

#include <stdio.h>
#include <strings.h>

int
cx_earlier(const struct claim *a, const struct claim *b)
{
	if (a->registered_at != b->registered_at)
		return a->registered_at && (!b->registered_at ||
		    a->registered_at < b->registered_at);
	if (a->decided_at != b->decided_at)
		return a->decided_at && (!b->decided_at || a->decided_at < b->decided_at);
	return strcmp(a->key, b->key) < 0;
}

/*
 * partner_conflict: claims by two or more partners registered within the
 * protection window of the earliest claim (all claims here are active:
 * pending or approved), sharing a product line when same_product_only.
 */
/* The first two distinct partners seen (NULL: none yet). */
struct two {
	const char *product;		/* NULL: the claims without one */
	const char *p[2];
};

static void
two_add(struct two *t, const char *partner)
{
	if (partner == NULL || same_str(t->p[0], partner) ||
	    same_str(t->p[1], partner))
		return;
	if (t->p[0] == NULL)
		t->p[0] = partner;
	else if (t->p[1] == NULL)
		t->p[1] = partner;
}

/* A partner in t other than x. */
static int
two_other(const struct two *t, const char *x)
{
	return (t->p[0] && !same_str(t->p[0], x)) || (t->p[1] && !same_str(t->p[1], x));
}

static int
in_window(const struct claim *a, const struct derived *d)
{
	return !a->registered_at || (a->registered_at >= d->window_from &&
	    a->registered_at <= d->window_to);
}

/*
 * partner_conflict: claims by two or more partners registered within the
 * protection window of the earliest claim (all claims here are active:
 * pending or approved), sharing a product line when same_product_only. A
 * claim is a member when another partner's claim in the window overlaps
 * it; two distinct partners kept per product line answer that for each
 * claim in one pass, so a group of thousands costs thousands of steps.
 */
static void
derive_partner(const struct conflicts *c, const struct config *cfg,
    const uint32_t *regs, size_t n, struct derived *d)
{
	const struct claim *first = NULL;
	struct two any = { NULL, { NULL, NULL } }, *prod = NULL;
	size_t i, k, nprod = 0, capprod = 0;
	int by_product = cfg->rules.conflicts.same_product_only;

	d->type = "partner_conflict";
	for (i = 0; i < n; i++)
		if (first == NULL || cx_earlier(claim_at(c, regs[i]), first))
			first = claim_at(c, regs[i]);
	if (first == NULL || first->registered_at == 0)
		return;
	d->window_from = first->registered_at;
	d->window_to = first->registered_at + cfg->rules.conflicts.protection;
	for (i = 0; i < n; i++) {
		const struct claim *a = claim_at(c, regs[i]);

		if (!in_window(a, d))
			continue;
		if (!by_product || a->product == NULL) {
			two_add(&any, a->partner);
			continue;
		}
		for (k = 0; k < nprod; k++)
			if (strcasecmp(prod[k].product, a->product) == 0)
				break;
		if (k == nprod) {
			xgrow(&prod, &capprod, nprod + 1, sizeof(*prod));
			memset(&prod[nprod], 0, sizeof(*prod));
			prod[nprod++].product = a->product;
		}
		two_add(&prod[k], a->partner);
	}
	for (i = 0; i < n; i++) {
		const struct claim *a = claim_at(c, regs[i]);
		int in;

		if (!in_window(a, d))
			continue;
		/* claims without a product overlap every product line */
		in = two_other(&any, a->partner);
		for (k = 0; k < nprod && !in; k++)
			if (a->product == NULL || strcasecmp(prod[k].product,
			    a->product) == 0)
				in = two_other(&prod[k], a->partner);
		if (in)
			u32_push(&d->members, &d->n, &d->cap, regs[i]);
	}
	free(prod);
	d->why = by_product ?
	    "two or more partners claim this customer for the same product line "
	    "within the protection window" :
	    "two or more partners claim this customer within the protection window";
}

static int
by_partner_product(const void *x, const void *y, void *arg)
{
	const struct conflicts *c = arg;
	const struct claim *a = claim_at(c, *(const uint32_t *)x);
	const struct claim *b = claim_at(c, *(const uint32_t *)y);
	int r = strcmp(a->partner ? a->partner : "", b->partner ? b->partner : "");

	if (r)
		return r;
	if ((r = (a->product != NULL) - (b->product != NULL)))
		return r;
	return a->product ? strcasecmp(a->product, b->product) : 0;
}

/*
 * duplicate: one partner, one customer, one product, twice or more: runs
 * of equal (partner, product) once the claims are sorted.
 */
static void
derive_duplicate(const struct conflicts *c, const uint32_t *regs, size_t n,
    struct derived *d)
{
	uint32_t *v = xcalloc(n + 1, sizeof(*v));
	size_t i, j;

	d->type = "duplicate";
	if (n == 0) {
		free(v);
		return;
	}
	memcpy(v, regs, n * sizeof(*v));
	qsort_r(v, n, sizeof(*v), by_partner_product, (void *)c);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && by_partner_product(&v[i], &v[j],
		    (void *)c) == 0; j++)
			;
		if (j - i >= 2 && claim_at(c, v[i])->partner)
			for (; i < j; i++)
				u32_push(&d->members, &d->n, &d->cap, v[i]);
	}
	free(v);
	d->why = "the same partner registered this customer and product more "
	    "than once";
}

void
cx_derive(const struct conflicts *c, const struct config *cfg,
    const uint32_t *regs, size_t nr, const uint32_t *opps, size_t no,
    struct derived d[3])
{
	size_t i;

	memset(d, 0, 3 * sizeof(*d));
	derive_partner(c, cfg, regs, nr, &d[0]);
	/* two partners at least */
	for (i = 0; i < d[0].n; i++)
		if (!same_str(claim_at(c, d[0].members[i])->partner,
		    claim_at(c, d[0].members[0])->partner))
			break;
	if (i == d[0].n)
		d[0].n = 0;
	d[1].type = "direct_conflict";
	if (cfg->rules.conflicts.direct && no > 0 && nr > 0) {
		for (i = 0; i < nr; i++)
			u32_push(&d[1].members, &d[1].n, &d[1].cap, regs[i]);
		for (i = 0; i < no; i++)
			u32_push(&d[1].members, &d[1].n, &d[1].cap, opps[i]);
		d[1].why = "a partner claims a customer the direct sales team works "
		    "(an open opportunity with no partner)";
	}
	derive_duplicate(c, regs, nr, &d[2]);
}

static char *
iso(int64_t t)
{
	char b[21];

	if (t == 0)
		return NULL;
	norm_time_format(t, b);
	return xstrdup(b);
}

static void
set_time(struct jval *o, const char *k, int64_t t)
{
	char *s = iso(t);

	jv_set_str(o, k, s);
	free(s);
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
			struct jval *who = jv_array();

			for (k = 0; k < n->nclaims && k < EVIDENCE_MEMBERS; k++)
				jv_append(who, jv_str(claim_at(c, n->claims[k])->key));
			jv_set(l, "members", who);
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
		/* how it joined its cluster: its name against the center's */
		if (n->center != nodes[i] && n->center != NO_CENTER) {
			const struct node *o = &c->nodes[n->center];
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
			jv_append(links, l);
			nl++;
		}
	}
	return links;
}

const char *
cx_policy_name(int p)
{
	switch (p) {
	case 1:
		return "highest_score";
	case 2:
		return "manual";
	default:
		return "first_to_register";
	}
}

/* A partner's current score; 0 when it has none. */
static int
score_of(const struct conflicts *c, const char *partner, double *score)
{
	uint32_t *ix;

	if (partner == NULL ||
	    (ix = strmap_get(&c->score_of, partner, strlen(partner))) == NULL)
		return 0;
	*score = c->scores[*ix - 1];
	return 1;
}

/*
 * The recommended winner and why, in words. highest_score takes the claim
 * whose partner has the best current score (ties, and partners without a
 * score, by registration order); before any partner is scored it says so
 * and recommends by registration order.
 */
const struct claim *
cx_recommend(const struct conflicts *c, const struct config *cfg, const struct derived *d,
    char *why, size_t whylen)
{
	const struct claim *w = NULL, *second = NULL;
	size_t i;
	char when[21], wk[21];

	if (cfg->rules.conflicts.policy == 2) {
		snprintf(why, whylen, "policy manual: no recommendation; a channel "
		    "manager decides");
		return NULL;
	}
	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);

		if (cl->kind != CLAIM_REG)
			continue;
		if (w == NULL || cx_earlier(cl, w)) {
			second = w;
			w = cl;
		} else if (second == NULL || cx_earlier(cl, second))
			second = cl;
	}
	if (w == NULL) {
		snprintf(why, whylen, "no registration to recommend");
		return NULL;
	}
	if (cfg->rules.conflicts.policy == 1 && strcmp(d->type, "duplicate") != 0) {
		const struct claim *best = NULL, *next = NULL;
		double bs = 0, ns = 0, s;

		for (i = 0; i < d->n; i++) {
			const struct claim *cl = claim_at(c, d->members[i]);

			if (cl->kind != CLAIM_REG || !score_of(c, cl->partner, &s))
				continue;
			if (best == NULL || s > bs || (s == bs && cx_earlier(cl, best))) {
				if (best && !same_str(best->partner, cl->partner)) {
					next = best;
					ns = bs;
				}
				best = cl;
				bs = s;
			} else if (!same_str(best->partner, cl->partner) &&
			    (next == NULL || s > ns)) {
				next = cl;
				ns = s;
			}
		}
		if (best) {
			int n = snprintf(why, whylen, "%s by partner %s: the best current "
			    "partner score (%.1f", best->key, best->partner, bs);

			if (n > 0 && (size_t)n < whylen)
				snprintf(why + n, whylen - (size_t)n, next ? "; next %s "
				    "with %.1f)" : ")", next ? next->partner : "", ns);
			if (strcmp(d->type, "direct_conflict") == 0)
				snprintf(why + strlen(why), whylen - strlen(why), "; a "
				    "direct opportunity is open for this customer, so the "
				    "account team must agree");
			return best;
		}
	}
	if (w->registered_at)
		norm_time_format(w->registered_at, when);
	else
		snprintf(when, sizeof(when), "an unknown time");
	if (strcmp(d->type, "duplicate") == 0) {
		snprintf(why, whylen, "keep %s, the first registration (%s); the "
		    "others repeat it", w->key, when);
		return w;
	}
	if (second && second->registered_at == w->registered_at && w->decided_at) {
		norm_time_format(w->decided_at, wk);
		snprintf(why, whylen, "%s%s was registered first (%s, tied) and "
		    "decided first (%s)", cfg->rules.conflicts.policy == 1 ?
		    "no partner scores yet, so by registration order: " : "",
		    w->key, when, wk);
	} else
		snprintf(why, whylen, "%s%s by partner %s was registered first (%s)",
		    cfg->rules.conflicts.policy == 1 ?
		    "no partner scores yet, so by registration order: " : "",
		    w->key, w->partner ? w->partner : "-", when);
	if (strcmp(d->type, "direct_conflict") == 0)
		snprintf(why + strlen(why), whylen - strlen(why), "; a direct "
		    "opportunity is open for this customer, so the account team "
		    "must agree");
	return w;
}

/* One member as the evidence lists it. */
static struct jval *
member_evidence(const struct claim *cl)
{
	struct jval *m = jv_object();

	jv_set_str(m, "key", cl->key);
	jv_set_str(m, "kind", cl->kind == CLAIM_REG ? "registration" :
	    "opportunity");
	jv_set_str(m, "partner_id", cl->partner);
	jv_set_str(m, "customer_name", cl->name);
	jv_set_str(m, "customer_domain", cl->domain);
	jv_set_str(m, "customer_country", cl->country[0] ? cl->country : NULL);
	jv_set_str(m, "product", cl->product);
	jv_set_str(m, "status", cl->status);
	set_time(m, "registered_at", cl->registered_at);
	set_time(m, "decided_at", cl->decided_at);
	set_time(m, "expires_at", cl->expires_at);
	return m;
}

struct jval *
cx_evidence(const struct conflicts *c, const struct config *cfg,
    const struct derived *d, const uint32_t *nodes, size_t nn,
    const struct claim *winner, const char *reason)
{
	struct jval *e = jv_object(), *members = jv_array(), *products = jv_array();
	char thr[16];
	const char *seen[32];
	size_t i, j, nseen = 0;

	jv_set_str(e, "type", d->type);
	jv_set_str(e, "rule", d->why);
	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);

		if (i < EVIDENCE_MEMBERS)
			jv_append(members, member_evidence(cl));
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
	jv_set_str(e, "policy", cx_policy_name(cfg->rules.conflicts.policy));
	jv_set_str(e, "winner", winner ? winner->key : NULL);
	jv_set_str(e, "reason", reason);
	return e;
}
