#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver.h"
#include "deliver_conncache.h"
#include "deliver_limits.h"
#include "deliver_sched.h"
#include "dns_cares.h"
#include "feedback_mx.h"
#include "srs.h"
#include "srsmap_domains.h"
#include "srsmap_endpoint.h"
#include "srsmap_server.h"
#include "store.h"
#include "str.h"
#include "verify_sched.h"
#include "verify_state.h"
#include "verify_token.h"
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

static bool settings_valid_endpoint(const char *v, unsigned forms, char **error_r)
{
    struct srsmap_endpoint ep;
    if (!srsmap_endpoint_parse(v, forms, &ep, error_r))
        return false;
    srsmap_endpoint_clear(&ep);
    return true;
}

static bool settings_valid_socketmap(const char *v, char **error_r)
{
    return settings_valid_endpoint(v, SRSMAP_ENDPOINT_INET_PREFIXED | SRSMAP_ENDPOINT_UNIX,
                                   error_r);
}

static bool settings_valid_host_port(const char *v, char **error_r)
{
    return settings_valid_endpoint(v, SRSMAP_ENDPOINT_INET_PREFIXED | SRSMAP_ENDPOINT_INET_BARE,
                                   error_r);
}

static bool settings_valid_domain_list(const char *v, char **error_r)
{
    char **items;
    size_t n = config_split_list(v, &items);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = srsmap_domains_entry_valid(items[i], error_r);
    config_free_list(items, n);
    return ok;
}

static bool settings_valid_envelope(const char *v, char **error_r)
{
    if (strcmp(v, "embedded") == 0 || strcmp(v, "database") == 0)
        return true;
    *error_r = xasprintf("'%s' is not embedded or database", v);
    return false;
}

static bool settings_valid_sqlite_uri(const char *v, char **error_r)
{
    if (strncmp(v, "sqlite:", 7) == 0 && v[7] != '\0')
        return true;
    *error_r = xasprintf("'%s' is not sqlite:FILE", v);
    return false;
}
static bool settings_valid_store(const char *v, char **error_r)
{
    return store_url_is_valid(v, error_r);
}

static bool settings_valid_record(const char *v, char **error_r)
{
    return verify_token_record_is_valid(v, error_r);
}

static bool settings_valid_host(const char *v, char **error_r)
{
    enum identity_kind kind;
    char *why = NULL;
    char *norm = identity_normalize(v, strlen(v), &kind, &why);
    bool ok = norm != NULL && kind == IDENTITY_DOMAIN;
    if (!ok)
        *error_r = xasprintf("'%s' is not a host name%s%s", v, why ? ": " : "", why ? why : "");
    free(why);
    free(norm);
    return ok;
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
    {"srsmap.socketmap", CONFIG_STRING, NULL, 0, 0, settings_valid_socketmap,
     "postsrsd 2.x socketmap endpoint, inet:HOST:PORT or unix:/PATH (unset: none)"},
    {"srsmap.tcp_forward", CONFIG_STRING, NULL, 0, 0, settings_valid_host_port,
     "postsrsd 1.x tcp_table forward map, HOST:PORT (unset: none)"},
    {"srsmap.tcp_reverse", CONFIG_STRING, NULL, 0, 0, settings_valid_host_port,
     "postsrsd 1.x tcp_table reverse map, HOST:PORT (unset: none)"},
    {"srsmap.local_domains", CONFIG_LIST, NULL, 0, 0, settings_valid_domain_list,
     "domains never rewritten (.example.com = its subdomains); postsrsd 2.x domains, 1.x -X"},
    {"srsmap.original_envelope", CONFIG_STRING, "embedded", 0, 0, settings_valid_envelope,
     "embedded (sender inside the SRS address) or database (postsrsd 2.x aliases)"},
    {"srsmap.envelope_database", CONFIG_STRING, NULL, 0, 0, settings_valid_sqlite_uri,
     "alias database for original_envelope = database: sqlite:FILE"},
    {"srsmap.keep_alive", CONFIG_INT, "30", 1, 86400, NULL,
     "seconds an idle lookup connection stays open"},
    {"srsmap.connection_limit", CONFIG_INT, "200", 1, 100000, NULL,
     "most lookup connections served at once; more are accepted and closed"},
    {"srsmap.workers", CONFIG_INT, "0", 0, SRSMAP_MAX_WORKERS, NULL,
     "threads serving lookup connections (0: one per online CPU, at least 4)"},
    {"store", CONFIG_STRING, "sqlite:rebound.db", 0, 0, settings_valid_store,
     "where accounts, identities and the queue live: sqlite:PATH (relative to the working "
     "directory)"},
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
    {"deliver.concurrency", CONFIG_INT, SETTINGS_XSTR(DELIVER_LIMITS_DEFAULT_GLOBAL), 1,
     DELIVER_LIMITS_MAX, NULL, "queue: delivery jobs (SMTP transactions) running at once"},
    {"deliver.domain_concurrency", CONFIG_INT, SETTINGS_XSTR(DELIVER_LIMITS_DEFAULT_PER_DOMAIN), 1,
     DELIVER_LIMITS_MAX, NULL, "queue: delivery jobs running at once for one recipient domain"},
    {"deliver.retry_initial_ms", CONFIG_INT, SETTINGS_XSTR(DELIVER_BACKOFF_DEFAULT_INITIAL_MS), 1,
     86400000, NULL, "queue: wait after the first temporary failure; doubles after each"},
    {"deliver.retry_max_ms", CONFIG_INT, SETTINGS_XSTR(DELIVER_BACKOFF_DEFAULT_MAX_MS), 1, 86400000,
     NULL, "queue: longest wait between two attempts"},
    {"deliver.lifetime_ms", CONFIG_INT, SETTINGS_XSTR(DELIVER_BACKOFF_DEFAULT_LIFETIME_MS), 0,
     2592000000LL, NULL,
     "queue: a message still failing temporarily this long after arrival "
     "bounces"},
    {"deliver.lease_ms", CONFIG_INT, SETTINGS_XSTR(DELIVER_SCHED_DEFAULT_LEASE_MS), 100, 86400000,
     NULL,
     "queue: a claimed recipient whose outcome was not recorded this long "
     "(rebound died) is tried again"},
    {"deliver.poll_ms", CONFIG_INT, SETTINGS_XSTR(DELIVER_SCHED_DEFAULT_POLL_MS), 10, 3600000, NULL,
     "queue: longest wait between two looks at the queue"},
    {"deliver.reporting_mta", CONFIG_STRING, NULL, 0, 0, NULL,
     "queue: host name in events and DSNs (default: deliver.helo_name, else the host name)"},
    {"smtp.hostname", CONFIG_STRING, NULL, 0, 0, NULL,
     "name in the SMTP greeting and Received: headers (default: the host name)"},
    {"smtp.max_command_line", CONFIG_INT, "512", 512, 65536, NULL,
     "octets per SMTP command line including CRLF (RFC 5321 4.5.3.1.4: at least 512)"},
    {"smtp.max_text_line", CONFIG_INT, "1000", 1000, 65536, NULL,
     "octets per message line including CRLF (RFC 5321 4.5.3.1.6: at least 1000)"},
    {"smtp.max_recipients", CONFIG_INT, "50", 1, 100000, NULL,
     "recipients per message; more get 452 4.5.3"},
    {"smtp.max_message_size", CONFIG_INT, "41943040", 1024, 4294967296LL, NULL,
     "message size limit in octets (advertised as SIZE); larger get 552 5.3.4"},
    {"smtp.max_commands", CONFIG_INT, "10000", 10, 100000000, NULL,
     "commands per SMTP session; more get 421 4.7.0 and a close"},
    {"smtp.max_sessions", CONFIG_INT, "1000", 1, 1000000, NULL,
     "SMTP sessions at once over all listeners; more get 421 4.7.0"},
    {"smtp.max_sessions_per_ip", CONFIG_INT, "50", 1, 1000000, NULL,
     "SMTP sessions at once from one client address; more get 421 4.7.0"},
    {"smtp.timeout_command", CONFIG_INT, "300", 1, 86400, NULL,
     "seconds to wait for the next command (RFC 5321 4.5.3.2.7: at least 300); then 421 4.4.2"},
    {"smtp.timeout_data", CONFIG_INT, "300", 1, 86400, NULL,
     "seconds to wait for more DATA bytes; then 421 4.4.2"},
    {"submission.listen", CONFIG_LIST, NULL, 0, 0, NULL,
     "submission listeners with STARTTLS (587 style): numeric address:port ..."},
    {"submission.listen_tls", CONFIG_LIST, NULL, 0, 0, NULL,
     "submission listeners with implicit TLS (465 style): numeric address:port ..."},
    {"submission.tls_cert", CONFIG_STRING, NULL, 0, 0, NULL,
     "PEM certificate chain file for STARTTLS and implicit TLS (TLS 1.2 or newer)"},
    {"submission.tls_key", CONFIG_STRING, NULL, 0, 0, NULL, "PEM private key file"},
    {"submission.auth_plaintext", CONFIG_BOOL, "no", 0, 0, NULL,
     "offer AUTH on unencrypted sessions (default: only after TLS)"},
    {"submission.trusted_networks", CONFIG_LIST, NULL, 0, 0, NULL,
     "client networks (address/prefix ...) that may submit without AUTH, as Postfix's "
     "mynetworks"},
    {"submission.trusted_account", CONFIG_STRING, NULL, 0, 0, NULL,
     "the account clients from submission.trusted_networks submit as"},
    {"sink.dir", CONFIG_STRING, NULL, 0, 0, NULL,
     "smtp-sink: directory where committed messages are written (tmp/, new/)"},
    {"sink.user", CONFIG_STRING, NULL, 0, 0, NULL, "smtp-sink: the one AUTH username accepted"},
    {"sink.password", CONFIG_STRING, NULL, 0, 0, NULL,
     "smtp-sink: the password of sink.user (debugging only: stored in clear)"},
    {"feedback.listen", CONFIG_LIST, NULL, 0, 0, NULL,
     "feedback MX listeners (port 25 for the bounce domains): numeric address:port ..."},
    {"feedback.domains", CONFIG_LIST, NULL, 0, 0, NULL,
     "bounce (MAIL FROM) domains served besides srs.domain; each is owned by the account with "
     "a verified identity covering it"},
    {"feedback.tls_cert", CONFIG_STRING, NULL, 0, 0, NULL,
     "PEM certificate chain for STARTTLS on the feedback MX (unset: no STARTTLS)"},
    {"feedback.tls_key", CONFIG_STRING, NULL, 0, 0, NULL, "PEM private key of feedback.tls_cert"},
    {"feedback.operator", CONFIG_STRING, NULL, 0, 0, NULL,
     "address that mail to postmaster@ and abuse@ of the bounce domains is handed to (unset: "
     "refused)"},
    {"feedback.operator_account", CONFIG_STRING, NULL, 0, 0, NULL,
     "the account whose queue carries mail for feedback.operator"},
    {"feedback.max_report_size", CONFIG_INT, SETTINGS_XSTR(FEEDBACK_DEFAULT_MAX_REPORT_SIZE_NUM),
     1024, 0x7fffffffLL, NULL, "largest bounce or complaint accepted, in octets"},
    {"feedback.classify_rules", CONFIG_STRING, NULL, 0, 0, NULL,
     "operator bounce classification rules file (see 'rebound dsn --help'); unset: built-in"},
    {"verify.record_name", CONFIG_STRING, VERIFY_DEFAULT_RECORD, 0, 0, settings_valid_record,
     "label of the TXT record holding a domain's verification token (<label>.<domain>)"},
    {"verify.fail_after_hours", CONFIG_INT, SETTINGS_XSTR(VERIFY_DEFAULT_FAIL_AFTER_HOURS), 1,
     24LL * 365, NULL, "hours without a successful check before a verification is FAILED"},
    {"verify.interval_seconds", CONFIG_INT, SETTINGS_XSTR(VERIFY_DEFAULT_INTERVAL_S), 1, 86400,
     NULL, "seconds between scheduled checks of one identity or MAIL FROM domain"},
    {"verify.link_expiry_hours", CONFIG_INT, SETTINGS_XSTR(VERIFY_LINK_EXPIRY_HOURS), 1, 24LL * 30,
     NULL, "hours an email address identity's one-time verification link stays valid"},
    {"verify.link_base_url", CONFIG_STRING, "http://127.0.0.1:8780", 0, 0, NULL,
     "base URL of the HTTP API, used in verification links (<base>/v2/rebound/verify/TOKEN)"},
    {"api.listen", CONFIG_STRING, "127.0.0.1:8780", 0, 0, NULL,
     "the HTTP API's listening address: numeric IPv4 address:port"},
    {"api.region", CONFIG_STRING, "us-east-1", 0, 0, NULL,
     "the AWS region name the API accepts in SigV4 credentials (and SMTP passwords use)"},
    {"mail_from.feedback_host", CONFIG_STRING, NULL, 0, 0, settings_valid_host,
     "rebound's feedback MX host: the one MX a custom MAIL FROM domain must point at"},
    {"mail_from.spf_include", CONFIG_STRING, NULL, 0, 0, settings_valid_host,
     "domain tenants include in their MAIL FROM SPF record; unset: list the sending IPs"},
    {"mail_from.sending_ips", CONFIG_LIST, NULL, 0, 0, NULL,
     "rebound's sending IPs: the MAIL FROM SPF record must give pass for every one"},
    {"serve.delivery", CONFIG_BOOL, "yes", 0, 0, NULL,
     "rebound serve also runs the delivery queue (deliver.*); no: messages wait in the store"},
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
    if (strcmp(config_get_string(cfg, "srsmap.original_envelope"), "database") == 0 &&
        !config_is_set(cfg, "srsmap.envelope_database")) {
        *error_r = xasprintf("srsmap.original_envelope is database but "
                             "srsmap.envelope_database (sqlite:FILE) is not set");
        return false;
    }
    if (config_get_int(cfg, "deliver.retry_max_ms") <
        config_get_int(cfg, "deliver.retry_initial_ms")) {
        *error_r = xasprintf("deliver.retry_max_ms (%lld) is less than deliver.retry_initial_ms "
                             "(%lld)",
                             config_get_int(cfg, "deliver.retry_max_ms"),
                             config_get_int(cfg, "deliver.retry_initial_ms"));
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
