/*
 * notify.c - sd_notify(3) wrapper.
 */
#include "lib/notify.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

static uint64_t wd_usec;	/* 0: no watchdog */
static uint64_t wd_last;	/* monotonic usec of the last ping */
static int warned;

static void
send_msg(const char *msg)
{
	int r = sd_notify(0, msg);

	if (r < 0 && !warned) {
		warned = 1;
		log_warning("cannot reach the service manager at NOTIFY_SOCKET: %s; "
		    "continuing without notifications", strerror(-r));
	}
}

void
notify_init(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
		wd_usec = usec;
	wd_last = clock_monotonic_usec();
}

static char *
status_text(const char *fmt, va_list ap)
{
	char *raw = xvasprintf(fmt, ap);
	char *clean = log_redact(raw, 400);

	free(raw);
	return clean;
}

void
notify_ready(const char *status)
{
	char *m = xasprintf("READY=1\nSTATUS=%s", status);

	send_msg(m);
	free(m);
}

void
notify_status(const char *fmt, ...)
{
	va_list ap;
	char *s, *m;

	va_start(ap, fmt);
	s = status_text(fmt, ap);
	va_end(ap);
	m = xasprintf("STATUS=%s", s);
	send_msg(m);
	free(m);
	free(s);
}

void
notify_reloading(void)
{
	char m[96];

	snprintf(m, sizeof(m), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)clock_monotonic_usec());
	send_msg(m);
}

void
notify_stopping(void)
{
	send_msg("STOPPING=1\nSTATUS=stopping");
}

void
notify_fatal(int err, const char *status)
{
	char *clean = log_redact(status, 400);
	char *m = xasprintf("ERRNO=%d\nSTATUS=%s", err, clean);

	send_msg(m);
	free(m);
	free(clean);
}

int
notify_watchdog_enabled(void)
{
	return wd_usec != 0;
}

int64_t
notify_watchdog_due_ms(void)
{
	uint64_t now, due;

	if (!wd_usec)
		return INT32_MAX;
	now = clock_monotonic_usec();
	due = wd_last + wd_usec / 2;
	return due > now ? (int64_t)((due - now + 999) / 1000) : 0;
}

void
notify_watchdog_ping(void)
{
	uint64_t now;

	if (!wd_usec)
		return;
	now = clock_monotonic_usec();
	if (now - wd_last < wd_usec / 2)
		return;
	wd_last = now;
	send_msg("WATCHDOG=1");
}
