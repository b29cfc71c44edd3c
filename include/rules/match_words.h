/*
 * match_words.h - what a word of a company name is, for the matcher:
 * the lists of industry, corporate, place, department, stop and legal
 * words, the abbreviations and misspellings that read as one of them, and
 * the slips of the hand two spellings of a word differ by.
 */
#ifndef CHANSYNC_MATCH_WORDS_H
#define CHANSYNC_MATCH_WORDS_H

#include "rules/match.h"

#include <stddef.h>

#define token_class match_token_class
#define TOK_DISTINCT MATCH_TOK_DISTINCT
#define TOK_GENERIC MATCH_TOK_GENERIC
#define TOK_GEO MATCH_TOK_GEO
#define TOK_STOP MATCH_TOK_STOP
#define TOK_CORP MATCH_TOK_CORP

/*
 * What the raw word s (len bytes) reads as: the word it stands for (an
 * abbreviation's, a misspelling's or a plural's; else s itself, *len
 * updated) and its class in *cls. Remembered per word.
 */
const char *match_word_read(const char *s, size_t *len,
    enum match_token_class *cls);
/* Whether the raw word is a stop word ("and", "of", "dba"; not a legal
 * form's word), a department ("procurement"), a region ("emea"). */
int match_word_is_stop(const char *s, size_t len);
int match_word_is_dept(const char *s, size_t len);
int match_word_is_region(const char *s, size_t len);
/* Whether the raw word is a legal form that ends a company's name
 * wherever it stands ("inc", "corp", "gmbh"). */
int match_word_ends_name(const char *s, size_t len);
/*
 * 1 when a and b differ by one slip of the hand: a letter doubled or
 * dropped, or two neighbours swapped; not another letter, which is how
 * surnames differ ("Hansen", "Jansen"; "Wagner", "Wegner").
 */
int match_one_slip(const char *a, size_t la, const char *b, size_t lb);

#endif
