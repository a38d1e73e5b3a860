/* api_error: the SES v2 errors rebound answers, with their HTTP statuses. */
#ifndef REBOUND_API_ERROR_H
#define REBOUND_API_ERROR_H

#include "api.h"
#include "store.h"

enum api_error {
    API_ERR_BAD_REQUEST,    /* 400 BadRequestException: malformed JSON, refused value */
    API_ERR_NOT_FOUND,      /* 404 NotFoundException */
    API_ERR_ALREADY_EXISTS, /* 400 AlreadyExistsException */
    API_ERR_TOO_LARGE,      /* 413 BadRequestException: body over API_MAX_BODY */
    API_ERR_MISSING_AUTH,   /* 403 MissingAuthenticationTokenException */
    API_ERR_INCOMPLETE_SIG, /* 400 IncompleteSignatureException */
    API_ERR_UNRECOGNIZED,   /* 403 UnrecognizedClientException: unknown access key */
    API_ERR_BAD_SIGNATURE,  /* 403 SignatureDoesNotMatch */
    API_ERR_EXPIRED,        /* 403 InvalidSignatureException: signature expired */
    API_ERR_MAIL_FROM,      /* 400 MailFromDomainNotVerifiedException */
    API_ERR_METHOD,         /* 405 BadRequestException: method not allowed on the path */
    API_ERR_TEMPORARY,      /* 503 ServiceUnavailable: store busy, try again */
    API_ERR_INTERNAL,       /* 500 InternalFailure */
};

const char *api_error_name(enum api_error e);
int api_error_status(enum api_error e);
/* Fills resp with the error's status, name and JSON body (message copied). */
void api_error_respond(struct api_response *resp, enum api_error e, const char *message);
/* The error for a store status other than STORE_OK. */
enum api_error api_error_from_store(enum store_status s);

#endif
