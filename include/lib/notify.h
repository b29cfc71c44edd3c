/*
 * notify.h - the sd_notify protocol towards the service manager.
 *
 * Works with and without $NOTIFY_SOCKET: unset is a silent no-op; a socket
 * that cannot be reached is logged once and never fails the daemon.
 * The watchdog ping interval is half of $WATCHDOG_USEC, and pings are sent
 * only from the main loop (notify_watchdog_due/notify_watchdog_ping), so a
 * hung loop stops them.
 */
#ifndef CHANSYNC_NOTIFY_H
#define CHANSYNC_NOTIFY_H

#include <stdint.h>

void notify_init(void);
void notify_ready(const char *status);
/* STATUS= line; control characters are replaced, secrets masked. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1 with MONOTONIC_USEC= (required by systemd >= 253). */
void notify_reloading(void);
void notify_stopping(void);
/* ERRNO= and STATUS= just before a fatal exit. */
void notify_fatal(int err, const char *status);
/* 1 when the service manager expects watchdog pings. */
int notify_watchdog_enabled(void);
/* Milliseconds until the next ping is due (INT32_MAX if no watchdog). */
int64_t notify_watchdog_due_ms(void);
/* Sends WATCHDOG=1 if at least half the interval has passed since the last. */
void notify_watchdog_ping(void);

#endif
