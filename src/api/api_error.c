/* api_error: see api_error.h. */
#include "api_error.h"

#include "api_json.h"

static const struct {
    const char *name;
    int status;
} api_errors[] = {
    [API_ERR_BAD_REQUEST] = {"BadRequestException", 400},
    [API_ERR_NOT_FOUND] = {"NotFoundException", 404},
    [API_ERR_ALREADY_EXISTS] = {"AlreadyExistsException", 400},
    [API_ERR_TOO_LARGE] = {"BadRequestException", 413},
    [API_ERR_MISSING_AUTH] = {"MissingAuthenticationTokenException", 403},
    [API_ERR_INCOMPLETE_SIG] = {"IncompleteSignatureException", 400},
    [API_ERR_UNRECOGNIZED] = {"UnrecognizedClientException", 403},
    [API_ERR_BAD_SIGNATURE] = {"SignatureDoesNotMatch", 403},
    [API_ERR_EXPIRED] = {"InvalidSignatureException", 403},
    [API_ERR_MAIL_FROM] = {"MailFromDomainNotVerifiedException", 400},
    [API_ERR_METHOD] = {"BadRequestException", 405},
    [API_ERR_TEMPORARY] = {"ServiceUnavailable", 503},
    [API_ERR_INTERNAL] = {"InternalFailure", 500},
};

const char *api_error_name(enum api_error e)
{
    return api_errors[e].name;
}

int api_error_status(enum api_error e)
{
    return api_errors[e].status;
}

void api_error_respond(struct api_response *resp, enum api_error e, const char *message)
{
    api_response_clear(resp);
    resp->status = api_errors[e].status;
    resp->error_type = api_errors[e].name;
    resp->content_type = "application/json";
    resp->body = api_json_error(api_errors[e].name, message);
}

enum api_error api_error_from_store(enum store_status s)
{
    switch (s) {
    case STORE_NOT_FOUND:
        return API_ERR_NOT_FOUND;
    case STORE_EXISTS:
        return API_ERR_ALREADY_EXISTS;
    case STORE_REFUSED:
        return API_ERR_BAD_REQUEST;
    case STORE_TEMPFAIL:
        return API_ERR_TEMPORARY;
    default:
        return API_ERR_INTERNAL;
    }
}
