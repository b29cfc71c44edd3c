/*
 * jsalvage.h - the structure of a JSON text a strict parser refused, so
 * that what can still be read is read.
 *
 * One record with invalid UTF-8, a name given twice or a number too big
 * for any integer makes a whole page invalid JSON. The scan here follows
 * only what delimits values (quotes, backslashes, brackets, commas), so a
 * bad value spoils the value it is in and nothing else: the caller finds
 * the records array and parses each element on its own.
 */
#ifndef CHANSYNC_JSALVAGE_H
#define CHANSYNC_JSALVAGE_H

#include <stddef.h>

/* A value's bytes: buf[start, end). */
struct jspan {
	size_t start, end;
};

/*
 * The value at RFC 6901 pointer ptr ("" the whole text). Returns 1 with
 * its span, 0 when the text's structure holds but the pointer leads
 * nowhere, -1 when the structure is broken on the way (an unterminated
 * string, unbalanced brackets, bytes where a comma should be).
 */
int jsalvage_find(const char *buf, size_t len, const char *ptr,
    struct jspan *out);

/*
 * The elements of the array at span a. Returns their count with a new
 * array of spans in *ret (NULL for none; the caller frees it), or -1
 * when a is not an array or its structure is broken.
 */
long jsalvage_elements(const char *buf, struct jspan a, struct jspan **ret);

#endif
