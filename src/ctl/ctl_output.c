/*
 * ctl_output.c - how chansyncctl prints: rows as aligned tables for
 * people or JSON for machines, and the parsing of times and durations
 * its options take.
 */
#include "ctl_internal.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "lib/text_table.h"
#include "model/normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- row output ---- */


int
ctl_collect(void *ctx, const struct store_row *row)
{
	struct ctl_out *o = ctx;
	int i;

	if (o->json) {
		struct jval *obj = jv_object();

		for (i = 0; i < row->ncol; i++) {
			const char *v = row->vals[i];
			struct jval *j;
			char err[64];

			switch (row->types[i]) {
			case STORE_NULL:
				j = jv_null();
				break;
			case STORE_INT:
				j = jv_int(strtoll(v, NULL, 10));
				break;
			case STORE_REAL:
				j = jv_real(strtod(v, NULL));
				break;
			default:
				j = NULL;
				if (strcmp(row->names[i], "detail") == 0)
					j = jv_parse(v, strlen(v), err, sizeof(err));
				if (j == NULL)
					j = jv_str(v);
			}
			jv_set(obj, row->names[i], j);
		}
		jv_append(o->arr, obj);
		return 0;
	}
	if (o->t == NULL)
		o->t = table_new(o->columns > 0 && o->columns < row->ncol ?
		    o->columns : row->ncol, row->names);
	table_add(o->t, row->vals);
	return 0;
}

void
ctl_out_init(struct ctl_out *o, int json)
{
	memset(o, 0, sizeof(*o));
	o->json = json;
	if (json)
		o->arr = jv_array();
}

/* Prints and frees; empty says what to print when there are no rows. */
void
ctl_out_print(struct ctl_out *o, const char *empty, int maxw)
{
	if (o->json) {
		char *s = jv_dump_pretty(o->arr);

		printf("%s\n", s);
		free(s);
		jv_free(o->arr);
		return;
	}
	if (o->t == NULL)
		printf("%s\n", empty);
	else
		table_print(o->t, stdout, maxw);
	table_free(o->t);
}

/* ---- time arguments ---- */

/* "2026-11-27T08:00:00Z", a date, or a duration ago ("2h", "7d"). */
int
ctl_parse_when(const char *s, char out[CLOCK_ISO_LEN])
{
	int64_t t, d;
	char iso[21];

	if (config_parse_duration(s, &d) == 0)
		t = clock_now() - d;
	else if (norm_time(s, TIME_ISO8601, &t) < 0)
		return -1;
	norm_time_format(t, iso);
	/* the audit stores microseconds: compare like with like */
	snprintf(out, CLOCK_ISO_LEN, "%.19s.000000Z", iso);
	return 0;
}

int
ctl_parse_secs(const char *s, int *ret)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v <= 0 || v > 86400)
		return -1;
	*ret = (int)v;
	return 0;
}

const char *
ctl_js(const struct jval *o, const char *k)
{
	const char *v = o ? jv_object_str(o, k) : NULL;

	return v ? v : "";
}

/* A number at pointer p of o: 1 and *ret, or 0 for none. */
int
ctl_num(const struct jval *o, const char *p, double *ret)
{
	char err[64], *v = NULL;
	int ok;

	*ret = 0;
	ok = o && jv_lookup_text(o, p, &v, err, sizeof(err)) == 1 && v;
	if (ok)
		*ret = strtod(v, NULL);
	free(v);
	return ok;
}
