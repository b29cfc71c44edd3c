/* test_strmap.c - the hash map against a plain array, through growth and
 * deletions that shift probe runs. */
#include "strmap.h"
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

int
main(void)
{
	T_RUN(test_against_reference);
	return t_done("strmap");
}
