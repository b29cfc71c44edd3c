/*
 * pass_notify.h - notifications (contract §15): the immediate alerts and
 * the daily digest queued in the outbox, then sent by e-mail and webhook.
 */
#ifndef CHANSYNC_PASS_NOTIFY_H
#define CHANSYNC_PASS_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "cycle.h"

struct notify_result {
	int sent, failed, gave_up;
};

/*
 * Sends what the outbox holds that is due, each result recorded and
 * audited. Returns 0, 1 when stopped, -1 when the store failed.
 */
int pass_notify_deliver(const struct cycle_env *env, int64_t cycle_id,
    struct notify_result *out);

/*
 * An owner's digest now, on request (chansyncctl digest --send): who is
 * a user id, name or e-mail. Returns 0 with what happened in msg, 1 when
 * refused (msg says why), -1 when the store failed.
 */
int pass_notify_digest_now(const struct cycle_env *env, const char *who,
    int64_t cycle_id, char *msg, size_t len);

#endif
