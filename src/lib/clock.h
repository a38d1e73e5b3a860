/*
 * clock: time is injected (STYLE.md rule 9). Code that needs the time takes a
 * `const struct clock *` and calls clock_now(); main passes clock_system(), tests pin a value
 * with clock_fixed(). The struct is a small value; copy it freely.
 */
#ifndef REBOUND_LIB_CLOCK_H
#define REBOUND_LIB_CLOCK_H

#include <stdint.h>

struct clock {
    /* Returns the current time in milliseconds since the Unix epoch. */
    int64_t (*now_ms)(const void *ctx);
    const void *ctx;
};

/* The real wall clock (CLOCK_REALTIME). */
struct clock clock_system(void);
/* A clock that always answers *ms_since_epoch; the pointee is borrowed and may be changed by the
 * test between calls to move time. */
struct clock clock_fixed(const int64_t *ms_since_epoch);

int64_t clock_now_ms(const struct clock *c);
/* Seconds since the epoch, rounded down. */
int64_t clock_now(const struct clock *c);

#endif
