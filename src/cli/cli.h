/*
 * cli: the `rebound` command. main.c dispatches argv[1] to one handler per subcommand; each
 * handler lives in its own cli_<name>.c, parses its own flags, prints results on stdout and
 * reasons on stderr, and returns the process exit status (0 success, 1 operation refused or
 * failed, 2 usage error, 3 configuration error).
 */
#ifndef REBOUND_CLI_CLI_H
#define REBOUND_CLI_CLI_H

#include <stdio.h>

enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_CONFIG = 3,
};

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
    const char *summary;
};

int cli_srs(int argc, char **argv);
int cli_check_config(int argc, char **argv);
int cli_srsmap(int argc, char **argv);
int cli_spf(int argc, char **argv);
int cli_account(int argc, char **argv);
int cli_identity(int argc, char **argv);
int cli_dns(int argc, char **argv);
int cli_deliver_once(int argc, char **argv);
int cli_dsn(int argc, char **argv);
int cli_smtp_sink(int argc, char **argv);
int cli_mail_from(int argc, char **argv);
int cli_dns_records(int argc, char **argv);
int cli_api(int argc, char **argv);
int cli_verifier(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_message(int argc, char **argv);
int cli_feedback_mx(int argc, char **argv);
int cli_queue(int argc, char **argv);

/* Prints "rebound: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True for "-h" and "--help". */
int cli_is_help(const char *arg);

#endif
