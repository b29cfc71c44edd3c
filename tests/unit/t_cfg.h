/*
 * t_cfg.h - a test's configuration from YAML text, and times: both stop
 * the test binary (exit 2) with the reason when the test itself is wrong.
 */
#ifndef CHANSYNC_T_CFG_H
#define CHANSYNC_T_CFG_H

#include "config/config.h"
#include "lib/diag.h"
#include "model/normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __attribute__((unused)) struct config *
t_config(const char *yaml)
{
	struct diags d;
	struct config *cfg;
	size_t i;

	diags_init(&d, "t.yaml");
	cfg = config_load_buffer("t.yaml", yaml, strlen(yaml), 0, &d);
	if (cfg == NULL) {
		for (i = 0; i < d.n; i++) {
			char *m = diags_format(&d, i);

			fprintf(stderr, "%s\n", m);
			free(m);
		}
		exit(2);
	}
	diags_free(&d);
	return cfg;
}

static __attribute__((unused)) int64_t
t_time(const char *iso)
{
	int64_t t;

	if (norm_time(iso, TIME_ISO8601, &t) < 0) {
		fprintf(stderr, "bad time %s\n", iso);
		exit(2);
	}
	return t;
}

#endif
