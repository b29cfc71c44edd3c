/*
 * http.c - libcurl behind the project's HTTP policy. The only file that
 * includes <curl/curl.h>.
 */
#include "lib/http.h"
#include "lib/clock.h"
#include "lib/digest.h"
#include "lib/mem.h"

#include <ctype.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#define SLICE_MS 250
#define USER_AGENT "chansync/0.1.0"

struct http {
	CURLM *multi;
	int (*tick)(void *);
	void *tick_arg;
};

void
http_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

struct http *
http_new(int (*tick)(void *), void *tick_arg)
{
	struct http *h = xcalloc(1, sizeof(*h));

	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		fprintf(stderr, "<2>chansync: curl_multi_init failed\n");
		abort();
	}
	h->tick = tick;
	h->tick_arg = tick_arg;
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_multi_cleanup(h->multi);
	free(h);
}

void
http_response_init(struct http_response *rs)
{
	memset(rs, 0, sizeof(*rs));
	buf_init(&rs->body, HTTP_DEFAULT_MAX_BODY);
	rs->retry_after = -1;
}

static void
response_clear(struct http_response *rs)
{
	buf_reset(&rs->body);
	free(rs->link_next);
	free(rs->limit_info);
	free(rs->content_type);
	rs->link_next = rs->limit_info = rs->content_type = NULL;
	rs->status = 0;
	rs->retry_after = -1;
	rs->error[0] = '\0';
}

void
http_response_free(struct http_response *rs)
{
	response_clear(rs);
	buf_free(&rs->body);
}

/* ---- URLs ---- */

int
http_loopback_host(const char *h)
{
	size_t i, n = strlen(h);

	if (strcasecmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0 ||
	    strcmp(h, "::1") == 0)
		return 1;
	if (strncmp(h, "127.", 4) != 0)
		return 0;
	for (i = 4; i < n; i++)
		if (!isdigit((unsigned char)h[i]) && h[i] != '.')
			return 0;
	return 1;
}

const char *
http_url_problem(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL;
	const char *why = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		why = "is not a valid URL";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK && user) {
		why = "must not contain user information; use auth:";
		goto out;
	}
	if (strcasecmp(scheme, "https") == 0)
		goto out;
	if (strcasecmp(scheme, "http") != 0)
		why = "must be an https:// URL";
	else if (!http_loopback_host(host))
		why = "plain http:// is only allowed to loopback addresses; "
		    "use https://";
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return why;
}

static char *
origin(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *ret = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		ret = xasprintf("%s://%s:%s", scheme, host, port);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ret;
}

int
http_same_origin(const char *a, const char *b)
{
	char *oa = origin(a), *ob = origin(b);
	int same = oa && ob && strcasecmp(oa, ob) == 0;

	free(oa);
	free(ob);
	return same;
}

char *
http_resolve(const char *base, const char *ref)
{
	CURLU *u = curl_url();
	char *out = NULL, *ret = NULL;

	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, ref, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
		ret = xstrdup(out);
	curl_free(out);
	curl_url_cleanup(u);
	return ret;
}

char *
http_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *ret;

	if (e == NULL) {
		fprintf(stderr, "<2>chansync: out of memory escaping\n");
		abort();
	}
	ret = xstrdup(e);
	curl_free(e);
	return ret;
}

char *
http_add_param(const char *url, const char *name, const char *value)
{
	CURLU *u = curl_url();
	char *pair = xasprintf("%s=%s", name, value), *out = NULL, *ret = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_QUERY, pair, CURLU_APPENDQUERY |
	    CURLU_URLENCODE) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
		ret = xstrdup(out);
	curl_free(out);
	free(pair);
	curl_url_cleanup(u);
	return ret ? ret : xstrdup(url);
}

/* ---- one transfer ---- */

struct xfer {
	struct http_response *rs;
	const char *url;
	int too_big;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	if (buf_add(&x->rs->body, p, size * n) < 0) {
		x->too_big = 1;
		return 0;	/* CURLE_WRITE_ERROR */
	}
	return size * n;
}

/* Finds rel="next" in a Link header value; returns a new string or NULL. */
char *
http_link_next(const char *v)
{
	const char *p = v;

	while (*p) {
		const char *lt = strchr(p, '<'), *gt, *end, *rel;

		if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
			return NULL;
		/* the parameters run to the next ',' that starts a link */
		end = gt + 1;
		while (*end && !(*end == ',' && strchr(end, '<')))
			end++;
		for (rel = gt; rel < end; rel++) {
			if (strncasecmp(rel, "rel", 3) == 0) {
				const char *q = rel + 3;

				while (q < end && (*q == ' ' || *q == '='))
					q++;
				if (q < end && *q == '"')
					q++;
				/* rel may list several relation types */
				while (q < end && *q != '"' && *q != ';') {
					const char *w = q;

					while (q < end && *q != ' ' && *q != '"' && *q != ';')
						q++;
					if (q - w == 4 && strncasecmp(w, "next", 4) == 0)
						return xstrndup(lt + 1, (size_t)(gt - lt - 1));
					while (q < end && *q == ' ')
						q++;
				}
			}
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n, k;
	char *line, *colon, *v;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue): forget earlier headers */
		free(x->rs->link_next);
		free(x->rs->limit_info);
		free(x->rs->content_type);
		x->rs->link_next = x->rs->limit_info = x->rs->content_type = NULL;
		return len;
	}
	line = xstrndup(p, len);
	for (k = strlen(line); k > 0 && (line[k - 1] == '\r' || line[k - 1] == '\n'); k--)
		line[k - 1] = '\0';
	if ((colon = strchr(line, ':')) != NULL) {
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (strcasecmp(line, "Link") == 0 && x->rs->link_next == NULL)
			x->rs->link_next = http_link_next(v);
		else if (strcasecmp(line, "Sforce-Limit-Info") == 0) {
			free(x->rs->limit_info);
			x->rs->limit_info = xstrdup(v);
		} else if (strcasecmp(line, "Content-Type") == 0) {
			free(x->rs->content_type);
			x->rs->content_type = xstrdup(v);
		}
	}
	free(line);
	return len;
}

static int
network_code(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_BAD_CONTENT_ENCODING:
		return 1;
	default:
		return 0;
	}
}

enum http_result
http_perform(struct http *h, const struct http_request *rq,
    struct http_response *rs)
{
	struct curl_slist *hdrs = NULL;
	struct xfer x;
	CURL *e;
	CURLcode code = CURLE_OK;
	const char *why;
	enum http_result ret;
	int running = 1, stopped = 0, i;
	char errbuf[CURL_ERROR_SIZE] = "";

	response_clear(rs);
	rs->body.max = rq->max_body ? rq->max_body : HTTP_DEFAULT_MAX_BODY;
	if ((why = http_url_problem(rq->url)) != NULL) {
		snprintf(rs->error, sizeof(rs->error), "refused URL: %s", why);
		return HTTP_EPOLICY;
	}
	memset(&x, 0, sizeof(x));
	x.rs = rs;
	x.url = rq->url;
	e = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, rq->timeout_ms ? rq->timeout_ms :
	    120000L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 100L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, rq->low_speed_time ?
	    rq->low_speed_time : 30L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (rq->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, rq->ca_file);
	curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)rs->body.max);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	if (rq->username) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, rq->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, rq->password ? rq->password : "");
	}
	for (i = 0; rq->headers && rq->headers[i]; i++)
		hdrs = curl_slist_append(hdrs, rq->headers[i]);
	if (rq->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)rq->body_len);
		hdrs = curl_slist_append(hdrs, "Expect:");
	}
	if (rq->method && strcmp(rq->method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_multi_add_handle(h->multi, e);
	while (running) {
		CURLMsg *m;
		int left;

		curl_multi_perform(h->multi, &running);
		while ((m = curl_multi_info_read(h->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE && m->easy_handle == e)
				code = m->data.result;
		if (!running)
			break;
		curl_multi_poll(h->multi, NULL, 0, SLICE_MS, NULL);
		if (h->tick && h->tick(h->tick_arg)) {
			stopped = 1;
			break;
		}
	}
	if (stopped) {
		snprintf(rs->error, sizeof(rs->error), "stopped");
		ret = HTTP_ESTOPPED;
	} else if (x.too_big) {
		snprintf(rs->error, sizeof(rs->error), "the response is larger than "
		    "%zu bytes", rs->body.max);
		ret = HTTP_ETOOBIG;
	} else if (code == CURLE_FILESIZE_EXCEEDED) {
		snprintf(rs->error, sizeof(rs->error), "the response is larger than "
		    "%zu bytes", rs->body.max);
		ret = HTTP_ETOOBIG;
	} else if (code != CURLE_OK) {
		snprintf(rs->error, sizeof(rs->error), "%s%s%s",
		    curl_easy_strerror(code), errbuf[0] ? ": " : "", errbuf);
		ret = network_code(code) ? HTTP_ENET : HTTP_EOTHER;
	} else {
		curl_off_t ra = -1;

		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &rs->status);
		/* 7.88 may report a past HTTP-date as negative: clamp */
		if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
		    ra >= 0)
			rs->retry_after = (long)(ra > 86400 ? 86400 : ra);
		ret = HTTP_OK;
	}
	curl_multi_remove_handle(h->multi, e);
	curl_easy_cleanup(e);
	curl_slist_free_all(hdrs);
	return ret;
}

int
http_retryable(enum http_result r, long status)
{
	if (r == HTTP_ENET)
		return 1;
	if (r != HTTP_OK)
		return 0;
	return status == 408 || status == 429 || status == 500 ||
	    status == 502 || status == 503 || status == 504;
}

double
http_backoff(int n, double retry_after, double r01, double base, double cap,
    double max_wait)
{
	double ceil_s = base * pow(2.0, n - 1 > 60 ? 60 : n - 1);
	double d;

	if (ceil_s > cap)
		ceil_s = cap;
	d = r01 * ceil_s;
	if (retry_after < 0)
		retry_after = 0;
	if (retry_after > max_wait)
		retry_after = max_wait;
	return d > retry_after ? d : retry_after;
}

int
http_sleep(struct http *h, long ms)
{
	uint64_t end = clock_monotonic_usec() + (uint64_t)ms * 1000;

	for (;;) {
		uint64_t now = clock_monotonic_usec();
		long slice;

		if (h->tick && h->tick(h->tick_arg))
			return 1;
		if (now >= end)
			return 0;
		slice = (long)((end - now) / 1000);
		if (slice > SLICE_MS)
			slice = SLICE_MS;
		poll(NULL, 0, (int)(slice > 0 ? slice : 1));
	}
}

/* A uniform draw in [0, 1): full jitter needs no cryptographic strength. */
static double
uniform01(void)
{
	static uint64_t state;

	if (state == 0 && random_bytes(&state, sizeof(state)) < 0)
		state = clock_monotonic_usec();
	state |= 1;
	/* xorshift64* */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (double)((state * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

enum http_result
http_do(struct http *h, const struct http_request *rq,
    const struct http_retry *policy, struct http_response *rs)
{
	int max = policy && policy->max_attempts ? policy->max_attempts : 5;
	double base = policy && policy->base_s > 0 ? policy->base_s : 1.0;
	double cap = policy && policy->cap_s > 0 ? policy->cap_s : 300.0;
	double max_wait = policy && policy->max_wait_s > 0 ? policy->max_wait_s :
	    300.0;
	enum http_result r;
	int n;

	for (n = 1;; n++) {
		double wait;

		r = http_perform(h, rq, rs);
		rs->attempts = n;
		if (!http_retryable(r, rs->status) || n >= max)
			return r;
		if (rs->retry_after > max_wait) {
			snprintf(rs->error, sizeof(rs->error), "the server asks to "
			    "retry after %ld s, more than %.0f s; giving up until the "
			    "next cycle", rs->retry_after, max_wait);
			return r;
		}
		wait = http_backoff(n, (double)rs->retry_after, uniform01(), base,
		    cap, max_wait);
		if (http_sleep(h, (long)(wait * 1000)))
			return HTTP_ESTOPPED;
	}
}
