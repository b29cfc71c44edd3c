/*
 * entity.c - the canonical field tables.
 */
#include "model/entity.h"
#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

static const struct entity_field partner_fields[] = {
	{ "id", FT_ID, 1 },
	{ "name", FT_NAME, 1 },
	{ "domain", FT_DOMAIN, 0 },
	{ "country", FT_COUNTRY, 0 },
	{ "tier", FT_NAME, 0 },
	{ "owner_id", FT_ID, 0 },	/* partners.owner_field: the channel manager */
	{ "updated_at", FT_TIME, 0 },
	{ "deleted", FT_BOOL, 0 },
};

static const struct entity_field opportunity_fields[] = {
	{ "id", FT_ID, 1 },
	{ "name", FT_NAME, 0 },
	{ "account_id", FT_ID, 0 },
	{ "customer_name", FT_NAME, 0 },
	{ "customer_domain", FT_DOMAIN, 0 },
	{ "customer_country", FT_COUNTRY, 0 },
	{ "partner_id", FT_ID, 0 },
	{ "amount", FT_MONEY, 0 },
	{ "currency", FT_CURRENCY, 0 },
	{ "stage", FT_NAME, 0 },
	{ "probability", FT_PERCENT, 0 },
	{ "close_date", FT_DATE, 0 },
	{ "created_at", FT_TIME, 0 },
	{ "is_closed", FT_BOOL, 0 },
	{ "is_won", FT_BOOL, 0 },
	{ "owner_id", FT_ID, 0 },	/* the account team's owner */
	{ "campaign_id", FT_ID, 0 },	/* the campaign it came from (MDF ROI) */
	{ "updated_at", FT_TIME, 0 },
	{ "deleted", FT_BOOL, 0 },
};

static const struct entity_field registration_fields[] = {
	{ "external_id", FT_ID, 1 },
	{ "partner_id", FT_ID, 1 },
	{ "partner_name", FT_NAME, 0 },	/* as the source names the partner */
	{ "partner_domain", FT_DOMAIN, 0 },	/* the partner's website or e-mail */
	{ "customer_name", FT_NAME, 1 },
	{ "customer_domain", FT_DOMAIN, 0 },
	{ "customer_country", FT_COUNTRY, 0 },
	{ "product", FT_NAME, 0 },
	{ "amount", FT_MONEY, 0 },
	{ "currency", FT_CURRENCY, 0 },
	{ "status", FT_STATUS, 1 },
	{ "registered_at", FT_TIME, 1 },
	{ "decided_at", FT_TIME, 0 },
	{ "expires_at", FT_TIME, 0 },
	{ "updated_at", FT_TIME, 0 },
	{ "opportunity_id", FT_ID, 0 },
	{ "deleted", FT_BOOL, 0 },
};

static const struct entity_field plan_fields[] = {
	{ "partner_id", FT_ID, 1 },
	{ "period", FT_PERIOD, 1 },
	{ "target", FT_MONEY, 1 },
	{ "currency", FT_CURRENCY, 0 },
	{ "updated_at", FT_TIME, 0 },
};

static const struct entity_field activity_fields[] = {
	{ "external_id", FT_ID, 0 },
	{ "partner_id", FT_ID, 1 },
	{ "kind", FT_ID, 1 },
	{ "occurred_at", FT_TIME, 1 },
	{ "value", FT_NUMBER, 0 },
	{ "status", FT_NAME, 0 },
	{ "request_id", FT_ID, 0 },	/* an MDF claim: the fund request */
	{ "campaign_id", FT_ID, 0 },	/* an MDF request: the campaign funded */
	{ "updated_at", FT_TIME, 0 },
	{ "deleted", FT_BOOL, 0 },
};

static const struct entity_field user_fields[] = {
	{ "id", FT_ID, 1 },
	{ "name", FT_NAME, 0 },
	{ "email", FT_TEXT, 0 },
	{ "is_active", FT_BOOL, 0 },	/* users are deactivated, never deleted */
	{ "updated_at", FT_TIME, 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct entity_def defs[ENTITY_COUNT] = {
	{ "partners", "partner", partner_fields, N(partner_fields), 0 },
	{ "opportunities", "opportunity", opportunity_fields,
	  N(opportunity_fields), 0 },
	{ "registrations", "registration", registration_fields,
	  N(registration_fields), 0 },
	{ "plans", "plan", plan_fields, N(plan_fields), 0 },
	{ "activities", "activity", activity_fields, N(activity_fields), 0 },
	{ "users", "user", user_fields, N(user_fields), 0 },
};

const char *const entity_statuses[] = { "pending", "approved", "rejected",
	"expired", "won", "lost", NULL };

const struct entity_def *
entity_def(enum entity_kind kind)
{
	return &defs[kind];
}

int
entity_parse(const char *name)
{
	int i;

	for (i = 0; i < ENTITY_COUNT; i++)
		if (strcmp(defs[i].name, name) == 0)
			return i;
	return -1;
}

int
entity_field_index(enum entity_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < defs[kind].nfields; i++)
		if (strcmp(defs[kind].fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
entity_status_valid(const char *s)
{
	int i;

	for (i = 0; entity_statuses[i]; i++)
		if (strcmp(entity_statuses[i], s) == 0)
			return 1;
	return 0;
}

void
record_init(struct record *r, enum entity_kind kind, const char *source)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->source = source;
}

void
record_clear(struct record *r)
{
	size_t i;

	for (i = 0; i < ENTITY_MAX_FIELDS; i++) {
		if (r->arena == NULL)
			free(r->val[i]);
		r->val[i] = NULL;
		r->num[i] = 0;
	}
	if (r->arena == NULL) {
		free(r->key);
		free(r->origin);
	}
	r->key = NULL;
	r->origin = NULL;
	r->has_amount_base = 0;
	r->amount_base = 0;
}
