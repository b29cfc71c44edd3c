/*
 * config.h - the whole configuration of contract §3 in one struct, parsed and
 * validated from YAML before any side effect.
 *
 * Parsing is driven by the key tables in config.c (name, type, default,
 * range, help); every error of a file is reported as
 * "FILE:LINE:COL: key.path: message". Secret references are resolved at
 * load; a secret file readable by group or others makes the load fail
 * with a permission diagnostic (exit 77). Reload parses a new struct and
 * swaps it in only when it is valid.
 */
#ifndef CHANSYNC_CONFIG_H
#define CHANSYNC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "model/entity.h"
#include "model/normalize.h"
#include "lib/secret.h"

#define CONFIG_DEFAULT_PATH "/etc/chansync/chansync.yaml"
#define CONFIG_MAX_BYTES (1u << 20)

/* canonical field <- source field (CSV column, JSON pointer, SF field) */
struct config_field {
	char *canon;
	int index;		/* in entity_def(kind)->fields */
	char *src;
	int has_format;		/* a per-field time format override */
	enum time_format format;
};

/* partners.aliases: another system's partner id, the CRM Account Id */
struct config_alias {
	char *source, *id, *crm_id;
};

struct config_kv {		/* status_map and writeback field maps */
	char *key;
	char *value;
};

struct config_num {		/* fx, stages, weights, engagement, requires */
	char *key;
	double value;
};

/* scoring.tiers: one program tier, a rule a partner's scorecard meets */
struct config_tier {
	char *name;
	double min_score;
	struct config_num *requires;	/* attainment, certifications, ... */
	size_t nrequires;
};

struct config_object {		/* one entry of crm.objects */
	int present;
	char *sobject;
	char *where;
	char *kind;		/* activities: the activity kind */
	struct config_field *fields;
	size_t nfields;
	struct config_kv *status_map;
	size_t nstatus_map;
	struct {			/* registrations: what a decision writes */
		int present;
		char *approved, *rejected;	/* the Lead statuses */
		char *reason_field;		/* NULL: none */
	} decision;
};

enum source_kind { SOURCE_HTTP_JSON, SOURCE_FILE_DROP };
/* A kind's name as the configuration writes it ("http_json"), or NULL. */
const char *config_source_kind_name(int kind);
enum auth_kind { AUTH_BEARER, AUTH_BASIC, AUTH_HEADER };
enum page_kind { PAGE_CURSOR, PAGE_PAGE, PAGE_LINK };
enum file_format { FORMAT_CSV, FORMAT_NDJSON };

struct config_source {
	char *name;
	int kind;		/* enum source_kind */
	int entity;		/* enum entity_kind */
	struct config_field *fields;
	size_t nfields;
	struct config_kv *status_map;
	size_t nstatus_map;
	int64_t interval;	/* seconds; 0: daemon.interval */
	int time_format;	/* enum time_format */
	/* http_json */
	char *url;
	char *ca_file;
	char *since_param;
	char *records;		/* JSON pointer to the records array */
	int64_t page_limit;	/* pages per cycle */
	int64_t page_retries;	/* cycles an unreadable page fails the source
				 * before it is skipped; 0: never skipped */
	int64_t max_run;	/* seconds a source may read in one cycle;
				 * then it stops at a committed page or file */
	int64_t timeout;	/* seconds per request */
	int64_t retries;	/* attempts per request */
	int64_t lookback;	/* seconds re-read behind the watermark */
	struct {
		int kind;	/* enum auth_kind */
		char *token;	/* references, resolved into secret below */
		char *username;
		char *password;
		char *name;	/* header name */
		char *value;
		struct secret *secret;
	} auth;
	struct {
		int kind;	/* enum page_kind */
		char *param;
		char *next;
		char *size_param;
		int64_t size;
	} pagination;
	char *decisions;	/* operators' decisions appended here, NDJSON */
	char *decisions_url;	/* or POSTed here, one line each */
	/* file_drop */
	char *path;
	int format;		/* enum file_format */
	char *delimiter;
	int64_t max_file_bytes;
	int64_t settle;		/* seconds a file must rest unchanged */
};

enum auth_flow { FLOW_JWT_BEARER, FLOW_CLIENT_CREDENTIALS, FLOW_REFRESH_TOKEN };
enum conflict_policy { POLICY_FIRST, POLICY_SCORE, POLICY_MANUAL,
	POLICY_LIKELIHOOD };
enum direct_policy { DIRECT_REGISTRATION_FIRST, DIRECT_FIRST, DIRECT_MANUAL };
enum pipeline_period { PERIOD_QUARTER, PERIOD_MONTH, PERIOD_YEAR };
enum pipeline_basis { BASIS_PLAN, BASIS_REMAINING };
enum peer_group { PEER_ALL, PEER_TIER };

struct config {
	char *path;		/* as given */
	char sha256[65];	/* hex SHA-256 of the file's bytes */

	struct {
		char *state_dir;
		int64_t interval, jitter;	/* seconds */
		int64_t clock_skew;	/* seconds a source's updated_at or
					 * registered_at may be ahead of ours */
		int dry_run;
		int log_level;			/* LOG_ERR..LOG_DEBUG */
		char *timezone;
		unsigned business_days;		/* bit 0 = mon ... bit 6 = sun */
		char **holidays;		/* "YYYY-MM-DD" */
		size_t nholidays;
	} daemon;

	struct {
		int present;
		int kind;
		char *login_url;
		char *api_version;
		struct {
			int flow;		/* enum auth_flow */
			char *client_id;
			char *username;
			char *private_key;	/* references */
			char *client_secret;
			char *refresh_token;
			struct secret *private_key_value;
			struct secret *client_secret_value;
			struct secret *refresh_token_value;
		} auth;
		int64_t api_budget_percent;
		int preflight;		/* enum preflight: the org checked at start */
		int64_t batch_size;
		int64_t lookback, safety_lag;	/* seconds */
		char *ca_file;
		struct {
			struct config_object partners, opportunities,
			    registrations, plans, users;
			struct config_object *activities;
			size_t nactivities;
		} objects;
		struct {
			struct {
				int present;
				char *sobject;
				struct config_kv *fields;
				size_t nfields;
			} partner;
			struct {
				int present;
				char *sobject;
				char *external_id;
			} alerts, conflicts;
			int duplicate_rule_allow_save;
		} writeback;
	} crm;

	struct config_source *sources;
	size_t nsources;

	struct {
		char *base_currency;
		struct config_num *fx;
		size_t nfx;
		struct config_num *stages;
		size_t nstages;
		int free_mail_default;		/* 1: built-in list */
		char **free_mail_domains;	/* or these */
		size_t nfree_mail_domains;
	} normalize;

	struct {
		char *owner_field;	/* the partner object's owner (a User) */
		struct config_alias *aliases;
		size_t naliases;
	} partners;

	struct {
		int64_t default_validity;	/* an approval with no expiry */
		int64_t pending_max_age;	/* then a pending claim is stale */
	} registrations;

	struct {
		struct {
			double match_threshold;
			double review_threshold;	/* possible matches from here */
			int64_t protection;
			int same_product_only;
			int policy;		/* enum conflict_policy */
			int direct;
			int direct_policy;	/* enum direct_policy */
			int64_t direct_grace;
		} conflicts;
		struct {
			int64_t warn, breach;	/* seconds (business days) */
		} approval_sla;
		int64_t expiry_warning;
		struct {
			int period;		/* enum pipeline_period */
			int basis;		/* enum pipeline_basis */
			int64_t horizon;	/* periods checked: the current, then later */
			double total_index, risk_adjusted_index, critical_below;
		} pipeline;
		double score_drop;
	} rules;

	struct {
		int peer_group;			/* enum peer_group */
		struct config_num *weights;
		size_t nweights;
		double win_rate_target;
		struct config_num *engagement;
		size_t nengagement;
		struct config_tier *tiers;	/* top down: the first met */
		size_t ntiers;
		int64_t certification_valid;	/* seconds a certification counts */
	} scoring;

	struct {			/* contract §3 mdf: the CRM's MDF objects */
		int enabled;
		struct config_object claims, requests;
		char **paid_statuses, **approved_statuses, **rejected_statuses;
		size_t npaid_statuses, napproved_statuses, nrejected_statuses;
	} mdf;

	struct {
		char *hmac_key;			/* reference */
		struct secret *hmac_key_value;
	} audit;

	struct {			/* contract §15 */
		int present;
		struct {
			char *at;		/* "HH:MM" in daemon.timezone */
			int minute;		/* of the day, from at */
			int business_days_only;
		} digest;
		char **immediate;		/* alert types sent at once */
		size_t nimmediate;
		struct {
			int present;
			char *url;		/* smtp:// or smtps:// */
			char *from;
			char *username;
			char *password;		/* reference */
			int starttls;		/* enum starttls */
			char *ca_file;
			struct secret *password_value;
		} smtp;
		struct {
			int present;
			char *url;		/* reference */
			struct secret *url_value;
		} webhook;
		struct config_kv *recipients;	/* owner id -> e-mail */
		size_t nrecipients;
	} notify;
};

enum starttls { STARTTLS_REQUIRED, STARTTLS_NONE };
enum preflight { PREFLIGHT_WARN, PREFLIGHT_STRICT, PREFLIGHT_OFF };

/*
 * Where key (a path as diagnostics write it: "crm.writeback.alerts",
 * "crm.objects.activities[0].fields.kind") is in cfg's file, or the
 * nearest key above it the file holds: 0 with *line and *col (1-based),
 * -1 when the file cannot be read again.
 */
int config_position(const struct config *cfg, const char *key, int *line,
    int *col);

/* The alert types of contract §8, NULL-terminated. */
extern const char *const config_alert_types[];

/* config_load flags */
#define CONFIG_SKIP_SECRETS 0x1	/* chansyncctl: validate, do not resolve */

/*
 * Loads and validates path. Returns a new config, or NULL with every
 * problem in d (initialised by the caller with diags_init(d, path)).
 * diags_has_perm(d) tells a permission refusal (exit 77) from other
 * errors (exit 78).
 */
struct config *config_load(const char *path, int flags, struct diags *d);
/* Same, from bytes in memory (tests); name is used in messages. */
struct config *config_load_buffer(const char *name, const char *data,
    size_t len, int flags, struct diags *d);
void config_free(struct config *cfg);

/*
 * Reads daemon.state_dir from a file that may not be valid (chansyncctl
 * reload must reach the daemon to have a broken file rejected and
 * audited there). Returns a new string, or NULL when it cannot tell.
 */
char *config_peek_state_dir(const char *path);

/* The path to use: -c, else $CHANSYNC_CONFIG, else the default. */
const char *config_default_path(const char *given);

/* Value lookups; NULL/-1 when absent. */
const struct config_source *config_source_by_name(const struct config *cfg,
    const char *name);
/* Returns the fx rate of code to the base currency (1 for the base). */
int config_fx_rate(const struct config *cfg, const char *code, double *ret);
/* Parses "30s", "15m", "48h", "90d". Returns 0 or -1. */
int config_parse_duration(const char *s, int64_t *ret);

#endif
