/*
 * config_internal.h - what the configuration's files share: the key
 * tables' shape (config_keys.c holds the tables), the table pass
 * (config.c), the semantic pass (config_check.c), and the loader that
 * runs both (config_load.c). Private to src/config/.
 */
#ifndef CHANSYNC_CONFIG_INTERNAL_H
#define CHANSYNC_CONFIG_INTERNAL_H

#include "config/config.h"
#include "lib/diag.h"
#include "lib/yamltree.h"

enum ktype {
	K_STR,		/* char * */
	K_INT,		/* int64_t, [min, max] */
	K_NUM,		/* double, [min, max] */
	K_BOOL,		/* int */
	K_DUR,		/* int64_t seconds, [min, max] */
	K_ENUM,		/* int: index in enums */
	K_SECRET,	/* char *: a reference, never a literal */
	K_URL,		/* char *: https, or http to loopback */
	K_PATH,		/* char *: absolute path */
	K_STRUCT,	/* nested table */
	K_LIST,		/* array of nested tables */
	K_DAYS,		/* unsigned bitmask of weekdays */
	K_DATES,	/* char ** of "YYYY-MM-DD" */
	K_KV,		/* struct config_kv *, values checked by enums if set */
	K_NUMS,		/* struct config_num *, keys checked by enums if set */
	K_FIELDS,	/* struct config_field * (checked in the semantic pass) */
	K_FREEMAIL,	/* "default", or a list of domains */
	K_ALIASES,	/* struct config_alias *: source -> { id -> CRM id } */
	K_DECISIONS,	/* a path (char * at off), or { url } (char * at
			 * count_off) */
	K_WORDS,	/* char ** of words, each from enums if set */
	K_TIERS,	/* struct config_tier *: a list of rules, or (older
			 * files) a mapping of names to lowest scores */
};

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	size_t count_off;		/* K_LIST, K_DATES, K_KV, K_NUMS, K_FIELDS */
	const struct key *sub;		/* K_STRUCT, K_LIST */
	size_t elem_size;		/* K_LIST */
	const char *const *enums;	/* K_ENUM values; K_KV values; K_NUMS keys */
	double min, max;
	const char *def;		/* default, in the same text form */
	int required;
	int present_off;		/* K_STRUCT: offset of an int flag, or -1 */
};

/* The member at byte offset off of base, as a type *. */
#define AT(base, off, type) ((type *)((char *)(base) + (off)))

/* The top of the schema (config_keys.c). */
extern const struct key cfg_root_keys[];
extern const char *const cfg_e_days[];
extern const char *const cfg_e_time_format[];

struct ctx {
	struct diags *d;
	struct config *cfg;
	const struct ynode *root;
	int flags;
};

extern const char *const cfg_e_source_kind[];
extern const char *const cfg_e_auth_kind[];
extern const char *const cfg_e_flow[];
extern const char *const cfg_e_wb_fields[];

/* A diagnostic at node n (or at path's deepest existing node). */
void cfg_err_node(struct ctx *x, const struct ynode *n, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cfg_err_path(struct ctx *x, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The node at "sources[1].auth.token", or the deepest that exists. */
const struct ynode *cfg_locate(const struct ynode *root, const char *path);
/* Returns a new string "path.name" (or "name" at the top). */
char *cfg_join(const char *path, const char *name);
/* Returns a new string "a, b, c". */
char *cfg_enum_list(const char *const *e);
/* Every key's default written into base (a struct of tab's keys). */
void cfg_apply_defaults(const struct key *tab, char *base);
/* The parser's pieces the other files of the schema use (config.c). */
int cfg_scalar_ok(struct ctx *x, const struct ynode *n, const char *path,
    const char *what);
int cfg_parse_number(const char *s, double *ret);
void cfg_parse_list(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path);
char **cfg_split_list(const char *s, size_t *ret_n);
void cfg_free_list(char **v, size_t n);
void cfg_free_table(const struct key *tab, char *base);
/* A key-value list (status maps, write-back fields) and its strings. */
void cfg_free_kv(struct config_kv *kv, size_t n);
/* scoring.tiers (config_tiers.c) */
void cfg_default_tiers(const struct key *k, char *base);
void cfg_parse_tiers(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path);
void cfg_free_tiers(const struct key *k, char *base);
/* The table pass: root read into x->cfg against cfg_root_keys (config.c). */
void cfg_parse(struct ctx *x);
/* The semantic pass: checks across keys, secrets, URLs (config_check.c). */
void cfg_check(struct ctx *x);

#endif
