/*
 * clock.c - time sources.
 */
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int64_t
clock_now(void)
{
	return (int64_t)time(NULL);
}

void
clock_now_iso(char out[CLOCK_ISO_LEN])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, CLOCK_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
clock_now_iso_usec(char out[CLOCK_ISO_LEN])
{
	struct timespec ts;
	struct tm tm;
	char base[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, CLOCK_ISO_LEN, "%.19s.%06dZ", base,
	    (int)(ts.tv_nsec / 1000));
}

uint64_t
clock_monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
