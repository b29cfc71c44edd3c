/*
 * source_http_json.c - the http_json source: a JSON API read page by page.
 *
 * Incremental: the source's watermark is the newest updated_at it has
 * committed; each cycle asks for records changed since the watermark
 * minus the lookback (none on the first run: a full read) and re-reads
 * are idempotent upserts. Each page's records commit in one transaction;
 * the watermark commits with the last page, so a failure or a crash on
 * the way re-reads from the old watermark and loses nothing.
 *
 * Pagination: cursor (a token from a JSON pointer, sent back as a query
 * parameter; a cursor that repeats stops the source), page (page number
 * and size; a short or empty page ends it), link (RFC 8288 rel="next",
 * which must stay on the source's origin). At most page_limit pages a
 * cycle. A page that is not JSON, or whose records are not an array, is
 * quarantined whole (with its SHA-256 and its first bytes) and the
 * watermark stays.
 */
#include "lib/digest.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "sources/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_RAW 256

struct page_state {
	char *cursor;		/* cursor pagination: the token to send */
	char **seen;		/* every cursor or link used, to catch loops */
	size_t nseen, cap;
	long page;		/* page pagination: the number to send */
	char *next_url;		/* link pagination */
};

static int
seen_before(struct page_state *ps, const char *v)
{
	size_t i;

	for (i = 0; i < ps->nseen; i++)
		if (strcmp(ps->seen[i], v) == 0)
			return 1;
	xgrow(&ps->seen, &ps->cap, ps->nseen + 1, sizeof(*ps->seen));
	ps->seen[ps->nseen++] = xstrdup(v);
	return 0;
}

static void
page_state_free(struct page_state *ps)
{
	size_t i;

	for (i = 0; i < ps->nseen; i++)
		free(ps->seen[i]);
	free(ps->seen);
	free(ps->cursor);
	free(ps->next_url);
}

static char *
format_since(const struct config_source *src, int64_t t)
{
	char iso[21];

	switch (src->time_format) {
	case TIME_EPOCH_S:
		return xasprintf("%lld", (long long)t);
	case TIME_EPOCH_MS:
		return xasprintf("%lld", (long long)t * 1000);
	default:
		norm_time_format(t, iso);
		return xstrdup(iso);
	}
}

/* The URL of the next page to ask for, new. */
static char *
page_url(const struct config_source *src, const char *since,
    struct page_state *ps, long pageno)
{
	char *u, *t, num[32];

	if (src->pagination.kind == PAGE_LINK && ps->next_url)
		return xstrdup(ps->next_url);
	u = xstrdup(src->url);
	if (src->since_param && since) {
		t = http_add_param(u, src->since_param, since);
		free(u);
		u = t;
	}
	if (pageno == 1 && src->pagination.kind < 0)
		return u;
	switch (src->pagination.kind) {
	case PAGE_CURSOR:
		if (ps->cursor) {
			t = http_add_param(u, src->pagination.param, ps->cursor);
			free(u);
			u = t;
		}
		break;
	case PAGE_PAGE:
		snprintf(num, sizeof(num), "%ld", ps->page);
		t = http_add_param(u, src->pagination.param, num);
		free(u);
		u = t;
		break;
	default:
		break;
	}
	if (src->pagination.size_param) {
		snprintf(num, sizeof(num), "%lld", (long long)src->pagination.size);
		t = http_add_param(u, src->pagination.size_param, num);
		free(u);
		u = t;
	}
	return u;
}

/* Quarantines a whole page that could not be read; the source fails. */
static enum source_status
page_quarantine(struct source_run *run, long pageno, const char *why,
    const struct buf *body)
{
	unsigned char h[DIGEST_LEN];
	char hex[DIGEST_HEX_LEN + 1], pos[48], *reason, *raw;

	sha256(buf_str(body), body->len, h);
	hex_encode(h, DIGEST_LEN, hex);
	snprintf(pos, sizeof(pos), "page %ld", pageno);
	reason = xasprintf("%s (the page: %zu bytes, sha256 %s)", why, body->len,
	    hex);
	raw = xstrndup(buf_str(body), body->len < PAGE_RAW ? body->len : PAGE_RAW);
	if (source_begin(run) < 0 || source_quarantine(run, pos, NULL, NULL,
	    reason, raw) < 0 || source_commit(run) < 0) {
		store_rollback(run->st);
		free(reason);
		free(raw);
		return SOURCE_STORE_FAILED;
	}
	snprintf(run->error, sizeof(run->error), "page %ld: %s; quarantined, "
	    "the watermark stays", pageno, why);
	free(reason);
	free(raw);
	return SOURCE_FAILED;
}

/* Reads the next-page token or link; 0 when there is no next page. */
static int
next_page(struct source_run *run, const struct jval *doc, size_t nrec,
    const struct http_response *rs, const char *url, struct page_state *ps,
    char *why, size_t whylen)
{
	const struct config_source *src = run->src;
	char *c = NULL, err[128];

	switch (src->pagination.kind) {
	case PAGE_CURSOR:
		if (jv_lookup_text(doc, src->pagination.next, &c, err,
		    sizeof(err)) <= 0 || c == NULL || *c == '\0') {
			free(c);
			return 0;
		}
		if (seen_before(ps, c)) {
			snprintf(why, whylen, "the cursor '%.64s' came back again; "
			    "stopping instead of looping", c);
			free(c);
			return -1;
		}
		free(ps->cursor);
		ps->cursor = c;
		return 1;
	case PAGE_PAGE:
		if (nrec == 0 || (int64_t)nrec < src->pagination.size)
			return 0;
		ps->page++;
		return 1;
	case PAGE_LINK:
		if (rs->link_next == NULL)
			return 0;
		c = http_resolve(url, rs->link_next);
		if (c == NULL || !http_same_origin(c, src->url)) {
			snprintf(why, whylen, "the next link '%.128s' leaves the "
			    "source's origin; refused", rs->link_next);
			free(c);
			return -1;
		}
		if (seen_before(ps, c)) {
			snprintf(why, whylen, "the next link '%.128s' came back "
			    "again; stopping instead of looping", c);
			free(c);
			return -1;
		}
		free(ps->next_url);
		ps->next_url = c;
		return 1;
	default:
		return 0;
	}
}

static const char **
auth_headers(const struct config_source *src, char **owned)
{
	static const char *hdrs[3];
	int n = 0;

	*owned = NULL;
	hdrs[n++] = "Accept: application/json";
	if (src->auth.secret && src->auth.kind == AUTH_BEARER)
		*owned = xasprintf("Authorization: Bearer %s", src->auth.secret->value);
	else if (src->auth.secret && src->auth.kind == AUTH_HEADER)
		*owned = xasprintf("%s: %s", src->auth.name, src->auth.secret->value);
	if (*owned)
		hdrs[n++] = *owned;
	hdrs[n] = NULL;
	return hdrs;
}

enum source_status
httpjson_run(struct source_run *run)
{
	const struct config_source *src = run->src;
	int upd = entity_field_index(src->entity, "updated_at");
	struct http_request rq;
	struct http_response rs;
	struct http_retry retry;
	struct page_state ps;
	enum source_status ret = SOURCE_OK;
	char *wm = NULL, *since = NULL, *newest = NULL, *url = NULL, *owned = NULL;
	int sorted = 1, more = 1, r;
	long pageno;

	memset(&ps, 0, sizeof(ps));
	ps.page = 1;
	http_response_init(&rs);
	r = store_watermark_get(run->st, src->name, "updated_at", &wm);
	if (r < 0) {
		snprintf(run->error, sizeof(run->error), "database: %s",
		    store_errmsg(run->st));
		return SOURCE_STORE_FAILED;
	}
	if (r == 1) {
		int64_t t;

		if (norm_time(wm, TIME_ISO8601, &t) == 0)
			since = format_since(src, t - src->lookback);
		newest = xstrdup(wm);
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.headers = auth_headers(src, &owned);
	rq.timeout_ms = (long)src->timeout * 1000;
	rq.low_speed_time = src->timeout < 30 ? (long)src->timeout : 30;
	rq.ca_file = src->ca_file;
	if (src->auth.kind == AUTH_BASIC && src->auth.secret) {
		rq.username = src->auth.username;
		rq.password = src->auth.secret->value;
	}
	memset(&retry, 0, sizeof(retry));
	retry.max_attempts = (int)src->retries;
	for (pageno = 1; more; pageno++) {
		struct jval *doc;
		const struct jval *recs;
		enum http_result hr;
		char err[256], why[300];
		size_t i, n;
		int nx;

		if (pageno > src->page_limit) {
			log_notice("source %s: page limit of %lld reached; the rest is "
			    "read next cycle", src->name, (long long)src->page_limit);
			/* records came in update order: the watermark may advance */
			if (sorted && newest && upd >= 0) {
				if (source_begin(run) < 0 || store_watermark_set(run->st,
				    src->name, "updated_at", newest, run->now) < 0 ||
				    source_commit(run) < 0) {
					store_rollback(run->st);
					ret = SOURCE_STORE_FAILED;
				}
			}
			break;
		}
		free(url);
		url = page_url(src, since, &ps, pageno);
		rq.url = url;
		hr = http_do(run->http, &rq, &retry, &rs);
		if (hr == HTTP_ESTOPPED) {
			ret = SOURCE_STOPPED;
			break;
		}
		if (hr != HTTP_OK) {
			snprintf(run->error, sizeof(run->error), "page %ld: %s (after "
			    "%d attempt%s)", pageno, rs.error, rs.attempts,
			    rs.attempts == 1 ? "" : "s");
			ret = SOURCE_FAILED;
			break;
		}
		if (rs.status == 401 || rs.status == 403) {
			snprintf(run->error, sizeof(run->error), "authentication "
			    "refused (HTTP %ld); check sources[%s].auth and its "
			    "secret", rs.status, src->name);
			ret = SOURCE_FAILED;
			break;
		}
		if (rs.status < 200 || rs.status > 299) {
			char *body = log_redact(buf_str(&rs.body), 160);

			snprintf(run->error, sizeof(run->error), "page %ld: HTTP %ld "
			    "after %d attempt%s: %s", pageno, rs.status, rs.attempts,
			    rs.attempts == 1 ? "" : "s", body);
			free(body);
			ret = SOURCE_FAILED;
			break;
		}
		doc = jv_parse(buf_str(&rs.body), rs.body.len, err, sizeof(err));
		if (doc == NULL) {
			snprintf(why, sizeof(why), "invalid JSON: %s", err);
			ret = page_quarantine(run, pageno, why, &rs.body);
			break;
		}
		recs = jv_lookup(doc, src->records ? src->records : "");
		if (!jv_is_array(recs)) {
			snprintf(why, sizeof(why), "records ('%s') is not an array",
			    src->records ? src->records : "");
			jv_free(doc);
			ret = page_quarantine(run, pageno, why, &rs.body);
			break;
		}
		n = jv_array_len(recs);
		nx = next_page(run, doc, n, &rs, url, &ps, why, sizeof(why));
		if (source_begin(run) < 0) {
			jv_free(doc);
			ret = SOURCE_STORE_FAILED;
			break;
		}
		for (i = 0; i < n && ret == SOURCE_OK; i++) {
			const struct jval *rec = jv_array_at(recs, i);
			char pos[64];
			int64_t before = run->unit_records;

			snprintf(pos, sizeof(pos), "page %ld #%zu", pageno, i + 1);
			if (!jv_is_object(rec)) {
				char *raw = jv_dump_canonical(rec);

				if (source_quarantine(run, pos, NULL, NULL, "the record is "
				    "not a JSON object", raw) < 0)
					ret = SOURCE_STORE_FAILED;
				free(raw);
			} else if (source_land(run, source_json_get, (void *)rec, pos,
			    NULL) < 0)
				ret = SOURCE_STORE_FAILED;
			/* the newest updated_at of what landed */
			if (ret == SOURCE_OK && run->unit_records > before && upd >= 0) {
				char *u = NULL, e2[64];
				const struct config_field *f = NULL;
				size_t k;
				int64_t t;

				for (k = 0; k < src->nfields; k++)
					if (src->fields[k].index == upd)
						f = &src->fields[k];
				if (f && jv_lookup_text(rec, f->src, &u, e2, sizeof(e2)) == 1 &&
				    u && norm_time(u, f->has_format ? f->format :
				    (enum time_format)src->time_format, &t) == 0) {
					char iso[21];

					norm_time_format(t, iso);
					if (newest && strcmp(iso, newest) < 0)
						sorted = 0;
					if (newest == NULL || strcmp(iso, newest) > 0) {
						free(newest);
						newest = xstrdup(iso);
					}
				}
				free(u);
			}
		}
		jv_free(doc);
		if (ret != SOURCE_OK) {
			source_rollback(run);
			break;
		}
		/* the last page carries the watermark in its transaction */
		if (nx == 0 && newest && upd >= 0 && store_watermark_set(run->st,
		    src->name, "updated_at", newest, run->now) < 0) {
			source_rollback(run);
			ret = SOURCE_STORE_FAILED;
			break;
		}
		if (source_commit(run) < 0) {
			ret = SOURCE_STORE_FAILED;
			break;
		}
		if (nx < 0) {
			snprintf(run->error, sizeof(run->error), "page %ld: %s", pageno,
			    why);
			ret = SOURCE_FAILED;
			break;
		}
		more = nx > 0;
		if (source_tick(run)) {
			ret = SOURCE_STOPPED;
			break;
		}
	}
	if (ret == SOURCE_STORE_FAILED && run->error[0] == '\0')
		snprintf(run->error, sizeof(run->error), "database: %s",
		    store_errmsg(run->st));
	page_state_free(&ps);
	http_response_free(&rs);
	if (owned)
		secure_free(owned, strlen(owned));
	free(url);
	free(wm);
	free(since);
	free(newest);
	return ret;
}
