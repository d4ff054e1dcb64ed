/* SPDX-License-Identifier: MIT */
/* pathvisord: the supervisor daemon. Clients (pathvisor run, OCI runtimes) hand it seccomp
 * listeners; each becomes a session driven by the same engine as embedded mode, acting with the
 * tracee's credentials, until the tracees are gone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "backends/as-tracee.h"
#include "backends/ptrace.h"
#include "backends/seccomp-compat.h"
#include "backends/tracee.h"
#include "backends/unotify.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/protocol.h"
#include "policy/policy.h"

#define CONNECTION_TIMEOUT_USEC (5ULL * 1000000)
#define SESSIONS_PER_UID_MAX 256
#define CONNECTIONS_MAX 1024
#define CONNECTIONS_PER_UID_MAX 32 /* waiting for their message; root's are not counted */

/* A policy shared by sessions: profiles are replaced on reload while sessions keep theirs. */
struct shared_policy {
        unsigned refs;
        struct pv_policy *policy;
        char *file, *text; /* profiles: the file it came from, as it was then (for the fd store) */
        size_t text_len;
};

static struct shared_policy *shared_policy_ref(struct shared_policy *s) {
        s->refs++;
        return s;
}

static void shared_policy_unref(struct shared_policy *s) {
        if (s && --s->refs == 0) {
                pv_policy_free(s->policy);
                free(s->file);
                free(s->text);
                free(s);
        }
}

static struct shared_policy *shared_policy_new(struct pv_policy *p) {
        struct shared_policy *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->refs = 1;
        s->policy = p;
        return s;
}

struct profile {
        char *name;
        struct shared_policy *policy;
};

struct manager;

struct session {
        struct manager *manager;
        struct session *next;
        unsigned long long id;
        uid_t uid;        /* of the client that handed it over */
        pid_t pid;        /* the program, when known */
        char *command;
        char *profile;
        int listener;
        sd_event_source *io;
        sd_event_source *more; /* a defer source: notifications left after a batch */
        struct shared_policy *policy;
        struct pv_unotify *engine;
        uint64_t started_usec;
        bool stored;      /* its listener is in systemd's fd store */
        int inflight_fd;  /* memfd (in the fd store) with the request being handled */
        void *inflight;
        char *backend;    /* "unotify", "ptrace-seccomp", "ptrace" */
        char *reason;     /* why the client's auto chose it, if it did */
        /* ptrace sessions: a thread of their own is the tracer (ptrace binds tracees to the
         * attaching thread); it tells the event loop through done_fd when every tracee is gone */
        struct pv_ptrace *tracer;
        pthread_t thread;
        bool thread_running;
        int pidfd;
        int done_fd;
        sd_event_source *done_io;
        int seize_result;
        int seize_pipe[2];
};

#define INFLIGHT_SIZE 4096

struct connection {
        struct manager *manager;
        struct connection *next;
        int fd;
        struct ucred peer;
        sd_event_source *io, *timer;
        struct pv_message_reader *reader;
        int fds[PV_MESSAGE_FDS_MAX];
        size_t n_fds;
        bool got_first;
        bool pathvisor;   /* the text so far names a "pathvisor" member: the client wants a reply */
        char tail[16];    /* the end of the last chunk, to find the name across chunk boundaries */
        size_t n_tail;
};

struct manager {
        sd_event *event;
        char *socket_path;  /* our own socket, removed on exit; NULL when activated */
        char *policy_dir;
        int listen_fd;
        sd_event_source *listen_io;
        struct profile *profiles;
        size_t n_profiles;
        struct session *sessions;
        size_t n_sessions;
        struct connection *connections;
        size_t n_connections;
        unsigned long long next_id;
        uint64_t started_usec;
        bool stopping;
};

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void notify_status(struct manager *m) {
        sd_notifyf(false, "STATUS=%zu session%s, %zu profile%s", m->n_sessions, m->n_sessions == 1 ? "" : "s",
                   m->n_profiles, m->n_profiles == 1 ? "" : "s");
}

/* ---- profiles ---------------------------------------------------------------------------------- */

static void profiles_free(struct profile *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(p[i].name);
                shared_policy_unref(p[i].policy);
        }
        free(p);
}

/* Loads every NAME.json of the policy directory. All or nothing: with any error the old
 * profiles stay in force and every error is logged as FILE:LINE:COL. */
static int profiles_load(struct manager *m, bool startup) {
        _cleanup_free_ struct profile *list = NULL;
        size_t n = 0;
        int errors = 0;

        DIR *d = opendir(m->policy_dir);
        if (!d) {
                if (errno == ENOENT) {
                        log_info("policy directory %s does not exist: no profiles", m->policy_dir);
                        profiles_free(m->profiles, m->n_profiles);
                        m->profiles = NULL;
                        m->n_profiles = 0;
                        return 0;
                }
                return log_error_errno(errno, "cannot open policy directory %s: %m", m->policy_dir);
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
                        continue;
                _cleanup_free_ char *name = strndup(de->d_name, len - 5), *path = NULL;
                if (!name || asprintf(&path, "%s/%s", m->policy_dir, de->d_name) < 0) {
                        errors++;
                        break;
                }
                if (!pv_profile_name_valid(name)) {
                        log_warning("%s: not a valid profile name, ignoring", path);
                        continue;
                }
                struct pv_policy *p = pv_policy_new();
                struct pv_errors errs = {};
                _cleanup_free_ char *text = NULL; /* kept: a session's policy goes to the fd store with it */
                size_t text_len = 0;
                if (!p || pv_policy_read_file(path, &text, &text_len, &errs) < 0 ||
                    pv_policy_load_buffer(p, path, text, text_len, &errs) < 0) {
                        for (size_t i = 0; i < errs.n; i++)
                                log_error("%s:%u:%u: %s", errs.items[i].file, errs.items[i].line, errs.items[i].col,
                                          errs.items[i].message);
                        pv_errors_clear(&errs);
                        pv_policy_free(p);
                        errors++;
                        continue;
                }
                struct profile *nl = realloc(list, (n + 1) * sizeof(*nl));
                struct shared_policy *sp = nl ? shared_policy_new(p) : NULL;
                if (!sp) {
                        if (nl)
                                list = nl;
                        pv_policy_free(p);
                        errors++;
                        break;
                }
                list = nl;
                list[n].name = TAKE_PTR(name);
                list[n].policy = sp;
                sp->file = strdup(path);
                sp->text = TAKE_PTR(text);
                sp->text_len = text_len;
                n++;
        }
        closedir(d);

        if (errors > 0 && !startup) {
                profiles_free(TAKE_PTR(list), n);
                return log_error_errno(EINVAL, "%d policy file%s in %s failed to load; the profiles in force stay",
                                       errors, errors == 1 ? "" : "s", m->policy_dir);
        }
        if (errors > 0) /* at start there are none in force: serve the good ones */
                log_error("%d policy file%s in %s failed to load; starting with the %zu that loaded", errors,
                          errors == 1 ? "" : "s", m->policy_dir, n);
        profiles_free(m->profiles, m->n_profiles);
        m->profiles = TAKE_PTR(list);
        m->n_profiles = n;
        log_info("%zu profile%s loaded from %s", n, n == 1 ? "" : "s", m->policy_dir);
        return 0;
}

static struct shared_policy *profile_find(struct manager *m, const char *name) {
        for (size_t i = 0; i < m->n_profiles; i++)
                if (strcmp(m->profiles[i].name, name) == 0)
                        return m->profiles[i].policy;
        return NULL;
}

/* ---- sessions ---------------------------------------------------------------------------------- */

static void fdstore_remove(struct session *s);

static void session_free(struct session *s) {
        struct manager *m = s->manager;
        if (!m->stopping)
                fdstore_remove(s); /* ended; when the daemon stops, they stay for its successor */
        for (struct session **p = &m->sessions; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        m->n_sessions--;
                        break;
                }
        if (s->thread_running) {
                if (m->stopping)
                        /* it waits for its tracees; they end when we exit (PTRACE_O_EXITKILL) */
                        pthread_detach(s->thread);
                else
                        pthread_join(s->thread, NULL);
                s->thread_running = false;
        }
        const struct pv_counters *k = s->engine ? pv_unotify_counters(s->engine)
                                      : s->tracer && !m->stopping ? pv_ptrace_counters(s->tracer) : NULL;
        if (k)
                log_info("session %llu (uid %u, pid %d) %s: %llu trapped, %llu passed, %llu redirected, %llu denied",
                         s->id, (unsigned) s->uid, (int) s->pid,
                         m->stopping && s->stored ? "left in the fd store for the next daemon" : "ended",
                         (unsigned long long) k->trapped, (unsigned long long) k->passed,
                         (unsigned long long) k->redirected, (unsigned long long) k->denied);
        sd_event_source_disable_unref(s->io);
        sd_event_source_disable_unref(s->more);
        sd_event_source_disable_unref(s->done_io);
        pv_unotify_free(s->engine);
        if (!m->stopping) /* a detached thread still uses it until we exit */
                pv_ptrace_free(s->tracer);
        safe_close(s->done_fd);
        safe_close(s->pidfd);
        safe_close(s->seize_pipe[0]);
        safe_close(s->seize_pipe[1]);
        free(s->backend);
        free(s->reason);
        if (s->inflight)
                munmap(s->inflight, INFLIGHT_SIZE);
        safe_close(s->inflight_fd);
        safe_close(s->listener);
        shared_policy_unref(s->policy);
        free(s->command);
        free(s->profile);
        free(s);
        notify_status(m);
}

/* Notifications answered per dispatch before the other sessions get their turn. */
#define LISTENER_BATCH 32

static int on_more(sd_event_source *es, void *userdata);

/* The listener is watched edge-triggered: epoll then never polls it again until a new
 * notification arrives. Level-triggered, every epoll_wait() polled every ready listener again
 * (seccomp_notify_poll walks the filter's notification list under its mutex), and sd-event
 * dispatches one source per epoll_wait(): with 100 busy sessions that was half of the daemon's
 * time (perf), and 1,000 tracees made ~250 us per call instead of ~36. So this drains what is
 * pending, up to a batch, and when more is left comes back through a defer source after the
 * other sessions' turn. */
static int serve_listener(struct session *s) {
        for (int i = 0; i < LISTENER_BATCH; i++) {
                int r = pv_unotify_handle(s->engine);
                if (r < 0 && r != -EPIPE) {
                        log_error_errno(r, "session %llu: the listener failed: %m; ending the session", s->id);
                        session_free(s);
                        return 0;
                }
                struct pollfd p = { .fd = s->listener, .events = POLLIN };
                if (poll(&p, 1, 0) <= 0)
                        return 0;
                if (!(p.revents & POLLIN)) {
                        if (p.revents & (POLLHUP | POLLERR)) /* every process under the filter is gone */
                                session_free(s);
                        return 0;
                }
        }
        int r = s->more ? sd_event_source_set_enabled(s->more, SD_EVENT_ONESHOT)
                        : sd_event_add_defer(s->manager->event, &s->more, on_more, s);
        if (r < 0) {
                log_error_errno(r, "session %llu: cannot schedule its next requests: %m; ending the session", s->id);
                session_free(s);
        }
        return 0;
}

static int on_more(sd_event_source *es, void *userdata) {
        struct session *s = userdata;
        sd_event_source_set_enabled(es, SD_EVENT_OFF);
        return serve_listener(s);
}

static int on_listener(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        struct session *s = userdata;
        if (revents & EPOLLIN)
                return serve_listener(s);
        /* EPOLLHUP: every process under the filter is gone */
        session_free(s);
        return 0;
}

/* ---- connections ------------------------------------------------------------------------------- */

static void connection_free(struct connection *c) {
        struct manager *m = c->manager;
        for (struct connection **p = &m->connections; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        m->n_connections--;
                        break;
                }
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        pv_message_reader_free(c->reader);
        for (size_t i = 0; i < c->n_fds; i++)
                safe_close(c->fds[i]);
        safe_close(c->fd);
        free(c);
}

static void reply(struct connection *c, char *line) {
        if (!line)
                return;
        /* one short line on a fresh socket: a blocking send would be fine, but never wait on a
         * client that does not read */
        if (send(c->fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                log_debug_errno(errno, "cannot send the reply: %m");
        free(line);
}

static void reply_error(struct connection *c, bool is_pathvisor, int error, const char *fmt, ...) _printf_(4, 5);
static void reply_error(struct connection *c, bool is_pathvisor, int error, const char *fmt, ...) {
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        log_warning("client pid %d uid %u: %s", (int) c->peer.pid, (unsigned) c->peer.uid, msg ? msg : "error");
        if (is_pathvisor)
                reply(c, pv_reply_error(msg, error));
        free(msg);
}

static bool fd_is(int fd, const char *what) {
        char proc[64], link[128];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t k = readlink(proc, link, sizeof(link) - 1);
        if (k < 0)
                return false;
        link[k] = '\0';
        return strcmp(link, what) == 0;
}

static pid_t pidfd_pid(int fd) {
        char proc[64], buf[1024];
        snprintf(proc, sizeof(proc), "/proc/self/fdinfo/%d", fd);
        _cleanup_close_ int f = open(proc, O_RDONLY | O_CLOEXEC);
        if (f < 0)
                return -1;
        ssize_t k = read(f, buf, sizeof(buf) - 1);
        if (k <= 0)
                return -1;
        buf[k] = '\0';
        const char *p = strstr(buf, "\nPid:");
        return p ? (pid_t) strtol(p + 5, NULL, 10) : -1;
}

static pid_t proc_ppid(pid_t pid) {
        char buf[4096];
        if (pv_tracee_status(pid, buf, sizeof(buf)) <= 0)
                return -1;
        const char *p = strstr(buf, "\nPPid:");
        return p ? (pid_t) strtol(p + 6, NULL, 10) : -1;
}

static void status_reply(struct connection *c) {
        struct manager *m = c->manager;
        json_object *o = json_object_new_object(), *arr = json_object_new_array();
        json_object_object_add(o, "ok", json_object_new_boolean(true));
        json_object_object_add(o, "version", json_object_new_string(PATHVISOR_VERSION));
        json_object_object_add(o, "uptime_sec", json_object_new_int64((int64_t) ((now_usec() - m->started_usec) / 1000000)));
        json_object_object_add(o, "profiles", json_object_new_int64((int64_t) m->n_profiles));
        for (struct session *s = m->sessions; s; s = s->next) {
                if (c->peer.uid != 0 && s->uid != c->peer.uid)
                        continue; /* root sees all, a user their own */
                struct pv_counters k0 = {};
                const struct pv_counters *k = &k0;
                if (s->engine)
                        k = pv_unotify_counters(s->engine);
                else if (s->tracer) {
                        /* the tracer thread counts; a snapshot that may be a call behind */
                        const struct pv_counters *tk = pv_ptrace_counters(s->tracer);
                        k0.trapped = __atomic_load_n(&tk->trapped, __ATOMIC_RELAXED);
                        k0.passed = __atomic_load_n(&tk->passed, __ATOMIC_RELAXED);
                        k0.redirected = __atomic_load_n(&tk->redirected, __ATOMIC_RELAXED);
                        k0.denied = __atomic_load_n(&tk->denied, __ATOMIC_RELAXED);
                }
                json_object *j = json_object_new_object();
                json_object_object_add(j, "id", json_object_new_int64((int64_t) s->id));
                json_object_object_add(j, "uid", json_object_new_int64(s->uid));
                json_object_object_add(j, "pid", json_object_new_int64(s->pid));
                json_object_object_add(j, "command", json_object_new_string(s->command ? s->command : ""));
                json_object_object_add(j, "backend", json_object_new_string(s->backend ? s->backend : "unotify"));
                if (s->reason)
                        json_object_object_add(j, "reason", json_object_new_string(s->reason));
                json_object_object_add(j, "profile", s->profile ? json_object_new_string(s->profile) : NULL);
                json_object_object_add(j, "trapped", json_object_new_int64((int64_t) k->trapped));
                json_object_object_add(j, "passed", json_object_new_int64((int64_t) k->passed));
                json_object_object_add(j, "redirected", json_object_new_int64((int64_t) k->redirected));
                json_object_object_add(j, "denied", json_object_new_int64((int64_t) k->denied));
                json_object_array_add(arr, j);
        }
        json_object_object_add(o, "sessions", arr);
        char *line = NULL;
        if (asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) < 0)
                line = NULL;
        json_object_put(o);
        reply(c, line);
}

/* The policy of a request: the client's sources in order, or a profile. On failure *ret_error
 * says why (malloc()ed). */
static int request_policy(struct manager *m, const struct pv_request *req, struct shared_policy **ret,
                          char **ret_profile, char **ret_error) {
        const char *profile = pv_request_profile(req);

        if (profile) {
                struct shared_policy *sp = profile_find(m, profile);
                if (!sp) {
                        if (asprintf(ret_error, "no profile \"%s\" in %s", profile, m->policy_dir) < 0)
                                *ret_error = NULL;
                        return -ENOENT;
                }
                *ret = shared_policy_ref(sp);
                *ret_profile = strdup(profile);
                return 0;
        }
        if (!req->is_pathvisor) {
                if (asprintf(ret_error,
                             "container %s: no profile named (listenerMetadata \"profile=NAME\" or annotation "
                             "org.pathvisor.profile)", req->container_id ? req->container_id : "?") < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }

        struct pv_policy *p = pv_policy_new();
        struct pv_errors errs = {};
        int r = p ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < req->n_sources; i++) {
                const struct pv_source *src = &req->sources[i];
                switch (src->kind) {
                case PV_SOURCE_FILE:
                        r = pv_policy_load_buffer(p, src->name, src->text, src->text_len, &errs);
                        break;
                case PV_SOURCE_REDIRECT:
                        r = pv_policy_add_quick(p, PV_QUICK_REDIRECT, src->text, &errs);
                        break;
                case PV_SOURCE_DENY:
                        r = pv_policy_add_quick(p, PV_QUICK_DENY, src->text, &errs);
                        break;
                case PV_SOURCE_READONLY:
                        r = pv_policy_add_quick(p, PV_QUICK_READONLY, src->text, &errs);
                        break;
                }
        }
        if (r < 0) {
                /* the client checked the same sources before sending: this is rare */
                int k = errs.n > 0 ? asprintf(ret_error, "%s:%u:%u: %s", errs.items[0].file, errs.items[0].line,
                                              errs.items[0].col, errs.items[0].message)
                                   : asprintf(ret_error, "cannot build the policy: %s", strerror(-r));
                if (k < 0)
                        *ret_error = NULL;
                pv_errors_clear(&errs);
                pv_policy_free(p);
                return r;
        }
        *ret = shared_policy_new(p);
        if (!*ret) {
                pv_policy_free(p);
                return -ENOMEM;
        }
        *ret_profile = NULL;
        return 0;
}

/* ---- the fd store: sessions survive a restart of the daemon ------------------------------------ */

/* Under systemd (FileDescriptorStoreMax=), each session's listener and a small state record (a
 * memfd with the session's id, uid, pid and the client's original message) go to the fd store:
 * a restarted daemon gets them back through LISTEN_FDS and takes every session over, and while
 * no daemon runs the listeners stay open, so trapped calls wait instead of failing. */
static int inflight_attach(struct session *s, int fd);

static void fdstore_add(struct session *s, const char *message, size_t len) {
        if (!getenv("NOTIFY_SOCKET") || !message)
                return;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64((int64_t) s->id));
        json_object_object_add(o, "uid", json_object_new_int64(s->uid));
        json_object_object_add(o, "pid", json_object_new_int64(s->pid));
        json_object_object_add(o, "message", json_object_new_string_len(message, (int) len));
        if (s->policy->text) {
                /* a profile may change or go before the session ends: keep what it started with */
                json_object_object_add(o, "profile_file", json_object_new_string(s->policy->file));
                json_object_object_add(o, "profile_text",
                                       json_object_new_string_len(s->policy->text, (int) s->policy->text_len));
        }
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        char name[64];
        snprintf(name, sizeof(name), "pathvisord-state-%llu", s->id);
        _cleanup_close_ int mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (mfd < 0 || write(mfd, text, strlen(text)) != (ssize_t) strlen(text) ||
            fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
                log_warning_errno(errno, "session %llu: cannot write its state record: %m; it will not survive a restart",
                                  s->id);
                json_object_put(o);
                return;
        }
        json_object_put(o);
        char msg[128];
        snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=session-%llu", s->id);
        int r = sd_pid_notify_with_fds(0, false, msg, &s->listener, 1);
        snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=state-%llu", s->id);
        if (r > 0)
                r = sd_pid_notify_with_fds(0, false, msg, &mfd, 1);
        if (r > 0) {
                /* the request being handled: a successor answers it if we die in the middle */
                snprintf(name, sizeof(name), "pathvisord-inflight-%llu", s->id);
                int ifd = memfd_create(name, MFD_CLOEXEC);
                if (ifd < 0 || ftruncate(ifd, INFLIGHT_SIZE) < 0 || inflight_attach(s, ifd) < 0) {
                        log_warning_errno(errno, "session %llu: no in-flight record: %m", s->id);
                        safe_close(ifd);
                } else {
                        snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=inflight-%llu", s->id);
                        r = sd_pid_notify_with_fds(0, false, msg, &ifd, 1);
                }
        }
        if (r <= 0)
                log_warning_errno(r, "session %llu: cannot put it in the fd store: %m; it will not survive a restart",
                                  s->id);
        s->stored = r > 0;
}

static void fdstore_remove(struct session *s) {
        if (!s->stored)
                return;
        sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=session-%llu", s->id);
        sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=state-%llu", s->id);
        sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=inflight-%llu", s->id);
}

/* Maps a session's in-flight record and gives it to the engine. */
static int inflight_attach(struct session *s, int fd) {
        void *p = mmap(NULL, INFLIGHT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
                return -errno;
        int r = pv_unotify_set_inflight(s->engine, p, INFLIGHT_SIZE);
        if (r < 0) {
                munmap(p, INFLIGHT_SIZE);
                return r;
        }
        s->inflight = p;
        s->inflight_fd = fd;
        return 0;
}

/* Creates a session for a listener. `id` 0: a new one. On failure *ret_error says why. */
/* ---- ptrace sessions ----------------------------------------------------------------------- */

static int on_tracer_done(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        struct session *s = userdata;
        session_free(s); /* joins the thread, which has returned */
        return 0;
}

/* The tracer of one ptrace session: seizes the program (still waiting to exec), says how that
 * went through seize_pipe, then serves its stops until no tracee is left. If it returns with
 * tracees left (an error), they die with it: PTRACE_O_EXITKILL. */
static void *tracer_main(void *arg) {
        struct session *s = arg;
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, NULL);

        int r = pv_ptrace_seize(s->tracer, s->pid);
        if (r >= 0) {
                /* the pid came from the pidfd: if that process has ended, the pid may be someone
                 * else's by now: let go of it untouched */
                struct pollfd p = { .fd = s->pidfd, .events = POLLIN };
                if (poll(&p, 1, 0) != 0) {
                        ptrace(PTRACE_DETACH, s->pid, 0, 0);
                        r = -ESRCH;
                }
        }
        if (r >= 0)
                r = pv_ptrace_start(s->tracer, s->pid);
        if (write(s->seize_pipe[1], &r, sizeof(r)) != sizeof(r) || r < 0)
                return NULL;

        for (;;) {
                r = pv_ptrace_step(s->tracer, __WNOTHREAD);
                if (r == 0)
                        break;
                if (r < 0 && r != -EINTR) {
                        log_error_errno(r, "session %llu: the tracer failed: %m; its programs are killed", s->id);
                        break;
                }
        }
        uint64_t one = 1;
        if (write(s->done_fd, &one, sizeof(one)) < 0)
                log_error_errno(errno, "session %llu: cannot tell the event loop that it ended: %m", s->id);
        return NULL;
}

static int ptrace_session_start(struct session *s, const struct pv_request *req, int pidfd) {
        struct manager *m = s->manager;
        enum pv_ptrace_mode mode = strcmp(req->backend, "ptrace") == 0 ? PV_PTRACE_ALL : PV_PTRACE_SECCOMP;
        int r = pv_ptrace_new(mode, s->policy->policy, &s->tracer);
        if (r < 0)
                return r;
        pv_ptrace_set_session(s->tracer, s->id);
        pv_ptrace_set_verbose(s->tracer, req->verbose);
        s->pidfd = pidfd;
        if (pipe2(s->seize_pipe, O_CLOEXEC) < 0)
                return -errno;
        s->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (s->done_fd < 0)
                return -errno;
        r = -pthread_create(&s->thread, NULL, tracer_main, s);
        if (r < 0)
                return r;
        s->thread_running = true;
        struct pollfd p = { .fd = s->seize_pipe[0], .events = POLLIN };
        int result = -ETIMEDOUT;
        if (poll(&p, 1, 10000) == 1 && read(s->seize_pipe[0], &result, sizeof(result)) != sizeof(result))
                result = -EIO;
        if (result < 0)
                return result;
        return sd_event_add_io(m->event, &s->done_io, s->done_fd, EPOLLIN, on_tracer_done, s);
}

static struct session *session_start(struct manager *m, const struct pv_request *req, int listener, int pidfd,
                                     uid_t uid, pid_t pid, unsigned long long id, struct shared_policy *given,
                                     char **ret_error, int *ret_errno) {
        struct session *s = calloc(1, sizeof(*s));
        if (!s) {
                *ret_errno = ENOMEM;
                return NULL;
        }
        s->manager = m;
        s->listener = -1;
        s->inflight_fd = -1;
        s->pidfd = -1;
        s->done_fd = -1;
        s->seize_pipe[0] = s->seize_pipe[1] = -1;
        s->backend = strdup(req->backend && strcmp(req->backend, "auto") != 0 ? req->backend : "unotify");
        s->reason = req->reason ? strdup(req->reason) : NULL;
        int r = 0;
        if (given) {
                /* taken back from the fd store: the policy it started with, not today's profile */
                s->policy = shared_policy_ref(given);
                const char *prof = pv_request_profile(req);
                s->profile = prof ? strdup(prof) : NULL;
        } else
                r = request_policy(m, req, &s->policy, &s->profile, ret_error);
        if (r < 0) {
                *ret_errno = -r;
                free(s->backend);
                free(s->reason);
                free(s);
                return NULL;
        }
        s->id = id ? id : ++m->next_id;
        if (s->id > m->next_id)
                m->next_id = s->id;
        s->uid = uid;
        s->pid = pid;
        s->started_usec = now_usec();
        s->command = req->command ? strdup(req->command) : req->container_id ? strdup(req->container_id) : NULL;
        s->next = m->sessions;
        m->sessions = s;
        m->n_sessions++;
        if (pv_request_is_ptrace(req)) {
                r = ptrace_session_start(s, req, pidfd);
                if (r < 0) {
                        if (asprintf(ret_error, "cannot trace process %d: %s", (int) pid, strerror(-r)) < 0)
                                *ret_error = NULL;
                        *ret_errno = -r;
                        s->pidfd = -1; /* the caller keeps it */
                        session_free(s);
                        return NULL;
                }
                return s;
        }
        s->listener = listener;
        r = pv_unotify_new(s->listener, req->killable ? SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV : 0,
                           s->policy->policy, &s->engine);
        if (r >= 0) {
                /* our client's programs run with no_new_privs: their credentials change only
                 * through calls the engine sees; an OCI container's may change at exec */
                pv_unotify_set_impersonate(s->engine, req->is_pathvisor ? PV_IMPERSONATE_TRACK : PV_IMPERSONATE_ALWAYS);
                pv_unotify_set_session(s->engine, s->id);
                pv_unotify_set_hybrid(s->engine, req->trace_cookie);
                if (uid != 0)
                        pv_unotify_set_owner(s->engine, uid);
                r = sd_event_add_io(m->event, &s->io, s->listener, EPOLLIN | EPOLLET, on_listener, s);
        }
        if (r < 0) {
                if (asprintf(ret_error, "cannot start the session: %s", strerror(-r)) < 0)
                        *ret_error = NULL;
                *ret_errno = -r;
                s->listener = -1; /* the caller keeps it */
                session_free(s);
                return NULL;
        }
        return s;
}

static void handle_request(struct connection *c, const char *text, size_t len) {
        struct manager *m = c->manager;
        struct pv_request req;
        char *err = NULL;
        int r = pv_request_parse(text, len, &req, &err);
        if (r < 0) {
                /* a reply only makes sense to our client; try to tell whoever it is */
                reply_error(c, strstr(text, "\"pathvisor\"") != NULL, r == -ENOMEM ? ENOMEM : EPROTO, "bad message: %s",
                            err ? err : strerror(-r));
                free(err);
                return;
        }

        if (req.status) {
                status_reply(c);
                goto out;
        }
        if (req.n_fd_names != c->n_fds) {
                reply_error(c, req.is_pathvisor, EBADMSG, "the message names %zu fds but %zu came with it",
                            req.n_fd_names, c->n_fds);
                goto out;
        }
        bool traced = pv_request_is_ptrace(&req);
        int li = pv_request_fd_index(&req, "seccompFd");
        if (traced && li >= 0) {
                reply_error(c, req.is_pathvisor, EBADMSG, "backend \"%s\" takes no seccompFd", req.backend);
                goto out;
        }
        if (!traced && !fd_is(c->fds[li], "anon_inode:seccomp notify")) {
                reply_error(c, req.is_pathvisor, EBADF, "seccompFd is not a seccomp listener");
                goto out;
        }
        pid_t pid = req.pid;
        int pi = pv_request_fd_index(&req, "pidFd");
        if (pi >= 0) {
                if (!fd_is(c->fds[pi], "anon_inode:[pidfd]")) {
                        reply_error(c, req.is_pathvisor, EBADF, "pidFd is not a pidfd");
                        goto out;
                }
                pid = pidfd_pid(c->fds[pi]);
                if (pid <= 0) {
                        reply_error(c, req.is_pathvisor, ESRCH, "the program of pidFd is gone");
                        goto out;
                }
        }
        /* A user hands over only their own programs; root (runc, crun) anyone's. */
        if (c->peer.uid != 0) {
                struct pv_creds cr;
                if (pid <= 0) {
                        reply_error(c, req.is_pathvisor, EPERM, "an unprivileged client must send a pidFd");
                        goto out;
                }
                if (pv_tracee_ids(pid, &cr) < 0 || cr.ruid != c->peer.uid || cr.euid != c->peer.uid) {
                        reply_error(c, req.is_pathvisor, EPERM, "process %d does not belong to uid %u", (int) pid,
                                    (unsigned) c->peer.uid);
                        goto out;
                }
                /* tracing goes further than a listener: only a child of the client itself (which
                 * the client could trace), not any process of the user (one that made itself
                 * non-dumpable must stay untraceable) */
                if (traced && proc_ppid(pid) != c->peer.pid) {
                        reply_error(c, req.is_pathvisor, EPERM, "process %d is not a child of the client", (int) pid);
                        goto out;
                }
        }
        size_t mine = 0;
        for (struct session *s = m->sessions; s; s = s->next)
                mine += s->uid == c->peer.uid;
        if (mine >= SESSIONS_PER_UID_MAX) {
                reply_error(c, req.is_pathvisor, EUSERS, "uid %u has %zu sessions already (at most %d)",
                            (unsigned) c->peer.uid, mine, SESSIONS_PER_UID_MAX);
                goto out;
        }
        if (traced && pi < 0) {
                reply_error(c, req.is_pathvisor, EBADMSG, "backend \"%s\" needs a pidFd", req.backend);
                goto out;
        }

        char *error = NULL;
        int eno = 0;
        int listener = traced ? -1 : c->fds[li];
        int pidfd = traced ? c->fds[pi] : -1;
        struct session *s = session_start(m, &req, listener, pidfd, c->peer.uid, pid, 0, NULL, &error, &eno);
        if (!s) {
                reply_error(c, req.is_pathvisor, eno, "%s", error ? error : strerror(eno));
                free(error);
                goto out;
        }
        if (traced)
                c->fds[pi] = -1; /* the session's now */
        else
                c->fds[li] = -1;
        log_info("session %llu: uid %u, pid %d, %s%s%s, backend %s%s%s", s->id, (unsigned) s->uid, (int) s->pid,
                 s->profile ? "profile " : "inline policy", s->profile ? s->profile : "",
                 req.container_id ? " (container)" : "", s->backend, s->reason ? ": " : "", s->reason ? s->reason : "");
        /* a traced program cannot be handed to a successor: ptrace ends with its tracer */
        if (!traced)
                fdstore_add(s, text, len);
        notify_status(m);
        if (req.is_pathvisor)
                reply(c, pv_reply_ok(s->id));
out:
        pv_request_done(&req);
}

static int on_connection_data(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        struct connection *c = userdata;
        char buf[8192];
        char control[CMSG_SPACE(sizeof(int) * PV_MESSAGE_FDS_MAX)];
        struct iovec iov = { buf, sizeof(buf) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };

        ssize_t n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                log_debug_errno(errno, "client pid %d: recvmsg: %m", (int) c->peer.pid);
                connection_free(c);
                return 0;
        }
        /* fds: from the first message only; any others are closed unread */
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
                if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                        int f;
                        memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                        if (!c->got_first && c->n_fds < PV_MESSAGE_FDS_MAX)
                                c->fds[c->n_fds++] = f;
                        else
                                safe_close(f);
                }
        }
        if (msg.msg_flags & MSG_CTRUNC) {
                reply_error(c, true, EMSGSIZE, "too many fds (at most %d)", PV_MESSAGE_FDS_MAX);
                connection_free(c);
                return 0;
        }
        c->got_first = true;
        if (n == 0) {
                /* closed before the message was complete */
                if (pv_message_reader_text(c->reader, NULL)[0])
                        log_warning("client pid %d uid %u: connection closed in the middle of a message",
                                    (int) c->peer.pid, (unsigned) c->peer.uid);
                connection_free(c);
                return 0;
        }
        if (!c->pathvisor) {
                /* look at the last bytes of the previous chunk joined to the start of this one */
                char seam[32];
                size_t k = MIN((size_t) n, sizeof(seam) - c->n_tail);
                memcpy(seam, c->tail, c->n_tail);
                memcpy(seam + c->n_tail, buf, k);
                c->pathvisor = memmem(seam, c->n_tail + k, "\"pathvisor\"", 11) ||
                               memmem(buf, (size_t) n, "\"pathvisor\"", 11);
                c->n_tail = MIN((size_t) n, (size_t) 10);
                memcpy(c->tail, buf + n - c->n_tail, c->n_tail);
        }
        const char *why = NULL;
        int r = pv_message_reader_feed(c->reader, buf, (size_t) n, &why);
        if (r == 0)
                return 0;
        if (r < 0) {
                reply_error(c, c->pathvisor, r == -EMSGSIZE ? EMSGSIZE : EBADMSG, "bad message: %s", why ? why : "?");
                connection_free(c);
                return 0;
        }
        size_t len;
        const char *text = pv_message_reader_text(c->reader, &len);
        handle_request(c, text, len);
        connection_free(c); /* the session, if any, lives on without it */
        return 0;
}

static int on_connection_timeout(sd_event_source *es, uint64_t usec, void *userdata) {
        struct connection *c = userdata;
        reply_error(c, true, ETIMEDOUT, "no complete message within %llu s", CONNECTION_TIMEOUT_USEC / 1000000);
        connection_free(c);
        return 0;
}

static int on_accept(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        struct manager *m = userdata;
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        log_warning_errno(errno, "accept failed: %m, ignoring");
                return 0;
        }
        if (m->n_connections >= CONNECTIONS_MAX) {
                log_warning("%zu connections waiting for their message; refusing one", m->n_connections);
                safe_close(cfd);
                return 0;
        }
        struct connection *c = calloc(1, sizeof(*c));
        if (!c) {
                safe_close(cfd);
                return 0;
        }
        c->manager = m;
        c->fd = cfd;
        socklen_t sl = sizeof(c->peer);
        c->reader = pv_message_reader_new();
        c->next = m->connections;
        m->connections = c;
        m->n_connections++;
        if (!c->reader || getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &c->peer, &sl) < 0) {
                connection_free(c);
                return 0;
        }
        if (c->peer.uid != 0) {
                /* one user cannot crowd out the others (root, runc) with idle connections */
                size_t mine = 0;
                for (struct connection *o = m->connections; o; o = o->next)
                        mine += o->peer.uid == c->peer.uid;
                if (mine > CONNECTIONS_PER_UID_MAX) {
                        log_warning("uid %u has %zu connections waiting for their message; refusing one",
                                    (unsigned) c->peer.uid, mine - 1);
                        connection_free(c);
                        return 0;
                }
        }
        if (sd_event_add_io(m->event, &c->io, cfd, EPOLLIN, on_connection_data, c) < 0 ||
            sd_event_add_time_relative(m->event, &c->timer, CLOCK_MONOTONIC, CONNECTION_TIMEOUT_USEC, 0,
                                       on_connection_timeout, c) < 0) {
                log_warning("cannot take a connection, dropping it");
                connection_free(c);
        }
        return 0;
}

/* ---- socket ------------------------------------------------------------------------------------ */

static int mkdir_parents(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        return 0;
}

/* What systemd passed: the listening socket, and sessions from the fd store. */
struct passed_fd {
        int fd;
        char *name;
};

static struct passed_fd *passed;
static size_t n_passed;

static int open_socket(struct manager *m, const char *path) {
        char **names = NULL;
        int n = sd_listen_fds_with_names(true, &names);
        if (n < 0)
                return log_error_errno(n, "sd_listen_fds failed: %m");
        int sockets = 0;
        for (int i = 0; i < n; i++) {
                int fd = SD_LISTEN_FDS_START + i;
                const char *name = names && names[i] ? names[i] : "";
                if (strncmp(name, "session-", 8) == 0 || strncmp(name, "state-", 6) == 0 ||
                    strncmp(name, "inflight-", 9) == 0) {
                        struct passed_fd *np = realloc(passed, (n_passed + 1) * sizeof(*np));
                        if (np) {
                                passed = np;
                                passed[n_passed].fd = fd;
                                passed[n_passed].name = strdup(name);
                                n_passed++;
                        }
                        continue;
                }
                if (sockets++ > 0 || sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
                        log_error("fd %d (\"%s\") passed by systemd is not the one listening AF_UNIX stream socket",
                                  fd, name);
                        safe_close(fd);
                        continue;
                }
                m->listen_fd = fd;
        }
        if (names)
                for (char **p = names; *p; p++)
                        free(*p);
        free(names);
        if (m->listen_fd >= 0) {
                log_info("listening on the activated socket");
                return 0;
        }

        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return log_error_errno(ENAMETOOLONG, "socket path too long: %s", path);
        strcpy(sa.sun_path, path);
        int r = mkdir_parents(path, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create the directory of %s: %m", path);

        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "socket failed: %m");
        /* a socket left by a dead daemon: remove it, but never take over a live one */
        struct stat st;
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode)) {
                        safe_close(fd);
                        return log_error_errno(EEXIST, "%s exists and is not a socket", path);
                }
                int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                bool alive = probe >= 0 && connect(probe, (struct sockaddr *) &sa, sizeof(sa)) == 0;
                safe_close(probe);
                if (alive) {
                        safe_close(fd);
                        return log_error_errno(EADDRINUSE, "another pathvisord listens on %s", path);
                }
                unlink(path);
        }
        mode_t old = umask(0111);
        r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        umask(old);
        if (r < 0 || listen(fd, 128) < 0) {
                r = -errno;
                safe_close(fd);
                return log_error_errno(r, "cannot listen on %s: %m", path);
        }
        m->listen_fd = fd;
        m->socket_path = strdup(path);
        log_info("listening on %s", path);
        return 0;
}

/* Takes back the sessions of a previous daemon from the fd store. */
static void restore_sessions(struct manager *m) {
        for (size_t i = 0; i < n_passed; i++) {
                if (strncmp(passed[i].name, "session-", 8) != 0)
                        continue;
                unsigned long long id = strtoull(passed[i].name + 8, NULL, 10);
                char want[64];
                snprintf(want, sizeof(want), "state-%llu", id);
                int state = -1;
                for (size_t j = 0; j < n_passed; j++)
                        if (strcmp(passed[j].name, want) == 0)
                                state = passed[j].fd;

                _cleanup_free_ char *text = NULL;
                char *error = NULL;
                int eno = 0;
                struct pv_request req = {};
                json_object *o = NULL, *v;
                struct stat st;
                if (state >= 0 && fstat(state, &st) == 0 && st.st_size > 0 && st.st_size < 1024 * 1024 &&
                    (text = calloc(1, (size_t) st.st_size + 1)) &&
                    pread(state, text, (size_t) st.st_size, 0) == st.st_size)
                        o = json_tokener_parse(text);
                if (!o || !json_object_object_get_ex(o, "message", &v) ||
                    pv_request_parse(json_object_get_string(v), (size_t) json_object_get_string_len(v), &req,
                                     &error) < 0) {
                        log_error("session %llu from the fd store: no usable state record (%s); its programs' "
                                  "path calls will fail", id, error ? error : "missing");
                        free(error);
                        json_object_put(o);
                        safe_close(passed[i].fd);
                        sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=session-%llu\nFDSTOREREMOVE=1\nFDNAME=state-%llu", id, id);
                        continue;
                }
                json_object *ju, *jp, *jf, *jt;
                uid_t uid = json_object_object_get_ex(o, "uid", &ju) ? (uid_t) json_object_get_int64(ju) : 0;
                pid_t pid = json_object_object_get_ex(o, "pid", &jp) ? (pid_t) json_object_get_int64(jp) : 0;
                struct shared_policy *given = NULL;
                if (json_object_object_get_ex(o, "profile_text", &jt) && json_object_object_get_ex(o, "profile_file", &jf)) {
                        struct pv_policy *p = pv_policy_new();
                        struct pv_errors errs = {};
                        if (p && pv_policy_load_buffer(p, json_object_get_string(jf), json_object_get_string(jt),
                                                       (size_t) json_object_get_string_len(jt), &errs) >= 0)
                                given = shared_policy_new(p);
                        else
                                pv_policy_free(p);
                        pv_errors_clear(&errs);
                }
                struct session *s = session_start(m, &req, passed[i].fd, -1, uid, pid, id, given, &error, &eno);
                shared_policy_unref(given);
                if (!s) {
                        log_error("session %llu from the fd store cannot go on: %s", id, error ? error : strerror(eno));
                        safe_close(passed[i].fd);
                        sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=session-%llu", id);
                        sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=state-%llu", id);
                } else {
                        s->stored = true;
                        log_info("session %llu (uid %u, pid %d) taken back from the fd store", id, (unsigned) uid,
                                 (int) pid);
                        snprintf(want, sizeof(want), "inflight-%llu", id);
                        for (size_t j = 0; j < n_passed; j++)
                                if (strcmp(passed[j].name, want) == 0 && passed[j].fd >= 0) {
                                        if (inflight_attach(s, passed[j].fd) < 0)
                                                break;
                                        passed[j].fd = -1; /* the session's now */
                                        int k = pv_unotify_replay(s->engine);
                                        if (k > 0)
                                                log_info("session %llu: answered %d call%s its predecessor had "
                                                         "received and not answered", id, k, k == 1 ? "" : "s");
                                        break;
                                }
                }
                free(error);
                pv_request_done(&req);
                json_object_put(o);
        }
        for (size_t i = 0; i < n_passed; i++) {
                if (strncmp(passed[i].name, "state-", 6) == 0 || strncmp(passed[i].name, "inflight-", 9) == 0)
                        safe_close(passed[i].fd);
                free(passed[i].name);
        }
        free(passed);
        passed = NULL;
        n_passed = 0;
}

/* ---- signals and main -------------------------------------------------------------------------- */

static int on_sighup(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata) {
        struct manager *m = userdata;
        uint64_t usec = 0;
        sd_event_now(m->event, CLOCK_MONOTONIC, &usec);
        sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long) usec);
        log_info("reloading %s", m->policy_dir);
        profiles_load(m, false);
        sd_notifyf(false, "READY=1\nSTATUS=%zu session%s, %zu profile%s", m->n_sessions,
                   m->n_sessions == 1 ? "" : "s", m->n_profiles, m->n_profiles == 1 ? "" : "s");
        return 0;
}

static int on_sigterm(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata) {
        struct manager *m = userdata;
        sd_notify(false, "STOPPING=1");
        m->stopping = true;
        log_info("stopping on %s with %zu session%s", strsignal((int) si->ssi_signo), m->n_sessions,
                 m->n_sessions == 1 ? "" : "s");
        sd_event_exit(m->event, 0);
        return 0;
}

static void help(void) {
        printf("Usage: pathvisord [OPTIONS]\n"
               "\n"
               "The pathvisor supervisor: takes seccomp listeners from pathvisor run and from OCI\n"
               "runtimes (linux.seccomp.listenerPath) and serves them by their policies.\n"
               "\n"
               "  --socket PATH      listen here (default /run/pathvisor/pathvisord.sock for root,\n"
               "                     $XDG_RUNTIME_DIR/pathvisor/pathvisord.sock for a user);\n"
               "                     a socket passed by systemd (LISTEN_FDS) comes first\n"
               "  --policy-dir DIR   profiles NAME.json (default /etc/pathvisor/policy.d)\n"
               "  --log-level LEVEL  err, warning, notice, info (default), debug\n"
               "  -h, --help         this help\n"
               "  --version          the version\n"
               "\n"
               "SIGHUP re-reads the policy directory; SIGTERM stops. See pathvisord(8).\n");
}

int main(int argc, char **argv) {
        enum { ARG_SOCKET = 0x100, ARG_POLICY_DIR, ARG_LOG_LEVEL, ARG_VERSION };
        static const struct option options[] = {
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "policy-dir", required_argument, NULL, ARG_POLICY_DIR },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        _cleanup_free_ char *socket_path = NULL;
        struct manager m = { .listen_fd = -1 };
        int c, r;

        log_set_prefix("pathvisord");
        /* under systemd: the journal with fields; stderr not a terminal: "<N>" prefixes */
        log_setup_service();

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_SOCKET:
                        free(socket_path);
                        socket_path = strdup(optarg);
                        break;
                case ARG_POLICY_DIR:
                        free(m.policy_dir);
                        m.policy_dir = strdup(optarg);
                        break;
                case ARG_LOG_LEVEL:
                        r = log_level_from_string(optarg);
                        if (r < 0) {
                                fprintf(stderr, "pathvisord: unknown log level '%s'\n", optarg);
                                return 2;
                        }
                        log_set_max_level(r);
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("pathvisord %s\n", PATHVISOR_VERSION);
                        return 0;
                default:
                        return 2;
                }
        if (optind < argc) {
                fprintf(stderr, "pathvisord: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }
        if (!m.policy_dir)
                m.policy_dir = strdup("/etc/pathvisor/policy.d");
        if (!socket_path)
                socket_path = pv_socket_default(false);
        if (!socket_path || !m.policy_dir) {
                log_error("no socket path: give --socket or set XDG_RUNTIME_DIR");
                return 1;
        }
        m.started_usec = now_usec();

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        /* Every ptrace stop of a tracee sends SIGCHLD to its tracer's process: unblocked here, each
         * one would wake this thread (to drop it), which cost ptrace sessions 14-34% per stop on
         * two CPUs. Nothing here waits for SIGCHLD (tracer threads use waitpid), so it stays
         * blocked in every thread and pending, and wakes nobody. */
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        if ((r = sd_event_default(&m.event)) < 0)
                return log_error_errno(r, "cannot create the event loop: %m"), 1;
        if ((r = profiles_load(&m, true)) < 0)
                return 1;
        if ((r = open_socket(&m, socket_path)) < 0)
                return 1;
        if ((r = sd_event_add_io(m.event, &m.listen_io, m.listen_fd, EPOLLIN, on_accept, &m)) < 0 ||
            (r = sd_event_add_signal(m.event, NULL, SIGHUP, on_sighup, &m)) < 0 ||
            (r = sd_event_add_signal(m.event, NULL, SIGTERM, on_sigterm, &m)) < 0 ||
            (r = sd_event_add_signal(m.event, NULL, SIGINT, on_sigterm, &m)) < 0)
                return log_error_errno(r, "cannot set up the event loop: %m"), 1;
        sd_event_set_watchdog(m.event, true);
        restore_sessions(&m);

        sd_notify(false, "READY=1");
        notify_status(&m);
        r = sd_event_loop(m.event);

        while (m.connections)
                connection_free(m.connections);
        while (m.sessions)
                session_free(m.sessions);
        profiles_free(m.profiles, m.n_profiles);
        sd_event_source_disable_unref(m.listen_io);
        if (m.socket_path) {
                unlink(m.socket_path);
                safe_close(m.listen_fd);
        }
        free(m.socket_path);
        free(m.policy_dir);
        sd_event_unref(m.event);
        return r < 0 ? 1 : 0;
}
