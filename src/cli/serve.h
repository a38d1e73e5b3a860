/*
 * serve: what `rebound serve` runs, as a list of roles sharing one event loop, one store
 * service and one SRS engine. A role is four functions (serve_roles[] in cli_serve.c):
 * wanted (is it configured?), start, drain (stop accepting new work), idle (no work in
 * flight) and stop. Adding the feedback MX, delivery or the API later is one table line and
 * one serve_<role>.c file.
 * Ownership: struct serve is cli_serve's; each role owns what it puts in its members and
 * releases it in its stop function (which accepts a role that never started).
 */
#ifndef REBOUND_CLI_SERVE_H
#define REBOUND_CLI_SERVE_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "smtp_setup.h"
#include "srs.h"
#include "store_service.h"

struct submit;
struct srsmap_role;
struct feedback_role;
struct queue_role;

struct serve {
    const struct config *cfg;
    struct event_base *base;
    struct clock clock;
    int64_t fixed_ms; /* clock.fixed (testing) */
    struct store_service *store;
    struct srs *srs;
    /* submission role */
    struct smtp_setup setup;
    bool setup_loaded;
    struct smtp_server *smtp;
    struct submit *submit;
    /* srsmap role */
    struct srsmap_role *srsmap;
    /* feedback MX role */
    struct feedback_role *feedback;
    /* delivery role */
    struct queue_role *queue;
};

struct serve_role {
    const char *name;
    bool (*wanted)(const struct config *cfg);
    bool (*start)(struct serve *sv, char **error_r);
    void (*drain)(struct serve *sv);
    bool (*idle)(const struct serve *sv);
    void (*stop)(struct serve *sv);
};

extern const struct serve_role serve_role_submission;
extern const struct serve_role serve_role_srsmap;
extern const struct serve_role serve_role_feedback;
extern const struct serve_role serve_role_delivery;

#endif
