/*
 * utf8.h - UTF-8 text cut to a length without breaking a character.
 *
 * Salesforce measures a text field's length in characters as Java counts
 * them: UTF-16 code units, so a character outside the Basic Multilingual
 * Plane (most emoji) counts two. These functions count the same way.
 */
#ifndef CHANSYNC_UTF8_H
#define CHANSYNC_UTF8_H

#include <stddef.h>

/*
 * The length in bytes of the one UTF-8 character at s (n bytes
 * available), with its code point in *ret_cp; 0 when s does not start
 * with a valid, shortest-form character (a stray continuation byte, an
 * overlong form, a surrogate, past U+10FFFF, or cut short).
 */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned *ret_cp);

/*
 * A new string: s with every invalid byte replaced by U+FFFD, cut after
 * the last whole character that keeps it within max_units UTF-16 code
 * units. Always valid UTF-8; the caller frees it.
 */
char *utf8_cut(const char *s, size_t max_units);

/* The length of valid UTF-8 s in UTF-16 code units (invalid bytes count one). */
size_t utf8_units(const char *s);

#endif
