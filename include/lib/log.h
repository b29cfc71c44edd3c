/*
 * log.h - the one way chansync writes log messages.
 *
 * Under systemd (stderr is the journal stream named by $JOURNAL_STREAM) a
 * message goes to journald through the native protocol with its priority,
 * MESSAGE_ID, the caller's CODE_FILE/LINE/FUNC and CHANSYNC_* fields.
 * Otherwise it goes to stderr, prefixed "<N>" (sd-daemon priority) when
 * stderr is not a terminal, "warning: " style when it is.
 * CHANSYNC_LOG_TARGET=journal|stderr|auto forces the sink (tests).
 *
 * Every message passes through the redaction layer: each registered secret
 * value and every "Bearer <token>" is masked, control characters are
 * escaped, and the length is capped. Nothing else in the program writes to
 * the log sinks, so no secret can reach a log by another path.
 */
#ifndef CHANSYNC_LOG_H
#define CHANSYNC_LOG_H

#include <stddef.h>
#include <syslog.h>

/* MESSAGE_IDs, one per kind of event (journalctl MESSAGE_ID=...). */
#define MSGID_DAEMON_START	"147e9bb2b3984f028e08212abdadaf96"
#define MSGID_DAEMON_STOP	"b215d97e62cc4d98a4f4f1598b3894a7"
#define MSGID_CONFIG_LOADED	"2f3f6ad494c64b3192c068658502ac13"
#define MSGID_CONFIG_REJECTED	"201b30be380347459e07d6025ca0c924"
#define MSGID_CYCLE_DONE	"a39dbba5810847f58f60d8d2c5b71156"
#define MSGID_CYCLE_FAILED	"311505dacdf34299a9a48e8d75361173"
#define MSGID_RECORD_QUARANTINED "aea765acd9f94ded8fa257eb5a9b61cd"
#define MSGID_AUDIT_ANCHOR	"4fbb5283dd6f4320afeabea6204edffa"
#define MSGID_SOURCE_ERROR	"1672a2f0431c4356a868d21bf94936e8"
#define MSGID_FILE_FAILED	"e016d98a43be4f9fbd405e923a9edd4c"
#define MSGID_WRITEBACK_DONE	"9ba37188176646edab79ca67b924c571"

enum log_target {
	LOG_TARGET_AUTO,
	LOG_TARGET_STDERR,
	LOG_TARGET_JOURNAL,
};

/* ident is borrowed for the program's life (SYSLOG_IDENTIFIER). */
void log_init(const char *ident);
/* Only messages at prio or more urgent are written (LOG_ERR..LOG_DEBUG). */
void log_set_level(int prio);
int log_get_level(void);
/* Returns LOG_DEBUG..LOG_ERR for debug|info|notice|warning|err, else -1. */
int log_level_parse(const char *name);
/* The sink in use after log_init(). */
enum log_target log_target(void);

/*
 * Registers a secret value (copied) that must never be written anywhere,
 * with the forms it can be written in: percent-encoded (a form body, a
 * query string) and, for a PEM key, each line. Any number of secrets.
 * Values shorter than 4 bytes are ignored (they would mask ordinary text).
 */
void log_add_secret(const char *value, size_t len);
/* Registers HTTP basic credentials: the password, and the base64 of
 * "user:password" that an echoed Authorization header shows. */
void log_add_basic_auth(const char *user, const char *password);
/* Stops masking value (a token that was replaced by a new one). */
void log_forget_secret(const char *value);
void log_clear_secrets(void);
/*
 * Returns a new string: s with every registered secret and bearer token
 * masked as "***" and control characters escaped as \xNN, at most cap
 * bytes long (0 = no cap). Used for anything that leaves the process.
 */
char *log_redact(const char *s, size_t cap);

/*
 * Writes one message. fields is NULL or a NULL-terminated array of
 * "CHANSYNC_NAME=value" strings (values are redacted and escaped too).
 */
void log_emit(const char *file, int line, const char *func, int prio,
    const char *msgid, const char *const *fields, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

#define LOG_AT(prio, ...) log_emit(__FILE__, __LINE__, __func__, (prio), NULL, NULL, __VA_ARGS__)
#define log_err(...)	LOG_AT(LOG_ERR, __VA_ARGS__)
#define log_warning(...) LOG_AT(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	LOG_AT(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	LOG_AT(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	LOG_AT(LOG_DEBUG, __VA_ARGS__)
/* A message with a MESSAGE_ID and structured fields. */
#define log_event(prio, msgid, fields, ...) \
	log_emit(__FILE__, __LINE__, __func__, (prio), (msgid), (fields), __VA_ARGS__)

#endif
