/*
 * freemail.h - the shipped list of free-mail domains
 * (config/free-mail-domains), compiled in by the Makefile as a sorted
 * array (strcmp order) for binary search.
 */
#ifndef CHANSYNC_FREEMAIL_H
#define CHANSYNC_FREEMAIL_H

#include <stddef.h>

extern const char *const free_mail_domains[];
extern const size_t free_mail_count;

#endif
