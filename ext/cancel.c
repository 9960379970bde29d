/* cancel.c: see cancel.h. */
#include "cancel.h"

const char gcancel_reason[] = "interrupted";

int gcancel_poll_now(gcancel *c) {
  if (c->stopped) return 1;
  c->left = GCANCEL_PERIOD;
  if (c->poll && c->poll(c->ctx)) c->stopped = 1;
  return c->stopped;
}
