/*
 * Fuzz target: the feedback MX's RCPT decision (untrusted: any client on the Internet chooses
 * the forward-path). Checks the invariants a caller relies on: a refusal has a reason, an
 * acceptance names a served domain, and a return path's reversed address lies outside the
 * served domains; the owner phase runs on a fixed identity list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feedback_rcpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const secrets[] = {"fuzz-secret"};
    static const char *const domains[] = {"mail.example.com"};
    struct srs_config cfg;
    srs_config_defaults(&cfg);
    cfg.domain = "bounce.example.net";
    cfg.secrets = secrets;
    cfg.n_secrets = 1;
    cfg.max_age_days = 1023; /* let the fuzzer reach the owner phase without the clock */
    char *error = NULL;
    struct srs *srs = srs_new(&cfg, &error);
    if (srs == NULL)
        abort();
    struct feedback_rcpt_policy policy = {srs, domains, 1, true};
    char *input = malloc(size + 1);
    memcpy(input, data, size);
    input[size] = '\0';

    struct feedback_rcpt_decision d;
    feedback_rcpt_check(&policy, input, 1710504000, &d);
    if (d.kind == FEEDBACK_RCPT_REFUSE && (d.reason == NULL || d.why == NULL))
        abort();
    if (d.kind != FEEDBACK_RCPT_REFUSE && !feedback_rcpt_serves(&policy, d.domain))
        abort();
    if (d.kind == FEEDBACK_RCPT_RETURN_PATH) {
        const char *at = strchr(d.reversed, '@');
        if (at == NULL || feedback_rcpt_serves(&policy, at + 1))
            abort();
        struct store_identity items[] = {
            {.name = "example.com", .account_id = 1, .status = IDENTITY_SUCCESS},
            {.name = "a@example.org", .account_id = 2, .status = IDENTITY_SUCCESS},
        };
        struct store_identity_list ids = {items, 2};
        if (feedback_rcpt_owner(&ids, &d) && d.account_id != 1 && d.account_id != 2)
            abort();
    }
    feedback_rcpt_decision_clear(&d);
    free(input);
    srs_free(srs);
    return 0;
}
