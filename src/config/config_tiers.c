/*
 * config_tiers.c - scoring.tiers (contract §3, §9): a list of rules, each
 * { name, min_score, requires }, or (older files) a mapping of each
 * tier's name to its lowest score; its default; freeing it.
 */
#include "config_internal.h"
#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

/*
 * The tiers' default, "name:min_score:req=value;req=value,..." (a
 * requirement list may be empty).
 */
void
cfg_default_tiers(const struct key *k, char *base)
{
	size_t n, i;
	char **v = cfg_split_list(k->def, &n);
	struct config_tier *t = xcalloc(n + 1, sizeof(*t));

	for (i = 0; i < n; i++) {
		char *min = strchr(v[i], ':'), *req, *save = NULL, *r;

		*min++ = '\0';
		if ((req = strchr(min, ':')))
			*req++ = '\0';
		t[i].name = xstrdup(v[i]);
		t[i].min_score = strtod(min, NULL);
		for (r = req ? strtok_r(req, ";", &save) : NULL; r;
		    r = strtok_r(NULL, ";", &save)) {
			char *eq = strchr(r, '=');

			*eq = '\0';
			t[i].requires = xrealloc(t[i].requires, (t[i].nrequires + 1) *
			    sizeof(*t[i].requires));
			t[i].requires[t[i].nrequires].key = xstrdup(r);
			t[i].requires[t[i].nrequires++].value = strtod(eq + 1, NULL);
		}
	}
	*AT(base, k->off, struct config_tier *) = t;
	*AT(base, k->count_off, size_t) = n;
	cfg_free_list(v, n);
}

void
cfg_free_tiers(const struct key *k, char *base)
{
	struct config_tier *t = *AT(base, k->off, struct config_tier *);
	size_t i, n = *AT(base, k->count_off, size_t);

	for (i = 0; i < n; i++)
		cfg_free_table(k->sub, (char *)&t[i]);
	free(t);
	*AT(base, k->off, struct config_tier *) = NULL;
	*AT(base, k->count_off, size_t) = 0;
}

/*
 * scoring.tiers: a list of rules ({ name, min_score, requires }), first
 * met top down; or, as older files write it, a mapping of each tier's
 * name to its lowest score (ordered highest first).
 */
void
cfg_parse_tiers(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	struct config_tier *t;
	size_t i, j, cnt = 0;

	if (n->kind == YNODE_SEQ) {
		cfg_free_tiers(k, base);
		cfg_parse_list(x, k, base, n, path);
		return;
	}
	if (n->kind != YNODE_MAP) {
		cfg_err_node(x, n, path, "expected a list of tiers ({ name, "
		    "min_score, requires }), found %s", ynode_kind_name(n));
		return;
	}
	cfg_free_tiers(k, base);
	t = xcalloc(n->n + 1, sizeof(*t));
	for (i = 0; i < n->n; i++) {
		const struct ynode *v = n->vals[i];
		char *p = cfg_join(path, n->keys[i]->str);
		double d;

		if (!cfg_scalar_ok(x, v, p, "a number"))
			;
		else if (!v->plain || cfg_parse_number(v->str, &d) < 0)
			cfg_err_node(x, v, p, "expected a number, found '%s'",
			    v->str);
		else if (d < 0 || d > 100)
			cfg_err_node(x, v, p, "%s is out of range (0 to 100)",
			    v->str);
		else {
			/* highest first, as the list form reads */
			for (j = cnt; j > 0 && t[j - 1].min_score < d; j--)
				t[j] = t[j - 1];
			memset(&t[j], 0, sizeof(t[j]));
			t[j].name = xstrdup(n->keys[i]->str);
			t[j].min_score = d;
			cnt++;
		}
		free(p);
	}
	*AT(base, k->off, struct config_tier *) = t;
	*AT(base, k->count_off, size_t) = cnt;
}

