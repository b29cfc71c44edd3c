/*
 * page_salvage.h - the records of a JSON page that failed to parse as a
 * whole, read one by one.
 *
 * A vendor's page with one bad record (invalid UTF-8, a name given twice,
 * a number too big) is invalid JSON as a whole. When the page's structure
 * still holds, its records array is found by jsalvage and each element
 * parsed on its own: the good ones land, each bad one is quarantined with
 * its own reason, and the page's next cursor is read the same way. Only
 * a page whose structure is broken is lost whole.
 */
#ifndef CHANSYNC_PAGE_SALVAGE_H
#define CHANSYNC_PAGE_SALVAGE_H

#include <stddef.h>

struct jval;

struct salvaged_record {
	size_t index;		/* 0-based, in the page */
	char *why;		/* "invalid JSON: ..." */
	char *raw;		/* its first bytes */
	char *id;		/* its external id when it can be read, or NULL */
};

struct salvaged_page {
	/* the page rebuilt from what parsed: the records array (a bad
	 * record's place holds null) at the records pointer, the next cursor
	 * at its pointer */
	struct jval *doc;
	struct salvaged_record *bad;
	size_t nbad;
};

/*
 * Reads the page buf[0, len) that jv_parse refused. records: the records
 * array's pointer ("" for the whole page); next: the next cursor's
 * pointer, or NULL; id: the external id's pointer inside a record, or
 * NULL. Returns 0, or -1 with why when the page's structure is broken
 * where the records or the cursor are (nothing can be trusted then).
 */
int page_salvage(const char *buf, size_t len, const char *records,
    const char *next, const char *id, struct salvaged_page *out, char *why,
    size_t whylen);
void salvaged_page_free(struct salvaged_page *p);

#endif
