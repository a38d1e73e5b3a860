/*
 * libFuzzer target: one SMTP command line (RFC 5321 4.1) through smtp_command_parse(),
 * including paths, ESMTP/DSN parameters and AUTH arguments. Checks that every refusal is a
 * well-formed reply and that every success yields the fields its verb promises.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_auth.h"
#include "smtp_command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smtp_command cmd;
    struct smtp_reply error;
    if (!smtp_command_parse((const char *)data, size, &cmd, &error)) {
        assert(smtp_reply_is_valid(error.code, error.enhanced));
        assert(error.code >= 500 && error.text != NULL);
        return 0;
    }
    if (cmd.verb == SMTP_VERB_MAIL || cmd.verb == SMTP_VERB_RCPT)
        assert(cmd.path != NULL && strlen(cmd.path) <= SMTP_PATH_MAX);
    if (cmd.verb == SMTP_VERB_RCPT)
        assert(cmd.path[0] != '\0');
    if (cmd.verb == SMTP_VERB_AUTH && cmd.arg2 != NULL) {
        /* The AUTH decoders see exactly what the session would pass them. */
        struct smtp_auth_credentials creds;
        if (smtp_auth_plain_decode(cmd.arg2, strlen(cmd.arg2), &creds))
            smtp_auth_credentials_clear(&creds);
        char *user;
        if (smtp_auth_login_decode(cmd.arg2, strlen(cmd.arg2), &user))
            free(user);
    }
    smtp_command_clear(&cmd);
    return 0;
}
