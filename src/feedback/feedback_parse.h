/*
 * feedback_parse: parses reports (dsn_parse) on a worker thread, so a large report never
 * stalls the event loop (STYLE.md rule 6). The loop submits a copy of the bytes and gets the
 * parsed report back later, on the loop, keyed by the job id it was given; a requester that
 * went away in between is simply not found by its id, and the report is freed by whoever
 * receives it.
 *
 * Ownership: submit copies the data. The callback receives an owned report (dsn_report_free).
 * feedback_parser_free() joins the worker; finished jobs not yet delivered are dropped.
 * mime_global_init() must have run before the first submit.
 */
#ifndef REBOUND_FEEDBACK_PARSE_H
#define REBOUND_FEEDBACK_PARSE_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

#include "dsn.h"

struct feedback_parser;

typedef void feedback_parse_cb(uint64_t job_id, struct dsn_report *report, void *arg);

/* base and arg are borrowed for the parser's life. NULL if a thread or pipe cannot be made. */
struct feedback_parser *feedback_parser_new(struct event_base *base, feedback_parse_cb *cb,
                                            void *arg);
/* Queues a parse of data[0..len); returns the job id (never 0). The callback never fires
 * inside this call. */
uint64_t feedback_parser_submit(struct feedback_parser *p, const char *data, size_t len);
void feedback_parser_free(struct feedback_parser *p);

#endif
