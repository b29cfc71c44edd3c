/*
 * failio.c - an LD_PRELOAD shim that makes the disk fail under a test:
 * after FAILIO_AFTER writes to files whose path contains FAILIO_MATCH
 * (default "chansync.db": the database, its WAL and journal), or while
 * the file FAILIO_WHEN exists (the test creates it at the moment it
 * wants), every write and sync to them fails with EIO, as a dying
 * disk's would.
 * Built as build/tests/failio.so; only the fault tests load it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long writes, after = -2;
static const char *match, *when;

static int
failing(int fd, int is_write)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (after == -2) {
		const char *a = getenv("FAILIO_AFTER");

		after = a ? atol(a) : -1;
		match = getenv("FAILIO_MATCH");
		if (match == NULL)
			match = "chansync.db";
		when = getenv("FAILIO_WHEN");
	}
	if (after < 0 && when == NULL)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) < 0)
		return 0;
	path[n] = '\0';
	if (strstr(path, match) == NULL)
		return 0;
	if (when != NULL) {
		if (access(when, F_OK) < 0)
			return 0;
	} else {
		if (is_write)
			writes++;
		if (writes <= after)
			return 0;
	}
	errno = EIO;
	return 1;
}

#define REAL(name) static __typeof__(name) *real; \
	if (real == NULL) real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	REAL(pwrite64);
	return failing(fd, 1) ? -1 : real(fd, buf, n, off);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(pwrite);
	return failing(fd, 1) ? -1 : real(fd, buf, n, off);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	REAL(write);
	return failing(fd, 1) ? -1 : real(fd, buf, n);
}

int
fsync(int fd)
{
	REAL(fsync);
	return failing(fd, 0) ? -1 : real(fd);
}

int
fdatasync(int fd)
{
	REAL(fdatasync);
	return failing(fd, 0) ? -1 : real(fd);
}
