/*
 * crm_reader.c - the CRM reader: each object read window by window from
 * its watermark, its records mapped into canonical entities and landed
 * page by page; deletions, stages, the conflict statuses read back. What
 * to ask for is crm_objects.c's; the wire is salesforce.c's.
 */
#include "crm/crm_reader.h"
#include "crm_objects.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/jscan.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "sources/record.h"
#include "crm/salesforce.h"
#include "sources/landing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define MAX_HALVINGS 10
/*
 * IsDeleted rows come with every queryAll; getDeleted only adds records
 * purged from the Recycle Bin, and OpportunityStage hardly ever changes:
 * both are asked for at most this often, so that a cycle with nothing
 * changed costs one query per object.
 */
#define DELETED_EVERY 3600
#define COMMIT_RECORDS 20000	/* records sorted and stored at once */
#define COMMIT_STORED 100000	/* records stored between commits */
#define STAGES_EVERY 86400

/*
 * record_map's view of one Salesforce record: the same row in every field
 * chunk's page (one chunk unless the SELECT list outgrew the URI limit).
 */
struct crm_row {
	const struct sf_page *pages;
	const int *tok;			/* the row's object token, per chunk */
	size_t n;
	const struct config_field *fields;
	uint32_t (*hints)[JSCAN_HINTS];	/* per field and chunk: rows share a shape */
	const struct jscan_path *paths;	/* per field, split once (n -1: not) */
};

static int
crm_get(void *ctx, const struct config_field *f, struct arena *a, char **ret,
    char *err, size_t errlen)
{
	const struct crm_row *row = ctx;
	size_t c;

	*ret = NULL;
	if (f->src[0] == '=') {
		*ret = arena_strdup(a, f->src + 1);
		return 1;
	}
	for (c = 0; c < row->n; c++) {
		const struct jscan *js = &row->pages[c].js;
		size_t fi = (size_t)(f - row->fields);
		int v = row->paths[fi].n >= 0 ?
		    jscan_path_get(js, row->tok[c], &row->paths[fi],
		    row->hints[fi * row->n + c]) :
		    jscan_pointer_hint(js, row->tok[c], f->src,
		    row->hints[fi * row->n + c]);

		if (v < 0)
			continue;
		if (jscan_text_in(js, v, a, ret) < 0) {
			snprintf(err, errlen, "expected a scalar, found %s",
			    js->t[v].type == JS_OBJECT ? "an object" : "an array");
			return -1;
		}
		return 1;
	}
	return 0;
}

/* The row as it came: its object, or an array of its chunks' objects. */
static char *
row_raw(const struct crm_row *row)
{
	struct buf b;
	size_t c;

	buf_init(&b, 0);
	for (c = 0; c < row->n; c++) {
		const struct jscan_tok *t = &row->pages[c].js.t[row->tok[c]];

		buf_addstr(&b, row->n > 1 ? (c ? ", " : "[") : "");
		buf_add(&b, row->pages[c].js.buf + t->start, t->len);
	}
	if (row->n > 1)
		buf_addstr(&b, "]");
	return buf_steal(&b);
}

/* A string member of a row object, new, or NULL. */
static char *
row_str(const struct sf_page *p, int rec, const char *key)
{
	int v = jscan_member(&p->js, rec, key);
	char *s = NULL;

	if (v < 0 || p->js.t[v].type != JS_STRING || jscan_text(&p->js, v, &s) < 0)
		return NULL;
	return s;
}

struct read {
	struct crm_env *env;
	struct crm_object *o;
	struct source_run run;		/* quarantine and store helpers */
	char wm_key[80];
	int64_t pages;
	int open;			/* a transaction holds landed pages */
	size_t stored;			/* records stored in it so far */
	struct record *batch;		/* their records, not yet stored */
	size_t nbatch, capbatch;
	struct arena arena;		/* the batch's records' strings */
	struct jscan_path *paths;	/* the object's field pointers, split */
	char *wm;			/* the watermark they earned */
};

static void
batch_clear(struct read *rd)
{
	/* the records' strings are the arena's: they go with it */
	rd->nbatch = 0;
	arena_reset(&rd->arena);
	free(rd->wm);
	rd->wm = NULL;
}

/*
 * A record's place in its batch's key order: the first 16 bytes of the
 * key as two big-endian numbers settle nearly every comparison (a
 * Salesforce Id's first 15 characters are unique) without following a
 * pointer into the batch; equal prefixes fall back to the whole keys,
 * and the same key twice keeps the order it came in.
 */
struct sort_key {
	uint64_t hi, lo;
	const char *key;
	uint32_t at;
};

static uint64_t
be64_prefix(const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		v = v << 8 | (i < n ? (unsigned char)s[i] : 0);
	return v;
}

static void
sort_key_of(struct sort_key *k, const char *key, uint32_t at)
{
	size_t n = strlen(key);

	k->hi = be64_prefix(key, n);
	k->lo = n > 8 ? be64_prefix(key + 8, n - 8) : 0;
	k->key = key;
	k->at = at;
}

static int
by_key(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	int c;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

static inline int
key_before(const struct sort_key *x, const struct sort_key *y)
{
	if (x->hi != y->hi)
		return x->hi < y->hi;
	if (x->lo != y->lo)
		return x->lo < y->lo;
	return by_key(x, y) < 0;
}

/*
 * by_key's order: insertion sort of runs of 16, then merges, with the
 * comparison inlined (qsort called by_key through a pointer ~14 times a
 * record, 2% of a first load). A merge whose halves are in order already
 * is a copy.
 */
static void
sort_keys(struct sort_key *v, size_t n)
{
	struct sort_key *a = v, *b, *tmp, *t, x;
	size_t w, i, j, lo, mid, hi, p, q, k;

	for (i = 0; i < n; i += 16)
		for (j = i + 1; j < n && j < i + 16; j++) {
			x = v[j];
			for (k = j; k > i && key_before(&x, &v[k - 1]); k--)
				v[k] = v[k - 1];
			v[k] = x;
		}
	if (n <= 16)
		return;
	b = tmp = xcalloc(n, sizeof(*tmp));
	for (w = 16; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			mid = lo + w < n ? lo + w : n;
			hi = lo + 2 * w < n ? lo + 2 * w : n;
			if (mid == hi || !key_before(&a[mid], &a[mid - 1])) {
				memcpy(b + lo, a + lo, (hi - lo) * sizeof(*a));
				continue;
			}
			for (p = lo, q = mid, k = lo; p < mid && q < hi; k++)
				b[k] = key_before(&a[q], &a[p]) ? a[q++] : a[p++];
			memcpy(b + k, a + p, (mid - p) * sizeof(*a));
			k += mid - p;
			memcpy(b + k, a + q, (hi - q) * sizeof(*a));
		}
		t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof(*v));
	free(tmp);
}

static void
abandon(struct read *rd)
{
	if (rd->open)
		land_rollback(&rd->run);
	rd->open = 0;
	rd->stored = 0;
	batch_clear(rd);
}

/*
 * Stores the batch in key order, sets the watermark it earned and
 * commits. The pages come in SystemModstamp order, which is random in
 * Id: stored as they come, every record would land on another leaf of
 * the primary key's B-tree, and each commit would write most of the
 * index again (SQLite upserts ~35k rows/s with random keys against ~150k
 * in key order, measured here; docs/performance.md). Sorted, a batch walks
 * the tree once.
 */
static int
flush(struct read *rd, int commit)
{
	struct sort_key *order;
	const struct record **sorted;
	size_t i;
	int rc = 0;

	if (!rd->open)
		return 0;
	order = xcalloc(rd->nbatch + 1, sizeof(*order));
	sorted = xcalloc(rd->nbatch + 1, sizeof(*sorted));
	for (i = 0; i < rd->nbatch; i++)
		sort_key_of(&order[i], rd->batch[i].key, (uint32_t)i);
	sort_keys(order, rd->nbatch);
	for (i = 0; i < rd->nbatch; i++)
		sorted[i] = &rd->batch[order[i].at];
	rc = land_records(&rd->run, sorted, rd->nbatch);
	free(sorted);
	free(order);
	if (rc == 0 && rd->wm && store_watermark_set(rd->env->st, "crm",
	    rd->wm_key, rd->wm, rd->run.now) < 0) {
		snprintf(rd->run.error, sizeof(rd->run.error), "database: %s",
		    store_errmsg(rd->env->st));
		rc = -1;
	}
	if (rc < 0) {
		abandon(rd);
		return -1;
	}
	rd->stored += rd->nbatch;
	batch_clear(rd);
	if (!commit && rd->stored < COMMIT_STORED)
		return 0;	/* the transaction goes on */
	rd->open = 0;
	rd->stored = 0;
	return land_commit(&rd->run);
}

/*
 * Lands one page in the open transaction: bad records go to the
 * quarantine at once, good ones into the batch with the watermark the
 * page earns. The batch is stored (in key order) COMMIT_RECORDS at a
 * time, and committed with its watermark COMMIT_STORED at a time and at
 * the last page: a commit writes every B-tree page it dirtied to the WAL
 * and fsyncs, so one commit per page of random Ids would write the same
 * index pages over and over (a million records: 867 MB written with a
 * commit every 20,000, 722 MB every 100,000 with the first load's 32 MB
 * cache). A crash loses at most one transaction, which the watermark
 * makes the next cycle read again.
 */
static int
land_page(struct read *rd, const struct sf_page *pages, size_t nchunks,
    const char *wm, int last)
{
	int *tok = xcalloc(nchunks, sizeof(*tok));
	struct crm_row row = { pages, tok, nchunks, rd->o->src.fields,
		xcalloc(rd->o->src.nfields * nchunks, sizeof(*row.hints)),
		rd->paths };
	size_t i, c, plen;
	int rc = 0;
	char pos[96];

	if (!rd->open) {
		if (land_begin(&rd->run) < 0) {
			free(tok);
			free(row.hints);
			return -1;
		}
		rd->open = 1;
	}
	rd->pages++;
	for (c = 0; c < nchunks; c++)
		tok[c] = pages[c].records + 1;
	/* "Opportunity page 3 #": the row number is appended per record */
	plen = (size_t)snprintf(pos, sizeof(pos) - 24, "%.60s page %lld #",
	    rd->o->sobject, (long long)rd->pages);
	for (i = 0; i < pages[0].nrecords && rc == 0; i++) {
		struct record r;
		struct record_problem why;
		char digits[24];
		size_t nd = 0, k = i + 1;

		do {
			digits[nd++] = (char)('0' + k % 10);
			k /= 10;
		} while (k);
		for (k = 0; k < nd; k++)
			pos[plen + k] = digits[nd - 1 - k];
		pos[plen + nd] = '\0';
		record_init(&r, rd->o->src.entity, "crm");
		r.arena = &rd->arena;
		if (record_map(rd->env->cfg, &rd->o->src, crm_get, &row, &r,
		    &why) < 0) {
			char *raw = row_raw(&row);

			rc = land_quarantine(&rd->run, pos, why.record_id, why.field,
			    why.reason, raw);
			free(raw);
			record_clear(&r);
		} else {
			r.origin = arena_strdup(&rd->arena, pos);
			xgrow(&rd->batch, &rd->capbatch, rd->nbatch + 1,
			    sizeof(*rd->batch));
			rd->batch[rd->nbatch++] = r;	/* the batch owns it now */
		}
		for (c = 0; c < nchunks; c++)
			tok[c] = (int)pages[c].js.t[tok[c]].end;
	}
	free(tok);
	free(row.hints);
	if (rc < 0) {
		abandon(rd);
		return -1;
	}
	if (wm) {
		free(rd->wm);
		rd->wm = xstrdup(wm);
	}
	if (last || rd->nbatch >= COMMIT_RECORDS)
		return flush(rd, last);
	return 0;
}

/* Field chunks must return the same rows in the same order. */
static int
check_chunks(const struct sf_page *pages, size_t n, char *why, size_t whylen)
{
	size_t c, i;

	for (c = 1; c < n; c++) {
		int a = pages[0].records + 1, b = pages[c].records + 1;

		if (pages[c].nrecords != pages[0].nrecords) {
			snprintf(why, whylen, "field chunks returned %zu and %zu rows",
			    pages[0].nrecords, pages[c].nrecords);
			return -1;
		}
		for (i = 0; i < pages[0].nrecords; i++) {
			char *ia = row_str(&pages[0], a, "Id"), *ib = row_str(&pages[c], b, "Id");
			int same = ia && ib && strcmp(ia, ib) == 0;

			free(ia);
			free(ib);
			if (!same) {
				snprintf(why, whylen, "field chunks disagree on row %zu", i);
				return -1;
			}
			a = (int)pages[0].js.t[a].end;
			b = (int)pages[c].js.t[b].end;
		}
	}
	return 0;
}

/*
 * Reads [lo, hi) page by page (in field chunks when the URI needs them).
 * The last page carries the watermark hi; earlier ones the stamp of their
 * last row.
 */
static enum sf_result
read_window(struct read *rd, int64_t lo, int64_t hi, struct sf_error *e)
{
	struct sf *sf = rd->env->sf;
	int batch = (int)rd->env->cfg->crm.batch_size;
	size_t nchunks, c;
	char **chunks = crm_field_chunks(sf, rd->o, lo, hi, &nchunks);
	struct sf_page *pages = xcalloc(nchunks, sizeof(*pages));
	enum sf_result r = SF_OK;
	char his[21];
	int first = 1;

	sf_soql_datetime(hi, his);
	for (;;) {
		char *last_stamp = NULL, why[128];
		int landed;

		for (c = 0; c < nchunks && r == SF_OK; c++) {
			if (first) {
				char *q = crm_window_soql(chunks[c], rd->o->sobject,
				    rd->o->where, lo, hi);

				r = sf_query(sf, q, 1, batch, &pages[c], e);
				free(q);
			} else {
				char *next = pages[c].next;

				pages[c].next = NULL;
				sf_page_recycle(&pages[c]);
				r = sf_query_more(sf, next, batch, &pages[c], e);
				free(next);
			}
		}
		if (r != SF_OK)
			break;
		first = 0;
		if (nchunks > 1 && check_chunks(pages, nchunks, why, sizeof(why)) < 0) {
			e->result = r = SF_EBODY;
			snprintf(e->message, sizeof(e->message), "%s: %s", rd->o->sobject,
			    why);
			break;
		}
		if (pages[0].nrecords) {
			const struct jscan *js = &pages[0].js;
			int last = pages[0].records + 1;
			size_t i;

			for (i = 1; i < pages[0].nrecords; i++)
				last = (int)js->t[last].end;
			last_stamp = row_str(&pages[0], last, "SystemModstamp");
		}
		landed = land_page(rd, pages, nchunks, pages[0].next ? last_stamp :
		    his, pages[0].next == NULL);
		free(last_stamp);
		if (landed < 0) {
			e->result = r = SF_ELOCAL;
			snprintf(e->message, sizeof(e->message), "%s", rd->run.error);
			break;
		}
		if (pages[0].next == NULL)
			break;
		if (rd->env->tick && rd->env->tick(rd->env->tick_arg)) {
			r = SF_ESTOPPED;
			snprintf(e->message, sizeof(e->message), "stopped");
			break;
		}
	}
	/* what landed stays, whatever stopped the reading */
	if (flush(rd, 1) < 0 && r != SF_ELOCAL) {
		e->result = r = SF_ELOCAL;
		snprintf(e->message, sizeof(e->message), "%s", rd->run.error);
	}
	for (c = 0; c < nchunks; c++)
		sf_page_free(&pages[c]);
	free(pages);
	crm_free_chunks(chunks, nchunks);
	return r;
}

/*
 * getDeleted since the last check (or the watermark), at most every
 * DELETED_EVERY seconds: marks purged records deleted, or forces a full
 * re-read when the delete log no longer reaches back that far.
 */
static enum sf_result
apply_deletes(struct read *rd, int64_t old, int64_t hi, struct sf_error *e)
{
	const struct config *cfg = rd->env->cfg;
	struct sf_deleted d;
	enum sf_result r;
	char key[96], *chk = NULL, his[21];
	int64_t since = old, last, floor_ = clock_now() - 15 * 86400 + 120, start;
	size_t i;

	snprintf(key, sizeof(key), "%s#deleted", rd->wm_key);
	if (store_watermark_get(rd->env->st, "crm", key, &chk) == 1 &&
	    norm_time(chk, TIME_ISO8601, &last) == 0) {
		free(chk);
		if (clock_now() - last < DELETED_EVERY)
			return SF_OK;
		since = last;
	} else
		free(chk);
	start = since - cfg->crm.lookback;
	if (start < floor_)
		start = floor_;
	if (start >= hi)
		return SF_OK;
	r = sf_get_deleted(rd->env->sf, rd->o->sobject, start, hi, &d, e);
	if (r != SF_OK)
		return r;
	if (d.earliest > since) {
		/* the delete log no longer reaches back to our watermark */
		struct jval *detail = jv_object();

		log_warning("crm %s: Salesforce keeps deletions only since %lld, "
		    "after this object's watermark; the next cycle re-reads it in full",
		    rd->o->sobject, (long long)d.earliest);
		jv_set_str(detail, "object", rd->o->sobject);
		jv_set_str(detail, "reason", "getDeleted earliestDateAvailable is "
		    "later than the watermark");
		if (store_watermark_delete(rd->env->st, "crm", rd->wm_key) < 0 ||
		    store_watermark_delete(rd->env->st, "crm", key) < 0) {
			jv_free(detail);	/* audit_log would have taken it */
			detail = NULL;
		}
		if (detail == NULL || audit_log(rd->env->au, rd->env->cycle_id,
		    "crm.full_reread", "crm", rd->o->sobject, detail) < 0)
			log_err("crm %s: %s", rd->o->sobject, store_errmsg(rd->env->st));
		sf_deleted_free(&d);
		return SF_OK;
	}
	if (land_begin(&rd->run) < 0) {
		sf_deleted_free(&d);
		e->result = SF_ELOCAL;
		snprintf(e->message, sizeof(e->message), "%s", rd->run.error);
		return SF_ELOCAL;
	}
	for (i = 0; i < d.n; i++) {
		char *k = rd->o->src.entity == ENTITY_REGISTRATIONS ||
		    rd->o->src.entity == ENTITY_ACTIVITIES ?
		    xasprintf("crm:%s", d.ids[i]) : xstrdup(d.ids[i]);

		store_mark_deleted(rd->env->st, rd->o->src.entity, k, rd->run.now);
		free(k);
	}
	sf_soql_datetime(hi, his);
	if (store_watermark_set(rd->env->st, "crm", key, his, rd->run.now) < 0) {
		land_rollback(&rd->run);
		sf_deleted_free(&d);
		e->result = SF_ELOCAL;
		snprintf(e->message, sizeof(e->message), "database: %s",
		    store_errmsg(rd->env->st));
		return SF_ELOCAL;
	}
	land_commit(&rd->run);
	sf_deleted_free(&d);
	return SF_OK;
}

/* The oldest SystemModstamp of the object (lo stays 0 when it is empty). */
static enum sf_result
oldest_stamp(struct sf *sf, const struct crm_object *o, int64_t *lo,
    struct sf_error *e)
{
	struct sf_page page;
	enum sf_result r;
	char *q = xasprintf("SELECT SystemModstamp FROM %s%s%s ORDER BY "
	    "SystemModstamp LIMIT 1", o->sobject, o->where ? " WHERE " : "",
	    o->where ? o->where : "");
	char *t = NULL;
	int64_t v;

	r = sf_query(sf, q, 1, 200, &page, e);
	free(q);
	if (r != SF_OK)
		return r;
	if (page.nrecords &&
	    (t = row_str(&page, page.records + 1, "SystemModstamp")) &&
	    norm_time(t, TIME_ISO8601, &v) == 0)
		*lo = v;
	free(t);
	sf_page_free(&page);
	return SF_OK;
}

static enum sf_result
read_object(struct crm_env *env, struct crm_object *o, struct source_run *out,
    struct sf_error *e)
{
	struct read rd;
	char *wm = NULL;
	int64_t lo = 0, hi = clock_now() - env->cfg->crm.safety_lag, old = 0, span;
	int halvings = 0, r, bulk = 0;
	enum sf_result res = SF_OK;
	size_t i;

	memset(&rd, 0, sizeof(rd));
	rd.env = env;
	rd.o = o;
	rd.run.cfg = env->cfg;
	rd.run.src = &o->src;
	rd.run.st = env->st;
	rd.run.au = env->au;
	rd.run.cycle_id = env->cycle_id;
	rd.run.tick = env->tick;
	rd.run.tick_arg = env->tick_arg;
	snprintf(rd.wm_key, sizeof(rd.wm_key), "%s", o->key);
	r = store_watermark_get(env->st, "crm", rd.wm_key, &wm);
	if (r < 0) {
		snprintf(e->message, sizeof(e->message), "database: %s",
		    store_errmsg(env->st));
		e->result = SF_ELOCAL;
		return SF_ELOCAL;
	}
	if (r == 1 && norm_time(wm, TIME_ISO8601, &old) == 0)
		lo = old - env->cfg->crm.lookback;
	free(wm);
	/* the fields' pointers, split once for every record of every page */
	rd.paths = xcalloc(o->src.nfields + 1, sizeof(*rd.paths));
	for (i = 0; i < o->src.nfields; i++)
		jscan_path_init(&rd.paths[i], o->src.fields[i].src);
	{
		/* no field list can make a query fit that this one does not */
		char *q = crm_window_soql("Id, SystemModstamp", o->sobject, o->where,
		    lo, hi);
		size_t len = sf_query_url_length(env->sf, q, 1);

		free(q);
		if (len > URI_MAX) {
			e->result = res = SF_EREQUEST;
			snprintf(e->message, sizeof(e->message), "the %s query is %zu "
			    "bytes long with no fields but Id; Salesforce refuses URIs past "
			    "16,384 bytes: shorten the where filter of crm.objects.%s",
			    o->sobject, len, o->key);
			goto out;
		}
	}
	/* a first, full read starts at the object's oldest change; into an
	 * empty table it loads without the secondary indexes */
	if (lo == 0 && (res = oldest_stamp(env->sf, o, &lo, e)) != SF_OK)
		goto out;
	if (old == 0 && (bulk = store_bulk_begin(env->st, o->src.entity)) < 0)
		log_warning("crm %s: %s; loading with the indexes", o->sobject,
		    store_errmsg(env->st));
	/*
	 * Windows of span seconds from lo to hi; QUERY_TIMEOUT halves the
	 * span, and later windows keep the span that worked.
	 */
	span = hi - lo;
	while (lo < hi) {
		int64_t end = span < hi - lo ? lo + span : hi;

		res = read_window(&rd, lo, end, e);
		if (res == SF_ETIMEOUT && halvings < MAX_HALVINGS && span > 1) {
			halvings++;
			span /= 2;
			log_notice("crm %s: QUERY_TIMEOUT; reading narrower windows "
			    "(%lld s)", o->sobject, (long long)span);
			continue;
		}
		if (res != SF_OK)
			break;
		lo = end;
	}
	/* User has no IsDeleted and no getDeleted: users are deactivated */
	if (res == SF_OK && old > 0 &&
	    entity_field_index(o->src.entity, "deleted") >= 0)
		res = apply_deletes(&rd, old, hi, e);
out:
	abandon(&rd);			/* nothing: read_window flushed it */
	if (bulk > 0 && store_bulk_end(env->st, o->src.entity) < 0)
		log_err("crm %s: building the indexes after the first load: %s; "
		    "the next start builds them", o->sobject, store_errmsg(env->st));
	free(rd.batch);
	free(rd.paths);
	arena_free(&rd.arena);
	*out = rd.run;
	return res;
}

/* OpportunityStage: name -> probability, closed, won; at most daily. */
static enum sf_result
read_stages(struct crm_env *env, struct sf_error *e)
{
	struct sf_page page;
	enum sf_result r;
	char now[CLOCK_ISO_LEN], *at = NULL;
	size_t i;
	int rec;
	int64_t last;

	if (store_meta_get(env->st, "crm_stages_at", &at) == 1 &&
	    norm_time(at, TIME_ISO8601, &last) == 0 &&
	    clock_now() - last < STAGES_EVERY) {
		free(at);
		return SF_OK;
	}
	free(at);
	r = sf_query(env->sf, "SELECT ApiName, MasterLabel, DefaultProbability, "
	    "IsClosed, IsWon, ForecastCategoryName FROM OpportunityStage", 0, 2000,
	    &page, e);
	if (r != SF_OK)
		return r;
	clock_now_iso(now);
	if (store_begin(env->st) < 0)
		goto fail;
	for (i = 0, rec = page.records + 1; i < page.nrecords;
	    i++, rec = (int)page.js.t[rec].end) {
		struct store_stage sg;
		char *name = row_str(&page, rec, "ApiName");
		char *label = row_str(&page, rec, "MasterLabel");
		char *fc = row_str(&page, rec, "ForecastCategoryName");
		char *p = NULL;
		int v, rc = 0;

		memset(&sg, 0, sizeof(sg));
		sg.name = name;
		sg.label = label;
		sg.forecast_category = fc;
		if ((v = jscan_member(&page.js, rec, "DefaultProbability")) >= 0 &&
		    jscan_text(&page.js, v, &p) == 1 && p &&
		    norm_amount(p, &sg.probability) == 0)
			sg.has_probability = 1;
		free(p);
		v = jscan_member(&page.js, rec, "IsClosed");
		sg.is_closed = v >= 0 && page.js.t[v].type == JS_TRUE;
		v = jscan_member(&page.js, rec, "IsWon");
		sg.is_won = v >= 0 && page.js.t[v].type == JS_TRUE;
		if (name)
			rc = store_stage_upsert(env->st, &sg, now);
		free(name);
		free(label);
		free(fc);
		if (rc < 0) {
			store_rollback(env->st);
			goto fail;
		}
	}
	if (store_meta_set(env->st, "crm_stages_at", now) < 0) {
		store_rollback(env->st);
		goto fail;
	}
	if (store_commit(env->st) < 0)
		goto fail;
	sf_page_free(&page);
	return SF_OK;
fail:
	sf_page_free(&page);
	e->result = SF_ELOCAL;
	snprintf(e->message, sizeof(e->message), "database: %s", store_errmsg(env->st));
	return SF_ELOCAL;
}

static void
record_object(struct crm_env *env, const char *key, const char *status,
    const struct source_run *run, const char *error, const char *started)
{
	struct store_cycle_source cs;
	char name[96], ended[CLOCK_ISO_LEN];

	snprintf(name, sizeof(name), "crm/%s", key);
	clock_now_iso(ended);
	memset(&cs, 0, sizeof(cs));
	cs.cycle_id = env->cycle_id;
	cs.source = name;
	cs.status = status;
	cs.started_at = started;
	cs.ended_at = ended;
	cs.records = run ? run->records : 0;
	cs.quarantined = run ? run->quarantined : 0;
	cs.error = error;
	if (store_cycle_source(env->st, &cs) < 0)
		log_err("crm: cannot record %s: %s", name, store_errmsg(env->st));
}

/*
 * The status operators give conflicts in the CRM (the write-back object's
 * Status__c), read back incrementally, so that a conflict closed there is
 * closed here (conflicts.c). The watermark is "conflicts#status".
 */
static enum sf_result
read_conflict_status(struct crm_env *env, int64_t *seen, struct sf_error *e)
{
	const struct config *cfg = env->cfg;
	const char *sobject = cfg->crm.writeback.conflicts.sobject;
	const char *ext = cfg->crm.writeback.conflicts.external_id;
	char *wm = NULL, *q, *next = NULL, los[21], his[21], now[CLOCK_ISO_LEN];
	int64_t lo = 0, hi = clock_now() - cfg->crm.safety_lag;
	struct sf_page page;
	enum sf_result r;
	int first = 1;

	if (store_watermark_get(env->st, "crm", "conflicts#status", &wm) == 1 &&
	    norm_time(wm, TIME_ISO8601, &lo) == 0)
		lo -= cfg->crm.lookback;
	free(wm);
	sf_soql_datetime(lo > 0 ? lo : 0, los);
	sf_soql_datetime(hi, his);
	q = xasprintf("SELECT Id, %s, Status__c, SystemModstamp FROM %s WHERE "
	    "SystemModstamp >= %s AND SystemModstamp < %s ORDER BY SystemModstamp, "
	    "Id", ext, sobject, los, his);
	clock_now_iso(now);
	for (;;) {
		int rec;
		size_t i;

		r = first ? sf_query(env->sf, q, 0, (int)cfg->crm.batch_size, &page, e) :
		    sf_query_more(env->sf, next, (int)cfg->crm.batch_size, &page, e);
		free(next);
		next = NULL;
		first = 0;
		if (r != SF_OK)
			break;
		if (store_begin(env->st) < 0)
			goto db;
		for (i = 0, rec = page.records + 1; i < page.nrecords;
		    i++, rec = (int)page.js.t[rec].end) {
			char *key = row_str(&page, rec, ext);
			char *status = row_str(&page, rec, "Status__c");

			if (key && status) {
				int n = store_conflict_set_crm_status(env->st, key, status,
				    sobject);

				if (n < 0) {
					free(key);
					free(status);
					store_rollback(env->st);
					goto db;
				}
				*seen += n;
			}
			free(key);
			free(status);
		}
		if (page.next == NULL && store_watermark_set(env->st, "crm",
		    "conflicts#status", his, now) < 0) {
			store_rollback(env->st);
			goto db;
		}
		if (store_commit(env->st) < 0)
			goto db;
		next = page.next;
		page.next = NULL;
		sf_page_free(&page);
		if (next == NULL)
			break;
	}
	free(q);
	return r;
db:
	sf_page_free(&page);
	free(q);
	free(next);
	e->result = SF_ELOCAL;
	snprintf(e->message, sizeof(e->message), "database: %s", store_errmsg(env->st));
	return SF_ELOCAL;
}

static void
save_identity(struct crm_env *env)
{
	int64_t used, limit;
	char num[64];

	sf_api_usage(env->sf, &used, &limit);
	if (store_begin(env->st) < 0)
		return;
	if (sf_username(env->sf))
		store_meta_set(env->st, "crm_user", sf_username(env->sf));
	if (sf_instance_url(env->sf))
		store_meta_set(env->st, "crm_instance", sf_instance_url(env->sf));
	if (limit > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)used);
		store_meta_set(env->st, "crm_api_used", num);
		snprintf(num, sizeof(num), "%lld", (long long)limit);
		store_meta_set(env->st, "crm_api_limit", num);
	}
	if (store_commit(env->st) < 0)
		log_err("crm: %s", store_errmsg(env->st));
}

int
crm_run(struct crm_env *env, struct crm_result *res)
{
	struct crm_object *objs;
	size_t n, i;
	struct sf_error e;
	int stop = 0;

	memset(res, 0, sizeof(*res));
	sf_cycle_begin(env->sf);
	objs = crm_objects_of(env->cfg, &n);
	for (i = 0; i < n; i++) {
		struct source_run run;
		char started[CLOCK_ISO_LEN];
		enum sf_result r;

		clock_now_iso(started);
		memset(&run, 0, sizeof(run));
		memset(&e, 0, sizeof(e));
		if (stop) {
			record_object(env, objs[i].key, "skipped", NULL, res->error, started);
			continue;
		}
		if (env->tick && env->tick(env->tick_arg)) {
			res->stopped = stop = 1;
			break;
		}
		res->objects_run++;
		r = read_object(env, &objs[i], &run, &e);
		if (r == SF_OK && objs[i].src.entity == ENTITY_OPPORTUNITIES)
			r = read_stages(env, &e);
		res->records += run.records;
		res->quarantined += run.quarantined;
		if (r == SF_OK) {
			record_object(env, objs[i].key, "ok", &run, NULL, started);
			continue;
		}
		res->objects_failed++;
		if (r == SF_ESTOPPED) {
			res->stopped = stop = 1;
			record_object(env, objs[i].key, "interrupted", &run, NULL, started);
			continue;
		}
		if (r == SF_ELOCAL)
			res->store_failed = 1;
		if (res->error[0] == '\0')
			snprintf(res->error, sizeof(res->error), "%s: %.400s",
			    objs[i].key, e.message);
		record_object(env, objs[i].key, "failed", &run, e.message, started);
		{
			struct jval *detail = jv_object();
			char *f0 = xasprintf("CHANSYNC_SOURCE=crm/%s", objs[i].key);
			const char *fields[2] = { f0, NULL };

			jv_set_str(detail, "object", objs[i].sobject);
			jv_set_str(detail, "error", e.message);
			if (e.code[0])
				jv_set_str(detail, "code", e.code);
			if (audit_log(env->au, env->cycle_id, r == SF_EBUDGET ?
			    "crm.budget_reached" : "source.error", "source", f0 + 16,
			    detail) < 0)
				res->store_failed = 1;
			log_event(LOG_ERR, MSGID_SOURCE_ERROR, fields, "crm %s failed: %s%s",
			    objs[i].sobject, e.message, r == SF_EAUTH || r == SF_EBUDGET ?
			    "; no more CRM calls this cycle" : "; retrying next cycle");
			free(f0);
		}
		/* a refused login or a spent budget stops every object */
		if (r == SF_EAUTH || r == SF_EBUDGET) {
			stop = 1;
			res->budget = r == SF_EBUDGET;
		}
	}
	if (!stop && env->cfg->crm.writeback.conflicts.present &&
	    env->cfg->crm.writeback.conflicts.sobject &&
	    env->cfg->crm.writeback.conflicts.external_id) {
		int64_t seen = 0;
		enum sf_result r;
		char started[CLOCK_ISO_LEN];

		clock_now_iso(started);
		memset(&e, 0, sizeof(e));
		res->objects_run++;
		r = read_conflict_status(env, &seen, &e);
		if (r == SF_OK) {
			record_object(env, "conflicts#status", "ok", NULL, NULL, started);
			if (seen)
				log_info("crm: %lld conflict status%s read back",
				    (long long)seen, seen == 1 ? "" : "es");
		} else {
			res->objects_failed++;
			if (r == SF_ELOCAL)
				res->store_failed = 1;
			if (res->error[0] == '\0')
				snprintf(res->error, sizeof(res->error), "conflict status: "
				    "%.400s", e.message);
			record_object(env, "conflicts#status", "failed", NULL, e.message,
			    started);
			log_err("crm: reading conflict statuses back failed: %s; "
			    "retrying next cycle", e.message);
		}
	}
	save_identity(env);
	for (i = 0; i < n; i++)
		crm_object_free(&objs[i]);
	free(objs);
	return 0;
}
