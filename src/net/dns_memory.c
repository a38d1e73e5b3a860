/*
 * dns_memory: zone storage (an open-addressing hash table of names, each holding one record
 * array per type so that an answer can point straight at stored records without copying) and
 * the FIFO of pending queries. See dns_memory.h for the answer rules.
 */
#include "dns_memory.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

struct dns_memory_rrset {
    enum dns_rr_type type;
    size_t n;
    struct dns_rr *rrs;
};

struct dns_memory_node {
    char *name; /* lower case, no trailing dot; NULL = empty slot */
    size_t name_len;
    bool timeout;
    size_t n_sets;
    struct dns_memory_rrset *sets;
};

struct dns_memory_pending {
    uint64_t id;
    enum dns_rr_type type;
    dns_callback_fn *cb;
    void *arg;
    bool cancelled;
    bool too_long; /* longer than any name can be: NXDOMAIN */
    char name[DNS_MAX_NAME_LEN + 2];
};

struct dns_memory {
    struct dns_memory_node *slots;
    size_t n_slots; /* power of two */
    size_t n_used;
    struct dns_memory_pending *queue;
    size_t head, tail, cap;
    uint64_t next_id;
    size_t answered;
};

static uint64_t dns_memory_hash(const char *name, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)str_ascii_lower(name[i]);
        h *= 1099511628211ULL;
    }
    return h;
}

/* Length of name without one trailing dot. */
static size_t dns_memory_name_len(const char *name)
{
    size_t len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    return len;
}

static struct dns_memory_node *dns_memory_find(const struct dns_memory *m, const char *name)
{
    size_t len = dns_memory_name_len(name);
    size_t mask = m->n_slots - 1;
    for (size_t i = dns_memory_hash(name, len) & mask;; i = (i + 1) & mask) {
        struct dns_memory_node *node = &m->slots[i];
        if (node->name == NULL)
            return NULL;
        if (node->name_len == len && str_equal_nocase_n(node->name, len, name, len))
            return node;
    }
}

static void dns_memory_grow(struct dns_memory *m)
{
    struct dns_memory_node *old = m->slots;
    size_t old_n = m->n_slots;
    m->n_slots = old_n ? old_n * 2 : 64;
    m->slots = xcalloc(m->n_slots, sizeof(*m->slots));
    for (size_t i = 0; i < old_n; i++) {
        if (old[i].name == NULL)
            continue;
        size_t mask = m->n_slots - 1;
        size_t j = dns_memory_hash(old[i].name, old[i].name_len) & mask;
        while (m->slots[j].name != NULL)
            j = (j + 1) & mask;
        m->slots[j] = old[i];
    }
    free(old);
}

static struct dns_memory_node *dns_memory_node(struct dns_memory *m, const char *name)
{
    struct dns_memory_node *node = dns_memory_find(m, name);
    if (node != NULL)
        return node;
    if ((m->n_used + 1) * 2 > m->n_slots)
        dns_memory_grow(m);
    size_t len = dns_memory_name_len(name);
    size_t mask = m->n_slots - 1;
    size_t i = dns_memory_hash(name, len) & mask;
    while (m->slots[i].name != NULL)
        i = (i + 1) & mask;
    node = &m->slots[i];
    node->name = str_lower(xstrndup(name, len));
    node->name_len = len;
    m->n_used++;
    return node;
}

static struct dns_memory_rrset *dns_memory_set(const struct dns_memory_node *node,
                                               enum dns_rr_type type)
{
    for (size_t i = 0; i < node->n_sets; i++) {
        if (node->sets[i].type == type)
            return &node->sets[i];
    }
    return NULL;
}

struct dns_memory *dns_memory_new(void)
{
    struct dns_memory *m = xcalloc(1, sizeof(*m));
    m->next_id = 1;
    dns_memory_grow(m);
    return m;
}

void dns_memory_free(struct dns_memory *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_slots; i++) {
        struct dns_memory_node *node = &m->slots[i];
        for (size_t s = 0; s < node->n_sets; s++) {
            for (size_t r = 0; r < node->sets[s].n; r++)
                dns_rr_clear(&node->sets[s].rrs[r]);
            free(node->sets[s].rrs);
        }
        free(node->sets);
        free(node->name);
    }
    free(m->slots);
    free(m->queue);
    free(m);
}

void dns_memory_add(struct dns_memory *m, const char *name, const struct dns_rr *rr)
{
    struct dns_memory_node *node = dns_memory_node(m, name);
    struct dns_memory_rrset *set = dns_memory_set(node, rr->type);
    if (set == NULL) {
        node->sets = xreallocarray(node->sets, node->n_sets + 1, sizeof(*node->sets));
        set = &node->sets[node->n_sets++];
        memset(set, 0, sizeof(*set));
        set->type = rr->type;
    }
    set->rrs = xreallocarray(set->rrs, set->n + 1, sizeof(*set->rrs));
    struct dns_rr *copy = &set->rrs[set->n++];
    struct dns_rr tmp = *rr;
    tmp.owner = node->name;
    dns_rr_copy(copy, &tmp);
}

bool dns_memory_add_a(struct dns_memory *m, const char *name, const char *ip)
{
    struct dns_rr rr = {.type = DNS_TYPE_A, .ttl = 3600};
    if (inet_pton(AF_INET, ip, &rr.u.a) != 1)
        return false;
    dns_memory_add(m, name, &rr);
    return true;
}

bool dns_memory_add_aaaa(struct dns_memory *m, const char *name, const char *ip)
{
    struct dns_rr rr = {.type = DNS_TYPE_AAAA, .ttl = 3600};
    if (inet_pton(AF_INET6, ip, &rr.u.aaaa) != 1)
        return false;
    dns_memory_add(m, name, &rr);
    return true;
}

void dns_memory_add_mx(struct dns_memory *m, const char *name, unsigned preference,
                       const char *exchange)
{
    struct dns_rr rr = {.type = DNS_TYPE_MX, .ttl = 3600};
    rr.u.mx.preference = (uint16_t)preference;
    rr.u.mx.exchange = (char *)exchange;
    dns_memory_add(m, name, &rr);
}

void dns_memory_add_name(struct dns_memory *m, const char *name, enum dns_rr_type type,
                         const char *target)
{
    struct dns_rr rr = {.type = type, .ttl = 3600};
    rr.u.target = (char *)target;
    dns_memory_add(m, name, &rr);
}

void dns_memory_add_txt(struct dns_memory *m, const char *name, enum dns_rr_type type,
                        const char *const *strings, const size_t *lengths, size_t n)
{
    struct dns_rr rr = {.type = type, .ttl = 3600};
    rr.u.txt.n_strings = n;
    rr.u.txt.strings = (char **)strings;
    rr.u.txt.lengths = (size_t *)lengths;
    dns_memory_add(m, name, &rr);
}

void dns_memory_add_name_only(struct dns_memory *m, const char *name)
{
    dns_memory_node(m, name);
}

void dns_memory_add_timeout(struct dns_memory *m, const char *name)
{
    dns_memory_node(m, name)->timeout = true;
}

bool dns_memory_has(const struct dns_memory *m, const char *name, enum dns_rr_type type)
{
    const struct dns_memory_node *node = dns_memory_find(m, name);
    return node != NULL && dns_memory_set(node, type) != NULL;
}

/* Computes the answer for (name, type) into *result; records stay owned by the zone. */
static void dns_memory_answer(const struct dns_memory *m, const char *name, enum dns_rr_type type,
                              struct dns_result *result)
{
    memset(result, 0, sizeof(*result));
    const struct dns_memory_node *node = dns_memory_find(m, name);
    for (int hops = 0; node != NULL; hops++) {
        const struct dns_memory_rrset *set = dns_memory_set(node, type);
        if (set != NULL) {
            result->status = DNS_OK;
            result->n_rrs = set->n;
            result->rrs = set->rrs;
            return;
        }
        const struct dns_memory_rrset *cname =
            type == DNS_TYPE_CNAME ? NULL : dns_memory_set(node, DNS_TYPE_CNAME);
        if (cname == NULL)
            break;
        if (hops >= DNS_MEMORY_MAX_CNAME) {
            result->status = DNS_TEMPFAIL;
            result->error = "CNAME chain too long or looping";
            return;
        }
        const struct dns_memory_node *next = dns_memory_find(m, cname->rrs[0].u.target);
        if (next == NULL) {
            result->status = DNS_NXDOMAIN;
            return;
        }
        node = next;
    }
    if (node != NULL && node->timeout) {
        result->status = DNS_TEMPFAIL;
        result->error = "query timed out";
        return;
    }
    result->status = node != NULL ? DNS_NODATA : DNS_NXDOMAIN;
}

static uint64_t dns_memory_query(void *impl, const char *name, enum dns_rr_type type,
                                 dns_callback_fn *cb, void *arg)
{
    struct dns_memory *m = impl;
    if (m->tail == m->cap) {
        if (m->head > 0) {
            memmove(m->queue, m->queue + m->head, (m->tail - m->head) * sizeof(*m->queue));
            m->tail -= m->head;
            m->head = 0;
        } else {
            m->cap = m->cap ? m->cap * 2 : 16;
            m->queue = xreallocarray(m->queue, m->cap, sizeof(*m->queue));
        }
    }
    struct dns_memory_pending *p = &m->queue[m->tail++];
    p->id = m->next_id++;
    p->type = type;
    p->cb = cb;
    p->arg = arg;
    p->cancelled = false;
    size_t len = strlen(name);
    p->too_long = len > sizeof(p->name) - 1;
    if (p->too_long)
        len = 0;
    memcpy(p->name, name, len);
    p->name[len] = '\0';
    return p->id;
}

static void dns_memory_cancel(void *impl, uint64_t id)
{
    struct dns_memory *m = impl;
    for (size_t i = m->head; i < m->tail; i++) {
        if (m->queue[i].id == id)
            m->queue[i].cancelled = true;
    }
}

static void dns_memory_destroy(void *impl)
{
    dns_memory_free(impl);
}

static const struct dns_resolver_ops dns_memory_ops = {
    .query = dns_memory_query,
    .cancel = dns_memory_cancel,
    .destroy = dns_memory_destroy,
};

void dns_memory_resolver(struct dns_memory *m, struct dns_resolver *resolver_r)
{
    resolver_r->ops = &dns_memory_ops;
    resolver_r->impl = m;
}

bool dns_memory_step(struct dns_memory *m)
{
    while (m->head < m->tail) {
        /* Copy out: the callback may append and so move the queue. */
        struct dns_memory_pending p = m->queue[m->head++];
        if (m->head == m->tail)
            m->head = m->tail = 0;
        if (p.cancelled)
            continue;
        struct dns_result result = {.status = DNS_NXDOMAIN};
        if (!p.too_long)
            dns_memory_answer(m, p.name, p.type, &result);
        m->answered++;
        p.cb(&result, p.arg);
        return true;
    }
    return false;
}

size_t dns_memory_run(struct dns_memory *m)
{
    size_t n = 0;
    while (dns_memory_step(m))
        n++;
    return n;
}

size_t dns_memory_answered(const struct dns_memory *m)
{
    return m->answered;
}
