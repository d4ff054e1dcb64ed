/* SPDX-License-Identifier: MIT */
/* pathvisor status [--socket PATH] [--json]: the daemon's sessions, backends and counters. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client/verbs.h"
#include "common/log.h"
#include "common/protocol.h"

static void help(FILE *f) {
        fprintf(f, "Usage: pathvisor status [--socket PATH] [--json]\n"
                   "\n"
                   "Show pathvisord's version, uptime and sessions (id, uid, pid, command, backend,\n"
                   "profile, counters). Root sees every session, a user their own.\n"
                   "\n"
                   "      --socket PATH  the daemon's socket (default as for 'pathvisor run')\n"
                   "      --json         print the daemon's JSON answer as it is\n");
}

int verb_status(int argc, char **argv) {
        enum { ARG_SOCKET = 0x100, ARG_JSON };
        static const struct option options[] = {
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_free_ char *path = NULL;
        bool json = false;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_SOCKET:
                        free(path);
                        path = strdup(optarg);
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return 2;
                }
        if (!path)
                path = pv_socket_default(true);

        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (!path || strlen(path) >= sizeof(sa.sun_path)) {
                log_error("no usable socket path; give --socket");
                return 1;
        }
        strcpy(sa.sun_path, path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                log_error_errno(errno, "cannot reach pathvisord at %s: %m", path);
                return 1;
        }
        static const char req[] = "{\"ociVersion\":\"1.0.2\",\"fds\":[],\"pathvisor\":{\"version\":1,\"status\":true}}";
        if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0) {
                log_error_errno(errno, "cannot ask pathvisord: %m");
                return 1;
        }
        size_t cap = 65536, n = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return 1;
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                if (poll(&pfd, 1, 10000) <= 0) {
                        log_error("pathvisord did not answer");
                        return 1;
                }
                if (n + 1 == cap) {
                        char *nb = realloc(buf, cap *= 2);
                        if (!nb)
                                return 1;
                        buf = nb;
                }
                ssize_t k = read(fd, buf + n, cap - 1 - n);
                if (k < 0) {
                        log_error_errno(errno, "cannot read the answer: %m");
                        return 1;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (memchr(buf, '\n', n))
                        break;
        }
        buf[n] = '\0';
        json_object *o = json_tokener_parse(buf), *v;
        if (!o || !json_object_object_get_ex(o, "ok", &v) || !json_object_get_boolean(v)) {
                json_object *e;
                log_error("pathvisord: %s", o && json_object_object_get_ex(o, "error", &e) ? json_object_get_string(e)
                                                                                            : "no valid answer");
                json_object_put(o);
                return 1;
        }
        if (json) {
                printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
                json_object_put(o);
                return 0;
        }
        json_object *ver, *up, *sessions;
        json_object_object_get_ex(o, "version", &ver);
        json_object_object_get_ex(o, "uptime_sec", &up);
        json_object_object_get_ex(o, "sessions", &sessions);
        size_t ns = sessions ? json_object_array_length(sessions) : 0;
        printf("pathvisord %s, up %llds, %zu session%s\n", ver ? json_object_get_string(ver) : "?",
               (long long) (up ? json_object_get_int64(up) : 0), ns, ns == 1 ? "" : "s");
        if (ns > 0)
                printf("%6s %6s %8s %-14s %-10s %9s %9s %10s %8s  %s\n", "ID", "UID", "PID", "BACKEND", "PROFILE",
                       "TRAPPED", "PASSED", "REDIRECTED", "DENIED", "COMMAND");
        for (size_t i = 0; i < ns; i++) {
                json_object *s = json_object_array_get_idx(sessions, i), *f;
#define I(k) (json_object_object_get_ex(s, k, &f) ? (long long) json_object_get_int64(f) : 0LL)
#define S(k) (json_object_object_get_ex(s, k, &f) && f ? json_object_get_string(f) : "-")
                printf("%6lld %6lld %8lld %-14s %-10s %9lld %9lld %10lld %8lld  %s\n", I("id"), I("uid"), I("pid"),
                       S("backend"), S("profile"), I("trapped"), I("passed"), I("redirected"), I("denied"),
                       S("command"));
                /* a client whose auto fell back says why */
                if (json_object_object_get_ex(s, "reason", &f) && f)
                        printf("%6s %s backend: %s\n", "", S("backend"), json_object_get_string(f));
#undef I
#undef S
        }
        json_object_put(o);
        return 0;
}
