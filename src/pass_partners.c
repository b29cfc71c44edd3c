/*
 * pass_partners.c - a pass's partner identity (see pass_partners.h).
 */
#include "pass_partners.h"
#include "pass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
partner_map_load(struct partner_map *m, struct store *st,
    const struct config *cfg)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	if (store_partner_directory(st, &m->a, &m->crm, &m->ncrm) < 0)
		return -1;
	/* no CRM partner read (yet): no id can be judged unknown */
	if (m->ncrm == 0)
		return 0;
	if (store_partner_refs(st, &m->a, &m->refs, &m->nrefs) < 0)
		return -1;
	m->res = xcalloc(m->nrefs + 1, sizeof(*m->res));
	partner_ids_resolve(cfg, m->crm, m->ncrm, m->refs, m->nrefs, m->res);
	for (i = 0; i < m->nrefs; i++) {
		char *k = xasprintf("%s|%s", m->refs[i].source, m->refs[i].id);

		*strmap_put(&m->by_ref, k, strlen(k), NULL) = (uint32_t)i + 1;
		free(k);
	}
	return 0;
}

const struct partner_resolution *
partner_map_get(const struct partner_map *m, const char *source,
    size_t source_len, const char *id)
{
	char k[512];
	uint32_t *ix;
	int n;

	if (m->nrefs == 0 || id == NULL)
		return NULL;
	n = snprintf(k, sizeof(k), "%.*s|%s", (int)source_len, source, id);
	if (n < 0 || (size_t)n >= sizeof(k) ||
	    (ix = strmap_get(&m->by_ref, k, (size_t)n)) == NULL || *ix == 0)
		return NULL;
	return &m->res[*ix - 1];
}

void
partner_map_free(struct partner_map *m)
{
	free(m->crm);
	free(m->refs);
	free(m->res);
	strmap_free(&m->by_ref);
	arena_free(&m->a);
	memset(m, 0, sizeof(*m));
}

const struct partner_map *
pass_partner_map(struct pass *p)
{
	if (p->partners == NULL) {
		struct partner_map *m = xcalloc(1, sizeof(*m));

		if (partner_map_load(m, p->env->st, p->env->cfg) < 0) {
			partner_map_free(m);
			free(m);
			return NULL;
		}
		p->partners = m;
	}
	return p->partners;
}

void
pass_partner_map_free(struct pass *p)
{
	if (p->partners) {
		partner_map_free(p->partners);
		free(p->partners);
		p->partners = NULL;
	}
}
