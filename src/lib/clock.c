#include "clock.h"

#include <time.h>

static int64_t clock_system_now(const void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t clock_fixed_now(const void *ctx)
{
    return *(const int64_t *)ctx;
}

struct clock clock_system(void)
{
    struct clock c = {clock_system_now, NULL};
    return c;
}

struct clock clock_fixed(const int64_t *ms_since_epoch)
{
    struct clock c = {clock_fixed_now, ms_since_epoch};
    return c;
}

int64_t clock_now_ms(const struct clock *c)
{
    return c->now_ms(c->ctx);
}

int64_t clock_now(const struct clock *c)
{
    int64_t ms = clock_now_ms(c);
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}
