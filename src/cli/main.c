/*
 * rebound: a self-hosted mail sending service. This file only dispatches subcommands; see
 * cli.h and the README for what each does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command cli_commands[] = {
    {"srs", cli_srs, "rewrite or reverse one address with SRS (forward|reverse)"},
    {"check-config", cli_check_config, "validate a configuration file and print the settings"},
    {"srsmap", cli_srsmap,
     "serve SRS lookups to Postfix (postsrsd-compatible socketmap/tcp_table)"},
    {"spf", cli_spf, "evaluate SPF for a client IP and sender, print the header fields"},
    {"account", cli_account, "create, list, show or delete accounts (tenants) and credentials"},
    {"identity", cli_identity, "add, list, show, check (DNS), verify or delete sending identities"},
    {"mail-from", cli_mail_from, "set, show or check the custom MAIL FROM domain of an identity"},
    {"dns-records", cli_dns_records, "print the DNS records to publish for an identity"},
    {"verifier", cli_verifier, "check identities and MAIL FROM domains on a schedule (DNS)"},
    {"api", cli_api, "serve the SES v2-compatible HTTP API (SigV4) until SIGTERM"},
    {"dns", cli_dns, "ask one DNS question through rebound's resolver and print the answer"},
    {"deliver-once", cli_deliver_once, "route and deliver one message now; print each outcome"},
    {"dsn", cli_dsn, "parse and classify bounce reports (DSN, ARF, auto-reply, MTA text)"},
    {"smtp-sink", cli_smtp_sink, "run the SMTP listeners with a test role writing to a directory"},
    {"serve", cli_serve,
     "run rebound: submission, feedback MX, delivery, srsmap in the foreground"},
    {"feedback-mx", cli_feedback_mx,
     "run the feedback MX: accept bounces to rebound's return paths, record, forward them"},
    {"queue", cli_queue, "run the delivery queue (run [--watch]) or inject a message into it"},
    {"message", cli_message, "list messages or show one message's life (attempts, events)"},
};

static void cli_usage(FILE *out)
{
    fprintf(out, "usage: rebound [--version] [--help] COMMAND [ARGS]\n\n"
                 "rebound is a self-hosted mail sending service: it rewrites the envelope sender\n"
                 "with SRS into a bounce domain, delivers, takes bounces back and returns them\n"
                 "to the sender.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++)
        fprintf(out, "  %-14s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(out, "\n'rebound COMMAND --help' explains a command's flags.\n");
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rebound: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        cli_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("rebound %s\n", REBOUND_VERSION);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++) {
        if (strcmp(argv[1], cli_commands[i].name) == 0)
            return cli_commands[i].run(argc - 1, argv + 1);
    }
    cli_error("unknown command '%s' (try 'rebound --help')", argv[1]);
    return CLI_EXIT_USAGE;
}
