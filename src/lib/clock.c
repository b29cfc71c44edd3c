/*
 * clock.c - time sources.
 */
#include "lib/clock.h"

#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

	/* a system clock set past the year 9999 is not a time either */
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, CLOCK_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, CLOCK_ISO_LEN, "9999-12-31T23:59:59Z");
}

void
clock_now_iso_usec(char out[CLOCK_ISO_LEN])
{
	struct timespec ts;
	struct tm tm;
	char base[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(base, sizeof(base), "9999-12-31T23:59:59");
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

/*
 * Zones through TZ and the system's tzdata (Debian's tzdata package):
 * set for the call and put back, as the daemon has one thread.
 */
/*
 * The process keeps the zone last asked for: switching TZ makes glibc
 * read the zone file again, and the daemon asks for one zone (its own
 * times are all UTC, through gmtime and timegm).
 */
static void
tz_use(const char *tz)
{
	const char *want = tz && *tz ? tz : "UTC", *cur = getenv("TZ");

	if (cur && strcmp(cur, want) == 0)
		return;
	setenv("TZ", want, 1);
	tzset();
}

static int
tz_known(const char *tz)
{
	char path[512];

	if (tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0)
		return 1;
	if (strstr(tz, "..") || tz[0] == '/')
		return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return access(path, R_OK) == 0;
}

int
clock_local(int64_t t, const char *tz, struct tm *out)
{
	time_t tt = (time_t)t;

	if (!tz_known(tz))
		return -1;
	tz_use(tz);
	localtime_r(&tt, out);
	return 0;
}

int64_t
clock_from_local(const struct tm *tm, const char *tz)
{
	struct tm copy = *tm;
	time_t t;

	if (!tz_known(tz))
		return -1;
	tz_use(tz);
	copy.tm_isdst = -1;
	t = mktime(&copy);
	return (int64_t)t;
}

int64_t
clock_cpu_ms(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

int64_t
clock_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
clock_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
clock_days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}
