/*
 * audit.c - computing, appending and verifying the audit chain.
 */
#include "store/audit.h"
#include "lib/clock.h"
#include "lib/digest.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DOMAIN_TAG "chansync-audit-v1"
#define GENESIS_TAG "chansync-audit-genesis"

struct audit {
	struct store *st;
	char *actor;
	const struct secret *key;
};

struct audit *
audit_new(struct store *st, const char *actor, const struct secret *key)
{
	struct audit *a = xcalloc(1, sizeof(*a));

	a->st = st;
	a->actor = xstrdup(actor);
	a->key = key;
	return a;
}

void
audit_set_key(struct audit *a, const struct secret *key)
{
	a->key = key;
}

void
audit_free(struct audit *a)
{
	if (a == NULL)
		return;
	free(a->actor);
	free(a);
}

static void
put_u64(struct digest *d, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	digest_update(d, b, 8);
}

static void
put_lp(struct digest *d, const char *s)
{
	unsigned char b[4];
	uint32_t n = s ? (uint32_t)strlen(s) : 0xffffffffu;

	b[0] = (unsigned char)(n >> 24);
	b[1] = (unsigned char)(n >> 16);
	b[2] = (unsigned char)(n >> 8);
	b[3] = (unsigned char)n;
	digest_update(d, b, 4);
	if (s)
		digest_update(d, s, strlen(s));
}

/* The row's hash under its alg; -1 when the alg needs a key we lack. */
static int
row_hash(const struct store_audit_row *r, const struct secret *key,
    unsigned char out[32])
{
	struct digest *d;

	if (strcmp(r->alg, "hmac-sha256") == 0) {
		if (key == NULL)
			return -1;
		d = digest_new(key->value, key->len);
	} else if (strcmp(r->alg, "sha256") == 0)
		d = digest_new(NULL, 0);
	else
		return -1;
	digest_update(d, DOMAIN_TAG, sizeof(DOMAIN_TAG));	/* with the NUL */
	put_lp(d, r->alg);
	digest_update(d, r->prev_hash, 32);
	put_u64(d, (uint64_t)r->seq);
	put_lp(d, r->ts);
	put_u64(d, (uint64_t)r->cycle_id);
	put_lp(d, r->actor);
	put_lp(d, r->action);
	put_lp(d, r->entity);
	put_lp(d, r->entity_id);
	put_lp(d, r->detail);
	digest_final(d, out);
	return 0;
}

static void
genesis_hash(const char *genesis, unsigned char out[32])
{
	struct digest *d = digest_new(NULL, 0);

	digest_update(d, GENESIS_TAG, sizeof(GENESIS_TAG));
	digest_update(d, genesis, strlen(genesis));
	digest_final(d, out);
}


static int
append(struct audit *a, int64_t cycle_id, const char *action,
    const char *entity, const char *entity_id, const char *detail)
{
	struct store_audit_row row;
	char ts[CLOCK_ISO_LEN];
	int64_t seq = 0;
	int r;

	memset(&row, 0, sizeof(row));
	r = store_audit_head(a->st, &seq, row.prev_hash);
	if (r < 0)
		return -1;
	if (r == 0) {
		char *genesis = NULL;
		int g = store_meta_get(a->st, "audit_genesis", &genesis);

		if (g < 0)
			return -1;
		if (g == 0) {
			unsigned char rnd[32];
			char hex[65];

			if (random_bytes(rnd, sizeof(rnd)) < 0)
				return -1;
			hex_encode(rnd, sizeof(rnd), hex);
			if (store_meta_set(a->st, "audit_genesis", hex) < 0)
				return -1;
			genesis = xstrdup(hex);
		}
		genesis_hash(genesis, row.prev_hash);
		free(genesis);
	}
	clock_now_iso_usec(ts);
	row.seq = seq + 1;
	row.ts = ts;
	row.cycle_id = cycle_id;
	row.actor = a->actor;
	row.action = action;
	row.entity = entity;
	row.entity_id = entity_id;
	row.detail = detail;
	row.alg = a->key ? "hmac-sha256" : "sha256";
	row_hash(&row, a->key, row.hash);
	return store_audit_insert(a->st, &row);
}

int
audit_log(struct audit *a, int64_t cycle_id, const char *action,
    const char *entity, const char *entity_id, struct jval *detail)
{
	char *canon, *clean;
	int own = !store_in_transaction(a->st), rc = -1;

	if (detail == NULL)
		detail = jv_object();
	canon = jv_dump_canonical(detail);
	jv_free(detail);
	/* the audit log is a place secrets must never reach either */
	clean = log_redact(canon, 0);
	free(canon);
	if (own && store_begin(a->st) < 0)
		goto out;
	rc = append(a, cycle_id, action, entity, entity_id, clean);
	if (own) {
		if (rc == 0)
			rc = store_commit(a->st);
		else
			store_rollback(a->st);
	}
out:
	free(clean);
	return rc;
}

int
audit_head(struct audit *a, int64_t *ret_seq, char ret_hex[65])
{
	unsigned char h[32];
	int r = store_audit_head(a->st, ret_seq, h);

	if (r == 1)
		hex_encode(h, 32, ret_hex);
	return r;
}

int
audit_anchor(struct audit *a, const char *dir)
{
	int64_t seq;
	char hex[65], ts[CLOCK_ISO_LEN], *path, *line, seqs[32];
	const char *fields[3];
	int fd, r;

	if ((r = audit_head(a, &seq, hex)) <= 0)
		return r;
	clock_now_iso_usec(ts);
	snprintf(seqs, sizeof(seqs), "CHANSYNC_AUDIT_SEQ=%lld", (long long)seq);
	line = xasprintf("CHANSYNC_AUDIT_HASH=%s", hex);
	fields[0] = seqs;
	fields[1] = line;
	fields[2] = NULL;
	log_event(LOG_INFO, MSGID_AUDIT_ANCHOR, fields,
	    "audit chain head seq %lld hash %s", (long long)seq, hex);
	free(line);
	path = xasprintf("%s/%s", dir, AUDIT_ANCHOR_FILE);
	line = xasprintf("%lld %s %s\n", (long long)seq, hex, ts);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	r = -1;
	if (fd >= 0) {
		ssize_t w = write(fd, line, strlen(line));

		r = (w == (ssize_t)strlen(line) && fsync(fd) == 0) ? 0 : -1;
		close(fd);
	}
	free(line);
	free(path);
	return r;
}

static int
parse_anchor_line(const char *line, struct audit_anchor *an)
{
	const char *s, *h;
	char hex[65];
	long long seq;

	if ((s = strstr(line, "\"CHANSYNC_AUDIT_SEQ\"")) != NULL) {
		/* journalctl -o json: "CHANSYNC_AUDIT_SEQ":"12" */
		if ((h = strstr(line, "\"CHANSYNC_AUDIT_HASH\"")) == NULL)
			return -1;
		s = strchr(s + 20, '"');
		h = strchr(h + 21, '"');
		if (!s || !h || sscanf(s + 1, "%lld", &seq) != 1 ||
		    sscanf(h + 1, "%64[0-9a-f]", hex) != 1)
			return -1;
	} else if (sscanf(line, "%lld %64[0-9a-f]", &seq, hex) != 2)
		return -1;
	if (seq <= 0 || hex_decode(hex, an->hash, 32) < 0)
		return -1;
	an->seq = seq;
	return 0;
}

int
audit_read_anchors(const char *path, struct audit_anchor **v, size_t *n,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, vcap = *n;
	int lineno = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		struct audit_anchor an;

		lineno++;
		memset(&an, 0, sizeof(an));
		if (parse_anchor_line(line, &an) < 0)
			continue;
		snprintf(an.origin, sizeof(an.origin), "%.48s:%d",
		    strrchr(path, '/') ? strrchr(path, '/') + 1 : path, lineno);
		xgrow(v, &vcap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = an;
	}
	free(line);
	fclose(f);
	return 0;
}

struct vstate {
	const struct secret *key;
	unsigned char prev[32];
	int64_t expect;
	int64_t rows;
	int seen_hmac;
	enum audit_verdict verdict;
	struct audit_report *rep;
	/* hashes by seq for the anchor check, grown as we go */
	unsigned char (*hashes)[32];
	size_t nhashes, cap;
};

static int
verify_row(void *ctx, const struct store_audit_row *r)
{
	struct vstate *v = ctx;
	unsigned char h[32];

	if (r->seq != v->expect) {
		v->verdict = AUDIT_TAMPERED;
		v->rep->first_bad = v->expect;
		snprintf(v->rep->problem, sizeof(v->rep->problem),
		    "row %lld is missing (the next row present is %lld)",
		    (long long)v->expect, (long long)r->seq);
		return 1;
	}
	if (memcmp(r->prev_hash, v->prev, 32) != 0) {
		v->verdict = AUDIT_TAMPERED;
		v->rep->first_bad = r->seq;
		snprintf(v->rep->problem, sizeof(v->rep->problem),
		    "row %lld does not link to the row before it (rows removed, "
		    "inserted or reordered)", (long long)r->seq);
		return 1;
	}
	if (strcmp(r->alg ? r->alg : "", "hmac-sha256") == 0)
		v->seen_hmac = 1;
	else if (v->seen_hmac) {
		v->verdict = AUDIT_TAMPERED;
		v->rep->first_bad = r->seq;
		snprintf(v->rep->problem, sizeof(v->rep->problem),
		    "row %lld is chained with plain SHA-256 after HMAC rows "
		    "(downgrade)", (long long)r->seq);
		return 1;
	}
	if (row_hash(r, v->key, h) < 0) {
		v->verdict = AUDIT_UNVERIFIABLE;
		v->rep->first_bad = r->seq;
		snprintf(v->rep->problem, sizeof(v->rep->problem),
		    "row %lld is chained with %s and no key was given "
		    "(audit.hmac_key)", (long long)r->seq, r->alg ? r->alg : "?");
		return 1;
	}
	if (memcmp(h, r->hash, 32) != 0) {
		v->verdict = AUDIT_TAMPERED;
		v->rep->first_bad = r->seq;
		snprintf(v->rep->problem, sizeof(v->rep->problem),
		    "row %lld was modified (its hash does not match its content)",
		    (long long)r->seq);
		return 1;
	}
	memcpy(v->prev, h, 32);
	xgrow(&v->hashes, &v->cap, v->nhashes + 1, sizeof(*v->hashes));
	memcpy(v->hashes[v->nhashes++], h, 32);
	v->expect++;
	v->rows++;
	return 0;
}

enum audit_verdict
audit_verify(struct store *st, const struct secret *key,
    const struct audit_anchor *anchors, size_t nanchors,
    struct audit_report *rep)
{
	struct vstate v;
	char *genesis = NULL;
	size_t i;
	int g;

	memset(rep, 0, sizeof(*rep));
	memset(&v, 0, sizeof(v));
	v.key = key;
	v.expect = 1;
	v.rep = rep;
	v.verdict = AUDIT_OK;
	g = store_meta_get(st, "audit_genesis", &genesis);
	if (g < 0) {
		snprintf(rep->problem, sizeof(rep->problem), "%s",
		    store_errmsg(st));
		return AUDIT_UNVERIFIABLE;
	}
	if (g == 0) {
		if (store_audit_count(st) > 0) {
			rep->first_bad = 1;
			snprintf(rep->problem, sizeof(rep->problem), "the chain's "
			    "genesis value is missing from the database");
			return AUDIT_TAMPERED;
		}
		genesis = xstrdup("");
	}
	genesis_hash(genesis, v.prev);
	free(genesis);
	if (store_audit_scan(st, 1, verify_row, &v) < 0) {
		snprintf(rep->problem, sizeof(rep->problem), "%s",
		    store_errmsg(st));
		free(v.hashes);
		return AUDIT_UNVERIFIABLE;
	}
	rep->rows = v.rows;
	rep->head_seq = v.expect - 1;
	if (v.nhashes)
		hex_encode(v.hashes[v.nhashes - 1], 32, rep->head_hash);
	for (i = 0; v.verdict == AUDIT_OK && i < nanchors; i++) {
		const struct audit_anchor *an = &anchors[i];

		rep->anchors_checked++;
		if ((size_t)an->seq > v.nhashes) {
			v.verdict = AUDIT_TAMPERED;
			rep->first_bad = (int64_t)v.nhashes + 1;
			snprintf(rep->problem, sizeof(rep->problem), "the log ends "
			    "at row %lld but anchor %s records row %lld: rows at "
			    "the end were deleted", (long long)v.nhashes, an->origin,
			    (long long)an->seq);
		} else if (memcmp(v.hashes[an->seq - 1], an->hash, 32) != 0) {
			v.verdict = AUDIT_TAMPERED;
			rep->first_bad = an->seq;
			snprintf(rep->problem, sizeof(rep->problem), "row %lld does "
			    "not match anchor %s: the chain was rewritten up to "
			    "there", (long long)an->seq, an->origin);
		}
	}
	free(v.hashes);
	return v.verdict;
}
