/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"

static int max_level = LOG_INFO;
static enum log_target target = LOG_TARGET_STDERR;
static const char *prefix = "pathvisor";

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_set_target(enum log_target t) {
        target = t;
}

void log_set_prefix(const char *p) {
        prefix = p;
}

int log_level_from_string(const char *s) {
        static const char *const names[] = {
                [LOG_EMERG] = "emerg",   [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
                [LOG_ERR] = "err",       [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info",     [LOG_DEBUG] = "debug",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcasecmp(s, names[i]) == 0)
                        return (int) i;
        if (strcasecmp(s, "error") == 0)
                return LOG_ERR;
        if (strcasecmp(s, "warn") == 0)
                return LOG_WARNING;
        char *end;
        errno = 0;
        long l = strtol(s, &end, 10);
        if (errno == 0 && *s && !*end && l >= LOG_EMERG && l <= LOG_DEBUG)
                return (int) l;
        return -EINVAL;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        int e = error < 0 ? -error : error;

        if (level > max_level)
                return -e;

        char buf[2048];
        va_list ap;
        errno = e;
        va_start(ap, format);
        vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        if (target == LOG_TARGET_STDERR_PREFIXED)
                fprintf(stderr, "<%d>%s\n", level, buf);
        else if (max_level >= LOG_DEBUG)
                fprintf(stderr, "%s: %s (%s:%d %s)\n", prefix, buf, file, line, func);
        else
                fprintf(stderr, "%s: %s\n", prefix, buf);

        errno = e;
        return -e;
}
