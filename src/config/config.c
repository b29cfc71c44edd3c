/*
 * config.c - the configuration schema as tables, and the loader that
 * walks a YAML tree against them.
 *
 * Two passes: the table pass reads every key into struct config (types,
 * ranges, enums, defaults, unknown keys); the semantic pass checks what
 * spans keys (a source's kind and its keys, field maps against the
 * entity, secrets, URLs, cross-field ranges). Both add to the same
 * diagnostics list, so every error of the file is reported at once.
 * Not responsible for applying a config (daemon.c swaps it in).
 */
#include "config/config.h"
#include "lib/digest.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/yamltree.h"
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum ktype {
	K_STR,		/* char * */
	K_INT,		/* int64_t, [min, max] */
	K_NUM,		/* double, [min, max] */
	K_BOOL,		/* int */
	K_DUR,		/* int64_t seconds, [min, max] */
	K_ENUM,		/* int: index in enums */
	K_SECRET,	/* char *: a reference, never a literal */
	K_URL,		/* char *: https, or http to loopback */
	K_PATH,		/* char *: absolute path */
	K_STRUCT,	/* nested table */
	K_LIST,		/* array of nested tables */
	K_DAYS,		/* unsigned bitmask of weekdays */
	K_DATES,	/* char ** of "YYYY-MM-DD" */
	K_KV,		/* struct config_kv *, values checked by enums if set */
	K_NUMS,		/* struct config_num *, keys checked by enums if set */
	K_FIELDS,	/* struct config_field * (checked in the semantic pass) */
	K_FREEMAIL,	/* "default", or a list of domains */
};

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	size_t count_off;		/* K_LIST, K_DATES, K_KV, K_NUMS, K_FIELDS */
	const struct key *sub;		/* K_STRUCT, K_LIST */
	size_t elem_size;		/* K_LIST */
	const char *const *enums;	/* K_ENUM values; K_KV values; K_NUMS keys */
	double min, max;
	const char *def;		/* default, in the same text form */
	int required;
	int present_off;		/* K_STRUCT: offset of an int flag, or -1 */
};

#define END { NULL, 0, 0, 0, NULL, 0, NULL, 0, 0, NULL, 0, -1 }
#define OFF(type, member) offsetof(type, member)
#define KSTR(t, n, m, def, req) { n, K_STR, OFF(t, m), 0, NULL, 0, NULL, 0, 0, def, req, -1 }
#define KSECRET(t, n, m) { n, K_SECRET, OFF(t, m), 0, NULL, 0, NULL, 0, 0, NULL, 0, -1 }
#define KURL(t, n, m, def, req) { n, K_URL, OFF(t, m), 0, NULL, 0, NULL, 0, 0, def, req, -1 }
#define KPATH(t, n, m, def, req) { n, K_PATH, OFF(t, m), 0, NULL, 0, NULL, 0, 0, def, req, -1 }
#define KINT(t, n, m, lo, hi, def) { n, K_INT, OFF(t, m), 0, NULL, 0, NULL, lo, hi, def, 0, -1 }
#define KNUM(t, n, m, lo, hi, def) { n, K_NUM, OFF(t, m), 0, NULL, 0, NULL, lo, hi, def, 0, -1 }
#define KBOOL(t, n, m, def) { n, K_BOOL, OFF(t, m), 0, NULL, 0, NULL, 0, 0, def, 0, -1 }
#define KDUR(t, n, m, lo, hi, def) { n, K_DUR, OFF(t, m), 0, NULL, 0, NULL, lo, hi, def, 0, -1 }
#define KENUM(t, n, m, e, def, req) { n, K_ENUM, OFF(t, m), 0, NULL, 0, e, 0, 0, def, req, -1 }
/* a section: its keys use the same base as the parent table */
#define KSTRUCT(t, n, m, sub, pres) { n, K_STRUCT, 0, 0, sub, 0, NULL, 0, 0, NULL, 0, pres }
#define KLIST(t, n, m, cnt, sub, et) { n, K_LIST, OFF(t, m), OFF(t, cnt), sub, sizeof(et), NULL, 0, 0, NULL, 0, -1 }
#define KKV(t, n, m, cnt, e) { n, K_KV, OFF(t, m), OFF(t, cnt), NULL, 0, e, 0, 0, NULL, 0, -1 }
#define KNUMS(t, n, m, cnt, e, lo, hi, def) { n, K_NUMS, OFF(t, m), OFF(t, cnt), NULL, 0, e, lo, hi, def, 0, -1 }
#define KFIELDS(t, n, m, cnt, req) { n, K_FIELDS, OFF(t, m), OFF(t, cnt), NULL, 0, NULL, 0, 0, NULL, req, -1 }

#define MIN_S 1.0
#define HOUR 3600.0
#define DAY 86400.0

static const char *const e_log_level[] = { "debug", "info", "notice",
	"warning", "err", NULL };
static const char *const e_crm_kind[] = { "salesforce", NULL };
const char *const cfg_e_flow[] = { "jwt_bearer", "client_credentials",
	"refresh_token", NULL };
/* by enum source_kind */
const char *const cfg_e_source_kind[] = { "http_json", "file_drop", NULL };

const char *
config_source_kind_name(int kind)
{
	if (kind < 0 || (size_t)kind >= sizeof(cfg_e_source_kind) /
	    sizeof(cfg_e_source_kind[0]) - 1)
		return NULL;
	return cfg_e_source_kind[kind];
}
static const char *const e_entity[] = { "partners", "opportunities",
	"registrations", "plans", "activities", NULL };
static const char *const e_time_format[] = { "iso8601", "epoch_s",
	"epoch_ms", NULL };
const char *const cfg_e_auth_kind[] = { "bearer", "basic", "header", NULL };
static const char *const e_page_kind[] = { "cursor", "page", "link", NULL };
static const char *const e_format[] = { "csv", "ndjson", NULL };
static const char *const e_policy[] = { "first_to_register", "highest_score",
	"manual", NULL };
static const char *const e_period[] = { "quarter", "month", "year", NULL };
static const char *const e_basis[] = { "plan", "remaining", NULL };
static const char *const e_peer[] = { "all", "tier", NULL };
static const char *const e_kpis[] = { "plan_attainment", "pipeline_coverage",
	"win_rate", "registration_quality", "engagement", NULL };
const char *const cfg_e_wb_fields[] = { "score", "tier", "plan_attainment",
	"pipeline_coverage", "risk_adjusted_coverage", "scored_at", NULL };
static const char *const e_days[] = { "mon", "tue", "wed", "thu", "fri",
	"sat", "sun", NULL };

#define C struct config
#define D struct config_source

static const struct key k_daemon[] = {
	KPATH(C, "state_dir", daemon.state_dir, "/var/lib/chansync", 0),
	KDUR(C, "interval", daemon.interval, MIN_S, 30 * DAY, "15m"),
	KDUR(C, "jitter", daemon.jitter, 0, DAY, "60s"),
	KBOOL(C, "dry_run", daemon.dry_run, "false"),
	KENUM(C, "log_level", daemon.log_level, e_log_level, "info", 0),
	KSTR(C, "timezone", daemon.timezone, "UTC", 0),
	{ "business_days", K_DAYS, OFF(C, daemon.business_days), 0, NULL, 0,
	  e_days, 0, 0, "mon,tue,wed,thu,fri", 0, -1 },
	{ "holidays", K_DATES, OFF(C, daemon.holidays),
	  OFF(C, daemon.nholidays), NULL, 0, NULL, 0, 0, NULL, 0, -1 },
	END
};

#define A struct config
static const struct key k_crm_auth[] = {
	KENUM(A, "flow", crm.auth.flow, cfg_e_flow, NULL, 1),
	KSTR(A, "client_id", crm.auth.client_id, NULL, 1),
	KSTR(A, "username", crm.auth.username, NULL, 0),
	KSECRET(A, "private_key", crm.auth.private_key),
	KSECRET(A, "client_secret", crm.auth.client_secret),
	KSECRET(A, "refresh_token", crm.auth.refresh_token),
	END
};
#undef A

#define O struct config_object
static const struct key k_object[] = {
	KSTR(O, "sobject", sobject, NULL, 0),
	KSTR(O, "where", where, NULL, 0),
	KFIELDS(O, "fields", fields, nfields, 0),
	KKV(O, "status_map", status_map, nstatus_map, entity_statuses),
	END
};
static const struct key k_activity_object[] = {
	KSTR(O, "sobject", sobject, NULL, 1),
	KSTR(O, "where", where, NULL, 0),
	KSTR(O, "kind", kind, NULL, 1),
	KFIELDS(O, "fields", fields, nfields, 0),
	END
};
#undef O

static const struct key k_crm_objects[] = {
	{ "partners", K_STRUCT, OFF(C, crm.objects.partners), 0, k_object, 0,
	  NULL, 0, 0, NULL, 0, OFF(C, crm.objects.partners.present) },
	{ "opportunities", K_STRUCT, OFF(C, crm.objects.opportunities), 0,
	  k_object, 0, NULL, 0, 0, NULL, 0,
	  OFF(C, crm.objects.opportunities.present) },
	{ "registrations", K_STRUCT, OFF(C, crm.objects.registrations), 0,
	  k_object, 0, NULL, 0, 0, NULL, 0,
	  OFF(C, crm.objects.registrations.present) },
	{ "plans", K_STRUCT, OFF(C, crm.objects.plans), 0, k_object, 0, NULL,
	  0, 0, NULL, 0, OFF(C, crm.objects.plans.present) },
	KLIST(C, "activities", crm.objects.activities, crm.objects.nactivities,
	    k_activity_object, struct config_object),
	END
};

static const struct key k_wb_partner[] = {
	KSTR(C, "sobject", crm.writeback.partner.sobject, "Account", 0),
	KKV(C, "fields", crm.writeback.partner.fields,
	    crm.writeback.partner.nfields, NULL),
	END
};
static const struct key k_wb_alerts[] = {
	KSTR(C, "sobject", crm.writeback.alerts.sobject, NULL, 1),
	KSTR(C, "external_id", crm.writeback.alerts.external_id, NULL, 1),
	END
};
static const struct key k_wb_conflicts[] = {
	KSTR(C, "sobject", crm.writeback.conflicts.sobject, NULL, 1),
	KSTR(C, "external_id", crm.writeback.conflicts.external_id, NULL, 1),
	END
};
static const struct key k_writeback[] = {
	KSTRUCT(C, "partner", crm, k_wb_partner,
	    (int)OFF(C, crm.writeback.partner.present)),
	KSTRUCT(C, "alerts", crm, k_wb_alerts,
	    (int)OFF(C, crm.writeback.alerts.present)),
	KSTRUCT(C, "conflicts", crm, k_wb_conflicts,
	    (int)OFF(C, crm.writeback.conflicts.present)),
	KBOOL(C, "duplicate_rule_allow_save",
	    crm.writeback.duplicate_rule_allow_save, "false"),
	END
};

static const struct key k_crm[] = {
	KENUM(C, "kind", crm.kind, e_crm_kind, NULL, 1),
	KURL(C, "login_url", crm.login_url, "https://login.salesforce.com", 0),
	KSTR(C, "api_version", crm.api_version, "60.0", 0),
	KSTRUCT(C, "auth", crm, k_crm_auth, -1),
	KINT(C, "api_budget_percent", crm.api_budget_percent, 1, 100, "80"),
	KINT(C, "batch_size", crm.batch_size, 200, 2000, "2000"),
	KDUR(C, "lookback", crm.lookback, 0, DAY, "10m"),
	KDUR(C, "safety_lag", crm.safety_lag, 0, HOUR, "2m"),
	KPATH(C, "ca_file", crm.ca_file, NULL, 0),
	KSTRUCT(C, "objects", crm, k_crm_objects, -1),
	KSTRUCT(C, "writeback", crm, k_writeback, -1),
	END
};

static const struct key k_src_auth[] = {
	KENUM(D, "kind", auth.kind, cfg_e_auth_kind, NULL, 1),
	KSECRET(D, "token", auth.token),
	KSTR(D, "username", auth.username, NULL, 0),
	KSECRET(D, "password", auth.password),
	KSTR(D, "name", auth.name, NULL, 0),
	KSECRET(D, "value", auth.value),
	END
};
static const struct key k_src_pagination[] = {
	KENUM(D, "kind", pagination.kind, e_page_kind, NULL, 1),
	KSTR(D, "param", pagination.param, NULL, 0),
	KSTR(D, "next", pagination.next, NULL, 0),
	KSTR(D, "size_param", pagination.size_param, NULL, 0),
	KINT(D, "size", pagination.size, 1, 10000, "100"),
	END
};

static const struct key k_source[] = {
	KSTR(D, "name", name, NULL, 1),
	KENUM(D, "kind", kind, cfg_e_source_kind, NULL, 1),
	KENUM(D, "entity", entity, e_entity, "registrations", 0),
	KFIELDS(D, "fields", fields, nfields, 1),
	KKV(D, "status_map", status_map, nstatus_map, entity_statuses),
	KDUR(D, "interval", interval, MIN_S, 30 * DAY, NULL),
	KENUM(D, "time_format", time_format, e_time_format, "iso8601", 0),
	/* http_json */
	KURL(D, "url", url, NULL, 0),
	KPATH(D, "ca_file", ca_file, NULL, 0),
	KSTR(D, "since_param", since_param, NULL, 0),
	KSTR(D, "records", records, NULL, 0),
	KINT(D, "page_limit", page_limit, 1, 100000, "1000"),
	KDUR(D, "timeout", timeout, MIN_S, HOUR, "120s"),
	KINT(D, "retries", retries, 1, 10, "5"),
	KDUR(D, "lookback", lookback, 0, 7 * DAY, "10m"),
	KSTRUCT(D, "auth", auth, k_src_auth, -1),
	KSTRUCT(D, "pagination", pagination, k_src_pagination, -1),
	/* file_drop */
	KPATH(D, "path", path, NULL, 0),
	KENUM(D, "format", format, e_format, "csv", 0),
	KSTR(D, "delimiter", delimiter, ",", 0),
	KINT(D, "max_file_bytes", max_file_bytes, 1024, 4.0 * (1 << 30),
	    "268435456"),
	END
};


static const struct key k_normalize[] = {
	KSTR(C, "base_currency", normalize.base_currency, "USD", 0),
	KNUMS(C, "fx", normalize.fx, normalize.nfx, NULL, 1e-9, 1e9, NULL),
	KNUMS(C, "stages", normalize.stages, normalize.nstages, NULL, 0, 100,
	    NULL),
	{ "free_mail_domains", K_FREEMAIL, OFF(C, normalize.free_mail_domains),
	  OFF(C, normalize.nfree_mail_domains), NULL, 0, NULL, 0, 0, "default",
	  0, -1 },
	END
};

static const struct key k_conflicts[] = {
	KNUM(C, "match_threshold", rules.conflicts.match_threshold, 0.5, 1.0,
	    "0.90"),
	KDUR(C, "protection", rules.conflicts.protection, DAY, 3650 * DAY, "90d"),
	KBOOL(C, "same_product_only", rules.conflicts.same_product_only, "true"),
	KENUM(C, "policy", rules.conflicts.policy, e_policy,
	    "first_to_register", 0),
	KBOOL(C, "direct", rules.conflicts.direct, "true"),
	END
};
static const struct key k_sla[] = {
	KDUR(C, "warn", rules.approval_sla.warn, HOUR, 365 * DAY, "2d"),
	KDUR(C, "breach", rules.approval_sla.breach, HOUR, 365 * DAY, "4d"),
	END
};
static const struct key k_pipeline[] = {
	KENUM(C, "period", rules.pipeline.period, e_period, "quarter", 0),
	KENUM(C, "basis", rules.pipeline.basis, e_basis, "plan", 0),
	KNUM(C, "total_index", rules.pipeline.total_index, 0.01, 100, "2.0"),
	KNUM(C, "risk_adjusted_index", rules.pipeline.risk_adjusted_index,
	    0.01, 100, "1.0"),
	KNUM(C, "critical_below", rules.pipeline.critical_below, 0, 1, "0.5"),
	END
};
static const struct key k_rules[] = {
	KSTRUCT(C, "conflicts", rules, k_conflicts, -1),
	KSTRUCT(C, "approval_sla", rules, k_sla, -1),
	KDUR(C, "expiry_warning", rules.expiry_warning, 0, 365 * DAY, "14d"),
	KSTRUCT(C, "pipeline", rules, k_pipeline, -1),
	KNUM(C, "score_drop", rules.score_drop, 0, 100, "10"),
	END
};

static const struct key k_scoring[] = {
	KENUM(C, "peer_group", scoring.peer_group, e_peer, "all", 0),
	KNUMS(C, "weights", scoring.weights, scoring.nweights, e_kpis, 0, 1000,
	    "plan_attainment:30,pipeline_coverage:20,win_rate:15,"
	    "registration_quality:10,engagement:25"),
	KNUM(C, "win_rate_target", scoring.win_rate_target, 0.01, 1, "0.30"),
	KNUMS(C, "engagement", scoring.engagement, scoring.nengagement, NULL,
	    0, 1000, "certification:1,campaign:1,meeting:1,lead_shared:1,"
	    "mdf_claim:1"),
	KNUMS(C, "tiers", scoring.tiers, scoring.ntiers, NULL, 0, 100,
	    "platinum:85,gold:70,silver:50,bronze:0"),
	END
};

static const struct key k_audit[] = {
	KSECRET(C, "hmac_key", audit.hmac_key),
	END
};

static const struct key k_root[] = {
	KSTRUCT(C, "daemon", daemon, k_daemon, -1),
	KSTRUCT(C, "crm", crm, k_crm, (int)OFF(C, crm.present)),
	KLIST(C, "sources", sources, nsources, k_source, struct config_source),
	KSTRUCT(C, "normalize", normalize, k_normalize, -1),
	KSTRUCT(C, "rules", rules, k_rules, -1),
	KSTRUCT(C, "scoring", scoring, k_scoring, -1),
	KSTRUCT(C, "audit", audit, k_audit, -1),
	END
};

#undef C
#undef D

void
cfg_err_node(struct ctx *x, const struct ynode *n, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void
cfg_err_node(struct ctx *x, const struct ynode *n, const char *path,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diags_add(x->d, n ? n->line : 1, n ? n->col : 1, path, "%s", msg);
	free(msg);
}

/* Finds the node at a path like "sources[1].auth.token"; when part of it
 * is absent, returns the deepest node that exists. */
const struct ynode *
cfg_locate(const struct ynode *root, const char *path)
{
	const struct ynode *cur = root;
	const char *p = path;

	while (cur && *p) {
		char name[128];
		size_t n = 0;
		const struct ynode *next;

		while (*p && *p != '.' && *p != '[' && n < sizeof(name) - 1)
			name[n++] = *p++;
		name[n] = '\0';
		if (n) {
			if ((next = ynode_get(cur, name, NULL)) == NULL ||
			    ynode_is_null(next))
				return cur;
			cur = next;
		}
		if (*p == '[') {
			size_t i = strtoul(p + 1, (char **)&p, 10);

			if (*p == ']')
				p++;
			if (cur->kind != YNODE_SEQ || i >= cur->n)
				return cur;
			cur = cur->vals[i];
		}
		if (*p == '.')
			p++;
	}
	return cur;
}

void
cfg_err_path(struct ctx *x, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void
cfg_err_path(struct ctx *x, const char *path, const char *fmt, ...)
{
	const struct ynode *n = cfg_locate(x->root, path);
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diags_add(x->d, n ? n->line : 1, n ? n->col : 1, path, "%s", msg);
	free(msg);
}

char *
cfg_join(const char *path, const char *name)
{
	return *path ? xasprintf("%s.%s", path, name) : xstrdup(name);
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (lb >= 64 || la >= 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

char *
cfg_enum_list(const char *const *e)
{
	struct buf b;
	int i;

	buf_init(&b, 0);
	for (i = 0; e[i]; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", e[i]);
	return buf_steal(&b);
}

static int
enum_index(const char *const *e, const char *s)
{
	int i;

	for (i = 0; e[i]; i++)
		if (strcmp(e[i], s) == 0)
			return i;
	return -1;
}

int
config_parse_duration(const char *s, int64_t *ret)
{
	char *end;
	long long v;
	int64_t mul;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v < 0)
		return -1;
	if (end[0] && end[1])
		return -1;
	switch (*end) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case '\0':
		if (v != 0)
			return -1;	/* a bare number has no unit */
		mul = 1;
		break;
	default:
		return -1;
	}
	if (v > INT64_MAX / mul)
		return -1;
	*ret = v * mul;
	return 0;
}

static char *
format_duration(double secs)
{
	int64_t s = (int64_t)secs;

	if (s % 86400 == 0 && s)
		return xasprintf("%lldd", (long long)(s / 86400));
	if (s % 3600 == 0 && s)
		return xasprintf("%lldh", (long long)(s / 3600));
	if (s % 60 == 0 && s)
		return xasprintf("%lldm", (long long)(s / 60));
	return xasprintf("%llds", (long long)s);
}

static int
scalar_ok(struct ctx *x, const struct ynode *n, const char *path,
    const char *what)
{
	if (n->kind != YNODE_SCALAR) {
		cfg_err_node(x, n, path, "expected %s, found %s", what,
		    ynode_kind_name(n));
		return 0;
	}
	return 1;
}

static int
parse_bool_text(const char *s, int *ret)
{
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		*ret = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "False") ||
	    !strcmp(s, "FALSE"))
		*ret = 0;
	else
		return -1;
	return 0;
}

static int
parse_number_text(const char *s, double *ret)
{
	char *end;
	double v;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !isfinite(v) || (!isdigit((unsigned char)*s) &&
	    *s != '-' && *s != '+' && *s != '.'))
		return -1;
	*ret = v;
	return 0;
}

static int
parse_int_text(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s) && *s != '-')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno)
		return -1;
	*ret = v;
	return 0;
}

static char *
fmt_num(double v)
{
	return xasprintf("%g", v);
}

static void range_error(struct ctx *x, const struct ynode *n,
    const char *path, const struct key *k)
{
	char *lo, *hi;

	if (k->min > 0 && k->min < 1e-3) {
		cfg_err_node(x, n, path, "%s is not a positive number", n->str);
		return;
	}
	if (k->type == K_DUR) {
		lo = format_duration(k->min);
		hi = format_duration(k->max);
	} else {
		lo = fmt_num(k->min);
		hi = fmt_num(k->max);
	}
	cfg_err_node(x, n, path, "%s is out of range (%s to %s)", n->str, lo, hi);
	free(lo);
	free(hi);
}

#define AT(base, off, type) ((type *)((char *)(base) + (off)))

/* Splits "k:v,k:v" or "a,b" default texts. */
static char **
split_list(const char *s, size_t *ret_n)
{
	char **v = NULL, *copy = xstrdup(s), *tok, *save = NULL;
	size_t n = 0, cap = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		xgrow(&v, &cap, n + 1, sizeof(*v));
		v[n++] = xstrdup(tok);
	}
	free(copy);
	*ret_n = n;
	return v;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void apply_defaults(const struct key *tab, char *base);

static void
apply_default(const struct key *k, char *base)
{
	if (k->type == K_STRUCT) {
		apply_defaults(k->sub, base + k->off);
		return;
	}
	if (k->def == NULL) {
		if (k->type == K_ENUM)
			*AT(base, k->off, int) = -1;	/* unset */
		return;
	}
	switch (k->type) {
	case K_STR:
	case K_URL:
	case K_PATH:
		*AT(base, k->off, char *) = xstrdup(k->def);
		break;
	case K_INT:
		parse_int_text(k->def, AT(base, k->off, int64_t));
		break;
	case K_NUM:
		parse_number_text(k->def, AT(base, k->off, double));
		break;
	case K_BOOL:
		parse_bool_text(k->def, AT(base, k->off, int));
		break;
	case K_DUR:
		config_parse_duration(k->def, AT(base, k->off, int64_t));
		break;
	case K_ENUM:
		*AT(base, k->off, int) = enum_index(k->enums, k->def);
		break;
	case K_DAYS: {
		size_t n, i;
		char **v = split_list(k->def, &n);
		unsigned mask = 0;

		for (i = 0; i < n; i++)
			mask |= 1u << enum_index(e_days, v[i]);
		*AT(base, k->off, unsigned) = mask;
		free_list(v, n);
		break;
	}
	case K_NUMS: {
		size_t n, i;
		char **v = split_list(k->def, &n);
		struct config_num *nums = xcalloc(n, sizeof(*nums));

		for (i = 0; i < n; i++) {
			char *colon = strchr(v[i], ':');

			*colon = '\0';
			nums[i].key = xstrdup(v[i]);
			nums[i].value = strtod(colon + 1, NULL);
		}
		*AT(base, k->off, struct config_num *) = nums;
		*AT(base, k->count_off, size_t) = n;
		free_list(v, n);
		break;
	}
	case K_FREEMAIL:
		/* "default": the built-in list; flag lives beside the list */
		break;
	default:
		break;
	}
}

static void
apply_defaults(const struct key *tab, char *base)
{
	for (; tab->name; tab++)
		apply_default(tab, base);
}

static void parse_table(struct ctx *x, const struct key *tab, char *base,
    const struct ynode *map, const struct ynode *parent_key, const char *path);

static void
parse_fields(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	struct config_field *f;
	size_t i;

	if (n->kind != YNODE_MAP) {
		cfg_err_node(x, n, path, "expected a mapping of canonical field to "
		    "source field, found %s", ynode_kind_name(n));
		return;
	}
	f = xcalloc(n->n, sizeof(*f));
	for (i = 0; i < n->n; i++) {
		const struct ynode *v = n->vals[i];
		char *p = cfg_join(path, n->keys[i]->str);

		f[i].canon = xstrdup(n->keys[i]->str);
		f[i].index = -1;
		if (v->kind == YNODE_SCALAR && !ynode_is_null(v))
			f[i].src = xstrdup(v->str);
		else if (v->kind == YNODE_MAP) {
			size_t j;

			for (j = 0; j < v->n; j++) {
				const char *kn = v->keys[j]->str;
				const struct ynode *vv = v->vals[j];
				char *pp = cfg_join(p, kn);

				if (!strcmp(kn, "pointer") || !strcmp(kn, "column") ||
				    !strcmp(kn, "field")) {
					if (scalar_ok(x, vv, pp, "a string")) {
						free(f[i].src);
						f[i].src = xstrdup(vv->str);
					}
				} else if (!strcmp(kn, "format")) {
					int e;

					if (scalar_ok(x, vv, pp, "a time format")) {
						if ((e = enum_index(e_time_format,
						    vv->str)) < 0) {
							char *l = cfg_enum_list(e_time_format);

							cfg_err_node(x, vv, pp, "unknown value "
							    "'%s' (expected one of: %s)",
							    vv->str, l);
							free(l);
						} else {
							f[i].has_format = 1;
							f[i].format = e;
						}
					}
				} else
					cfg_err_node(x, v->keys[j], pp, "unknown key "
					    "'%s' (expected pointer, column, "
					    "field or format)", kn);
				free(pp);
			}
			if (f[i].src == NULL)
				cfg_err_node(x, v, p, "missing the source field "
				    "(pointer:, column: or field:)");
		} else
			cfg_err_node(x, v, p, "expected a source field name or "
			    "pointer, found %s", ynode_kind_name(v));
		free(p);
	}
	*AT(base, k->off, struct config_field *) = f;
	*AT(base, k->count_off, size_t) = n->n;
}

static void
parse_value(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	switch (k->type) {
	case K_STR:
	case K_URL:
	case K_PATH:
	case K_SECRET: {
		const char *why = NULL;

		if (!scalar_ok(x, n, path, "a string"))
			return;
		if (k->type == K_URL)
			why = http_url_problem(n->str);
		else if (k->type == K_PATH && n->str[0] != '/')
			why = "must be an absolute path";
		else if (k->type == K_SECRET && !secret_is_reference(n->str))
			why = "a secret must not be written in the file; store "
			    "it in a file and refer to it as credential:NAME "
			    "(systemd LoadCredential=), file:/path or env:VAR";
		if (why) {
			/* a secret's text is never repeated */
			if (k->type == K_SECRET || k->type == K_PATH)
				cfg_err_node(x, n, path, "%s", why);
			else
				cfg_err_node(x, n, path, "'%s' %s", n->str, why);
			return;
		}
		free(*AT(base, k->off, char *));
		*AT(base, k->off, char *) = xstrdup(n->str);
		return;
	}
	case K_INT: {
		int64_t v;

		if (!scalar_ok(x, n, path, "an integer"))
			return;
		if (!n->plain || parse_int_text(n->str, &v) < 0) {
			cfg_err_node(x, n, path, "expected an integer, found '%s'",
			    n->str);
			return;
		}
		if (v < k->min || v > k->max) {
			range_error(x, n, path, k);
			return;
		}
		*AT(base, k->off, int64_t) = v;
		return;
	}
	case K_NUM: {
		double v;

		if (!scalar_ok(x, n, path, "a number"))
			return;
		if (!n->plain || parse_number_text(n->str, &v) < 0) {
			cfg_err_node(x, n, path, "expected a number, found '%s'",
			    n->str);
			return;
		}
		if (v < k->min || v > k->max) {
			range_error(x, n, path, k);
			return;
		}
		*AT(base, k->off, double) = v;
		return;
	}
	case K_BOOL: {
		int v;

		if (!scalar_ok(x, n, path, "true or false"))
			return;
		if (!n->plain || parse_bool_text(n->str, &v) < 0) {
			cfg_err_node(x, n, path, "expected true or false, found '%s'",
			    n->str);
			return;
		}
		*AT(base, k->off, int) = v;
		return;
	}
	case K_DUR: {
		int64_t v;

		if (!scalar_ok(x, n, path, "a duration"))
			return;
		if (config_parse_duration(n->str, &v) < 0) {
			cfg_err_node(x, n, path, "'%s' is not a duration (a whole "
			    "number with s, m, h or d, e.g. 30s, 15m, 48h, 90d)",
			    n->str);
			return;
		}
		if (v < k->min || v > k->max) {
			range_error(x, n, path, k);
			return;
		}
		*AT(base, k->off, int64_t) = v;
		return;
	}
	case K_ENUM: {
		int e;

		if (!scalar_ok(x, n, path, "one of the allowed values"))
			return;
		if ((e = enum_index(k->enums, n->str)) < 0) {
			char *l = cfg_enum_list(k->enums);

			cfg_err_node(x, n, path, "unknown value '%s' (expected one "
			    "of: %s)", n->str, l);
			free(l);
			return;
		}
		*AT(base, k->off, int) = e;
		return;
	}
	case K_STRUCT:
		if (k->present_off >= 0)
			*AT(base, k->present_off, int) = 1;
		parse_table(x, k->sub, base + k->off, n, NULL, path);
		return;
	case K_LIST: {
		char *arr;
		size_t i;

		if (n->kind != YNODE_SEQ) {
			cfg_err_node(x, n, path, "expected a list, found %s",
			    ynode_kind_name(n));
			return;
		}
		arr = xcalloc(n->n ? n->n : 1, k->elem_size);
		for (i = 0; i < n->n; i++) {
			char *p = xasprintf("%s[%zu]", path, i);

			apply_defaults(k->sub, arr + i * k->elem_size);
			parse_table(x, k->sub, arr + i * k->elem_size, n->vals[i],
			    NULL, p);
			free(p);
		}
		*AT(base, k->off, char *) = arr;
		*AT(base, k->count_off, size_t) = n->n;
		return;
	}
	case K_DAYS: {
		unsigned mask = 0;
		size_t i;

		if (n->kind != YNODE_SEQ) {
			cfg_err_node(x, n, path, "expected a list of weekdays "
			    "(mon ... sun), found %s", ynode_kind_name(n));
			return;
		}
		for (i = 0; i < n->n; i++) {
			const struct ynode *v = n->vals[i];
			char *p = xasprintf("%s[%zu]", path, i);
			int e;

			if (scalar_ok(x, v, p, "a weekday")) {
				if ((e = enum_index(e_days, v->str)) < 0)
					cfg_err_node(x, v, p, "unknown weekday '%s' "
					    "(expected mon, tue, wed, thu, fri, "
					    "sat or sun)", v->str);
				else if (mask & (1u << e))
					cfg_err_node(x, v, p, "'%s' is listed twice",
					    v->str);
				else
					mask |= 1u << e;
			}
			free(p);
		}
		*AT(base, k->off, unsigned) = mask;
		return;
	}
	case K_DATES: {
		char **v;
		size_t i, cnt = 0;

		if (n->kind != YNODE_SEQ) {
			cfg_err_node(x, n, path, "expected a list of dates "
			    "(YYYY-MM-DD), found %s", ynode_kind_name(n));
			return;
		}
		v = xcalloc(n->n ? n->n : 1, sizeof(*v));
		for (i = 0; i < n->n; i++) {
			const struct ynode *e = n->vals[i];
			char *p = xasprintf("%s[%zu]", path, i);
			char day[11];

			if (scalar_ok(x, e, p, "a date")) {
				if (strlen(e->str) != 10 || norm_date(e->str, day) < 0)
					cfg_err_node(x, e, p, "'%s' is not a date "
					    "(YYYY-MM-DD)", e->str);
				else
					v[cnt++] = xstrdup(day);
			}
			free(p);
		}
		*AT(base, k->off, char **) = v;
		*AT(base, k->count_off, size_t) = cnt;
		return;
	}
	case K_KV: {
		struct config_kv *kv;
		size_t i, cnt = 0;

		if (n->kind != YNODE_MAP) {
			cfg_err_node(x, n, path, "expected a mapping, found %s",
			    ynode_kind_name(n));
			return;
		}
		kv = xcalloc(n->n ? n->n : 1, sizeof(*kv));
		for (i = 0; i < n->n; i++) {
			const struct ynode *v = n->vals[i];
			char *p = cfg_join(path, n->keys[i]->str);

			if (scalar_ok(x, v, p, "a string")) {
				if (ynode_is_null(v))
					cfg_err_node(x, v, p, "missing value");
				else if (k->enums && enum_index(k->enums, v->str) < 0) {
					char *l = cfg_enum_list(k->enums);

					cfg_err_node(x, v, p, "unknown value '%s' "
					    "(expected one of: %s)", v->str, l);
					free(l);
				} else {
					kv[cnt].key = xstrdup(n->keys[i]->str);
					kv[cnt].value = xstrdup(v->str);
					cnt++;
				}
			}
			free(p);
		}
		*AT(base, k->off, struct config_kv *) = kv;
		*AT(base, k->count_off, size_t) = cnt;
		return;
	}
	case K_NUMS: {
		struct config_num *nums;
		size_t i, cnt = 0;

		if (n->kind != YNODE_MAP) {
			cfg_err_node(x, n, path, "expected a mapping of names to "
			    "numbers, found %s", ynode_kind_name(n));
			return;
		}
		/* replaces the default */
		nums = *AT(base, k->off, struct config_num *);
		for (i = 0; i < *AT(base, k->count_off, size_t); i++)
			free(nums[i].key);
		free(nums);
		nums = xcalloc(n->n ? n->n : 1, sizeof(*nums));
		for (i = 0; i < n->n; i++) {
			const struct ynode *v = n->vals[i];
			const char *key = n->keys[i]->str;
			char *p = cfg_join(path, key);
			double d;

			if (k->enums && enum_index(k->enums, key) < 0) {
				char *l = cfg_enum_list(k->enums);

				cfg_err_node(x, n->keys[i], p, "unknown key '%s' "
				    "(expected one of: %s)", key, l);
				free(l);
			} else if (!scalar_ok(x, v, p, "a number"))
				;
			else if (!v->plain || parse_number_text(v->str, &d) < 0)
				cfg_err_node(x, v, p, "expected a number, found '%s'",
				    v->str);
			else if (d < k->min || d > k->max)
				range_error(x, v, p, k);
			else {
				nums[cnt].key = xstrdup(key);
				nums[cnt].value = d;
				cnt++;
			}
			free(p);
		}
		*AT(base, k->off, struct config_num *) = nums;
		*AT(base, k->count_off, size_t) = cnt;
		return;
	}
	case K_FIELDS:
		parse_fields(x, k, base, n, path);
		return;
	case K_FREEMAIL: {
		struct config *cfg = x->cfg;
		size_t i;

		if (n->kind == YNODE_SCALAR) {
			if (strcmp(n->str, "default") == 0)
				cfg->normalize.free_mail_default = 1;
			else if (strcmp(n->str, "none") == 0)
				cfg->normalize.free_mail_default = 0;
			else
				cfg_err_node(x, n, path, "expected 'default', 'none' "
				    "or a list of domains, found '%s'", n->str);
			return;
		}
		if (n->kind != YNODE_SEQ) {
			cfg_err_node(x, n, path, "expected 'default', 'none' or a "
			    "list of domains, found %s", ynode_kind_name(n));
			return;
		}
		cfg->normalize.free_mail_default = 0;
		cfg->normalize.free_mail_domains = xcalloc(n->n ? n->n : 1,
		    sizeof(char *));
		for (i = 0; i < n->n; i++) {
			const struct ynode *v = n->vals[i];
			char *p = xasprintf("%s[%zu]", path, i);
			char *dom;

			if (v->kind == YNODE_SCALAR && v->str[0] == 'd' &&
			    strcmp(v->str, "default") == 0)
				cfg->normalize.free_mail_default = 1;
			else if (scalar_ok(x, v, p, "a domain")) {
				if (norm_domain(v->str, &dom) < 0)
					cfg_err_node(x, v, p, "'%s' is not a domain",
					    v->str);
				else
					cfg->normalize.free_mail_domains[
					    cfg->normalize.nfree_mail_domains++] = dom;
			}
			free(p);
		}
		return;
	}
	}
}

static void
parse_table(struct ctx *x, const struct key *tab, char *base,
    const struct ynode *map, const struct ynode *parent_key, const char *path)
{
	const struct key *k;
	size_t i;

	(void)parent_key;
	if (map->kind != YNODE_MAP) {
		if (ynode_is_null(map) && *path)
			cfg_err_node(x, map, path, "expected a mapping, found nothing "
			    "(remove the key or give it values)");
		else
			cfg_err_node(x, map, path, "expected a mapping, found %s",
			    ynode_kind_name(map));
		return;
	}
	/* unknown keys */
	for (i = 0; i < map->n; i++) {
		const char *name = map->keys[i]->str;
		const char *best = NULL;
		size_t bestd = 3;

		for (k = tab; k->name; k++) {
			size_t dist;

			if (strcmp(k->name, name) == 0)
				break;
			dist = edit_distance(k->name, name);
			if (dist < bestd) {
				bestd = dist;
				best = k->name;
			}
		}
		if (k->name == NULL) {
			char *p = cfg_join(path, name);

			if (best)
				cfg_err_node(x, map->keys[i], p, "unknown key '%s'; "
				    "did you mean '%s'?", name, best);
			else
				cfg_err_node(x, map->keys[i], p, "unknown key '%s'",
				    name);
			free(p);
		}
	}
	for (k = tab; k->name; k++) {
		const struct ynode *kn = NULL;
		const struct ynode *v = ynode_get(map, k->name, &kn);
		char *p;

		if (v && v->alias)
			continue;	/* already reported */
		p = cfg_join(path, k->name);
		if (v == NULL || (ynode_is_null(v) && k->type != K_STRUCT)) {
			if (k->required)
				cfg_err_node(x, v ? v : map, p, "missing required key "
				    "'%s'", k->name);
		} else
			parse_value(x, k, base, v, p);
		free(p);
	}
}

/* ---- loading and freeing ---- */

static void free_table(const struct key *tab, char *base);

static void
free_fields(struct config_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].canon);
		free(f[i].src);
	}
	free(f);
}

static void
free_key(const struct key *k, char *base)
{
	size_t i, n;

	switch (k->type) {
	case K_STR:
	case K_URL:
	case K_PATH:
	case K_SECRET:
		free(*AT(base, k->off, char *));
		break;
	case K_STRUCT:
		free_table(k->sub, base + k->off);
		break;
	case K_LIST: {
		char *arr = *AT(base, k->off, char *);

		n = *AT(base, k->count_off, size_t);
		for (i = 0; i < n; i++)
			free_table(k->sub, arr + i * k->elem_size);
		free(arr);
		break;
	}
	case K_DATES:
	case K_FREEMAIL:
		free_list(*AT(base, k->off, char **), *AT(base, k->count_off, size_t));
		break;
	case K_KV: {
		struct config_kv *kv = *AT(base, k->off, struct config_kv *);

		n = *AT(base, k->count_off, size_t);
		for (i = 0; i < n; i++) {
			free(kv[i].key);
			free(kv[i].value);
		}
		free(kv);
		break;
	}
	case K_NUMS: {
		struct config_num *nums = *AT(base, k->off, struct config_num *);

		n = *AT(base, k->count_off, size_t);
		for (i = 0; i < n; i++)
			free(nums[i].key);
		free(nums);
		break;
	}
	case K_FIELDS:
		free_fields(*AT(base, k->off, struct config_field *),
		    *AT(base, k->count_off, size_t));
		break;
	default:
		break;
	}
}

static void
free_table(const struct key *tab, char *base)
{
	for (; tab->name; tab++)
		free_key(tab, base);
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nsources; i++)
		secret_free(cfg->sources[i].auth.secret);
	secret_free(cfg->crm.auth.private_key_value);
	secret_free(cfg->crm.auth.client_secret_value);
	secret_free(cfg->crm.auth.refresh_token_value);
	secret_free(cfg->audit.hmac_key_value);
	free_table(k_root, (char *)cfg);
	free(cfg->path);
	free(cfg);
}

struct config *
config_load_buffer(const char *name, const char *data, size_t len,
    int flags, struct diags *d)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct ynode *root = NULL;
	struct ctx x;
	unsigned char digest[DIGEST_LEN];
	size_t before = d->n;
	char err[256];

	cfg->path = xstrdup(name);
	sha256(data, len, digest);
	hex_encode(digest, DIGEST_LEN, cfg->sha256);
	apply_defaults(k_root, (char *)cfg);
	cfg->normalize.free_mail_default = 1;
	if (normalize_init(NULL, err, sizeof(err)) < 0) {
		diags_add(d, 0, 0, "", "cannot load ISO code tables: %s", err);
		goto fail;
	}
	if (len == 0) {
		diags_add(d, 0, 0, "", "the file is empty");
		goto fail;
	}
	if (memchr(data, '\0', len)) {
		diags_add(d, 0, 0, "", "the file contains NUL bytes; it is not "
		    "a YAML text file");
		goto fail;
	}
	/* structural YAML errors stop here; the others (duplicate keys,
	 * aliases) leave a whole tree, so every other error is found too */
	if (yaml_parse(data, len, YAML_KEEP_TREE, &root, d) == -2)
		goto fail;
	if (root == NULL) {
		diags_add(d, 0, 0, "", "the file has no content (only comments)");
		goto fail;
	}
	if (root->kind != YNODE_MAP) {
		diags_add(d, root->line, root->col, "", "the top level must be "
		    "a mapping (daemon:, crm:, sources:, ...), found %s",
		    ynode_kind_name(root));
		goto fail;
	}
	x.d = d;
	x.cfg = cfg;
	x.root = root;
	x.flags = flags;
	parse_table(&x, k_root, (char *)cfg, root, NULL, "");
	cfg_check(&x);
	if (d->n > before) {
		diags_sort(d);
		goto fail;
	}
	ynode_free(root);
	return cfg;
fail:
	ynode_free(root);
	config_free(cfg);
	return NULL;
}

struct config *
config_load(const char *path, int flags, struct diags *d)
{
	struct config *cfg = NULL;
	struct buf b;
	char chunk[65536];
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		diags_add(d, 0, 0, "", "cannot open: %s", strerror(errno));
		if (errno == EACCES)
			diags_mark_perm(d);
		return NULL;
	}
	buf_init(&b, CONFIG_MAX_BYTES);
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diags_add(d, 0, 0, "", "cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (buf_add(&b, chunk, (size_t)r) < 0) {
			diags_add(d, 0, 0, "", "the file is larger than %u bytes; "
			    "this is not a chansync configuration",
			    CONFIG_MAX_BYTES);
			goto out;
		}
	}
	cfg = config_load_buffer(path, buf_str(&b), b.len, flags, d);
out:
	close(fd);
	buf_free(&b);
	return cfg;
}

char *
config_peek_state_dir(const char *path)
{
	struct diags d;
	struct ynode *root = NULL;
	const struct ynode *v;
	char *data = NULL, *ret = NULL;
	size_t n = 0, i;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	data = xmalloc(CONFIG_MAX_BYTES + 1);
	n = fread(data, 1, CONFIG_MAX_BYTES, f);
	fclose(f);
	/* tabs stop the parser; they are errors the daemon will report */
	for (i = 0; i < n; i++)
		if (data[i] == '\t')
			data[i] = ' ';
	diags_init(&d, path);
	yaml_parse(data, n, YAML_KEEP_TREE, &root, &d);
	if ((v = ynode_get(ynode_get(root, "daemon", NULL), "state_dir", NULL)) &&
	    v->kind == YNODE_SCALAR && v->str[0] == '/')
		ret = xstrdup(v->str);
	ynode_free(root);
	diags_free(&d);
	free(data);
	return ret;
}

const char *
config_default_path(const char *given)
{
	const char *env = getenv("CHANSYNC_CONFIG");

	if (given)
		return given;
	if (env && *env)
		return env;
	return CONFIG_DEFAULT_PATH;
}

const struct config_source *
config_source_by_name(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	return NULL;
}

int
config_fx_rate(const struct config *cfg, const char *code, double *ret)
{
	size_t i;

	if (strcmp(code, cfg->normalize.base_currency) == 0) {
		*ret = 1.0;
		return 0;
	}
	for (i = 0; i < cfg->normalize.nfx; i++)
		if (strcmp(cfg->normalize.fx[i].key, code) == 0) {
			*ret = cfg->normalize.fx[i].value;
			return 0;
		}
	return -1;
}
