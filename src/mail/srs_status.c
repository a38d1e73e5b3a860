/* Names and libsrs2 texts of SRS outcomes (srs.h). */
#include "srs.h"

struct srs_status_text {
    const char *name;
    const char *text;
};

static const struct srs_status_text srs_status_texts[] = {
    [SRS_OK] = {"ok", "Success."},
    [SRS_UNCHANGED] = {"unchanged", "Address is in the SRS domain; not rewritten."},
    [SRS_ENOTSRS] = {"not-srs", "Not an SRS address."},
    [SRS_ENOAT] = {"no-at-sign", "No at sign in sender address"},
    [SRS_ETOOLONG] = {"too-long", "Buffer too small."},
    [SRS_ENOSRS0HOST] = {"srs0-no-host", "No host in SRS0 address."},
    [SRS_ENOSRS0USER] = {"srs0-no-user", "No user in SRS0 address."},
    [SRS_ENOSRS0HASH] = {"srs0-no-hash", "No hash in SRS0 address."},
    [SRS_ENOSRS0STAMP] = {"srs0-no-timestamp", "No timestamp in SRS0 address."},
    [SRS_ENOSRS1HOST] = {"srs1-no-host", "No host in SRS1 address."},
    [SRS_ENOSRS1USER] = {"srs1-no-user", "No user in SRS1 address."},
    [SRS_ENOSRS1HASH] = {"srs1-no-hash", "No hash in SRS1 address."},
    [SRS_EBADTIMESTAMPCHAR] = {"bad-timestamp", "Bad base32 character in timestamp."},
    [SRS_EHASHTOOSHORT] = {"hash-too-short", "Hash too short in SRS address."},
    [SRS_ETIMESTAMPOUTOFDATE] = {"expired", "Time stamp out of date."},
    [SRS_EHASHINVALID] = {"bad-hash", "Hash invalid in SRS address."},
    [SRS_ENOSECRETS] = {"no-secrets", "No secrets in SRS configuration."},
    [SRS_EBADSEPARATOR] = {"bad-separator", "Invalid separator suggested."},
};

const char *srs_strerror(enum srs_status status)
{
    if ((unsigned)status >= sizeof(srs_status_texts) / sizeof(srs_status_texts[0]))
        return "Unknown SRS error.";
    return srs_status_texts[status].text;
}

const char *srs_status_name(enum srs_status status)
{
    if ((unsigned)status >= sizeof(srs_status_texts) / sizeof(srs_status_texts[0]))
        return "unknown";
    return srs_status_texts[status].name;
}
