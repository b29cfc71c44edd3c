/*
 * match_words.c - the words of company names (see match_words.h).
 */
#include "rules/match_words.h"
#include "model/normalize_country.h"
#include "model/normalize_name.h"
#include "lib/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From this length a generic word may carry two slips. */
#define LONG_WORD 11

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

/*
 * Legal forms that end a company's name wherever they stand: what
 * follows one is a division, a department or a region ("Toshiba Corp.,
 * Digital Media Equipment", "Fast Point Technologies, Inc - IT
 * Department"). Forms that are words too ("as", "se", "sa") are not.
 */
static const char *const form_end_words[] = { "inc", "incorporated",
	"corp", "corporation", "co", "company", "ltd", "limited", "llc",
	"gmbh", "ag", "plc", "bv", "nv", "spa", "srl", "sarl", "oy", "oyj",
	"ab", "kk", "pty", "pvt", "pte", "bhd", NULL };

static struct strmap generic_set, geo_set, stop_set, corp_set, dept_set,
    region_set, form_end_set;

static void
sets_init(void)
{
	static const struct {
		const char *const *words;
		struct strmap *set;
	} lists[] = {
		{ generic_words, &generic_set }, { geo_words, &geo_set },
		{ stop_words, &stop_set }, { corp_words, &corp_set },
		{ dept_words, &dept_set }, { region_words, &region_set },
		{ form_end_words, &form_end_set },
	};
	size_t k, i;

	if (generic_set.n)
		return;
	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
		for (i = 0; lists[k].words[i]; i++)
			strmap_put(lists[k].set, lists[k].words[i],
			    strlen(lists[k].words[i]), NULL);
}

static int
in_set(const struct strmap *t, const char *tok, size_t len)
{
	sets_init();
	return strmap_get(t, tok, len) != NULL;
}

static enum token_class
classify(const char *tok, size_t len)
{
	char buf[64], cc[3];

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

int
match_word_ends_name(const char *s, size_t len)
{
	return in_set(&form_end_set, s, len);
}

int
match_word_is_stop(const char *s, size_t len)
{
	return in_set(&stop_set, s, len);
}

int
match_word_is_dept(const char *s, size_t len)
{
	return in_set(&dept_set, s, len);
}

int
match_word_is_region(const char *s, size_t len)
{
	return in_set(&region_set, s, len);
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

int
match_one_slip(const char *a, size_t la, const char *b, size_t lb)
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
 * 1 when a and b are at most two edits apart (letters changed, added,
 * dropped, or neighbours swapped: optimal string alignment), for words
 * long enough that two slips still leave them plain ("communcattions").
 */
static int
two_edits(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned d[3][40];
	size_t i, j;

	if (la >= 39 || lb >= 39 || (la > lb ? la - lb : lb - la) > 2)
		return 0;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned *cur = d[i % 3], *prev = d[(i - 1) % 3],
		    *pprev = d[(i + 1) % 3], best = 99;

		cur[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned c = a[i - 1] != b[j - 1], v = prev[j - 1] + c;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pprev[j - 2] + 1 < v)
				v = pprev[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > 2)
			return 0;
	}
	return d[la % 3][lb] <= 2;
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
		    match_one_edit(s, len, g, l - 1)) || (len >= LONG_WORD &&
		    l >= LONG_WORD && two_edits(s, len, g, l)))
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

const char *
match_word_read(const char *s, size_t *len, enum token_class *cls)
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
