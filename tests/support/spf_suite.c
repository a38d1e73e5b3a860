/*
 * spf_suite: libyaml document API over the multi-document suite stream; one dns_memory zone
 * per scenario, reused by all its tests.
 */
#include "spf_suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "buf.h"
#include "xalloc.h"

static const char *yscalar(yaml_document_t *doc, yaml_node_t *n, size_t *len_r)
{
    if (n == NULL || n->type != YAML_SCALAR_NODE)
        return NULL;
    if (len_r)
        *len_r = n->data.scalar.length;
    return (const char *)n->data.scalar.value;
}

static yaml_node_t *ymap_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = yscalar(doc, yaml_document_get_node(doc, p->key), NULL);
        if (k && strcmp(k, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

static char *ydup(yaml_document_t *doc, yaml_node_t *n)
{
    const char *s = yscalar(doc, n, NULL);
    return s ? xstrdup(s) : NULL;
}

static void spf_suite_load_test(yaml_document_t *doc, const char *name, yaml_node_t *n,
                                struct spf_suite_test *t)
{
    memset(t, 0, sizeof(*t));
    t->name = xstrdup(name);
    t->host = ydup(doc, ymap_get(doc, n, "host"));
    t->helo = ydup(doc, ymap_get(doc, n, "helo"));
    t->mailfrom = ydup(doc, ymap_get(doc, n, "mailfrom"));
    t->explanation = ydup(doc, ymap_get(doc, n, "explanation"));
    yaml_node_t *r = ymap_get(doc, n, "result");
    if (r && r->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = r->data.sequence.items.start;
             i < r->data.sequence.items.top && t->n_results < 8; i++)
            t->results[t->n_results++] = ydup(doc, yaml_document_get_node(doc, *i));
    } else if (r) {
        t->results[t->n_results++] = ydup(doc, r);
    }
}

static void spf_suite_note(struct spf_suite_scenario *sc, const char *name, enum dns_rr_type type,
                           const char *data, size_t len, unsigned preference)
{
    sc->entries = xreallocarray(sc->entries, sc->n_entries + 1, sizeof(*sc->entries));
    struct spf_suite_entry *e = &sc->entries[sc->n_entries++];
    e->name = xstrdup(name);
    e->type = type;
    e->data = xstrndup(data, len);
    e->preference = preference;
}

static void spf_suite_add_txt(struct spf_suite_scenario *sc, const char *name,
                              enum dns_rr_type type, yaml_document_t *doc, yaml_node_t *v)
{
    const char *strings[64] = {NULL};
    size_t lengths[64] = {0}, n = 0;
    if (v->type == YAML_SCALAR_NODE) {
        strings[0] = yscalar(doc, v, &lengths[0]);
        n = 1;
    } else if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = v->data.sequence.items.start;
             i < v->data.sequence.items.top && n < 64; i++) {
            strings[n] = yscalar(doc, yaml_document_get_node(doc, *i), &lengths[n]);
            if (strings[n] != NULL)
                n++;
        }
    }
    dns_memory_add_txt(sc->zone, name, type, strings, lengths, n);
    struct buf joined = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        buf_append(&joined, strings[i], lengths[i]);
    spf_suite_note(sc, name, type, joined.data ? joined.data : "", joined.len, 0);
    buf_free(&joined);
}

static bool spf_suite_add_rr(struct spf_suite_scenario *sc, const char *name, const char *type,
                             yaml_document_t *doc, yaml_node_t *v)
{
    struct dns_memory *zone = sc->zone;
    const char *s = yscalar(doc, v, NULL);
    if (s != NULL && strcmp(type, "TXT") != 0 && strcmp(type, "SPF") != 0)
        spf_suite_note(sc, name,
                       strcmp(type, "A") == 0      ? DNS_TYPE_A
                       : strcmp(type, "AAAA") == 0 ? DNS_TYPE_AAAA
                       : strcmp(type, "PTR") == 0  ? DNS_TYPE_PTR
                                                   : DNS_TYPE_CNAME,
                       s, strlen(s), 0);
    if (strcmp(type, "A") == 0)
        return s && dns_memory_add_a(zone, name, s);
    if (strcmp(type, "AAAA") == 0)
        return s && dns_memory_add_aaaa(zone, name, s);
    if (strcmp(type, "PTR") == 0 || strcmp(type, "CNAME") == 0) {
        if (s)
            dns_memory_add_name(zone, name, type[0] == 'P' ? DNS_TYPE_PTR : DNS_TYPE_CNAME, s);
        return s != NULL;
    }
    if (strcmp(type, "MX") == 0) {
        if (v->type != YAML_SEQUENCE_NODE ||
            v->data.sequence.items.top - v->data.sequence.items.start != 2)
            return false;
        const char *pref =
            yscalar(doc, yaml_document_get_node(doc, v->data.sequence.items.start[0]), NULL);
        const char *x =
            yscalar(doc, yaml_document_get_node(doc, v->data.sequence.items.start[1]), NULL);
        if (pref == NULL || x == NULL)
            return false;
        dns_memory_add_mx(zone, name, (unsigned)atoi(pref), x);
        spf_suite_note(sc, name, DNS_TYPE_MX, x, strlen(x), (unsigned)atoi(pref));
        return true;
    }
    if (strcmp(type, "TXT") == 0 || strcmp(type, "SPF") == 0) {
        if (s && strcmp(s, "NONE") == 0)
            return true;
        spf_suite_add_txt(sc, name, type[0] == 'T' ? DNS_TYPE_TXT : DNS_TYPE_SPF, doc, v);
        return true;
    }
    return false;
}

/* One owner name's entries, then the SPF->TXT duplication rule. */
static bool spf_suite_load_name(struct spf_suite_scenario *sc, const char *name,
                                yaml_document_t *doc, yaml_node_t *list, char **error_r)
{
    bool has_txt = false, has_spf = false;
    dns_memory_add_name_only(sc->zone, name);
    if (list->type != YAML_SEQUENCE_NODE)
        goto bad;
    for (yaml_node_item_t *i = list->data.sequence.items.start; i < list->data.sequence.items.top;
         i++) {
        yaml_node_t *e = yaml_document_get_node(doc, *i);
        const char *s = yscalar(doc, e, NULL);
        if (s != NULL && strcmp(s, "TIMEOUT") == 0) {
            dns_memory_add_timeout(sc->zone, name);
            spf_suite_note(sc, name, 0, "", 0, 0);
            continue;
        }
        if (e->type != YAML_MAPPING_NODE ||
            e->data.mapping.pairs.top - e->data.mapping.pairs.start != 1)
            goto bad;
        yaml_node_pair_t *p = e->data.mapping.pairs.start;
        const char *type = yscalar(doc, yaml_document_get_node(doc, p->key), NULL);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (type == NULL || !spf_suite_add_rr(sc, name, type, doc, v))
            goto bad;
        has_txt |= strcmp(type, "TXT") == 0;
        if (strcmp(type, "SPF") == 0) {
            has_spf = true;
        }
    }
    if (has_spf && !has_txt) {
        for (yaml_node_item_t *i = list->data.sequence.items.start;
             i < list->data.sequence.items.top; i++) {
            yaml_node_t *e = yaml_document_get_node(doc, *i);
            if (e->type != YAML_MAPPING_NODE)
                continue;
            yaml_node_pair_t *p = e->data.mapping.pairs.start;
            const char *type = yscalar(doc, yaml_document_get_node(doc, p->key), NULL);
            if (type && strcmp(type, "SPF") == 0)
                spf_suite_add_txt(sc, name, DNS_TYPE_TXT, doc,
                                  yaml_document_get_node(doc, p->value));
        }
    }
    return true;
bad:
    *error_r = xasprintf("zonedata for '%s' is malformed", name);
    return false;
}

static bool spf_suite_load_scenario(yaml_document_t *doc, yaml_node_t *root,
                                    struct spf_suite_scenario *sc, char **error_r)
{
    memset(sc, 0, sizeof(*sc));
    sc->description = ydup(doc, ymap_get(doc, root, "description"));
    sc->zone = dns_memory_new();
    dns_memory_resolver(sc->zone, &sc->resolver);
    yaml_node_t *tests = ymap_get(doc, root, "tests");
    yaml_node_t *zone = ymap_get(doc, root, "zonedata");
    if (tests == NULL || tests->type != YAML_MAPPING_NODE) {
        *error_r = xstrdup("scenario without tests");
        return false;
    }
    size_t n = (size_t)(tests->data.mapping.pairs.top - tests->data.mapping.pairs.start);
    sc->tests = xcalloc(n, sizeof(*sc->tests));
    for (yaml_node_pair_t *p = tests->data.mapping.pairs.start; p < tests->data.mapping.pairs.top;
         p++) {
        const char *name = yscalar(doc, yaml_document_get_node(doc, p->key), NULL);
        spf_suite_load_test(doc, name ? name : "?", yaml_document_get_node(doc, p->value),
                            &sc->tests[sc->n_tests++]);
    }
    if (zone == NULL || zone->type != YAML_MAPPING_NODE)
        return true;
    for (yaml_node_pair_t *p = zone->data.mapping.pairs.start; p < zone->data.mapping.pairs.top;
         p++) {
        const char *name = yscalar(doc, yaml_document_get_node(doc, p->key), NULL);
        if (name == NULL ||
            !spf_suite_load_name(sc, name, doc, yaml_document_get_node(doc, p->value), error_r))
            return false;
    }
    return true;
}

struct spf_suite *spf_suite_load(const char *path, char **error_r)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *error_r = xasprintf("cannot open %s", path);
        return NULL;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    struct spf_suite *suite = xcalloc(1, sizeof(*suite));
    bool ok = true;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            *error_r = xasprintf("%s: YAML error: %s", path, parser.problem ? parser.problem : "?");
            ok = false;
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL) {
            yaml_document_delete(&doc);
            break;
        }
        suite->scenarios =
            xreallocarray(suite->scenarios, suite->n_scenarios + 1, sizeof(*suite->scenarios));
        struct spf_suite_scenario *sc = &suite->scenarios[suite->n_scenarios++];
        ok = spf_suite_load_scenario(&doc, root, sc, error_r);
        suite->n_tests += sc->n_tests;
        yaml_document_delete(&doc);
        if (!ok)
            break;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (!ok) {
        spf_suite_free(suite);
        return NULL;
    }
    return suite;
}

void spf_suite_free(struct spf_suite *suite)
{
    if (suite == NULL)
        return;
    for (size_t s = 0; s < suite->n_scenarios; s++) {
        struct spf_suite_scenario *sc = &suite->scenarios[s];
        for (size_t i = 0; i < sc->n_tests; i++) {
            struct spf_suite_test *t = &sc->tests[i];
            free(t->name);
            free(t->host);
            free(t->helo);
            free(t->mailfrom);
            free(t->explanation);
            for (size_t r = 0; r < t->n_results; r++)
                free(t->results[r]);
        }
        free(sc->tests);
        for (size_t i = 0; i < sc->n_entries; i++) {
            free(sc->entries[i].name);
            free(sc->entries[i].data);
        }
        free(sc->entries);
        free(sc->description);
        dns_resolver_destroy(&sc->resolver);
    }
    free(suite->scenarios);
    free(suite);
}

static void spf_suite_done(const struct spf_outcome *outcome, void *arg)
{
    spf_outcome_copy(arg, outcome);
}

bool spf_suite_run(struct spf_suite_scenario *sc, const struct spf_suite_test *t,
                   struct spf_outcome *out)
{
    struct spf_request req = {.client_ip = t->host,
                              .sender = t->mailfrom,
                              .helo = t->helo,
                              .receiver = NULL,
                              .now = 1700000000,
                              .default_explanation = "DEFAULT"};
    struct spf_query q;
    char *error = NULL;
    memset(out, 0, sizeof(*out));
    if (!spf_query_init(&q, &req, &error)) {
        out->result = SPF_RESULT_PERMERROR;
        out->problem = error;
        return false;
    }
    struct spf_check *c = spf_check_start(&sc->resolver, &q, spf_suite_done, out, out);
    dns_memory_run(sc->zone);
    spf_check_free(c);
    spf_query_clear(&q);
    return true;
}

bool spf_suite_judge(const struct spf_suite_test *t, const struct spf_outcome *out, char **why_r)
{
    const char *got = spf_result_name(out->result);
    bool ok = false;
    for (size_t i = 0; i < t->n_results; i++)
        ok |= t->results[i] && strcmp(t->results[i], got) == 0;
    struct buf want = BUF_INIT;
    for (size_t i = 0; i < t->n_results; i++)
        buf_printf(&want, "%s%s", i ? "|" : "", t->results[i] ? t->results[i] : "?");
    if (!ok) {
        *why_r = xasprintf("got %s, want %s (problem: %s)", got, buf_cstr(&want),
                           out->problem ? out->problem : "-");
    } else if (t->explanation != NULL &&
               (out->explanation == NULL || strcmp(out->explanation, t->explanation) != 0)) {
        ok = false;
        *why_r = xasprintf("got explanation \"%s\", want \"%s\"",
                           out->explanation ? out->explanation : "(none)", t->explanation);
    }
    buf_free(&want);
    return ok;
}

long spf_suite_run_file(const char *path, const char *label, long *passed_r)
{
    char *error = NULL;
    struct spf_suite *suite = spf_suite_load(path, &error);
    if (suite == NULL) {
        printf("%s: %s\n", label, error);
        free(error);
        return -1;
    }
    long passed = 0, failed = 0;
    for (size_t s = 0; s < suite->n_scenarios; s++) {
        struct spf_suite_scenario *sc = &suite->scenarios[s];
        for (size_t i = 0; i < sc->n_tests; i++) {
            struct spf_outcome out;
            char *why = NULL;
            spf_suite_run(sc, &sc->tests[i], &out);
            if (spf_suite_judge(&sc->tests[i], &out, &why)) {
                passed++;
            } else {
                failed++;
                printf("FAIL %s: %s\n", sc->tests[i].name, why);
            }
            free(why);
            spf_outcome_clear(&out);
        }
    }
    printf("%s: %ld passed, %ld failed\n", label, passed, failed);
    if (passed_r != NULL)
        *passed_r += passed;
    spf_suite_free(suite);
    return failed;
}
