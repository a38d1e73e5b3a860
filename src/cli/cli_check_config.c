#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "settings.h"

/* rebound check-config [--config FILE]: validates the whole file, prints every setting. */
int cli_check_config(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            printf("usage: rebound check-config [--config FILE]\n\n"
                   "Reads FILE (default: only the built-in defaults), validates every setting\n"
                   "and prints the resulting configuration as 'name = value' lines.\n");
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else {
            cli_error("check-config: unexpected argument '%s'", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    char *error = NULL;
    struct config *cfg = settings_load(path, &error);
    if (cfg == NULL || !settings_validate(cfg, &error)) {
        cli_error("%s", error);
        free(error);
        config_free(cfg);
        return CLI_EXIT_CONFIG;
    }
    size_t n;
    const struct config_option *table = config_table(cfg, &n);
    for (size_t i = 0; i < n; i++) {
        const char *v = config_get_string_any(cfg, table[i].name);
        printf("%s = %s\n", table[i].name, v ? v : "");
    }
    config_free(cfg);
    return CLI_EXIT_OK;
}
