/*
 * smtp.h - one e-mail handed to an SMTP server, through libcurl's SMTP.
 *
 * Policy, as the HTTP client's: TLS by STARTTLS (required unless the
 * caller allows plain SMTP, which the configuration allows only to a
 * loopback address) or smtps://; certificates verified (a ca_file may
 * add a CA); connect and total timeouts; the transfer polled in slices
 * so the caller's tick() runs (watchdog, signals) and can stop it. The
 * message is the caller's, headers and all; lone LFs become CRLF and
 * libcurl escapes leading dots.
 */
#ifndef CHANSYNC_SMTP_H
#define CHANSYNC_SMTP_H

#include <stddef.h>

struct smtp_server {
	const char *url;		/* smtp://host:port or smtps://host:port */
	int plain_ok;			/* 1: no STARTTLS (loopback only) */
	const char *username, *password;	/* or NULL */
	const char *ca_file;		/* or NULL */
	long timeout_ms;		/* whole transfer; 0: 60 s */
};

enum smtp_result {
	SMTP_OK,
	SMTP_ETEMP,		/* connection, timeout, 4xx: try again later */
	SMTP_EAUTH,		/* login refused: the configuration's */
	SMTP_EREFUSED,		/* 5xx for the sender, a recipient or the data */
	SMTP_ESTOPPED,		/* the daemon is stopping */
};

/*
 * Sends message (RFC 5322, headers and body) from from to the n
 * addresses in to. tick(arg), between poll slices, returns 1 to stop.
 * On failure err says what happened (never the password).
 */
enum smtp_result smtp_send(const struct smtp_server *srv, const char *from,
    const char *const *to, size_t n, const char *message, size_t len,
    int (*tick)(void *), void *tick_arg, char *err, size_t errlen);

#endif
