/*
 * normalize_country.h - countries to ISO 3166-1 alpha-2, from Debian's
 * iso-codes data (loaded by normalize_init).
 */
#ifndef CHANSYNC_NORMALIZE_COUNTRY_H
#define CHANSYNC_NORMALIZE_COUNTRY_H

/* ISO 3166-1 alpha-2 or alpha-3, or a country's name in any language
 * iso-codes knows, or a common abbreviation (UK, USA) -> alpha-2. */
int norm_country(const char *s, char out[3]);
/* Frees the country table. */
void norm_country_free(void);

#endif
