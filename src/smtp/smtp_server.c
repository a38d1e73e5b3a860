/*
 * The engine object: configuration, the role's handler, the request table (request id ->
 * session) that makes late answers safe, and the session list used for the connection limits.
 */
#include "smtp_server.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp_listen.h"
#include "smtp_session_impl.h"
#include "xalloc.h"

void smtp_limits_default(struct smtp_limits *limits)
{
    limits->command_line = SMTP_COMMAND_LINE_MAX;
    limits->text_line = SMTP_TEXT_LINE_MAX;
    limits->recipients = SMTP_DEFAULT_MAX_RECIPIENTS;
    limits->message_size = SMTP_DEFAULT_MAX_MESSAGE_SIZE;
    limits->commands = SMTP_DEFAULT_MAX_COMMANDS;
    limits->sessions = SMTP_DEFAULT_MAX_SESSIONS;
    limits->sessions_per_ip = SMTP_DEFAULT_MAX_SESSIONS_PER_IP;
    limits->timeout_command = SMTP_DEFAULT_TIMEOUT_COMMAND;
    limits->timeout_data = SMTP_DEFAULT_TIMEOUT_DATA;
}

struct smtp_server *smtp_server_new(const struct smtp_server_config *config,
                                    const struct smtp_server_handler *handler)
{
    assert(handler->commit != NULL);
    assert(config->limits.command_line >= SMTP_COMMAND_LINE_MAX);
    struct smtp_server *srv = xcalloc(1, sizeof(*srv));
    srv->config = *config;
    srv->handler = *handler;
    srv->started_ms = clock_now_ms(&srv->config.clock);
    return srv;
}

void smtp_server_free(struct smtp_server *server)
{
    if (server == NULL)
        return;
    smtp_listen_destroy(server);
    while (server->sessions != NULL)
        smtp_session_free(server->sessions);
    idtab_free(&server->requests);
    free(server);
}

unsigned smtp_server_session_count(const struct smtp_server *server)
{
    return server->n_sessions;
}

static bool smtp_answer_is_consistent(const struct smtp_answer *a)
{
    static const int classes[] = {2, 4, 5};
    if (a->code == 0)
        return a->enhanced == NULL;
    return a->code / 100 == classes[a->verdict] && smtp_reply_is_valid(a->code, a->enhanced);
}

void smtp_server_answer(struct smtp_server *server, uint64_t request_id,
                        const struct smtp_answer *answer)
{
    /* A role answering with a 4xx code for ACCEPT is a bug in the role, not input. */
    assert(smtp_answer_is_consistent(answer));
    struct smtp_session *s = idtab_remove(&server->requests, request_id);
    if (s == NULL) {
        LOG_DEBUG("-", "answer ignored request=%llu", (unsigned long long)request_id);
        return;
    }
    struct smtp_session_answer *a = &s->answer;
    smtp_session_answer_clear(a);
    a->ready = true;
    a->verdict = answer->verdict;
    a->code = answer->code;
    a->enhanced = answer->enhanced ? xstrdup(answer->enhanced) : NULL;
    a->text = answer->text ? xstrdup(answer->text) : NULL;
    a->account = answer->account ? xstrdup(answer->account) : NULL;
    a->account_id = answer->account_id;
    a->message_id = answer->message_id ? xstrdup(answer->message_id) : NULL;
    s->transport.schedule(s->transport.ctx);
}

bool smtp_server_may_accept(const struct smtp_server *server, const char *client_ip,
                            struct smtp_reply *refusal_r)
{
    const struct smtp_limits *l = &server->config.limits;
    refusal_r->code = 421;
    refusal_r->enhanced = "4.7.0";
    if (server->n_sessions >= l->sessions) {
        refusal_r->text = "Too many connections, try again later";
        return false;
    }
    unsigned same = 0;
    for (const struct smtp_session *s = server->sessions; s != NULL; s = s->next) {
        if (strcmp(s->client_ip, client_ip) == 0 && ++same >= l->sessions_per_ip) {
            refusal_r->text = "Too many connections from your address, try again later";
            return false;
        }
    }
    return true;
}
