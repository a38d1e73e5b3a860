/* The delivery role of `rebound serve` (queue_role.h): the scheduler delivering what the
 * submission and feedback roles commit, when serve.delivery is on (the default). */
#include "queue_role.h"
#include "serve.h"

static bool serve_delivery_wanted(const struct config *cfg)
{
    return config_get_bool(cfg, "serve.delivery");
}

static bool serve_delivery_start(struct serve *sv, char **error_r)
{
    sv->queue = queue_role_new(sv->base, sv->cfg, sv->store, NULL, NULL, error_r);
    if (sv->queue == NULL)
        return false;
    queue_role_start(sv->queue);
    return true;
}

/* Recipients in flight keep their leases: after a restart they are retried (at least once). */
static void serve_delivery_drain(struct serve *sv)
{
    (void)sv;
}

static bool serve_delivery_idle(const struct serve *sv)
{
    (void)sv;
    return true;
}

static void serve_delivery_stop(struct serve *sv)
{
    if (sv->queue != NULL)
        queue_role_stop(sv->queue);
    queue_role_free(sv->queue);
    sv->queue = NULL;
}

const struct serve_role serve_role_delivery = {
    "delivery",           serve_delivery_wanted, serve_delivery_start,
    serve_delivery_drain, serve_delivery_idle,   serve_delivery_stop,
};
