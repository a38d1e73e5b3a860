/* spf_outcome: result names and the outcome's ownership helpers. */
#include <stdlib.h>
#include <string.h>

#include "spf.h"
#include "xalloc.h"

const char *spf_result_name(enum spf_result result)
{
    switch (result) {
    case SPF_RESULT_NONE:
        return "none";
    case SPF_RESULT_NEUTRAL:
        return "neutral";
    case SPF_RESULT_PASS:
        return "pass";
    case SPF_RESULT_FAIL:
        return "fail";
    case SPF_RESULT_SOFTFAIL:
        return "softfail";
    case SPF_RESULT_TEMPERROR:
        return "temperror";
    case SPF_RESULT_PERMERROR:
        return "permerror";
    }
    return "permerror";
}

const char *spf_result_title(enum spf_result result)
{
    switch (result) {
    case SPF_RESULT_NONE:
        return "None";
    case SPF_RESULT_NEUTRAL:
        return "Neutral";
    case SPF_RESULT_PASS:
        return "Pass";
    case SPF_RESULT_FAIL:
        return "Fail";
    case SPF_RESULT_SOFTFAIL:
        return "SoftFail";
    case SPF_RESULT_TEMPERROR:
        return "TempError";
    case SPF_RESULT_PERMERROR:
        return "PermError";
    }
    return "PermError";
}

static char *spf_dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void spf_outcome_copy(struct spf_outcome *dst, const struct spf_outcome *src)
{
    dst->result = src->result;
    dst->explanation = spf_dup_or_null(src->explanation);
    dst->mechanism = spf_dup_or_null(src->mechanism);
    dst->problem = spf_dup_or_null(src->problem);
    dst->domain = spf_dup_or_null(src->domain);
}

void spf_outcome_clear(struct spf_outcome *outcome)
{
    if (outcome == NULL)
        return;
    free(outcome->explanation);
    free(outcome->mechanism);
    free(outcome->problem);
    free(outcome->domain);
    memset(outcome, 0, sizeof(*outcome));
}
