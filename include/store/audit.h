/*
 * audit.h - the hash-chained, append-only audit log (contract §11).
 *
 * Row i's hash is SHA-256 (or HMAC-SHA256 with audit.hmac_key) over a
 * domain tag, the previous row's hash, and the row's canonical form:
 * seq, time, cycle, actor, action, entity, entity id and the detail JSON
 * (compact, keys sorted), each length-prefixed. The first row chains from
 * a random genesis value kept in the database. The store's triggers
 * refuse UPDATE and DELETE; the chain makes any change by other means
 * visible, and anchors (the head written to the journal and to
 * state_dir/audit.anchors after each cycle) make a truncated tail or a
 * recomputed chain visible too.
 */
#ifndef CHANSYNC_AUDIT_H
#define CHANSYNC_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/json.h"
#include "lib/secret.h"
#include "store/store.h"

#define AUDIT_ANCHOR_FILE "audit.anchors"

struct audit;

/* key may be NULL (plain SHA-256); it is borrowed and must outlive a. */
struct audit *audit_new(struct store *st, const char *actor,
    const struct secret *key);
void audit_set_key(struct audit *a, const struct secret *key);
void audit_free(struct audit *a);

/*
 * Appends one event. detail (stolen; NULL for {}) is stored in canonical
 * form. Inside an open store transaction the row joins it; otherwise the
 * row commits on its own. Returns 0, or -1 (store_errmsg says why).
 */
int audit_log(struct audit *a, int64_t cycle_id, const char *action,
    const char *entity, const char *entity_id, struct jval *detail);

/* The chain head: 1 and seq/hex hash, 0 for an empty log, -1 on error. */
int audit_head(struct audit *a, int64_t *ret_seq, char ret_hex[65]);

/*
 * Writes the head to the journal (MESSAGE_ID audit anchor) and appends
 * "seq hash time" to dir/audit.anchors. Returns 0 or -1.
 */
int audit_anchor(struct audit *a, const char *dir);

struct audit_anchor {
	int64_t seq;
	unsigned char hash[32];
	char origin[64];	/* "audit.anchors:12" */
};

/*
 * Reads anchors from a file of "SEQ HASH ..." lines or journalctl -o json
 * lines carrying CHANSYNC_AUDIT_SEQ/CHANSYNC_AUDIT_HASH, appending to
 * the array at *v (count at *n). Returns 0, or -1 when the file cannot be read (err).
 */
int audit_read_anchors(const char *path, struct audit_anchor **v, size_t *n,
    char *err, size_t errlen);

enum audit_verdict {
	AUDIT_OK = 0,
	AUDIT_TAMPERED = 1,
	AUDIT_UNVERIFIABLE = 2,
};

struct audit_report {
	int64_t rows;
	int64_t first_bad;	/* seq of the first broken row, 0 if none */
	char problem[512];	/* what is wrong, for people */
	int64_t head_seq;
	char head_hash[65];
	size_t anchors_checked;
};

/*
 * Recomputes the chain from genesis, checks seq continuity, each link and
 * each hash, then each anchor. key may be NULL (rows chained with HMAC
 * are then unverifiable).
 */
enum audit_verdict audit_verify(struct store *st, const struct secret *key,
    const struct audit_anchor *anchors, size_t nanchors,
    struct audit_report *rep);

#endif
