/* test_strmap.c - the hash map and the counted set against plain arrays,
 * through growth and deletions that shift probe runs; the normalizers'
 * memo. */
#include "lib/countset.h"
#include "lib/memo.h"
#include "lib/strmap.h"
#include "t.h"

#define N 6000

static void
test_against_reference(void)
{
	struct strmap m = { 0 };
	static int present[N];
	char k[32];
	unsigned seed = 7;
	int i, round, bad = 0;

	for (round = 0; round < 4; round++) {
		for (i = 0; i < N; i++) {
			seed = seed * 1103515245u + 12345u;
			snprintf(k, sizeof(k), "key-%d", i);
			if ((seed >> 16) % 3 == 0) {
				CHECK_INT(strmap_del(&m, k, strlen(k)), present[i]);
				present[i] = 0;
			} else {
				int created;
				uint32_t *v = strmap_put(&m, k, strlen(k), &created);

				if (created != !present[i])
					bad++;
				*v = (uint32_t)i;
				present[i] = 1;
			}
		}
		for (i = 0; i < N; i++) {
			uint32_t *v;

			snprintf(k, sizeof(k), "key-%d", i);
			v = strmap_get(&m, k, strlen(k));
			if ((v != NULL) != present[i] || (v && *v != (uint32_t)i))
				bad++;
			if (present[i] && strcmp(strmap_key(&m, k, strlen(k)), k) != 0)
				bad++;
		}
	}
	CHECK_INT(bad, 0);
	for (i = 0, round = 0; i < N; i++)
		round += present[i];
	CHECK_INT(m.n, round);
	/* a prefix is not the key */
	CHECK(strmap_get(&m, "key-1", 4) == NULL);
	strmap_free(&m);
}

/*
 * The memo never answers wrong: far more keys than it holds, every lookup
 * a miss or the value that was put; the keys put last all hit; a failure
 * (NULL) is remembered as one; a value put again replaces the old.
 */
static void
test_memo(void)
{
	static struct memo m;
	char in[32], out[32];
	const char *r;
	int i, wrong = 0, hits = 0, recent = 0;

	for (i = 0; i < 300000; i++) {
		snprintf(in, sizeof(in), "name %d", i);
		snprintf(out, sizeof(out), "key %d", i * 7);
		/* what it keeps is a copy of what was put */
		r = memo_put(&m, in, i % 10 ? out : NULL);
		wrong += i % 10 ? r == NULL || r == out || strcmp(r, out) != 0 :
		    r != NULL;
	}
	CHECK_INT(wrong, 0);
	for (i = 0; i < 300000; i++) {
		snprintf(in, sizeof(in), "name %d", i);
		snprintf(out, sizeof(out), "key %d", i * 7);
		if (!memo_find(&m, in, &r))
			continue;
		hits++;
		if (i % 10 ? r == NULL || strcmp(r, out) != 0 : r != NULL)
			wrong++;
		else if (i >= 299000)
			recent++;
	}
	CHECK_INT(wrong, 0);
	CHECK_INT(recent, 1000);
	CHECK(hits > MEMO_SETS && hits <= MEMO_SETS * MEMO_WAYS);
	CHECK(memo_find(&m, "never put", &r) == 0);
	memo_put(&m, "name 299999", "again");
	CHECK(memo_find(&m, "name 299999", &r) == 1 && r && strcmp(r, "again") == 0);
	memo_clear(&m);
	CHECK(memo_find(&m, "name 299999", &r) == 0);
}

/* intern: put and key in one probe, the same entry both ways */
static void
test_intern(void)
{
	struct strmap m = { 0 };
	uint32_t *v1, *v2;
	const char *a = strmap_intern(&m, "acme.example/x", 12, &v1), *b;

	CHECK(a != NULL && strcmp(a, "acme.example") == 0);
	*v1 = 7;
	b = strmap_intern(&m, "acme.example", 12, &v2);
	CHECK(a == b && v1 == v2 && *v2 == 7);
	CHECK(strmap_get(&m, "acme.example", 12) == v1);
	CHECK(strmap_key(&m, "acme.example", 12) == a);
	CHECK_INT((int)m.n, 1);
	CHECK(strmap_intern(&m, "other", 5, NULL) != a);
	CHECK_INT((int)m.n, 2);
	strmap_free(&m);
}

/* The counted set against an array of counts: adds, removals past zero,
 * growth, and deletions in the middle of probe runs. */
static void
test_countset(void)
{
	struct countset c = { 0 };
	static uint32_t want[N];
	char k[32];
	unsigned seed = 11;
	int i, round, bad = 0;

	for (round = 0; round < 6; round++) {
		for (i = 0; i < N; i++) {
			seed = seed * 1103515245u + 12345u;
			snprintf(k, sizeof(k), "name %d", i);
			if ((seed >> 16) % 5 < 2) {
				/* the count it had, then one less */
				if (countset_remove(&c, k, strlen(k)) != want[i])
					bad++;
				if (want[i])
					want[i]--;
			} else if (countset_add(&c, k, strlen(k)) != ++want[i])
				bad++;
		}
		for (i = 0; i < N; i++) {
			snprintf(k, sizeof(k), "name %d", i);
			if (countset_get(&c, k, strlen(k)) != want[i])
				bad++;
		}
	}
	CHECK_INT(bad, 0);
	{
		size_t held = 0;

		for (i = 0; i < N; i++)
			held += want[i] > 0;
		CHECK_INT(c.n, held);
	}
	CHECK_INT(countset_get(&c, "never", 5), 0);
	CHECK_INT(countset_remove(&c, "never", 5), 0);
	countset_free(&c);
	CHECK_INT(countset_get(&c, "name 1", 6), 0);
}

int
main(void)
{
	T_RUN(test_intern);
	T_RUN(test_memo);
	T_RUN(test_against_reference);
	T_RUN(test_countset);
	return t_done("strmap");
}
