/*
 * crm_objects.h - what the CRM reader asks Salesforce for
 * (crm_objects.c): each configured object with its SELECT list and its
 * fields mapped to the canonical entity, and the SOQL of a window read.
 * Private to src/crm/.
 */
#ifndef CHANSYNC_CRM_OBJECTS_H
#define CHANSYNC_CRM_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "crm/salesforce.h"
#include "model/entity.h"

/*
 * Salesforce refuses a URI past 16,384 bytes (414) and a URI and headers
 * together past the same (431): 1 KB is left for the headers we send.
 */
#define URI_MAX 15360

/* One object to read. */
struct crm_object {
	char key[64];			/* "opportunities", "activities[0]" */
	const char *sobject;
	const char *where;
	struct config_source src;	/* name "crm"; fields as JSON pointers */
	char **sf_fields;		/* what SELECT lists */
	size_t nsf_fields;
};

/* The objects cfg asks for (crm.objects, defaults filled in): a new
 * array of *n; crm_object_free each, then free it. */
struct crm_object *crm_objects_of(const struct config *cfg, size_t *n);
void crm_object_init(struct crm_object *o, const char *key,
    enum entity_kind entity, const struct config_object *co,
    const char *kind);
void crm_object_free(struct crm_object *o);
/* o's SELECT list in chunks that keep every window query's URI under
 * URI_MAX (each with Id and SystemModstamp): a new array of *nchunks. */
char **crm_field_chunks(struct sf *sf, const struct crm_object *o, int64_t lo,
    int64_t hi, size_t *nchunks);
void crm_free_chunks(char **c, size_t n);

#endif
