/*
 * yamltree.c - libyaml event stream to a positioned tree.
 *
 * The only file that includes <yaml.h> from libyaml.
 */
#include "lib/yamltree.h"
#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

static struct ynode *
node_new(enum ynode_kind kind, const yaml_mark_t *m)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

void
ynode_free(struct ynode *node)
{
	size_t i;

	if (node == NULL)
		return;
	for (i = 0; i < node->n; i++) {
		if (node->keys)
			ynode_free(node->keys[i]);
		ynode_free(node->vals[i]);
	}
	free(node->keys);
	free(node->vals);
	free(node->str);
	free(node);
}

struct ynode *
ynode_get(const struct ynode *map, const char *key, const struct ynode **ret_key)
{
	size_t i;

	if (map == NULL || map->kind != YNODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->str, key) == 0) {
			if (ret_key)
				*ret_key = map->keys[i];
			return map->vals[i];
		}
	return NULL;
}

int
ynode_is_null(const struct ynode *node)
{
	if (node == NULL)
		return 1;
	if (node->kind != YNODE_SCALAR || !node->plain)
		return 0;
	return node->len == 0 || strcmp(node->str, "~") == 0 ||
	    strcmp(node->str, "null") == 0 || strcmp(node->str, "Null") == 0 ||
	    strcmp(node->str, "NULL") == 0;
}

const char *
ynode_kind_name(const struct ynode *node)
{
	if (node == NULL || ynode_is_null(node))
		return "null";
	switch (node->kind) {
	case YNODE_MAP:
		return "a mapping";
	case YNODE_SEQ:
		return "a list";
	default:
		return "a scalar";
	}
}

/* Tabs are not YAML indentation; libyaml's own message does not say so. */
static int
check_tabs(const char *data, size_t len, struct diags *d)
{
	size_t i = 0;
	int line = 1, bad = 0;

	while (i < len) {
		size_t col = 0;

		while (i < len && (data[i] == ' ' || data[i] == '\t')) {
			if (data[i] == '\t') {
				diags_add(d, line, (int)col + 1, "",
				    "tab character in indentation; indent with spaces");
				bad = 1;
				break;
			}
			i++;
			col++;
		}
		while (i < len && data[i] != '\n')
			i++;
		i++;
		line++;
	}
	return bad ? -1 : 0;
}

struct frame {
	struct ynode *node;
	struct ynode *pending_key;	/* map: key waiting for its value */
};

static void
add_child(struct frame *f, struct ynode *child, struct diags *d)
{
	struct ynode *p = f->node;

	if (p->kind == YNODE_MAP && f->pending_key == NULL) {
		size_t i;

		if (child->kind != YNODE_SCALAR) {
			diags_add(d, child->line, child->col, "",
			    "mapping keys must be plain scalars, not %s",
			    ynode_kind_name(child));
			ynode_free(child);
			/* keep the structure: use a placeholder key */
			child = xcalloc(1, sizeof(*child));
			child->kind = YNODE_SCALAR;
			child->str = xstrdup("");
		}
		for (i = 0; i < p->n; i++)
			if (strcmp(p->keys[i]->str, child->str) == 0) {
				diags_add(d, child->line, child->col, "",
				    "duplicate key '%s' (first at line %d)",
				    child->str, p->keys[i]->line);
				break;
			}
		f->pending_key = child;
		return;
	}
	xgrow(&p->vals, &p->cap, p->n + 1, sizeof(*p->vals));
	if (p->kind == YNODE_MAP) {
		p->keys = xrealloc(p->keys, p->cap * sizeof(*p->keys));
		p->keys[p->n] = f->pending_key;
		f->pending_key = NULL;
	}
	p->vals[p->n++] = child;
}

/* The tree being built from libyaml's events. */
struct build {
	struct frame stack[YAML_MAX_DEPTH + 2];
	int depth;
	struct ynode *root;
	struct diags *d;
	int docs, done, fatal;
};

/* libyaml's error, with its position (the reader's is a byte offset). */
static void
syntax_error(struct build *b, const yaml_parser_t *parser, const char *data,
    size_t len)
{
	yaml_mark_t reader;
	const yaml_mark_t *m = &parser->problem_mark;

	if (parser->error == YAML_READER_ERROR) {
		size_t i;

		memset(&reader, 0, sizeof(reader));
		for (i = 0; i < parser->problem_offset && i < len; i++) {
			if (data[i] == '\n') {
				reader.line++;
				reader.column = 0;
			} else if (((unsigned char)data[i] & 0xc0) != 0x80)
				reader.column++;
		}
		m = &reader;
	}
	if (parser->context)
		diags_add(b->d, (int)m->line + 1, (int)m->column + 1, "",
		    "YAML syntax error: %s %s", parser->problem, parser->context);
	else
		diags_add(b->d, (int)m->line + 1, (int)m->column + 1, "",
		    "YAML syntax error: %s", parser->problem ? parser->problem :
		    "unknown error");
	b->fatal = 1;
}

static struct ynode *
scalar_node(struct build *b, const yaml_event_t *ev)
{
	struct ynode *node = node_new(YNODE_SCALAR, &ev->start_mark);

	node->str = xstrndup((const char *)ev->data.scalar.value,
	    ev->data.scalar.length);
	node->len = ev->data.scalar.length;
	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (strlen(node->str) != node->len)
		diags_add(b->d, node->line, node->col, "",
		    "NUL character in a scalar");
	if (ev->data.scalar.anchor)
		diags_add(b->d, node->line, node->col, "",
		    "YAML anchors are not allowed (&%s)",
		    (const char *)ev->data.scalar.anchor);
	if (ev->data.scalar.tag)
		diags_add(b->d, node->line, node->col, "",
		    "YAML tags are not allowed (%s)",
		    (const char *)ev->data.scalar.tag);
	return node;
}

/* A mapping or sequence opened; NULL (fatal) past the depth cap. */
static struct ynode *
container_node(struct build *b, const yaml_event_t *ev)
{
	int is_map = ev->type == YAML_MAPPING_START_EVENT;
	const unsigned char *anchor = is_map ? ev->data.mapping_start.anchor :
	    ev->data.sequence_start.anchor;
	const unsigned char *tag = is_map ? ev->data.mapping_start.tag :
	    ev->data.sequence_start.tag;
	struct ynode *node = node_new(is_map ? YNODE_MAP : YNODE_SEQ,
	    &ev->start_mark);

	if (anchor)
		diags_add(b->d, node->line, node->col, "",
		    "YAML anchors are not allowed (&%s)", (const char *)anchor);
	if (tag)
		diags_add(b->d, node->line, node->col, "",
		    "YAML tags are not allowed (%s)", (const char *)tag);
	if (b->depth >= YAML_MAX_DEPTH) {
		diags_add(b->d, node->line, node->col, "",
		    "nesting deeper than %d levels", YAML_MAX_DEPTH);
		ynode_free(node);
		b->fatal = 1;
		return NULL;
	}
	return node;
}

/* One event into the tree. */
static void
take_event(struct build *b, const yaml_event_t *ev)
{
	struct ynode *node = NULL;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		b->done = 1;
		return;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1) {
			diags_add(b->d, (int)ev->start_mark.line + 1,
			    (int)ev->start_mark.column + 1, "",
			    "only one YAML document is allowed");
			b->done = b->fatal = 1;
		}
		return;
	case YAML_ALIAS_EVENT:
		diags_add(b->d, (int)ev->start_mark.line + 1,
		    (int)ev->start_mark.column + 1, "",
		    "YAML aliases are not allowed (*%s); write the value out",
		    (const char *)ev->data.alias.anchor);
		/* stand in a null so the structure stays whole */
		node = node_new(YNODE_SCALAR, &ev->start_mark);
		node->str = xstrdup("");
		node->plain = 1;
		node->alias = 1;
		break;
	case YAML_SCALAR_EVENT:
		node = scalar_node(b, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if ((node = container_node(b, ev)) == NULL)
			return;
		b->stack[b->depth].node = node;
		b->stack[b->depth].pending_key = NULL;
		b->depth++;
		return;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		node = b->stack[--b->depth].node;
		break;
	default:
		return;
	}
	if (b->depth == 0) {
		ynode_free(b->root);
		b->root = node;
	} else
		add_child(&b->stack[b->depth - 1], node, b->d);
}

/* The containers still open after an error: kept (YAML_KEEP_TREE) as far
 * as they were read, or freed. */
static void
unwind(struct build *b, int flags)
{
	while (b->depth > 0) {
		struct frame *f = &b->stack[--b->depth];

		if ((flags & YAML_KEEP_TREE) && b->depth > 0 &&
		    f->pending_key == NULL &&
		    (b->stack[b->depth - 1].node->kind == YNODE_SEQ ||
		    b->stack[b->depth - 1].pending_key != NULL)) {
			/* keep the part that was read: attach it to its parent */
			add_child(&b->stack[b->depth - 1], f->node, b->d);
			continue;
		}
		ynode_free(f->pending_key);
		if ((flags & YAML_KEEP_TREE) && b->depth == 0 && b->root == NULL) {
			b->root = f->node;
			continue;
		}
		ynode_free(f->node);
	}
}

int
yaml_parse(const char *data, size_t len, int flags, struct ynode **ret_root,
    struct diags *d)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct build b;
	size_t before = d->n;

	*ret_root = NULL;
	if (check_tabs(data, len, d) < 0)
		return -2;
	if (!yaml_parser_initialize(&parser)) {
		diags_add(d, 0, 0, "", "cannot initialise the YAML parser");
		return -1;
	}
	memset(&b, 0, sizeof(b));
	b.d = d;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!b.done && !b.fatal) {
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(&b, &parser, data, len);
			break;
		}
		take_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	unwind(&b, flags);
	yaml_parser_delete(&parser);
	if (d->n > before) {
		if (flags & YAML_KEEP_TREE)
			*ret_root = b.root;
		else
			ynode_free(b.root);
		return b.fatal ? -2 : -1;
	}
	*ret_root = b.root;
	return 0;
}
