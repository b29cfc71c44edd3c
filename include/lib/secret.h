/*
 * secret.h - secret references and their values.
 *
 * A secret is never written in the configuration: the file holds a
 * reference, "credential:NAME" ($CREDENTIALS_DIRECTORY/NAME, as systemd's
 * LoadCredential= provides it; outside a service /run/credstore and
 * /etc/credstore are searched like systemd does), "file:/abs/path" or
 * "env:VAR". Files must be regular files (no symlinks), owned by us or
 * root, not accessible by group or others, and at most 64 KiB.
 *
 * Every loaded value is registered with the log redaction layer. Error
 * messages name the reference, the path and the mode, never the content.
 */
#ifndef CHANSYNC_SECRET_H
#define CHANSYNC_SECRET_H

#include <stddef.h>

#define SECRET_MAX_BYTES (64 * 1024)

struct secret {
	char *value;	/* NUL-terminated; trailing newlines removed */
	size_t len;
};

enum secret_error {
	SECRET_OK = 0,
	SECRET_EINVAL,	/* not a valid reference */
	SECRET_ENOENT,	/* the credential, file or variable does not exist */
	SECRET_EPERM,	/* file permissions or ownership refused (exit 77) */
	SECRET_EIO,	/* unreadable, not a regular file, too large */
};

/* 1 when s has the form of a secret reference. */
int secret_is_reference(const char *s);

/*
 * Resolves ref. Returns SECRET_OK and a new secret in *ret, or an error
 * code and a message in err (never containing the value).
 */
enum secret_error secret_load(const char *ref, struct secret **ret,
    char *err, size_t errlen);

/* Zeroes and frees s; NULL is a no-op. */
void secret_free(struct secret *s);

#endif
