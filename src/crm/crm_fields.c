/*
 * crm_fields.c - the fields the configuration reads and writes (see
 * crm_fields.h). What the write-back sends is writeback.c's: the lengths
 * here are the lengths it cuts to.
 */
#include "crm/crm_fields.h"
#include "crm_objects.h"
#include "lib/control_socket.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TEXT_LONG 32000		/* writeback.c's TEXT_MAX */

static const char *const severities[] = { "info", "warning", "critical",
	NULL };
static const char *const record_statuses[] = { "Open", "Resolved", "Closed",
	NULL };
static const char *const conflict_types[] = { "partner_conflict",
	"double_approval", "direct_conflict", "duplicate", NULL };

const char *
crm_kind_name(int kind)
{
	static const char *const names[] = { "any", "text", "number",
		"datetime", "reference", "picklist" };

	return kind >= 0 && kind <= CRMK_PICKLIST ? names[kind] : "?";
}

struct list {
	struct crm_field *v;
	size_t n, cap;
};

/* The entry of sobject.field, made when new; the needs merge. */
static struct crm_field *
need(struct list *l, const char *sobject, const char *field, int access,
    int kind, size_t length, const char *config)
{
	struct crm_field *f;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].sobject, sobject) == 0 &&
		    strcasecmp(l->v[i].field, field) == 0)
			break;
	if (i == l->n) {
		xgrow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		f = &l->v[l->n++];
		memset(f, 0, sizeof(*f));
		snprintf(f->sobject, sizeof(f->sobject), "%s", sobject);
		snprintf(f->field, sizeof(f->field), "%s", field);
		snprintf(f->config, sizeof(f->config), "%s", config);
	} else
		f = &l->v[i];
	f->access |= access;
	if (kind != CRMK_ANY && (f->kind == CRMK_ANY || kind == CRMK_PICKLIST))
		f->kind = kind;
	if (length > f->length)
		f->length = length;
	if (access & (CRM_CREATE | CRM_UPDATE))
		snprintf(f->config, sizeof(f->config), "%s", config);	/* the write's */
	return f;
}

static void
values(struct crm_field *f, const char *const *v)
{
	size_t len = 0;

	for (; *v && f->nvalues < CRM_FIELD_VALUES; v++) {
		f->values[f->nvalues++] = *v;
		if (strlen(*v) > len)
			len = strlen(*v);
	}
	if (len > f->length)
		f->length = len;
}

static void
reference(struct crm_field *f, const char *to)
{
	snprintf(f->reference, sizeof(f->reference), "%s", to);
}

/* What the reader selects: each mapped field, by the key that maps it. */
static void
reads(const struct config *cfg, struct list *l)
{
	struct crm_object *objs;
	size_t n, i, j;

	objs = crm_objects_of(cfg, &n);
	for (i = 0; i < n; i++) {
		const struct crm_object *o = &objs[i];
		char base[96];

		if (strncmp(o->key, "activities/", 11) == 0) {
			for (j = 0; j < cfg->crm.objects.nactivities; j++)
				if (strcmp(cfg->crm.objects.activities[j].sobject,
				    o->key + 11) == 0)
					break;
			snprintf(base, sizeof(base), "crm.objects.activities[%zu]", j);
		} else
			snprintf(base, sizeof(base), "crm.objects.%s", o->key);
		for (j = 0; j < o->src.nfields; j++) {
			const struct config_field *f = &o->src.fields[j];
			char path[160], *sf;

			if (f->src == NULL || f->src[0] != '/' ||
			    strchr(f->src + 1, '/'))
				continue;	/* a constant, or a parent's field */
			sf = f->src + 1;
			snprintf(path, sizeof(path), "%s.fields.%s", base, f->canon);
			need(l, o->sobject, sf, CRM_READ, CRMK_ANY, 0, path);
		}
		need(l, o->sobject, "Id", CRM_READ, CRMK_ANY, 0, base);
		need(l, o->sobject, "SystemModstamp", CRM_READ, CRMK_DATETIME, 0,
		    base);
		crm_object_free(&objs[i]);
	}
	free(objs);
}

static const char *
kv(const struct config_kv *v, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].key, key) == 0)
			return v[i].value;
	return NULL;
}

static void
partner_writes(const struct config *cfg, struct list *l)
{
	static const struct {
		const char *key;
		int kind;
	} fields[] = {
		{ "score", CRMK_NUMBER }, { "tier", CRMK_TEXT },
		{ "plan_attainment", CRMK_NUMBER },
		{ "pipeline_coverage", CRMK_NUMBER },
		{ "risk_adjusted_coverage", CRMK_NUMBER },
		{ "scored_at", CRMK_DATETIME },
	};
	const char *so = cfg->crm.writeback.partner.sobject ?
	    cfg->crm.writeback.partner.sobject : "Account";
	size_t i, j, tier = 0;

	for (j = 0; j < cfg->scoring.ntiers; j++)
		if (strlen(cfg->scoring.tiers[j].name) > tier)
			tier = strlen(cfg->scoring.tiers[j].name);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *f = kv(cfg->crm.writeback.partner.fields,
		    cfg->crm.writeback.partner.nfields, fields[i].key);
		char path[160];

		if (f == NULL)
			continue;
		snprintf(path, sizeof(path), "crm.writeback.partner.fields.%s",
		    fields[i].key);
		need(l, so, f, CRM_UPDATE, fields[i].kind, fields[i].kind ==
		    CRMK_TEXT ? tier : 0, path);
	}
}

/* Channel_Alert__c, Deal_Conflict__c: upserted by their external id. */
static void
record_writes(const struct config *cfg, struct list *l)
{
	const int cu = CRM_CREATE | CRM_UPDATE;
	const char *a = cfg->crm.writeback.alerts.sobject;
	const char *c = cfg->crm.writeback.conflicts.sobject;
	const char *pa = "crm.writeback.alerts", *pc = "crm.writeback.conflicts";
	struct crm_field *f;

	if (a && cfg->crm.writeback.alerts.external_id) {
		f = need(l, a, cfg->crm.writeback.alerts.external_id, cu,
		    CRMK_TEXT, 255, pa);
		f->external_id = 1;
		need(l, a, "Name", cu, CRMK_TEXT, 80, pa);
		reference(need(l, a, "OwnerId", cu, CRMK_REFERENCE, 0, pa), "User");
		reference(need(l, a, "Partner__c", cu, CRMK_REFERENCE, 0, pa),
		    "Account");
		values(need(l, a, "Type__c", cu, CRMK_PICKLIST, 0, pa),
		    config_alert_types);
		values(need(l, a, "Severity__c", cu, CRMK_PICKLIST, 0, pa),
		    severities);
		values(need(l, a, "Status__c", cu, CRMK_PICKLIST, 0, pa),
		    record_statuses);
		need(l, a, "Message__c", cu, CRMK_TEXT, TEXT_LONG, pa);
		need(l, a, "Evidence__c", cu, CRMK_TEXT, TEXT_LONG, pa);
		need(l, a, "First_Seen__c", cu, CRMK_DATETIME, 0, pa);
		need(l, a, "Last_Seen__c", cu, CRMK_DATETIME, 0, pa);
	}
	if (c && cfg->crm.writeback.conflicts.external_id) {
		f = need(l, c, cfg->crm.writeback.conflicts.external_id, cu,
		    CRMK_TEXT, 255, pc);
		f->external_id = 1;
		need(l, c, "Name", cu, CRMK_TEXT, 80, pc);
		reference(need(l, c, "OwnerId", cu, CRMK_REFERENCE, 0, pc), "User");
		values(need(l, c, "Type__c", cu, CRMK_PICKLIST, 0, pc),
		    conflict_types);
		values(need(l, c, "Status__c", cu, CRMK_PICKLIST, 0, pc),
		    record_statuses);
		need(l, c, "Customer__c", cu, CRMK_TEXT, 255, pc);
		need(l, c, "Recommended_Winner__c", cu, CRMK_TEXT, 255, pc);
		need(l, c, "Recommendation__c", cu, CRMK_TEXT, TEXT_LONG, pc);
		need(l, c, "Evidence__c", cu, CRMK_TEXT, TEXT_LONG, pc);
		need(l, c, "Evidence_Text__c", cu, CRMK_TEXT, TEXT_LONG, pc);
		reference(need(l, c, "Winning_Partner__c", cu, CRMK_REFERENCE, 0,
		    pc), "Account");
		reference(need(l, c, "Winning_Lead__c", cu, CRMK_REFERENCE, 0, pc),
		    "Lead");
		reference(need(l, c, "Winning_Opportunity__c", cu, CRMK_REFERENCE, 0,
		    pc), "Opportunity");
	}
}

/* An operator's decision on the CRM's own registrations (contract §7). */
static void
decision_writes(const struct config *cfg, struct list *l)
{
	const struct config_object *o = &cfg->crm.objects.registrations;
	const char *status = "Status";
	struct crm_field *f;
	size_t i;

	if (!o->present || !o->sobject || !o->decision.present)
		return;
	for (i = 0; i < o->nfields; i++)
		if (strcmp(o->fields[i].canon, "status") == 0 && o->fields[i].src)
			status = o->fields[i].src;
	f = need(l, o->sobject, status, CRM_UPDATE, CRMK_PICKLIST, 0,
	    "crm.objects.registrations.decision");
	if (o->decision.approved && f->nvalues < CRM_FIELD_VALUES)
		f->values[f->nvalues++] = o->decision.approved;
	if (o->decision.rejected && f->nvalues < CRM_FIELD_VALUES)
		f->values[f->nvalues++] = o->decision.rejected;
	if (o->decision.reason_field)
		need(l, o->sobject, o->decision.reason_field, CRM_UPDATE, CRMK_TEXT,
		    CONTROL_REASON_MAX, "crm.objects.registrations.decision."
		    "reason_field");
}

struct crm_field *
crm_fields_of(const struct config *cfg, size_t *n)
{
	struct list l;

	memset(&l, 0, sizeof(l));
	if (cfg->crm.present) {
		reads(cfg, &l);
		partner_writes(cfg, &l);
		record_writes(cfg, &l);
		decision_writes(cfg, &l);
	}
	*n = l.n;
	if (l.v == NULL)
		l.v = xcalloc(1, sizeof(*l.v));
	return l.v;
}
