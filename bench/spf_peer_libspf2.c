/* spf_peer_libspf2: see the header. libspf2 wants its system headers included first. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include "spf_peer_libspf2.h"

struct spf_peer {
    SPF_dns_server_t *dns;
    SPF_server_t *server;
    /* names marked TIMEOUT: every type without data there answers TRY_AGAIN */
    char **timeouts;
    size_t n_timeouts;
    int finalized;
};

struct spf_peer *spf_peer_new(void)
{
    struct spf_peer *p = calloc(1, sizeof(*p));
    p->dns = SPF_dns_zone_new(NULL, "bench", 0);
    return p;
}

void spf_peer_add(struct spf_peer *p, const char *name, int type, const char *data)
{
    if (type == 0) {
        p->timeouts = realloc(p->timeouts, (p->n_timeouts + 1) * sizeof(char *));
        p->timeouts[p->n_timeouts++] = strdup(name);
        return;
    }
    if (type == ns_t_cname)
        return; /* SPF_dns_zone has no CNAME support: those few tests just fail for it */
    SPF_dns_zone_add_str(p->dns, name, (ns_type)type, NETDB_SUCCESS, data);
}

static void spf_peer_finalize(struct spf_peer *p)
{
    static const int types[] = {ns_t_a, ns_t_aaaa, ns_t_mx, ns_t_txt, ns_t_ptr, ns_t_spf};
    for (size_t i = 0; i < p->n_timeouts; i++) {
        for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
            SPF_dns_zone_add_str(p->dns, p->timeouts[i], (ns_type)types[t], TRY_AGAIN, "");
        free(p->timeouts[i]);
    }
    free(p->timeouts);
    p->timeouts = NULL;
    p->n_timeouts = 0;
    p->server = SPF_server_new_dns(p->dns, 0);
    p->finalized = 1;
}

const char *spf_peer_check(struct spf_peer *p, const char *ip, const char *sender, const char *helo)
{
    if (!p->finalized)
        spf_peer_finalize(p);
    SPF_request_t *req = SPF_request_new(p->server);
    const char *name = "permerror";
    if ((strchr(ip, ':') ? SPF_request_set_ipv6_str(req, ip) : SPF_request_set_ipv4_str(req, ip)) ==
        SPF_E_SUCCESS) {
        if (helo != NULL)
            SPF_request_set_helo_dom(req, helo);
        SPF_request_set_env_from(req, sender ? sender : "");
        SPF_response_t *resp = NULL;
        SPF_request_query_mailfrom(req, &resp);
        if (resp != NULL) {
            switch (SPF_response_result(resp)) {
            case SPF_RESULT_PASS:
                name = "pass";
                break;
            case SPF_RESULT_FAIL:
                name = "fail";
                break;
            case SPF_RESULT_SOFTFAIL:
                name = "softfail";
                break;
            case SPF_RESULT_NEUTRAL:
                name = "neutral";
                break;
            case SPF_RESULT_NONE:
                name = "none";
                break;
            case SPF_RESULT_TEMPERROR:
                name = "temperror";
                break;
            default:
                name = "permerror";
            }
            SPF_response_free(resp);
        }
    }
    SPF_request_free(req);
    return name;
}

void spf_peer_free(struct spf_peer *p)
{
    if (p == NULL)
        return;
    if (p->server != NULL)
        SPF_server_free(p->server); /* whether this frees the zone is version-dependent: the
                                       zone may be left to process exit */
    else
        SPF_dns_free(p->dns);
    for (size_t i = 0; i < p->n_timeouts; i++)
        free(p->timeouts[i]);
    free(p->timeouts);
    free(p);
}
