/*
 * salesforce.h - the Salesforce REST client: OAuth 2.0 (JWT bearer with an
 * RS256-signed assertion, client credentials, refresh token with rotation
 * persisted atomically before use), authenticated requests over the shared
 * HTTP client, query/queryAll paging, getDeleted, sObject Collections.
 *
 * A token is obtained once and reused; a 401 INVALID_SESSION_ID makes the
 * client log in again exactly once and retry the request once (one thread:
 * never two refreshes in flight). Every response's Sforce-Limit-Info is
 * parsed; above crm.api_budget_percent of the daily limit the client makes
 * no further calls in this cycle (the first call of the next cycle tells
 * whether the budget has returned). Errors come back classified, with a
 * message a person can act on and no secret in it.
 */
#ifndef CHANSYNC_SALESFORCE_H
#define CHANSYNC_SALESFORCE_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/json.h"
#include "lib/jscan.h"
#include "lib/mem.h"
#include "lib/secret.h"

struct http;
struct sf;

enum sf_result {
	SF_OK,
	SF_EAUTH,	/* the login was refused: fix the configuration */
	SF_EBUDGET,	/* above the API budget, or REQUEST_LIMIT_EXCEEDED */
	SF_ENET,	/* unreachable / 5xx / 429 after the retries */
	SF_EREQUEST,	/* 4xx that will not get better: MALFORMED_QUERY, ... */
	SF_ETIMEOUT,	/* QUERY_TIMEOUT: narrow the window */
	SF_ESTOPPED,	/* the daemon is stopping */
	SF_EBODY,	/* the response is not what the API promises */
	SF_ELOCAL,	/* a local failure: the database refused a write */
};

struct sf_error {
	enum sf_result result;
	long status;		/* HTTP status, 0 when none */
	char code[64];		/* errorCode or OAuth error */
	char message[512];	/* for people; no secrets */
};

/* cfg and http are borrowed; cfg may be replaced with sf_set_config(). */
struct sf *sf_new(const struct config *cfg, struct http *http);
void sf_free(struct sf *sf);
/* After a reload: forgets the token if the login settings changed. */
void sf_set_config(struct sf *sf, const struct config *cfg);
/* At a cycle's start: the next call may probe a spent budget again. */
void sf_cycle_begin(struct sf *sf);

/* Logs in now (normally done on demand). */
enum sf_result sf_login(struct sf *sf, struct sf_error *e);

/* Who we are and what the org has used: NULL/-1 when not known yet. */
const char *sf_username(const struct sf *sf);
const char *sf_instance_url(const struct sf *sf);
void sf_api_usage(const struct sf *sf, int64_t *used, int64_t *limit);

/*
 * Sends one authenticated REST request: path is relative to the
 * instance's /services/data/vNN.N (e.g. "/limits") or absolute from the
 * instance root when it starts with "/services/". On success *ret gets
 * the parsed body (a new reference; NULL for an empty body).
 */
enum sf_result sf_request(struct sf *sf, const char *method, const char *path,
    const char *body, const char *const *headers, struct jval **ret,
    struct sf_error *e);

/*
 * One page of a query, tokenized with jscan (a page is ~2 MB; jansson
 * would spend more CPU on it than the rest of the sync). records is the
 * token of the records array: its first record is records + 1 and each
 * next one at js.t[previous].end. next is NULL on the last page.
 */
struct sf_page {
	struct buf body;
	struct jscan js;
	int records;
	size_t nrecords;
	int64_t total;
	char *next;			/* nextRecordsUrl, new */
};
void sf_page_free(struct sf_page *p);

/* The first page of soql (queryAll when all), batchSize 200..2000. */
enum sf_result sf_query(struct sf *sf, const char *soql, int all, int batch,
    struct sf_page *page, struct sf_error *e);
/* Frees what a page points to but keeps its buffers for the next one. */
void sf_page_recycle(struct sf_page *p);
/* The page at next (a nextRecordsUrl of this instance); page is zeroed,
 * or recycled (its buffers are reused). */
enum sf_result sf_query_more(struct sf *sf, const char *next, int batch,
    struct sf_page *page, struct sf_error *e);
/* The URL length a query would have (the 16 KB URI limit). */
size_t sf_query_url_length(const struct sf *sf, const char *soql, int all);

/* getDeleted for [start, end) (epoch seconds; minute granularity). */
struct sf_deleted {
	char **ids;
	size_t n;
	int64_t earliest;	/* earliestDateAvailable, epoch s */
	int64_t latest;		/* latestDateCovered, epoch s */
};
enum sf_result sf_get_deleted(struct sf *sf, const char *sobject, int64_t start,
    int64_t end, struct sf_deleted *out, struct sf_error *e);
void sf_deleted_free(struct sf_deleted *d);

/* sObject Collections. */
struct sf_write_result {
	int success;
	int created;		/* upserts: 1 created, 0 updated, -1 not said */
	char *id;		/* may be NULL on failure */
	char *status_code;	/* the first error's statusCode, or NULL */
	char *message;
	char *fields;		/* the first error's fields, comma-separated */
};

enum sf_write_op { SF_CREATE, SF_UPDATE, SF_UPSERT };

/*
 * Writes up to 200 records (a JSON array of objects with attributes.type;
 * stolen) with allOrNone false. For SF_UPSERT, ext_field names the
 * external id field. On SF_OK, *results holds one result per record in
 * request order (free with sf_write_results_free).
 */
enum sf_result sf_collections(struct sf *sf, enum sf_write_op op,
    const char *sobject, const char *ext_field, struct jval *records,
    struct sf_write_result **results, size_t *nresults, struct sf_error *e);
void sf_write_results_free(struct sf_write_result *r, size_t n);

/*
 * The RS256 JWT bearer assertion for these claims (exp = now + 3 min).
 * Returns a new "header.claims.signature", or NULL with err (never any
 * key material). sf_login() uses the same code.
 */
char *sf_jwt_for_test(const struct secret *key, const char *client_id,
    const char *username, const char *audience, char *err, size_t errlen);

/* Formats a SOQL string literal: quotes and backslash escapes (\\ ' " \n \r \t \b \f
 * as Salesforce reads them).
 * Returns a new string, or NULL for a control character SOQL cannot hold. */
char *sf_soql_quote(const char *s);
/* A SOQL dateTime literal for t (epoch s): 2026-11-27T08:00:00Z. */
void sf_soql_datetime(int64_t t, char out[21]);
/* 1 when s is a Salesforce API name (Field__c, Account.Website). */
int sf_api_name_valid(const char *s);
/* Parses "api-usage=U/L" anywhere in a Sforce-Limit-Info value. */
int sf_parse_limit_info(const char *v, int64_t *used, int64_t *limit);

#endif
