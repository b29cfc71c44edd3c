/*
 * match.c - end-customer name similarity (see match.h).
 */
#include "rules/match.h"
#include "rules/match_words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Weight factors: generic (industry) words, corporate words, places,
 * stop words. */
#define GENERIC_FACTOR 0.3
#define CORP_FACTOR 0.15
#define GEO_FACTOR 0.1
#define STOP_FACTOR 0.05
/*
 * Both names carry an industry word the other lacks ("X Insurance" and
 * "X Textiles"): sister companies, not spellings of one. The token and
 * Jaro-Winkler measures are then held under the default threshold.
 */
#define CONFLICT_CAP 0.85
/*
 * A family name alone against one of the family's businesses: a name's
 * first word is a family's when the cache holds names in which two
 * different words follow it ("Sony Electronics", "Sony Ericsson").
 */
#define FAMILY_CAP 0.88
#define FAMILY_NEXT 2
/* Two tokens pair up in the token measure from this Jaro-Winkler on. */
#define TOKEN_JW 0.92
/*
 * Shorter words must be equal: one letter apart, "Novak" and "Novan" are
 * two names more often than one name misspelt.
 */
#define FUZZY_MIN 6
/* The Jaro-Winkler measure reads the distinctive part from this length. */
#define JW_MIN 8
/* Acronym scores: three letters or more; two, behind distinctive words. */
#define ACRONYM_SCORE 0.93
#define ACRONYM2_SCORE 0.91

/* ---- the measures ---- */

const char *
match_measure_name(enum match_measure m)
{
	switch (m) {
	case MATCH_EXACT:
		return "exact";
	case MATCH_TOKENS:
		return "tokens";
	case MATCH_JW:
		return "jaro-winkler";
	case MATCH_ACRONYM:
		return "acronym";
	case MATCH_ALIAS:
		return "other-name";
	case MATCH_JOINED:
		return "joined";
	case MATCH_CONFIRMED:
		return "confirmed";
	case MATCH_DIVISION:
		return "division";
	default:
		return "none";
	}
}

double
match_jaro_winkler(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned char fa[128], fb[128];
	size_t i, j, m = 0, t = 0, k, win, prefix;
	double jaro;

	if (la == 0 && lb == 0)
		return 1.0;
	if (la == 0 || lb == 0)
		return 0.0;
	if (la > sizeof(fa))
		la = sizeof(fa);
	if (lb > sizeof(fb))
		lb = sizeof(fb);
	memset(fa, 0, la);
	memset(fb, 0, lb);
	win = (la > lb ? la : lb) / 2;
	win = win > 0 ? win - 1 : 0;
	for (i = 0; i < la; i++) {
		size_t lo = i > win ? i - win : 0, hi = i + win + 1 < lb ? i + win + 1 : lb;

		for (j = lo; j < hi; j++)
			if (!fb[j] && a[i] == b[j]) {
				fa[i] = fb[j] = 1;
				m++;
				break;
			}
	}
	if (m == 0)
		return 0.0;
	for (i = 0, k = 0; i < la; i++) {
		if (!fa[i])
			continue;
		while (!fb[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
	jaro = ((double)m / la + (double)m / lb + (m - t / 2.0) / m) / 3.0;
	for (prefix = 0; prefix < 4 && prefix < la && prefix < lb &&
	    a[prefix] == b[prefix]; prefix++)
		;
	return jaro + prefix * 0.1 * (1.0 - jaro);
}

static double
class_factor(enum token_class cls)
{
	return cls == TOK_STOP ? STOP_FACTOR : cls == TOK_GEO ? GEO_FACTOR :
	    cls == TOK_GENERIC ? GENERIC_FACTOR : cls == TOK_CORP ? CORP_FACTOR :
	    1.0;
}

/*
 * What a word of a name made only of generic words and places is divided
 * by to weigh in full; a corporate word stays half an industry word's
 * weight ("Trust", "Trust International").
 */
static double
full_factor(enum token_class cls)
{
	return cls == TOK_CORP ? GENERIC_FACTOR : class_factor(cls);
}

/*
 * Whether token i of a name (or of the part from lo) made only of generic
 * words and places names it: a department never does, a region only in
 * front ("Western Digital" and "... Americas").
 */
static int
names_it(const struct match_name *m, size_t lo, size_t i)
{
	return m->tok[i].cls != TOK_STOP && !(m->tok[i].cls == TOK_GEO &&
	    (match_word_is_dept(m->tok[i].s, m->tok[i].len) || (i > lo &&
	    match_word_is_region(m->tok[i].s, m->tok[i].len))));
}

/* The weights of tokens [lo, hi) as a name of their own: in full when
 * the part has no distinctive word. */
static void
part_weights(struct match_name *m, size_t lo, size_t hi)
{
	size_t i;

	for (i = lo; i < hi; i++)
		if (m->tok[i].cls == TOK_DISTINCT)
			return;
	for (i = lo; i < hi; i++)
		if (names_it(m, lo, i))
			m->tok[i].wp = (float)(m->tok[i].w /
			    full_factor((enum token_class)m->tok[i].cls));
}

/*
 * A legal form inside the name, after a word that is not a stop word and
 * before one that is not either ("toshiba corp digital media equipment",
 * "sanyo electric co computer engineering dept"): the company's name ends
 * there and a division follows. A name with a second one is split there
 * instead.
 */
static void
find_division(struct match_name *m)
{
	size_t i, j;

	for (i = 1; i + 1 < m->ntok; i++) {
		/* a legal form reads as a stop word: most words end here */
		if (m->tok[i].cls != TOK_STOP || m->tok[i - 1].cls == TOK_STOP ||
		    !match_word_ends_name(m->tok[i].s, m->tok[i].len))
			continue;
		for (j = i + 1; j < m->ntok && m->tok[j].cls == TOK_STOP; j++)
			;
		if (j < m->ntok) {
			m->division = (uint8_t)i;
			part_weights(m, 0, i);
		}
		return;
	}
}

void
match_prepare(const struct match_idf *idf, const char *key, struct match_name *m)
{
	const char *p = key;
	double norm = 0;
	size_t i, dn = 0, in = 0, isn = 0, cn = 0, jn = 0;
	int all_short = 1, ndistinct_initials = 1;

	memset(m, 0, sizeof(*m));
	m->key = key;
	while (*p && m->ntok < MATCH_MAX_TOKENS) {
		const char *s, *raw;
		size_t len, rawlen;
		double w;
		uint32_t df;
		enum token_class cls;

		while (*p == ' ')
			p++;
		raw = s = p;
		while (*p && *p != ' ')
			p++;
		rawlen = len = (size_t)(p - s);
		if (len == 0)
			continue;
		s = match_word_read(s, &len, &cls);
		df = idf ? match_idf_df(idf, raw, rawlen) : 0;
		if (idf && match_idf_docs(idf))
			w = log(1.0 + (double)(match_idf_docs(idf) + 1) /
			    (double)(df + 1));
		else
			w = 1.0;
		w *= class_factor(cls);
		i = m->ntok++;
		if (i == 0 && idf)
			m->family = match_idf_family(idf, raw, rawlen);
		m->tok[i].df = df;
		m->tok[i].s = s;
		m->tok[i].len = (uint16_t)len;
		m->tok[i].cls = (uint8_t)cls;
		m->tok[i].w = (float)w;
		norm += w * w;
		if (cls == TOK_DISTINCT && dn + len < sizeof(m->distinct)) {
			memcpy(m->distinct + dn, s, len);
			dn += len;
		}
		m->initials[in++] = raw[0];
		if (cls != TOK_STOP || !match_word_is_stop(raw, rawlen)) {
			m->initials_nostop[isn++] = raw[0];
			if (cls != TOK_DISTINCT)
				ndistinct_initials = 0;
		}
		if (rawlen > 2 && !(rawlen == 3 && memcmp(raw, "and", 3) == 0))
			all_short = 0;
		if (!match_word_is_stop(raw, rawlen) && cn + rawlen < sizeof(m->compact)) {
			memcpy(m->compact + cn, raw, rawlen);
			cn += rawlen;
		}
		if (rawlen == 3 && memcmp(raw, "dba", 3) == 0 && m->alias == 0 && i > 0)
			m->alias = (uint8_t)i;
		if (cls != TOK_STOP && jn + rawlen < sizeof(m->joined)) {
			memcpy(m->joined + jn, raw, rawlen);
			jn += rawlen;
		}
	}
	m->joined[jn] = '\0';
	/*
	 * A name made only of generic words and places ("Nordic Data
	 * Solutions"): those words are all that tells it from another, so
	 * they weigh in full.
	 */
	if (dn == 0) {
		norm = 0;
		for (i = 0; i < m->ntok; i++) {
			if (names_it(m, 0, i)) {
				m->tok[i].w /= (float)full_factor(m->tok[i].cls);
				m->tok[i].cls = TOK_DISTINCT;
			}
			norm += (double)m->tok[i].w * m->tok[i].w;
		}
	}
	m->distinct[dn] = '\0';
	m->initials[in] = '\0';
	m->initials_nostop[isn] = '\0';
	m->initials_distinct = ndistinct_initials;
	/* a short name: itself, or its letters when written "p and g" */
	if (m->ntok == 1 && strlen(key) == 2 && key[0] >= '2' && key[0] <= '9') {
		/* "3m": three m's */
		for (i = 0; i < (size_t)(key[0] - '0'); i++)
			m->compact[i] = key[1];
		m->compact[i] = '\0';
	} else if (m->ntok == 1)
		snprintf(m->compact, sizeof(m->compact), "%s", key);
	else if (!all_short)
		m->compact[0] = '\0';
	else
		m->compact[cn] = '\0';
	norm = sqrt(norm);
	for (i = 0; i < m->ntok && norm > 0; i++)
		m->tok[i].wp = m->tok[i].w = (float)(m->tok[i].w / norm);
	/* each of a "dba" name's two is a name of its own ("Deutsche
	 * Telekom") */
	if (m->alias) {
		part_weights(m, 0, m->alias);
		part_weights(m, (size_t)m->alias + 1, m->ntok);
	} else
		find_division(m);
}

static int
has_digit(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return 1;
	return 0;
}

/*
 * A letter dropped inside a word ("Thoas", "Wight"): the shorter at most
 * a letter under FUZZY_MIN, first and last letters kept. "Kovac" and
 * "Kovacs" differ at the end, as two surnames do.
 */
static int
inner_slip(const __typeof__(((struct match_name *)0)->tok[0]) *x,
    const __typeof__(((struct match_name *)0)->tok[0]) *y)
{
	size_t lx = x->len, ly = y->len;

	if ((lx < FUZZY_MIN && ly < FUZZY_MIN) || lx < FUZZY_MIN - 1 ||
	    ly < FUZZY_MIN - 1)
		return 0;
	return x->s[0] == y->s[0] && x->s[lx - 1] == y->s[ly - 1] &&
	    match_one_slip(x->s, lx, y->s, ly);
}

/* A part of a prepared name: tokens [lo, hi). */
struct span {
	const struct match_name *m;
	size_t lo, hi;
	double norm;		/* of the part's weights */
};

/* Token i's weight in part p: a part of a "dba" name weighs as a name of
 * its own. */
static double
span_w(const struct span *p, size_t i)
{
	return p->lo == 0 && p->hi == p->m->ntok ? p->m->tok[i].w :
	    p->m->tok[i].wp;
}

static struct span
span_of(const struct match_name *m, size_t lo, size_t hi)
{
	struct span p = { m, lo, hi, 0 };
	size_t i;

	for (i = lo; i < hi; i++)
		p.norm += span_w(&p, i) * span_w(&p, i);
	p.norm = sqrt(p.norm);
	return p;
}

/*
 * Soft TF-IDF with one-to-one pairing, best pairs first, over two parts
 * of names (the whole, or one side of a "dba"). *conflict: both keep an
 * industry word unpaired, or a number, or a distinctive word.
 */
static double
tokens_score(struct span pa, struct span pb, int *conflict, int *family)
{
	const struct match_name *a = pa.m, *b = pb.m;
	struct {
		double jw;
		uint8_t i, j;
	} cand[MATCH_MAX_TOKENS * MATCH_MAX_TOKENS];
	size_t n = 0, i, j, k;
	uint8_t ua[MATCH_MAX_TOKENS] = { 0 }, ub[MATCH_MAX_TOKENS] = { 0 };
	double s = 0;

	*conflict = *family = 0;
	if (pa.norm <= 0 || pb.norm <= 0)
		return 0;
	for (i = pa.lo; i < pa.hi; i++)
		for (j = pb.lo; j < pb.hi; j++) {
			double jw;

			if (a->tok[i].len == b->tok[j].len &&
			    memcmp(a->tok[i].s, b->tok[j].s, a->tok[i].len) == 0)
				jw = 1.0;
			else if ((a->tok[i].len < FUZZY_MIN || b->tok[j].len <
			    FUZZY_MIN) && !inner_slip(&a->tok[i], &b->tok[j]))
				continue;	/* short words must be equal, or one
						 * letter inside a longer one dropped */
			else if ((jw = match_jaro_winkler(a->tok[i].s, a->tok[i].len,
			    b->tok[j].s, b->tok[j].len)) < TOKEN_JW) {
				/* one letter apart in long words ("muller",
				 * "mueller") pairs however Jaro-Winkler weighs it */
				if (!match_one_slip(a->tok[i].s, a->tok[i].len,
				    b->tok[j].s, b->tok[j].len))
					continue;
				jw = TOKEN_JW;
			}
			cand[n].jw = jw;
			cand[n].i = (uint8_t)i;
			cand[n].j = (uint8_t)j;
			n++;
		}
	/* greedy: best similarity first (n is at most 144) */
	for (k = 0; k < n; k++) {
		size_t best = k;

		for (i = k + 1; i < n; i++)
			if (cand[i].jw > cand[best].jw)
				best = i;
		if (best != k) {
			__typeof__(cand[0]) tmp = cand[k];

			cand[k] = cand[best];
			cand[best] = tmp;
		}
		if (ua[cand[k].i] || ub[cand[k].j])
			continue;
		ua[cand[k].i] = ub[cand[k].j] = 1;
		s += span_w(&pa, cand[k].i) * span_w(&pb, cand[k].j) * cand[k].jw;
	}
	s /= pa.norm * pb.norm;
	{
		int ga = 0, gb = 0, na = 0, nb = 0, da = 0, db = 0, ka = 0, kb = 0;

		for (i = pa.lo; i < pa.hi; i++) {
			ka |= !ua[i] && a->tok[i].cls == TOK_CORP;
			ga |= !ua[i] && a->tok[i].cls == TOK_GENERIC;
			na |= !ua[i] && has_digit(a->tok[i].s, a->tok[i].len);
			da |= !ua[i] && a->tok[i].cls == TOK_DISTINCT;
		}
		for (j = pb.lo; j < pb.hi; j++) {
			kb |= !ub[j] && b->tok[j].cls == TOK_CORP;
			gb |= !ub[j] && b->tok[j].cls == TOK_GENERIC;
			nb |= !ub[j] && has_digit(b->tok[j].s, b->tok[j].len);
			db |= !ub[j] && b->tok[j].cls == TOK_DISTINCT;
		}
		/* different industries or descriptions ("X Products", "X
		 * Technology"), different numbers ("Customer 12" and "Customer
		 * 120"), or a distinctive word on each side that the other lacks
		 * ("Kang Hui" and "Kang Ying"): two companies */
		*conflict = ((ga || ka) && (gb || kb)) || (na && nb) || (da && db);
		/*
		 * A family's name alone, and one of its businesses: the one
		 * distinctive word is the first of both and only one side says
		 * what it does ("Sony", "Sony Electronics"), and either the word
		 * is a family's (two different words follow it in the cache) or
		 * the business is named by two words or more, an industry's
		 * among them ("Ricoh", "Ricoh Printing Systems"). One company's
		 * spellings make no family: its names are counted once, and
		 * "Quillon Electronics Corp." follows "quillon" with the same
		 * word as "Quillon Electronics".
		 */
		if (!*conflict && !da && !db && (ga || ka || gb || kb) &&
		    pa.lo == 0 && ua[0] && a->tok[0].cls == TOK_DISTINCT) {
			/* the side that keeps nothing: the family's name alone */
			int bare_a = !(ga || ka);
			struct span bare = bare_a ? pa : pb, full = bare_a ? pb : pa;
			const uint8_t *used = bare_a ? ub : ua;
			size_t nd = 0, ng = 0, nbiz = 0, nind = 0;

			for (i = pa.lo; i < pa.hi; i++)
				nd += a->tok[i].cls == TOK_DISTINCT;
			for (i = bare.lo; i < bare.hi; i++)
				ng += bare.m->tok[i].cls == TOK_GENERIC;
			for (i = full.lo; i < full.hi; i++)
				if (!used[i]) {
					nind += full.m->tok[i].cls == TOK_GENERIC;
					nbiz += full.m->tok[i].cls == TOK_GENERIC ||
					    full.m->tok[i].cls == TOK_CORP;
				}
			*family = nd == 1 && ng == 0 && (a->family >= FAMILY_NEXT ||
			    (nbiz >= 2 && nind >= 1));
		}
	}
	return s > 1.0 ? 1.0 : s;
}

char
match_form_initial(const char *form)
{
	return form && form[0] >= 'a' && form[0] <= 'z' ? form[0] : 0;
}

/* The short name is the long one's initials and its legal form's
 * ("ALI", "Avance Logic Inc."). */
static int
form_spelt(const struct match_name *shortn, const struct match_name *longn)
{
	size_t len = strlen(shortn->compact), n = strlen(longn->initials_nostop);

	return longn->form_initial && n >= 2 && n + 1 == len &&
	    shortn->compact[n] == longn->form_initial &&
	    memcmp(shortn->compact, longn->initials_nostop, n) == 0;
}

static double
acronym_score(const struct match_name *shortn, const struct match_name *longn)
{
	size_t len = strlen(shortn->compact);

	if (len < 2 || longn->ntok < 2 || shortn->ntok > 4)
		return 0;
	if (strcmp(shortn->compact, longn->initials) != 0 &&
	    strcmp(shortn->compact, longn->initials_nostop) != 0)
		return form_spelt(shortn, longn) ? ACRONYM_SCORE : 0;
	if (len >= 3)
		return ACRONYM_SCORE;
	return longn->initials_distinct ? ACRONYM2_SCORE : 0;
}

/*
 * The token measure over the whole names and over their parts: either of
 * a "dba" name's two ("A dba B"), the company's name before a division.
 * *part says which won: 0 the whole names, 1 a second name, 2 a
 * company's name before its division.
 */
static double
tokens_best(const struct match_name *a, const struct match_name *b,
    int *conflict, int *family, int *part, int *whole_conflict)
{
	struct span sa[3], sb[3];
	size_t na = 1, nb = 1, i, j;
	double best = -1;

	sa[0] = span_of(a, 0, a->ntok);
	sb[0] = span_of(b, 0, b->ntok);
	if (a->alias) {
		sa[na++] = span_of(a, 0, a->alias);
		sa[na++] = span_of(a, (size_t)a->alias + 1, a->ntok);
	}
	if (b->alias) {
		sb[nb++] = span_of(b, 0, b->alias);
		sb[nb++] = span_of(b, (size_t)b->alias + 1, b->ntok);
	}
	if (a->division)
		sa[na++] = span_of(a, 0, a->division);
	if (b->division)
		sb[nb++] = span_of(b, 0, b->division);
	*part = 0;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++) {
			int c, f;
			double s = tokens_score(sa[i], sb[j], &c, &f);

			if (i == 0 && j == 0)
				*whole_conflict = c;
			if (s > best) {
				best = s;
				*conflict = c;
				*family = f;
				/* a name with a division has no second name */
				*part = (i > 0 && a->division) || (j > 0 &&
				    b->division) ? 2 : i > 0 || j > 0;
			}
		}
	return best < 0 ? 0 : best;
}

int
match_decides(double score, double threshold, int countries_differ,
    int same_form)
{
	if (countries_differ) {
		if (!same_form)
			return 0;
		if (threshold < MATCH_COUNTRY_FLOOR)
			threshold = MATCH_COUNTRY_FLOOR;
	}
	return score + 1e-9 >= threshold;
}

/* Score of names whose words are the same letters joined or split
 * ("Bio Sound Lab", "Biosoundlab"). */
#define JOINED_SCORE 0.95
#define JOINED_TYPO_SCORE 0.92

static double
joined_score(const struct match_name *a, const struct match_name *b)
{
	size_t la = strlen(a->joined), lb = strlen(b->joined);

	if (a->ntok == b->ntok || la < 6 || lb < 6)
		return 0;
	if (la == lb && memcmp(a->joined, b->joined, la) == 0)
		return JOINED_SCORE;
	if (la >= 10 && match_one_edit(a->joined, la, b->joined, lb))
		return JOINED_TYPO_SCORE;
	return 0;
}

double
match_score(const struct match_name *a, const struct match_name *b,
    enum match_measure *how)
{
	double best = 0, s;
	enum match_measure m = MATCH_NONE;
	size_t da = strlen(a->distinct), db = strlen(b->distinct);
	int conflict = 0, family = 0, part = 0, whole_conflict = 0;

	if (strcmp(a->key, b->key) == 0) {
		*how = MATCH_EXACT;
		return 1.0;
	}
	if ((s = tokens_best(a, b, &conflict, &family, &part,
	    &whole_conflict)) > best) {
		best = s;
		m = part == 2 ? MATCH_DIVISION : part ? MATCH_ALIAS :
		    MATCH_TOKENS;
	}
	/* the distinctive part run together ("micro soft", "microsoft",
	 * "muller", "mueller"); equal, it says nothing the tokens did not;
	 * held like the whole names' tokens ("Quantum 3D", "Quantum HK") */
	if (da >= JW_MIN && db >= JW_MIN && (da != db || memcmp(a->distinct,
	    b->distinct, da) != 0) && (da > db ? da - db : db - da) * 4 <=
	    (da > db ? da : db) && (s = match_jaro_winkler(a->distinct, da,
	    b->distinct, db)) > best) {
		if (whole_conflict && s > CONFLICT_CAP)
			s = CONFLICT_CAP;
		if (s > best) {
			best = s;
			m = MATCH_JW;
		}
	}
	if (conflict && best > CONFLICT_CAP)
		best = CONFLICT_CAP;
	if (family && best > FAMILY_CAP)
		best = FAMILY_CAP;
	if ((s = joined_score(a, b)) > best) {
		best = s;
		m = MATCH_JOINED;
	}
	if ((s = acronym_score(a, b)) > best || (s = acronym_score(b, a)) > best) {
		best = s;
		m = MATCH_ACRONYM;
	}
	*how = m;
	return best;
}

/* ---- explanations ---- */

#define EXPLAIN_WORDS 16

static size_t
words_of(const char *key, const char *w[], size_t wl[])
{
	size_t n = 0;

	while (*key && n < EXPLAIN_WORDS) {
		while (*key == ' ')
			key++;
		if (*key == '\0')
			break;
		w[n] = key;
		while (*key && *key != ' ')
			key++;
		wl[n] = (size_t)(key - w[n]);
		n++;
	}
	return n;
}

/* The words of one key not in the other, each once. */
static size_t
left_over(const char *w[], const size_t wl[], size_t n, const char *o[],
    const size_t ol[], size_t on, size_t out[])
{
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < on; j++)
			if (wl[i] == ol[j] && memcmp(w[i], o[j], wl[i]) == 0)
				break;
		if (j == on)
			out[k++] = i;
	}
	return k;
}

void
match_explain(const struct match_name *a, const struct match_name *b,
    enum match_measure how, char *out, size_t len)
{
	const char *wa[EXPLAIN_WORDS], *wb[EXPLAIN_WORDS];
	size_t la[EXPLAIN_WORDS], lb[EXPLAIN_WORDS], xa[EXPLAIN_WORDS],
	    xb[EXPLAIN_WORDS], na, nb, ka, kb, i, j, o;
	char used[EXPLAIN_WORDS] = { 0 };

	o = (size_t)snprintf(out, len, "'%s' ~ '%s': ", a->key, b->key);
	if (o >= len)
		return;
	switch (how) {
	case MATCH_EXACT:
		snprintf(out + o, len - o, "the same name");
		return;
	case MATCH_ACRONYM:
		/* the legal form's initial among them ("ali", "avance logic"
		 * with Inc.): the keys alone are not one another's initials */
		snprintf(out + o, len - o, "%s", strcmp(a->compact, b->initials) &&
		    strcmp(a->compact, b->initials_nostop) &&
		    strcmp(b->compact, a->initials) &&
		    strcmp(b->compact, a->initials_nostop) ?
		    "initials, the legal form's last" : "initials");
		return;
	case MATCH_ALIAS:
		snprintf(out + o, len - o, "the other name it goes by");
		return;
	case MATCH_DIVISION: {
		/* the words after the legal form, as the key has them */
		const struct match_name *d = a->division ? a : b;
		const char *p = d->key;
		size_t k;

		for (k = 0; k <= d->division && *p; k++) {
			p += strcspn(p, " ");
			p += strspn(p, " ");
		}
		snprintf(out + o, len - o, "the company's name before a division "
		    "of it ('%s')", p);
		return;
	}
	case MATCH_JOINED:
		snprintf(out + o, len - o, "the same letters, words joined or "
		    "split");
		return;
	case MATCH_JW:
		snprintf(out + o, len - o, "spelt alike");
		return;
	case MATCH_CONFIRMED:
		snprintf(out + o, len - o, "confirmed one customer by an operator");
		return;
	default:
		break;
	}
	na = words_of(a->key, wa, la);
	nb = words_of(b->key, wb, lb);
	ka = left_over(wa, la, na, wb, lb, nb, xa);
	kb = left_over(wb, lb, nb, wa, la, na, xb);
	/* a word one letter from a word of the other name */
	for (i = 0; i < ka && o < len; i++) {
		for (j = 0; j < kb; j++)
			if (!used[j] && match_one_edit(wa[xa[i]], la[xa[i]],
			    wb[xb[j]], lb[xb[j]]))
				break;
		if (j < kb) {
			used[j] = 1;
			o += (size_t)snprintf(out + o, len - o, "%sone letter ('%.*s', "
			    "'%.*s')", out[o - 2] == ':' ? "" : "; ", (int)la[xa[i]],
			    wa[xa[i]], (int)lb[xb[j]], wb[xb[j]]);
			xa[i] = (size_t)-1;
		}
	}
	/* then a word spelt alike (Jaro-Winkler 0.92, as the tokens pair) */
	for (i = 0; i < ka && o < len; i++) {
		if (xa[i] == (size_t)-1)
			continue;
		for (j = 0; j < kb; j++)
			if (!used[j] && la[xa[i]] >= FUZZY_MIN && lb[xb[j]] >=
			    FUZZY_MIN && match_jaro_winkler(wa[xa[i]], la[xa[i]],
			    wb[xb[j]], lb[xb[j]]) >= TOKEN_JW)
				break;
		if (j < kb) {
			used[j] = 1;
			o += (size_t)snprintf(out + o, len - o, "%sspelt alike ('%.*s', "
			    "'%.*s')", out[o - 2] == ':' ? "" : "; ", (int)la[xa[i]],
			    wa[xa[i]], (int)lb[xb[j]], wb[xb[j]]);
			xa[i] = (size_t)-1;
		}
	}
	for (i = 0; i < ka && o < len; i++)
		if (xa[i] != (size_t)-1)
			o += (size_t)snprintf(out + o, len - o, "%s'%.*s' only in the "
			    "first", out[o - 2] == ':' ? "" : "; ", (int)la[xa[i]],
			    wa[xa[i]]);
	for (j = 0; j < kb && o < len; j++)
		if (!used[j])
			o += (size_t)snprintf(out + o, len - o, "%s'%.*s' only in the "
			    "second", out[o - 2] == ':' ? "" : "; ", (int)lb[xb[j]],
			    wb[xb[j]]);
	if (o < len && out[o - 2] == ':')
		o += (size_t)snprintf(out + o, len - o, "the same words in another "
		    "order");
	/* held under the threshold as one of a family's businesses */
	if (o < len) {
		int conflict, family, part, whole;

		tokens_best(a, b, &conflict, &family, &part, &whole);
		if (family && !conflict && a->family >= FAMILY_NEXT)
			snprintf(out + o, len - o, "; held apart: '%.*s' alone against "
			    "one of its businesses (%u different words follow it in "
			    "the cache's names)", (int)a->tok[0].len, a->tok[0].s,
			    a->family);
		else if (family && !conflict)
			snprintf(out + o, len - o, "; held apart: '%.*s' alone against "
			    "one of its businesses (named in words of its own)",
			    (int)a->tok[0].len, a->tok[0].s);
	}
}
