/* test_record.c - raw source values to canonical records. */
#include "config/config.h"
#include "lib/log.h"
#include "sources/record.h"
#include "t.h"

/* A raw record: canonical field name -> raw text, as a source would see. */
struct raw {
	const char *k[16], *v[16];
};

static int
get(void *ctx, const struct config_field *f, struct arena *a, char **ret,
    char *err, size_t errlen)
{
	struct raw *r = ctx;
	int i;

	(void)err;
	(void)errlen;
	for (i = 0; r->k[i]; i++)
		if (strcmp(r->k[i], f->src) == 0) {
			*ret = r->v[i] ? arena_strdup(a, r->v[i]) : NULL;
			return 1;
		}
	return 0;
}

static struct config *cfg;
static struct arena *arena;	/* the second round maps into an arena */

static int
map(struct raw *raw, struct record *r, struct record_problem *why)
{
	const struct config_source *src = &cfg->sources[0];

	record_init(r, src->entity, src->name);
	r->arena = arena;
	return record_map(cfg, src, get, raw, r, why);
}

static const char *
val(const struct record *r, const char *field)
{
	return r->val[entity_field_index(r->kind, field)];
}

static void
test_good_record(void)
{
	struct raw raw = { { "id", "p", "c", "s", "at", "amt", "cur", "web",
		"cty", NULL }, { " R-1 ", "001A", "  Acme   Corp ", "Submitted",
		"2026-11-20T10:00:00+01:00", "1,000.50", "eur",
		"https://www.acme.example/x", "Deutschland", NULL } };
	struct record r;
	struct record_problem why;

	/* a country nobody knows is quarantined, with the record's id */
	raw.v[8] = "Atlantis";
	CHECK_INT(map(&raw, &r, &why), -1);
	CHECK_STR(why.field, "customer_country");
	CHECK_STR(why.record_id, " R-1 ");
	record_clear(&r);
	/* an id that cannot be stored is still named, escaped */
	raw.v[0] = "R\x01-9";
	CHECK_INT(map(&raw, &r, &why), -1);
	CHECK_STR(why.field, "external_id");
	CHECK_STR(why.record_id, "R\\x01-9");
	record_clear(&r);
	raw.v[0] = " R-1 ";
	raw.v[8] = "Deutschland";
	CHECK_INT(map(&raw, &r, &why), 0);
	CHECK_STR(r.key, "dist:R-1");
	CHECK_STR(val(&r, "customer_name"), "Acme Corp");
	CHECK_STR(val(&r, "status"), "pending");
	CHECK_STR(val(&r, "registered_at"), "2026-11-20T09:00:00Z");
	CHECK_STR(val(&r, "currency"), "EUR");
	CHECK_STR(val(&r, "customer_domain"), "acme.example");
	CHECK_STR(val(&r, "customer_country"), "DE");
	CHECK(r.has_amount_base && r.amount_base > 1080.53 && r.amount_base < 1080.55);
	CHECK_STR(val(&r, "amount"), "1000.5");
	record_clear(&r);
	/* amounts as the shortest text that reads back the same */
	{
		static const char *const in[] = { "12,500.00", "-3", "1234.56",
			"0.1", "2.5e-3", "1e14", NULL };
		static const char *const want[] = { "12500", "-3", "1234.56",
			"0.1", "0.0025", "100000000000000" };
		int i;

		for (i = 0; in[i]; i++) {
			raw.v[5] = in[i];
			CHECK_INT(map(&raw, &r, &why), 0);
			CHECK_STR(val(&r, "amount"), want[i]);
			record_clear(&r);
		}
		raw.v[5] = "1,000.50";
	}
	/* a subdomain reduces to the registrable domain; free mail to nothing */
	raw.v[7] = "https://shop.acme.co.uk/en";
	CHECK_INT(map(&raw, &r, &why), 0);
	CHECK_STR(val(&r, "customer_domain"), "acme.co.uk");
	record_clear(&r);
	raw.v[7] = "jane.buyer@gmail.com";
	CHECK_INT(map(&raw, &r, &why), 0);
	CHECK(val(&r, "customer_domain") == NULL);
	record_clear(&r);
	raw.v[7] = "co.uk";
	CHECK_INT(map(&raw, &r, &why), -1);
	CHECK_STR(why.field, "customer_domain");
	record_clear(&r);
}

static void
test_problems(void)
{
	static const struct {
		const char *field, *value, *why_field, *why_text;
	} cases[] = {
		{ "s", "Maybe", "status", "unknown status 'Maybe'" },
		{ "at", "yesterday", "registered_at", "is not a date or time" },
		{ "amt", "12.500,00", "amount", "is not a number" },
		{ "cur", "ZZZ", "currency", "unknown currency 'ZZZ'" },
		{ "cur", "SEK", "currency", "no exchange rate for SEK" },
		{ "c", "Bad\x1b[31mName", "customer_name", "control character" },
		{ "web", "not a domain", "customer_domain", "is not a website" },
		{ "p", "", "partner_id", "missing required field partner_id (p)" },
		{ "dec", "2025-11-18T09:00:00Z", "decided_at",
		  "decided (2025-11-18T09:00:00Z) before it was registered "
		  "(2026-11-20T00:00:00Z)" },
		{ "dec", "2026-11-18T23:59:59Z", "decided_at", "before it was "
		  "registered" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct raw raw = { { "id", "p", "c", "s", "at", "amt", "cur",
			"web", "dec", NULL }, { "R2", "001A", "Acme", "approved",
			"2026-11-20", "5", "USD", "acme.example",
			"2026-11-21T08:00:00Z", NULL } };
		struct record r;
		struct record_problem why;
		int j;

		for (j = 0; raw.k[j]; j++)
			if (strcmp(raw.k[j], cases[i].field) == 0)
				raw.v[j] = cases[i].value;
		CHECK_INT(map(&raw, &r, &why), -1);
		CHECK_STR(why.field, cases[i].why_field);
		CHECK(strstr(why.reason, cases[i].why_text) != NULL);
		if (!strstr(why.reason, cases[i].why_text))
			fprintf(stderr, "  reason was: %s\n", why.reason);
		CHECK_STR(why.record_id, "R2");
		record_clear(&r);
	}
}

/* A decision the day before the registration, within a day: a date-only
 * decision or another zone, not an error; the base record maps. */
static void
test_decided_within_a_day(void)
{
	static const char *const decided[] = { "2026-11-21T08:00:00Z",
		"2026-11-20", "2026-11-19T10:00:00Z", "2026-11-19T00:00:00Z" };
	struct record r;
	struct record_problem why;
	size_t i;

	for (i = 0; i < sizeof(decided) / sizeof(decided[0]); i++) {
		struct raw raw = { { "id", "p", "c", "s", "at", "dec", NULL },
			{ "R4", "001A", "Acme", "approved", "2026-11-20T00:00:00Z",
			decided[i], NULL } };

		CHECK_INT(map(&raw, &r, &why), 0);
		if (why.reason[0])
			fprintf(stderr, "  %s: %s\n", decided[i], why.reason);
		record_clear(&r);
	}
}

static void
test_canonical_status_without_map_and_base_currency(void)
{
	struct raw raw = { { "id", "p", "c", "s", "at", "amt", NULL },
		{ "R3", "001A", "Acme", "APPROVED", "1763633472", "10", NULL } };
	struct record r;
	struct record_problem why;

	/* epoch seconds through the per-field format override */
	CHECK_INT(map(&raw, &r, &why), 0);
	CHECK_STR(val(&r, "status"), "approved");
	CHECK_STR(val(&r, "registered_at"), "2025-11-20T10:11:12Z");
	CHECK_STR(val(&r, "currency"), "USD");	/* no currency: the base */
	CHECK(r.amount_base == 10);
	record_clear(&r);
}

int
main(void)
{
	static const char yaml[] =
	    "normalize: { fx: { EUR: 1.08 } }\n"
	    "sources:\n"
	    "  - name: dist\n"
	    "    kind: file_drop\n"
	    "    path: /tmp/none\n"
	    "    fields: { external_id: id, partner_id: p, customer_name: c,\n"
	    "      status: s, registered_at: { column: at, format: epoch_s },\n"
	    "      amount: amt, currency: cur, customer_domain: web,\n"
	    "      customer_country: cty, decided_at: dec }\n"
	    "    status_map: { Submitted: pending }\n";
	struct diags d;
	struct arena a = { 0 };
	int round;

	diags_init(&d, "t.yaml");
	cfg = config_load_buffer("t.yaml", yaml, sizeof(yaml) - 1, 0, &d);
	if (cfg == NULL) {
		fprintf(stderr, "config: %zu errors\n", d.n);
		return 2;
	}
	diags_free(&d);
	/* the same checks with malloc'd strings, then in an arena */
	for (round = 0; round < 2; round++) {
		arena = round ? &a : NULL;
		/* ISO times in the first test: drop the epoch override there */
		cfg->sources[0].fields[4].has_format = 0;
		T_RUN(test_good_record);
		T_RUN(test_problems);
		T_RUN(test_decided_within_a_day);
		cfg->sources[0].fields[4].has_format = 1;
		T_RUN(test_canonical_status_without_map_and_base_currency);
		arena_reset(&a);
	}
	arena_free(&a);
	config_free(cfg);
	normalize_shutdown();
	return t_done("record");
}
