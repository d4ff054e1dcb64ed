/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

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

        if (target == LOG_TARGET_JOURNAL)
                sd_journal_send("MESSAGE=%s", buf, "PRIORITY=%d", level, "SYSLOG_IDENTIFIER=%s", prefix,
                                e ? "ERRNO=%d" : NULL, e, NULL);
        else if (target == LOG_TARGET_STDERR_PREFIXED)
                fprintf(stderr, "<%d>%s\n", level, buf);
        else if (max_level >= LOG_DEBUG && file)
                fprintf(stderr, "%s: %s (%s:%d %s)\n", prefix, buf, file, line, func);
        else
                fprintf(stderr, "%s: %s\n", prefix, buf);

        errno = e;
        return -e;
}

int log_fields(int level, const char *const *fields, size_t n_fields, const char *format, ...) {
        if (level > max_level)
                return 0;
        char buf[2048];
        va_list ap;
        va_start(ap, format);
        vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        if (target != LOG_TARGET_JOURNAL)
                return log_internal(level, 0, NULL, 0, NULL, "%s", buf);

        char message[2100], priority[16];
        struct iovec iov[16];
        size_t n = 0;
        snprintf(message, sizeof(message), "MESSAGE=%s", buf);
        snprintf(priority, sizeof(priority), "PRIORITY=%d", level);
        iov[n++] = (struct iovec) { message, strlen(message) };
        iov[n++] = (struct iovec) { priority, strlen(priority) };
        iov[n++] = (struct iovec) { (char *) "SYSLOG_IDENTIFIER=pathvisord", 28 };
        for (size_t i = 0; i < n_fields && n < ELEMENTSOF(iov); i++)
                if (fields[i])
                        iov[n++] = (struct iovec) { (char *) fields[i], strlen(fields[i]) };
        sd_journal_sendv(iov, (int) n);
        return 0;
}

void log_setup_service(void) {
        const char *js = getenv("JOURNAL_STREAM");
        struct stat st;
        if (js && fstat(STDERR_FILENO, &st) == 0) {
                unsigned long long dev, ino;
                if (sscanf(js, "%llu:%llu", &dev, &ino) == 2 && dev == (unsigned long long) st.st_dev &&
                    ino == (unsigned long long) st.st_ino) {
                        target = LOG_TARGET_JOURNAL;
                        return;
                }
        }
        if (!isatty(STDERR_FILENO))
                target = LOG_TARGET_STDERR_PREFIXED;
}
