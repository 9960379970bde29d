/*
** utf8.h: cutting text on character boundaries. Error messages quote user values and cut long
** ones; a cut inside a multi-byte UTF-8 character leaves bytes that are not UTF-8, and clients
** that decode messages strictly (Python's sqlite3) then lose the whole message. Pure C.
*/
#ifndef GROWTH_UTF8_H
#define GROWTH_UTF8_H

#include <stddef.h>

/* Bytes of s[0..n) to keep so that at most max bytes remain and no character is split: n when
** n <= max, else max moved back to the start of the character that straddles it. */
static inline size_t gutf8_prefix(const char *s, size_t n, size_t max) {
  if (n <= max) return n;
  size_t i = max;
  while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) i--;
  return i;
}

/* The length of s[0..n) without a last character that was cut short (snprintf's truncation):
** n when the text ends on a boundary. */
static inline size_t gutf8_complete(const char *s, size_t n) {
  size_t lead = n;
  for (int back = 0; lead > 0 && back < 4; back++) {
    unsigned char c = (unsigned char)s[lead - 1];
    lead--;
    if ((c & 0xC0) != 0x80) {
      size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
      return lead + need <= n ? n : lead;
    }
  }
  return n;
}

#endif
