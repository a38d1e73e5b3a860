/* The feedback MX role of `rebound serve` (feedback_setup.h): bounces and complaints for the
 * bounce domains, on the shared event loop and store service, when feedback.listen is set. */
#include "feedback_setup.h"
#include "serve.h"

static bool serve_feedback_wanted(const struct config *cfg)
{
    return config_is_set(cfg, "feedback.listen");
}

static bool serve_feedback_start(struct serve *sv, char **error_r)
{
    sv->feedback = feedback_role_start(sv->base, sv->cfg, sv->store, error_r);
    return sv->feedback != NULL;
}

/* Reports are committed before their 250; a session cut at shutdown loses nothing. */
static void serve_feedback_drain(struct serve *sv)
{
    (void)sv;
}

static bool serve_feedback_idle(const struct serve *sv)
{
    (void)sv;
    return true;
}

static void serve_feedback_stop(struct serve *sv)
{
    feedback_role_stop(sv->feedback);
    sv->feedback = NULL;
}

const struct serve_role serve_role_feedback = {
    "feedback",           serve_feedback_wanted, serve_feedback_start,
    serve_feedback_drain, serve_feedback_idle,   serve_feedback_stop,
};
