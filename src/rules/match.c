/*
 * match.c - end-customer name similarity (see match.h).
 */
#include "rules/match.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "model/normalize_country.h"
#include "model/normalize_name.h"
#include "lib/strmap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Weight factors: generic (industry) words, places, stop words. */
#define GENERIC_FACTOR 0.3
#define GEO_FACTOR 0.1
#define STOP_FACTOR 0.05
/*
 * Both names carry an industry word the other lacks ("X Insurance" and
 * "X Textiles"): sister companies, not spellings of one. The token and
 * Jaro-Winkler measures are then held under the default threshold.
 */
#define CONFLICT_CAP 0.85
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

/*
 * Words that say what a company does or where, not which company it is.
 * Countries in any language are recognised through iso-codes besides.
 */
static const char *const generic_words[] = {
	/* industry and trade */
	"accounting", "advisors", "advisory", "aerospace", "agency", "agri",
	"analytics", "apparel", "architects", "associates", "assurance",
	"auto", "automation", "automotive", "aviation", "bank", "banking",
	"bau", "bio", "biotech", "brands", "business", "capital", "care",
	"chemical", "chemicals", "clinic", "cloud", "communications",
	"computer", "computers", "computing", "construction", "consult",
	"consultancy", "consultants", "consulting", "corporate", "creative",
	"cyber", "data", "design", "development", "devices", "digital",
	"distribution", "dynamics", "ecommerce", "education", "electric",
	"electrical", "electronics", "elektro", "elektronik", "energie",
	"energy", "eng", "engg", "engineering", "enterprise", "enterprises",
	"entertainment", "environmental", "equipment", "estate", "finance",
	"financial", "fintech", "food", "foods", "freight", "fund", "furniture",
	"games", "gas", "health", "healthcare", "hospitality", "hotel", "hotels",
	"imaging", "industrial", "industries", "inds", "industry", "info",
	"informatics", "informatik", "information", "infotech", "infra",
	"infrastructure", "innovation", "innovations", "instruments",
	"insurance", "integration", "intelligence", "interactive", "invest",
	"investment", "investments", "it", "lab", "laboratories", "labs",
	"leasing", "legal", "life", "logistics", "logistik", "machines",
	"machinery", "management", "manufacturing", "maritime", "marketing",
	"materials", "mechanical", "media", "medical", "metal", "metals",
	"mfg", "microsystems", "mining", "mobile", "mobility", "motor",
	"motors", "net", "network", "networks", "oil", "online", "operations",
	"optics", "outsourcing", "packaging", "partner", "partners", "payments",
	"pharma", "pharmaceutical", "pharmaceuticals", "plastics", "power",
	"print", "printing", "products", "projects", "properties", "property",
	"research", "resources", "retail", "robotics", "sales", "science",
	"sciences", "security", "semiconductor", "semiconductors", "service",
	"services", "shipping", "soft", "software", "solar", "solutions",
	"sourcing", "sports", "steel", "storage", "strategies", "studio",
	"studios", "supply", "support", "svc", "svcs", "sys", "syst", "systeme",
	"systems", "tech", "techs", "technik", "techniques", "technologies",
	"technology", "tecnologia", "telecom", "telecommunications",
	"textiles", "therapeutics", "tools", "trading", "training", "transport",
	"travel", "trust", "ventures", "vision", "water", "web", "wireless",
	"works", "world",
	/* corporate */
	"co", "com", "corporation", "division", "global", "group", "grp",
	"grupo", "gruppe", "groupe", "hldgs", "holding", "holdings", "intl",
	"international", "internationale", "national", "company", "companies",
	"subsidiary", "branch", "office", "hq", "first", "new", "general",
	"united", "universal", "standard", "premier", "advanced", "applied",
	"integrated", "smart", "next", "one", "pro", "plus", "prime", "royal",
	"ind", "eng", "mgmt", "natl", "assoc", "assocs", "bros", "brothers",
	"mfg", "svc", "dev", "airlines", "bank", "brewery", "cement", "dairy",
	"paper", "publishing", "textile", "hotel", "groep", "koninklijke",
	NULL,
};

/* Where a company is, not which: regions, compass, large cities. */
static const char *const geo_words[] = {
	"africa", "america", "americas", "apac", "asia", "atlantic", "baltic",
	"benelux", "central", "coastal", "continental", "dach", "east",
	"eastern", "emea", "eu", "euro", "europa", "europe", "european",
	"iberia", "kingdom", "latam", "mena", "midland", "midlands", "nordic",
	"nordics", "north", "northern", "pacific", "scandinavia", "south",
	"southern", "states", "west", "western", "alpine", "deutsche",
	"deutscher", "deutsches", "francaise", "francais", "espanola",
	"italiana", "polska", "nederland", "svenska", "norske", "dansk",
	"suisse", "swiss", "british", "american", "canadian", "japan",
	"nippon",
	/* cities */
	"amsterdam", "athens", "atlanta", "austin", "bangalore", "barcelona",
	"beijing", "berlin", "berliner", "bern", "boston", "brussels",
	"budapest", "chicago", "copenhagen", "dallas", "delhi", "denver",
	"dubai", "dublin", "dusseldorf", "edinburgh", "frankfurt", "geneva",
	"hamburg", "helsinki", "hong", "houston", "istanbul", "kong",
	"lisbon", "london", "los", "angeles", "lyon", "madrid", "manchester",
	"melbourne", "miami", "milan", "milano", "montreal", "moscow",
	"mumbai", "munchen", "munich", "new", "york", "omaha", "osaka", "oslo",
	"paris", "prague", "praha", "rome", "roma", "san", "francisco",
	"sao", "paulo", "seattle", "seoul", "shanghai", "singapore",
	"stockholm", "stuttgart", "sydney", "tokyo", "toronto", "vancouver",
	"vienna", "warsaw", "warszawa", "wien", "zurich", "koln", "cologne",
	"rotterdam", "antwerp", "gothenburg", "goteborg", "porto", "valencia",
	"sevilla", "marseille", "toulouse", "nice", "turin", "torino",
	"napoli", "krakow", "wroclaw", "gdansk", "brno", "bratislava",
	"bucharest", "sofia", "zagreb", "ljubljana", "riga", "tallinn",
	"vilnius", "reykjavik", "bergen", "aarhus", "malmo", "tampere",
	"espoo", "leeds", "glasgow", "bristol", "birmingham", "liverpool",
	"cardiff", "belfast", "cork", "phoenix", "portland", "detroit",
	"philadelphia", "washington", "baltimore", "calgary", "ottawa",
	NULL,
};

/* Words that join others and name nothing. */
static const char *const stop_words[] = {
	"and", "of", "the", "de", "der", "die", "das", "des", "du", "la", "le",
	"les", "el", "los", "las", "del", "da", "do", "dos", "di", "della",
	"von", "van", "den", "het", "y", "e", "et", "und", "for", "fur", "a",
	"an", "at", "in", "on", "&", NULL,
};

/*
 * Abbreviations written for a generic word, read as it: "Intl" pairs
 * with "International".
 */
static const struct {
	const char *abbr, *word;
} abbreviations[] = {
	{ "intl", "international" }, { "int", "international" },
	{ "tech", "technology" }, { "techs", "technologies" },
	{ "sys", "systems" }, { "syst", "systems" }, { "mfg", "manufacturing" },
	{ "eng", "engineering" }, { "engg", "engineering" },
	{ "svc", "services" }, { "svcs", "services" }, { "ind", "industries" },
	{ "inds", "industries" }, { "labs", "laboratories" },
	{ "lab", "laboratories" }, { "assoc", "associates" },
	{ "assocs", "associates" }, { "bros", "brothers" },
	{ "hldgs", "holdings" }, { "grp", "group" }, { "groep", "group" },
	{ "gruppe", "group" }, { "groupe", "group" }, { "grupo", "group" },
	{ "mgmt", "management" }, { "natl", "national" },
	{ "dev", "development" },
};

static struct strmap generic_set, geo_set, stop_set;

static void
sets_init(void)
{
	size_t i;

	if (generic_set.n)
		return;
	for (i = 0; generic_words[i]; i++)
		strmap_put(&generic_set, generic_words[i], strlen(generic_words[i]), NULL);
	for (i = 0; geo_words[i]; i++)
		strmap_put(&geo_set, geo_words[i], strlen(geo_words[i]), NULL);
	for (i = 0; stop_words[i]; i++)
		strmap_put(&stop_set, stop_words[i], strlen(stop_words[i]), NULL);
}

static int
in_set(const struct strmap *t, const char *tok, size_t len)
{
	return strmap_get(t, tok, len) != NULL;
}

#define token_class match_token_class
#define TOK_DISTINCT MATCH_TOK_DISTINCT
#define TOK_GENERIC MATCH_TOK_GENERIC
#define TOK_GEO MATCH_TOK_GEO
#define TOK_STOP MATCH_TOK_STOP

static enum token_class
classify(const char *tok, size_t len)
{
	char buf[64], cc[3];

	sets_init();
	if (in_set(&stop_set, tok, len) || norm_legal_form_word(tok, len))
		return TOK_STOP;
	if (in_set(&generic_set, tok, len))
		return TOK_GENERIC;
	if (in_set(&geo_set, tok, len))
		return TOK_GEO;
	/* a country's name in any language iso-codes knows */
	if (len >= 4 && len < sizeof(buf)) {
		memcpy(buf, tok, len);
		buf[len] = '\0';
		if (norm_country(buf, cc) == 0)
			return TOK_GEO;
	}
	return TOK_DISTINCT;
}

int
match_is_generic(const char *tok, size_t len)
{
	return classify(tok, len) != TOK_DISTINCT;
}

/* ---- IDF ---- */

struct match_idf {
	struct strmap t;
	size_t docs;
};

struct match_idf *
match_idf_new(void)
{
	return xcalloc(1, sizeof(struct match_idf));
}

void
match_idf_free(struct match_idf *idf)
{
	if (idf == NULL)
		return;
	strmap_free(&idf->t);
	free(idf);
}

/* Calls fn for each distinct token of key. */
static void
each_token(const char *key, void (*fn)(void *, const char *, size_t), void *arg)
{
	const char *seen[MATCH_MAX_TOKENS * 2];
	size_t seenlen[MATCH_MAX_TOKENS * 2], nseen = 0, i;
	const char *p = key;

	while (*p) {
		const char *s;
		size_t len;
		int dup = 0;

		while (*p == ' ')
			p++;
		s = p;
		while (*p && *p != ' ')
			p++;
		len = (size_t)(p - s);
		if (len == 0)
			continue;
		for (i = 0; i < nseen; i++)
			if (seenlen[i] == len && memcmp(seen[i], s, len) == 0)
				dup = 1;
		if (dup)
			continue;
		if (nseen < MATCH_MAX_TOKENS * 2) {
			seen[nseen] = s;
			seenlen[nseen++] = len;
		}
		fn(arg, s, len);
	}
}

static void
add_one(void *arg, const char *s, size_t len)
{
	(*strmap_put(&((struct match_idf *)arg)->t, s, len, NULL))++;
}

static void
remove_one(void *arg, const char *s, size_t len)
{
	uint32_t *v = strmap_get(&((struct match_idf *)arg)->t, s, len);

	if (v && *v)
		(*v)--;
}

void
match_idf_add(struct match_idf *idf, const char *key)
{
	idf->docs++;
	each_token(key, add_one, idf);
}

void
match_idf_remove(struct match_idf *idf, const char *key)
{
	if (idf->docs)
		idf->docs--;
	each_token(key, remove_one, idf);
}

size_t
match_idf_docs(const struct match_idf *idf)
{
	return idf->docs;
}

uint32_t
match_idf_df(const struct match_idf *idf, const char *tok, size_t len)
{
	uint32_t *v = strmap_get(&idf->t, tok, len);

	return v ? *v : 0;
}

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

/*
 * What a raw token reads as, remembered: its class in the low byte, and
 * 1 + its abbreviation's index above (0: none). Names repeat their words,
 * so each word is classified once.
 */
static struct strmap token_info;

size_t
match_token_cache_size(void)
{
	return token_info.n;
}

static uint32_t
token_lookup(const char *s, size_t len)
{
	uint32_t *v = strmap_get(&token_info, s, len), info;
	size_t i, clen = len;
	const char *cs = s;

	if (v)
		return *v;
	/* a daemon reads new names for months: the memory starts over
	 * rather than grow with every word it ever saw */
	if (token_info.n >= MATCH_TOKEN_CACHE_MAX)
		strmap_free(&token_info);
	info = 0;
	for (i = 0; i < sizeof(abbreviations) / sizeof(abbreviations[0]); i++)
		if (strlen(abbreviations[i].abbr) == len &&
		    memcmp(abbreviations[i].abbr, s, len) == 0) {
			info = (uint32_t)(i + 1) << 8;
			cs = abbreviations[i].word;
			clen = strlen(cs);
			break;
		}
	info |= (uint32_t)classify(cs, clen);
	*strmap_put(&token_info, s, len, NULL) = info;
	return info;
}

static const char *
canonical(const char *s, size_t *len, enum token_class *cls)
{
	uint32_t info = token_lookup(s, *len);

	*cls = (enum token_class)(info & 0xff);
	if (info >> 8) {
		const char *w = abbreviations[(info >> 8) - 1].word;

		*len = strlen(w);
		return w;
	}
	return s;
}

void
match_prepare(const struct match_idf *idf, const char *key, struct match_name *m)
{
	const char *p = key;
	double norm = 0;
	size_t i, dn = 0, in = 0, isn = 0, cn = 0;
	int all_short = 1, ndistinct_initials = 1;

	memset(m, 0, sizeof(*m));
	m->key = key;
	while (*p && m->ntok < MATCH_MAX_TOKENS) {
		const char *s, *raw;
		size_t len, rawlen;
		double w;
		enum token_class cls;

		while (*p == ' ')
			p++;
		raw = s = p;
		while (*p && *p != ' ')
			p++;
		rawlen = len = (size_t)(p - s);
		if (len == 0)
			continue;
		s = canonical(s, &len, &cls);
		if (idf && idf->docs) {
			uint32_t df = match_idf_df(idf, raw, rawlen);

			w = log(1.0 + (double)(idf->docs + 1) / (double)(df + 1));
		} else
			w = 1.0;
		w *= cls == TOK_STOP ? STOP_FACTOR : cls == TOK_GEO ? GEO_FACTOR :
		    cls == TOK_GENERIC ? GENERIC_FACTOR : 1.0;
		i = m->ntok++;
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
		if (cls != TOK_STOP || !in_set(&stop_set, raw, rawlen)) {
			m->initials_nostop[isn++] = raw[0];
			if (cls != TOK_DISTINCT)
				ndistinct_initials = 0;
		}
		if (rawlen > 2 && !(rawlen == 3 && memcmp(raw, "and", 3) == 0))
			all_short = 0;
		if (!in_set(&stop_set, raw, rawlen) && cn + rawlen < sizeof(m->compact)) {
			memcpy(m->compact + cn, raw, rawlen);
			cn += rawlen;
		}
	}
	/*
	 * A name made only of generic words and places ("Nordic Data
	 * Solutions"): those words are all that tells it from another, so
	 * they weigh in full.
	 */
	if (dn == 0) {
		norm = 0;
		for (i = 0; i < m->ntok; i++) {
			if (m->tok[i].cls != TOK_STOP) {
				m->tok[i].w /= (float)(m->tok[i].cls == TOK_GEO ? GEO_FACTOR :
				    GENERIC_FACTOR);
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
		m->tok[i].w = (float)(m->tok[i].w / norm);
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
 * Soft TF-IDF with one-to-one pairing, best pairs first. *conflict: both
 * names keep an industry word unpaired.
 */
static double
tokens_score(const struct match_name *a, const struct match_name *b,
    int *conflict)
{
	struct {
		double jw;
		uint8_t i, j;
	} cand[MATCH_MAX_TOKENS * MATCH_MAX_TOKENS];
	size_t n = 0, i, j, k;
	uint8_t ua[MATCH_MAX_TOKENS] = { 0 }, ub[MATCH_MAX_TOKENS] = { 0 };
	double s = 0;

	for (i = 0; i < a->ntok; i++)
		for (j = 0; j < b->ntok; j++) {
			double jw;

			if (a->tok[i].len == b->tok[j].len &&
			    memcmp(a->tok[i].s, b->tok[j].s, a->tok[i].len) == 0)
				jw = 1.0;
			else if (a->tok[i].len < FUZZY_MIN || b->tok[j].len < FUZZY_MIN)
				continue;	/* short words must be equal */
			else if ((jw = match_jaro_winkler(a->tok[i].s, a->tok[i].len,
			    b->tok[j].s, b->tok[j].len)) < TOKEN_JW)
				continue;
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
		s += a->tok[cand[k].i].w * b->tok[cand[k].j].w * cand[k].jw;
	}
	{
		int ga = 0, gb = 0, na = 0, nb = 0;

		for (i = 0; i < a->ntok; i++) {
			ga |= !ua[i] && a->tok[i].cls == TOK_GENERIC;
			na |= !ua[i] && has_digit(a->tok[i].s, a->tok[i].len);
		}
		for (j = 0; j < b->ntok; j++) {
			gb |= !ub[j] && b->tok[j].cls == TOK_GENERIC;
			nb |= !ub[j] && has_digit(b->tok[j].s, b->tok[j].len);
		}
		/* different industries, or different numbers: "Customer 12" and
		 * "Customer 120" are two */
		*conflict = (ga && gb) || (na && nb);
	}
	return s > 1.0 ? 1.0 : s;
}

static double
acronym_score(const struct match_name *shortn, const struct match_name *longn)
{
	size_t len = strlen(shortn->compact);

	if (len < 2 || longn->ntok < 2 || shortn->ntok > 4)
		return 0;
	if (strcmp(shortn->compact, longn->initials) != 0 &&
	    strcmp(shortn->compact, longn->initials_nostop) != 0)
		return 0;
	if (len >= 3)
		return ACRONYM_SCORE;
	return longn->initials_distinct ? ACRONYM2_SCORE : 0;
}

double
match_score(const struct match_name *a, const struct match_name *b,
    enum match_measure *how)
{
	double best = 0, s;
	enum match_measure m = MATCH_NONE;
	size_t da = strlen(a->distinct), db = strlen(b->distinct);
	int conflict = 0;

	if (strcmp(a->key, b->key) == 0) {
		*how = MATCH_EXACT;
		return 1.0;
	}
	if ((s = tokens_score(a, b, &conflict)) > best) {
		best = s;
		m = MATCH_TOKENS;
	}
	if (da >= JW_MIN && db >= JW_MIN && (da > db ? da - db : db - da) * 4 <= (da > db ?
	    da : db) && (s = match_jaro_winkler(a->distinct, da, b->distinct,
	    db)) > best) {
		best = s;
		m = MATCH_JW;
	}
	if (conflict && best > CONFLICT_CAP)
		best = CONFLICT_CAP;
	if ((s = acronym_score(a, b)) > best || (s = acronym_score(b, a)) > best) {
		best = s;
		m = MATCH_ACRONYM;
	}
	*how = m;
	return best;
}
