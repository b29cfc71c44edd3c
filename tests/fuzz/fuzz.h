/*
 * fuzz.h - what the libFuzzer targets share. Each target checks what
 * must hold for any input and calls abort() when it does not, so that
 * libFuzzer keeps the input that broke it.
 */
#ifndef CHANSYNC_FUZZ_H
#define CHANSYNC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* 1 when s[0..n) is valid UTF-8. */
static inline int
fuzz_valid_utf8(const char *s, size_t n)
{
	size_t i = 0, k;
	unsigned cp;

	while (i < n) {
		if ((k = utf8_decode((const unsigned char *)s + i, n - i, &cp)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* The input as a C string (cut at its first NUL); the caller frees it. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#define FUZZ_ASSERT(c) do { if (!(c)) abort(); } while (0)

#endif
