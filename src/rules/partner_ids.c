/*
 * partner_ids.c - a source's partner ids resolved to CRM partners (see
 * partner_ids.h): an alias first, then the source's name for the
 * partner when its normalized key is exactly one CRM partner's, then
 * the partner's domain when it is exactly one CRM partner's. Pure:
 * lists in, resolutions out.
 */
#include "rules/partner_ids.h"
#include "rules/match.h"
#include "lib/mem.h"
#include "model/normalize_name.h"

#include <stdlib.h>
#include <string.h>

/* Below this, a CRM partner's name is no proposal for an unknown id. */
#define PROPOSE_MIN 0.80

const char *
partner_how_name(enum partner_how how)
{
	return how == PARTNER_ALIAS ? "alias" : how == PARTNER_NAME ? "name" :
	    how == PARTNER_DOMAIN ? "domain" : "unresolved";
}

static const struct partner_entry *
crm_by_id(const struct partner_entry *crm, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (crm[i].id && strcmp(crm[i].id, id) == 0)
			return &crm[i];
	return NULL;
}

/* By name: the CRM partners whose name keys equal the ref's, and
 * failing that the one most alike as a proposal. */
static void
by_name(const struct partner_entry *crm, char **keys, size_t n,
    const char *name, struct partner_resolution *r)
{
	struct match_name a, b;
	enum match_measure how;
	char *key = NULL;
	size_t i, equal = 0;

	if (name == NULL || norm_name_key(name, &key) < 0 || key == NULL ||
	    *key == '\0') {
		free(key);
		return;
	}
	match_prepare(NULL, key, &a);
	for (i = 0; i < n; i++) {
		double s;

		if (keys[i] == NULL)
			continue;
		if (strcmp(keys[i], key) == 0) {
			if (equal++ == 0) {
				r->crm_id = crm[i].id;
				r->crm_name = crm[i].name;
				r->similarity = 1.0;
			}
			continue;
		}
		if (equal)
			continue;
		match_prepare(NULL, keys[i], &b);
		if ((s = match_score(&a, &b, &how)) >= PROPOSE_MIN &&
		    s > r->similarity) {
			r->crm_id = crm[i].id;
			r->crm_name = crm[i].name;
			r->similarity = s;
		}
	}
	if (equal == 1)
		r->how = PARTNER_NAME;
	r->ambiguous = equal > 1;
	free(key);
}

/*
 * By domain, when the name did not decide: the one CRM partner whose
 * website has the ref's domain. Two partners on one domain (or a free
 * mail domain, which normalization already dropped) decide nothing.
 */
static void
by_domain(const struct partner_entry *crm, size_t n, const char *domain,
    struct partner_resolution *r)
{
	const struct partner_entry *hit = NULL;
	size_t i, equal = 0;

	if (domain == NULL || *domain == '\0' || r->how != PARTNER_UNRESOLVED)
		return;
	for (i = 0; i < n; i++)
		if (crm[i].domain && strcmp(crm[i].domain, domain) == 0 &&
		    equal++ == 0)
			hit = &crm[i];
	if (equal != 1)
		return;
	r->how = PARTNER_DOMAIN;
	r->crm_id = hit->id;
	r->crm_name = hit->name;
	r->similarity = 1.0;
	r->ambiguous = 0;
}

void
partner_ids_resolve(const struct config *cfg, const struct partner_entry *crm,
    size_t ncrm, const struct partner_ref *refs, size_t nrefs,
    struct partner_resolution *out)
{
	char **keys = xcalloc(ncrm + 1, sizeof(*keys));
	size_t i, j;

	for (i = 0; i < ncrm; i++)
		if (crm[i].name && norm_name_key(crm[i].name, &keys[i]) < 0)
			keys[i] = NULL;
	for (i = 0; i < nrefs; i++) {
		struct partner_resolution *r = &out[i];
		const struct partner_entry *e;

		memset(r, 0, sizeof(*r));
		r->ref = &refs[i];
		for (j = 0; j < cfg->partners.naliases; j++) {
			const struct config_alias *al = &cfg->partners.aliases[j];

			if (strcmp(al->source, refs[i].source) == 0 &&
			    strcmp(al->id, refs[i].id) == 0)
				break;
		}
		if (j < cfg->partners.naliases) {
			e = crm_by_id(crm, ncrm, cfg->partners.aliases[j].crm_id);
			r->how = PARTNER_ALIAS;
			r->crm_id = cfg->partners.aliases[j].crm_id;
			r->crm_name = e ? e->name : NULL;
			r->similarity = 1.0;
			continue;
		}
		by_name(crm, keys, ncrm, refs[i].name, r);
		by_domain(crm, ncrm, refs[i].domain, r);
	}
	for (i = 0; i < ncrm; i++)
		free(keys[i]);
	free(keys);
}
