/*
 * conflicts_bench - conflict detection at scale (make bench).
 *
 *   conflicts_bench DIR [REGISTRATIONS [CUSTOMERS [PARTNERS]]]
 *
 * Generates, deterministically, a cache of REGISTRATIONS (default
 * 1,000,000) registrations by PARTNERS (50,000) partners over CUSTOMERS
 * (300,000) end customers into DIR/chansync.db through the store, the
 * way sources land them: customers named in several languages with
 * legal forms, a registrable domain for 60% of them, and each
 * registration spelling its customer its own way (case, legal form,
 * punctuation, a typo in 3%, the domain left out in 40%); statuses
 * pending/approved/rejected/expired/won/lost, products, registration
 * dates over two years. Then it runs a full detection, changes 10,000
 * registrations, and runs an incremental one. Prints the times, the
 * comparisons per registration, the conflicts and the peak RSS against
 * the goals for conflict detection at scale (30 s, 2 s, 200 MB).
 */
#include "store/audit.h"
#include "lib/clock.h"
#include "pass_conflicts.h"
#include "rules/conflicts.h"
#include "config/config.h"
#include "lib/diag.h"
#include "model/entity.h"
#include "lib/log.h"
#include "model/normalize.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <malloc.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static size_t
pick(size_t n)
{
	return (size_t)(next() % n);
}

static const char *const syll[] = { "ka", "lo", "ven", "tra", "mi", "dor",
	"sel", "qua", "rin", "bo", "zen", "har", "lu", "nex", "or", "pel",
	"sto", "vik", "an", "del", "mar", "tus", "gri", "fa", "wel", "bri",
	"cor", "dal", "es", "fin", "gal", "hel", "is", "jor", "kel", "lin" };
static const char *const generic[] = { "Systems", "Solutions", "Data",
	"Technologies", "Logistics", "Consulting", "Software", "Networks",
	"Engineering", "Group", "Holdings", "International", "Services",
	"Digital", "Medical", "Energy", "Foods", "Capital" };
static const char *const forms[] = { "GmbH", "AG", "Inc.", "LLC", "Ltd",
	"S.A.", "SAS", "S.r.l.", "B.V.", "AB", "Oy", "Sp. z o.o.", "s.r.o.",
	"Pty Ltd", "KK", "A/S", "plc", "Corp." };
static const char *const countries[] = { "DE", "US", "GB", "FR", "IT",
	"NL", "SE", "FI", "PL", "CZ", "AU", "JP", "DK", "ES", "CH", "AT" };
static const char *const products[] = { "Firewall", "SIEM", "Endpoint",
	"SD-WAN", "Switches", "Cloud Security", "Backup", "Identity" };
static const char *const statuses[] = { "pending", "pending", "approved",
	"approved", "approved", "rejected", "expired", "won", "lost", "approved" };

struct customer {
	char name[80];
	char domain[48];
	const char *country;
};

static void
word(char *out, size_t len)
{
	int n = 2 + (int)pick(2), i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		strncat(out, syll[pick(sizeof(syll) / sizeof(syll[0]))], len -
		    strlen(out) - 1);
	out[0] = (char)(out[0] - 'a' + 'A');
}

/* Customer i, the same every time it is asked for. */
static void
make_customer(struct customer *c, size_t i)
{
	char w1[32], w2[32];
	uint64_t saved = rng;

	rng = 0x51ed27a3c0ffee11ull ^ ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull);
	next();

	word(w1, sizeof(w1));
	word(w2, sizeof(w2));
	switch (i % 4) {
	case 0:
		snprintf(c->name, sizeof(c->name), "%s %s", w1,
		    generic[pick(sizeof(generic) / sizeof(generic[0]))]);
		break;
	case 1:
		snprintf(c->name, sizeof(c->name), "%s %s", w1, w2);
		break;
	case 2:
		snprintf(c->name, sizeof(c->name), "%s %s %s", w1,
		    generic[pick(sizeof(generic) / sizeof(generic[0]))],
		    generic[pick(sizeof(generic) / sizeof(generic[0]))]);
		break;
	default:
		snprintf(c->name, sizeof(c->name), "%s & %s", w1, w2);
	}
	c->country = countries[pick(sizeof(countries) / sizeof(countries[0]))];
	if (pick(10) < 6) {
		char *p;

		snprintf(c->domain, sizeof(c->domain), "%.20s%zu.example", w1, i % 100000000);
		for (p = c->domain; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	} else
		c->domain[0] = '\0';
	rng = saved;
}

/* How a source spells the customer this time. */
static void
spelling(const struct customer *c, char *out, size_t len)
{
	char *p;

	snprintf(out, len, "%s %s", c->name,
	    forms[pick(sizeof(forms) / sizeof(forms[0]))]);
	switch (pick(8)) {
	case 0:
		for (p = out; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		break;
	case 1:
		snprintf(out, len, "%s", c->name);
		break;
	case 2:
		if (strlen(c->name) > 6 && pick(3) == 0) {
			/* a typo: two letters swapped in the first word */
			snprintf(out, len, "%s", c->name);
			p = out + 2;
			if (p[0] != ' ' && p[1] != ' ') {
				char t = p[0];

				p[0] = p[1];
				p[1] = t;
			}
		}
		break;
	default:
		break;
	}
}

static void
set(struct record *r, const char *f, const char *v)
{
	free(r->val[entity_field_index(r->kind, f)]);
	r->val[entity_field_index(r->kind, f)] = v ? strdup(v) : NULL;
}

static void
registration(struct store *st, size_t ncust, size_t i, size_t npartners,
    int64_t t0, const char *now, int changed)
{
	struct record r;
	struct customer cs, *c = &cs;
	char buf[128], ext[32], when[21], exp[21];
	int64_t reg;
	size_t ci;

	/* a few customers are registered often, most once or twice */
	ci = pick(10) < 3 ? pick(ncust / 20 + 1) : pick(ncust);
	make_customer(c, ci);
	record_init(&r, ENTITY_REGISTRATIONS, "bench");
	snprintf(ext, sizeof(ext), "R%07zu", i);
	set(&r, "external_id", ext);
	snprintf(buf, sizeof(buf), "001P%07zu", pick(npartners));
	set(&r, "partner_id", buf);
	spelling(c, buf, sizeof(buf));
	set(&r, "customer_name", buf);
	set(&r, "customer_domain", c->domain[0] && pick(10) < 6 ? c->domain : NULL);
	set(&r, "customer_country", pick(10) < 8 ? c->country : NULL);
	set(&r, "product", products[pick(sizeof(products) / sizeof(products[0]))]);
	set(&r, "status", changed ? "rejected" : statuses[pick(10)]);
	reg = t0 - (int64_t)pick(2 * 365) * 86400 - (int64_t)pick(86400);
	norm_time_format(reg, when);
	set(&r, "registered_at", when);
	norm_time_format(reg + 365 * 86400, exp);
	set(&r, "expires_at", exp);
	r.key = malloc(48);
	snprintf(r.key, 48, "bench:%s", ext);
	if (store_upsert(st, &r, now) < 0) {
		fprintf(stderr, "store: %s\n", store_errmsg(st));
		exit(1);
	}
	record_clear(&r);
}

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	size_t n = 1000000, ncust = 300000, npart = 50000, i;
	struct config *cfg;
	struct diags d;
	struct store *st;
	struct audit *au;
	struct conflicts *cx;
	struct conflicts_result res;
	char path[512], err[256], yaml[1024], now[21];
	int64_t t0 = 1795046400;	/* 2026-11-20T00:00:00Z */
	double t, full, incr;
	struct rusage ru;

	if (argc < 2) {
		fprintf(stderr, "usage: conflicts_bench DIR [REGISTRATIONS "
		    "[CUSTOMERS [PARTNERS]]]\n");
		return 64;
	}
	if (argc > 2)
		n = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		ncust = strtoul(argv[3], NULL, 10);
	if (argc > 4)
		npart = strtoul(argv[4], NULL, 10);
	log_init("conflicts_bench");
	log_set_level(LOG_WARNING);	/* a line per conflict would be the bench */
	if (normalize_init(NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* state_dir must be absolute */
	if (realpath(argv[1], path) == NULL) {
		perror(argv[1]);
		return 1;
	}
	snprintf(yaml, sizeof(yaml), "daemon: { state_dir: %s }\n", path);
	diags_init(&d, "bench.yaml");
	if ((cfg = config_load_buffer("bench.yaml", yaml, strlen(yaml), 0, &d)) ==
	    NULL) {
		size_t k;

		for (k = 0; k < d.n; k++) {
			char *m = diags_format(&d, k);

			fprintf(stderr, "%s\n", m);
			free(m);
		}
		return 1;
	}
	diags_free(&d);
	snprintf(path, sizeof(path), "%s/%s", argv[1], STORE_DB_NAME);
	remove(path);
	if ((st = store_open(path, STORE_RW, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	au = audit_new(st, "bench", NULL);
	printf("generating %zu registrations by %zu partners over %zu customers "
	    "...\n", n, npart, ncust);
	fflush(stdout);
	t = secs();
	norm_time_format(t0 - 3600, now);
	for (i = 0; i < n; i++) {
		if (i % 20000 == 0 && store_begin(st) < 0)
			return 1;
		registration(st, ncust, i, npart, t0, now, 0);
		if ((i % 20000 == 19999 || i == n - 1) && store_commit(st) < 0)
			return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("  %.1f s, RSS so far %.1f MB\n", secs() - t, ru.ru_maxrss / 1024.0);
	if (getenv("BENCH_HEAP"))
		printf("heap in use: %.1f MB\n", mallinfo2().uordblks / 1048576.0);
	cx = conflicts_new();
	t = secs();
	if (pass_conflicts_run(cx, cfg, st, au, 0, t0, &res) < 0) {
		fprintf(stderr, "%s\n", res.error);
		return 1;
	}
	full = secs() - t;
	if (getenv("BENCH_HEAP"))
		printf("heap in use after detection: %.1f MB\n",
		    mallinfo2().uordblks / 1048576.0);
	printf("\nfull detection:  %.2f s  (%lld rows, %lld active claims, %lld "
	    "customer nodes, %lld comparisons = %.1f per registration, %lld "
	    "conflicts opened, largest customer group %lld claims)\n", full,
	    (long long)res.rows, (long long)res.claims, (long long)res.nodes,
	    (long long)res.compared, (double)res.compared / (double)n,
	    (long long)res.opened, (long long)res.largest_group);
	/* 10,000 registrations change: rejected, re-spelt */
	norm_time_format(t0 + 60, now);
	rng = 0x1234567ull;
	if (store_begin(st) < 0)
		return 1;
	for (i = 0; i < 10000; i++)
		registration(st, ncust, pick(n), npart, t0, now, i % 2);
	if (store_commit(st) < 0)
		return 1;
	t = secs();
	if (pass_conflicts_run(cx, cfg, st, au, 0, t0 + 120, &res) < 0) {
		fprintf(stderr, "%s\n", res.error);
		return 1;
	}
	incr = secs() - t;
	getrusage(RUSAGE_SELF, &ru);
	printf("incremental:     %.2f s  (%lld rows, %lld comparisons, %lld "
	    "opened, %lld updated, %lld resolved)\n", incr, (long long)res.rows,
	    (long long)res.compared, (long long)res.opened, (long long)res.updated,
	    (long long)res.resolved);
	printf("peak RSS:        %.1f MB\n", ru.ru_maxrss / 1024.0);
	printf("\ngoals (conflict detection at scale): full < 30 s: %s; incremental < 2 s: %s; peak RSS "
	    "< 200 MB: %s\n", full < 30 ? "met" : "MISSED", incr < 2 ? "met" :
	    "MISSED", ru.ru_maxrss / 1024.0 < 200 ? "met" : "MISSED");
	conflicts_free(cx);
	audit_free(au);
	store_close(st);
	config_free(cfg);
	normalize_shutdown();
	return 0;
}
