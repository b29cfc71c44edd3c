/*
 * config_internal.h - what config.c (the schema tables and the table
 * pass) and config_check.c (the semantic pass) share. Private to the
 * config module; nothing else includes it.
 */
#ifndef CHANSYNC_CONFIG_INTERNAL_H
#define CHANSYNC_CONFIG_INTERNAL_H

#include "config/config.h"
#include "lib/diag.h"
#include "lib/yamltree.h"

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
/* The semantic pass: checks across keys, secrets, URLs (config_check.c). */
void cfg_check(struct ctx *x);

#endif
