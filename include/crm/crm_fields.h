/*
 * crm_fields.h - every Salesforce field this configuration reads or
 * writes, with what it needs of it: read, create or update; a type that
 * can hold what is sent; a length that holds the longest text sent; the
 * picklist values written; the external id an upsert matches on; and the
 * configuration key it comes from.
 *
 * One list serves the Salesforce setup (chansyncctl crm fields, checked
 * against the metadata package under salesforce/) and the check of an
 * org against it.
 */
#ifndef CHANSYNC_CRM_FIELDS_H
#define CHANSYNC_CRM_FIELDS_H

#include <stddef.h>

#include "config/config.h"

enum crm_access { CRM_READ = 1, CRM_CREATE = 2, CRM_UPDATE = 4 };

enum crm_kind {
	CRMK_ANY,		/* read as text, whatever it is */
	CRMK_TEXT,		/* string, textarea, picklist, url, email */
	CRMK_NUMBER,		/* double, currency, percent, int */
	CRMK_DATETIME,
	CRMK_REFERENCE,		/* a lookup (reference) */
	CRMK_PICKLIST,		/* a value of a list we write */
};

#define CRM_FIELD_VALUES 16

struct crm_field {
	char sobject[80];
	char field[80];
	int access;			/* enum crm_access bits */
	int kind;			/* enum crm_kind */
	size_t length;			/* text: the longest value sent */
	char reference[80];		/* CRMK_REFERENCE: the object */
	int external_id;		/* the upsert's external id */
	const char *values[CRM_FIELD_VALUES];	/* picklist values written */
	size_t nvalues;
	char config[160];		/* the key it comes from */
};

/*
 * The fields cfg reads and writes, one entry per object and field (the
 * needs of several uses merged). A new array of *n; free it.
 */
struct crm_field *crm_fields_of(const struct config *cfg, size_t *n);
const char *crm_kind_name(int kind);

#endif
