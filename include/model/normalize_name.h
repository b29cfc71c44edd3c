/*
 * normalize_name.h - company names folded into comparison keys.
 *
 * What the matcher compares (rules/match.h): a name without its legal
 * form, case, marks or the ways one word is spelled differently.
 */
#ifndef CHANSYNC_NORMALIZE_NAME_H
#define CHANSYNC_NORMALIZE_NAME_H

#include <stddef.h>

/*
 * Folds text for comparison: NFKC, case folded, marks stripped, letters
 * without decompositions spelled out (ø -> o, æ -> ae). Returns a new
 * string, or NULL for invalid UTF-8.
 */
char *norm_fold(const char *s);
/*
 * The comparison key of a company name: folded words, "&"/"and"/"und"/
 * "et" unified, initials joined, a leading "The" and trailing legal forms
 * (Inc, GmbH & Co. KG, S.A. de C.V., Sp. z o.o., Pty Ltd, 株式会社, ...)
 * removed: "Müller Maschinenbau GmbH & Co. KG" -> "muller maschinenbau".
 * Returns 0 and a new string, or -1 when nothing is left.
 */
int norm_name_key(const char *name, char **ret);
/* The same, borrowed (valid until the next call), or NULL. */
const char *norm_name_key_ref(const char *name);
/* The legal form the key left out, as written ("gmbh", "inc", "" for
 * none), remembered likewise: two registrations of one name in two
 * countries are one company only when written alike, form and all. */
const char *norm_name_form_ref(const char *name);
/* 1 when tok (len bytes, folded) is a word of some legal form ("gmbh",
 * "sa", "zoo" of "sp zoo"): found mid-name, it names no company. */
int norm_legal_form_word(const char *tok, size_t len);
/* Frees the name tables and caches. */
void norm_name_free(void);

#endif
