#include "cli_srs_setup.h"

#include <string.h>

#include "settings.h"
#include "str.h"
#include "xalloc.h"

struct srs *cli_srs_setup(const struct config *cfg, char **error_r)
{
    if (!config_is_set(cfg, "srs.domain")) {
        *error_r = xasprintf("no SRS domain: give --domain or set srs.domain");
        return NULL;
    }
    if (!config_is_set(cfg, "srs.secret_file")) {
        *error_r = xasprintf("no secrets: give --secret-file or set srs.secret_file");
        return NULL;
    }
    char **secrets = NULL;
    unsigned n =
        settings_read_secrets(config_get_string(cfg, "srs.secret_file"), &secrets, error_r);
    if (n == 0)
        return NULL;
    struct srs_config sc;
    srs_config_defaults(&sc);
    sc.domain = config_get_string(cfg, "srs.domain");
    sc.secrets = (const char *const *)secrets;
    sc.n_secrets = n;
    sc.hash_length = (unsigned)config_get_int(cfg, "srs.hash_length");
    sc.hash_min = (unsigned)config_get_int(cfg, "srs.hash_min");
    sc.max_age_days = (unsigned)config_get_int(cfg, "srs.max_age_days");
    sc.separator = config_get_string(cfg, "srs.separator")[0];
    sc.alphabet = strcmp(config_get_string(cfg, "srs.alphabet"), "base64") == 0
                      ? SRS_ALPHABET_BASE64
                      : SRS_ALPHABET_BASE64URL;
    sc.always_rewrite = config_get_bool(cfg, "srs.always_rewrite");
    struct srs *srs = srs_new(&sc, error_r);
    for (unsigned i = 0; i < n; i++)
        explicit_bzero(secrets[i], strlen(secrets[i])); /* srs_new keeps its own copy */
    config_free_list(secrets, n);
    return srs;
}
