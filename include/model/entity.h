/*
 * entity.h - the canonical entities of contract §4 (five, and the CRM's
 * users who own them) and the record that
 * carries one of them from a source to the store.
 *
 * Everything downstream of the sources sees only these. Field names here
 * are the names users write in the configuration's `fields:` maps and the
 * column names of the store's tables.
 */
#ifndef CHANSYNC_ENTITY_H
#define CHANSYNC_ENTITY_H

#include <stddef.h>

enum entity_kind {
	ENTITY_PARTNERS,
	ENTITY_OPPORTUNITIES,
	ENTITY_REGISTRATIONS,
	ENTITY_PLANS,
	ENTITY_ACTIVITIES,
	ENTITY_USERS,		/* the CRM's users: who owns partners and deals */
	ENTITY_COUNT,
};

/* How a field's raw text is read and normalized. */
enum field_type {
	FT_ID,		/* identifier, trimmed, no control characters */
	FT_NAME,	/* display text: trimmed, whitespace collapsed, <= 255 */
	FT_TEXT,	/* free text <= 1024 */
	FT_DOMAIN,	/* website or e-mail -> lower-case host */
	FT_COUNTRY,	/* ISO 3166-1 alpha-2 */
	FT_MONEY,	/* decimal amount, "12,500.00" accepted */
	FT_CURRENCY,	/* ISO 4217 */
	FT_STATUS,	/* through the source's status_map */
	FT_TIME,	/* ISO 8601 / epoch -> UTC "YYYY-MM-DDTHH:MM:SSZ" */
	FT_DATE,	/* -> "YYYY-MM-DD" */
	FT_BOOL,
	FT_PERCENT,	/* 0..100 */
	FT_NUMBER,
	FT_PERIOD,	/* "2026-Q4", "2026-11", "2026" */
};

struct entity_field {
	const char *name;
	enum field_type type;
	int required;		/* a record without it is quarantined */
};

#define ENTITY_MAX_FIELDS 20

struct entity_def {
	const char *name;	/* config name: "registrations" */
	const char *singular;	/* "registration" */
	const struct entity_field *fields;
	size_t nfields;
	int key_field;		/* index of the field that identifies a record */
};

const struct entity_def *entity_def(enum entity_kind kind);
/* Returns the kind for a config name, or -1. */
int entity_parse(const char *name);
/* Returns the index of field name in kind, or -1. */
int entity_field_index(enum entity_kind kind, const char *name);

/* The registration statuses of contract §4. */
extern const char *const entity_statuses[];	/* NULL-terminated */
int entity_status_valid(const char *s);

/* One canonical record, normalized, ready for the store. */
struct arena;

struct record {
	enum entity_kind kind;
	const char *source;		/* borrowed: source name */
	char *key;			/* registrations/activities: "source:external_id" */
	char *val[ENTITY_MAX_FIELDS];	/* normalized text; NULL = null */
	double num[ENTITY_MAX_FIELDS];	/* value of numeric fields */
	double amount_base;		/* amount in the base currency */
	int has_amount_base;
	char *origin;			/* "file.csv:12" or "page 3 #17" */
	struct arena *arena;		/* owns the strings, when not NULL */
};

void record_init(struct record *r, enum entity_kind kind, const char *source);
/* Frees the values (unless an arena owns them), leaves r reusable. */
void record_clear(struct record *r);


#endif
