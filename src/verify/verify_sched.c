/* verify_sched: see verify_sched.h. */
#include "verify_sched.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>

#include "log.h"
#include "xalloc.h"

struct verify_sched {
    struct verify_runner *runner;
    const struct clock *clock;
    int64_t interval_ms;
    struct event *timer;
};

static void verify_sched_report(const struct verify_report *report, void *arg)
{
    (void)report; /* verify_run logs and records every check */
    (void)arg;
}

static bool verify_sched_due(const struct verify_sched *s, enum identity_status status,
                             int64_t last_check_ms, int64_t now)
{
    return status != IDENTITY_FAILED && now - last_check_ms >= s->interval_ms;
}

/* Starts one check if due; returns 1 if started. */
static int verify_sched_start(struct verify_sched *s, const char *name,
                              enum store_check_target target)
{
    if (verify_runner_is_pending(s->runner, name, target))
        return 0;
    char *error = NULL;
    if (verify_runner_start(s->runner, name, target, verify_sched_report, NULL, &error))
        return 1;
    LOG_WARN(name, "verify-skip reason=\"%s\"", error);
    free(error);
    return 0;
}

int verify_sched_tick(struct verify_sched *s)
{
    struct store_identity_list list;
    char *error = NULL;
    struct store *st = verify_runner_store(s->runner);
    if (store_identity_list(st, NULL, 0, &list, &error) != STORE_OK) {
        LOG_WARN("-", "verify-tick store=\"%s\"", error);
        free(error);
        return -1;
    }
    int64_t now = clock_now_ms(s->clock);
    int started = 0;
    for (size_t i = 0; i < list.n && started < VERIFY_SCHED_MAX_PER_TICK; i++) {
        const struct store_identity *id = &list.items[i];
        if (id->kind == IDENTITY_DOMAIN && !id->forced && id->token != NULL &&
            verify_sched_due(s, id->status, id->last_check_ms, now))
            started += verify_sched_start(s, id->name, STORE_CHECK_IDENTITY);
        const struct store_mail_from *mf = &id->mail_from;
        if (mf->domain != NULL && verify_sched_due(s, mf->status, mf->last_check_ms, now))
            started += verify_sched_start(s, id->name, STORE_CHECK_MAIL_FROM);
    }
    store_identity_list_free(&list);
    return started;
}

static void verify_sched_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)verify_sched_tick(arg);
}

struct verify_sched *verify_sched_new(struct event_base *base, struct verify_runner *runner,
                                      const struct clock *clock, int64_t interval_ms,
                                      int64_t tick_ms)
{
    struct verify_sched *s = xcalloc(1, sizeof(*s));
    s->runner = runner;
    s->clock = clock;
    s->interval_ms = interval_ms;
    s->timer = event_new(base, -1, EV_PERSIST, verify_sched_timer, s);
    struct timeval tv = {(time_t)(tick_ms / 1000), (suseconds_t)((tick_ms % 1000) * 1000)};
    event_add(s->timer, &tv);
    return s;
}

void verify_sched_free(struct verify_sched *s)
{
    if (s == NULL)
        return;
    event_free(s->timer);
    free(s);
}
