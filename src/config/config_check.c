/*
 * config_check.c - the semantic pass over a parsed configuration: what
 * spans keys (a source's kind and the keys it allows, field maps against
 * the entity, flows and their secrets, currencies, tiers), resolving
 * secret references. Adds to the same diagnostics as the table pass.
 */
#include "config_internal.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* keys that belong to one kind of source only */
static const char *const http_only[] = { "url", "ca_file", "since_param",
	"records", "page_limit", "page_retries", "timeout", "retries", "lookback",
	"auth", "pagination", NULL };
static const char *const file_only[] = { "path", "format", "delimiter",
	"max_file_bytes", "settle", NULL };

static const int log_level_prio[] = { LOG_DEBUG, LOG_INFO, LOG_NOTICE,
	LOG_WARNING, LOG_ERR };

/* ---- semantic pass ---- */

static int
valid_source_name(const char *s)
{
	size_t n = 0;

	if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
		return 0;
	for (; *s; s++, n++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		    *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return n <= 64;
}

static int
valid_identifier(const char *s)
{
	/* Salesforce API names: letters, digits, underscores, dots for
	 * relationship paths (Account.Website) */
	if (!isalpha((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
			return 0;
	return 1;
}

/*
 * A where: filter goes into "WHERE (filter) AND SystemModstamp ...": it
 * must stay one condition inside those parentheses. NULL when it does,
 * or what is wrong. Semi-joins ("Id IN (SELECT ...)") are fine: only what
 * stands outside every parenthesis and string is looked at.
 */
static const char *
soql_condition_problem(const char *w)
{
	static const char *const clauses[] = { "ORDER", "LIMIT", "OFFSET",
		"GROUP", "HAVING", "FOR", "ALL", "WITH", "FROM", "SELECT", "USING",
		"TYPEOF", NULL };
	const char *p = w;
	int depth = 0, i;

	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return "contains a control character";
		if (c == '\'') {
			for (p++; *p && *p != '\''; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p == '\0')
				return "has a string literal that is not closed";
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')' && --depth < 0)
			return "closes a parenthesis it did not open";
		else if (c == ';')
			return "contains ';'";
		else if (depth == 0 && isalpha(c) && (p == w ||
		    (!isalnum((unsigned char)p[-1]) && p[-1] != '_' &&
		    p[-1] != '.'))) {
			size_t n = 0;

			while (isalnum((unsigned char)p[n]) || p[n] == '_')
				n++;
			for (i = 0; clauses[i] && p[n] != '.'; i++)
				if (strlen(clauses[i]) == n &&
				    strncasecmp(p, clauses[i], n) == 0)
					return "must be a condition only (no ORDER BY, LIMIT, "
					    "GROUP BY, FROM ... outside a sub-query)";
			p += n - 1;
		}
	}
	if (depth > 0)
		return "opens a parenthesis it does not close";
	return NULL;
}

static void
resolve_secret(struct ctx *x, const char *ref, struct secret **out,
    const char *path)
{
	char err[1024];
	enum secret_error rc;

	if (ref == NULL || (x->flags & CONFIG_SKIP_SECRETS))
		return;
	rc = secret_load(ref, out, err, sizeof(err));
	if (rc != SECRET_OK) {
		cfg_err_path(x, path, "%s", err);
		if (rc == SECRET_EPERM)
			diags_mark_perm(x->d);
	}
}

static void
check_fields(struct ctx *x, struct config_field *f, size_t n,
    enum entity_kind ent, int pointers, int require, const char *path)
{
	const struct entity_def *def = entity_def(ent);
	size_t i, j;

	for (i = 0; i < n; i++) {
		char *p = cfg_join(path, f[i].canon);

		f[i].index = entity_field_index(ent, f[i].canon);
		if (f[i].index < 0) {
			struct buf b;

			buf_init(&b, 0);
			for (j = 0; j < def->nfields; j++)
				buf_addf(&b, "%s%s", j ? ", " : "", def->fields[j].name);
			cfg_err_path(x, p, "'%s' is not a field of %s (fields: %s)",
			    f[i].canon, def->name, buf_str(&b));
			buf_free(&b);
		} else if (f[i].has_format &&
		    def->fields[f[i].index].type != FT_TIME &&
		    def->fields[f[i].index].type != FT_DATE)
			cfg_err_path(x, p, "format: applies to time fields only");
		if (pointers && f[i].src) {
			char *ptr = jv_pointer_normalize(f[i].src);

			if (!jv_pointer_valid(ptr))
				cfg_err_path(x, p, "'%s' is not a JSON pointer (RFC "
				    "6901: ~ must be followed by 0 or 1)", f[i].src);
			free(f[i].src);
			f[i].src = ptr;
		}
		free(p);
	}
	if (!require)
		return;
	for (j = 0; j < def->nfields; j++) {
		if (!def->fields[j].required)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(f[i].canon, def->fields[j].name) == 0)
				break;
		if (i == n)
			cfg_err_path(x, path, "missing the mapping for required field "
			    "'%s' of %s", def->fields[j].name, def->name);
	}
}

static int
in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* An http_json source's credentials: what its auth kind needs, and the
 * secret resolved. */
static void
check_source_auth(struct ctx *x, struct config_source *s,
    const struct ynode *v, const char *path)
{
	const char *need = NULL, *need2 = NULL;
	const char *ref = NULL;
	char *p;

	switch (s->auth.kind) {
	case AUTH_BEARER:
		need = s->auth.token ? NULL : "token";
		ref = s->auth.token;
		break;
	case AUTH_BASIC:
		need = s->auth.username ? NULL : "username";
		need2 = s->auth.password ? NULL : "password";
		ref = s->auth.password;
		break;
	case AUTH_HEADER:
		need = s->auth.name ? NULL : "name";
		need2 = s->auth.value ? NULL : "value";
		ref = s->auth.value;
		break;
	}
	p = cfg_join(path, "auth");
	if (need && ynode_get(v, need, NULL))
		need = NULL;	/* present but refused */
	if (need2 && ynode_get(v, need2, NULL))
		need2 = NULL;
	if (need)
		cfg_err_path(x, p, "missing required key '%s' (auth kind "
		    "%s)", need, cfg_e_auth_kind[s->auth.kind]);
	if (need2)
		cfg_err_path(x, p, "missing required key '%s' (auth kind "
		    "%s)", need2, cfg_e_auth_kind[s->auth.kind]);
	if (ref) {
		char *rp = cfg_join(p, s->auth.kind == AUTH_BEARER ?
		    "token" : s->auth.kind == AUTH_BASIC ?
		    "password" : "value");

		resolve_secret(x, ref, &s->auth.secret, rp);
		free(rp);
		if (s->auth.kind == AUTH_BASIC && s->auth.secret && s->auth.username)
			log_add_basic_auth(s->auth.username, s->auth.secret->value);
	}
	free(p);
}

/* http_json's own keys: a URL, pages of JSON, credentials. */
static void
check_http_json(struct ctx *x, struct config_source *s,
    const struct ynode *node, const char *path)
{
	const struct ynode *v;
	char *p;

	if (ynode_get(node, "url", NULL) == NULL)
		cfg_err_path(x, path, "missing required key 'url' (kind "
		    "http_json)");
	if (s->records && !jv_pointer_valid(s->records)) {
		p = cfg_join(path, "records");
		cfg_err_path(x, p, "'%s' is not a JSON pointer", s->records);
		free(p);
	}
	v = ynode_get(node, "auth", NULL);
	if (v && v->kind == YNODE_MAP)
		check_source_auth(x, s, v, path);
	v = ynode_get(node, "pagination", NULL);
	if (v && v->kind == YNODE_MAP) {
		p = cfg_join(path, "pagination");
		if (s->pagination.kind == PAGE_CURSOR &&
		    (!s->pagination.param || !s->pagination.next))
			cfg_err_path(x, p, "cursor pagination needs 'param' "
			    "(query parameter) and 'next' (JSON pointer "
			    "to the next cursor)");
		if (s->pagination.kind == PAGE_PAGE && !s->pagination.param)
			cfg_err_path(x, p, "page pagination needs 'param' "
			    "(the page number query parameter)");
		if (s->pagination.next &&
		    !jv_pointer_valid(s->pagination.next))
			cfg_err_path(x, p, "'next' must be a JSON pointer");
		free(p);
	}
}

/* file_drop's own keys: a spool folder of CSV or NDJSON files. */
static void
check_file_drop(struct ctx *x, struct config_source *s,
    const struct ynode *node, const char *path)
{
	char *p;

	if (ynode_get(node, "path", NULL) == NULL)
		cfg_err_path(x, path, "missing required key 'path' (kind "
		    "file_drop)");
	if (s->delimiter && strlen(s->delimiter) != 1) {
		p = cfg_join(path, "delimiter");
		cfg_err_path(x, p, "must be a single character");
		free(p);
	}
}

/*
 * The source kinds as the configuration knows them (enum source_kind
 * indexes the table; cfg_e_source_kind holds the names the same way):
 * the keys only that kind takes, its own checks, and whether its fields
 * are JSON pointers.
 */
static const struct {
	const char *const *keys;
	void (*check)(struct ctx *, struct config_source *,
	    const struct ynode *, const char *);
	int json_fields;	/* -1: NDJSON files only */
} source_kinds[] = {
	[SOURCE_HTTP_JSON] = { http_only, check_http_json, 1 },
	[SOURCE_FILE_DROP] = { file_only, check_file_drop, -1 },
};

static void
check_source(struct ctx *x, struct config_source *s, size_t idx)
{
	const struct ynode *node = NULL;
	char path[64], *p;
	size_t i, j, k;
	int json;

	snprintf(path, sizeof(path), "sources[%zu]", idx);
	node = cfg_locate(x->root, path);
	if (s->name && !valid_source_name(s->name)) {
		p = cfg_join(path, "name");
		cfg_err_path(x, p, "'%s' is not a valid source name (lower-case "
		    "letters, digits, '-', '_' or '.', at most 64)", s->name);
		free(p);
	}
	if (s->name && strcmp(s->name, "crm") == 0) {
		p = cfg_join(path, "name");
		cfg_err_path(x, p, "'crm' names the CRM's own watermarks and "
		    "registrations; choose another source name");
		free(p);
	}
	for (i = 0; s->name && i < idx; i++)
		if (x->cfg->sources[i].name &&
		    strcmp(x->cfg->sources[i].name, s->name) == 0) {
			p = cfg_join(path, "name");
			cfg_err_path(x, p, "source name '%s' is already used by "
			    "sources[%zu]", s->name, i);
			free(p);
		}
	if (s->kind < 0 || (size_t)s->kind >= sizeof(source_kinds) /
	    sizeof(source_kinds[0]))
		return;		/* the kind's own error is reported */
	/* keys of the other kinds */
	for (j = 0; node && node->kind == YNODE_MAP && j < node->n; j++)
		for (k = 0; k < sizeof(source_kinds) / sizeof(source_kinds[0]); k++)
			if ((int)k != s->kind && in_list(source_kinds[k].keys,
			    node->keys[j]->str) && !in_list(source_kinds[s->kind].keys,
			    node->keys[j]->str)) {
				p = cfg_join(path, node->keys[j]->str);
				cfg_err_node(x, node->keys[j], p, "'%s' is not used by "
				    "kind %s", node->keys[j]->str,
				    cfg_e_source_kind[s->kind]);
				free(p);
				break;
			}
	source_kinds[s->kind].check(x, s, node, path);
	json = source_kinds[s->kind].json_fields > 0 ||
	    (source_kinds[s->kind].json_fields < 0 && s->format == FORMAT_NDJSON);
	if (s->entity >= 0 && s->fields) {
		p = cfg_join(path, "fields");
		check_fields(x, s->fields, s->nfields, s->entity, json, 1, p);
		free(p);
	}
	if (s->decisions_url && s->kind != SOURCE_HTTP_JSON) {
		p = cfg_join(path, "decisions");
		cfg_err_path(x, p, "decisions: { url } POSTs with the source's "
		    "auth: http_json sources only (a file_drop source takes a "
		    "file's path)");
		free(p);
	}
	if (s->nstatus_map && s->entity != ENTITY_REGISTRATIONS) {
		p = cfg_join(path, "status_map");
		cfg_err_path(x, p, "status_map applies to registrations only");
		free(p);
	}
}

/* An e-mail address as a recipient or sender: local@domain, printable,
 * no spaces or brackets, a dot in the domain. */
static int
valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (at == NULL || at == s || strchr(at + 1, '@') || strlen(s) > 254 ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' ||
	    s[strlen(s) - 1] == '.')
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("<>()[]\\,;:\"", *p))
			return 0;
	return 1;
}

/*
 * The host of an smtp:// or smtps:// URL into host (scheme into tls:
 * 1 for smtps). Returns 0, or -1 when it is no such URL.
 */
static int
smtp_host(const char *url, char *host, size_t len, int *tls)
{
	const char *h, *e;

	if (strncasecmp(url, "smtp://", 7) == 0) {
		*tls = 0;
		h = url + 7;
	} else if (strncasecmp(url, "smtps://", 8) == 0) {
		*tls = 1;
		h = url + 8;
	} else
		return -1;
	if (strchr(h, '@'))
		return -1;		/* credentials go in username/password */
	if (*h == '[') {
		e = strchr(h, ']');
		if (e == NULL)
			return -1;
		e++;
	} else
		e = h + strcspn(h, ":/?#");
	if (e == h || (size_t)(e - h) >= len)
		return -1;
	snprintf(host, len, "%.*s", (int)(e - h), h);
	return 0;
}

/* notify: the digest's hour, the mail server and the webhook, the
 * recipients (contract §15). */
static void
check_notify(struct ctx *x)
{
	struct config *c = x->cfg;
	int hh, mm, n = 0, tls;
	char host[256];
	size_t i;

	if (!c->notify.present)
		return;
	if (c->notify.digest.at && (sscanf(c->notify.digest.at, "%2d:%2d%n",
	    &hh, &mm, &n) != 2 || (size_t)n != strlen(c->notify.digest.at) ||
	    hh < 0 || hh > 23 || mm < 0 || mm > 59))
		cfg_err_path(x, "notify.digest.at", "'%s' is not a time of day "
		    "(HH:MM, 24-hour)", c->notify.digest.at);
	else if (c->notify.digest.at)
		c->notify.digest.minute = hh * 60 + mm;
	if (!c->notify.smtp.present && !c->notify.webhook.present)
		cfg_err_path(x, "notify", "neither smtp nor webhook is configured: "
		    "nothing could be sent");
	if (c->notify.smtp.present) {
		const char *url = c->notify.smtp.url;

		if (url && smtp_host(url, host, sizeof(host), &tls) < 0)
			cfg_err_path(x, "notify.smtp.url", "'%s' is not an smtp:// or "
			    "smtps:// URL with a host (and no credentials: use "
			    "username and password)", url);
		else if (url && !tls && c->notify.smtp.starttls == STARTTLS_NONE &&
		    !http_loopback_host(host))
			cfg_err_path(x, "notify.smtp.url", "plain SMTP (starttls: "
			    "none) is only allowed to a loopback address; use "
			    "starttls: required or smtps://");
		if (c->notify.smtp.from && !valid_email(c->notify.smtp.from))
			cfg_err_path(x, "notify.smtp.from", "'%s' is not an e-mail "
			    "address", c->notify.smtp.from);
		if (c->notify.smtp.username && !c->notify.smtp.password)
			cfg_err_path(x, "notify.smtp", "username needs a password "
			    "(a secret reference)");
		else if (!c->notify.smtp.username && c->notify.smtp.password)
			cfg_err_path(x, "notify.smtp", "password needs a username");
		resolve_secret(x, c->notify.smtp.password,
		    &c->notify.smtp.password_value, "notify.smtp.password");
	}
	if (c->notify.webhook.present) {
		if (c->notify.webhook.url == NULL)
			cfg_err_path(x, "notify.webhook", "missing required key 'url'");
		resolve_secret(x, c->notify.webhook.url,
		    &c->notify.webhook.url_value, "notify.webhook.url");
		if (c->notify.webhook.url_value) {
			const char *why = http_url_problem(
			    c->notify.webhook.url_value->value);

			/* the URL is the secret: say what is wrong, not what it is */
			if (why)
				cfg_err_path(x, "notify.webhook.url", "the URL in %s %s",
				    c->notify.webhook.url, why);
		}
	}
	for (i = 0; i < c->notify.nrecipients; i++) {
		char *p = cfg_join("notify.recipients", c->notify.recipients[i].key);

		if (!valid_email(c->notify.recipients[i].value))
			cfg_err_path(x, p, "'%s' is not an e-mail address",
			    c->notify.recipients[i].value);
		free(p);
	}
}

/* partners.aliases names configured sources (or crm, the CRM's own). */
static void
check_aliases(struct ctx *x)
{
	const struct config *c = x->cfg;
	size_t i, j;

	for (i = 0; i < c->partners.naliases; i++) {
		const char *src = c->partners.aliases[i].source;
		char *p;

		if (i > 0 && strcmp(src, c->partners.aliases[i - 1].source) == 0)
			continue;	/* reported once per source */
		for (j = 0; j < c->nsources; j++)
			if (c->sources[j].name && strcmp(c->sources[j].name, src) == 0)
				break;
		if (j < c->nsources || strcmp(src, "crm") == 0)
			continue;
		p = cfg_join("partners.aliases", src);
		cfg_err_path(x, p, "no source is named '%s'", src);
		free(p);
	}
	if (c->partners.owner_field && !valid_identifier(c->partners.owner_field))
		cfg_err_path(x, "partners.owner_field", "'%s' is not a Salesforce "
		    "field name", c->partners.owner_field);
}

static void
check_object(struct ctx *x, struct config_object *o, enum entity_kind ent,
    const char *path)
{
	if (!o->present)
		return;
	if (o->sobject && !valid_identifier(o->sobject)) {
		char *p = cfg_join(path, "sobject");

		cfg_err_path(x, p, "'%s' is not a Salesforce API name", o->sobject);
		free(p);
	}
	if (o->where) {
		const char *why = soql_condition_problem(o->where);

		if (why) {
			char *p = cfg_join(path, "where");

			cfg_err_path(x, p, "the SOQL filter %s", why);
			free(p);
		}
	}
	check_fields(x, o->fields, o->nfields, ent, 0, 0, path);
	{
		size_t i;

		for (i = 0; i < o->nfields; i++)
			if (o->fields[i].src && !valid_identifier(o->fields[i].src)) {
				char *p = xasprintf("%s.fields.%s", path,
				    o->fields[i].canon);

				cfg_err_path(x, p, "'%s' is not a Salesforce field name",
				    o->fields[i].src);
				free(p);
			}
	}
	if (o->nstatus_map && ent != ENTITY_REGISTRATIONS) {
		char *p = cfg_join(path, "status_map");

		cfg_err_path(x, p, "status_map applies to registrations only");
		free(p);
	}
	if (o->decision.present && ent != ENTITY_REGISTRATIONS) {
		char *p = cfg_join(path, "decision");

		cfg_err_path(x, p, "decision applies to registrations only");
		free(p);
	} else if (o->decision.present && o->decision.reason_field &&
	    !valid_identifier(o->decision.reason_field)) {
		char *p = cfg_join(path, "decision.reason_field");

		cfg_err_path(x, p, "'%s' is not a Salesforce field name",
		    o->decision.reason_field);
		free(p);
	}
}

/* crm.auth: the keys each flow needs, allows or refuses; its secrets. */
static void
check_crm_auth(struct ctx *x)
{
	static const char *const names[] = { "username", "private_key",
		"client_secret", "refresh_token" };
	/* which keys each flow needs (1), allows (2) or refuses (0) */
	static const int rules[3][4] = {
		{ 1, 1, 0, 0 },		/* jwt_bearer */
		{ 0, 0, 1, 0 },		/* client_credentials */
		{ 0, 0, 1, 1 },		/* refresh_token */
	};
	struct config *c = x->cfg;
	const char *vals[4] = { c->crm.auth.username, c->crm.auth.private_key,
		c->crm.auth.client_secret, c->crm.auth.refresh_token };
	const struct ynode *an = ynode_get(cfg_locate(x->root, "crm"), "auth",
	    NULL);
	int f = c->crm.auth.flow;
	size_t i;

	if (an == NULL) {
		cfg_err_path(x, "crm", "missing required key 'auth'");
		return;
	}
	if (f < 0)
		return;
	for (i = 0; i < 4; i++) {
		char *p = xasprintf("crm.auth.%s", names[i]);

		/* present but refused (a literal secret) is reported already */
		if (rules[f][i] == 1 && vals[i] == NULL &&
		    ynode_get(an, names[i], NULL) == NULL)
			cfg_err_path(x, "crm.auth", "missing required key '%s' "
			    "(flow %s)", names[i], cfg_e_flow[f]);
		else if (rules[f][i] == 0 && vals[i] != NULL)
			cfg_err_path(x, p, "'%s' is not used by flow %s", names[i],
			    cfg_e_flow[f]);
		free(p);
	}
	resolve_secret(x, rules[f][1] ? c->crm.auth.private_key : NULL,
	    &c->crm.auth.private_key_value, "crm.auth.private_key");
	resolve_secret(x, rules[f][2] ? c->crm.auth.client_secret : NULL,
	    &c->crm.auth.client_secret_value, "crm.auth.client_secret");
	resolve_secret(x, rules[f][3] ? c->crm.auth.refresh_token : NULL,
	    &c->crm.auth.refresh_token_value, "crm.auth.refresh_token");
}

/*
 * One MDF object: its default sobject, checked, then read as activities
 * of kind (the object moves to the end of crm.objects.activities; the
 * mdf section keeps its name).
 */
static void
mdf_object(struct ctx *x, struct config_object *o, const char *sobject,
    const char *kind, const char *path)
{
	struct config *c = x->cfg;
	struct config_object *a;
	size_t i;

	o->present = 1;
	if (o->sobject == NULL)
		o->sobject = xstrdup(sobject);
	check_object(x, o, ENTITY_ACTIVITIES, path);
	for (i = 0; i < c->crm.objects.nactivities; i++)
		if (c->crm.objects.activities[i].sobject &&	/* missing: said */
		    strcasecmp(c->crm.objects.activities[i].sobject, o->sobject)
		    == 0) {
			char *p = xasprintf("crm.objects.activities[%zu].sobject",
			    i);

			cfg_err_path(x, p, "%s is read by %s; remove it here (or "
			    "set mdf.enabled: false)", o->sobject, path);
			free(p);
		}
	c->crm.objects.activities = xrealloc(c->crm.objects.activities,
	    (c->crm.objects.nactivities + 1) * sizeof(*a));
	a = &c->crm.objects.activities[c->crm.objects.nactivities++];
	*a = *o;
	a->kind = xstrdup(kind);
	/* refused above (registrations only), and not freed as an activity */
	cfg_free_kv(a->status_map, a->nstatus_map);
	a->status_map = NULL;
	a->nstatus_map = 0;
	free(a->decision.approved);
	free(a->decision.rejected);
	free(a->decision.reason_field);
	memset(&a->decision, 0, sizeof(a->decision));
	memset(o, 0, sizeof(*o));
	o->present = 1;
	o->sobject = xstrdup(a->sobject);
}

/* mdf: the claims and the requests (contract §3), read from the CRM. */
static void
check_mdf(struct ctx *x)
{
	struct config *c = x->cfg;

	if (!c->mdf.enabled)
		return;
	mdf_object(x, &c->mdf.claims, "PartnerFundClaim", "mdf_claim",
	    "mdf.claims");
	mdf_object(x, &c->mdf.requests, "PartnerFundRequest", "mdf_request",
	    "mdf.requests");
}

/* crm.objects: the standard objects' defaults (contract §4), each checked. */
static void
check_crm_objects(struct ctx *x)
{
	struct config *c = x->cfg;
	size_t i;

	if (!c->crm.objects.partners.present) {
		c->crm.objects.partners.present = 1;
		c->crm.objects.partners.sobject = xstrdup("Account");
		c->crm.objects.partners.where = xstrdup("IsPartner = true");
	}
	if (!c->crm.objects.opportunities.present) {
		c->crm.objects.opportunities.present = 1;
		c->crm.objects.opportunities.sobject = xstrdup("Opportunity");
	}
	check_object(x, &c->crm.objects.partners, ENTITY_PARTNERS,
	    "crm.objects.partners");
	check_object(x, &c->crm.objects.opportunities, ENTITY_OPPORTUNITIES,
	    "crm.objects.opportunities");
	check_object(x, &c->crm.objects.registrations, ENTITY_REGISTRATIONS,
	    "crm.objects.registrations");
	check_object(x, &c->crm.objects.plans, ENTITY_PLANS, "crm.objects.plans");
	if (!c->crm.objects.users.present) {
		c->crm.objects.users.present = 1;
		c->crm.objects.users.sobject = xstrdup("User");
	}
	check_object(x, &c->crm.objects.users, ENTITY_USERS, "crm.objects.users");
	for (i = 0; i < c->crm.objects.nactivities; i++) {
		char *p = xasprintf("crm.objects.activities[%zu]", i);

		c->crm.objects.activities[i].present = 1;
		check_object(x, &c->crm.objects.activities[i], ENTITY_ACTIVITIES, p);
		free(p);
	}
	check_mdf(x);
	if (c->crm.objects.registrations.present &&
	    !c->crm.objects.registrations.sobject)
		cfg_err_path(x, "crm.objects.registrations", "missing required key "
		    "'sobject'");
	if (c->crm.objects.plans.present && !c->crm.objects.plans.sobject)
		cfg_err_path(x, "crm.objects.plans", "missing required key 'sobject'");
}

/* crm.writeback: known partner fields, and names fit for SOQL and URLs. */
static void
check_crm_writeback(struct ctx *x)
{
	struct config *c = x->cfg;
	const struct {
		const char *path, *v;
	} names[] = {
		{ "crm.writeback.partner.sobject", c->crm.writeback.partner.sobject },
		{ "crm.writeback.alerts.sobject", c->crm.writeback.alerts.sobject },
		{ "crm.writeback.alerts.external_id",
		  c->crm.writeback.alerts.external_id },
		{ "crm.writeback.conflicts.sobject",
		  c->crm.writeback.conflicts.sobject },
		{ "crm.writeback.conflicts.external_id",
		  c->crm.writeback.conflicts.external_id },
	};
	size_t i;

	for (i = 0; i < c->crm.writeback.partner.nfields; i++) {
		struct config_kv *kv = &c->crm.writeback.partner.fields[i];
		char *p = xasprintf("crm.writeback.partner.fields.%s", kv->key);

		if (!in_list(cfg_e_wb_fields, kv->key)) {
			char *l = cfg_enum_list(cfg_e_wb_fields);

			cfg_err_path(x, p, "unknown key '%s' (expected one of: %s)",
			    kv->key, l);
			free(l);
		} else if (!valid_identifier(kv->value))
			cfg_err_path(x, p, "'%s' is not a Salesforce field name",
			    kv->value);
		free(p);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].v && !valid_identifier(names[i].v))
			cfg_err_path(x, names[i].path, "'%s' is not a Salesforce API "
			    "name", names[i].v);
}

static void
check_crm(struct ctx *x)
{
	struct config *c = x->cfg;

	if (!c->crm.present)
		return;
	if (c->crm.api_version) {
		const char *s = c->crm.api_version;
		char *end;

		if (strtol(s, &end, 10) < 20 || strcmp(end, ".0") != 0)
			cfg_err_path(x, "crm.api_version", "'%s' is not a Salesforce "
			    "API version (e.g. \"60.0\")", s);
	}
	check_crm_auth(x);
	if (c->crm.ca_file && access(c->crm.ca_file, R_OK) < 0)
		cfg_err_path(x, "crm.ca_file", "cannot read %s: %s", c->crm.ca_file,
		    strerror(errno));
	check_crm_objects(x);
	check_crm_writeback(x);
}

static int
zone_exists(const char *tz)
{
	const char *p;
	char path[512];

	if (*tz == '\0' || *tz == '/' || strstr(tz, ".."))
		return 0;
	for (p = tz; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return access(path, R_OK) == 0;
}

void
cfg_check(struct ctx *x)
{
	struct config *c = x->cfg;
	size_t i;
	int has_zero = 0;
	double wsum = 0;

	c->daemon.log_level = log_level_prio[c->daemon.log_level];
	if (c->daemon.timezone && !zone_exists(c->daemon.timezone))
		cfg_err_path(x, "daemon.timezone", "unknown time zone '%s' (a name "
		    "from the tz database, e.g. UTC or Europe/Berlin)",
		    c->daemon.timezone);
	if (c->daemon.business_days == 0)
		cfg_err_path(x, "daemon.business_days", "at least one business day "
		    "is needed");
	check_crm(x);
	for (i = 0; i < c->nsources; i++)
		check_source(x, &c->sources[i], i);
	check_aliases(x);
	check_notify(x);
	{
		char code[4];

		if (c->normalize.base_currency &&
		    norm_currency(c->normalize.base_currency, code) < 0)
			cfg_err_path(x, "normalize.base_currency", "'%s' is not an "
			    "ISO 4217 currency code", c->normalize.base_currency);
		for (i = 0; i < c->normalize.nfx; i++) {
			char *p = xasprintf("normalize.fx.%s", c->normalize.fx[i].key);

			if (strlen(c->normalize.fx[i].key) != 3 ||
			    norm_currency(c->normalize.fx[i].key, code) < 0 ||
			    strcmp(code, c->normalize.fx[i].key) != 0)
				cfg_err_path(x, p, "'%s' is not an ISO 4217 currency "
				    "code (upper case)", c->normalize.fx[i].key);
			else if (c->normalize.base_currency &&
			    strcmp(code, c->normalize.base_currency) == 0)
				cfg_err_path(x, p, "the base currency needs no rate");
			free(p);
		}
	}
	if (c->rules.conflicts.review_threshold > c->rules.conflicts.match_threshold)
		cfg_err_path(x, "rules.conflicts.review_threshold", "the review band "
		    "starts at or below match_threshold (%.2f)",
		    c->rules.conflicts.match_threshold);
	if (c->rules.approval_sla.warn > c->rules.approval_sla.breach)
		cfg_err_path(x, "rules.approval_sla.warn", "warn must not be later "
		    "than breach");
	for (i = 0; i < c->scoring.nweights; i++)
		wsum += c->scoring.weights[i].value;
	if (c->scoring.nweights && wsum <= 0)
		cfg_err_path(x, "scoring.weights", "at least one weight must be "
		    "positive");
	for (i = 0; i < c->scoring.ntiers; i++) {
		const struct config_tier *t = &c->scoring.tiers[i];
		size_t j;

		if (t->min_score == 0 && t->nrequires == 0)
			has_zero = 1;
		for (j = 0; j < i && t->name; j++)
			if (c->scoring.tiers[j].name && strcasecmp(
			    c->scoring.tiers[j].name, t->name) == 0) {
				char *p = xasprintf("scoring.tiers[%zu].name", i);

				cfg_err_path(x, p, "tier '%s' is named twice", t->name);
				free(p);
			}
	}
	if (!has_zero)
		cfg_err_path(x, "scoring.tiers", "one tier needs min_score 0 and no "
		    "requires so that every partner has a tier");
	resolve_secret(x, c->audit.hmac_key, &c->audit.hmac_key_value,
	    "audit.hmac_key");
}

