/*
 * crm_objects.c - what the CRM reader asks Salesforce for: the standard
 * objects' default field maps, each configured object's SELECT list and
 * status map, and the SOQL of a window read (see crm_objects.h).
 */
#include "crm/crm_reader.h"
#include "crm_objects.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* canonical field <- Salesforce field, for the standard objects */
struct default_map {
	const char *sobject;
	enum entity_kind entity;
	const char *canon, *field;
};

static const struct default_map defaults[] = {
	{ "Account", ENTITY_PARTNERS, "id", "Id" },
	{ "Account", ENTITY_PARTNERS, "name", "Name" },
	{ "Account", ENTITY_PARTNERS, "domain", "Website" },
	{ "Account", ENTITY_PARTNERS, "country", "BillingCountry" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "id", "Id" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "name", "Name" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "account_id", "AccountId" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "customer_name", "Account.Name" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "customer_domain", "Account.Website" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "customer_country",
	  "Account.BillingCountry" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "partner_id", "PartnerAccountId" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "amount", "Amount" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "stage", "StageName" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "probability", "Probability" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "close_date", "CloseDate" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "created_at", "CreatedDate" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "is_closed", "IsClosed" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "is_won", "IsWon" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "owner_id", "OwnerId" },
	{ "Opportunity", ENTITY_OPPORTUNITIES, "campaign_id", "CampaignId" },
	{ "Lead", ENTITY_REGISTRATIONS, "external_id", "Id" },
	{ "Lead", ENTITY_REGISTRATIONS, "partner_id", "PartnerAccountId" },
	{ "Lead", ENTITY_REGISTRATIONS, "customer_name", "Company" },
	{ "Lead", ENTITY_REGISTRATIONS, "customer_domain", "Website" },
	{ "Lead", ENTITY_REGISTRATIONS, "customer_country", "Country" },
	{ "Lead", ENTITY_REGISTRATIONS, "status", "Status" },
	{ "Lead", ENTITY_REGISTRATIONS, "registered_at", "CreatedDate" },
	{ "User", ENTITY_USERS, "name", "Name" },
	{ "User", ENTITY_USERS, "email", "Email" },
	{ "User", ENTITY_USERS, "is_active", "IsActive" },
	{ "PartnerFundClaim", ENTITY_ACTIVITIES, "external_id", "Id" },
	{ "PartnerFundClaim", ENTITY_ACTIVITIES, "partner_id", "ChannelPartnerId" },
	{ "PartnerFundClaim", ENTITY_ACTIVITIES, "occurred_at", "CreatedDate" },
	{ "PartnerFundClaim", ENTITY_ACTIVITIES, "value", "Amount" },
	{ "PartnerFundClaim", ENTITY_ACTIVITIES, "status", "Status" },
	{ "PartnerFundClaim", ENTITY_ACTIVITIES, "request_id", "RequestId" },
	{ "PartnerFundRequest", ENTITY_ACTIVITIES, "external_id", "Id" },
	{ "PartnerFundRequest", ENTITY_ACTIVITIES, "partner_id",
	  "ChannelPartnerId" },
	{ "PartnerFundRequest", ENTITY_ACTIVITIES, "occurred_at", "CreatedDate" },
	{ "PartnerFundRequest", ENTITY_ACTIVITIES, "value", "RequestedAmount" },
	{ "PartnerFundRequest", ENTITY_ACTIVITIES, "status", "Status" },
	{ "PartnerFundRequest", ENTITY_ACTIVITIES, "campaign_id", "CampaignId" },
};

/* for every object: the identity and the change stamp */
static const struct {
	enum entity_kind entity;
	const char *canon, *field;
} generic[] = {
	{ ENTITY_PARTNERS, "id", "Id" },
	{ ENTITY_OPPORTUNITIES, "id", "Id" },
	{ ENTITY_REGISTRATIONS, "external_id", "Id" },
	{ ENTITY_REGISTRATIONS, "registered_at", "CreatedDate" },
	{ ENTITY_ACTIVITIES, "external_id", "Id" },
	{ ENTITY_ACTIVITIES, "occurred_at", "CreatedDate" },
	{ ENTITY_USERS, "id", "Id" },
};

/* Lead statuses as Salesforce ships them, when the user maps none */
static const struct config_kv lead_statuses[] = {
	{ (char *)"Submitted", (char *)"pending" },
	{ (char *)"Open - Not Contacted", (char *)"pending" },
	{ (char *)"Working - Contacted", (char *)"pending" },
	{ (char *)"Approved", (char *)"approved" },
	{ (char *)"Rejected", (char *)"rejected" },
	{ (char *)"Expired", (char *)"expired" },
	{ (char *)"Closed - Converted", (char *)"won" },
	{ (char *)"Closed - Not Converted", (char *)"lost" },
};

/* One object to read, with a source description record_map() accepts. */

static void
add_field(struct crm_object *o, const char *canon, const char *sf_path)
{
	struct config_field *f;
	char *ptr, *p;
	size_t i, cap;

	for (i = 0; i < o->src.nfields; i++)
		if (strcmp(o->src.fields[i].canon, canon) == 0)
			return;		/* the user's mapping came first */
	cap = o->src.nfields;
	xgrow(&o->src.fields, &cap, o->src.nfields + 1, sizeof(*o->src.fields));
	f = &o->src.fields[o->src.nfields++];
	memset(f, 0, sizeof(*f));
	f->canon = xstrdup(canon);
	f->index = entity_field_index(o->src.entity, canon);
	if (sf_path[0] == '=') {	/* a constant (an activity's kind) */
		f->src = xstrdup(sf_path);
		return;
	}
	ptr = xasprintf("/%s", sf_path);
	for (p = ptr; *p; p++)
		if (*p == '.')
			*p = '/';
	f->src = ptr;
	for (i = 0; i < o->nsf_fields; i++)
		if (strcasecmp(o->sf_fields[i], sf_path) == 0)
			return;
	o->sf_fields = xrealloc(o->sf_fields, (o->nsf_fields + 1) * sizeof(char *));
	o->sf_fields[o->nsf_fields++] = xstrdup(sf_path);
}

static void
add_select(struct crm_object *o, const char *sf_path)
{
	size_t i;

	for (i = 0; i < o->nsf_fields; i++)
		if (strcasecmp(o->sf_fields[i], sf_path) == 0)
			return;
	o->sf_fields = xrealloc(o->sf_fields, (o->nsf_fields + 1) * sizeof(char *));
	o->sf_fields[o->nsf_fields++] = xstrdup(sf_path);
}

void
crm_object_free(struct crm_object *o)
{
	size_t i;

	for (i = 0; i < o->src.nfields; i++) {
		free(o->src.fields[i].canon);
		free(o->src.fields[i].src);
	}
	free(o->src.fields);
	for (i = 0; i < o->nsf_fields; i++)
		free(o->sf_fields[i]);
	free(o->sf_fields);
}

void
crm_object_init(struct crm_object *o, const char *key, enum entity_kind entity,
    const struct config_object *co, const char *kind)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	snprintf(o->key, sizeof(o->key), "%s", key);
	o->sobject = co->sobject;
	o->where = co->where;
	o->src.name = (char *)"crm";
	o->src.kind = -1;
	o->src.entity = entity;
	o->src.time_format = TIME_ISO8601;
	if (co->nstatus_map) {
		o->src.status_map = co->status_map;
		o->src.nstatus_map = co->nstatus_map;
	} else if (entity == ENTITY_REGISTRATIONS && strcmp(co->sobject, "Lead") == 0) {
		o->src.status_map = (struct config_kv *)lead_statuses;
		o->src.nstatus_map = sizeof(lead_statuses) / sizeof(lead_statuses[0]);
	}
	/* the user's fields first, then the standard object's, then generic */
	for (i = 0; i < co->nfields; i++)
		add_field(o, co->fields[i].canon, co->fields[i].src);
	if (kind) {
		char *k = xasprintf("=%s", kind);

		add_field(o, "kind", k);
		free(k);
	}
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (defaults[i].entity == entity &&
		    strcmp(defaults[i].sobject, co->sobject) == 0)
			add_field(o, defaults[i].canon, defaults[i].field);
	for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		if (generic[i].entity == entity)
			add_field(o, generic[i].canon, generic[i].field);
	if (entity_field_index(entity, "updated_at") >= 0)
		add_field(o, "updated_at", "SystemModstamp");
	if (entity_field_index(entity, "deleted") >= 0)
		add_field(o, "deleted", "IsDeleted");
	add_select(o, "SystemModstamp");
	add_select(o, "Id");
}

/* The objects of this configuration, in reading order. */
struct crm_object *
crm_objects_of(const struct config *cfg, size_t *n)
{
	const struct config_object *co[] = { &cfg->crm.objects.users,
		&cfg->crm.objects.partners, &cfg->crm.objects.opportunities,
		&cfg->crm.objects.registrations, &cfg->crm.objects.plans };
	static const char *const keys[] = { "users", "partners",
		"opportunities", "registrations", "plans" };
	static const enum entity_kind kinds[] = { ENTITY_USERS, ENTITY_PARTNERS,
		ENTITY_OPPORTUNITIES, ENTITY_REGISTRATIONS, ENTITY_PLANS };
	struct crm_object *v = xcalloc(5 + cfg->crm.objects.nactivities, sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; i < 5; i++) {
		if (!co[i]->present || !co[i]->sobject)
			continue;
		crm_object_init(&v[*n], keys[i], kinds[i], co[i], NULL);
		/* the partner's owner: partners.owner_field (a User lookup) */
		if (kinds[i] == ENTITY_PARTNERS)
			add_field(&v[*n], "owner_id", cfg->partners.owner_field ?
			    cfg->partners.owner_field : "OwnerId");
		(*n)++;
	}
	for (i = 0; i < cfg->crm.objects.nactivities; i++) {
		char key[64];

		snprintf(key, sizeof(key), "activities/%s",
		    cfg->crm.objects.activities[i].sobject);
		crm_object_init(&v[(*n)++], key, ENTITY_ACTIVITIES,
		    &cfg->crm.objects.activities[i], cfg->crm.objects.activities[i].kind);
	}
	return v;
}

char *
crm_window_soql(const char *fields, const char *sobject, const char *where,
    int64_t lo, int64_t hi)
{
	char los[21], his[21];

	sf_soql_datetime(lo, los);
	sf_soql_datetime(hi, his);
	return xasprintf("SELECT %s FROM %s WHERE %s%s%sSystemModstamp >= %s AND "
	    "SystemModstamp < %s ORDER BY SystemModstamp, Id", fields, sobject,
	    where ? "(" : "", where ? where : "", where ? ") AND " : "", los, his);
}

/* Field lists in chunks that keep every query's URI under the limit. */
char **
crm_field_chunks(struct sf *sf, const struct crm_object *o, int64_t lo, int64_t hi,
    size_t *nchunks)
{
	char **chunks = NULL;
	size_t cap = 0, i = 0;

	*nchunks = 0;
	while (i < o->nsf_fields) {
		struct buf b;
		size_t first = i;

		buf_init(&b, 0);
		/* every chunk carries Id and SystemModstamp to line rows up */
		buf_addstr(&b, "Id, SystemModstamp");
		for (; i < o->nsf_fields; i++) {
			size_t before = b.len;
			char *q;

			if (strcmp(o->sf_fields[i], "Id") == 0 ||
			    strcmp(o->sf_fields[i], "SystemModstamp") == 0)
				continue;
			buf_addf(&b, ", %s", o->sf_fields[i]);
			q = crm_window_soql(buf_str(&b), o->sobject, o->where, lo, hi);
			if (sf_query_url_length(sf, q, 1) > URI_MAX && i > first) {
				b.len = before;
				b.data[before] = '\0';
				free(q);
				break;
			}
			free(q);
		}
		xgrow(&chunks, &cap, *nchunks + 1, sizeof(*chunks));
		chunks[(*nchunks)++] = buf_steal(&b);
	}
	if (*nchunks == 0) {
		xgrow(&chunks, &cap, 1, sizeof(*chunks));
		chunks[(*nchunks)++] = xstrdup("Id, SystemModstamp");
	}
	return chunks;
}

void
crm_free_chunks(char **c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i]);
	free(c);
}
