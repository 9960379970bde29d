/*
** read_file.h: the whole of a file as a NUL-terminated malloc'd string (NULL if it cannot be
** read). The unit tests that compare with a plain-SQL reference in sql/reference/ read it with
** this; they run from the repository root.
*/
#ifndef GROWTH_TEST_READ_FILE_H
#define GROWTH_TEST_READ_FILE_H

#include <stdio.h>
#include <stdlib.h>

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *s = NULL;
  long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
    if (fread(s, 1, (size_t)n, f) == (size_t)n) s[n] = 0;
    else { free(s); s = NULL; }
  }
  fclose(f);
  return s;
}

#endif
