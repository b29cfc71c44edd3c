/*
 * writeback.c - diff-only, crash-safe writes to the CRM (see writeback.h).
 */
#include "crm/writeback.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/strmap.h"
#include "lib/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 200
#define TEXT_MAX 32000		/* a long text area holds 32,768 */


/* One record as the CRM should hold it. */
struct field {
	char *name;		/* the CRM's field */
	char *value;		/* canonical JSON of the value */
	int volatile_;		/* sent along, never a reason to send */
};

struct desired {
	const char *object;	/* sObject */
	const char *ext;	/* external id field, NULL: update by Id */
	char *record;		/* the Id, or the external id's value */
	struct field *f;
	size_t n, cap;
};

struct plan {
	struct desired *v;
	size_t n, cap;
};

static struct desired *
want(struct plan *p, const char *object, const char *ext, const char *record)
{
	struct desired *d;

	xgrow(&p->v, &p->cap, p->n + 1, sizeof(*p->v));
	d = &p->v[p->n++];
	memset(d, 0, sizeof(*d));
	d->object = object;
	d->ext = ext;
	d->record = xstrdup(record);
	return d;
}

static void
put(struct desired *d, const char *name, struct jval *v, int volatile_)
{
	xgrow(&d->f, &d->cap, d->n + 1, sizeof(*d->f));
	d->f[d->n].name = xstrdup(name);
	d->f[d->n].value = jv_dump_canonical(v);
	d->f[d->n].volatile_ = volatile_;
	d->n++;
	jv_free(v);
}

/*
 * Text for a CRM field of max characters (as Salesforce counts them):
 * valid UTF-8, cut after a whole character. Text that a spreadsheet
 * would read as a formula (a leading =, +, -, @, tab or CR: a report
 * exported from the CRM opens in one) gets a leading apostrophe, as
 * OWASP's CSV-injection guidance says; a customer's name is data.
 */
static struct jval *
text(const char *s, size_t max)
{
	char *cut, *safe = NULL;
	struct jval *v;

	if (s == NULL)
		return jv_null();
	if (*s && strchr("=+-@\t\r", *s))
		s = safe = xasprintf("'%s", s);
	cut = utf8_cut(s, max);
	v = jv_str(cut);
	free(cut);
	free(safe);
	return v;
}

static struct jval *
number(const char *s, double scale, int decimals)
{
	char b[64];

	if (s == NULL)
		return jv_null();
	snprintf(b, sizeof(b), "%.*f", decimals, strtod(s, NULL) * scale);
	return jv_real(strtod(b, NULL));
}

static void
plan_free(struct plan *p)
{
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		for (j = 0; j < p->v[i].n; j++) {
			free(p->v[i].f[j].name);
			free(p->v[i].f[j].value);
		}
		free(p->v[i].f);
		free(p->v[i].record);
	}
	free(p->v);
}

/* ---- what the CRM should hold ---- */

struct build {
	const struct config *cfg;
	struct plan *p;
	char latest[32];
	struct strmap crm_partners;	/* the Accounts the CRM has */
	struct strmap leads;		/* a decided CRM registration -> its
					 * index + 1 in p */
};

static int
crm_partner_row(void *arg, const struct store_row *r)
{
	struct build *b = arg;
	const char *id = store_col(r, "id");

	if (id)
		strmap_put(&b->crm_partners, id, strlen(id), NULL);
	return 0;
}

static int
latest_period(void *arg, const struct store_row *r)
{
	struct build *b = arg;
	const char *p = store_col(r, "period");

	if (p && strcmp(p, b->latest) > 0)
		snprintf(b->latest, sizeof(b->latest), "%s", p);
	return 0;
}

static const char *
partner_field(const struct config *cfg, const char *what)
{
	size_t i;

	for (i = 0; i < cfg->crm.writeback.partner.nfields; i++)
		if (strcmp(cfg->crm.writeback.partner.fields[i].key, what) == 0)
			return cfg->crm.writeback.partner.fields[i].value;
	return NULL;
}

static int
partner_row(void *arg, const struct store_row *r)
{
	struct build *b = arg;
	const struct config *cfg = b->cfg;
	const char *id = store_col(r, "partner_id"), *f;
	struct desired *d;

	if (id == NULL)
		return 0;
	d = want(b->p, cfg->crm.writeback.partner.sobject ?
	    cfg->crm.writeback.partner.sobject : "Account", NULL, id);
	if ((f = partner_field(cfg, "score")))
		put(d, f, number(store_col(r, "score"), 1, 1), 0);
	if ((f = partner_field(cfg, "tier")))
		put(d, f, text(store_col(r, "tier"), 255), 0);
	/* attainment as a percentage, coverage as a ratio */
	if ((f = partner_field(cfg, "plan_attainment")))
		put(d, f, number(store_col(r, "attainment"), 100, 1), 0);
	if ((f = partner_field(cfg, "pipeline_coverage")))
		put(d, f, number(store_col(r, "coverage"), 1, 2), 0);
	if ((f = partner_field(cfg, "risk_adjusted_coverage")))
		put(d, f, number(store_col(r, "risk_coverage"), 1, 2), 0);
	if ((f = partner_field(cfg, "scored_at")))
		put(d, f, text(store_col(r, "computed_at"), 64), 1);
	return 0;
}

static const char *
open_or(const char *status)
{
	if (status == NULL)
		return "Open";
	if (strcmp(status, "open") == 0)
		return "Open";
	if (strcmp(status, "closed") == 0)
		return "Closed";
	return "Resolved";
}

static int
alert_row(void *arg, const struct store_row *r)
{
	struct build *b = arg;
	const struct config *cfg = b->cfg;
	const char *key = store_col(r, "key");
	const char *partner = store_col(r, "partner_id");
	struct desired *d;

	if (key == NULL)
		return 0;
	d = want(b->p, cfg->crm.writeback.alerts.sobject,
	    cfg->crm.writeback.alerts.external_id, key);
	put(d, "Name", text(key, 80), 0);
	/* a lookup only to an Account the CRM has: another source's partner
	 * id would make Salesforce refuse the whole record */
	put(d, "Partner__c", partner && strmap_get(&b->crm_partners, partner,
	    strlen(partner)) ? jv_str(partner) : jv_null(), 0);
	put(d, "Type__c", text(store_col(r, "type"), 255), 0);
	put(d, "Severity__c", text(store_col(r, "severity"), 255), 0);
	put(d, "Status__c", jv_str(open_or(store_col(r, "status"))), 0);
	put(d, "Message__c", text(store_col(r, "message"), TEXT_MAX), 0);
	put(d, "Evidence__c", text(store_col(r, "evidence"), TEXT_MAX), 0);
	/* routed to the partner's owner; without an active one the record
	 * keeps the owner it has */
	if (store_col(r, "crm_owner"))
		put(d, "OwnerId", jv_str(store_col(r, "crm_owner")), 0);
	put(d, "First_Seen__c", text(store_col(r, "first_seen"), 64), 0);
	put(d, "Last_Seen__c", text(store_col(r, "last_seen"), 64), 1);
	return 0;
}

/* The evidence of a conflict as a person reads it in the CRM: the
 * customer, each member with its verdict, the ruling. */
static char *
evidence_text(const char *evidence, const char *winner, const char *reason)
{
	struct jval *ev;
	const struct jval *m;
	struct buf b;
	char err[64], *out;
	size_t i;

	if (evidence == NULL || (ev = jv_parse(evidence, strlen(evidence), err,
	    sizeof(err))) == NULL)
		return NULL;
	buf_init(&b, 0);
	m = jv_lookup(ev, "/members");
	buf_addf(&b, "%s.", jv_object_str(ev, "rule") ? jv_object_str(ev,
	    "rule") : "conflict");
	if (jv_object_str(ev, "product_line"))
		buf_addf(&b, " Product line: %s.", jv_object_str(ev,
		    "product_line"));
	buf_addf(&b, "\nClaims, with chansync's ruling:\n");
	for (i = 0; i < jv_array_len(m); i++) {
		const struct jval *x = jv_array_at(m, i);
		const char *pn = jv_object_str(x, "partner_name");
		const char *pid = jv_object_str(x, "partner_id");
		const char *st = jv_object_str(x, "status");

		buf_addf(&b, "- %s: %s, %s, %s%s%s; %s\n", jv_object_str(x, "key"),
		    pn ? pn : pid ? pid : "the direct team", jv_object_str(x,
		    "customer_name") ? jv_object_str(x, "customer_name") : "",
		    st ? st : jv_object_str(x, "stage") ? jv_object_str(x, "stage") :
		    "", jv_object_str(x, "registered_at") ? ", registered " : "",
		    jv_object_str(x, "registered_at") ? jv_object_str(x,
		    "registered_at") : "", jv_object_str(x, "verdict") ?
		    jv_object_str(x, "verdict") : "");
	}
	buf_addf(&b, "Winner: %s. %s", winner ? winner : "none yet",
	    reason ? reason : "");
	out = buf_steal(&b);
	buf_free(&b);
	jv_free(ev);
	return out;
}

static int
conflict_row(void *arg, const struct store_row *r)
{
	struct build *b = arg;
	const struct config *cfg = b->cfg;
	const char *key = store_col(r, "key"), *w;
	struct desired *d;
	char *et;

	if (key == NULL)
		return 0;
	d = want(b->p, cfg->crm.writeback.conflicts.sobject,
	    cfg->crm.writeback.conflicts.external_id, key);
	put(d, "Name", text(store_col(r, "customer") ? store_col(r, "customer") :
	    key, 80), 0);
	put(d, "Type__c", text(store_col(r, "type"), 255), 0);
	put(d, "Status__c", jv_str(open_or(store_col(r, "status"))), 0);
	put(d, "Customer__c", text(store_col(r, "customer"), 255), 0);
	put(d, "Recommended_Winner__c", text(store_col(r, "winner"), 255), 0);
	put(d, "Recommendation__c", text(store_col(r, "reason"), TEXT_MAX), 0);
	put(d, "Evidence__c", text(store_col(r, "evidence"), TEXT_MAX), 0);
	/* lookups: the winning partner's Account when the CRM has it, the
	 * winning Lead or Opportunity when it is the CRM's */
	if ((w = store_col(r, "winner_partner")) != NULL &&
	    strmap_get(&b->crm_partners, w, strlen(w)))
		put(d, "Winning_Partner__c", jv_str(w), 0);
	else
		put(d, "Winning_Partner__c", jv_null(), 0);
	w = store_col(r, "winner");
	put(d, "Winning_Lead__c", w && strncmp(w, "crm:", 4) == 0 ? jv_str(w + 4) :
	    jv_null(), 0);
	put(d, "Winning_Opportunity__c", w && strncmp(w, "opportunity:", 12) == 0 ?
	    jv_str(w + 12) : jv_null(), 0);
	if (store_col(r, "crm_owner"))
		put(d, "OwnerId", jv_str(store_col(r, "crm_owner")), 0);
	et = evidence_text(store_col(r, "evidence"), w, store_col(r, "reason"));
	put(d, "Evidence_Text__c", text(et, TEXT_MAX), 0);
	free(et);
	return 0;
}

/* The Lead field that holds a registration's status: the mapped one,
 * else Status. */
static const char *
status_field(const struct config_object *o)
{
	size_t i;

	for (i = 0; i < o->nfields; i++)
		if (strcmp(o->fields[i].canon, "status") == 0 && o->fields[i].src)
			return o->fields[i].src;
	return "Status";
}

/*
 * An operator's decision on the CRM's own registrations (members
 * "crm:LEADID"): the winner's Lead to the approved status, the others'
 * to the rejected one with the reason. Decisions come oldest first; a
 * later one on the same Lead replaces what an earlier one wanted.
 */
static int
decision_row(void *arg, const struct store_row *r)
{
	struct build *b = arg;
	const struct config_object *o = &b->cfg->crm.objects.registrations;
	const char *winner = store_col(r, "winner"), *reason = store_col(r,
	    "reason"), *members = store_col(r, "members");
	char *list, *m, *save = NULL;

	if (winner == NULL || members == NULL)
		return 0;
	list = xstrdup(members);
	for (m = strtok_r(list, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
		struct desired *d;
		uint32_t *ix;
		int created, won = strcmp(m, winner) == 0;
		size_t j;

		if (strncmp(m, "crm:", 4) != 0 || m[4] == '\0')
			continue;
		ix = strmap_put(&b->leads, m, strlen(m), &created);
		if (created) {
			d = want(b->p, o->sobject ? o->sobject : "Lead", NULL, m + 4);
			*ix = (uint32_t)b->p->n;
		} else {
			d = &b->p->v[*ix - 1];
			for (j = 0; j < d->n; j++) {
				free(d->f[j].name);
				free(d->f[j].value);
			}
			d->n = 0;
		}
		put(d, status_field(o), jv_str(won ? o->decision.approved :
		    o->decision.rejected), 0);
		if (o->decision.reason_field)
			put(d, o->decision.reason_field, won ? jv_null() :
			    text(reason, 255), 0);
	}
	free(list);
	return 0;
}

static int
build(const struct config *cfg, struct store *st, struct plan *p, char *err,
    size_t errlen)
{
	struct build b;

	memset(&b, 0, sizeof(b));
	b.cfg = cfg;
	b.p = p;
	if (store_crm_partner_ids(st, crm_partner_row, &b) < 0)
		goto fail;
	if (cfg->crm.writeback.partner.present &&
	    cfg->crm.writeback.partner.nfields) {
		if (store_partner_periods(st, NULL, NULL, latest_period, &b) < 0 ||
		    (b.latest[0] && store_writeback_partners(st, b.latest,
		    partner_row, &b) < 0))
			goto fail;
	}
	if (cfg->crm.writeback.alerts.present && cfg->crm.writeback.alerts.sobject &&
	    cfg->crm.writeback.alerts.external_id &&
	    store_list_alert_rows(st, alert_row, &b) < 0)
		goto fail;
	if (cfg->crm.writeback.conflicts.present &&
	    cfg->crm.writeback.conflicts.sobject &&
	    cfg->crm.writeback.conflicts.external_id &&
	    store_conflict_rows(st, conflict_row, &b) < 0)
		goto fail;
	if (cfg->crm.objects.registrations.present &&
	    cfg->crm.objects.registrations.decision.present &&
	    store_decisions_all(st, decision_row, &b) < 0)
		goto fail;
	strmap_free(&b.crm_partners);
	strmap_free(&b.leads);
	return 0;
fail:
	snprintf(err, errlen, "reading: %s", store_errmsg(st));
	strmap_free(&b.crm_partners);
	strmap_free(&b.leads);
	return -1;
}

/* ---- the difference ---- */

struct acks {
	struct strmap index;		/* "record\tfield" -> value index + 1 */
	char **values;
	size_t n, cap;
};

static int
ack_row(void *arg, const struct store_row *r)
{
	struct acks *a = arg;
	const char *rec = store_col(r, "record"), *f = store_col(r, "field"),
	    *v = store_col(r, "value");
	char *k;

	if (rec == NULL || f == NULL)
		return 0;
	k = xasprintf("%s\t%s", rec, f);
	xgrow(&a->values, &a->cap, a->n + 1, sizeof(char *));
	a->values[a->n] = v ? xstrdup(v) : NULL;
	*strmap_put(&a->index, k, strlen(k), NULL) = (uint32_t)++a->n;
	free(k);
	return 0;
}

static void
acks_free(struct acks *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->values[i]);
	free(a->values);
	strmap_free(&a->index);
	memset(a, 0, sizeof(*a));
}

/* The acknowledged value of a field; *known 0 when never acknowledged. */
static const char *
acked(const struct acks *a, const char *record, const char *field, int *known)
{
	char *k = xasprintf("%s\t%s", record, field);
	uint32_t *ix = strmap_get(&a->index, k, strlen(k));

	free(k);
	*known = ix != NULL;
	return ix ? a->values[*ix - 1] : NULL;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* The fields to send for d: every differing one, and then the volatile. */
static struct jval *
changes(const struct desired *d, const struct acks *a, struct jval **old)
{
	struct jval *out = jv_object(), *was = jv_object();
	size_t i;
	int any = 0, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < d->n; i++) {
			const struct field *f = &d->f[i];
			int known;
			const char *v = acked(a, d->record, f->name, &known);
			char err[64];

			if (pass == 0 && (f->volatile_ || (known && same(v, f->value))))
				continue;
			if (pass == 1 && (!any || !f->volatile_ ||
			    (known && same(v, f->value))))
				continue;
			if (pass == 0)
				any = 1;
			jv_set(out, f->name, jv_parse_value(f->value, strlen(f->value),
			    err, sizeof(err)));
			jv_set(was, f->name, v ? jv_parse_value(v, strlen(v), err,
			    sizeof(err)) : jv_null());
		}
	if (!any) {
		jv_free(out);
		jv_free(was);
		*old = NULL;
		return NULL;
	}
	*old = was;
	return out;
}

/* ---- sending ---- */

struct queued {
	int64_t id;
	char *object, *record, *fields;
};

struct queue {
	struct queued *v;
	size_t n, cap;
};

static int
queue_row(void *arg, const struct store_row *r)
{
	struct queue *q = arg;
	struct queued *x;

	xgrow(&q->v, &q->cap, q->n + 1, sizeof(*q->v));
	x = &q->v[q->n++];
	x->id = strtoll(store_col(r, "id"), NULL, 10);
	x->object = xstrdup(store_col(r, "object"));
	x->record = xstrdup(store_col(r, "record"));
	x->fields = xstrdup(store_col(r, "fields"));
	return 0;
}

static void
queue_free(struct queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		free(q->v[i].object);
		free(q->v[i].record);
		free(q->v[i].fields);
	}
	free(q->v);
}

/* The external id field of an object we upsert, NULL for updates by Id. */
static const char *
ext_of(const struct config *cfg, const char *object)
{
	if (cfg->crm.writeback.alerts.sobject &&
	    strcmp(object, cfg->crm.writeback.alerts.sobject) == 0)
		return cfg->crm.writeback.alerts.external_id;
	if (cfg->crm.writeback.conflicts.sobject &&
	    strcmp(object, cfg->crm.writeback.conflicts.sobject) == 0)
		return cfg->crm.writeback.conflicts.external_id;
	return NULL;
}

/* What the CRM held before a write: the acknowledged value of each field
 * the write sends, null where nothing was ever acknowledged. */
struct was {
	struct jval *fields;	/* the write */
	struct jval *old;
};

static int
was_row(void *arg, const struct store_row *r)
{
	struct was *w = arg;
	const char *f = store_col(r, "field"), *v = store_col(r, "value");
	char err[64];

	if (f && v && jv_get(w->fields, f))
		jv_set(w->old, f, jv_parse_value(v, strlen(v), err, sizeof(err)));
	return 0;
}

static struct jval *
old_values(struct store *st, const char *object, const char *record,
    struct jval *fields)
{
	struct was w;
	void *it;

	w.fields = fields;
	w.old = jv_object();
	for (it = jv_iter(fields); it; it = jv_iter_next(fields, it))
		jv_set(w.old, jv_iter_key(it), jv_null());
	if (store_ack_get(st, object, record, was_row, &w) < 0) {
		jv_free(w.old);
		return NULL;
	}
	return w.old;
}

/*
 * Sends queued writes of one object, BATCH at a time. Each record's
 * acknowledgement and its removal from the outbox commit together.
 */
/* One batch's records as sObject Collections wants them. */
static struct jval *
batch_records(const char *object, const char *ext, const struct queued *v,
    size_t k)
{
	struct jval *recs = jv_array();
	char err[128];
	size_t i;

	for (i = 0; i < k; i++) {
		struct jval *o = jv_parse(v[i].fields, strlen(v[i].fields), err,
		    sizeof(err));
		struct jval *attr = jv_object();

		if (o == NULL)
			o = jv_object();
		jv_set_str(attr, "type", object);
		jv_set(o, "attributes", attr);
		jv_set_str(o, ext ? ext : "Id", v[i].record);
		jv_append(recs, o);
	}
	return recs;
}

/* Why the CRM refused one record, for people: its code, message, fields
 * and, for a duplicate rule, what decides that. */
static void
refusal_text(const struct config *cfg, const struct sf_write_result *w,
    char *msg, size_t len)
{
	snprintf(msg, len, "%s: %s%s%s", w && w->status_code ? w->status_code :
	    "NO_RESULT", w && w->message ? w->message : "the CRM returned no "
	    "result for this record", w && w->fields ? " (fields: " : "",
	    w && w->fields ? w->fields : "");
	if (w && w->fields)
		strncat(msg, ")", len - strlen(msg) - 1);
	if (w && w->status_code && strcmp(w->status_code,
	    "DUPLICATES_DETECTED") == 0)
		strncat(msg, cfg->crm.writeback.duplicate_rule_allow_save ?
		    " [a blocking duplicate rule refuses it even with "
		    "allowSave; change the rule in Salesforce]" :
		    " [an alerting duplicate rule refused it; set "
		    "crm.writeback.duplicate_rule_allow_save: true to "
		    "save anyway]", len - strlen(msg) - 1);
}

/* Where one object's results are kept. */
struct keeping {
	const struct config *cfg;
	struct store *st;
	struct audit *au;
	int64_t cycle_id;
	const char *object;
	char now[CLOCK_ISO_LEN];
	struct writeback_result *res;
};

/* Every field of a write the CRM took is what it now holds. */
static int
acknowledge(struct keeping *kp, const struct queued *q)
{
	char err[128];
	struct jval *f = jv_parse(q->fields, strlen(q->fields), err, sizeof(err));
	void *it;
	int rc = 0;

	for (it = f ? jv_iter(f) : NULL; it && rc == 0; it = jv_iter_next(f, it)) {
		char *val = jv_dump_canonical(jv_iter_value(it));

		rc = store_ack_put(kp->st, kp->object, q->record, jv_iter_key(it),
		    val, kp->now);
		free(val);
	}
	jv_free(f);
	return rc == 0 ? store_outbox_done(kp->st, q->id, NULL) : -1;
}

/* One record's result (w: NULL when the CRM gave none) stored and
 * audited, old -> new. Returns 0 or -1 (the database). */
static int
keep_result(struct keeping *kp, const struct queued *q,
    const struct sf_write_result *w)
{
	struct jval *fields, *old, *d = jv_object();
	char err[128], msg[512];
	int rc;

	fields = jv_parse(q->fields, strlen(q->fields), err, sizeof(err));
	if (fields == NULL)
		fields = jv_object();
	jv_set_str(d, "object", kp->object);
	jv_set_str(d, "record", q->record);
	/* old -> new: old is what the CRM last acknowledged */
	if ((old = old_values(kp->st, kp->object, q->record, fields)) == NULL) {
		jv_free(fields);
		jv_free(d);
		return -1;
	}
	jv_set(d, "old", old);
	jv_set(d, "new", fields);
	if (w && w->success) {
		jv_set_str(d, "result", w->created == 1 ? "created" : "updated");
		jv_set_str(d, "id", w->id);
		kp->res->acknowledged++;
		if (acknowledge(kp, q) < 0) {
			jv_free(d);
			return -1;
		}
		return audit_log(kp->au, kp->cycle_id, "crm.write", "crm", q->record,
		    d);
	}
	refusal_text(kp->cfg, w, msg, sizeof(msg));
	jv_set_str(d, "result", "failed");
	jv_set_str(d, "error", msg);
	kp->res->failed++;
	log_warning("write-back of %s %s failed: %s; retrying next cycle",
	    kp->object, q->record, msg);
	if ((rc = store_outbox_done(kp->st, q->id, msg)) < 0) {
		jv_free(d);
		return -1;
	}
	return audit_log(kp->au, kp->cycle_id, "crm.write_failed", "crm",
	    q->record, d);
}

/* A request that failed whole: every record of it stays queued. */
static void
request_failed(struct keeping *kp, const struct queued *v, size_t k,
    enum sf_result r, const struct sf_error *e)
{
	size_t i;

	snprintf(kp->res->error, sizeof(kp->res->error), "%.64s: %.400s",
	    kp->object, e->message);
	if (r == SF_EAUTH || r == SF_EBUDGET || r == SF_ESTOPPED)
		kp->res->stopped_by_crm = 1;
	if (store_begin(kp->st) == 0) {
		for (i = 0; i < k; i++)
			store_outbox_done(kp->st, v[i].id, e->message);
		store_commit(kp->st);
	}
	log_err("write-back to %s failed: %s; retrying next cycle", kp->object,
	    e->message);
}

/* The queued writes v[0..n) of one object, BATCH to a request. */
static int
send_object(const struct config *cfg, struct store *st, struct audit *au,
    struct sf *sf, int64_t cycle_id, struct queued *v, size_t n,
    struct writeback_result *res)
{
	struct keeping kp = { cfg, st, au, cycle_id, v[0].object, "", res };
	const char *ext = ext_of(cfg, kp.object);
	size_t at, i;

	for (at = 0; at < n; at += BATCH) {
		size_t k = n - at < BATCH ? n - at : BATCH, nwr = 0;
		struct jval *recs = batch_records(kp.object, ext, v + at, k);
		struct sf_write_result *wr = NULL;
		struct sf_error e;
		enum sf_result r;
		int rc = 0;

		memset(&e, 0, sizeof(e));
		r = sf_collections(sf, ext ? SF_UPSERT : SF_UPDATE, kp.object, ext,
		    recs, &wr, &nwr, &e);
		res->requests++;
		res->sent += (int64_t)k;
		if (r != SF_OK) {
			request_failed(&kp, v + at, k, r, &e);
			return -1;
		}
		clock_now_iso(kp.now);
		if (store_begin(st) < 0)
			rc = -1;
		for (i = 0; i < k && rc == 0; i++)
			rc = keep_result(&kp, &v[at + i], i < nwr ? &wr[i] : NULL);
		sf_write_results_free(wr, nwr);
		if (rc < 0)
			store_rollback(st);
		if (rc < 0 || store_commit(st) < 0) {
			snprintf(res->error, sizeof(res->error), "database: %s",
			    store_errmsg(st));
			return -1;
		}
	}
	return 0;
}

static int
by_object(const void *a, const void *b)
{
	const struct queued *x = a, *y = b;
	int c = strcmp(x->object, y->object);

	return c ? c : (x->id < y->id ? -1 : x->id > y->id);
}

int
writeback_run(const struct config *cfg, struct store *st, struct audit *au,
    struct sf *sf, int64_t cycle_id, int dry_run, struct writeback_result *res)
{
	struct plan p = { NULL, 0, 0 };
	struct queue q = { NULL, 0, 0 };
	char now[CLOCK_ISO_LEN];
	const char *last_object = NULL;
	struct acks a;
	size_t i, j;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(&a, 0, sizeof(a));
	if (build(cfg, st, &p, res->error, sizeof(res->error)) < 0)
		return -1;
	clock_now_iso(now);
	/* queue what differs (or, dry, audit it) */
	if (!dry_run && store_begin(st) < 0)
		goto db;
	for (i = 0; i < p.n && rc == 0; i++) {
		struct desired *d = &p.v[i];
		struct jval *old, *ch;
		char *text;

		if (last_object == NULL || strcmp(last_object, d->object) != 0) {
			acks_free(&a);
			if (store_acks(st, d->object, ack_row, &a) < 0) {
				rc = -1;
				break;
			}
			last_object = d->object;
		}
		if ((ch = changes(d, &a, &old)) == NULL)
			continue;
		res->planned++;
		text = jv_dump_canonical(ch);
		if (dry_run) {
			struct jval *det = jv_object();

			jv_set_str(det, "object", d->object);
			jv_set_str(det, "record", d->record);
			jv_set(det, "old", old);
			jv_set(det, "new", ch);
			rc = audit_log(au, cycle_id, "writeback.planned", "crm",
			    d->record, det);
		} else {
			rc = store_outbox_put(st, d->object, d->record, text, now);
			jv_free(old);
			jv_free(ch);
		}
		free(text);
	}
	acks_free(&a);
	if (rc < 0) {
		if (!dry_run)
			store_rollback(st);
		goto db;
	}
	if (!dry_run && store_commit(st) < 0)
		goto db;
	if (dry_run) {
		if (res->planned)
			log_notice("dry run: %lld CRM write%s planned, none sent (see "
			    "the audit log, writeback.planned)", (long long)res->planned,
			    res->planned == 1 ? "" : "s");
		plan_free(&p);
		return 0;
	}
	/* send the outbox: this cycle's writes and any left from before */
	if (store_outbox(st, queue_row, &q) < 0)
		goto db;
	if (q.n > 1)
		qsort(q.v, q.n, sizeof(*q.v), by_object);
	for (i = 0; i < q.n && rc == 0 && !res->stopped_by_crm; i = j) {
		for (j = i + 1; j < q.n && strcmp(q.v[j].object, q.v[i].object) == 0; j++)
			;
		if (send_object(cfg, st, au, sf, cycle_id, &q.v[i], j - i, res) < 0 &&
		    strncmp(res->error, "database", 8) == 0)
			rc = -1;
	}
	queue_free(&q);
	plan_free(&p);
	if (res->acknowledged || res->failed)
		log_info("write-back: %lld record%s written, %lld failed",
		    (long long)res->acknowledged, res->acknowledged == 1 ? "" : "s",
		    (long long)res->failed);
	return rc;
db:
	plan_free(&p);
	queue_free(&q);
	if (strncmp(res->error, "database", 8) != 0)
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
	return -1;
}
