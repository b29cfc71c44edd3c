/*
 * page_salvage.c - a refused page's records parsed one at a time.
 */
#include "sources/page_salvage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsalvage.h"
#include "lib/json.h"
#include "lib/mem.h"

#define RAW_MAX 256
#define ID_MAX 128

/* The external id of a record that did not parse: a plain string at
 * pointer id (no escapes, printable ASCII), else NULL. */
static char *
bad_id(const char *buf, struct jspan rec, const char *id)
{
	struct jspan s;
	size_t i;

	if (id == NULL || jsalvage_find(buf + rec.start, rec.end - rec.start, id,
	    &s) != 1)
		return NULL;
	s.start += rec.start;
	s.end += rec.start;
	if (s.end - s.start < 3 || s.end - s.start > ID_MAX ||
	    buf[s.start] != '"')
		return NULL;
	for (i = s.start + 1; i < s.end - 1; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e ||
		    buf[i] == '\\' || buf[i] == '"')
			return NULL;
	return xstrndup(buf + s.start + 1, s.end - s.start - 2);
}

static void
add_bad(struct salvaged_page *out, size_t *cap, size_t index, const char *err,
    const char *buf, struct jspan rec, const char *id)
{
	struct salvaged_record *b;
	size_t n = rec.end - rec.start;

	xgrow(&out->bad, cap, out->nbad + 1, sizeof(*out->bad));
	b = &out->bad[out->nbad++];
	b->index = index;
	b->why = xasprintf("invalid JSON: %s", err);
	b->raw = xstrndup(buf + rec.start, n < RAW_MAX ? n : RAW_MAX);
	b->id = bad_id(buf, rec, id);
}

/* The records array, each element parsed alone. */
static struct jval *
salvage_records(const char *buf, struct jspan arr, const char *id,
    struct salvaged_page *out, char *why, size_t whylen)
{
	struct jspan *el = NULL;
	struct jval *recs;
	size_t i, cap = 0;
	long n = jsalvage_elements(buf, arr, &el);
	char err[160];

	if (n < 0) {
		snprintf(why, whylen, "the records array's structure is broken");
		return NULL;
	}
	recs = jv_array();
	for (i = 0; i < (size_t)n; i++) {
		struct jval *v = jv_parse_value(buf + el[i].start,
		    el[i].end - el[i].start, err, sizeof(err));

		if (v == NULL) {
			add_bad(out, &cap, i, err, buf, el[i], id);
			v = jv_null();
		}
		jv_append(recs, v);
	}
	free(el);
	return recs;
}

int
page_salvage(const char *buf, size_t len, const char *records,
    const char *next, const char *id, struct salvaged_page *out, char *why,
    size_t whylen)
{
	struct jspan arr, cur;
	struct jval *recs, *cursor = NULL;
	char err[160];
	int r;

	memset(out, 0, sizeof(*out));
	if (jsalvage_find(buf, len, records, &arr) != 1) {
		snprintf(why, whylen, "the records ('%s') cannot be found in "
		    "its structure", records);
		return -1;
	}
	if (next != NULL) {
		r = jsalvage_find(buf, len, next, &cur);
		if (r < 0) {
			snprintf(why, whylen, "the next cursor ('%s') cannot be "
			    "found in its structure", next);
			return -1;
		}
		if (r == 1 && (cursor = jv_parse_value(buf + cur.start,
		    cur.end - cur.start, err, sizeof(err))) == NULL) {
			snprintf(why, whylen, "the next cursor ('%s') is invalid: "
			    "%s", next, err);
			return -1;
		}
	}
	if ((recs = salvage_records(buf, arr, id, out, why, whylen)) == NULL) {
		jv_free(cursor);
		return -1;
	}
	if (*records == '\0') {
		out->doc = recs;
		jv_free(cursor);	/* a bare array has no cursor */
		return 0;
	}
	out->doc = jv_object();
	if (jv_set_pointer(out->doc, records, recs) < 0) {
		jv_free(cursor);
		cursor = NULL;
		goto overlap;
	}
	if (cursor && jv_set_pointer(out->doc, next, cursor) < 0) {
overlap:
		snprintf(why, whylen, "the records ('%s') and the cursor ('%s') "
		    "overlap", records, next ? next : "");
		salvaged_page_free(out);
		return -1;
	}
	return 0;
}

void
salvaged_page_free(struct salvaged_page *p)
{
	size_t i;

	for (i = 0; i < p->nbad; i++) {
		free(p->bad[i].why);
		free(p->bad[i].raw);
		free(p->bad[i].id);
	}
	free(p->bad);
	jv_free(p->doc);
	memset(p, 0, sizeof(*p));
}
