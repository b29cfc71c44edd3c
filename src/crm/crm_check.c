/*
 * crm_check.c - the org checked against the configuration (see
 * crm_check.h).
 */
#include "crm/crm_check.h"
#include "crm/crm_fields.h"
#include "lib/json.h"
#include "lib/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
problem(const struct config *cfg, struct crm_check *c,
    const struct crm_field *f, int blocks, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
problem(const struct config *cfg, struct crm_check *c,
    const struct crm_field *f, int blocks, const char *fmt, ...)
{
	struct crm_problem *p;
	va_list ap;

	xgrow(&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	p = &c->v[c->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->config, sizeof(p->config), "%s", f->config);
	snprintf(p->sobject, sizeof(p->sobject), "%s", f->sobject);
	snprintf(p->field, sizeof(p->field), "%s", f->field);
	p->blocks = blocks;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	config_position(cfg, f->config, &p->line, &p->col);
}

static const struct jval *
describe_field(const struct jval *desc, const char *name)
{
	const struct jval *fs = jv_lookup(desc, "/fields");
	size_t i;

	for (i = 0; i < jv_array_len(fs); i++) {
		const struct jval *x = jv_array_at(fs, i);
		const char *n = jv_object_str(x, "name");

		if (n && strcasecmp(n, name) == 0)
			return x;
	}
	return NULL;
}

/* A describe flag (a JSON boolean) is true. */
static int
flag(const struct jval *x, const char *name)
{
	const struct jval *v = jv_get(x, name);
	char *s = v ? jv_dump_canonical(v) : NULL;
	int r = s && strcmp(s, "true") == 0;

	free(s);
	return r;
}

/* Does Salesforce type t hold kind k? */
static int
holds(int k, const char *t)
{
	static const char *const text[] = { "string", "textarea", "picklist",
		"url", "email", "phone", "combobox", "encryptedstring", NULL };
	static const char *const num[] = { "double", "currency", "percent",
		"int", "long", NULL };
	const char *const *l;

	switch (k) {
	case CRMK_TEXT:
	case CRMK_PICKLIST:
		l = text;
		break;
	case CRMK_NUMBER:
		l = num;
		break;
	case CRMK_DATETIME:
		return strcmp(t, "datetime") == 0;
	case CRMK_REFERENCE:
		return strcmp(t, "reference") == 0;
	default:
		return 1;
	}
	for (; *l; l++)
		if (strcmp(*l, t) == 0)
			return 1;
	return 0;
}

static int
refers_to(const struct jval *x, const char *obj)
{
	const struct jval *r = jv_get(x, "referenceTo");
	size_t i;

	for (i = 0; i < jv_array_len(r); i++) {
		char *s = jv_dump_canonical(jv_array_at(r, i));
		char want[100];
		int ok;

		snprintf(want, sizeof(want), "\"%s\"", obj);
		ok = s && strcasecmp(s, want) == 0;
		free(s);
		if (ok)
			return 1;
	}
	return 0;
}

static int
has_value(const struct jval *x, const char *v)
{
	const struct jval *pv = jv_get(x, "picklistValues");
	size_t i;

	for (i = 0; i < jv_array_len(pv); i++) {
		const char *s = jv_object_str(jv_array_at(pv, i), "value");

		if (s && strcmp(s, v) == 0)
			return 1;
	}
	return 0;
}

static void
check_field(const struct config *cfg, struct crm_check *c,
    const struct crm_field *f, const struct jval *desc, const char *user)
{
	const struct jval *x = describe_field(desc, f->field);
	const char *t;
	int writes = f->access & (CRM_CREATE | CRM_UPDATE);
	size_t i;

	c->fields++;
	if (x == NULL) {
		problem(cfg, c, f, 1, "%s.%s does not exist, or %s cannot read it "
		    "(field-level security)%s", f->sobject, f->field, user,
		    writes ? "; chansync writes it" : "; the object cannot be read "
		    "without it");
		return;
	}
	t = jv_object_str(x, "type") ? jv_object_str(x, "type") : "?";
	if (!holds(f->kind, t))
		problem(cfg, c, f, 1, "%s.%s is a %s field; chansync %s a %s",
		    f->sobject, f->field, t, writes ? "writes" : "reads",
		    crm_kind_name(f->kind));
	if (f->kind == CRMK_REFERENCE && f->reference[0] && strcmp(t,
	    "reference") == 0 && !refers_to(x, f->reference))
		problem(cfg, c, f, 1, "%s.%s does not look up %s", f->sobject,
		    f->field, f->reference);
	if (f->length && (f->kind == CRMK_TEXT || f->kind == CRMK_PICKLIST) &&
	    strcmp(t, "picklist") != 0) {
		const struct jval *l = jv_get(x, "length");
		double n = l ? jv_number_value(l) : 0;

		if (n > 0 && n < (double)f->length)
			problem(cfg, c, f, 1, "%s.%s holds %.0f characters; chansync "
			    "sends up to %zu", f->sobject, f->field, n, f->length);
	}
	if ((f->access & CRM_CREATE) && !flag(x, "createable"))
		problem(cfg, c, f, 1, "%s cannot set %s.%s on a new record "
		    "(createable is false: field-level security or a read-only "
		    "field)", user, f->sobject, f->field);
	if ((f->access & CRM_UPDATE) && !flag(x, "updateable"))
		problem(cfg, c, f, 1, "%s cannot update %s.%s (updateable is "
		    "false: field-level security or a read-only field)", user,
		    f->sobject, f->field);
	if (f->external_id && !flag(x, "externalId") && strcasecmp(f->field,
	    "Id") != 0)
		problem(cfg, c, f, 1, "%s.%s is not an external id; chansync "
		    "upserts by it", f->sobject, f->field);
	/* a restricted picklist refuses a value it lacks; an open one takes
	 * it, but the record shows a value the list does not offer */
	for (i = 0; i < f->nvalues && strcmp(t, "picklist") == 0; i++)
		if (!has_value(x, f->values[i]))
			problem(cfg, c, f, flag(x, "restrictedPicklist"), "the "
			    "picklist %s.%s has no value '%s', which chansync writes%s",
			    f->sobject, f->field, f->values[i], flag(x,
			    "restrictedPicklist") ? "" : " (it is not restricted: "
			    "the value is kept, but add it to the list)");
}

const char *
crm_check_user(const struct config *cfg, struct sf *sf)
{
	if (cfg->crm.auth.username)
		return cfg->crm.auth.username;
	return sf_username(sf) ? sf_username(sf) : "the integration user";
}

int
crm_check_run(const struct config *cfg, struct sf *sf, struct crm_check *out,
    struct sf_error *e)
{
	struct crm_field *f;
	size_t n, i, j;
	int rc = 0;

	memset(out, 0, sizeof(out[0]));
	if (sf_username(sf) == NULL && sf_login(sf, e) != SF_OK)
		return -1;
	f = crm_fields_of(cfg, &n);
	for (i = 0; i < n && rc == 0; i++) {
		struct jval *desc = NULL;
		char *path;

		for (j = 0; j < i; j++)
			if (strcasecmp(f[j].sobject, f[i].sobject) == 0)
				break;
		if (j < i)
			continue;	/* described with the first of its fields */
		path = xasprintf("/sobjects/%s/describe", f[i].sobject);
		switch (sf_request(sf, "GET", path, NULL, NULL, &desc, e)) {
		case SF_OK:
			out->objects++;
			for (j = i; j < n; j++)
				if (strcasecmp(f[j].sobject, f[i].sobject) == 0)
					check_field(cfg, out, &f[j], desc,
					    crm_check_user(cfg, sf));
			break;
		case SF_EREQUEST:
			/* 404 NOT_FOUND: no such object, or not visible */
			problem(cfg, out, &f[i], 1, "the object %s does not exist, "
			    "or %s cannot see it (%s)", f[i].sobject,
			    crm_check_user(cfg, sf), e->code[0] ?
			    e->code : e->message);
			break;
		default:
			rc = -1;
		}
		jv_free(desc);
		free(path);
	}
	free(f);
	if (rc < 0)
		crm_check_free(out);
	return rc;
}

void
crm_check_free(struct crm_check *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

char *
crm_problem_format(const struct config *cfg, const struct crm_problem *p)
{
	if (p->line > 0)
		return xasprintf("%s:%d:%d: %s: %s", cfg->path, p->line, p->col,
		    p->config, p->text);
	return xasprintf("%s: %s: %s", cfg->path ? cfg->path : "-", p->config,
	    p->text);
}
