/*
 * jscan.h - a fast, strict JSON tokenizer for the large pages Salesforce
 * queries return (2,000 records, ~2 MB each).
 *
 * jansson builds a tree of allocated nodes and parses such pages at
 * ~40 MB/s; on a million-record sync that alone costs more CPU than a
 * whole Python script. jscan makes one flat array of tokens that point
 * into the input (no allocation per value, one growable array per page),
 * each knowing where its subtree ends, so members are found and siblings
 * skipped without walking. It is strict like jansson: RFC 8259 syntax,
 * valid UTF-8, no control characters or \u0000 in strings, no lone
 * surrogates, nesting at most 512, no name twice in one object (as
 * jansson's JSON_REJECT_DUPLICATES); errors carry line:column. The general
 * parser (json.h) keeps every other job.
 */
#ifndef CHANSYNC_JSCAN_H
#define CHANSYNC_JSCAN_H

#include <stddef.h>
#include <stdint.h>

enum jscan_type {
	JS_OBJECT = 1,
	JS_ARRAY,
	JS_STRING,
	JS_NUMBER,
	JS_TRUE,
	JS_FALSE,
	JS_NULL,
};

struct jscan_tok {
	uint32_t start, len;	/* the value's bytes (strings: inside quotes) */
	uint32_t end;		/* index of the first token after this subtree */
	uint32_t count;		/* members of an object, elements of an array */
	uint8_t type;
	uint8_t escaped:1;	/* a string with backslash escapes */
	uint8_t key:1;		/* an object member's name */
	uint16_t depth;		/* containers around it (the root: 0) */
};

struct jscan {
	const char *buf;	/* borrowed: must outlive the tokens */
	size_t len;
	struct jscan_tok *t;
	size_t n, cap;
};

void jscan_init(struct jscan *j);
/* Tokenizes buf. Returns 0, or -1 with "line L column C: why" in err. */
int jscan_parse(struct jscan *j, const char *buf, size_t len, char *err,
    size_t errlen);
void jscan_free(struct jscan *j);

/* The value of key in object token obj, or -1. */
int jscan_member(const struct jscan *j, int obj, const char *key);
/* The token at an RFC 6901 pointer from root ("" is root), or -1. */
int jscan_pointer(const struct jscan *j, int root, const char *ptr);
/*
 * The same, for the same pointer into many objects of one shape (the
 * records of a page): hints[level] remembers where each name was found,
 * as an offset from its object, and is tried first; a wrong hint costs
 * one comparison. hints starts zeroed, one per level of the pointer
 * (JSCAN_HINTS at most; deeper levels are looked up without a hint).
 */
#define JSCAN_HINTS 4
int jscan_pointer_hint(const struct jscan *j, int root, const char *ptr,
    uint32_t hints[JSCAN_HINTS]);
/*
 * A pointer split once into its names, for lookups in many records: the
 * names borrow from the pointer, which must outlive the path. -1 for a
 * pointer with escapes (~0, ~1) or deeper than JSCAN_HINTS: look those up
 * with jscan_pointer_hint.
 */
struct jscan_path {
	int n;
	const char *name[JSCAN_HINTS];
	uint32_t len[JSCAN_HINTS];
	/* names of 16 bytes or less again, zero-padded to 16: compared with
	 * a record's names 16 bytes at a time */
	char name16[JSCAN_HINTS][16];
};
int jscan_path_init(struct jscan_path *p, const char *ptr);
/* jscan_pointer_hint for a split pointer. */
int jscan_path_get(const struct jscan *j, int root, const struct jscan_path *p,
    uint32_t hints[JSCAN_HINTS]);
/*
 * A scalar as text: 1 with a new string in *ret (NULL for null; numbers
 * exactly as written; strings unescaped), -1 for an object or array.
 */
int jscan_text(const struct jscan *j, int tok, char **ret);
/* The same, allocated from a (malloc when a is NULL). */
struct arena;
int jscan_text_in(const struct jscan *j, int tok, struct arena *a, char **ret);
/* 1 when the string token equals s exactly (no allocation). */
int jscan_streq(const struct jscan *j, int tok, const char *s);

#endif
