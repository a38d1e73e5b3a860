/*
 * log: one line per event (STYLE.md rule 8): "<time> <level> <id> <event> key=value ...".
 * The id is a message or session id (or "-") so that a message's life can be followed with
 * grep. The logger is one of the few process-wide objects main owns: log_init() is called by
 * main before anything logs; afterwards the level and sink are read-only.
 * LOG() checks the level before formatting anything. Never log secrets.
 */
#ifndef REBOUND_LIB_LOG_H
#define REBOUND_LIB_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARNING, LOG_LEVEL_ERROR };

/* Sets the minimum level and the sink (borrowed: must outlive logging; NULL = stderr). */
void log_init(enum log_level level, FILE *sink);
bool log_enabled(enum log_level level);
void log_write(enum log_level level, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Parses "debug", "info", "warning", "error"; false if unknown. */
bool log_level_parse(const char *name, enum log_level *level_r);

#define LOG(level, id, ...)                                                                        \
    do {                                                                                           \
        if (log_enabled(level))                                                                    \
            log_write(level, id, __VA_ARGS__);                                                     \
    } while (0)
#define LOG_DEBUG(id, ...) LOG(LOG_LEVEL_DEBUG, id, __VA_ARGS__)
#define LOG_INFO(id, ...)  LOG(LOG_LEVEL_INFO, id, __VA_ARGS__)
#define LOG_WARN(id, ...)  LOG(LOG_LEVEL_WARNING, id, __VA_ARGS__)
#define LOG_ERROR(id, ...) LOG(LOG_LEVEL_ERROR, id, __VA_ARGS__)

#endif
