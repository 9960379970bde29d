/*
** chart.h: the pure core of bar() and shade(): numbers in, UTF-8 text out. No SQLite calls,
** so tests/test_chart.c drives it directly.
*/
#ifndef GROWTH_CHART_H
#define GROWTH_CHART_H

#include <stddef.h>

#define GCHART_MAX_WIDTH 1000
#define GCHART_DEFAULT_WIDTH 20

/* Bytes bar text of `width` cells may need, with the terminating NUL (3 bytes a block). */
#define GCHART_BAR_BYTES(width) ((size_t)(width) * 3 + 1)

/* How many eighth-blocks a bar of value/max over width cells has: value/max clamped to [0, 1]
** (value <= 0, max <= 0 and NaN give 0), times width*8, rounded half up. */
long gchart_bar_eighths(double value, double max, int width);

/* Writes the bar for `eighths` (full blocks then one partial block) into out, which holds
** GCHART_BAR_BYTES(width) bytes; returns the length in bytes. */
size_t gchart_bar_text(long eighths, char *out);

/* The ramp step 0..4 for a rate in [0, 1]: five equal bins, 1.0 in the top one; -1 when the rate
** is outside [0, 1] or NaN. */
int gchart_shade_step(double rate);

/* The ramp step for a rate on a scale from 0 to max (> 0): five equal bins of max/5, a rate
** at or above max in the top one; -1 when max is not above 0 or either is NaN or infinite. */
int gchart_shade_step_scaled(double rate, double max);

/* The character of a ramp step as UTF-8: " ", "░", "▒", "▓", "█". */
const char *gchart_shade_char(int step);

#endif
