/*
 * fuzz_record.c - an http_json source's page, record by record, through
 * the mapping a real source uses (JSON pointers, time formats, the status
 * map, amounts to the base currency): each record either maps, with its
 * key and every value valid UTF-8, or is refused with a field and a
 * reason, as the quarantine stores it. A page that does not parse goes
 * through the salvage a real source uses: each bad record named once, in
 * order, at a place the rebuilt records array has.
 */
#include "fuzz.h"
#include "config/config.h"
#include "lib/diag.h"
#include "lib/json.h"
#include "lib/log.h"
#include "model/entity.h"
#include "model/normalize.h"
#include "sources/landing.h"
#include "sources/page_salvage.h"
#include "sources/record.h"

static const char yaml[] =
"normalize: { fx: { EUR: 1.08, GBP: 1.27 } }\n"
"sources:\n"
"  - name: portal\n"
"    kind: http_json\n"
"    url: http://127.0.0.1:1/api/v2/registrations\n"
"    records: /data\n"
"    fields:\n"
"      external_id: /id\n"
"      partner_id: /partner/crm_account_id\n"
"      customer_name: /end_customer/company\n"
"      customer_domain: /end_customer/website\n"
"      customer_country: /end_customer/country\n"
"      product: /product_line\n"
"      amount: /value/amount\n"
"      currency: /value/currency\n"
"      status: /status\n"
"      registered_at: /submitted_at\n"
"      decided_at: { pointer: /decision/at, format: epoch_ms }\n"
"      expires_at: /expires_at\n"
"      updated_at: /updated_at\n"
"    status_map: { submitted: pending, approved: approved, declined: rejected }\n";

static struct config *cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct diags d;

	(void)argc;
	(void)argv;
	log_init("fuzz_record");
	log_set_level(LOG_CRIT);
	diags_init(&d, "fuzz.yaml");
	cfg = config_load_buffer("fuzz.yaml", yaml, sizeof(yaml) - 1,
	    CONFIG_SKIP_SECRETS, &d);
	if (cfg == NULL)
		abort();
	diags_free(&d);
	return 0;
}

static void
map_one(const struct config_source *src, const struct jval *rec)
{
	struct record r;
	struct record_problem why;
	size_t i;

	record_init(&r, src->entity, src->name);
	if (record_map(cfg, src, land_json_get, (void *)rec, &r, &why) == 0) {
		FUZZ_ASSERT(r.key != NULL && strncmp(r.key, "portal:", 7) == 0);
		for (i = 0; i < ENTITY_MAX_FIELDS; i++)
			FUZZ_ASSERT(r.val[i] == NULL ||
			    fuzz_valid_utf8(r.val[i], strlen(r.val[i])));
	} else {
		FUZZ_ASSERT(why.reason[0] != '\0');
		FUZZ_ASSERT(fuzz_valid_utf8(why.reason, strlen(why.reason)));
		FUZZ_ASSERT(fuzz_valid_utf8(why.record_id, strlen(why.record_id)));
	}
	record_clear(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct config_source *src = &cfg->sources[0];
	const struct jval *recs;
	struct jval *doc;
	char err[256];
	size_t i;

	doc = jv_parse((const char *)data, size, err, sizeof(err));
	if (doc == NULL) {
		struct salvaged_page sp;

		if (page_salvage((const char *)data, size, "/data",
		    "/meta/next_cursor", "/id", &sp, err, sizeof(err)) < 0)
			return 0;
		recs = jv_lookup(sp.doc, "/data");
		FUZZ_ASSERT(jv_array_len(recs) >= sp.nbad);
		for (i = 0; i < sp.nbad; i++) {
			FUZZ_ASSERT(sp.bad[i].index < jv_array_len(recs));
			FUZZ_ASSERT(i == 0 || sp.bad[i].index > sp.bad[i - 1].index);
			FUZZ_ASSERT(sp.bad[i].why != NULL && sp.bad[i].raw != NULL);
		}
		for (i = 0; i < jv_array_len(recs); i++)
			if (jv_is_object(jv_array_at(recs, i)))
				map_one(src, jv_array_at(recs, i));
		salvaged_page_free(&sp);
		return 0;
	}
	recs = jv_is_object(doc) ? jv_lookup(doc, "/data") : doc;
	if (recs != NULL && jv_array_len(recs) > 0) {
		for (i = 0; i < jv_array_len(recs); i++)
			if (jv_is_object(jv_array_at(recs, i)))
				map_one(src, jv_array_at(recs, i));
	} else if (jv_is_object(doc))
		map_one(src, doc);
	jv_free(doc);
	return 0;
}
