#include "queue_role.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "deliver_tls.h"
#include "dns_cache.h"
#include "dns_cares.h"
#include "xalloc.h"

struct queue_role {
    struct dns_resolver cares, resolver;
    bool have_resolver;
    SSL_CTX *ssl_ctx;
    struct deliver *deliver;
    struct deliver_sched *sched;
    int64_t fixed_ms; /* clock.fixed, for tests */
    char host[256];
};

static enum smtp_client_tls queue_role_tls(const char *name)
{
    return strcmp(name, "none") == 0     ? SMTP_CLIENT_TLS_NONE
           : strcmp(name, "verify") == 0 ? SMTP_CLIENT_TLS_VERIFY
                                         : SMTP_CLIENT_TLS_MAY;
}

void queue_role_deliver_options(const struct config *cfg, struct deliver_options *o)
{
    o->route.port = (uint16_t)config_get_int(cfg, "deliver.smtp_port");
    o->route.max_hosts = (size_t)config_get_int(cfg, "deliver.max_mx_hosts");
    o->route.max_addrs = (size_t)config_get_int(cfg, "deliver.max_mx_addresses");
    o->tls_default = queue_role_tls(config_get_string(cfg, "deliver.tls_policy"));
    o->timeouts.connect_ms = (int)config_get_int(cfg, "deliver.connect_timeout_ms");
    o->timeouts.greeting_ms = (int)config_get_int(cfg, "deliver.greeting_timeout_ms");
    o->timeouts.command_ms = (int)config_get_int(cfg, "deliver.command_timeout_ms");
    o->timeouts.mail_ms = (int)config_get_int(cfg, "deliver.mail_timeout_ms");
    o->timeouts.rcpt_ms = (int)config_get_int(cfg, "deliver.rcpt_timeout_ms");
    o->timeouts.data_init_ms = (int)config_get_int(cfg, "deliver.data_init_timeout_ms");
    o->timeouts.data_block_ms = (int)config_get_int(cfg, "deliver.data_block_timeout_ms");
    o->timeouts.data_term_ms = (int)config_get_int(cfg, "deliver.data_term_timeout_ms");
    o->cache_idle_ms = (int)config_get_int(cfg, "deliver.conn_cache_idle_ms");
    o->cache_max = (size_t)config_get_int(cfg, "deliver.conn_cache_max");
    o->reuse_limit = (unsigned)config_get_int(cfg, "deliver.conn_reuse_limit");
}

static bool queue_role_resolver(struct queue_role *q, struct event_base *base,
                                const struct config *cfg, char **error_r)
{
    struct dns_cares_options dns_options = {
        .servers = config_get_string(cfg, "dns.servers"),
        .timeout_ms = (int)config_get_int(cfg, "dns.timeout_ms"),
        .tries = (int)config_get_int(cfg, "dns.tries"),
    };
    if (!dns_cares_new(base, &dns_options, &q->cares, error_r))
        return false;
    struct dns_cache_options cache_options = {.clock = clock_system()};
    dns_cache_new(base, q->cares, &cache_options, &q->resolver);
    q->have_resolver = true;
    return true;
}

static void queue_role_sched(struct queue_role *q, struct event_base *base,
                             const struct config *cfg, struct store_service *svc,
                             deliver_sched_idle_fn *idle, void *idle_arg, const char *helo)
{
    const char *mta = config_get_string(cfg, "deliver.reporting_mta");
    struct deliver_sched_options so = {
        .base = base,
        .svc = svc,
        .deliver = q->deliver,
        .clock = clock_system(),
        .global_limit = (size_t)config_get_int(cfg, "deliver.concurrency"),
        .domain_limit = (size_t)config_get_int(cfg, "deliver.domain_concurrency"),
        .backoff = {config_get_int(cfg, "deliver.retry_initial_ms"),
                    config_get_int(cfg, "deliver.retry_max_ms"),
                    config_get_int(cfg, "deliver.lifetime_ms")},
        .lease_ms = config_get_int(cfg, "deliver.lease_ms"),
        .poll_ms = (int)config_get_int(cfg, "deliver.poll_ms"),
        .reporting_mta = mta ? mta : helo,
        .idle = idle,
        .idle_arg = idle_arg,
    };
    if (config_is_set(cfg, "clock.fixed")) {
        q->fixed_ms = config_get_int(cfg, "clock.fixed") * 1000;
        so.clock = clock_fixed(&q->fixed_ms);
    }
    q->sched = deliver_sched_new(&so);
}

struct queue_role *queue_role_new(struct event_base *base, const struct config *cfg,
                                  struct store_service *svc, deliver_sched_idle_fn *idle,
                                  void *idle_arg, char **error_r)
{
    struct queue_role *q = xcalloc(1, sizeof(*q));
    q->ssl_ctx = deliver_tls_ctx_new(config_get_string(cfg, "deliver.tls_ca_file"), error_r);
    if (q->ssl_ctx == NULL || !queue_role_resolver(q, base, cfg, error_r)) {
        queue_role_free(q);
        return NULL;
    }
    strcpy(q->host, "localhost");
    gethostname(q->host, sizeof(q->host) - 1);
    const char *helo = config_get_string(cfg, "deliver.helo_name");
    char **verify = NULL;
    size_t n_verify = config_get_list(cfg, "deliver.tls_verify_domains", &verify);
    struct deliver_options o = {
        .base = base,
        .resolver = &q->resolver,
        .ssl_ctx = q->ssl_ctx,
        .helo_name = helo ? helo : q->host,
        .verify_domains = (const char *const *)verify,
        .n_verify_domains = n_verify,
    };
    queue_role_deliver_options(cfg, &o);
    q->deliver = deliver_new(&o);
    config_free_list(verify, n_verify);
    queue_role_sched(q, base, cfg, svc, idle, idle_arg, helo ? helo : q->host);
    return q;
}

void queue_role_start(struct queue_role *q)
{
    deliver_sched_start(q->sched);
}

void queue_role_stop(struct queue_role *q)
{
    deliver_sched_stop(q->sched);
}

void queue_role_stats(const struct queue_role *q, struct deliver_sched_stats *stats_r)
{
    deliver_sched_get_stats(q->sched, stats_r);
}

void queue_role_free(struct queue_role *q)
{
    if (q == NULL)
        return;
    deliver_sched_free(q->sched);
    deliver_free(q->deliver);
    if (q->have_resolver)
        dns_resolver_destroy(&q->resolver);
    if (q->ssl_ctx != NULL)
        SSL_CTX_free(q->ssl_ctx);
    free(q);
}
