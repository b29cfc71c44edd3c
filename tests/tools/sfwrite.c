/*
 * sfwrite.c - a test caller of the Salesforce client's collections API:
 *
 *   sfwrite -c CONFIG create|update|upsert OBJECT [EXTFIELD] < RECORDS.json
 *
 * sends the JSON array of records through sf_collections() and prints one
 * line per record result: "ok ID created|updated" or "fail STATUS FIELDS
 * MESSAGE". The issue that decides what to write back comes later; this
 * is how the integration tests see that every per-record result reaches
 * the caller. Exit: 0 when the request went through, 69/75/78 otherwise.
 */
#include "config/config.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "crm/salesforce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

int
main(int argc, char **argv)
{
	struct diags dg;
	struct config *cfg;
	struct http *http;
	struct sf *sf;
	struct sf_error e;
	struct sf_write_result *res = NULL;
	struct jval *recs;
	struct buf in;
	char chunk[4096], err[256];
	enum sf_write_op op;
	size_t n, i;
	int rc = EX_OK;

	if (argc < 5 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: sfwrite -c CONFIG create|update|upsert OBJECT "
		    "[EXTFIELD] < records.json\n");
		return EX_USAGE;
	}
	op = strcmp(argv[3], "create") == 0 ? SF_CREATE :
	    strcmp(argv[3], "update") == 0 ? SF_UPDATE : SF_UPSERT;
	log_init("sfwrite");
	http_global_init();
	diags_init(&dg, argv[2]);
	if ((cfg = config_load(argv[2], 0, &dg)) == NULL) {
		fprintf(stderr, "config rejected (%zu errors)\n", dg.n);
		return EX_CONFIG;
	}
	diags_free(&dg);
	buf_init(&in, 16u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_add(&in, chunk, n);
	recs = jv_parse(buf_str(&in), in.len, err, sizeof(err));
	buf_free(&in);
	if (recs == NULL) {
		fprintf(stderr, "records: %s\n", err);
		config_free(cfg);
		return EX_DATAERR;
	}
	http = http_new(NULL, NULL);
	sf = sf_new(cfg, http);
	memset(&e, 0, sizeof(e));
	if (sf_collections(sf, op, argv[4], argc > 5 ? argv[5] : NULL, recs, &res, &n,
	    &e) != SF_OK) {
		printf("error %s\n", e.message);
		rc = e.result == SF_EAUTH ? EX_CONFIG : e.result == SF_ENET ?
		    EX_UNAVAILABLE : EX_TEMPFAIL;
	} else
		for (i = 0; i < n; i++) {
			if (res[i].success)
				printf("ok %s %s\n", res[i].id ? res[i].id : "-",
				    res[i].created == 1 ? "created" : res[i].created == 0 ?
				    "updated" : "-");
			else
				printf("fail %s %s %s\n", res[i].status_code ?
				    res[i].status_code : "-", res[i].fields ? res[i].fields :
				    "-", res[i].message ? res[i].message : "");
		}
	sf_write_results_free(res, n);
	sf_free(sf);
	http_free(http);
	config_free(cfg);
	normalize_shutdown();
	log_clear_secrets();
	http_global_cleanup();
	return rc;
}
