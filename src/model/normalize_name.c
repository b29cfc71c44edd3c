/*
 * normalize_name.c - company names to comparison keys.
 *
 * fold: Unicode NFKC, case folding and marks stripped (utf8proc, the
 * well-kept library Debian ships), plus the letters that have no
 * decomposition (ø, æ, œ, ł, đ, þ, ı) spelled out. key: the folded name
 * as tokens of letters and digits; "&", "and", "und" and "et" unified;
 * runs of single letters joined ("S.p.A." -> "spa", "I.B.M." -> "ibm");
 * a leading "The" and the legal forms of some forty countries at the end
 * stripped. The display name is never changed; keys are for matching.
 */
#include "lib/mem.h"
#include "lib/memo.h"
#include "model/normalize.h"
#include "model/normalize_name.h"
#include "lib/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* Legal forms after folding and joining, longest first within a length. */
static const char *const legal_forms[] = {
	/* several tokens */
	"spolka z ograniczona odpowiedzialnoscia",
	"gesellschaft mit beschrankter haftung",
	"limited liability company", "public limited company",
	"societa a responsabilita limitata", "societa per azioni",
	"societe anonyme", "sociedad anonima", "sociedad limitada",
	"societe a responsabilite limitee", "sociedade anonima",
	"gmbh and co kg", "gmbh and cokg", "ag and co kg", "se and co kg",
	"ges mbh", "gesmbh",
	"sa de cv", "sab de cv", "s de rl de cv", "s de rl", "sapi de cv",
	"ug haftungsbeschrankt",
	"kabushiki kaisha", "kabushiki gaisha", "godo kaisha", "yugen kaisha",
	"private limited", "proprietary limited", "pty ltd", "pty limited",
	"pvt ltd", "pte ltd", "pvt limited", "pte limited", "sdn bhd",
	"co ltd", "co limited", "company limited", "and co kg", "and co",
	"sp zoo", "spolka zoo", "sp z oo", "gmbh and co",
	"spol sro", "limited partnership",
	/* one token */
	"incorporated", "corporation", "company", "limited", "aktiengesellschaft",
	"aktiebolag", "aktieselskab", "aksjeselskap", "osakeyhtio",
	"inc", "corp", "co", "llc", "llp", "lp", "ltd", "plc", "pllc", "pc",
	"gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "gbr", "ug", "ev", "ek", "se",
	"sa", "sas", "sasu", "sarl", "eurl", "snc", "sca", "scs", "sci", "spa",
	"srl", "sapa", "bv", "nv", "vof", "cv", "bvba", "sprl", "scrl", "oy",
	"oyj", "ab", "publ", "as", "asa", "aps", "hf", "ehf", "sro", "doo",
	"dd", "ad", "ood", "eood", "jsc", "ojsc", "cjsc", "pjsc", "kft", "zrt",
	"nyrt", "bt", "kk", "gk", "yk", "pty", "pvt", "pte", "bhd", "tbk",
	"ltda", "sl", "slu", "sll", "lda", "sgps", "sab", "ou",
	NULL,
};

/* Forms that stand before the name. */
static const char *const prefix_forms[] = { "kabushiki kaisha",
	"kabushiki gaisha", "the", "ooo", "zao", "oao", "pao", "pt", NULL };

/* CJK legal forms, written without spaces around them. */
static const char *const cjk_forms[] = { "株式会社", "有限会社", "合同会社",
	"股份有限公司", "有限公司", "유한회사", "주식회사", NULL };

/* Letters without a decomposition, all two bytes in UTF-8. */
static const struct {
	char from[3];
	const char *to;
} extra_letters[] = {
	{ "ø", "o" }, { "æ", "ae" }, { "œ", "oe" }, { "ł", "l" },
	{ "đ", "d" }, { "þ", "th" }, { "ı", "i" }, { "ð", "d" },
};

char *
norm_fold(const char *s)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t n;
	struct buf b;
	const char *p;
	size_t len;

	/*
	 * ASCII folds to its lower case and nothing else (NFKC, marks and
	 * ignorables are all outside it; every one of the 127 checked against
	 * utf8proc), and most names are ASCII: no need to decode them.
	 */
	for (len = 0; s[len] && (unsigned char)s[len] < 0x80; len++)
		;
	if (s[len] == '\0') {
		char *f = xmalloc(len + 1);

		for (len = 0; s[len]; len++)
			f[len] = s[len] >= 'A' && s[len] <= 'Z' ? (char)(s[len] + 32) :
			    s[len];
		f[len] = '\0';
		return f;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out, UTF8PROC_NULLTERM |
	    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
	    UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
	if (n < 0)
		return NULL;
	buf_init(&b, (size_t)n + 8);
	for (p = (const char *)out; *p;) {
		size_t i, run;

		/* copy everything up to the next lead byte of the table */
		for (run = 0; p[run] && (unsigned char)p[run] != 0xc3 &&
		    (unsigned char)p[run] != 0xc4 && (unsigned char)p[run] != 0xc5;
		    run++)
			;
		buf_add(&b, p, run);
		p += run;
		if (*p == '\0')
			break;
		for (i = 0; i < sizeof(extra_letters) / sizeof(extra_letters[0]); i++)
			if (p[0] == extra_letters[i].from[0] &&
			    p[1] == extra_letters[i].from[1])
				break;
		if (i < sizeof(extra_letters) / sizeof(extra_letters[0])) {
			buf_addstr(&b, extra_letters[i].to);
			p += 2;
		} else
			buf_addch(&b, *p++);
	}
	free(out);
	return buf_steal(&b);
}

struct tokens {
	char **v;
	size_t n, cap;
};

static void
tokens_add(struct tokens *t, const char *s, size_t len)
{
	xgrow(&t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = xstrndup(s, len);
}

static void
tokens_free(struct tokens *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
}

static int
is_word(utf8proc_int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
		return 1;
	default:
		return 0;
	}
}

/* Splits folded text into word tokens; '&' becomes its own "and" token. */
static void
tokenize(const char *s, struct tokens *t)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	const utf8proc_uint8_t *start = NULL;

	utf8proc_int32_t prev = ' ';

	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);

		if (k <= 0) {
			k = 1;
			c = ' ';
		}
		if (is_word(c)) {
			if (start == NULL)
				start = p;
		} else {
			if (start)
				tokens_add(t, (const char *)start, (size_t)(p - start));
			start = NULL;
			if (c == '&' || c == 0xff06 /* fullwidth & */)
				tokens_add(t, "and", 3);
			/* a second name: "A (B)", "A [B]", "A / B" read as "A dba
			 * B", so that the matcher may compare either */
			else if (t->n && ((c == '(' || c == '[') || (c == '/' &&
			    prev == ' ' && p[1] == ' ')) && strcmp(t->v[t->n - 1],
			    "dba") != 0)
				tokens_add(t, "dba", 3);
		}
		prev = c;
		p += k;
	}
	if (start)
		tokens_add(t, (const char *)start, strlen((const char *)start));
	/* a second name that never came */
	while (t->n && strcmp(t->v[t->n - 1], "dba") == 0)
		free(t->v[--t->n]);
}

static int
single_letter(const char *s)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c);

	return k > 0 && s[k] == '\0';
}

/* "s p a" -> "spa": joins runs of two or more one-letter tokens. */
static void
join_initials(struct tokens *t)
{
	size_t i = 0, o = 0;

	while (i < t->n) {
		size_t j = i;

		while (j < t->n && single_letter(t->v[j]))
			j++;
		if (j - i >= 2) {
			struct buf b;
			size_t k;

			buf_init(&b, 0);
			for (k = i; k < j; k++) {
				buf_addstr(&b, t->v[k]);
				free(t->v[k]);
			}
			t->v[o++] = buf_steal(&b);
			i = j;
		} else
			t->v[o++] = t->v[i++];
	}
	t->n = o;
}

/* A form split into words once: "gmbh and co kg" -> 4 words. */
struct form {
	char *storage;
	const char *w[8];
	size_t k;
	size_t lastlen;		/* of w[k - 1]: most forms fail on it at once */
};

static struct form *suffixes, *prefixes;
static size_t nsuffixes, nprefixes;
static struct memo key_memo;

static struct form *
compile(const char *const *list, size_t *n)
{
	struct form *v;
	size_t i, c = 0;

	while (list[c])
		c++;
	v = xcalloc(c, sizeof(*v));
	for (i = 0; i < c; i++) {
		char *save = NULL, *w;

		v[i].storage = xstrdup(list[i]);
		for (w = strtok_r(v[i].storage, " ", &save); w && v[i].k < 8;
		    w = strtok_r(NULL, " ", &save))
			v[i].w[v[i].k++] = w;
		if (v[i].k)
			v[i].lastlen = strlen(v[i].w[v[i].k - 1]);
	}
	*n = c;
	return v;
}

/*
 * Number of tokens of form if the first n tokens of t end with it; lastlen
 * is the length of token n - 1.
 */
static size_t
ends_with(const struct tokens *t, size_t n, size_t lastlen, const struct form *f)
{
	size_t i;

	if (f->k == 0 || f->k >= n)	/* never strip the whole name */
		return 0;
	if (f->lastlen != lastlen || f->w[f->k - 1][0] != t->v[n - 1][0])
		return 0;
	for (i = 0; i < f->k; i++)
		if (strcmp(t->v[n - f->k + i], f->w[i]) != 0)
			return 0;
	return f->k;
}

/* Number of tokens of form if the tokens from first on start with it. */
static size_t
starts_with(const struct tokens *t, size_t first, size_t n, const struct form *f)
{
	size_t k;

	for (k = 0; k < f->k; k++)
		if (first + k >= n || strcmp(t->v[first + k], f->w[k]) != 0)
			return 0;
	return first + f->k < n ? f->k : 0;	/* never strip the whole name */
}

static void
strip_cjk(struct tokens *t)
{
	size_t i, k;

	for (i = 0; i < t->n; i++)
		for (k = 0; cjk_forms[k]; k++) {
			size_t fl = strlen(cjk_forms[k]), tl = strlen(t->v[i]);

			if (tl > fl && strcmp(t->v[i] + tl - fl, cjk_forms[k]) == 0)
				t->v[i][tl - fl] = '\0';
			else if (tl > fl && strncmp(t->v[i], cjk_forms[k], fl) == 0)
				memmove(t->v[i], t->v[i] + fl, tl - fl + 1);
		}
}

static int name_key(const char *name, char **ret, char **form);

static struct strmap form_words;

int
norm_legal_form_word(const char *tok, size_t len)
{
	size_t i, k;

	if (suffixes == NULL) {
		suffixes = compile(legal_forms, &nsuffixes);
		prefixes = compile(prefix_forms, &nprefixes);
	}
	if (form_words.n == 0)
		for (i = 0; i < nsuffixes; i++)
			for (k = 0; k < suffixes[i].k; k++)
				strmap_put(&form_words, suffixes[i].w[k],
				    strlen(suffixes[i].w[k]), NULL);
	return strmap_get(&form_words, tok, len) != NULL;
}

const char *
norm_name_key_ref(const char *name)
{
	const char *r;
	char *k = NULL;

	if (memo_find(&key_memo, name, &r))
		return r;
	if (name_key(name, &k, NULL) < 0)
		return memo_put(&key_memo, name, NULL);
	r = memo_put(&key_memo, name, k);
	free(k);
	return r;
}

static struct memo form_memo;

const char *
norm_name_form_ref(const char *name)
{
	const char *r;
	char *k = NULL, *f = NULL;

	if (memo_find(&form_memo, name, &r))
		return r ? r : "";
	if (name_key(name, &k, &f) < 0) {
		memo_put(&form_memo, name, NULL);
		return "";
	}
	r = memo_put(&form_memo, name, f ? f : "");
	free(k);
	free(f);
	return r;
}

int
norm_name_key(const char *name, char **ret)
{
	const char *r = norm_name_key_ref(name);

	if (r == NULL)
		return -1;
	*ret = xstrdup(r);
	return 0;
}

void
norm_name_free(void)
{
	size_t i;

	for (i = 0; i < nsuffixes; i++)
		free(suffixes[i].storage);
	for (i = 0; i < nprefixes; i++)
		free(prefixes[i].storage);
	free(suffixes);
	free(prefixes);
	suffixes = prefixes = NULL;
	nsuffixes = nprefixes = 0;
	strmap_free(&form_words);
	memo_clear(&key_memo);
	memo_clear(&form_memo);
}

static int
name_key(const char *name, char **ret, char **form)
{
	struct tokens t = { NULL, 0, 0 };
	struct buf b;
	char *folded = norm_fold(name);
	size_t i, n, first = 0;
	int stripped;

	if (folded == NULL)
		return -1;
	if (suffixes == NULL) {
		suffixes = compile(legal_forms, &nsuffixes);
		prefixes = compile(prefix_forms, &nprefixes);
	}
	tokenize(folded, &t);
	free(folded);
	/* "AB (publ)", "UG (haftungsbeschränkt)": a legal form in brackets
	 * is no second name */
	for (i = 0; i < t.n; i++) {
		size_t j;

		if (strcmp(t.v[i], "dba") != 0)
			continue;
		for (j = i + 1; j < t.n && strcmp(t.v[j], "dba") != 0 &&
		    norm_legal_form_word(t.v[j], strlen(t.v[j])); j++)
			;
		if (j > i + 1 && (j == t.n || strcmp(t.v[j], "dba") == 0)) {
			free(t.v[i]);
			memmove(&t.v[i], &t.v[i + 1], (t.n - i - 1) * sizeof(char *));
			t.n--;
			i--;
		}
	}
	for (i = 0; i < t.n; i++)
		if (strcmp(t.v[i], "und") == 0 || strcmp(t.v[i], "et") == 0) {
			free(t.v[i]);
			t.v[i] = xstrdup("and");
		}
	join_initials(&t);
	strip_cjk(&t);
	n = t.n;
	/* legal forms at the end, repeatedly ("Holding AG & Co. KG") */
	do {
		size_t lastlen = n ? strlen(t.v[n - 1]) : 0;

		stripped = 0;
		for (i = 0; i < nsuffixes; i++) {
			size_t k = ends_with(&t, n, lastlen, &suffixes[i]);

			if (k && n - k > first) {
				n -= k;
				stripped = 1;
				break;
			}
		}
		/* a trailing "and" left by "X & Co" style forms */
		if (n - first > 1 && strcmp(t.v[n - 1], "and") == 0) {
			n--;
			stripped = 1;
		}
	} while (stripped);
	if (form) {		/* the legal form stripped, as written */
		struct buf fb;

		buf_init(&fb, 0);
		for (i = n; i < t.n; i++)
			buf_addf(&fb, "%s%s", fb.len ? " " : "", t.v[i]);
		*form = buf_steal(&fb);
		buf_free(&fb);
	}
	for (i = 0; i < nprefixes; i++) {
		size_t k = starts_with(&t, first, n, &prefixes[i]);

		if (k) {
			first += k;
			i = (size_t)-1;		/* "The OOO ..." : look again */
		}
	}
	buf_init(&b, 0);
	for (i = first; i < n; i++) {
		if (t.v[i][0] == '\0')
			continue;
		if (b.len)
			buf_addch(&b, ' ');
		buf_addstr(&b, t.v[i]);
	}
	tokens_free(&t);
	if (b.len == 0) {
		buf_free(&b);
		return -1;
	}
	*ret = buf_steal(&b);
	return 0;
}
