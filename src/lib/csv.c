/*
 * csv.c - RFC 4180 record reader.
 */
#include "lib/csv.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
csv_init(struct csv *c, const char *data, size_t len, char delim)
{
	c->p = data;
	c->end = data + len;
	c->line = 1;
	c->delim = delim ? delim : ',';
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		c->p += 3;
}

static void
clear(struct csv_record *rec)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		free(rec->fields[i]);
	rec->n = 0;
}

void
csv_record_free(struct csv_record *rec)
{
	clear(rec);
	free(rec->fields);
	rec->fields = NULL;
	rec->cap = 0;
}

static void
push(struct csv_record *rec, struct buf *b)
{
	xgrow(&rec->fields, &rec->cap, rec->n + 1, sizeof(*rec->fields));
	rec->fields[rec->n++] = buf_steal(b);
}

/* Skips to just after the end of the current physical line. */
static void
skip_line(struct csv *c)
{
	while (c->p < c->end && *c->p != '\n')
		c->p++;
	if (c->p < c->end) {
		c->p++;
		c->line++;
	}
}

int
csv_next(struct csv *c, struct csv_record *rec, char *err, size_t errlen)
{
	struct buf b;

	clear(rec);
	/* skip blank lines */
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	if (c->p >= c->end)
		return 0;
	rec->line = c->line;
	rec->raw = c->p;
	buf_init(&b, CSV_MAX_FIELD_BYTES);
	for (;;) {
		/* one field */
		if (c->p < c->end && *c->p == '"') {
			int start_line = c->line;

			c->p++;
			for (;;) {
				if (c->p >= c->end) {
					snprintf(err, errlen, "quoted field opened "
					    "on line %d is never closed", start_line);
					goto bad_eof;
				}
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						if (buf_addch(&b, '"') < 0)
							goto too_big;
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (*c->p == '\n')
					c->line++;
				if (buf_addch(&b, *c->p++) < 0)
					goto too_big;
			}
			if (c->p < c->end && *c->p != c->delim && *c->p != '\n' &&
			    !(*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n'))) {
				snprintf(err, errlen, "unexpected character '%c' "
				    "after a closing quote on line %d",
				    *c->p >= 0x20 ? *c->p : '?', c->line);
				goto bad;
			}
		} else {
			while (c->p < c->end && *c->p != c->delim && *c->p != '\n') {
				if (*c->p == '\r' && (c->p + 1 == c->end ||
				    c->p[1] == '\n')) {
					c->p++;
					continue;
				}
				if (buf_addch(&b, *c->p++) < 0)
					goto too_big;
			}
		}
		if (rec->n >= CSV_MAX_FIELDS) {
			snprintf(err, errlen, "more than %d fields", CSV_MAX_FIELDS);
			goto bad;
		}
		push(rec, &b);
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p >= c->end)
			break;
		if (*c->p == c->delim) {
			c->p++;
			continue;
		}
		/* '\n' */
		c->p++;
		c->line++;
		break;
	}
	buf_free(&b);
	rec->rawlen = (size_t)(c->p - rec->raw);
	return 1;
too_big:
	snprintf(err, errlen, "a field is larger than %u bytes",
	    CSV_MAX_FIELD_BYTES);
bad:
	buf_free(&b);
	skip_line(c);
	rec->rawlen = (size_t)(c->p - rec->raw);
	return -1;
bad_eof:
	buf_free(&b);
	c->p = c->end;
	rec->rawlen = (size_t)(c->p - rec->raw);
	return -1;
}
