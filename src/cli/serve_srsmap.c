/* The srsmap role of `rebound serve`: postsrsd-compatible lookups (srsmap_role.h) on the
 * shared event loop and SRS engine, when srsmap.* endpoints are configured. */
#include "serve.h"
#include "srsmap_role.h"

static bool serve_srsmap_start(struct serve *sv, char **error_r)
{
    sv->srsmap = srsmap_role_start(sv->cfg, sv->base, sv->srs, error_r);
    return sv->srsmap != NULL;
}

/* Lookups are answered at once: nothing to drain, never busy across a loop turn. */
static void serve_srsmap_drain(struct serve *sv)
{
    (void)sv;
}

static bool serve_srsmap_idle(const struct serve *sv)
{
    (void)sv;
    return true;
}

static void serve_srsmap_stop(struct serve *sv)
{
    srsmap_role_stop(sv->srsmap);
    sv->srsmap = NULL;
}

const struct serve_role serve_role_srsmap = {
    "srsmap",           srsmap_role_is_configured, serve_srsmap_start,
    serve_srsmap_drain, serve_srsmap_idle,         serve_srsmap_stop,
};
