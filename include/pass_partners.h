/*
 * pass_partners.h - the partner ids of every source resolved to CRM
 * partners for one pass (pass_partners.c): the store's partners and
 * unknown ids in, partner_ids_resolve over them, a lookup by source and
 * id for the conflict feed and the alerts.
 */
#ifndef CHANSYNC_PASS_PARTNERS_H
#define CHANSYNC_PASS_PARTNERS_H

#include "lib/mem.h"
#include "lib/strmap.h"
#include "rules/partner_ids.h"
#include "store/store.h"

struct partner_map {
	struct arena a;
	struct partner_entry *crm;
	size_t ncrm;
	struct partner_ref *refs;
	size_t nrefs;
	struct partner_resolution *res;		/* one per ref */
	struct strmap by_ref;			/* "source|id" -> index + 1 */
};

/* Reads and resolves; 0, or -1 (store_errmsg says why). Before any CRM
 * partner is read, no id is judged: the map is empty. */
int partner_map_load(struct partner_map *m, struct store *st,
    const struct config *cfg);
/* The resolution of a source's partner id; NULL: the id is a CRM
 * partner's (or nobody's the store knows). */
const struct partner_resolution *partner_map_get(const struct partner_map *m,
    const char *source, size_t source_len, const char *id);
void partner_map_free(struct partner_map *m);

#endif
