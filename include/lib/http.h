/*
 * http.h - the one HTTP client: libcurl's multi interface behind a small
 * request/response API, with the policy every caller shares.
 *
 * Policy: https only, plain http only to loopback addresses (the URL is
 * checked before any request, redirects are not followed); certificates
 * always verified (a ca_file may add a CA); connect, total and low-speed
 * timeouts; the decoded body counted and capped by our own write
 * callback (libcurl 7.88 does not enforce MAXFILESIZE on chunked or
 * compressed bodies); gzip/br/zstd accepted.
 *
 * A request runs in the caller's thread but never blocks it for long: the
 * transfer is polled in slices of at most 250 ms and the caller's tick()
 * runs between slices (watchdog, signals); a stop request aborts the
 * transfer. Retries (http_do) use exponential backoff with full jitter,
 * honouring Retry-After, and sleep through the same ticking wait.
 */
#ifndef CHANSYNC_HTTP_H
#define CHANSYNC_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/mem.h"

#define HTTP_DEFAULT_MAX_BODY (64u << 20)

struct http;

/* Whether host (as a URL holds it: "127.0.0.1", "[::1]", "localhost")
 * is a loopback address. */
int http_loopback_host(const char *host);

/* Once, at the top of main() before any thread; and at exit. */
void http_global_init(void);
void http_global_cleanup(void);

struct http_request {
	const char *method;		/* "GET" (default), "POST", "PATCH" */
	const char *url;
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const char *body;		/* request body or NULL */
	size_t body_len;
	const char *username;		/* basic auth, or NULL */
	const char *password;
	const char *ca_file;		/* extra CA bundle, or NULL */
	long timeout_ms;		/* whole request; 0: 120 s */
	long low_speed_time;		/* s below 100 B/s that abort; 0: 30 */
	size_t max_body;		/* 0: HTTP_DEFAULT_MAX_BODY */
};

enum http_result {
	HTTP_OK,		/* a response arrived (any status) */
	HTTP_ENET,		/* connection, timeout, reset, truncation: retryable */
	HTTP_ETOOBIG,		/* body over max_body: not retryable */
	HTTP_EPOLICY,		/* URL refused before any request */
	HTTP_ESTOPPED,		/* the daemon is stopping */
	HTTP_EOTHER,		/* anything else libcurl reports */
};

struct http_response {
	long status;
	struct buf body;		/* decoded body, NUL-terminated */
	long retry_after;		/* seconds from Retry-After, -1 absent */
	char *link_next;		/* RFC 8288 rel="next" target, or NULL */
	char *limit_info;		/* Sforce-Limit-Info, or NULL */
	char *content_type;
	char error[256];		/* for failures: what happened */
	int attempts;			/* made by http_do */
};

struct http_retry {
	int max_attempts;		/* 0: 5 */
	double base_s;			/* 0: 1 */
	double cap_s;			/* 0: 300 */
	double max_wait_s;		/* longer Retry-After: give up; 0: 300 */
};

/*
 * A client. tick(arg) is called between poll slices and waits; it
 * returns 1 when the caller must stop. Returns a new client.
 */
struct http *http_new(int (*tick)(void *), void *tick_arg);
void http_free(struct http *h);

/* Resets a response for reuse (frees what it held). */
void http_response_init(struct http_response *rs);
void http_response_free(struct http_response *rs);

/* NULL when url may be requested, else why not (https/loopback rule). */
const char *http_url_problem(const char *url);
/* 1 when a and b have the same scheme, host and port. */
int http_same_origin(const char *a, const char *b);
/* Returns a new absolute URL: ref resolved against base (RFC 3986). */
char *http_resolve(const char *base, const char *ref);
/* The rel="next" target of a Link header value (RFC 8288), new or NULL. */
char *http_link_next(const char *value);
/* Returns a new string: s percent-encoded for a URL or a form body. */
char *http_escape(const char *s);
/* Returns a new string: url with "name=value" appended (value escaped). */
char *http_add_param(const char *url, const char *name, const char *value);

/* One attempt. Fills rs; returns what happened. */
enum http_result http_perform(struct http *h, const struct http_request *rq,
    struct http_response *rs);
/* 1 when the outcome is worth retrying (network error, 408/429/5xx). */
int http_retryable(enum http_result r, long status);

/*
 * Attempts until a response that is not retryable, the attempts run out,
 * a Retry-After beyond max_wait_s, or a stop. Returns the last outcome;
 * rs holds the last response.
 */
enum http_result http_do(struct http *h, const struct http_request *rq,
    const struct http_retry *policy, struct http_response *rs);

/*
 * The backoff before attempt n (1 = the first retry): full jitter over
 * [0, min(cap, base*2^(n-1))], never less than retry_after (clamped to
 * [0, max_wait]). r01 is a uniform draw in [0, 1). Pure; tested alone.
 */
double http_backoff(int n, double retry_after, double r01, double base,
    double cap, double max_wait);

/* Waits ms milliseconds while ticking; returns 1 when asked to stop. */
int http_sleep(struct http *h, long ms);

#endif
