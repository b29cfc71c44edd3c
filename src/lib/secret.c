/*
 * secret.c - resolve secret references with the same ownership and mode
 * rules OpenSSH applies to private keys.
 */
#include "lib/secret.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

int
secret_is_reference(const char *s)
{
	return strncmp(s, "credential:", 11) == 0 ||
	    strncmp(s, "file:", 5) == 0 || strncmp(s, "env:", 4) == 0;
}

static int
valid_name(const char *s)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		    *s == '.' || *s == '@'))
			return 0;
	return 1;
}

static struct secret *
secret_from(const char *p, size_t n)
{
	struct secret *s = xmalloc(sizeof(*s));

	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	s->value = xstrndup(p, n);
	s->len = n;
	log_add_secret(s->value, s->len);
	return s;
}

/*
 * Opens path for reading without following a symbolic link in any of
 * its components (ELOOP then): openat2 with RESOLVE_NO_SYMLINKS, or,
 * where the kernel or a seccomp filter refuses openat2, a walk from the
 * root with O_NOFOLLOW at every step.
 */
static int
open_no_symlinks(const char *path)
{
	struct open_how how;
	char *copy, *comp, *save = NULL;
	int fd, dirfd, e;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	how.resolve = RESOLVE_NO_SYMLINKS;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd;
	if (path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	copy = xstrdup(path);
	dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = dirfd;
	for (comp = strtok_r(copy, "/", &save); comp && fd >= 0;
	    comp = strtok_r(NULL, "/", &save)) {
		int last = save == NULL || *save == '\0';

		fd = openat(dirfd, comp, last ? O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NOCTTY : O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		e = errno;
		/* a symbolic link as a folder: O_DIRECTORY says ENOTDIR */
		if (fd < 0 && !last && e == ENOTDIR) {
			struct stat st;

			if (fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				e = ELOOP;
		}
		close(dirfd);
		dirfd = fd;
		errno = e;
	}
	free(copy);
	return fd;
}

static enum secret_error
load_file(const char *what, const char *path, struct secret **ret,
    char *err, size_t errlen)
{
	struct stat st;
	enum secret_error rc = SECRET_EIO;
	char *data = NULL;
	size_t got = 0;
	int fd;

	fd = open_no_symlinks(path);
	if (fd < 0) {
		if (errno == ENOENT) {
			snprintf(err, errlen, "%s: %s does not exist", what, path);
			return SECRET_ENOENT;
		}
		if (errno == ELOOP) {
			snprintf(err, errlen, "%s: %s is or lies under a symbolic "
			    "link; point the reference at the file itself", what,
			    path);
			return SECRET_EIO;
		}
		if (errno == EACCES) {
			snprintf(err, errlen, "%s: cannot read %s: %s", what,
			    path, strerror(errno));
			return SECRET_EPERM;
		}
		snprintf(err, errlen, "%s: cannot open %s: %s", what, path,
		    strerror(errno));
		return SECRET_EIO;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: cannot stat %s: %s", what, path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s is not a regular file", what, path);
		goto out;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "%s: %s is accessible by group or others "
		    "(mode %04o); run: chmod 0600 %s", what, path,
		    (unsigned)(st.st_mode & 07777), path);
		rc = SECRET_EPERM;
		goto out;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, errlen, "%s: %s is owned by uid %u, not by uid %u "
		    "or root", what, path, (unsigned)st.st_uid,
		    (unsigned)geteuid());
		rc = SECRET_EPERM;
		goto out;
	}
	if (st.st_size > SECRET_MAX_BYTES) {
		snprintf(err, errlen, "%s: %s is %lld bytes, more than the %d "
		    "allowed for a secret", what, path, (long long)st.st_size,
		    SECRET_MAX_BYTES);
		goto out;
	}
	data = xmalloc(SECRET_MAX_BYTES + 1);
	for (;;) {
		ssize_t r = read(fd, data + got, SECRET_MAX_BYTES + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: cannot read %s: %s", what,
			    path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > SECRET_MAX_BYTES) {
			snprintf(err, errlen, "%s: %s is larger than %d bytes",
			    what, path, SECRET_MAX_BYTES);
			goto out;
		}
	}
	if (got == 0) {
		snprintf(err, errlen, "%s: %s is empty", what, path);
		goto out;
	}
	*ret = secret_from(data, got);
	rc = SECRET_OK;
out:
	if (data)
		secure_free(data, SECRET_MAX_BYTES + 1);
	close(fd);
	return rc;
}

enum secret_error
secret_load(const char *ref, struct secret **ret, char *err, size_t errlen)
{
	if (strncmp(ref, "env:", 4) == 0) {
		const char *name = ref + 4, *v;

		if (!valid_name(name) || strchr(name, '.') || strchr(name, '-')) {
			snprintf(err, errlen, "%s: not a valid environment "
			    "variable name", ref);
			return SECRET_EINVAL;
		}
		v = getenv(name);
		if (v == NULL || *v == '\0') {
			snprintf(err, errlen, "%s: environment variable %s is "
			    "not set", ref, name);
			return SECRET_ENOENT;
		}
		*ret = secret_from(v, strlen(v));
		return SECRET_OK;
	}
	if (strncmp(ref, "file:", 5) == 0) {
		if (ref[5] != '/') {
			snprintf(err, errlen, "%s: the path must be absolute", ref);
			return SECRET_EINVAL;
		}
		return load_file(ref, ref + 5, ret, err, errlen);
	}
	if (strncmp(ref, "credential:", 11) == 0) {
		static const char *const stores[] = { "/run/credstore",
			"/etc/credstore" };
		const char *name = ref + 11, *dir = getenv("CREDENTIALS_DIRECTORY");
		enum secret_error rc;
		char path[4096];
		size_t i;

		if (!valid_name(name)) {
			snprintf(err, errlen, "%s: not a valid credential name",
			    ref);
			return SECRET_EINVAL;
		}
		if (dir && *dir) {
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			return load_file(ref, path, ret, err, errlen);
		}
		for (i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", stores[i], name);
			rc = load_file(ref, path, ret, err, errlen);
			if (rc != SECRET_ENOENT)
				return rc;
		}
		snprintf(err, errlen, "%s: no credential named %s "
		    "($CREDENTIALS_DIRECTORY is not set and it is not in "
		    "/run/credstore or /etc/credstore); add LoadCredential=%s "
		    "to the unit", ref, name, name);
		return SECRET_ENOENT;
	}
	snprintf(err, errlen, "not a secret reference; use credential:NAME, "
	    "file:/path or env:VAR");
	return SECRET_EINVAL;
}

void
secret_free(struct secret *s)
{
	if (s == NULL)
		return;
	secure_free(s->value, s->len + 1);
	free(s);
}
