/*
 * t.h - the unit-test harness: checks that count, a summary line
 * "NAME: N passed, N failed", and a temporary directory per test binary.
 * Each test file includes this, defines its tests and calls them from
 * main() through T_RUN.
 */
#ifndef CHANSYNC_T_H
#define CHANSYNC_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int t_pass, t_fail;
static const char *t_current = "";

#define CHECK(cond) do { \
	if (cond) t_pass++; \
	else { t_fail++; fprintf(stderr, "%s:%d: %s: FAIL: %s\n", __FILE__, \
	    __LINE__, t_current, #cond); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *t_a = (a), *t_b = (b); \
	if (t_a && t_b && strcmp(t_a, t_b) == 0) t_pass++; \
	else { t_fail++; fprintf(stderr, "%s:%d: %s: FAIL: %s == \"%s\", " \
	    "got \"%s\"\n", __FILE__, __LINE__, t_current, #a, \
	    t_b ? t_b : "(null)", t_a ? t_a : "(null)"); } \
} while (0)

#define CHECK_INT(a, b) do { \
	long long t_a = (long long)(a), t_b = (long long)(b); \
	if (t_a == t_b) t_pass++; \
	else { t_fail++; fprintf(stderr, "%s:%d: %s: FAIL: %s == %lld, got " \
	    "%lld\n", __FILE__, __LINE__, t_current, #a, t_b, t_a); } \
} while (0)

#define T_RUN(fn) do { t_current = #fn; fn(); } while (0)

/* A fresh temporary directory for this binary; removed by t_done(). */
static char t_dir[256];

static __attribute__((unused)) const char *
t_tmpdir(void)
{
	if (t_dir[0] == '\0') {
		const char *base = getenv("TMPDIR");

		snprintf(t_dir, sizeof(t_dir), "%s/chansync-unit-XXXXXX",
		    base ? base : "/tmp");
		if (mkdtemp(t_dir) == NULL) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return t_dir;
}

/* Writes a file under the temp dir; returns its path (static buffer). */
static __attribute__((unused)) const char *
t_write(const char *name, const char *content, int mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t_tmpdir(), name);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(content, f);
	fclose(f);
	chmod(path, (mode_t)mode);
	return path;
}

static __attribute__((unused)) int
t_done(const char *name)
{
	if (t_dir[0]) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", t_dir);
	}
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail != 0;
}

#endif
