/* json_rule.c: see json_rule.h. Recursive descent with a depth limit. */
#include "json_rule.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define GJ_MAX_DEPTH 32

typedef struct jp { const char *s; size_t n, i; const char *why; int depth; } jp;

static void ws(jp *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')) p->i++;
}

static int fail(jp *p, const char *why) { if (!p->why) p->why = why; return -1; }

static int hex4(jp *p, unsigned *out) {
  if (p->i + 4 > p->n) return fail(p, "truncated \\u escape");
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    char c = p->s[p->i++];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return fail(p, "bad \\u escape");
  }
  *out = v;
  return 0;
}

/* Reads a string (p->s[p->i] == '"') into a fresh NUL-terminated buffer. */
static int str(jp *p, char **out) {
  p->i++;
  /* The unescaped text is never longer than the escaped text. */
  size_t start = p->i;
  while (p->i < p->n && p->s[p->i] != '"') p->i += p->s[p->i] == '\\' ? 2 : 1;
  if (p->i >= p->n) return fail(p, "unterminated string");
  char *buf = gmem_alloc(p->i - start + 1);
  if (!buf) return fail(p, "out of memory");
  size_t o = 0;
  p->i = start;
  while (p->s[p->i] != '"') {
    unsigned char c = (unsigned char)p->s[p->i++];
    if (c < 0x20) { gmem_free(buf); return fail(p, "control character in string"); }
    if (c != '\\') { buf[o++] = (char)c; continue; }
    char e = p->s[p->i++];
    switch (e) {
      case '"': buf[o++] = '"'; break;
      case '\\': buf[o++] = '\\'; break;
      case '/': buf[o++] = '/'; break;
      case 'b': buf[o++] = '\b'; break;
      case 'f': buf[o++] = '\f'; break;
      case 'n': buf[o++] = '\n'; break;
      case 'r': buf[o++] = '\r'; break;
      case 't': buf[o++] = '\t'; break;
      case 'u': {
        unsigned cp;
        if (hex4(p, &cp)) { gmem_free(buf); return -1; }
        /* Strings are C strings from here on: a NUL would cut "discount\u0000junk" to a valid
        ** "discount" (issue 16 L9), so it is refused rather than kept. */
        if (cp == 0) { gmem_free(buf); p->i -= 6; return fail(p, GJSON_NUL_IN_STRING); }
        if (cp >= 0xD800 && cp < 0xDC00) {
          unsigned lo;
          if (p->i + 2 > p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u') { gmem_free(buf); return fail(p, "lone surrogate"); }
          p->i += 2;
          if (hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF) { gmem_free(buf); return fail(p, "lone surrogate"); }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp < 0xE000) { gmem_free(buf); return fail(p, "lone surrogate"); }
        /* \uXXXX is 6 bytes of input, at most 4 of output; a pair is 12 for 4. */
        if (cp < 0x80) buf[o++] = (char)cp;
        else if (cp < 0x800) { buf[o++] = (char)(0xC0 | (cp >> 6)); buf[o++] = (char)(0x80 | (cp & 0x3F)); }
        else if (cp < 0x10000) {
          buf[o++] = (char)(0xE0 | (cp >> 12)); buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
          buf[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
          buf[o++] = (char)(0xF0 | (cp >> 18)); buf[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
          buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3F)); buf[o++] = (char)(0x80 | (cp & 0x3F));
        }
        break;
      }
      default: gmem_free(buf); p->i--; return fail(p, "bad escape in string");
    }
  }
  p->i++;
  buf[o] = 0;
  *out = buf;
  return 0;
}

static int digits(jp *p) {
  size_t s = p->i;
  while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') p->i++;
  return p->i > s ? 0 : fail(p, "bad number");
}

static int value(jp *p, gjson *v);

typedef struct key_ref { const char *key; int idx; } key_ref;

static int by_key_then_index(const void *a, const void *b) {
  const key_ref *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : x->idx - y->idx;
}

/* An object's keys must differ (RFC 8259 says SHOULD; a reader that keeps the first copy lets a
** later one go unvalidated). Sorting makes this O(n log n) for objects of any size. On a
** duplicate, p->i is set to the offset of the first key that repeats an earlier one. */
static int unique_keys(jp *p, const gjson *v, const size_t *key_at) {
  if (v->n < 2) return 0;
  key_ref *refs = gmem_alloc(sizeof *refs * (size_t)v->n);
  if (!refs) return fail(p, "out of memory");
  for (int k = 0; k < v->n; k++) refs[k] = (key_ref){v->keys[k], k};
  qsort(refs, (size_t)v->n, sizeof *refs, by_key_then_index);
  int first_repeat = -1;
  for (int k = 1; k < v->n; k++)
    if (strcmp(refs[k].key, refs[k - 1].key) == 0 && (first_repeat < 0 || refs[k].idx < first_repeat))
      first_repeat = refs[k].idx;
  gmem_free(refs);
  if (first_repeat < 0) return 0;
  p->i = key_at[first_repeat];
  return fail(p, GJSON_DUPLICATE_KEY);
}

static int grow(gjson *v, int *cap, int obj) {
  if (v->n < *cap) return 0;
  int nc = *cap ? *cap * 2 : 4;
  gjson *items = gmem_realloc(v->items, sizeof *items * (size_t)nc);
  if (!items) return -1;
  v->items = items;
  if (obj) {
    char **keys = gmem_realloc(v->keys, sizeof *keys * (size_t)nc);
    if (!keys) return -1;
    v->keys = keys;
  }
  *cap = nc;
  return 0;
}

static int value(jp *p, gjson *v) {
  memset(v, 0, sizeof *v);
  ws(p);
  if (p->i >= p->n) return fail(p, "unexpected end of text");
  char c = p->s[p->i];
  if (c == '{' || c == '[') {
    if (++p->depth > GJ_MAX_DEPTH) return fail(p, "nested too deeply");
    int obj = c == '{', cap = 0, rc = 0;
    size_t *key_at = NULL;  /* objects: where each key starts, for the duplicate-key error */
    v->kind = obj ? GJ_OBJECT : GJ_ARRAY;
    p->i++;
    ws(p);
    if (p->i < p->n && p->s[p->i] == (obj ? '}' : ']')) { p->i++; p->depth--; return 0; }
    for (;;) {
      int old_cap = cap;
      if (grow(v, &cap, obj)) { gmem_free(key_at); return fail(p, "out of memory"); }
      if (obj && cap != old_cap) {
        size_t *ka = gmem_realloc(key_at, sizeof *ka * (size_t)cap);
        if (!ka) { gmem_free(key_at); return fail(p, "out of memory"); }
        key_at = ka;
      }
      if (obj) {
        ws(p);
        if (p->i >= p->n || p->s[p->i] != '"') { gmem_free(key_at); return fail(p, "expected a string key"); }
        key_at[v->n] = p->i;
        if (str(p, &v->keys[v->n])) { gmem_free(key_at); return -1; }
        ws(p);
        if (p->i >= p->n || p->s[p->i] != ':') {
          gmem_free(v->keys[v->n]);
          gmem_free(key_at);
          return fail(p, "expected ':'");
        }
        p->i++;
      }
      if (value(p, &v->items[v->n])) {
        gjson_free(&v->items[v->n]);
        if (obj) gmem_free(v->keys[v->n]);
        gmem_free(key_at);
        return -1;
      }
      v->n++;
      ws(p);
      if (p->i < p->n && p->s[p->i] == ',') { p->i++; continue; }
      if (p->i < p->n && p->s[p->i] == (obj ? '}' : ']')) { p->i++; break; }
      gmem_free(key_at);
      return fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    if (obj) rc = unique_keys(p, v, key_at);
    gmem_free(key_at);
    p->depth--;
    return rc;
  }
  if (c == '"') { v->kind = GJ_STRING; return str(p, &v->text); }
  if (c == '-' || (c >= '0' && c <= '9')) {
    size_t s = p->i;
    if (c == '-') p->i++;
    if (p->i < p->n && p->s[p->i] == '0') p->i++;
    else if (digits(p)) return -1;
    if (p->i < p->n && p->s[p->i] == '.') { p->i++; if (digits(p)) return -1; }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
      p->i++;
      if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) p->i++;
      if (digits(p)) return -1;
    }
    v->kind = GJ_NUMBER;
    v->text = gmem_alloc(p->i - s + 1);
    if (!v->text) return fail(p, "out of memory");
    memcpy(v->text, p->s + s, p->i - s);
    v->text[p->i - s] = 0;
    return 0;
  }
  static const struct { const char *w; gjson_kind k; } lits[] = {{"true", GJ_TRUE}, {"false", GJ_FALSE}, {"null", GJ_NULL}};
  for (int k = 0; k < 3; k++) {
    size_t l = strlen(lits[k].w);
    if (p->n - p->i >= l && memcmp(p->s + p->i, lits[k].w, l) == 0) { p->i += l; v->kind = lits[k].k; return 0; }
  }
  return fail(p, "unexpected character");
}

void gjson_free(gjson *v) {
  if (!v) return;
  for (int i = 0; i < v->n; i++) {
    gjson_free(&v->items[i]);
    if (v->keys) gmem_free(v->keys[i]);
  }
  gmem_free(v->items);
  gmem_free(v->keys);
  gmem_free(v->text);
  memset(v, 0, sizeof *v);
}

const char *gjson_parse(const char *text, size_t len, gjson *out, size_t *err_at) {
  jp p = {text, len, 0, NULL, 0};
  int rc = value(&p, out);
  if (rc == 0) {
    ws(&p);
    if (p.i < p.n) { p.why = "unexpected text after the value"; rc = -1; }
  }
  if (rc) {
    gjson_free(out);
    *err_at = p.i;
    return p.why ? p.why : "invalid JSON";
  }
  return NULL;
}

const gjson *gjson_get(const gjson *obj, const char *key) {
  if (!obj || obj->kind != GJ_OBJECT) return NULL;
  for (int i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
  return NULL;
}

const char *gjson_kind_name(gjson_kind k) {
  static const char *const names[] = {"null", "false", "true", "a number", "a string", "an array", "an object"};
  return names[k];
}
