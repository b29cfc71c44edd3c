/*
 * decisions.h - an operator's decision on a conflict (contract §7),
 * made by the daemon on chansyncctl's request: the daemon is the only
 * writer, so requests are taken between cycles; the decision is stored
 * and audited, with the operator (the Unix user on the other end of the
 * control socket), in one transaction before it is acknowledged. A
 * decided conflict is "decided" until an operator reopens it or a new
 * claim joins it (then the decision is history); the write-back sends
 * the decided winner and the decision's words to the conflict record.
 */
#ifndef CHANSYNC_DECISIONS_H
#define CHANSYNC_DECISIONS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/control_socket.h"

struct audit;
struct store;

/* Longest reason an operator may give, in bytes. */
#define DECISION_REASON_MAX CONTROL_REASON_MAX

/*
 * Decides conflict key for winner (a present member), or (winner NULL)
 * withdraws its standing decision. seen: the conflict's updated_at as the
 * operator last read it (NULL: not checked); a conflict that changed
 * since is refused. Returns 0 with what was done in msg, 1 when refused
 * (msg says why), -1 on a database failure.
 */
int decision_make(struct store *st, struct audit *au, const char *key,
    const char *winner, const char *reason, const char *operator,
    const char *seen, char *msg, size_t len);

struct config;

/*
 * Appends each decided member of a source with a decisions: file to it
 * as one NDJSON line (decision_id, conflict, member, external_id,
 * decision approved|rejected, winner, reason, operator, decided_at),
 * exactly once: a line is kept as exported in the database after the
 * file is synced, and lines the file already holds (a crash between the
 * two) are not written again. A source with decisions: { url } gets a
 * POST per line with an Idempotency-Key instead (repeated after a crash,
 * it is one decision to the vendor). Audited as decision.exported.
 * Returns the
 * lines written, or -1 with err (that source is tried again next cycle;
 * the others still run).
 */
struct http;
/*
 * An operator's word on a possible match (contract §7): confirmed (the
 * names are one customer from the next cycle on) or rejected (never
 * listed again); stored and audited (match.confirmed / match.rejected).
 * 0 done, 1 refused (msg says why), -1 failed.
 */
int decision_possible(struct store *st, struct audit *au, const char *key,
    int confirm, const char *reason, const char *operator, char *msg,
    size_t len);
int decisions_export(const struct config *cfg, struct store *st,
    struct audit *au, struct http *h, int64_t cycle_id, char *err,
    size_t errlen);

/* The control request for it ("decide KEY\tWINNER\tSEEN\tREASON", "-"
 * for no winner or no seen), parsed in place; 0 or -1. */
int decision_parse(char *line, const char **key, const char **winner,
    const char **seen, const char **reason);

#endif
