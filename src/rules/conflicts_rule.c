/*
 * conflicts_rule.c - which conflicts the claims of one customer make
 * (contract §7), per product line: partner conflict (two partners'
 * protection windows overlap), double approval (two partners approved
 * and protected at once), direct conflict (an open opportunity with no
 * partner), duplicate (one partner twice). Pure: claims in, conflicts
 * out; the engine's index says which claims are one customer, the
 * ruling (conflicts_ruling.c) says who should win.
 */
#include "conflicts_rule.h"

#include <strings.h>
#include <sys/types.h>

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

/* Product lines compare without regard to case; NULL is "any". */
static int
same_product(const char *a, const char *b)
{
	return a == NULL || b == NULL || strcasecmp(a, b) == 0;
}

static int
by_key(const void *x, const void *y, void *arg)
{
	const struct conflicts *c = arg;

	return strcmp(claim_at(c, *(const uint32_t *)x)->key,
	    claim_at(c, *(const uint32_t *)y)->key);
}

/* By protection anchor, unknown first, then by key. */
static int
by_anchor(const void *x, const void *y, void *arg)
{
	const struct conflicts *c = arg;
	const struct claim *a = claim_at(c, *(const uint32_t *)x);
	const struct claim *b = claim_at(c, *(const uint32_t *)y);
	int64_t ta = cx_anchor(a), tb = cx_anchor(b);

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return strcmp(a->key, b->key);
}

static struct derived *
add_derived(struct derived **v, size_t *n, size_t *cap, const char *type,
    const char *product)
{
	struct derived *d;

	xgrow(v, cap, *n + 1, sizeof(**v));
	d = &(*v)[(*n)++];
	memset(d, 0, sizeof(*d));
	d->type = type;
	d->product = product;
	return d;
}

/* Two or more distinct partners among the members? */
static int
two_partners(const struct conflicts *c, const struct derived *d)
{
	size_t i;

	for (i = 1; i < d->n; i++)
		if (!same_str(claim_at(c, d->members[i])->partner,
		    claim_at(c, d->members[0])->partner))
			return 1;
	return 0;
}

/*
 * Marks in[i] for each claim of line[from..to) (sorted by anchor, all
 * known) that has a claim of another partner less than p before it
 * (step 1) or after it (step -1): the nearest such claim decides.
 */
static void
mark_near(const struct conflicts *c, const uint32_t *line, size_t from,
    size_t to, int step, int64_t p, uint8_t *in)
{
	ssize_t i, last = -1, other = -1, end = step > 0 ? (ssize_t)to :
	    (ssize_t)from - 1;

	for (i = step > 0 ? (ssize_t)from : (ssize_t)to - 1; i != end; i += step) {
		const struct claim *a = claim_at(c, line[i]);
		ssize_t near = last < 0 ? -1 : same_str(claim_at(c,
		    line[last])->partner, a->partner) ? other : last;
		int64_t gap;

		if (near >= 0) {
			gap = cx_anchor(a) - cx_anchor(claim_at(c, line[near]));
			if ((gap < 0 ? -gap : gap) < p)
				in[i] = 1;
		}
		if (last >= 0 && !same_str(claim_at(c, line[last])->partner,
		    a->partner))
			other = last;
		last = i;
	}
}

/*
 * partner_conflict on one product line: a claim is a member when a claim
 * of another partner protects the customer at an overlapping time (each
 * claim protects [anchor, anchor + protection); a claim whose anchor is
 * unknown overlaps every other). Over the line sorted by anchor, the
 * nearest claim of another partner on either side answers that for each
 * claim, so a line of thousands costs n log n.
 */
static void
derive_partner(const struct conflicts *c, const struct config *cfg,
    uint32_t *line, size_t n, struct derived *d)
{
	int64_t p = cfg->rules.conflicts.protection, lo = 0, hi = 0;
	const char *u0 = NULL;		/* a partner with an unknown anchor */
	int u_two = 0;			/* two partners with unknown anchors */
	int k_other = 0;		/* a known anchor of a partner not u0 */
	size_t i, nu = 0;
	uint8_t *in = xcalloc(n + 1, 1);

	qsort_r(line, n, sizeof(*line), by_anchor, (void *)c);
	for (i = 0; i < n && cx_anchor(claim_at(c, line[i])) == 0; i++, nu++) {
		const char *pa = claim_at(c, line[i])->partner;

		if (u0 == NULL)
			u0 = pa;
		else if (!same_str(u0, pa))
			u_two = 1;
	}
	for (i = nu; i < n && nu > 0 && !k_other; i++)
		k_other = !same_str(claim_at(c, line[i])->partner, u0);
	/* unknown anchors overlap everything: members when another partner
	 * claims this line at all */
	for (i = 0; i < n && nu > 0; i++)
		in[i] = u_two || (i < nu ? k_other : !same_str(u0,
		    claim_at(c, line[i])->partner));
	mark_near(c, line, nu, n, 1, p, in);
	mark_near(c, line, nu, n, -1, p, in);
	for (i = 0; i < n; i++) {
		int64_t t = cx_anchor(claim_at(c, line[i]));

		if (!in[i])
			continue;
		u32_push(&d->members, &d->n, &d->cap, line[i]);
		if (t && (lo == 0 || t < lo))
			lo = t;
		if (t && t + p > hi)
			hi = t + p;
	}
	free(in);
	d->window_from = lo;
	d->window_to = hi;
	d->why = d->product ?
	    "two or more partners claim this customer for the same product line "
	    "within overlapping protection windows" :
	    "two or more partners claim this customer within overlapping "
	    "protection windows";
}

/* double_approval: approved claims, all protected now, of two or more
 * partners on one product line. */
static void
derive_double(const struct conflicts *c, const uint32_t *line, size_t n,
    struct derived *d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cx_is_approved(claim_at(c, line[i])))
			u32_push(&d->members, &d->n, &d->cap, line[i]);
	if (!two_partners(c, d))
		d->n = 0;
	d->why = "two or more partners hold approved registrations for this "
	    "customer and product line at the same time";
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
 * duplicate: one partner claims this customer and product line twice or
 * more: runs of equal (partner, product) once the line is sorted. On a
 * line of one product, the claims that name none join no run.
 */
static void
derive_duplicate(const struct conflicts *c, const uint32_t *line, size_t n,
    const char *product, struct derived *d)
{
	uint32_t *v = xcalloc(n + 1, sizeof(*v));
	size_t i, j, nv = 0;

	for (i = 0; i < n; i++)
		if (claim_at(c, line[i])->partner && (product == NULL ||
		    claim_at(c, line[i])->product))
			v[nv++] = line[i];
	qsort_r(v, nv, sizeof(*v), by_partner_product, (void *)c);
	for (i = 0; i < nv; i = j) {
		for (j = i + 1; j < nv && by_partner_product(&v[i], &v[j],
		    (void *)c) == 0; j++)
			;
		if (j - i >= 2)
			for (; i < j; i++)
				u32_push(&d->members, &d->n, &d->cap, v[i]);
	}
	free(v);
	d->why = "the same partner registered this customer and product line "
	    "more than once";
}

/* The product lines of regs: distinct products (one spelling each, the
 * smallest), sorted; none when no claim names one. */
static size_t
product_lines(const struct conflicts *c, const uint32_t *regs, size_t nr,
    const char ***out)
{
	const char **v = xcalloc(nr + 1, sizeof(*v));
	size_t i, j, n = 0;

	for (i = 0; i < nr; i++) {
		const char *p = claim_at(c, regs[i])->product;

		if (p == NULL)
			continue;
		for (j = 0; j < n && strcasecmp(v[j], p) != 0; j++)
			;
		if (j == n)
			v[n++] = p;
		else if (strcmp(p, v[j]) < 0)
			v[j] = p;
	}
	for (i = 1; i < n; i++)		/* few lines: insertion sort */
		for (j = i; j > 0 && strcasecmp(v[j - 1], v[j]) > 0; j--) {
			const char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = v;
	return n;
}

static void
sort_members(const struct conflicts *c, struct derived *d)
{
	if (d->n > 1)
		qsort_r(d->members, d->n, sizeof(*d->members), by_key, (void *)c);
}

/* Whether a and b hold the same claims (each holds a claim once). */
static int
same_members(const struct derived *a, const struct derived *b)
{
	size_t i, j;

	if (a->n == 0 || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && b->members[j] != a->members[i]; j++)
			;
		if (j == b->n)
			return 0;
	}
	return 1;
}

/* The conflicts of one product line (product NULL: every claim). */
static void
derive_line(const struct conflicts *c, const struct config *cfg,
    const char *product, const uint32_t *regs, size_t nr, const uint32_t *opps,
    size_t no, struct derived **v, size_t *nv, size_t *cap)
{
	uint32_t *line = xcalloc(nr + 1, sizeof(*line));
	uint32_t *known = xcalloc(nr + 1, sizeof(*known));
	struct derived *d;
	size_t i, n = 0, nk = 0, first = *nv, pc;

	for (i = 0; i < nr; i++)
		if (product == NULL || same_product(product,
		    claim_at(c, regs[i])->product)) {
			line[n++] = regs[i];
			/* a partner nobody could identify is kept out of
			 * partner conflicts: it may be one of the others */
			if (!claim_at(c, regs[i])->unresolved)
				known[nk++] = regs[i];
		}
	d = add_derived(v, nv, cap, "partner_conflict", product);
	pc = *nv - 1;
	derive_partner(c, cfg, known, nk, d);
	if (!two_partners(c, d))
		d->n = 0;
	derive_double(c, known, nk, add_derived(v, nv, cap, "double_approval",
	    product));
	/* every claim of the partner conflict approved: the double approval
	 * says it all, and two conflicts on the same claims would be one
	 * decision asked twice */
	if (same_members(&(*v)[pc], &(*v)[*nv - 1]))
		(*v)[pc].n = 0;
	d = add_derived(v, nv, cap, "direct_conflict", product);
	if (cfg->rules.conflicts.direct && no > 0 && n > 0) {
		for (i = 0; i < n; i++)
			u32_push(&d->members, &d->n, &d->cap, line[i]);
		for (i = 0; i < no; i++)
			u32_push(&d->members, &d->n, &d->cap, opps[i]);
		d->why = "a partner claims a customer the direct sales team works "
		    "(an open opportunity with no partner)";
	}
	derive_duplicate(c, line, n, product, add_derived(v, nv, cap,
	    "duplicate", product));
	for (i = first; i < *nv; i++)
		sort_members(c, &(*v)[i]);
	free(line);
	free(known);
}

size_t
cx_derive(const struct conflicts *c, const struct config *cfg,
    const uint32_t *regs, size_t nr, const uint32_t *opps, size_t no,
    struct derived **out)
{
	struct derived *v = NULL;
	const char **lines = NULL;
	size_t n = 0, cap = 0, nl = 0, i;

	if (cfg->rules.conflicts.same_product_only)
		nl = product_lines(c, regs, nr, &lines);
	if (nl == 0)
		derive_line(c, cfg, NULL, regs, nr, opps, no, &v, &n, &cap);
	for (i = 0; i < nl; i++)
		derive_line(c, cfg, lines[i], regs, nr, opps, no, &v, &n, &cap);
	free(lines);
	*out = v;
	return n;
}

void
cx_derived_free(struct derived *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(d[i].members);
	free(d);
}
