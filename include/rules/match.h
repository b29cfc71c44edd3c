/*
 * match.h - do two names denote the same end customer?
 *
 * Names are compared by their keys (norm_name_key: folded, legal forms
 * stripped). The similarity is the best of four measures, and the one
 * that decided is reported as evidence:
 *
 *   exact    the keys are equal;
 *   tokens   soft TF-IDF: tokens paired one to one when equal or within
 *            Jaro-Winkler 0.92 of each other, weighted by rarity in the
 *            cache (IDF), so word order and an extra region or generic
 *            word barely count, and sharing only "Data Solutions" does
 *            not make two companies one;
 *   jw       Jaro-Winkler on the distinctive part (the tokens that are
 *            not generic, run together: "micro soft" = "microsoft"),
 *            for lengths within 25% of each other;
 *   acronym  one name is the other's initials ("IBM"), three letters or
 *            more, or two when every word behind them is distinctive;
 *            the legal form's initial may end them ("ALI", "Avance Logic
 *            Inc."; "NEC", "Nippon Electric Company") when the form is
 *            known (form_initial).
 *
 * Words weigh their IDF over the cache's distinct names times a factor:
 * industry words 0.3, what any company calls itself ("Technology",
 * "Systems", "Group") 0.15, places (regions, countries in any language,
 * large cities) 0.1, stop words and legal-form words found mid-name 0.05;
 * a misspelt generic or legal word ("Corportaion", "Sytems";
 * "Communcattions", two slips in a long word) or its plural reads as the
 * word (match_words.h). When both names keep a word the other lacks, an
 * industry word ("X Insurance", "X Textiles") or a distinctive one ("Kang
 * Hui", "Kang Ying"), they are sister companies: the score is held at
 * 0.85. A family's name ("Sony": two different words follow it in the
 * cache's names) alone against it with an industry or corporate word
 * ("Sony Electronics") is one of the family, not the same company: held
 * at 0.88. A name with a second one ("A dba B", "A (B)", "A / B") is
 * compared by either part as well, each weighed as a name of its own.
 */
#ifndef CHANSYNC_MATCH_H
#define CHANSYNC_MATCH_H

#include <stddef.h>
#include <stdint.h>

enum match_measure {
	MATCH_NONE,
	MATCH_EXACT,
	MATCH_TOKENS,
	MATCH_JW,
	MATCH_ACRONYM,
	MATCH_ALIAS,		/* one name's other name ("A dba B", "A (B)") */
	MATCH_JOINED,		/* the same letters, words joined or split */
	MATCH_CONFIRMED,	/* an operator said so (a possible match) */
	MATCH_DIVISION,		/* the company's name before a division's
				 * ("X Corp., Digital Media") */
};

const char *match_measure_name(enum match_measure m);

/* Words whose class is remembered at most; then the memory starts over. */
#define MATCH_TOKEN_CACHE_MAX 65536
/* Words remembered now (for tests). */
size_t match_token_cache_size(void);

/* Token document frequencies over the distinct names in the cache (a
 * name added again only counts its registrations). */
struct match_idf;

struct match_idf *match_idf_new(void);
void match_idf_free(struct match_idf *idf);
/* A registration of a name key: its words are counted (each once) when
 * the name is new; taken away when its last registration goes. */
void match_idf_add(struct match_idf *idf, const char *key);
void match_idf_remove(struct match_idf *idf, const char *key);
size_t match_idf_docs(const struct match_idf *idf);
/* Documents that hold tok (len bytes). */
uint32_t match_idf_df(const struct match_idf *idf, const char *tok, size_t len);
/* How many different words follow tok where it is a name's first word
 * ("sony electronics", "sony ericsson": 2). */
uint32_t match_idf_family(const struct match_idf *idf, const char *tok,
    size_t len);

#define MATCH_MAX_TOKENS 12

/* What a token says about which company a name denotes. */
enum match_token_class {
	MATCH_TOK_DISTINCT,
	MATCH_TOK_GENERIC,	/* what it does: industry, corporate words */
	MATCH_TOK_GEO,		/* where it is */
	MATCH_TOK_STOP,		/* nothing: stop words, legal-form words */
	MATCH_TOK_CORP,		/* what any company calls itself: "Technology",
				 * "Systems", "International", "Group" */
};

/* A name key prepared for comparison; it borrows the key. */
struct match_name {
	const char *key;
	size_t ntok;
	struct {
		const char *s;
		uint16_t len;
		uint8_t cls;		/* enum match_token_class */
		float w;		/* L2-normalized weight */
		float wp;		/* within its part of a "dba" name */
		uint32_t df;		/* names in the cache that hold it */
	} tok[MATCH_MAX_TOKENS];
	char distinct[96];		/* distinctive tokens run together */
	char initials[MATCH_MAX_TOKENS + 1];	/* of every token */
	char initials_nostop[MATCH_MAX_TOKENS + 1];
	char compact[16];		/* a short name as an acronym: "pg" for "p and g" */
	char joined[64];		/* every word but stop words, run together */
	uint8_t alias;			/* the token "dba" splits the name here (0: none) */
	uint8_t division;		/* a legal form here ends the company's name
					 * and a division follows (0: none) */
	uint32_t family;		/* match_idf_family of the first word */
	int initials_distinct;		/* every word behind the initials distinctive */
	char form_initial;		/* the legal form's first letter, for
					 * acronyms that spell it ("ALI": Avance
					 * Logic Inc.); 0: none or not known
					 * (match_prepare leaves it 0) */
};

/* Prepares key (idf may be NULL: every token weighs the same). */
void match_prepare(const struct match_idf *idf, const char *key,
    struct match_name *m);
/* What a prepared name's form_initial is set to for the legal form its
 * key was stripped of (norm_name_form_ref: "inc", "co ltd"; NULL or ""
 * for none): its first letter, or 0. */
char match_form_initial(const char *form);
/* Similarity in [0, 1] and the measure that gave it. */
double match_score(const struct match_name *a, const struct match_name *b,
    enum match_measure *how);
/* 1 when a and b are one edit apart (a letter changed, added, dropped, or
 * two neighbours swapped). */
int match_one_edit(const char *a, size_t la, const char *b, size_t lb);
/*
 * Whether a similarity makes two claims one customer: at the threshold
 * when their countries agree (or one is unknown). When they differ the
 * country is evidence, not a veto: the names must be written alike, the
 * legal form too (same_form), and match at 0.97 or more ("Spectrum
 * Digital, Inc." in Britain and in Sweden), while "Parkside ApS" and
 * "Parkside Pvt. Ltd." stay two companies.
 */
#define MATCH_COUNTRY_FLOOR 0.97
int match_decides(double score, double threshold, int countries_differ,
    int same_form);
/*
 * Why a and b were found alike, in words a manager can check, written to
 * out: "'calypso meedical' ~ 'calypso medical': one letter ('meedical',
 * 'medical')", "... : the other name it goes by", "...: words joined".
 */
void match_explain(const struct match_name *a, const struct match_name *b,
    enum match_measure how, char *out, size_t len);
/* Jaro-Winkler similarity of two byte strings. */
double match_jaro_winkler(const char *a, size_t la, const char *b, size_t lb);
/* 1 when tok is a generic word (industry, region, country, city, stop). */
int match_is_generic(const char *tok, size_t len);

#endif
