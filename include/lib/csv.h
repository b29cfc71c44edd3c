/*
 * csv.h - an RFC 4180 reader: quoted fields with embedded delimiters,
 * doubled quotes and line breaks, CRLF or LF line ends, a UTF-8 BOM.
 *
 * Reads from a buffer in memory, one record at a time, remembering the
 * line each record starts on so that a bad record can be quarantined with
 * its position while the rest of the file proceeds.
 */
#ifndef CHANSYNC_CSV_H
#define CHANSYNC_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 512
#define CSV_MAX_FIELD_BYTES (1u << 20)

struct csv {
	const char *p, *end;
	int line;		/* current line, 1-based */
	char delim;
};

struct csv_record {
	char **fields;		/* NUL-terminated copies, owned by the record */
	size_t n, cap;
	int line;		/* line the record starts on */
	const char *raw;	/* the record's text in the input (borrowed) */
	size_t rawlen;
};

/* data must outlive c; a leading UTF-8 BOM is skipped. */
void csv_init(struct csv *c, const char *data, size_t len, char delim);
/*
 * Reads the next record into rec (previous contents freed).
 * Returns 1 for a record, 0 at the end, -1 for a malformed record (err
 * says why, rec->line says where); the reader then continues after it.
 * Blank lines are skipped.
 */
int csv_next(struct csv *c, struct csv_record *rec, char *err, size_t errlen);
void csv_record_free(struct csv_record *rec);

#endif
