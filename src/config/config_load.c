/*
 * config_load.c - loading a configuration: the file read with its caps,
 * its SHA-256 kept, the YAML tree built, then the two passes over it,
 * the table pass (config.c) and the semantic pass (config_check.c), both
 * adding to one list of diagnostics so that every error of the file is
 * reported at once. And the lookups the rest of chansync asks of a
 * loaded configuration. Not responsible for applying a configuration
 * (daemon.c swaps it in).
 */
#include "config/config.h"
#include "lib/digest.h"
#include "lib/mem.h"
#include "lib/yamltree.h"
#include "model/normalize.h"
#include "config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
struct config *
config_load_buffer(const char *name, const char *data, size_t len,
    int flags, struct diags *d)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct ynode *root = NULL;
	struct ctx x;
	unsigned char digest[DIGEST_LEN];
	size_t before = d->n;
	char err[256];

	cfg->path = xstrdup(name);
	sha256(data, len, digest);
	hex_encode(digest, DIGEST_LEN, cfg->sha256);
	cfg_apply_defaults(cfg_root_keys, (char *)cfg);
	cfg->normalize.free_mail_default = 1;
	if (normalize_init(NULL, err, sizeof(err)) < 0) {
		diags_add(d, 0, 0, "", "cannot load ISO code tables: %s", err);
		goto fail;
	}
	if (len == 0) {
		diags_add(d, 0, 0, "", "the file is empty");
		goto fail;
	}
	if (memchr(data, '\0', len)) {
		diags_add(d, 0, 0, "", "the file contains NUL bytes; it is not "
		    "a YAML text file");
		goto fail;
	}
	/* structural YAML errors stop here; the others (duplicate keys,
	 * aliases) leave a whole tree, so every other error is found too */
	if (yaml_parse(data, len, YAML_KEEP_TREE, &root, d) == -2)
		goto fail;
	if (root == NULL) {
		diags_add(d, 0, 0, "", "the file has no content (only comments)");
		goto fail;
	}
	if (root->kind != YNODE_MAP) {
		diags_add(d, root->line, root->col, "", "the top level must be "
		    "a mapping (daemon:, crm:, sources:, ...), found %s",
		    ynode_kind_name(root));
		goto fail;
	}
	x.d = d;
	x.cfg = cfg;
	x.root = root;
	x.flags = flags;
	cfg_parse(&x);
	cfg_check(&x);
	if (d->n > before) {
		diags_sort(d);
		goto fail;
	}
	ynode_free(root);
	return cfg;
fail:
	ynode_free(root);
	config_free(cfg);
	return NULL;
}

struct config *
config_load(const char *path, int flags, struct diags *d)
{
	struct config *cfg = NULL;
	struct buf b;
	char chunk[65536];
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		diags_add(d, 0, 0, "", "cannot open: %s", strerror(errno));
		if (errno == EACCES)
			diags_mark_perm(d);
		return NULL;
	}
	buf_init(&b, CONFIG_MAX_BYTES);
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diags_add(d, 0, 0, "", "cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (buf_add(&b, chunk, (size_t)r) < 0) {
			diags_add(d, 0, 0, "", "the file is larger than %u bytes; "
			    "this is not a chansync configuration",
			    CONFIG_MAX_BYTES);
			goto out;
		}
	}
	cfg = config_load_buffer(path, buf_str(&b), b.len, flags, d);
out:
	close(fd);
	buf_free(&b);
	return cfg;
}

char *
config_peek_state_dir(const char *path)
{
	struct diags d;
	struct ynode *root = NULL;
	const struct ynode *v;
	char *data = NULL, *ret = NULL;
	size_t n = 0, i;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	data = xmalloc(CONFIG_MAX_BYTES + 1);
	n = fread(data, 1, CONFIG_MAX_BYTES, f);
	fclose(f);
	/* tabs stop the parser; they are errors the daemon will report */
	for (i = 0; i < n; i++)
		if (data[i] == '\t')
			data[i] = ' ';
	diags_init(&d, path);
	yaml_parse(data, n, YAML_KEEP_TREE, &root, &d);
	if ((v = ynode_get(ynode_get(root, "daemon", NULL), "state_dir", NULL)) &&
	    v->kind == YNODE_SCALAR && v->str[0] == '/')
		ret = xstrdup(v->str);
	ynode_free(root);
	diags_free(&d);
	free(data);
	return ret;
}

int
config_position(const struct config *cfg, const char *key, int *line, int *col)
{
	struct diags d;
	struct ynode *root = NULL;
	const struct ynode *n;
	char *data;
	size_t len;
	FILE *f = cfg->path ? fopen(cfg->path, "r") : NULL;

	*line = *col = 0;
	if (f == NULL)
		return -1;
	data = xmalloc(CONFIG_MAX_BYTES + 1);
	len = fread(data, 1, CONFIG_MAX_BYTES, f);
	fclose(f);
	diags_init(&d, cfg->path);
	yaml_parse(data, len, YAML_KEEP_TREE, &root, &d);
	if ((n = cfg_locate(root, key)) != NULL) {
		*line = n->line;
		*col = n->col;
	}
	ynode_free(root);
	diags_free(&d);
	free(data);
	return n ? 0 : -1;
}

const char *
config_default_path(const char *given)
{
	const char *env = getenv("CHANSYNC_CONFIG");

	if (given)
		return given;
	if (env && *env)
		return env;
	return CONFIG_DEFAULT_PATH;
}

const struct config_source *
config_source_by_name(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	return NULL;
}

int
config_fx_rate(const struct config *cfg, const char *code, double *ret)
{
	size_t i;

	if (strcmp(code, cfg->normalize.base_currency) == 0) {
		*ret = 1.0;
		return 0;
	}
	for (i = 0; i < cfg->normalize.nfx; i++)
		if (strcmp(cfg->normalize.fx[i].key, code) == 0) {
			*ret = cfg->normalize.fx[i].value;
			return 0;
		}
	return -1;
}
