#include "log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

/* Process-wide logger state, written once by main through log_init() (STYLE.md rule 9). */
static enum log_level log_min_level = LOG_LEVEL_INFO;
static FILE *log_sink;

static const char *const log_level_names[] = {"debug", "info", "warning", "error"};

void log_init(enum log_level level, FILE *sink)
{
    log_min_level = level;
    log_sink = sink;
}

bool log_enabled(enum log_level level)
{
    return level >= log_min_level;
}

bool log_level_parse(const char *name, enum log_level *level_r)
{
    for (size_t i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++) {
        if (strcmp(name, log_level_names[i]) == 0) {
            *level_r = (enum log_level)i;
            return true;
        }
    }
    return false;
}

void log_write(enum log_level level, const char *id, const char *fmt, ...)
{
    FILE *out = log_sink ? log_sink : stderr;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

    char line[2048];
    int n = snprintf(line, sizeof(line), "%s.%03ldZ %s %s ", stamp, ts.tv_nsec / 1000000,
                     log_level_names[level], id ? id : "-");
    if (n < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    if ((size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    /* One write per line so that concurrent processes do not interleave within a line. */
    fprintf(out, "%s\n", line);
    fflush(out);
}
