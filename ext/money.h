/*
** money.h: exact money as int64 minor units (cents at scale 2, yen at scale 0, fils at 3).
**
** Nothing here uses binary floating point for arithmetic: REAL inputs are converted once,
** through their shortest decimal text, so 19.99 is 1999 and 1.005 is 1.005 (not
** 1.00499999...). Every add and multiply is overflow-checked; rates are exact decimals in
** parts per million (0.8 = 800000 ppm); apportioning is largest remainder, exact to the unit.
**
** Functions return NULL on success or a static reason for the SQL glue's error text.
*/
#ifndef GROWTH_MONEY_H
#define GROWTH_MONEY_H

#include <stddef.h>
#include <stdint.h>

#define GMONEY_MAX_SCALE 6
#define GMONEY_PPM INT64_C(1000000)

typedef enum { GROUND_HALF_UP, GROUND_HALF_EVEN, GROUND_DOWN, GROUND_UP } ground;

/* "half_up" | "half_even" | "down" | "up"; NULL on success. */
const char *gmoney_parse_rounding(const char *s, ground *out);
const char *gmoney_rounding_name(ground r);

/* Decimal text ("19.99", "-3", "1e3", " 2.5 ") to minor units at `scale`; digits beyond the
** scale are rounded with `r`. n<0: NUL-terminated. */
const char *gmoney_parse_text(const char *s, int n, int scale, ground r, int64_t *out);
const char *gmoney_from_int(int64_t v, int scale, int64_t *out);
const char *gmoney_from_real(double v, int scale, ground r, int64_t *out);
/* gmoney_from_real(v, scale, GROUND_HALF_UP) for most REALs without printing them (a few
** nanoseconds instead of a microsecond: what reading a million amounts needs): 1 with *out, or
** 0 when the caller must take gmoney_from_real (amounts near a half unit, large or not finite). */
int gmoney_from_real_half_up_fast(double v, int scale, int64_t *out);
/* A rate or fraction as parts per million from text / double (no range check here). */
const char *gmoney_rate_from_text(const char *s, int n, int64_t *out_ppm);
const char *gmoney_rate_from_real(double v, int64_t *out_ppm);

/* Overflow-checked arithmetic: 0 on success, 1 on overflow (out untouched). */
int gmoney_add(int64_t a, int64_t b, int64_t *out);
int gmoney_sub(int64_t a, int64_t b, int64_t *out);
int gmoney_mul(int64_t a, int64_t b, int64_t *out);
/* round(num / den) under r, den > 0. 0 on success, 1 on overflow. */
int gmoney_div_round(int64_t num, int64_t den, ground r, int64_t *out);
/* round(amount * ppm / 1e6) under r: the price of `amount` at rate `ppm`. */
int gmoney_mul_ppm(int64_t amount, int64_t ppm, ground r, int64_t *out);

/* Minor units as decimal text ("-12.05"); buf needs GMONEY_TEXT_MAX bytes. */
#define GMONEY_TEXT_MAX 32
char *gmoney_format(int64_t v, int scale, char *buf);
double gmoney_to_real(int64_t v, int scale);
int64_t gmoney_pow10(int scale);

/* Largest-remainder apportioning of `amount` (>= 0) over n parts in proportion to
** weights (>= 0), never giving a part more than caps[i] (caps may be NULL: no caps).
** Shares are floor(amount * w / W); the units left go one each to the largest remainders,
** ties to the earlier part. A part that would exceed its cap is held at the cap and the
** excess is shared among the others the same way. All-zero weights share equally.
** *left gets what could not be placed because the caps were too small (0 normally).
** Returns NULL, or a reason (negative input, overflow). */
const char *gmoney_apportion(int64_t amount, const int64_t *weights, const int64_t *caps, int n,
                             int64_t *out, int64_t *left);

#endif
