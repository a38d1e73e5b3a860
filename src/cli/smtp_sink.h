/*
 * smtp_sink: a debugging and test role for the SMTP engine (`rebound smtp-sink`). It accepts
 * one fixed user/password, every sender and recipient, and commits each message to a
 * maildir-like directory: DIR/tmp/ID.* are written and fsync'd by a worker thread, renamed to
 * DIR/new/ID.envelope and DIR/new/ID.eml, and the directory is fsync'd, before the commit is
 * answered, so a "250" from the sink means the files are on disk. ID.eml is the message as the
 * engine hands it over (Received: header + body, byte-exact); ID.envelope holds one line per
 * fact: "mail-from <addr>", "param NAME=VALUE", "rcpt <addr> NOTIFY=.. ORCPT=type;addr",
 * "account NAME", "client IP", "tls yes|no".
 *
 * SECURITY: this is not a production role: it trusts its config and writes whatever it is
 * sent. The worker never touches the event loop; results come back through a pipe.
 * Ownership: smtp_sink_new() returns an owned object; smtp_sink_free() joins the worker.
 */
#ifndef REBOUND_CLI_SMTP_SINK_H
#define REBOUND_CLI_SMTP_SINK_H

#include <event2/event.h>
#include <stdbool.h>

#include "smtp_server.h"

struct smtp_sink;

/* dir must exist or be creatable; user/password may be NULL (then AUTH always fails). */
struct smtp_sink *smtp_sink_new(struct event_base *base, const char *dir, const char *user,
                                const char *password, char **error_r);
/* The handler to give smtp_server_new(); ctx is the sink. */
struct smtp_server_handler smtp_sink_handler(struct smtp_sink *sink);
/* The server answers go to; set once after smtp_server_new(). */
void smtp_sink_set_server(struct smtp_sink *sink, struct smtp_server *server);
void smtp_sink_free(struct smtp_sink *sink);

#endif
