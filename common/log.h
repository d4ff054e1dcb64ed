/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "common/macro.h"

/* Levels are syslog's (LOG_ERR .. LOG_DEBUG). Library code (policy/, backends/) logs at debug only;
 * program code logs and returns in one step: return log_error_errno(r, "Failed to ...: %m"). */

enum log_target {
        LOG_TARGET_STDERR,          /* "pathvisor: message" for people at a terminal */
        LOG_TARGET_STDERR_PREFIXED, /* "<3>message", read by journald from a service's stderr */
        LOG_TARGET_JOURNAL,         /* sd-journal, with structured fields */
};

void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_target(enum log_target target);
void log_set_prefix(const char *prefix);
int log_level_from_string(const char *s);

/* Logs at level; when error != 0, errno is set to |error| for %m. Returns -|error| (or 0). */
int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);

/* A message with journal fields ("SESSION=7", "PATH=/etc/passwd", ...): the fields go to the
 * journal as they are; other targets print the message alone. */
int log_fields(int level, const char *const *fields, size_t n_fields, const char *format, ...) _printf_(4, 5);

/* The journal target when stderr is what JOURNAL_STREAM names (a service run by systemd), the
 * "<N>" prefixed target when stderr is not a terminal, else plain. */
void log_setup_service(void);

#define log_full_errno(level, error, ...) \
        log_internal(level, error, __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)

#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...) log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)
