/*
 * clock.h - wall-clock and monotonic time in the forms chansync stores.
 *
 * Times in the database are UTC ISO 8601 text ("2026-11-27T08:11:21Z"),
 * which sorts as time does.
 */
#ifndef CHANSYNC_CLOCK_H
#define CHANSYNC_CLOCK_H

#include <stdint.h>

#define CLOCK_ISO_LEN 32

/* Seconds since the epoch, UTC. */
int64_t clock_now(void);
/* The process's CPU time so far (user + system), in milliseconds. */
int64_t clock_cpu_ms(void);
/* "YYYY-MM-DDTHH:MM:SSZ" for now. */
void clock_now_iso(char out[CLOCK_ISO_LEN]);
/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" for now (audit rows). */
void clock_now_iso_usec(char out[CLOCK_ISO_LEN]);
/* CLOCK_MONOTONIC in microseconds. */
uint64_t clock_monotonic_usec(void);

struct tm;
/*
 * Time t broken down in the time zone tz (an IANA name such as
 * "Europe/Berlin"; NULL or "" for UTC). Returns 0, or -1 when the zone
 * is not installed.
 */
int clock_local(int64_t t, const char *tz, struct tm *out);
/* The time t of a local date and time in tz (mktime there), or -1. */
int64_t clock_from_local(const struct tm *tm, const char *tz);

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1-12). */
int64_t clock_days_from_civil(int y, int m, int d);
/* Its inverse: the date of day z since 1970-01-01. */
void clock_civil_from_days(int64_t z, int *y, int *m, int *d);
/* The days of month m (1-12) of year y. */
int clock_days_in_month(int y, int m);

#endif
