/*
 * control_socket.c - pid file lock and the control socket, both sides.
 */
#include "lib/control_socket.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
sock_path(const char *dir, struct sockaddr_un *sa, char *err, size_t errlen)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", dir,
	    CONTROL_SOCKET) >= sizeof(sa->sun_path)) {
		snprintf(err, errlen, "the state directory path %s is too long "
		    "for a socket", dir);
		return -1;
	}
	return 0;
}

static pid_t
read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

int
control_pidfile_lock(const char *dir, pid_t *other, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s", dir, CONTROL_PID_FILE);
	char buf[32];
	int fd, n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		free(path);
		return -2;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			*other = read_pid(fd);
			close(fd);
			free(path);
			return -1;
		}
		snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
		close(fd);
		free(path);
		return -2;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		free(path);
		return -2;
	}
	free(path);
	return fd;
}

pid_t
control_daemon_pid(const char *dir)
{
	char *path = xasprintf("%s/%s", dir, CONTROL_PID_FILE);
	pid_t pid = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	free(path);
	if (fd < 0)
		return errno == EACCES || errno == EPERM ? -1 : 0;
	/* a shared lock we can take means nobody holds the exclusive one */
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		pid = read_pid(fd);
	close(fd);
	return pid;
}

int
control_listen(const char *dir, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd;

	if (sock_path(dir, &sa, err, errlen) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* we hold the pid lock, so a socket file left here is stale */
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 16) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", sa.sun_path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
control_connect(const char *dir, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd;

	if (sock_path(dir, &sa, err, errlen) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot reach chansyncd at %s: %s",
		    sa.sun_path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
control_request(int fd, const char *cmd, int timeout_ms,
    void (*fn)(void *ctx, const char *kind, const char *text), void *ctx,
    char *err, size_t errlen)
{
	struct buf in;
	char *line = xasprintf("%s\n", cmd);
	uint64_t deadline = timeout_ms < 0 ? 0 :
	    clock_monotonic_usec() + (uint64_t)timeout_ms * 1000;
	int rc = -1;

	buf_init(&in, 1u << 20);
	/* a daemon that turns the request away (busy) answers and closes
	 * before it reads: its answer is still there to read after EPIPE */
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) &&
	    errno != EPIPE) {
		snprintf(err, errlen, "cannot send to chansyncd: %s",
		    strerror(errno));
		goto out;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		char chunk[4096], *nl;
		int wait = -1;
		ssize_t n;

		if (deadline) {
			uint64_t now = clock_monotonic_usec();

			if (now >= deadline) {
				snprintf(err, errlen, "no answer from chansyncd "
				    "within %d s", timeout_ms / 1000);
				goto out;
			}
			wait = (int)((deadline - now) / 1000) + 1;
		}
		if (poll(&p, 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "poll: %s", strerror(errno));
			goto out;
		}
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "chansyncd closed the connection "
			    "without an answer");
			goto out;
		}
		if (buf_add(&in, chunk, (size_t)n) < 0) {
			snprintf(err, errlen, "answer too long");
			goto out;
		}
		while ((nl = memchr(in.data, '\n', in.len)) != NULL) {
			char *l = xstrndup(in.data, (size_t)(nl - in.data));
			char *sp = strchr(l, ' ');
			const char *text = sp ? sp + 1 : "";
			size_t used = (size_t)(nl - in.data) + 1;

			if (sp)
				*sp = '\0';
			if (fn)
				fn(ctx, l, text);
			memmove(in.data, in.data + used, in.len - used);
			in.len -= used;
			in.data[in.len] = '\0';
			if (strcmp(l, "ok") == 0 || strcmp(l, "error") == 0) {
				rc = strcmp(l, "ok") == 0 ? 0 : 1;
				free(l);
				goto out;
			}
			free(l);
		}
	}
out:
	free(line);
	buf_free(&in);
	return rc;
}

void
control_reply(int fd, const char *kind, const char *fmt, ...)
{
	va_list ap;
	char *raw, *clean, *line;
	ssize_t w;

	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	clean = log_redact(raw, CONTROL_LINE_MAX);
	line = xasprintf("%s %s\n", kind, clean);
	w = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)w;
	free(raw);
	free(clean);
	free(line);
}
