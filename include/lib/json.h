/*
 * json.h - the project's JSON: parsing documents with hard limits,
 * RFC 6901 pointer lookups, and building canonical documents (audit
 * details, --json output). The only module that includes <jansson.h>.
 *
 * Parsing rejects duplicate keys, numbers jansson cannot hold, invalid
 * UTF-8, NUL escapes and nesting deeper than 2048 (jansson's limits),
 * reporting line:column.
 */
#ifndef CHANSYNC_JSON_H
#define CHANSYNC_JSON_H

#include <stddef.h>
#include <stdint.h>

/* A JSON value; really a jansson json_t, opaque outside json.c. */
struct jval;

/*
 * Parses len bytes. Returns a new value, or NULL with a message naming
 * line:column in err.
 */
struct jval *jv_parse(const char *buf, size_t len, char *err, size_t errlen);
/* Same for a file, capped at max bytes. */
/* The same for any JSON value, a bare string or number too. */
struct jval *jv_parse_value(const char *buf, size_t len, char *err,
    size_t errlen);
struct jval *jv_parse_file(const char *path, size_t max, char *err, size_t errlen);
/* Releases v (a new reference); NULL is a no-op. */
void jv_free(struct jval *v);

/*
 * 1 when p is a valid RFC 6901 pointer ("" or "/a/b~1c"). A bare name
 * ("id") is accepted by jv_pointer_normalize, not here.
 */
int jv_pointer_valid(const char *p);
/* Returns a new pointer string: "id" -> "/id", "/a" unchanged. */
char *jv_pointer_normalize(const char *p);

/*
 * Looks up pointer in v. Returns 1 and a new string in *ret (NULL for a
 * JSON null; numbers in their shortest exact text, booleans as
 * "true"/"false"), 0 when the pointer does not resolve, or -1 with a
 * message in err when the value is an object or array.
 */
int jv_lookup_text(const struct jval *v, const char *pointer, char **ret,
    char *err, size_t errlen);
/* Borrowed value at pointer, or NULL. */
const struct jval *jv_lookup(const struct jval *v, const char *pointer);
/* Array length (0 for a non-array) and borrowed element i. */
size_t jv_array_len(const struct jval *v);
const struct jval *jv_array_at(const struct jval *v, size_t i);
/* Borrowed string value of an object member, or NULL. */
const char *jv_object_str(const struct jval *v, const char *key);
/* The member key of an object, NULL when absent or not an object. */
const struct jval *jv_get(const struct jval *v, const char *key);
int jv_is_object(const struct jval *v);
int jv_is_array(const struct jval *v);

/* Building. Constructors return new references; setters steal val. */
struct jval *jv_object(void);
struct jval *jv_array(void);
struct jval *jv_str(const char *s);	/* NULL -> JSON null */
struct jval *jv_int(int64_t i);
struct jval *jv_real(double d);
/* A number's value (integers too); NAN for anything else. */
double jv_number_value(const struct jval *v);
struct jval *jv_bool(int b);
struct jval *jv_null(void);
void jv_set(struct jval *obj, const char *key, struct jval *val);
/* Sets the member at pointer ptr ("/a/b") of object root, making the
 * objects on the way. Steals val. Returns 0, or -1 ("" or a non-object
 * on the way; val is freed). */
int jv_set_pointer(struct jval *root, const char *ptr, struct jval *val);
/* A deep copy. */
struct jval *jv_copy(const struct jval *v);
/* An object's members in order: it = jv_iter(o); it; it = jv_iter_next(o, it). */
void *jv_iter(const struct jval *o);
void *jv_iter_next(const struct jval *o, void *it);
const char *jv_iter_key(void *it);
const struct jval *jv_iter_value(void *it);
void jv_set_str(struct jval *obj, const char *key, const char *s);
void jv_set_int(struct jval *obj, const char *key, int64_t i);
void jv_append(struct jval *arr, struct jval *val);
/* Copies every member of object b into object a (overwriting). */
void jv_object_merge(struct jval *a, const struct jval *b);

/* Returns a new string: compact, keys sorted (the audit canonical form). */
char *jv_dump_canonical(const struct jval *v);
/* Returns a new string: indented, keys in insertion order, for people. */
char *jv_dump_pretty(const struct jval *v);

#endif
