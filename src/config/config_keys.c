/*
 * config_keys.c - the configuration's schema as tables: every key with
 * its type, place in struct config, range, default and whether it is
 * required (contract §3); the names of every enum. config.c reads a YAML
 * tree against them; nothing here runs.
 */
#include "config/config.h"
#include "config_internal.h"

#include <stddef.h>
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
const char *const cfg_e_time_format[] = { "iso8601", "epoch_s",
	"epoch_ms", NULL };
const char *const cfg_e_auth_kind[] = { "bearer", "basic", "header", NULL };
static const char *const e_page_kind[] = { "cursor", "page", "link", NULL };
static const char *const e_format[] = { "csv", "ndjson", NULL };
static const char *const e_policy[] = { "first_to_register", "highest_score",
	"manual", "likelihood_to_close", NULL };
static const char *const e_direct_policy[] = { "registration_first",
	"direct_first", "manual", NULL };
static const char *const e_preflight[] = { "warn", "strict", "off", NULL };
static const char *const e_period[] = { "quarter", "month", "year", NULL };
static const char *const e_basis[] = { "plan", "remaining", NULL };
static const char *const e_peer[] = { "all", "tier", NULL };
static const char *const e_kpis[] = { "plan_attainment", "pipeline_coverage",
	"win_rate", "registration_quality", "registration_conversion",
	"engagement", "certifications", "mdf_approval", "mdf_roi", NULL };
/* what a tier may require of a scorecard (score.c) */
const char *const cfg_e_tier_requires[] = { "attainment", "coverage",
	"win_rate", "registration_quality", "registration_conversion",
	"certifications", "engagement", "closed_won", "mdf_roi", NULL };
const char *const cfg_e_wb_fields[] = { "score", "tier", "plan_attainment",
	"pipeline_coverage", "risk_adjusted_coverage", "scored_at", NULL };
const char *const cfg_e_days[] = { "mon", "tue", "wed", "thu", "fri",
	"sat", "sun", NULL };

#define C struct config
#define D struct config_source

static const struct key k_daemon[] = {
	KPATH(C, "state_dir", daemon.state_dir, "/var/lib/chansync", 0),
	KDUR(C, "interval", daemon.interval, MIN_S, 30 * DAY, "15m"),
	KDUR(C, "jitter", daemon.jitter, 0, DAY, "60s"),
	KDUR(C, "clock_skew", daemon.clock_skew, 0, 7 * DAY, "1h"),
	KBOOL(C, "dry_run", daemon.dry_run, "false"),
	KENUM(C, "log_level", daemon.log_level, e_log_level, "info", 0),
	KSTR(C, "timezone", daemon.timezone, "UTC", 0),
	{ "business_days", K_DAYS, OFF(C, daemon.business_days), 0, NULL, 0,
	  cfg_e_days, 0, 0, "mon,tue,wed,thu,fri", 0, -1 },
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
static const struct key k_decision[] = {
	KSTR(O, "approved", decision.approved, "Approved", 0),
	KSTR(O, "rejected", decision.rejected, "Rejected", 0),
	KSTR(O, "reason_field", decision.reason_field, NULL, 0),
	END
};
static const struct key k_object[] = {
	KSTR(O, "sobject", sobject, NULL, 0),
	KSTR(O, "where", where, NULL, 0),
	KFIELDS(O, "fields", fields, nfields, 0),
	KKV(O, "status_map", status_map, nstatus_map, entity_statuses),
	KSTRUCT(O, "decision", decision, k_decision,
	    (int)OFF(O, decision.present)),
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
	{ "users", K_STRUCT, OFF(C, crm.objects.users), 0, k_object, 0, NULL,
	  0, 0, NULL, 0, OFF(C, crm.objects.users.present) },
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
	KENUM(C, "preflight", crm.preflight, e_preflight, "warn", 0),
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
	KENUM(D, "time_format", time_format, cfg_e_time_format, "iso8601", 0),
	KDUR(D, "max_run", max_run, MIN_S, DAY, "10m"),
	{ "decisions", K_DECISIONS, OFF(D, decisions), OFF(D, decisions_url),
	  NULL, 0, NULL, 0, 0, NULL, 0, -1 },
	/* http_json */
	KURL(D, "url", url, NULL, 0),
	KPATH(D, "ca_file", ca_file, NULL, 0),
	KSTR(D, "since_param", since_param, NULL, 0),
	KSTR(D, "records", records, NULL, 0),
	KINT(D, "page_limit", page_limit, 1, 100000, "1000"),
	KINT(D, "page_retries", page_retries, 0, 1000, "3"),
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
	KDUR(D, "settle", settle, 0, HOUR, "2s"),
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
	KNUM(C, "review_threshold", rules.conflicts.review_threshold, 0.5, 1.0,
	    "0.86"),
	KDUR(C, "protection", rules.conflicts.protection, DAY, 3650 * DAY, "90d"),
	KBOOL(C, "same_product_only", rules.conflicts.same_product_only, "true"),
	KENUM(C, "policy", rules.conflicts.policy, e_policy,
	    "first_to_register", 0),
	KBOOL(C, "direct", rules.conflicts.direct, "true"),
	KENUM(C, "direct_policy", rules.conflicts.direct_policy, e_direct_policy,
	    "registration_first", 0),
	KDUR(C, "direct_grace", rules.conflicts.direct_grace, 0, 3650 * DAY,
	    "30d"),
	END
};
static const struct key k_partners[] = {
	KSTR(C, "owner_field", partners.owner_field, "OwnerId", 0),
	{ "aliases", K_ALIASES, OFF(C, partners.aliases),
	  OFF(C, partners.naliases), NULL, 0, NULL, 0, 0, NULL, 0, -1 },
	END
};
static const struct key k_registrations[] = {
	KDUR(C, "default_validity", registrations.default_validity, DAY,
	    3650 * DAY, "90d"),
	KDUR(C, "pending_max_age", registrations.pending_max_age, DAY,
	    3650 * DAY, "60d"),
	END
};
static const struct key k_sla[] = {
	KDUR(C, "warn", rules.approval_sla.warn, HOUR, 365 * DAY, "2d"),
	KDUR(C, "breach", rules.approval_sla.breach, HOUR, 365 * DAY, "4d"),
	END
};
static const struct key k_pipeline[] = {
	KENUM(C, "period", rules.pipeline.period, e_period, "quarter", 0),
	KENUM(C, "basis", rules.pipeline.basis, e_basis, "remaining", 0),
	KINT(C, "horizon", rules.pipeline.horizon, 1, 8, "2"),
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

#define T struct config_tier
static const struct key k_tier[] = {
	KSTR(T, "name", name, NULL, 1),
	KNUM(T, "min_score", min_score, 0, 100, "0"),
	KNUMS(T, "requires", requires, nrequires, cfg_e_tier_requires, 0, 1e15,
	    NULL),
	END
};
#undef T

static const struct key k_scoring[] = {
	KENUM(C, "peer_group", scoring.peer_group, e_peer, "all", 0),
	KNUMS(C, "weights", scoring.weights, scoring.nweights, e_kpis, 0, 1000,
	    "plan_attainment:30,pipeline_coverage:20,win_rate:15,"
	    "registration_quality:10,engagement:15,mdf_roi:10"),
	KNUM(C, "win_rate_target", scoring.win_rate_target, 0.01, 1, "0.30"),
	KNUMS(C, "engagement", scoring.engagement, scoring.nengagement, NULL,
	    0, 1000, "certification:1,campaign:1,meeting:1,lead_shared:1"),
	{ "tiers", K_TIERS, OFF(C, scoring.tiers), OFF(C, scoring.ntiers),
	  k_tier, sizeof(struct config_tier), NULL, 0, 0,
	  "platinum:80:attainment=1;certifications=3,gold:60:certifications=1,"
	  "silver:40,bronze:0", 0, -1 },
	KDUR(C, "certification_valid", scoring.certification_valid, DAY,
	    3650 * DAY, "730d"),
	END
};

static const struct key k_mdf[] = {
	KBOOL(C, "enabled", mdf.enabled, "true"),
	{ "claims", K_STRUCT, OFF(C, mdf.claims), 0, k_object, 0, NULL, 0, 0,
	  NULL, 0, OFF(C, mdf.claims.present) },
	{ "requests", K_STRUCT, OFF(C, mdf.requests), 0, k_object, 0, NULL, 0,
	  0, NULL, 0, OFF(C, mdf.requests.present) },
	{ "paid_statuses", K_WORDS, OFF(C, mdf.paid_statuses),
	  OFF(C, mdf.npaid_statuses), NULL, 0, NULL, 0, 0, "Paid", 0, -1 },
	{ "approved_statuses", K_WORDS, OFF(C, mdf.approved_statuses),
	  OFF(C, mdf.napproved_statuses), NULL, 0, NULL, 0, 0, "Approved,Paid",
	  0, -1 },
	{ "rejected_statuses", K_WORDS, OFF(C, mdf.rejected_statuses),
	  OFF(C, mdf.nrejected_statuses), NULL, 0, NULL, 0, 0, "Rejected", 0,
	  -1 },
	END
};

static const struct key k_audit[] = {
	KSECRET(C, "hmac_key", audit.hmac_key),
	END
};

const char *const config_alert_types[] = { "partner_conflict",
	"direct_conflict", "double_approval", "duplicate_registration",
	"approval_sla_warning", "approval_sla_breach", "stale_registrations",
	"registration_expiring", "pipeline_below_plan",
	"risk_adjusted_below_plan", "pipeline_past_due", "score_drop",
	"tier_changed", "unknown_partner", "source_page_skipped", NULL };
static const char *const e_starttls[] = { "required", "none", NULL };
static const struct key k_digest[] = {
	KSTR(C, "at", notify.digest.at, "08:00", 0),
	KBOOL(C, "business_days_only", notify.digest.business_days_only, "true"),
	END
};
static const struct key k_smtp[] = {
	KSTR(C, "url", notify.smtp.url, NULL, 1),
	KSTR(C, "from", notify.smtp.from, NULL, 1),
	KSTR(C, "username", notify.smtp.username, NULL, 0),
	KSECRET(C, "password", notify.smtp.password),
	KENUM(C, "starttls", notify.smtp.starttls, e_starttls, "required", 0),
	KPATH(C, "ca_file", notify.smtp.ca_file, NULL, 0),
	END
};
static const struct key k_webhook[] = {
	KSECRET(C, "url", notify.webhook.url),
	END
};
static const struct key k_notify[] = {
	KSTRUCT(C, "digest", notify, k_digest, -1),
	{ "immediate", K_WORDS, OFF(C, notify.immediate),
	  OFF(C, notify.nimmediate), NULL, 0, config_alert_types, 0, 0,
	  "double_approval,direct_conflict", 0, -1 },
	KSTRUCT(C, "smtp", notify, k_smtp, (int)OFF(C, notify.smtp.present)),
	KSTRUCT(C, "webhook", notify, k_webhook,
	    (int)OFF(C, notify.webhook.present)),
	KKV(C, "recipients", notify.recipients, notify.nrecipients, NULL),
	END
};

const struct key cfg_root_keys[] = {
	KSTRUCT(C, "daemon", daemon, k_daemon, -1),
	KSTRUCT(C, "crm", crm, k_crm, (int)OFF(C, crm.present)),
	KLIST(C, "sources", sources, nsources, k_source, struct config_source),
	KSTRUCT(C, "normalize", normalize, k_normalize, -1),
	KSTRUCT(C, "partners", partners, k_partners, -1),
	KSTRUCT(C, "registrations", registrations, k_registrations, -1),
	KSTRUCT(C, "rules", rules, k_rules, -1),
	KSTRUCT(C, "scoring", scoring, k_scoring, -1),
	KSTRUCT(C, "mdf", mdf, k_mdf, -1),
	KSTRUCT(C, "audit", audit, k_audit, -1),
	KSTRUCT(C, "notify", notify, k_notify, (int)OFF(C, notify.present)),
	END
};

#undef C
#undef D
