/*
 * conflicts.c - the conflict engine's pass over the groups that changed
 * (see conflicts.h): each group's conflicts derived again
 * (conflicts_rule.c), given their stable keys, and compared with the
 * conflicts known, so that only what changed goes to the sink: opened,
 * updated, reopened, resolved (fewer than two claims left, or merged
 * into another) or closed (closed in the CRM).
 */
#include "conflicts_index.h"
#include "conflicts_rule.h"
#include "lib/digest.h"
#include "lib/json.h"

#include <stdio.h>
#include <strings.h>

/* A conflict as stored: what a new derivation is compared with. */
struct known {
	const struct conflict_state *st;
	const char *status;		/* st's, or "closed" once closed here */
	const char **members;		/* present members, sorted */
	size_t nmembers, capmembers;
	int touched, produced;
	const char *merged_into;
};

struct known_set {
	struct known *v;
	size_t n;
	struct strmap by_key;		/* key -> index */
	struct strmap by_member;	/* "type|member" -> index + 1 */
};

/* One pass's derivation: where the changes go. */
struct pass {
	struct conflicts *c;
	const struct config *cfg;
	const char *now;
	struct known_set ks;
	conflicts_sink_fn sink;
	void *ctx;
	struct conflicts_result *res;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
known_build(struct known_set *ks, const struct conflicts_known *in)
{
	size_t i;
	char bm[400];

	memset(ks, 0, sizeof(*ks));
	ks->v = xcalloc(in->nstates + 1, sizeof(*ks->v));
	for (i = 0; i < in->nstates; i++) {
		struct known *k = &ks->v[ks->n];

		if (in->states[i].key == NULL || in->states[i].type == NULL)
			continue;
		k->st = &in->states[i];
		k->status = in->states[i].status ? in->states[i].status : "";
		*strmap_put(&ks->by_key, k->st->key, strlen(k->st->key), NULL) =
		    (uint32_t)ks->n;
		ks->n++;
	}
	for (i = 0; i < in->nmembers; i++) {
		const struct conflict_member_row *m = &in->members[i];
		uint32_t *ix;
		struct known *k;

		if (m->conflict_key == NULL || m->member == NULL ||
		    (ix = strmap_get(&ks->by_key, m->conflict_key,
		    strlen(m->conflict_key))) == NULL)
			continue;
		k = &ks->v[*ix];
		xgrow(&k->members, &k->capmembers, k->nmembers + 1,
		    sizeof(*k->members));
		k->members[k->nmembers++] = m->member;
		snprintf(bm, sizeof(bm), "%s|%s", k->st->type, m->member);
		*strmap_put(&ks->by_member, bm, strlen(bm), NULL) = *ix + 1;
	}
	for (i = 0; i < ks->n; i++)	/* for bsearch */
		if (ks->v[i].nmembers)
			qsort(ks->v[i].members, ks->v[i].nmembers, sizeof(char *),
			    cmp_str);
}

static void
known_free(struct known_set *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		free(ks->v[i].members);
	free(ks->v);
	strmap_free(&ks->by_key);
	strmap_free(&ks->by_member);
}

/* The members as sorted keys. */
static const char **
member_keys(const struct conflicts *c, const struct derived *d)
{
	const char **v = xcalloc(d->n + 1, sizeof(char *));
	size_t i;

	for (i = 0; i < d->n; i++)
		v[i] = claim_at(c, d->members[i])->key;
	qsort(v, d->n, sizeof(char *), cmp_str);
	return v;
}

/* The known conflict of d's type that has member cl, not yet taken. */
static struct known *
known_with(struct pass *ps, const struct derived *d, const struct claim *cl)
{
	char bm[400];
	uint32_t *ix;

	snprintf(bm, sizeof(bm), "%s|%s", d->type, cl->key);
	if ((ix = strmap_get(&ps->ks.by_member, bm, strlen(bm))) && *ix &&
	    !ps->ks.v[*ix - 1].produced)
		return &ps->ks.v[*ix - 1];
	return NULL;
}

static const char *
key_prefix(const char *type)
{
	if (strcmp(type, "partner_conflict") == 0)
		return "PC";
	if (strcmp(type, "double_approval") == 0)
		return "DA";
	return strcmp(type, "direct_conflict") == 0 ? "DC" : "DU";
}

/*
 * The known conflict of d's type that d takes over, and d's key in key:
 * a known conflict with one of d's members (first by the members that
 * name d's own product line: a claim without a product sits on every
 * line), else a key made from the type, the line and the anchor claim.
 */
static struct known *
key_of(struct pass *ps, const struct derived *d, const struct claim *anchor,
    char key[40])
{
	const struct conflicts *c = ps->c;
	struct known *k = NULL;
	size_t i;
	int round;
	uint32_t *ix;

	for (round = 0; round < 2 && k == NULL; round++)
		for (i = 0; i < d->n && k == NULL; i++) {
			const struct claim *cl = claim_at(c, d->members[i]);

			if (round == 0 && d->product && cl->product == NULL)
				continue;
			k = known_with(ps, d, cl);
		}
	if (k == NULL) {
		unsigned char h[DIGEST_LEN];
		char hex[DIGEST_HEX_LEN + 1], line[200], *seed;

		/* the line's name folded, so that a spelling does not matter */
		snprintf(line, sizeof(line), "%s", d->product ? d->product : "");
		cx_fold_ascii(line);
		/* an anchor that names its product is on one line only; one
		 * that names none is on every line, so the line goes in */
		seed = d->product && anchor->product == NULL ? xasprintf(
		    "%s|%s|%s", d->type, line, anchor->key) : xasprintf("%s|%s",
		    d->type, anchor->key);
		sha256(seed, strlen(seed), h);
		free(seed);
		hex_encode(h, 6, hex);
		snprintf(key, 40, "%s-%.12s", key_prefix(d->type), hex);
		/* the same anchor conflicted before: that conflict again */
		if ((ix = strmap_get(&ps->ks.by_key, key, strlen(key))))
			k = &ps->ks.v[*ix];
	} else
		snprintf(key, 40, "%s", k->st->key);
	if (k)
		k->produced = 1;
	/* other known conflicts of these members merge into this one */
	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);
		struct known *o;

		if (d->product && cl->product == NULL)
			continue;	/* it may be on another line's */
		if ((o = known_with(ps, d, cl)) != NULL && o != k)
			o->merged_into = k ? k->st->key : NULL;
	}
	return k;
}

/* What becomes of known conflict k (NULL: none) with members mk: the
 * change's action, or NULL for none. */
static const char *
action_of(const struct known *k, const char **mk, size_t n, const char *ev)
{
	size_t i;
	int fresh = 0;

	if (k == NULL)
		return "conflict.opened";
	if (strcmp(k->status, "closed") == 0 ||
	    strcmp(k->status, "decided") == 0) {
		/* closed in the CRM or decided by an operator: it stands until
		 * a new member joins */
		for (i = 0; i < n; i++)
			fresh |= k->nmembers == 0 || bsearch(&mk[i], k->members,
			    k->nmembers, sizeof(char *), cmp_str) == NULL;
		return fresh ? "conflict.reopened" : NULL;
	}
	if (strcmp(k->status, "resolved") == 0)
		return "conflict.reopened";
	{
		unsigned char h[DIGEST_LEN];
		char hex[DIGEST_HEX_LEN + 1];

		sha256(ev, strlen(ev), h);
		hex_encode(h, DIGEST_LEN, hex);
		return same_str(k->st->evidence_sha, hex) ? NULL :
		    "conflict.updated";
	}
}

/* One derived conflict under its stable key, to the sink if it changed. */
static int
save(struct pass *ps, const struct derived *d, const uint32_t *nodes, size_t nn)
{
	const struct conflicts *c = ps->c;
	const struct claim *anchor = NULL;
	struct conflict_member_change *mc;
	struct conflict_change ch;
	struct known *k;
	struct ruling r;
	char key[40], *ev;
	const char **mk, *action;
	struct jval *evj;
	size_t i, j, nmc = 0;
	int rc = 0;

	/* the earliest registration (an opportunity only when there is
	 * none): the customer as named and the seed of a new key */
	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);

		if (anchor == NULL || (cl->kind == CLAIM_REG &&
		    anchor->kind != CLAIM_REG) || (cl->kind == anchor->kind &&
		    cx_earlier(cl, anchor)))
			anchor = cl;
	}
	k = key_of(ps, d, anchor, key);
	cx_rule(c, ps->cfg, d, &r);
	evj = cx_evidence(c, ps->cfg, d, nodes, nn, &r);
	ev = jv_dump_canonical(evj);
	mk = member_keys(c, d);
	if ((action = action_of(k, mk, d->n, ev)) == NULL) {
		free(mk);
		free(ev);
		jv_free(evj);
		return 0;
	}
	memset(&ch, 0, sizeof(ch));
	ch.action = action[9] == 'o' ? CONFLICT_OPENED : action[9] == 'r' ?
	    CONFLICT_REOPENED : CONFLICT_UPDATED;
	ch.action_name = action;
	ch.rec.key = key;
	ch.rec.type = d->type;
	ch.rec.status = "open";
	ch.rec.customer = anchor->name;
	ch.rec.customer_domain = anchor->domain;
	ch.rec.customer_country = anchor->country[0] ? anchor->country : NULL;
	ch.rec.policy = strcmp(d->type, "direct_conflict") == 0 ?
	    cx_direct_policy_name(ps->cfg->rules.conflicts.direct_policy) :
	    cx_policy_name(ps->cfg->rules.conflicts.policy);
	ch.rec.winner = r.winner ? r.winner->key : NULL;
	ch.rec.reason = r.why;
	ch.rec.evidence = ev;
	ch.rec.opened_at = ps->now;
	ch.rec.updated_at = ps->now;
	ch.rec.clear_crm_status = ch.action == CONFLICT_REOPENED;
	mc = xcalloc(d->n + (k ? k->nmembers : 0) + 1, sizeof(*mc));
	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);

		mc[nmc].member = cl->key;
		mc[nmc].kind = cl->kind == CLAIM_REG ? "registration" : "opportunity";
		mc[nmc].partner_id = cl->partner;
		mc[nmc++].present = 1;
	}
	/* members that left */
	for (j = 0; k && j < k->nmembers; j++)
		if (bsearch(&k->members[j], mk, d->n, sizeof(char *), cmp_str) ==
		    NULL) {
			mc[nmc].member = k->members[j];
			mc[nmc++].kind = "";
		}
	ch.members = mc;
	ch.nmembers = nmc;
	ch.size = d->n;
	ch.audit = evj;
	rc = ps->sink(ps->ctx, &ch);
	if (rc == 0) {
		if (ch.action == CONFLICT_OPENED)
			ps->res->opened++;
		else if (ch.action == CONFLICT_REOPENED)
			ps->res->reopened++;
		else
			ps->res->updated++;
	}
	free(mc);
	free(mk);
	free(ev);
	return rc;
}

/* Known conflict k ends: resolved (its members gone) or closed. The
 * stored evidence stays as it was. */
static int
resolve(struct pass *ps, struct known *k, enum conflict_action how,
    const char *why)
{
	struct conflict_member_change *mc = NULL;
	struct conflict_change ch;
	struct jval *members;
	size_t i;
	int rc;

	memset(&ch, 0, sizeof(ch));
	ch.action = how;
	ch.action_name = how == CONFLICT_CLOSED ? "conflict.closed" :
	    "conflict.resolved";
	ch.rec.key = k->st->key;
	ch.rec.type = k->st->type;
	ch.rec.status = how == CONFLICT_CLOSED ? "closed" : "resolved";
	ch.rec.policy = cx_policy_name(ps->cfg->rules.conflicts.policy);
	ch.rec.winner = k->st->winner;
	ch.rec.evidence = NULL;
	ch.rec.opened_at = ps->now;
	ch.rec.updated_at = ps->now;
	ch.rec.resolved_at = ps->now;
	ch.rec.resolution = why;
	ch.rec.customer = k->st->customer;
	ch.rec.customer_domain = k->st->customer_domain;
	ch.rec.customer_country = k->st->customer_country;
	ch.rec.reason = k->st->reason;
	if (how == CONFLICT_RESOLVED) {
		mc = xcalloc(k->nmembers + 1, sizeof(*mc));
		for (i = 0; i < k->nmembers; i++) {
			mc[i].member = k->members[i];
			mc[i].kind = "";
		}
		ch.members = mc;
		ch.nmembers = k->nmembers;
	}
	/* the audit detail: who it was about and why it ended (the evidence
	 * it had is in the row that opened or last updated it) */
	ch.audit = jv_object();
	jv_set_str(ch.audit, "type", k->st->type);
	jv_set_str(ch.audit, "customer", k->st->customer);
	jv_set_str(ch.audit, "winner", k->st->winner);
	members = jv_array();
	for (i = 0; i < k->nmembers; i++)
		jv_append(members, jv_str(k->members[i]));
	jv_set(ch.audit, "members", members);
	jv_set_str(ch.audit, "resolution", why);
	rc = ps->sink(ps->ctx, &ch);
	free(mc);
	return rc;
}

/* The known conflicts of every type that have member among their members
 * are looked at again this pass. */
static void
touch_member(struct known_set *ks, const char *member)
{
	static const char *const types[] = { "partner_conflict",
		"double_approval", "direct_conflict", "duplicate" };
	size_t t;

	if (ks->n == 0)
		return;		/* no conflict known yet: nothing to touch */
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		char bm[400];
		uint32_t *ix;

		cx_join_parts(bm, sizeof(bm), types[t], "|", member, (char *)NULL);
		if ((ix = strmap_get(&ks->by_member, bm, strlen(bm))) && *ix)
			ks->v[*ix - 1].touched = 1;
	}
}

/* The conflicts of one cluster of nodes (one customer). */
static int
derive_group(struct pass *ps, const uint32_t *nodes, size_t nn)
{
	struct conflicts *c = ps->c;
	uint32_t *regs = NULL, *opps = NULL;
	size_t nr = 0, capr = 0, no = 0, capo = 0, i, k;
	struct derived *d = NULL;
	size_t nd;
	int rc = 0;

	for (i = 0; i < nn; i++) {
		const struct node *n = &c->nodes[nodes[i]];

		for (k = 0; k < n->nclaims; k++) {
			if (claim_at(c, n->claims[k])->kind == CLAIM_REG)
				u32_push(&regs, &nr, &capr, n->claims[k]);
			else
				u32_push(&opps, &no, &capo, n->claims[k]);
		}
	}
	if ((int64_t)(nr + no) > ps->res->largest_group)
		ps->res->largest_group = (int64_t)(nr + no);
	nd = cx_derive(c, ps->cfg, regs, nr, opps, no, &d);
	for (i = 0; i < nd && rc == 0; i++)
		if (d[i].n >= 2)
			rc = save(ps, &d[i], nodes, nn);
	cx_derived_free(d, nd);
	free(regs);
	free(opps);
	ps->res->groups++;
	return rc;
}

/* Every cluster that changed, its known conflicts looked at again. */
static int
derive_dirty(struct pass *ps)
{
	struct conflicts *c = ps->c;
	size_t i, j, k;
	int rc = 0;

	for (i = 0; i < c->nnodes && rc == 0; i++) {
		struct node *n = &c->nodes[i];

		if (!n->alive || !n->dirty || n->center != i)
			continue;
		n->dirty = 0;
		for (j = 0; j < n->nmembers; j++) {
			const struct node *m = &c->nodes[n->members[j]];

			c->nodes[n->members[j]].dirty = 0;
			for (k = 0; k < m->nclaims; k++)
				touch_member(&ps->ks, claim_at(c, m->claims[k])->key);
		}
		rc = derive_group(ps, n->members, n->nmembers);
		/* a group of thousands of claims counts as that many steps */
		for (j = 0; rc == 0 && j < n->nmembers; j++)
			if (conflicts_tick_n(c, c->nodes[n->members[j]].nclaims + 1))
				rc = -1;
	}
	return rc;
}

int
conflicts_derive(struct conflicts *c, const struct config *cfg,
    const struct conflicts_known *known, const char *now,
    conflicts_sink_fn sink, void *ctx, struct conflicts_result *res)
{
	struct pass ps;
	size_t i;
	int rc = 0;

	memset(&ps, 0, sizeof(ps));
	ps.c = c;
	ps.cfg = cfg;
	ps.now = now;
	ps.sink = sink;
	ps.ctx = ctx;
	ps.res = res;
	known_build(&ps.ks, known);
	/* conflicts whose members changed are looked at again: all of them
	 * on the first pass, which derives every group */
	for (i = 0; i < ps.ks.n && c->passes == 0; i++)
		ps.ks.v[i].touched = 1;
	for (i = 0; i < c->nchanged; i++)
		touch_member(&ps.ks, c->changed[i]);
	/* closed by an operator in the CRM: closed here too */
	for (i = 0; i < ps.ks.n && rc == 0; i++) {
		struct known *k = &ps.ks.v[i];
		const char *crm = k->st->crm_status;

		if (strcmp(k->status, "open") == 0 && crm &&
		    (strcasecmp(crm, "closed") == 0 || strcasecmp(crm,
		    "resolved") == 0)) {
			char why[128];

			snprintf(why, sizeof(why), "closed in the CRM (status %s)", crm);
			rc = resolve(&ps, k, CONFLICT_CLOSED, why);
			k->status = "closed";
			res->closed++;
		}
	}
	if (rc == 0)
		rc = derive_dirty(&ps);
	/* touched conflicts that no group produced: fewer than two claims */
	for (i = 0; i < ps.ks.n && rc == 0; i++) {
		struct known *k = &ps.ks.v[i];

		if (k->touched && !k->produced && strcmp(k->status, "open") == 0) {
			char why[96];

			if (k->merged_into)
				snprintf(why, sizeof(why), "merged into %s", k->merged_into);
			else
				snprintf(why, sizeof(why), "fewer than two active claims "
				    "remain");
			rc = resolve(&ps, k, CONFLICT_RESOLVED, why);
			res->resolved++;
		}
	}
	if (rc < 0)
		snprintf(res->error, sizeof(res->error), "%s", c->stopped ?
		    "stopped" : "keeping a conflict failed");
	known_free(&ps.ks);
	return rc;
}
