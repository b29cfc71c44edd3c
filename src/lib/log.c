/*
 * log.c - sink selection (journald or stderr), redaction and escaping.
 *
 * Not responsible for deciding what to log: lower layers return errors and
 * the caller that decides logs once (STYLE.md).
 */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include "lib/log.h"
#include "lib/mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#define LOG_MSG_MAX	4096
#define LOG_FIELD_MAX	512

static const char *ident = "chansync";
static int level = LOG_INFO;
static enum log_target target = LOG_TARGET_STDERR;
static int stderr_tty;

/* every secret and each form of it that can be written: no cap, since a
 * secret dropped for want of room would be printed verbatim */
static struct secret_text {
	char *v;
	size_t len;
} *secrets;
static size_t nsecrets, capsecrets;

static int
journal_stream_is_stderr(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (e == NULL || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *id)
{
	const char *force = getenv("CHANSYNC_LOG_TARGET");

	ident = id;
	stderr_tty = isatty(STDERR_FILENO);
	if (force && strcmp(force, "journal") == 0)
		target = LOG_TARGET_JOURNAL;
	else if (force && strcmp(force, "stderr") == 0)
		target = LOG_TARGET_STDERR;
	else
		target = journal_stream_is_stderr() ? LOG_TARGET_JOURNAL :
		    LOG_TARGET_STDERR;
}

enum log_target
log_target(void)
{
	return target;
}

void
log_set_level(int prio)
{
	level = prio;
}

int
log_get_level(void)
{
	return level;
}

int
log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		int prio;
	} tab[] = {
		{ "debug", LOG_DEBUG }, { "info", LOG_INFO },
		{ "notice", LOG_NOTICE }, { "warning", LOG_WARNING },
		{ "err", LOG_ERR },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(name, tab[i].name) == 0)
			return tab[i].prio;
	return -1;
}

static void
add_one(const char *value, size_t len)
{
	size_t i;

	if (value == NULL || len < 4)
		return;
	for (i = 0; i < nsecrets; i++)
		if (secrets[i].len == len && memcmp(secrets[i].v, value, len) == 0)
			return;
	xgrow(&secrets, &capsecrets, nsecrets + 1, sizeof(*secrets));
	secrets[nsecrets].v = xstrndup(value, len);
	secrets[nsecrets].len = len;
	nsecrets++;
}

/* value percent-encoded as a form or a query string carries it, when
 * that differs from value (a new string), else NULL */
static char *
percent_form(const char *value, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(3 * len + 1), *o = out;
	size_t i;
	int differs = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			differs = 1;
		}
	}
	*o = '\0';
	if (!differs) {
		free(out);
		return NULL;
	}
	return out;
}

void
log_add_secret(const char *value, size_t len)
{
	char *enc;

	if (value == NULL || len < 4)
		return;
	add_one(value, len);
	if ((enc = percent_form(value, len)) != NULL) {
		add_one(enc, strlen(enc));
		secure_free(enc, strlen(enc));
	}
	/* A multi-line secret (a PEM key) is also masked line by line. */
	if (memchr(value, '\n', len)) {
		const char *p = value, *end = value + len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

			if (l >= 16)
				log_add_secret(p, l);
			p += l + 1;
		}
	}
}

void
log_add_basic_auth(const char *user, const char *password)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *pair, *out, *o;
	size_t n, i;

	if (user == NULL || password == NULL)
		return;
	log_add_secret(password, strlen(password));
	pair = xasprintf("%s:%s", user, password);
	n = strlen(pair);
	out = xmalloc(4 * ((n + 2) / 3) + 1);
	for (i = 0, o = out; i < n; i += 3) {
		unsigned v = (unsigned char)pair[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)pair[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)pair[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	log_add_secret(out, strlen(out));
	secure_free(out, strlen(out));
	secure_free(pair, n);
}

void
log_forget_secret(const char *value)
{
	size_t i, len = value ? strlen(value) : 0;

	for (i = 0; i < nsecrets; i++)
		if (secrets[i].len == len && memcmp(secrets[i].v, value, len) == 0) {
			secure_free(secrets[i].v, secrets[i].len);
			secrets[i] = secrets[--nsecrets];
			return;
		}
}

void
log_clear_secrets(void)
{
	size_t i;

	for (i = 0; i < nsecrets; i++)
		secure_free(secrets[i].v, secrets[i].len);
	free(secrets);
	secrets = NULL;
	nsecrets = capsecrets = 0;
}

static int
is_token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr("-._~+/=!", c) != NULL;
}

/*
 * The length of "Bearer " at s when a token follows, else 0: any bearer
 * token is masked, ours or not. (Basic credentials are masked as the
 * registered base64 of ours: a generic "Basic word" would mask prose.)
 */
static size_t
auth_scheme(const char *s)
{
	if (strncasecmp(s, "bearer ", 7) == 0 && is_token_char((unsigned char)s[7]))
		return 7;
	return 0;
}

/*
 * The length of a character at s that a terminal would obey rather than
 * show (n bytes available): a C1 control (U+0080..U+009F, 2 bytes), a
 * bidi embedding, override or isolate (U+202A..U+202E, U+2066..U+2069,
 * 3 bytes); else 0.
 */
static size_t
invisible(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n >= 2 && u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
		return 2;
	if (n >= 3 && u[0] == 0xe2 && ((u[1] == 0x80 && u[2] >= 0xaa &&
	    u[2] <= 0xae) || (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9)))
		return 3;
	return 0;
}

char *
log_redact(const char *s, size_t cap)
{
	struct buf out;
	size_t i, n = strlen(s);

	buf_init(&out, 0);
	for (i = 0; i < n;) {
		size_t k, matched = 0;

		for (k = 0; k < nsecrets; k++)
			if (secrets[k].len <= n - i &&
			    memcmp(s + i, secrets[k].v, secrets[k].len) == 0 &&
			    secrets[k].len > matched)
				matched = secrets[k].len;
		if (matched) {
			buf_addstr(&out, "***");
			i += matched;
		} else if ((k = auth_scheme(s + i)) != 0) {
			buf_add(&out, s + i, k);
			buf_addstr(&out, "***");
			i += k;
			while (i < n && is_token_char((unsigned char)s[i]))
				i++;
		} else if ((k = invisible(s + i, n - i)) != 0) {
			/* C1 controls and bidi overrides: shown, not obeyed */
			buf_addf(&out, "\\u%04x", (unsigned)(k == 2 ?
			    (unsigned char)s[i + 1] : 0x2000 + ((unsigned char)s[i + 1] -
			    0x80) * 64 + ((unsigned char)s[i + 2] - 0x80)));
			i += k;
		} else {
			unsigned char c = (unsigned char)s[i];

			if (c < 0x20 || c == 0x7f)
				buf_addf(&out, "\\x%02x", c);
			else
				buf_addch(&out, (char)c);
			i++;
		}
		if (cap && out.len > cap) {
			/* cut before the character that crosses cap, not inside it */
			while (cap > 0 && ((unsigned char)out.data[cap] & 0xc0) == 0x80)
				cap--;
			out.len = cap;
			out.data[cap] = '\0';
			buf_addstr(&out, "...");
			break;
		}
	}
	return buf_steal(&out);
}

static void
emit_journal(const char *file, int line, const char *func, int prio,
    const char *msgid, const char *const *fields, const char *msg)
{
	struct iovec iov[32];
	char *strs[32];
	int n = 0, i;

	strs[n++] = xasprintf("MESSAGE=%s", msg);
	strs[n++] = xasprintf("PRIORITY=%d", prio);
	strs[n++] = xasprintf("SYSLOG_IDENTIFIER=%s", ident);
	strs[n++] = xasprintf("CODE_FILE=%s", file);
	strs[n++] = xasprintf("CODE_LINE=%d", line);
	strs[n++] = xasprintf("CODE_FUNC=%s", func);
	if (msgid)
		strs[n++] = xasprintf("MESSAGE_ID=%s", msgid);
	for (i = 0; fields && fields[i] && n < 32; i++)
		strs[n++] = log_redact(fields[i], LOG_FIELD_MAX);
	for (i = 0; i < n; i++) {
		iov[i].iov_base = strs[i];
		iov[i].iov_len = strlen(strs[i]);
	}
	if (sd_journal_sendv(iov, n) < 0)
		fprintf(stderr, "<%d>%s\n", prio, msg);
	for (i = 0; i < n; i++)
		free(strs[i]);
}

static void
emit_stderr(int prio, const char *msg)
{
	static const char *names[] = { "emerg", "alert", "crit", "error",
		"warning", "notice", "info", "debug" };

	if (stderr_tty)
		fprintf(stderr, "%s: %s%s%s\n", ident,
		    prio <= LOG_WARNING ? names[prio & 7] : "",
		    prio <= LOG_WARNING ? ": " : "", msg);
	else
		fprintf(stderr, "<%d>%s\n", prio, msg);
	fflush(stderr);
}

void
log_emit(const char *file, int line, const char *func, int prio,
    const char *msgid, const char *const *fields, const char *fmt, ...)
{
	va_list ap;
	char *raw, *msg;
	int saved = errno;

	if (prio > level)
		return;
	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	msg = log_redact(raw, LOG_MSG_MAX);
	free(raw);
	if (target == LOG_TARGET_JOURNAL)
		emit_journal(file, line, func, prio, msgid, fields, msg);
	else
		emit_stderr(prio, msg);
	free(msg);
	errno = saved;
}
