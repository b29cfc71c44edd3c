/*
 * yamltree.h - a small, positioned YAML document tree built on libyaml's event
 * API, with the defences libyaml lacks.
 *
 * Refused, each with a position: tabs in indentation, anchors and aliases
 * (no billion laughs), explicit tags, duplicate mapping keys, non-scalar
 * keys, more than one document, nesting deeper than YAML_MAX_DEPTH.
 * Callers cap the input size before calling. libyaml marks are 0-based;
 * every position here is 1-based.
 */
#ifndef CHANSYNC_YAMLTREE_H
#define CHANSYNC_YAMLTREE_H

#include <stddef.h>

#include "lib/diag.h"

#define YAML_MAX_DEPTH 32

enum ynode_kind {
	YNODE_SCALAR,
	YNODE_MAP,
	YNODE_SEQ,
};

struct ynode {
	enum ynode_kind kind;
	int line, col;		/* 1-based start of the node */
	/* scalar */
	char *str;		/* NUL-terminated value */
	size_t len;
	int plain;		/* 1: unquoted plain scalar (null/bool/number rules) */
	int alias;		/* 1: stands in for a refused alias */
	/* map: keys[i] (scalars) -> vals[i]; seq: vals[i] */
	struct ynode **keys;
	struct ynode **vals;
	size_t n, cap;
};

/* yaml_parse flags */
#define YAML_KEEP_TREE 0x1	/* keep what was built despite errors */

/*
 * Parses len bytes of data. Returns the root node (NULL for an empty
 * document) in *ret_root. Returns 0; -1 after adding diagnostics that
 * leave the tree whole (duplicate keys, anchors, aliases, tags); -2 after
 * a syntax error, a tab in indentation or too deep nesting. With
 * YAML_KEEP_TREE, *ret_root holds whatever could be built either way.
 */
int yaml_parse(const char *data, size_t len, int flags,
    struct ynode **ret_root, struct diags *d);

/* Returns the value for key in map, or NULL; *ret_key gets the key node. */
struct ynode *ynode_get(const struct ynode *map, const char *key,
    const struct ynode **ret_key);
/* 1 when node is a plain null scalar (~, null, Null, NULL or empty). */
int ynode_is_null(const struct ynode *node);
/* A short name of the node's kind for messages: "a mapping", ... */
const char *ynode_kind_name(const struct ynode *node);
void ynode_free(struct ynode *node);

#endif
