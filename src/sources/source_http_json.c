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
 * cycle. A page that is invalid JSON but whose structure holds has its
 * records read one by one (page_salvage.h): one bad record costs that
 * record. A page that cannot be read at all, or whose records are not an
 * array, is quarantined whole (with its SHA-256 and its first bytes) and
 * the watermark stays.
 */
#include "lib/digest.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/utf8.h"
#include "store/audit.h"
#include "model/normalize.h"
#include "sources/page_salvage.h"
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

char *
source_auth_header(const struct config_source *src)
{
	if (src->auth.secret && src->auth.kind == AUTH_BEARER)
		return xasprintf("Authorization: Bearer %s", src->auth.secret->value);
	if (src->auth.secret && src->auth.kind == AUTH_HEADER)
		return xasprintf("%s: %s", src->auth.name, src->auth.secret->value);
	return NULL;
}

void
source_auth_basic(const struct config_source *src, struct http_request *rq)
{
	if (src->auth.kind == AUTH_BASIC && src->auth.secret) {
		rq->username = src->auth.username;
		rq->password = src->auth.secret->value;
	}
}

static const char **
auth_headers(const struct config_source *src, char **owned)
{
	static const char *hdrs[3];
	int n = 0;

	hdrs[n++] = "Accept: application/json";
	if ((*owned = source_auth_header(src)) != NULL)
		hdrs[n++] = *owned;
	hdrs[n] = NULL;
	return hdrs;
}

/* One run of the source: the request, the pages' state, the watermark. */
struct hj {
	const struct config_source *src;
	int upd;			/* updated_at's field index, or -1 */
	struct http_request rq;
	struct http_response rs;
	struct http_retry retry;
	struct page_state ps;
	char *wm, *since, *newest, *url, *owned;
	int sorted;			/* records came in update order */
	struct salvaged_page salv;	/* this page's records that did not parse */
	int skipped;			/* this page was given up on */
	int skips;			/* pages given up on in this read */
	int cut_short;			/* a skipped page hid the way on */
};

/* The watermark read and the request made ready. */
static enum source_status
hj_start(struct source_run *run, struct hj *h)
{
	const struct config_source *src = run->src;
	int r;

	memset(h, 0, sizeof(*h));
	h->src = src;
	h->upd = entity_field_index(src->entity, "updated_at");
	h->sorted = 1;
	h->ps.page = 1;
	http_response_init(&h->rs);
	r = store_watermark_get(run->st, src->name, "updated_at", &h->wm);
	if (r < 0) {
		snprintf(run->error, sizeof(run->error), "database: %s",
		    store_errmsg(run->st));
		return SOURCE_STORE_FAILED;
	}
	if (r == 1) {
		int64_t t;

		if (norm_time(h->wm, TIME_ISO8601, &t) == 0)
			h->since = format_since(src, t - src->lookback);
		h->newest = xstrdup(h->wm);
	}
	h->rq.method = "GET";
	h->rq.headers = auth_headers(src, &h->owned);
	h->rq.timeout_ms = (long)src->timeout * 1000;
	h->rq.low_speed_time = src->timeout < 30 ? (long)src->timeout : 30;
	h->rq.ca_file = src->ca_file;
	source_auth_basic(src, &h->rq);
	h->retry.max_attempts = (int)src->retries;
	return SOURCE_OK;
}

static void
hj_free(struct hj *h)
{
	page_state_free(&h->ps);
	http_response_free(&h->rs);
	if (h->owned)
		secure_free(h->owned, strlen(h->owned));
	free(h->url);
	free(h->wm);
	free(h->since);
	free(h->newest);
	salvaged_page_free(&h->salv);
}

static void
sha256_hex(const char *p, size_t n, char hex[DIGEST_HEX_LEN + 1])
{
	unsigned char h[DIGEST_LEN];

	sha256(p, n, h);
	hex_encode(h, DIGEST_LEN, hex);
}

/* Audits and logs the page given up on. */
static int
page_skipped(struct source_run *run, struct hj *h, long pageno,
    const struct store_bad_page *bp, int64_t attempts, int again)
{
	struct jval *d = jv_object();

	jv_set_str(d, "position", bp->position);
	jv_set_str(d, "url_sha256", bp->url_sha256);
	jv_set_str(d, "body_sha256", bp->body_sha256);
	jv_set_int(d, "bytes", bp->bytes);
	jv_set_int(d, "attempts", attempts);
	jv_set_str(d, "reason", bp->reason);
	jv_set(d, "skipped_before", jv_bool(again));
	h->skipped = 1;
	h->skips++;
	if (again) {		/* decided, audited and alerted before */
		jv_free(d);
		log_notice("source %s: page %ld is the page skipped before (sha256 "
		    "%.16s); skipped again", h->src->name, pageno, bp->body_sha256);
		return 0;
	}
	if (audit_log(run->au, run->cycle_id, "source.page_skipped", "source",
	    h->src->name, d) < 0)
		return -1;
	log_warning("source %s: page %ld could not be read in %lld cycles in a "
	    "row (%s); skipped: its records are missing until it is fixed and "
	    "read again (alert source_page_skipped)", h->src->name, pageno,
	    (long long)attempts, bp->reason);
	return 0;
}
/*
 * A page that cannot be read (why). Quarantined the first time (its
 * SHA-256 and first bytes) and counted; the source fails, and the next
 * cycle asks again, until page_retries cycles in a row have failed at
 * it: then it is skipped (h->skipped) and the source moves on. A page
 * with the bytes of one skipped before is skipped at once.
 */
static enum source_status
page_refused(struct source_run *run, struct hj *h, long pageno,
    const char *why)
{
	const struct buf *body = &h->rs.body;
	char uh[DIGEST_HEX_LEN + 1], bh[DIGEST_HEX_LEN + 1], pos[48];
	char *reason, *full, *raw;
	struct store_bad_page bp;
	int64_t n;
	int again = 0, skip, rc = 0;

	sha256_hex(h->url, strlen(h->url), uh);
	sha256_hex(buf_str(body), body->len, bh);
	snprintf(pos, sizeof(pos), "page %ld", pageno);
	reason = utf8_cut(why, 400);
	full = xasprintf("%s (the page: %zu bytes, sha256 %s)", reason,
	    body->len, bh);
	raw = xstrndup(buf_str(body), body->len < PAGE_RAW ? body->len : PAGE_RAW);
	bp = (struct store_bad_page){ h->src->name, uh, bh, pos, reason,
	    (int64_t)body->len };
	if (land_begin(run) < 0 ||
	    (n = store_page_failed(run->st, &bp, run->now, &again)) < 0 ||
	    (n == 1 && !again && land_quarantine(run, pos, NULL, NULL, full,
	    raw) < 0))
		rc = -1;
	skip = rc == 0 && (again || (h->src->page_retries > 0 &&
	    n >= h->src->page_retries));
	if (skip && ((!again && store_page_skip(run->st, h->src->name, uh,
	    run->now) < 0) || page_skipped(run, h, pageno, &bp, n, again) < 0))
		rc = -1;
	if (rc < 0 || land_commit(run) < 0) {
		store_rollback(run->st);
		free(reason);
		free(full);
		free(raw);
		return SOURCE_STORE_FAILED;
	}
	if (!skip && h->src->page_retries == 0)
		snprintf(run->error, sizeof(run->error), "page %ld: %s; "
		    "quarantined, the watermark stays (page_retries 0: never "
		    "skipped)", pageno, reason);
	else if (!skip)
		snprintf(run->error, sizeof(run->error), "page %ld: %s; "
		    "quarantined, the watermark stays (failed %lld of %lld cycles "
		    "before the page is skipped)", pageno, reason, (long long)n,
		    (long long)h->src->page_retries);
	free(reason);
	free(full);
	free(raw);
	return skip ? SOURCE_OK : SOURCE_FAILED;
}

/* An upper bound on a JSON text's values: its objects and arrays ('{'
 * and '[') and its separators (','), counted inside strings too; what
 * parsing it would build, scalars included. */
static size_t
values_bound(const char *p, size_t n)
{
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		k += p[i] == '{' || p[i] == '[' || p[i] == ',';
	return k;
}

/* The pointer of the source's external_id, or NULL. */
static const char *
id_pointer(const struct config_source *src)
{
	int want = entity_field_index(src->entity, "external_id");
	size_t i;

	for (i = 0; i < src->nfields; i++)
		if (src->fields[i].index == want)
			return src->fields[i].src;
	return NULL;
}

/* A page jv_parse refused (err): its records one by one when its
 * structure holds (h->salv keeps the ones that did not parse), else NULL
 * with err extended by why. */
static struct jval *
hj_salvage(struct hj *h, long pageno, char err[256])
{
	const struct config_source *src = h->src;
	struct jval *doc;
	char why[160];

	salvaged_page_free(&h->salv);
	if (page_salvage(buf_str(&h->rs.body), h->rs.body.len,
	    src->records ? src->records : "", src->pagination.kind ==
	    PAGE_CURSOR ? src->pagination.next : NULL, id_pointer(src),
	    &h->salv, why, sizeof(why)) < 0) {
		size_t n = strlen(err);

		snprintf(err + n, 256 - n, "; %s", why);
		return NULL;
	}
	log_notice("source %s: page %ld is invalid JSON (%s); its records are "
	    "read one by one", src->name, pageno, err);
	doc = h->salv.doc;
	h->salv.doc = NULL;
	return doc;
}

/* Page pageno fetched; its document in *ret_doc, or a status to stop at
 * (a page that is not JSON, or has no records array, is quarantined). */
static enum source_status
hj_fetch(struct source_run *run, struct hj *h, long pageno,
    struct jval **ret_doc, const struct jval **ret_recs)
{
	const struct config_source *src = h->src;
	struct jval *doc;
	enum http_result hr;
	char err[256], why[300];

	free(h->url);
	h->url = page_url(src, h->since, &h->ps, pageno);
	h->rq.url = h->url;
	hr = http_do(run->http, &h->rq, &h->retry, &h->rs);
	if (hr == HTTP_ESTOPPED)
		return SOURCE_STOPPED;
	if (hr != HTTP_OK) {
		snprintf(run->error, sizeof(run->error), "page %ld: %s (after "
		    "%d attempt%s)", pageno, h->rs.error, h->rs.attempts,
		    h->rs.attempts == 1 ? "" : "s");
		return SOURCE_FAILED;
	}
	if (h->rs.status == 401 || h->rs.status == 403) {
		snprintf(run->error, sizeof(run->error), "authentication "
		    "refused (HTTP %ld); check sources[%s].auth and its "
		    "secret", h->rs.status, src->name);
		return SOURCE_FAILED;
	}
	if (h->rs.status < 200 || h->rs.status > 299) {
		char *body = log_redact(buf_str(&h->rs.body), 160);

		snprintf(run->error, sizeof(run->error), "page %ld: HTTP %ld "
		    "after %d attempt%s: %s", pageno, h->rs.status, h->rs.attempts,
		    h->rs.attempts == 1 ? "" : "s", body);
		free(body);
		return SOURCE_FAILED;
	}
	if (values_bound(buf_str(&h->rs.body), h->rs.body.len) >
	    LAND_PAGE_VALUES_MAX) {
		snprintf(why, sizeof(why), "more than %d JSON values in one page",
		    LAND_PAGE_VALUES_MAX);
		return page_refused(run, h, pageno, why);
	}
	doc = jv_parse(buf_str(&h->rs.body), h->rs.body.len, err, sizeof(err));
	if (doc == NULL && (doc = hj_salvage(h, pageno, err)) == NULL) {
		snprintf(why, sizeof(why), "invalid JSON: %s", err);
		return page_refused(run, h, pageno, why);
	}
	*ret_recs = jv_lookup(doc, src->records ? src->records : "");
	if (!jv_is_array(*ret_recs)) {
		snprintf(why, sizeof(why), "records ('%s') is not an array",
		    src->records ? src->records : "");
		jv_free(doc);
		return page_refused(run, h, pageno, why);
	}
	*ret_doc = doc;
	return SOURCE_OK;
}

/* The newest updated_at of what landed, from record rec. */
static void
hj_note_newest(struct hj *h, const struct jval *rec)
{
	const struct config_source *src = h->src;
	const struct config_field *f = NULL;
	char *u = NULL, e2[64], iso[21];
	size_t k;
	int64_t t;

	for (k = 0; k < src->nfields; k++)
		if (src->fields[k].index == h->upd)
			f = &src->fields[k];
	if (f && jv_lookup_text(rec, f->src, &u, e2, sizeof(e2)) == 1 && u &&
	    norm_time(u, f->has_format ? f->format :
	    (enum time_format)src->time_format, &t) == 0) {
		norm_time_format(t, iso);
		if (h->newest && strcmp(iso, h->newest) < 0)
			h->sorted = 0;
		if (h->newest == NULL || strcmp(iso, h->newest) > 0) {
			free(h->newest);
			h->newest = xstrdup(iso);
		}
	}
	free(u);
}

/* The records of page pageno, mapped and stored or quarantined, in the
 * open unit of work. */
static enum source_status
hj_land(struct source_run *run, struct hj *h, const struct jval *recs,
    long pageno)
{
	size_t i, b = 0, n = jv_array_len(recs);

	for (i = 0; i < n; i++) {
		const struct jval *rec = jv_array_at(recs, i);
		char pos[64];
		int64_t before = run->unit_records;

		snprintf(pos, sizeof(pos), "page %ld #%zu", pageno, i + 1);
		if (b < h->salv.nbad && h->salv.bad[b].index == i) {
			/* a record that did not parse on its own */
			const struct salvaged_record *s = &h->salv.bad[b++];

			if (land_quarantine(run, pos, s->id, NULL, s->why,
			    s->raw) < 0)
				return SOURCE_STORE_FAILED;
		} else if (!jv_is_object(rec)) {
			char *raw = jv_dump_canonical(rec);
			int rc = land_quarantine(run, pos, NULL, NULL, "the record "
			    "is not a JSON object", raw);

			free(raw);
			if (rc < 0)
				return SOURCE_STORE_FAILED;
		} else if (land_map(run, land_json_get, (void *)rec, pos, NULL) < 0)
			return SOURCE_STORE_FAILED;
		if (run->unit_records > before && h->upd >= 0)
			hj_note_newest(h, rec);
		if (land_quarantine_full(run))
			return SOURCE_FAILED;	/* the page is refused whole */
	}
	return SOURCE_OK;
}

/* The page limit or max_run is reached: records that came in update
 * order let the watermark advance to the newest of them. */
static enum source_status
hj_limit(struct source_run *run, struct hj *h, const char *what)
{
	log_notice("source %s: %s reached; the rest is read next cycle",
	    h->src->name, what);
	if (h->sorted && h->newest && h->upd >= 0) {
		if (land_begin(run) < 0 || store_watermark_set(run->st,
		    h->src->name, "updated_at", h->newest, run->now) < 0 ||
		    land_commit(run) < 0) {
			store_rollback(run->st);
			return SOURCE_STORE_FAILED;
		}
	}
	return SOURCE_OK;
}

#define NEXT_UNKNOWN (-2)

/*
 * Where the read goes after page pageno was skipped. nx: next_page's
 * answer when the page parsed, NEXT_UNKNOWN when it did not: page
 * numbers go on, a Link header still names the next page, but a cursor
 * inside the unreadable page is lost, and the read ends there.
 */
static enum source_status
hj_after_skip(struct source_run *run, struct hj *h, long pageno, int nx,
    const char *nxwhy, int *more)
{
	char why[300];

	snprintf(why, sizeof(why), "%s", nxwhy ? nxwhy : "");
	if (nx == NEXT_UNKNOWN) {
		switch (h->src->pagination.kind) {
		case PAGE_PAGE:
			h->ps.page++;
			nx = 1;
			break;
		case PAGE_LINK:
			nx = next_page(run, NULL, 0, &h->rs, h->url, &h->ps, why,
			    sizeof(why));
			break;
		case PAGE_CURSOR:
			log_warning("source %s: the pages after page %ld cannot be "
			    "reached without its cursor; this read ends there",
			    h->src->name, pageno);
			h->cut_short = 1;
			nx = 0;
			break;
		default:
			nx = 0;
		}
	}
	if (nx < 0) {
		snprintf(run->error, sizeof(run->error), "page %ld: %s", pageno,
		    why);
		return SOURCE_FAILED;
	}
	*more = nx > 0;
	return land_tick(run) ? SOURCE_STOPPED : SOURCE_OK;
}

/* One page: fetched, landed in one unit of work with, on the last page,
 * the watermark. *more says whether another page follows. */
static enum source_status
hj_page(struct source_run *run, struct hj *h, long pageno, int *more)
{
	const struct jval *recs = NULL;
	struct jval *doc = NULL;
	enum source_status ret;
	char why[300];
	int nx;

	h->skipped = 0;
	if ((ret = hj_fetch(run, h, pageno, &doc, &recs)) != SOURCE_OK)
		return ret;
	if (h->skipped)
		return hj_after_skip(run, h, pageno, NEXT_UNKNOWN, NULL, more);
	nx = next_page(run, doc, jv_array_len(recs), &h->rs, h->url, &h->ps, why,
	    sizeof(why));
	if (land_begin(run) < 0) {
		jv_free(doc);
		return SOURCE_STORE_FAILED;
	}
	ret = hj_land(run, h, recs, pageno);
	jv_free(doc);
	salvaged_page_free(&h->salv);
	if (ret != SOURCE_OK) {
		land_rollback(run);
		if (ret == SOURCE_FAILED) {	/* too many bad records */
			snprintf(why, sizeof(why), "more than %d records of one page "
			    "could not be read", LAND_QUARANTINE_MAX);
			if ((ret = page_refused(run, h, pageno, why)) != SOURCE_OK)
				return ret;
			return hj_after_skip(run, h, pageno, nx, why, more);
		}
		return ret;
	}
	/* the last page carries the watermark in its transaction */
	if (nx == 0 && h->newest && h->upd >= 0 && store_watermark_set(run->st,
	    h->src->name, "updated_at", h->newest, run->now) < 0) {
		land_rollback(run);
		return SOURCE_STORE_FAILED;
	}
	if (land_commit(run) < 0)
		return SOURCE_STORE_FAILED;
	if (nx < 0) {
		snprintf(run->error, sizeof(run->error), "page %ld: %s", pageno,
		    why);
		return SOURCE_FAILED;
	}
	*more = nx > 0;
	return land_tick(run) ? SOURCE_STOPPED : SOURCE_OK;
}

/* The read went to its end: counts of pages that failed before are
 * dropped, and a full read that skipped nothing clears the pages skipped
 * before (they were fixed: their alert resolves). */
static enum source_status
hj_read_ok(struct source_run *run, struct hj *h)
{
	if (land_begin(run) < 0 || store_pages_read_ok(run->st, h->src->name,
	    h->wm == NULL && h->skips == 0, run->now) < 0 ||
	    land_commit(run) < 0) {
		store_rollback(run->st);
		return SOURCE_STORE_FAILED;
	}
	return SOURCE_OK;
}

enum source_status
http_json_run(struct source_run *run)
{
	struct hj h;
	enum source_status ret;
	long pageno;
	int more = 1;

	ret = hj_start(run, &h);
	for (pageno = 1; ret == SOURCE_OK && more; pageno++) {
		char what[64];

		if (pageno > run->src->page_limit || land_out_of_time(run)) {
			if (pageno > run->src->page_limit)
				snprintf(what, sizeof(what), "page limit of %lld",
				    (long long)run->src->page_limit);
			else
				snprintf(what, sizeof(what), "max_run of %llds",
				    (long long)run->src->max_run);
			ret = hj_limit(run, &h, what);
			break;
		}
		ret = hj_page(run, &h, pageno, &more);
	}
	if (ret == SOURCE_OK && !more && !h.cut_short)
		ret = hj_read_ok(run, &h);
	if (ret == SOURCE_STORE_FAILED && run->error[0] == '\0')
		snprintf(run->error, sizeof(run->error), "database: %s",
		    store_errmsg(run->st));
	hj_free(&h);
	return ret;
}
