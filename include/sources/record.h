/*
 * record.h - mapping one raw source record into a canonical record.
 *
 * A source knows how to fetch a raw value for a configured field (a CSV
 * column, a JSON pointer); this module does the rest for every source
 * alike: normalization by field type, the status map, required fields,
 * the record key, and conversion of amounts to the base currency. A
 * record that cannot be read is reported with the field and the reason,
 * for the quarantine.
 */
#ifndef CHANSYNC_RECORD_H
#define CHANSYNC_RECORD_H

#include <stddef.h>

#include "config/config.h"
#include "model/entity.h"
#include "lib/mem.h"

/*
 * Fetches the raw text of field f. Returns 1 with a new string in *ret
 * (NULL for an explicit null), 0 when the record has no such field, or
 * -1 with a reason in err. The string is allocated from a, or with
 * malloc when a is NULL.
 */
typedef int (*record_get_fn)(void *ctx, const struct config_field *f,
    struct arena *a, char **ret, char *err, size_t errlen);

struct record_problem {
	char field[64];		/* canonical field name, "" for the record */
	char reason[512];
	char record_id[128];	/* external id / id when it could be read */
};

/*
 * Maps one record of source src (entity src->entity, fields src->fields)
 * into r (initialised by the caller; its strings come from r->arena when
 * it has one). Returns 0, or -1 with why filled.
 */
int record_map(const struct config *cfg, const struct config_source *src,
    record_get_fn get, void *ctx, struct record *r, struct record_problem *why);

#endif
