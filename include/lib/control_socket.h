/*
 * control_socket.h - how chansyncctl finds and talks to a running chansyncd.
 *
 * The daemon holds an exclusive lock on state_dir/chansyncd.pid (its pid
 * inside) for its whole life, so a stale file never looks alive, and
 * listens on state_dir/chansyncd.sock, an AF_UNIX stream socket that
 * speaks one request line and answers lines:
 *   "info TEXT" / "diag TEXT" zero or more times, then "ok TEXT" or
 *   "error TEXT".
 * Requests: "reload" (answered when the new file is in effect or
 * rejected), "sync" (answered when a cycle started after the request has
 * ended), "status" (answered at once), "reset-watermark NAME [TIME]"
 * and "decide KEY\tWINNER\tSEEN\tREASON" (answered once made and
 * audited).
 */
#ifndef CHANSYNC_CONTROL_H
#define CHANSYNC_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

#define CONTROL_PID_FILE "chansyncd.pid"
#define CONTROL_SOCKET "chansyncd.sock"
#define CONTROL_LINE_MAX 4096
/* The longest reason a request may carry (a decision's), in bytes. */
#define CONTROL_REASON_MAX 1000
/* How an "error" answer starts when the daemon could not take the
 * request at all (too many clients): a reason to retry, not a verdict. */
#define CONTROL_BUSY "busy:"

/*
 * Takes the daemon lock in dir and writes our pid. Returns the open fd
 * (keep it for the process's life), -1 with *other the running daemon's
 * pid when another holds it, or -2 with err on other errors.
 */
int control_pidfile_lock(const char *dir, pid_t *other, char *err, size_t errlen);
/* The pid of the daemon running on dir, 0 when none runs, or -1 when
 * this user may not tell (errno EACCES: another user's state dir). */
pid_t control_daemon_pid(const char *dir);

/* Creates the listening socket (non-blocking). Returns fd or -1 (err). */
int control_listen(const char *dir, char *err, size_t errlen);
/* Connects. Returns fd, or -1 with err (errno ECONNREFUSED/ENOENT when
 * no daemon listens). */
int control_connect(const char *dir, char *err, size_t errlen);

/*
 * Sends cmd and reads answer lines until the final one, giving each line
 * to fn. Waits at most timeout_ms overall (-1: forever). Returns 0 for
 * "ok", 1 for "error", -1 on I/O failure or timeout (err).
 */
int control_request(int fd, const char *cmd, int timeout_ms,
    void (*fn)(void *ctx, const char *kind, const char *text), void *ctx,
    char *err, size_t errlen);

/* Writes one answer line "kind text\n" to a client (best effort). */
void control_reply(int fd, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
