/* test_secret.c - secret references and the file checks (T15). */
#include "lib/log.h"
#include "lib/secret.h"
#include "t.h"

#include <fcntl.h>

static enum secret_error
load(const char *ref, char *err, size_t n, char **val)
{
	struct secret *s = NULL;
	enum secret_error rc = secret_load(ref, &s, err, n);

	*val = NULL;
	if (rc == SECRET_OK) {
		*val = strdup(s->value);
		secret_free(s);
	}
	return rc;
}

static void
test_file_rules(void)
{
	char err[1024], ref[1024], *v;
	const char *p;
	int fd;

	p = t_write("ok", "s3cret-value\n", 0600);
	snprintf(ref, sizeof(ref), "file:%s", p);
	CHECK_INT(load(ref, err, sizeof(err), &v), SECRET_OK);
	CHECK_STR(v, "s3cret-value");	/* trailing newline dropped */
	free(v);

	p = t_write("open", "leaky-secret-1234\n", 0644);
	snprintf(ref, sizeof(ref), "file:%s", p);
	CHECK_INT(load(ref, err, sizeof(err), &v), SECRET_EPERM);
	CHECK(strstr(err, "mode 0644") != NULL);
	CHECK(strstr(err, p) != NULL);
	CHECK(strstr(err, "leaky") == NULL);	/* never the content */

	p = t_write("group", "group-secret-1234\n", 0640);
	snprintf(ref, sizeof(ref), "file:%s", p);
	CHECK_INT(load(ref, err, sizeof(err), &v), SECRET_EPERM);

	/* symlink */
	{
		char link[600];

		snprintf(link, sizeof(link), "%s/link", t_tmpdir());
		CHECK(symlink(t_write("target", "t-secret-1234", 0600), link) == 0);
		snprintf(ref, sizeof(ref), "file:%s", link);
		CHECK_INT(load(ref, err, sizeof(err), &v), SECRET_EIO);
		CHECK(strstr(err, "symbolic link") != NULL);
	}
	/* a real file under a symbolic link to its folder */
	{
		char dir[600], link[600], file[700];

		snprintf(dir, sizeof(dir), "%s/realdir", t_tmpdir());
		snprintf(link, sizeof(link), "%s/dirlink", t_tmpdir());
		CHECK(mkdir(dir, 0700) == 0 && symlink(dir, link) == 0);
		snprintf(file, sizeof(file), "%s/s", dir);
		fd = open(file, O_CREAT | O_WRONLY, 0600);
		CHECK(fd >= 0 && write(fd, "dir-secret-1234", 15) == 15);
		close(fd);
		snprintf(ref, sizeof(ref), "file:%s/s", link);
		CHECK_INT(load(ref, err, sizeof(err), &v), SECRET_EIO);
		CHECK(strstr(err, "symbolic link") != NULL);
		snprintf(ref, sizeof(ref), "file:%s", file);	/* the real path */
		CHECK_INT(load(ref, err, sizeof(err), &v), SECRET_OK);
		CHECK(v && strcmp(v, "dir-secret-1234") == 0);
		free(v);
		v = NULL;
	}
	/* a directory */
	snprintf(ref, sizeof(ref), "file:%s", t_tmpdir());
	chmod(t_tmpdir(), 0700);
	CHECK_INT(load(ref, err, sizeof(err), &v), SECRET_EIO);
	CHECK(strstr(err, "not a regular file") != NULL);
	/* 10 MB */
	snprintf(ref, sizeof(ref), "%s/big", t_tmpdir());
	fd = open(ref, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 10 << 20) == 0);
	close(fd);
	{
		char r2[1100];

		snprintf(r2, sizeof(r2), "file:%s", ref);
		CHECK_INT(load(r2, err, sizeof(err), &v), SECRET_EIO);
		CHECK(strstr(err, "bytes") != NULL);
	}
	/* missing */
	snprintf(ref, sizeof(ref), "file:%s/nope", t_tmpdir());
	CHECK_INT(load(ref, err, sizeof(err), &v), SECRET_ENOENT);
	/* relative */
	CHECK_INT(load("file:relative/path", err, sizeof(err), &v), SECRET_EINVAL);
	/* owned by another user (needs root to arrange) */
	if (geteuid() == 0) {
		p = t_write("other", "other-secret-1234", 0600);
		CHECK(chown(p, 65534, 65534) == 0);
		snprintf(ref, sizeof(ref), "file:%s", p);
		CHECK_INT(load(ref, err, sizeof(err), &v), SECRET_EPERM);
		CHECK(strstr(err, "owned by uid 65534") != NULL);
	}
}

static void
test_credentials_and_env(void)
{
	char err[1024], *v, dir[600];

	snprintf(dir, sizeof(dir), "%s/creds", t_tmpdir());
	mkdir(dir, 0700);
	{
		char path[700];
		FILE *f;

		snprintf(path, sizeof(path), "%s/sf_key", dir);
		f = fopen(path, "w");
		fputs("-----BEGIN KEY-----\nabc\n-----END KEY-----\n", f);
		fclose(f);
		chmod(path, 0400);
	}
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	CHECK_INT(load("credential:sf_key", err, sizeof(err), &v), SECRET_OK);
	CHECK(v && strstr(v, "BEGIN KEY"));
	free(v);
	CHECK_INT(load("credential:absent", err, sizeof(err), &v), SECRET_ENOENT);
	CHECK_INT(load("credential:../etc/passwd", err, sizeof(err), &v),
	    SECRET_EINVAL);
	unsetenv("CREDENTIALS_DIRECTORY");
	setenv("CHANSYNC_TEST_TOKEN", "tok-1234567", 1);
	CHECK_INT(load("env:CHANSYNC_TEST_TOKEN", err, sizeof(err), &v), SECRET_OK);
	CHECK_STR(v, "tok-1234567");
	free(v);
	CHECK_INT(load("env:CHANSYNC_NOT_SET_AT_ALL", err, sizeof(err), &v),
	    SECRET_ENOENT);
	CHECK_INT(load("plain-text-secret", err, sizeof(err), &v), SECRET_EINVAL);
	CHECK(secret_is_reference("credential:x"));
	CHECK(!secret_is_reference("hunter2"));
}

static void
test_loaded_values_are_redacted(void)
{
	char err[256], *v, *r;

	setenv("CHANSYNC_TEST_CANARY", "CANARY-7f3a9c-value", 1);
	CHECK_INT(load("env:CHANSYNC_TEST_CANARY", err, sizeof(err), &v), SECRET_OK);
	free(v);
	r = log_redact("token is CANARY-7f3a9c-value!", 0);
	CHECK_STR(r, "token is ***!");
	free(r);
}

int
main(void)
{
	T_RUN(test_file_rules);
	T_RUN(test_credentials_and_env);
	T_RUN(test_loaded_values_are_redacted);
	log_clear_secrets();
	return t_done("secret");
}
