/*
 * watermarks.h - an operator's reset of a source's watermarks.
 *
 * A watermark is where a source's next incremental read starts (the
 * newest change landed). One that is wrong (a vendor's clock far ahead,
 * a replaced system) makes the source skip real changes for good; the
 * operator resets it from chansyncctl, and the daemon, which owns the
 * database and the audit key, makes the change.
 */
#ifndef CHANSYNC_WATERMARKS_H
#define CHANSYNC_WATERMARKS_H

#include <stddef.h>

struct audit;
struct config;
struct store;

/* The name that stands for the CRM's watermarks (one per object). */
#define WATERMARK_CRM "crm"

/*
 * Resets the watermarks of source name (a configured source, or "crm"):
 * to == NULL forgets them, so the next read is a full one; otherwise each
 * is set to the time to (an ISO 8601 time, not further in the future than
 * daemon.clock_skew). One transaction with the audit row
 * source.watermark_reset, which keeps the values before. Returns 0 with
 * what was done in msg, or -1 with why not (an unknown source, a file_drop
 * source, a bad time, the database).
 */
int watermark_reset(const struct config *cfg, struct store *st,
    struct audit *au, const char *name, const char *to, char *msg, size_t len);

#endif
