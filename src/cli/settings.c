#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver.h"
#include "deliver_conncache.h"
#include "dns_cares.h"
#include "srs.h"
#include "str.h"
#include "xalloc.h"

/* Longest secret line we accept; postsrsd 1.x read 1023 bytes, we allow more. */
#define SETTINGS_MAX_SECRET_LINE 4096

static bool settings_valid_separator(const char *v, char **error_r)
{
    if (strlen(v) == 1 && strchr("=+-", v[0]))
        return true;
    *error_r = xasprintf("'%s' is not one of = + -", v);
    return false;
}

static bool settings_valid_alphabet(const char *v, char **error_r)
{
    if (strcmp(v, "base64") == 0 || strcmp(v, "base64url") == 0)
        return true;
    *error_r = xasprintf("'%s' is not base64 or base64url", v);
    return false;
}

static bool settings_valid_log_level(const char *v, char **error_r)
{
    if (strcmp(v, "debug") == 0 || strcmp(v, "info") == 0 || strcmp(v, "warning") == 0 ||
        strcmp(v, "error") == 0)
        return true;
    *error_r = xasprintf("'%s' is not debug, info, warning or error", v);
    return false;
}

static bool settings_valid_tls_policy(const char *v, char **error_r)
{
    if (strcmp(v, "none") == 0 || strcmp(v, "may") == 0 || strcmp(v, "verify") == 0)
        return true;
    *error_r = xasprintf("'%s' is not none, may or verify", v);
    return false;
}

static bool settings_valid_dns_servers(const char *v, char **error_r)
{
    return dns_cares_check_servers(v, error_r);
}

/* Defaults written from the named constants so the two can never disagree. */
#define SETTINGS_STR(x)  #x
#define SETTINGS_XSTR(x) SETTINGS_STR(x)

static const struct config_option settings_table[] = {
    {"log.level", CONFIG_STRING, "info", 0, 0, settings_valid_log_level,
     "least severe level logged: debug, info, warning, error"},
    {"srs.domain", CONFIG_STRING, NULL, 0, 0, NULL,
     "the default bounce domain SRS addresses are rewritten into"},
    {"srs.secret_file", CONFIG_STRING, NULL, 0, 0, NULL,
     "file of SRS secrets, one per line; the first signs, all verify"},
    {"srs.hash_length", CONFIG_INT, "4", 1, SRS_MAX_HASH_LENGTH, NULL,
     "characters of HMAC kept in new addresses"},
    {"srs.hash_min", CONFIG_INT, "4", 1, SRS_MAX_HASH_LENGTH, NULL,
     "fewest hash characters accepted when reversing"},
    {"srs.max_age_days", CONFIG_INT, "21", 0, SRS_STAMP_PERIOD_DAYS - 1, NULL,
     "days an SRS0 address stays valid"},
    {"srs.separator", CONFIG_STRING, "=", 0, 0, settings_valid_separator,
     "separator written after SRS0/SRS1: = + or -"},
    {"srs.alphabet", CONFIG_STRING, "base64url", 0, 0, settings_valid_alphabet,
     "hash alphabet: base64url (postsrsd >= 2.2.6) or base64 (postsrsd 1.x)"},
    {"srs.always_rewrite", CONFIG_BOOL, "no", 0, 0, NULL,
     "also rewrite senders already in the SRS domain (postsrsd -A)"},
    {"dns.servers", CONFIG_STRING, NULL, 0, 0, settings_valid_dns_servers,
     "DNS servers, host:port[,host:port] (IPv6 as [addr]:port); unset: /etc/resolv.conf"},
    {"dns.timeout_ms", CONFIG_INT, SETTINGS_XSTR(DNS_CARES_DEFAULT_TIMEOUT_MS),
     DNS_CARES_MIN_TIMEOUT_MS, DNS_CARES_MAX_TIMEOUT_MS, NULL,
     "milliseconds to wait for one DNS try (doubled after each round over the servers)"},
    {"dns.tries", CONFIG_INT, SETTINGS_XSTR(DNS_CARES_DEFAULT_TRIES), 1, DNS_CARES_MAX_TRIES, NULL,
     "rounds over the DNS servers before a lookup fails temporarily"},
    {"deliver.smtp_port", CONFIG_INT, SETTINGS_XSTR(DELIVER_ROUTE_DEFAULT_PORT), 1, 65535, NULL,
     "TEST BEDS ONLY: the port of recipients' MTAs (SMTP is port 25 everywhere else)"},
    {"deliver.helo_name", CONFIG_STRING, NULL, 0, 0, NULL,
     "the name sent in EHLO/HELO; unset: this host's name"},
    {"deliver.tls_policy", CONFIG_STRING, "may", 0, 0, settings_valid_tls_policy,
     "STARTTLS for outbound mail: may (opportunistic, unverified), none, or verify (required, "
     "certificate and MX name verified)"},
    {"deliver.tls_verify_domains", CONFIG_LIST, NULL, 0, 0, NULL,
     "recipient domains whose mail needs TLS with a verified certificate, or is not sent"},
    {"deliver.tls_ca_file", CONFIG_STRING, NULL, 0, 0, NULL,
     "PEM file of CA certificates for verified TLS; unset: the system's trust store"},
    {"deliver.max_mx_hosts", CONFIG_INT, SETTINGS_XSTR(DELIVER_ROUTE_DEFAULT_MAX_HOSTS), 1,
     DELIVER_ROUTE_MAX_HOSTS, NULL, "MX hosts of a domain looked up per delivery attempt"},
    {"deliver.max_mx_addresses", CONFIG_INT, SETTINGS_XSTR(DELIVER_ROUTE_DEFAULT_MAX_ADDRS), 1,
     DELIVER_ROUTE_MAX_ADDRS, NULL, "addresses (IPv4 and IPv6) tried per delivery attempt"},
    {"deliver.connect_timeout_ms", CONFIG_INT, SETTINGS_XSTR(SMTP_CLIENT_DEFAULT_CONNECT_MS), 10,
     600000, NULL, "milliseconds to wait for a TCP connection before trying the next address"},
    {"deliver.greeting_timeout_ms", CONFIG_INT, SETTINGS_XSTR(SMTP_CLIENT_DEFAULT_GREETING_MS), 10,
     3600000, NULL, "milliseconds to wait for the 220 greeting (RFC 5321 4.5.3.2.1: 5 minutes)"},
    {"deliver.command_timeout_ms", CONFIG_INT, SETTINGS_XSTR(SMTP_CLIENT_DEFAULT_COMMAND_MS), 10,
     3600000, NULL, "milliseconds to wait for replies to EHLO, STARTTLS, RSET, QUIT"},
    {"deliver.mail_timeout_ms", CONFIG_INT, SETTINGS_XSTR(SMTP_CLIENT_DEFAULT_MAIL_MS), 10, 3600000,
     NULL, "milliseconds to wait for the reply to MAIL (RFC 5321 4.5.3.2.2: 5 minutes)"},
    {"deliver.rcpt_timeout_ms", CONFIG_INT, SETTINGS_XSTR(SMTP_CLIENT_DEFAULT_RCPT_MS), 10, 3600000,
     NULL, "milliseconds to wait for each reply to RCPT (RFC 5321 4.5.3.2.3: 5 minutes)"},
    {"deliver.data_init_timeout_ms", CONFIG_INT, SETTINGS_XSTR(SMTP_CLIENT_DEFAULT_DATA_INIT_MS),
     10, 3600000, NULL, "milliseconds to wait for 354 after DATA (RFC 5321 4.5.3.2.4: 2 minutes)"},
    {"deliver.data_block_timeout_ms", CONFIG_INT, SETTINGS_XSTR(SMTP_CLIENT_DEFAULT_DATA_BLOCK_MS),
     10, 3600000, NULL,
     "milliseconds a write of the message may stall (RFC 5321 4.5.3.2.5: 3 minutes)"},
    {"deliver.data_term_timeout_ms", CONFIG_INT, SETTINGS_XSTR(SMTP_CLIENT_DEFAULT_DATA_TERM_MS),
     10, 3600000, NULL,
     "milliseconds to wait for the reply after the final dot (RFC 5321 4.5.3.2.6: 10 minutes)"},
    {"deliver.conn_cache_idle_ms", CONFIG_INT, SETTINGS_XSTR(DELIVER_CONNCACHE_DEFAULT_IDLE_MS), 1,
     600000, NULL, "milliseconds an open connection waits for the next message to its MTA"},
    {"deliver.conn_cache_max", CONFIG_INT, SETTINGS_XSTR(DELIVER_CONNCACHE_DEFAULT_MAX), 1, 10000,
     NULL, "idle connections kept open in all"},
    {"deliver.conn_reuse_limit", CONFIG_INT, SETTINGS_XSTR(DELIVER_DEFAULT_REUSE_LIMIT), 1, 100000,
     NULL, "messages sent over one connection before it is closed"},
    {"clock.fixed", CONFIG_INT, NULL, 0, 0x7fffffffffffLL, NULL,
     "TESTING ONLY: pretend the time is this many seconds since the epoch"},
};

struct config *settings_load(const char *path, char **error_r)
{
    struct config *cfg =
        config_new(settings_table, sizeof(settings_table) / sizeof(settings_table[0]));
    if (path != NULL && !config_load_file(cfg, path, error_r)) {
        config_free(cfg);
        return NULL;
    }
    return cfg;
}

bool settings_validate(const struct config *cfg, char **error_r)
{
    if (config_get_int(cfg, "srs.hash_min") > config_get_int(cfg, "srs.hash_length")) {
        *error_r =
            xasprintf("srs.hash_min (%lld) is greater than srs.hash_length (%lld)",
                      config_get_int(cfg, "srs.hash_min"), config_get_int(cfg, "srs.hash_length"));
        return false;
    }
    return true;
}

unsigned settings_read_secrets(const char *path, char ***secrets_r, char **error_r)
{
    *secrets_r = NULL;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        *error_r = xasprintf("cannot read secret file %s: %s", path, strerror(errno));
        return 0;
    }
    char **secrets = NULL;
    unsigned n = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        /* Cut at the first CR or LF, as postsrsd 2.x does; no other trimming. */
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0')
            continue;
        if (strlen(line) > SETTINGS_MAX_SECRET_LINE) {
            *error_r = xasprintf("secret file %s: a line is longer than %d bytes", path,
                                 SETTINGS_MAX_SECRET_LINE);
            config_free_list(secrets, n);
            secrets = NULL;
            n = 0;
            break;
        }
        secrets = xreallocarray(secrets, n + 1, sizeof(char *));
        secrets[n++] = xstrdup(line);
    }
    free(line);
    fclose(f);
    if (n == 0 && *error_r == NULL)
        *error_r = xasprintf("secret file %s holds no secret", path);
    *secrets_r = secrets;
    return n;
}
