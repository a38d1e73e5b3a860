/*
 * rebound dsn parse [--relative-to DIR] [--rules FILE] [--bounces-only] [--verbose] FILE...
 *
 * Parses each file as a report that came back to a return path (DSN, ARF complaint,
 * auto-reply or a non-standard bounce) and prints one TSV row per recipient result:
 *   sample  recipient  status  reason  hardbounce  ses_type  ses_subtype
 * the format tests/yardsticks/bounces/score.py reads. Non-bounce results (delivered DSNs,
 * auto-replies) are printed with ses_type "-" unless --bounces-only; messages that are no
 * report at all print nothing.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "classify.h"
#include "cli.h"
#include "dsn.h"
#include "mime.h"
#include "xalloc.h"

struct cli_dsn_options {
    char *relative_to; /* realpath of --relative-to (owned), or NULL */
    int bounces_only;
    int verbose;
    struct classify_rules *rules; /* --rules FILE (owned), or NULL */
};

static void cli_dsn_usage(FILE *out)
{
    fprintf(
        out,
        "usage: rebound dsn parse [--relative-to DIR] [--rules FILE] [--bounces-only] [--verbose]\n"
        "                         FILE...\n\n"
        "Parses bounce reports (RFC 3464 DSNs, RFC 5965 ARF complaints, RFC 3834\n"
        "auto-replies and the plain-text formats of common MTAs) and prints one\n"
        "tab-separated row per recipient result, after a header line:\n"
        "  sample recipient status reason hardbounce ses_type ses_subtype\n\n"
        "  --relative-to DIR  print each sample path relative to DIR (e.g. the\n"
        "                     corpus's set-of-emails/); default: the path as given\n"
        "  --bounces-only     omit results that are not bounces or complaints\n"
        "                     (delivered DSNs, auto-replies; printed with ses_type -)\n"
        "  --rules FILE       operator classification rules, consulted before the\n"
        "                     built-in ones: one '<reason> <phrase>' per line, '#'\n"
        "                     comments; the first rule whose phrase occurs in a\n"
        "                     diagnostic (case-insensitive) decides its reason\n"
        "  --verbose          add columns: format, command, action, reply_code,\n"
        "                     envid, orig_message_id (for linking), diagnostic\n"
        "  -h, --help         this text\n\n"
        "Exit status: 0 when every file was read, 1 when one could not be, 2 on usage,\n"
        "3 when the --rules file is invalid.\n");
}

static bool cli_dsn_read(const char *path, struct buf *b)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b->len <= DSN_MAX_MESSAGE_BYTES)
        buf_append(b, chunk, n);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

static char *cli_dsn_sample_name(const char *path, const struct cli_dsn_options *opt)
{
    if (opt->relative_to == NULL)
        return xstrdup(path);
    char *real = realpath(path, NULL);
    size_t n = strlen(opt->relative_to);
    char *name = NULL;
    if (real != NULL && strncmp(real, opt->relative_to, n) == 0 && real[n] == '/')
        name = xstrdup(real + n + 1);
    free(real);
    return name ? name : xstrdup(path);
}

static void cli_dsn_print(const char *sample, const struct dsn_report *report,
                          const struct cli_dsn_options *opt)
{
    for (size_t i = 0; i < report->recipient_count; i++) {
        struct classify_result res;
        classify_recipient(opt->rules, report, &report->recipients[i], &res);
        if (opt->bounces_only && strcmp(res.ses_type, "-") == 0)
            continue;
        const struct dsn_recipient *r = &report->recipients[i];
        printf("%s\t%s\t%s\t%s\t%d\t%s\t%s", sample, r->address, res.status, res.reason,
               res.hard ? 1 : 0, res.ses_type, res.ses_subtype);
        if (opt->verbose)
            printf("\t%s\t%s\t%s\t%d\t%s\t%s\t%s", dsn_format_name(report->format),
                   r->command ? r->command : "", r->action ? r->action : "", r->reply_code,
                   report->envid ? report->envid : "",
                   report->orig_message_id ? report->orig_message_id : "",
                   r->diagnostic ? r->diagnostic : "");
        printf("\n");
    }
}

/* Parses the flags into opt (which then owns relative_to and rules: cli_dsn_options_free).
 * Returns -1 to go on with the files from argv[*first_r], or the exit status. */
static int cli_dsn_options_parse(int argc, char **argv, struct cli_dsn_options *opt, int *first_r)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (cli_is_help(argv[i])) {
            cli_dsn_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
            char *error = NULL;
            classify_rules_free(opt->rules);
            opt->rules = classify_rules_load(argv[++i], &error);
            if (opt->rules == NULL) {
                cli_error("cannot use --rules: %s", error);
                free(error);
                return CLI_EXIT_CONFIG;
            }
        } else if (strcmp(argv[i], "--verbose") == 0) {
            opt->verbose = 1;
        } else if (strcmp(argv[i], "--bounces-only") == 0) {
            opt->bounces_only = 1;
        } else if (strcmp(argv[i], "--relative-to") == 0 && i + 1 < argc) {
            free(opt->relative_to);
            opt->relative_to = realpath(argv[++i], NULL);
            if (opt->relative_to == NULL) {
                cli_error("cannot use --relative-to %s: no such directory", argv[i]);
                return CLI_EXIT_USAGE;
            }
        } else {
            cli_error("dsn parse: unknown option '%s' (try 'rebound dsn parse --help')", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (i == argc) {
        cli_error("dsn parse: no FILE given (try 'rebound dsn parse --help')");
        return CLI_EXIT_USAGE;
    }
    *first_r = i;
    return -1;
}

static void cli_dsn_options_free(struct cli_dsn_options *opt)
{
    free(opt->relative_to);
    classify_rules_free(opt->rules);
}

/* Parses, classifies and prints one file; false if it could not be read. */
static bool cli_dsn_file(const char *path, const struct cli_dsn_options *opt)
{
    struct buf b = BUF_INIT;
    if (!cli_dsn_read(path, &b)) {
        cli_error("cannot read %s", path);
        buf_free(&b);
        return false;
    }
    struct dsn_report *report = dsn_parse(buf_cstr(&b), b.len);
    char *sample = cli_dsn_sample_name(path, opt);
    cli_dsn_print(sample, report, opt);
    free(sample);
    dsn_report_free(report);
    buf_free(&b);
    return true;
}

static int cli_dsn_parse(int argc, char **argv)
{
    struct cli_dsn_options opt = {NULL, 0, 0, NULL};
    int first = 0;
    int status = cli_dsn_options_parse(argc, argv, &opt, &first);
    if (status >= 0) {
        cli_dsn_options_free(&opt);
        return status;
    }
    mime_global_init();
    status = CLI_EXIT_OK;
    printf("sample\trecipient\tstatus\treason\thardbounce\tses_type\tses_subtype%s\n",
           opt.verbose ? "\tformat\tcommand\taction\treply_code\tenvid\torig_message_id\tdiagnostic"
                       : "");
    for (int i = first; i < argc; i++) {
        if (!cli_dsn_file(argv[i], &opt))
            status = CLI_EXIT_FAILED;
    }
    cli_dsn_options_free(&opt);
    return status;
}

int cli_dsn(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        cli_dsn_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "parse") == 0)
        return cli_dsn_parse(argc - 1, argv + 1);
    cli_error("dsn: unknown subcommand '%s' (try 'rebound dsn --help')", argv[1]);
    return CLI_EXIT_USAGE;
}
