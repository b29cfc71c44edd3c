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
/* A family name alone against one of the family's businesses. */
#define FAMILY_CAP 0.88
#define FAMILY_DF 4
#define FAMILY_CORP_DF 5
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
	"components", "component", "device", "control", "controls",
	"communication", "instrumentation", "telemetry", "electronic",
	"textiles", "therapeutics", "tools", "trading", "training", "transport",
	"travel", "trust", "ventures", "vision", "water", "web", "wireless",
	"works", "world",
	/* corporate */
	"co", "com", "corporation", "global", "group", "grp",
	"grupo", "gruppe", "groupe", "hldgs", "holding", "holdings", "intl",
	"international", "internationale", "national", "company", "companies",
	"subsidiary", "first", "new", "general",
	"united", "universal", "standard", "premier", "advanced", "applied",
	"integrated", "smart", "next", "one", "pro", "plus", "prime", "royal",
	"ind", "eng", "mgmt", "natl", "assoc", "assocs", "bros", "brothers",
	"mfg", "svc", "dev", "airlines", "bank", "brewery", "cement", "dairy",
	"paper", "publishing", "textile", "hotel", "groep", "koninklijke",
	NULL,
};

/* Where a company is, or which part of it: regions, compass, large
 * cities, departments. */
static const char *const geo_words[] = {
	"procurement", "purchasing", "department", "dept", "div", "division",
	"unit", "headquarters", "branch", "office", "hq", "far", "usa",
	"uk", "netherland",
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
	"an", "at", "in", "on", "&", "dba", NULL,
};

/*
 * Long words a registration misspells: a token one letter from one of
 * these (doubled, dropped, swapped, another letter), or its plural or
 * singular, reads as it. A distinctive word never does: "Novak" and
 * "Novan" stay two names.
 */
static const char *const legal_words[] = { "incorporated", "corporation",
	"company", "limited", "gesellschaft", "aktiengesellschaft", NULL };

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

/* What any company calls itself: no business in them. */
static const char *const corp_words[] = { "technology", "technologies",
	"tech", "techs", "systems", "solutions", "group", "holding", "holdings",
	"international", "internationale", "global", "enterprise",
	"enterprises", "industries", "industry", "company", "companies",
	"corporation", "co", "products", "components", "component", "computer",
	"computers", "works", "associates", "brands", "ventures", "worldwide",
	NULL };

/* The departments among the places: part of a company, never its name. */
static const char *const dept_words[] = { "procurement", "purchasing",
	"department", "dept", "div", "division", "unit", "headquarters",
	"branch", "office", "hq", NULL };

/* Regions: a name's front ("Nordic Data"), else only where it works. */
static const char *const region_words[] = { "africa", "america",
	"americas", "apac", "asia", "emea", "eu", "euro", "europa", "europe",
	"european", "latam", "mena", "nordic", "nordics", "pacific",
	"scandinavia", "benelux", "dach", "iberia", "baltic", "far", "east",
	"eastern", "west", "western", "north", "northern", "south", "southern",
	"central", NULL };

static struct strmap generic_set, geo_set, stop_set, corp_set, dept_set,
    region_set;

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
	for (i = 0; corp_words[i]; i++)
		strmap_put(&corp_set, corp_words[i], strlen(corp_words[i]), NULL);
	for (i = 0; dept_words[i]; i++)
		strmap_put(&dept_set, dept_words[i], strlen(dept_words[i]), NULL);
	for (i = 0; region_words[i]; i++)
		strmap_put(&region_set, region_words[i], strlen(region_words[i]),
		    NULL);
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
#define TOK_CORP MATCH_TOK_CORP

static enum token_class
classify(const char *tok, size_t len)
{
	char buf[64], cc[3];

	sets_init();
	if (in_set(&stop_set, tok, len) || norm_legal_form_word(tok, len))
		return TOK_STOP;
	if (in_set(&corp_set, tok, len))
		return TOK_CORP;
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
	case MATCH_ALIAS:
		return "other-name";
	case MATCH_JOINED:
		return "joined";
	case MATCH_CONFIRMED:
		return "confirmed";
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
 * 1 when a and b are one edit apart: a letter changed, added, dropped, or
 * two neighbours swapped (Damerau).
 */
int
match_one_edit(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0, j;

	if (la > lb + 1 || lb > la + 1 || (la == lb && memcmp(a, b, la) == 0))
		return 0;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb) {
		if (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    memcmp(a + i + 2, b + i + 2, la - i - 2) == 0)
			return 1;	/* swapped */
		return memcmp(a + i + 1, b + i + 1, la - i - 1) == 0;
	}
	j = i;
	if (la > lb)		/* a has a letter more */
		return memcmp(a + j + 1, b + j, la - j - 1) == 0;
	return memcmp(a + j, b + j + 1, lb - j - 1) == 0;
}

/*
 * 1 when a and b differ by one slip of the hand: a letter doubled or
 * dropped, or two neighbours swapped; not another letter, which is how
 * surnames differ ("Hansen", "Jansen"; "Wagner", "Wegner").
 */
static int
one_slip(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0;

	if (la == lb) {
		while (i < la && a[i] == b[i])
			i++;
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    memcmp(a + i + 2, b + i + 2, la - i - 2) == 0;
	}
	return match_one_edit(a, la, b, lb);
}

/*
 * What a raw token reads as, remembered: its class in the low byte, and
 * above it 1 + the index of the word it stands for (0: itself) in the
 * table of canonical words: the abbreviations, then the generic words,
 * then the legal words. Names repeat their words, so each word is
 * classified once.
 */
static struct strmap token_info;

size_t
match_token_cache_size(void)
{
	return token_info.n;
}

#define NABBR (sizeof(abbreviations) / sizeof(abbreviations[0]))

static size_t
ngeneric(void)
{
	static size_t n;

	if (n == 0)
		while (generic_words[n])
			n++;
	return n;
}

static const char *
canon_word(uint32_t id)
{
	if (id < NABBR)
		return abbreviations[id].word;
	if (id < NABBR + ngeneric())
		return generic_words[id - NABBR];
	return legal_words[id - NABBR - ngeneric()];
}

/*
 * A word not in the lists that is a spelling of one: the plural or the
 * singular of a generic word, or a long generic or legal word with one
 * slip. Returns 1 + its canonical id, or 0.
 */
static uint32_t
misspelt(const char *s, size_t len)
{
	size_t i, l, ng = ngeneric();
	size_t sl = len > 5 && s[len - 1] == 's' ? len - 1 : len;

	if (len < 5)
		return 0;
	for (i = 0; i < ng; i++) {
		l = strlen(generic_words[i]);
		if (l >= 5 && ((l + 1 == len && s[len - 1] == 's' &&
		    memcmp(s, generic_words[i], l) == 0) || (len + 1 == l &&
		    generic_words[i][l - 1] == 's' && memcmp(s, generic_words[i],
		    len) == 0)))
			return (uint32_t)(NABBR + i) + 1;
	}
	if (len < 6)
		return 0;
	/* one slip, in the word or in its plural ("desgins", "standrds") */
	for (i = 0; i < ng; i++) {
		const char *g = generic_words[i];

		l = strlen(g);
		if (l < 6 || g[0] != s[0])
			continue;
		if (match_one_edit(s, len, g, l) || (sl < len &&
		    match_one_edit(s, sl, g, l)) || (g[l - 1] == 's' &&
		    match_one_edit(s, len, g, l - 1)))
			return (uint32_t)(NABBR + i) + 1;
	}
	for (i = 0; legal_words[i]; i++)
		if (legal_words[i][0] == s[0] && match_one_edit(s, len,
		    legal_words[i], strlen(legal_words[i])))
			return (uint32_t)(NABBR + ng + i) + 1;
	return 0;
}

/* A word one slip from a corporate word or a place ("Sytems",
 * "Atlanic"): its class, or TOK_DISTINCT. */
static enum token_class
misspelt_class(const char *s, size_t len)
{
	static const char *const *const lists[] = { corp_words, geo_words };
	static const enum token_class cls[] = { TOK_CORP, TOK_GEO };
	size_t k, i;

	if (len < 6)
		return TOK_DISTINCT;
	for (k = 0; k < 2; k++)
		for (i = 0; lists[k][i]; i++) {
			size_t l = strlen(lists[k][i]);

			if (l >= 6 && lists[k][i][0] == s[0] &&
			    match_one_edit(s, len, lists[k][i], l))
				return cls[k];
		}
	return TOK_DISTINCT;
}

static uint32_t
token_lookup(const char *s, size_t len)
{
	uint32_t *v = strmap_get(&token_info, s, len), info, id = 0;
	size_t i, clen = len;
	const char *cs = s;

	if (v)
		return *v;
	/* a daemon reads new names for months: the memory starts over
	 * rather than grow with every word it ever saw */
	if (token_info.n >= MATCH_TOKEN_CACHE_MAX)
		strmap_free(&token_info);
	for (i = 0; i < NABBR; i++)
		if (strlen(abbreviations[i].abbr) == len &&
		    memcmp(abbreviations[i].abbr, s, len) == 0) {
			id = (uint32_t)i + 1;
			break;
		}
	if (id) {
		cs = canon_word(id - 1);
		clen = strlen(cs);
	}
	info = (uint32_t)classify(cs, clen);
	if (info == TOK_DISTINCT && id == 0 && (id = misspelt(s, len)) != 0) {
		cs = canon_word(id - 1);
		info = (uint32_t)classify(cs, strlen(cs));
	} else if (info == TOK_DISTINCT && id == 0)
		info = (uint32_t)misspelt_class(s, len);
	info |= id << 8;
	*strmap_put(&token_info, s, len, NULL) = info;
	return info;
}

static const char *
canonical(const char *s, size_t *len, enum token_class *cls)
{
	uint32_t info = token_lookup(s, *len);

	*cls = (enum token_class)(info & 0xff);
	if (info >> 8) {
		const char *w = canon_word((info >> 8) - 1);

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
		s = canonical(s, &len, &cls);
		df = idf ? match_idf_df(idf, raw, rawlen) : 0;
		if (idf && idf->docs)
			w = log(1.0 + (double)(idf->docs + 1) / (double)(df + 1));
		else
			w = 1.0;
		w *= cls == TOK_STOP ? STOP_FACTOR : cls == TOK_GEO ? GEO_FACTOR :
		    cls == TOK_GENERIC ? GENERIC_FACTOR : cls == TOK_CORP ?
		    CORP_FACTOR : 1.0;
		i = m->ntok++;
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
			/* a department never names the company, a region only in
			 * front ("Western Digital" and "... Americas") */
			if (m->tok[i].cls != TOK_STOP && !(m->tok[i].cls == TOK_GEO &&
			    (in_set(&dept_set, m->tok[i].s, m->tok[i].len) || (i > 0 &&
			    in_set(&region_set, m->tok[i].s, m->tok[i].len))))) {
				m->tok[i].w /= (float)(m->tok[i].cls == TOK_GEO ? GEO_FACTOR :
				    m->tok[i].cls == TOK_CORP ? CORP_FACTOR : GENERIC_FACTOR);
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
	    one_slip(x->s, lx, y->s, ly);
}

/* A part of a prepared name: tokens [lo, hi). */
struct span {
	const struct match_name *m;
	size_t lo, hi;
	double norm;		/* of the part's weights */
};

static struct span
span_of(const struct match_name *m, size_t lo, size_t hi)
{
	struct span p = { m, lo, hi, 0 };
	size_t i;

	for (i = lo; i < hi; i++)
		p.norm += (double)m->tok[i].w * m->tok[i].w;
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
				if (!one_slip(a->tok[i].s, a->tok[i].len,
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
		s += a->tok[cand[k].i].w * b->tok[cand[k].j].w * cand[k].jw;
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
		/* a family's name alone, and one of its businesses: the paired
		 * distinctive words are common first words in the cache, one
		 * side keeps nothing but corporate words, the other an industry */
		if (!*conflict && !da && !db) {
			/* an industry word: a family of three names; a corporate
			 * word: a larger family ("VIA Technologies", "ViA") */
			uint32_t need = (ga && !gb && !kb) || (gb && !ga && !ka) ?
			    FAMILY_DF : (ka && !kb && !gb) || (kb && !ka && !ga) ?
			    FAMILY_CORP_DF : 0;

			for (i = pa.lo; need && i < pa.hi; i++)
				if (ua[i] && a->tok[i].cls == TOK_DISTINCT &&
				    a->tok[i].df >= need)
					*family = 1;
		}
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

/* The token measure over the whole names and, for a name with a second
 * one ("A dba B"), over each of its two; *alias: a part won. */
static double
tokens_best(const struct match_name *a, const struct match_name *b,
    int *conflict, int *family, int *alias, int *whole_conflict)
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
	*alias = 0;
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
				*alias = i > 0 || j > 0;
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
	int conflict = 0, family = 0, alias = 0, whole_conflict = 0;

	if (strcmp(a->key, b->key) == 0) {
		*how = MATCH_EXACT;
		return 1.0;
	}
	if ((s = tokens_best(a, b, &conflict, &family, &alias,
	    &whole_conflict)) > best) {
		best = s;
		m = alias ? MATCH_ALIAS : MATCH_TOKENS;
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
		snprintf(out + o, len - o, "initials");
		return;
	case MATCH_ALIAS:
		snprintf(out + o, len - o, "the other name it goes by");
		return;
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
		snprintf(out + o, len - o, "the same words in another order");
}
