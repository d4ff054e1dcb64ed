/* SPDX-License-Identifier: MIT */
/* pathvisor run [OPTIONS] -- COMMAND [ARG...]
 *
 * Embedded mode: fork; the child sets no_new_privs, installs the filter built from the syscall
 * table, hands the listener to us over a socketpair, waits for "go" and execs. We run the engine
 * until every process under the filter is gone, then exit with the program's status. */
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
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <json-c/json.h>

#include "backends/filter.h"
#include "backends/ptrace.h"
#include "backends/seccomp-compat.h"
#include "backends/tracee.h"
#include "backends/unotify.h"
#include "client/verbs.h"
#include "common/log.h"
#include "common/protocol.h"
#include "policy/policy.h"

#define EXIT_PATHVISOR 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

/* Signals that `run` passes on to the program. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static void help(FILE *f) {
        fprintf(f,
                "Usage: pathvisor run [OPTIONS] -- COMMAND [ARG...]\n"
                "\n"
                "Run COMMAND so that the paths it names are redirected, denied or passed by a policy.\n"
                "\n"
                "  -p, --policy FILE          policy file (JSON, pathvisor-policy(5)); may repeat\n"
                "  -r, --redirect PATH=TARGET quick rule: PATH and everything below it go to TARGET\n"
                "      --deny PATH[:ERRNO]    quick rule: calls on PATH fail (default EACCES)\n"
                "      --readonly PATH        quick rule: writing calls on PATH fail with EROFS\n"
                "      --profile NAME         a policy that the daemon holds (/etc/pathvisor/policy.d/NAME.json)\n"
                "  -b, --backend NAME         auto (default), unotify, ptrace-seccomp or ptrace\n"
                "      --daemon               hand the program to pathvisord; fail if it does not answer\n"
                "      --embedded             never use the daemon: run the engine in this process\n"
                "      --socket PATH          the daemon's socket (default: $PATHVISOR_SOCKET, then\n"
                "                             /run/pathvisor/pathvisord.sock for root, else\n"
                "                             $XDG_RUNTIME_DIR/pathvisor/pathvisord.sock)\n"
                "  -v, --verbose              say which backend and why, and each decision\n"
                "  -h, --help                 this help\n"
                "\n"
                "Policy files and quick rules apply in command-line order; later rules win.\n"
                "Relative PATHs and TARGETs of quick rules are taken from the current directory.\n"
                "\n"
                "Exit status: the program's, 128+N when it was killed by signal N, 125 when\n"
                "pathvisor itself failed, 126 when COMMAND cannot be executed, 127 when it is not\n"
                "found. SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH sent to\n"
                "pathvisor are passed on to the program. run returns when every process started\n"
                "under the policy has ended.\n");
}

/* Quick rules take relative paths from our cwd: the program starts there. */
static int absolutize(const char *arg, char **ret) {
        char cwd[PATH_MAX];
        if (arg[0] == '/' || arg[0] == '\0') {
                *ret = strdup(arg);
                return *ret ? 0 : -ENOMEM;
        }
        if (!getcwd(cwd, sizeof(cwd)))
                return -errno;
        return asprintf(ret, "%s/%s", cwd, arg) < 0 ? -ENOMEM : 0;
}

static int add_quick(struct pv_policy *p, enum pv_quick kind, const char *arg, char **ret_arg) {
        _cleanup_free_ char *a = NULL;
        int r;

        if (kind == PV_QUICK_REDIRECT) {
                const char *eq = strchr(arg, '=');
                if (eq && eq != arg && eq[1]) {
                        _cleanup_free_ char *path = NULL, *lhs = strndup(arg, (size_t) (eq - arg)),
                                                          *target = NULL;
                        if (!lhs)
                                return -ENOMEM;
                        if ((r = absolutize(lhs, &path)) < 0 || (r = absolutize(eq + 1, &target)) < 0)
                                return r;
                        if (asprintf(&a, "%s=%s", path, target) < 0)
                                return -ENOMEM;
                }
        } else if ((r = absolutize(arg, &a)) < 0)
                return r;

        struct pv_errors errors = {};
        r = pv_policy_add_quick(p, kind, a ? a : arg, &errors);
        if (r < 0) {
                pv_errors_print(&errors, stderr);
                pv_errors_clear(&errors);
                return r;
        }
        *ret_arg = a ? TAKE_PTR(a) : strdup(arg);
        return *ret_arg ? 0 : -ENOMEM;
}

/* ---- the child --------------------------------------------------------------------------------- */

/* Sends an int to the parent with write(), which no filter traps (sendmsg may be, once the
 * filter is in place: see 'u' below). */
static int send_int(int sock, int value) {
        return RETRY_EINTR(write(sock, &value, sizeof(value))) == sizeof(value) ? 0 : -errno;
}

/* Signals whose disposition the parent may change (it ignores the job-control stops under the
 * ptrace backends): the program starts with the defaults. */
static const int reset_in_child[] = { SIGTSTP, SIGTTIN, SIGTTOU };

/* Whether a seccomp listener exists above us: a probe process tries to set up one of its own on
 * an allow-all filter, which the kernel refuses with EBUSY then. Under such a listener our
 * RET_TRACE would never fire for the calls it notifies (USER_NOTIF takes precedence). Returns
 * -EBUSY, or 0 (also when the probe cannot tell). Async-signal-safe: for the forked child. */
static int probe_listener_above(void) {
        pid_t pid = fork();
        if (pid < 0)
                return 0;
        if (pid == 0) {
                struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
                struct sock_fprog prog = { .len = 1, .filter = &allow };
                unsigned flags;
                _exit(pv_filter_install_listener(&prog, &flags) == -EBUSY ? 1 : 0);
        }
        int status;
        if (RETRY_EINTR(waitpid(pid, &status, 0)) < 0)
                return 0;
        return WIFEXITED(status) && WEXITSTATUS(status) == 1 ? -EBUSY : 0;
}

/* The child takes commands, one byte each, and answers each with an int:
 *   'u' install the unotify filter: INT_MIN|filter flags with the listener attached, or an errno;
 *   't' install the ptrace-seccomp filter (RET_TRACE): 0 or an errno. The parent attaches before
 *       'g', and nothing that the filter traces is called until then;
 *   'T' the same, but EBUSY when a seccomp listener exists above us (see probe_listener_above);
 *   'p' nothing (plain ptrace): 0;
 *   'g' exec the program (an errno and exit 126/127 if that fails; EOF through CLOEXEC if not).
 * EOF: the parent gave up: exit. */
_noreturn_ static void child(int sock, const struct sock_fprog *notify, const struct sock_fprog *trace,
                             char **argv) {
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        for (size_t i = 0; i < ELEMENTSOF(reset_in_child); i++)
                signal(reset_in_child[i], SIG_DFL);
        /* if we die, the program must not run on unsupervised (its path calls would fail) */
        prctl(PR_SET_PDEATHSIG, SIGKILL);

        /* every backend: set-id programs do not gain privileges (the same behaviour whichever
         * backend runs, and the filters need it) */
        int nnp = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? errno : 0;
        for (;;) {
                char cmd;
                if (RETRY_EINTR(read(sock, &cmd, 1)) != 1)
                        _exit(EXIT_PATHVISOR);
                int r = 0;
                switch (cmd) {
                case 'u': {
                        unsigned flags = 0;
                        int listener = nnp ? -nnp : notify ? pv_filter_install_listener(notify, &flags) : -EINVAL;
                        if (listener < 0) {
                                r = send_int(sock, -listener);
                                break;
                        }
                        /* From here on the filter traps sendmsg (its msghdr may name an AF_UNIX
                         * address): a sendmsg() now would wait for a listener that the parent
                         * does not have yet. Only write(): the filter flags and the listener's
                         * number; the parent takes the fd itself with pidfd_getfd(), and it stays
                         * open here until the exec (O_CLOEXEC). */
                        int reply[2] = { (int) flags | INT_MIN, listener };
                        r = RETRY_EINTR(write(sock, reply, sizeof(reply))) == sizeof(reply) ? 0 : -errno;
                        break;
                }
                case 'T': /* 't' after making sure that no listener sits above us */
                case 't': {
                        int k = nnp ? -nnp : trace ? 0 : -EINVAL;
                        if (k == 0 && cmd == 'T')
                                k = probe_listener_above();
                        if (k == 0)
                                k = pv_filter_install(trace);
                        r = send_int(sock, k < 0 ? -k : 0);
                        break;
                }
                case 'p':
                        r = send_int(sock, 0);
                        break;
                case 'g': {
                        execvp(argv[0], argv);
                        int e = errno;
                        send_int(sock, e);
                        _exit(e == ENOENT || e == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
                }
                default:
                        _exit(EXIT_PATHVISOR);
                }
                if (r < 0)
                        _exit(EXIT_PATHVISOR);
        }
}

/* ---- the parent -------------------------------------------------------------------------------- */

/* Sends a command to the child and reads its answer: an int, and for a listener ('u') the
 * listener's fd number in the child, in *ret_fd (-1 otherwise). */
static int child_cmd(int sock, char cmd, int *ret_value, int *ret_fd) {
        if (RETRY_EINTR(write(sock, &cmd, 1)) != 1)
                return -errno;
        int reply[2] = { 0, -1 };
        ssize_t n = RETRY_EINTR(read(sock, reply, sizeof(reply)));
        if (n < 0)
                return -errno;
        if (n != sizeof(int) && n != sizeof(reply))
                return -EPIPE;
        if (ret_fd)
                *ret_fd = n == sizeof(reply) ? reply[1] : -1;
        *ret_value = reply[0];
        return 0;
}

/* The child's fd `fd`, as an fd of ours (pidfd_getfd). */
static int take_child_fd(pid_t child, int fd) {
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, child, 0);
        if (pidfd < 0)
                return -errno;
        int r = (int) syscall(SYS_pidfd_getfd, pidfd, fd, 0);
        return r < 0 ? -errno : r;
}

static int exit_status(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return EXIT_PATHVISOR;
}

struct session {
        pid_t pid;
        int status;
        bool reaped;
        int listener;
        int sock; /* to the child until it execs */
        int sigfd;
        int exec_error;
        struct pv_unotify *engine;
        bool engine_failed;
        bool stop_with_child; /* the child's job-control stops stop us too (ptrace through the daemon) */
        bool no_children;     /* waitpid() said ECHILD: the program and every orphan of it are gone */
};

static void reap(struct session *s) {
        for (;;) {
                int status;
                pid_t p = waitpid(-1, &status, WNOHANG | (s->stop_with_child ? WUNTRACED : 0));
                if (p < 0 && errno == ECHILD)
                        s->no_children = true;
                if (p <= 0)
                        break;
                if (WIFSTOPPED(status)) {
                        /* the program stopped for job control: so do we, for the shell to see it;
                         * the SIGCONT that the shell sends the process group wakes both */
                        int sig = WSTOPSIG(status);
                        if (p == s->pid && (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU))
                                kill(getpid(), SIGSTOP);
                        continue;
                }
                if (p == s->pid) {
                        s->status = status;
                        s->reaped = true;
                }
        }
}

static void on_signal(struct session *s) {
        struct signalfd_siginfo si;
        while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGCHLD) {
                        reap(s);
                        continue;
                }
                /* A signal from the terminal (SI_KERNEL) went to the whole foreground process group,
                 * the program included: passing it on would deliver it twice. */
                if (si.ssi_code == SI_KERNEL)
                        continue;
                if (!s->reaped)
                        kill(s->pid, (int) si.ssi_signo);
        }
}

static void fail_engine(struct session *s, int r) {
        log_error_errno(r, "the engine cannot go on: %m; killing the program");
        s->engine_failed = true;
        if (!s->reaped)
                kill(s->pid, SIGKILL);
        /* closing the listener fails every call still waiting, so nothing stays blocked */
        s->listener = safe_close(s->listener);
}

/* Serves the listener (embedded; -1 when the daemon has it), passes signals on, notes an exec
 * failure, and returns once the program is reaped and the listener has hung up. */
static int supervise(struct session *s) {
        for (;;) {
                struct pollfd pfd[3] = {
                        { .fd = s->sigfd, .events = POLLIN },
                        { .fd = s->listener, .events = POLLIN },
                        { .fd = s->sock, .events = POLLIN },
                };
                /* we are a subreaper: orphans of the program come to us, and run returns when
                 * they are gone too (daemon mode as well, where no listener tells us) */
                if (s->reaped && s->listener < 0 && s->no_children)
                        break;
                int n = poll(pfd, 3, -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "poll failed: %m");
                }
                if (pfd[1].revents & POLLIN) {
                        int r = pv_unotify_handle(s->engine);
                        if (r < 0 && r != -EPIPE)
                                fail_engine(s, r);
                } else if (pfd[1].revents & (POLLHUP | POLLERR | POLLNVAL)) {
                        /* every process under the filter is gone */
                        s->listener = safe_close(s->listener);
                }
                if (pfd[2].revents) {
                        int e;
                        ssize_t k = read(s->sock, &e, sizeof(e));
                        if (k == sizeof(e))
                                s->exec_error = e;
                        s->sock = safe_close(s->sock); /* EOF: exec succeeded (CLOEXEC) */
                }
                if (pfd[0].revents & POLLIN)
                        on_signal(s);
        }
        return 0;
}

/* ---- the daemon ------------------------------------------------------------------------------- */

static int connect_daemon(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (!path || strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int e = errno;
                safe_close(fd);
                return -e;
        }
        return fd;
}

/* The message of DESIGN.md's protocol, with the listener and a pidfd attached. */
static int hand_over(int sock, int listener, pid_t pid, unsigned filter_flags, uint64_t cookie, json_object *sources,
                     const char *profile, const char *backend, const char *reason, char **argv,
                     char **ret_error) {
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                return -errno;

        json_object *msg = json_object_new_object(), *fds = json_object_new_array(), *pv = json_object_new_object();
        /* unotify: the listener and a pidfd; ptrace backends: the pidfd of the process to trace */
        if (listener >= 0)
                json_object_array_add(fds, json_object_new_string("seccompFd"));
        json_object_array_add(fds, json_object_new_string("pidFd"));
        json_object_object_add(msg, "ociVersion", json_object_new_string("1.0.2"));
        json_object_object_add(msg, "fds", fds);
        json_object_object_add(msg, "pid", json_object_new_int(pid));
        json_object_object_add(pv, "version", json_object_new_int(PV_PROTOCOL_VERSION));
        if (profile)
                json_object_object_add(pv, "profile", json_object_new_string(profile));
        else
                json_object_object_add(pv, "sources", json_object_get(sources));
        json_object_object_add(pv, "backend", json_object_new_string(backend));
        if (reason)
                json_object_object_add(pv, "reason", json_object_new_string(reason));
        json_object_object_add(pv, "killable",
                               json_object_new_boolean(filter_flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV));
        if (listener >= 0 && cookie) {
                char hex[17];
                snprintf(hex, sizeof(hex), "%016llx", (unsigned long long) cookie);
                json_object_object_add(pv, "traceCookie", json_object_new_string(hex));
        }
        char command[1024] = "";
        for (size_t i = 0, n = 0; argv[i] && n + 1 < sizeof(command); i++)
                n += (size_t) snprintf(command + n, sizeof(command) - n, "%s%s", i ? " " : "", argv[i]);
        json_object_object_add(pv, "command", json_object_new_string(command));
        json_object_object_add(msg, "pathvisor", pv);

        const char *text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
        size_t len = strlen(text);
        int r = 0;
        if (len > PV_MESSAGE_MAX) {
                *ret_error = strdup("the policy is larger than a daemon message (64 KiB): use a profile or --embedded");
                r = -EMSGSIZE;
                goto out;
        }
        int fdv[2] = { listener, pidfd };
        size_t n_fds = 2;
        if (listener < 0) {
                fdv[0] = pidfd;
                n_fds = 1;
        }
        char control[CMSG_SPACE(sizeof(fdv))] = {};
        struct iovec iov = { (void *) text, len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                             .msg_controllen = CMSG_SPACE(n_fds * sizeof(int)) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
        memcpy(CMSG_DATA(c), fdv, n_fds * sizeof(int));
        ssize_t k = RETRY_EINTR(sendmsg(sock, &mh, MSG_NOSIGNAL));
        if (k < 0) {
                r = -errno;
                goto out;
        }
        /* the rest, if the socket took only part (rare: it is a fresh connection) */
        for (size_t off = (size_t) k; off < len; off += (size_t) k) {
                k = RETRY_EINTR(send(sock, text + off, len - off, MSG_NOSIGNAL));
                if (k <= 0) {
                        r = k < 0 ? -errno : -EPIPE;
                        goto out;
                }
        }

        /* one reply line */
        char line[4096];
        size_t n = 0;
        while (n + 1 < sizeof(line)) {
                struct pollfd pfd = { .fd = sock, .events = POLLIN };
                if (poll(&pfd, 1, 30000) <= 0) {
                        r = -ETIMEDOUT;
                        goto out;
                }
                k = RETRY_EINTR(read(sock, line + n, sizeof(line) - 1 - n));
                if (k <= 0) {
                        r = k < 0 ? -errno : -ECONNRESET;
                        goto out;
                }
                n += (size_t) k;
                if (memchr(line, '\n', n))
                        break;
        }
        line[n] = '\0';
        json_object *rep = json_tokener_parse(line);
        json_object *ok, *err, *eno, *sess;
        if (!rep || !json_object_object_get_ex(rep, "ok", &ok)) {
                *ret_error = strdup("the daemon's reply is not understood");
                r = -EBADMSG;
        } else if (!json_object_get_boolean(ok)) {
                json_object_object_get_ex(rep, "error", &err);
                json_object_object_get_ex(rep, "errno", &eno);
                *ret_error = strdup(err ? json_object_get_string(err) : "refused");
                r = eno && json_object_get_int(eno) > 0 ? -json_object_get_int(eno) : -EPERM;
        } else if (json_object_object_get_ex(rep, "session", &sess))
                r = (int) json_object_get_int64(sess);
        json_object_put(rep);
out:
        json_object_put(msg);
        return r;
}

/* ---- backends ------------------------------------------------------------------------------------ */

enum backend {
        BACKEND_AUTO,
        BACKEND_UNOTIFY,
        BACKEND_PTRACE_SECCOMP,
        BACKEND_PTRACE,
};

static int parse_backend(const char *name, enum backend *ret) {
        static const char *const names[] = { "auto", "unotify", "ptrace-seccomp", "ptrace" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(name, names[i]) == 0) {
                        *ret = (enum backend) i;
                        return 0;
                }
        return -EINVAL;
}

static const char *backend_name(enum backend b) {
        switch (b) {
        case BACKEND_UNOTIFY:
                return "unotify";
        case BACKEND_PTRACE_SECCOMP:
                return "ptrace-seccomp";
        case BACKEND_PTRACE:
                return "ptrace";
        default:
                return "auto";
        }
}

/* Has the child set up the backend `want`, or with `auto` the first that works here:
 *   unotify; when the listener cannot be had: EBUSY means that a supervisor above us holds one
 *   (a nested sandbox), and its USER_NOTIF verdicts take precedence over any RET_TRACE of ours
 *   (FACTS.md), so a ptrace-seccomp filter would miss exactly the calls the outer one handles:
 *   plain ptrace then, whose syscall-entry stop comes before every filter. Any other error
 *   (EINVAL, ENOSYS: a kernel without user notification; EACCES) -> ptrace-seccomp; when no
 *   filter can be installed at all -> ptrace.
 * Returns the backend (s->listener set for unotify) and why in `reason` when it is not the
 * first choice, or -1 after logging why nothing works. */
static int choose_backend(struct session *s, enum backend want, unsigned *ret_flags, char *reason, size_t size) {
        int value = 0, fd = -1, r;
        int unotify_error = 0, trace_error = 0;

        if (want == BACKEND_AUTO || want == BACKEND_UNOTIFY) {
                r = child_cmd(s->sock, 'u', &value, &fd);
                if (r < 0) {
                        log_error_errno(r, "the child does not answer: %m");
                        return -1;
                }
                if (value & INT_MIN) {
                        int listener = fd >= 0 ? take_child_fd(s->pid, fd) : -EBADMSG;
                        if (listener < 0) {
                                log_error_errno(listener, "cannot take the listener from the child (pidfd_getfd): %m");
                                return -1;
                        }
                        s->listener = listener;
                        *ret_flags = (unsigned) (value & ~INT_MIN);
                        return BACKEND_UNOTIFY;
                }
                unotify_error = value;
                if (want == BACKEND_UNOTIFY) {
                        log_error_errno(value, "cannot install the seccomp filter with a listener: %m%s",
                                        value == EBUSY ? " (another supervisor's listener is above us: "
                                                         "use -b ptrace or -b auto)" : "");
                        return -1;
                }
                if (unotify_error == EBUSY) {
                        snprintf(reason, size,
                                 "seccomp user notification is taken: another supervisor's listener is above us "
                                 "(EBUSY, a nested sandbox); its notifications take precedence over "
                                 "SECCOMP_RET_TRACE, so plain ptrace, which stops before any filter runs");
                        want = BACKEND_PTRACE;
                }
        }
        if (want == BACKEND_AUTO || want == BACKEND_PTRACE_SECCOMP) {
                /* auto has tried the listener already: EBUSY would have led to plain ptrace */
                r = child_cmd(s->sock, want == BACKEND_AUTO ? 't' : 'T', &value, NULL);
                if (r < 0) {
                        log_error_errno(r, "the child does not answer: %m");
                        return -1;
                }
                if (value == 0) {
                        if (want == BACKEND_AUTO)
                                snprintf(reason, size, "seccomp user notification is not available (%s)",
                                         strerrorname_np(unotify_error) ?: "?");
                        return BACKEND_PTRACE_SECCOMP;
                }
                trace_error = value;
                if (want == BACKEND_PTRACE_SECCOMP) {
                        if (value == EBUSY)
                                log_error("ptrace-seccomp cannot work here: a seccomp listener of another supervisor "
                                          "is above us, and its notifications take precedence over SECCOMP_RET_TRACE "
                                          "(use -b ptrace, or -b auto)");
                        else
                                log_error_errno(value, "cannot install the seccomp filter: %m");
                        return -1;
                }
                snprintf(reason, size, "seccomp filters are not available (user notification: %s, RET_TRACE: %s)",
                         strerrorname_np(unotify_error) ?: "?", strerrorname_np(trace_error) ?: "?");
        }
        r = child_cmd(s->sock, 'p', &value, NULL);
        if (r < 0) {
                log_error_errno(r, "the child does not answer: %m");
                return -1;
        }
        return BACKEND_PTRACE;
}

/* Under the ptrace backends we must not stop with the terminal's SIGTSTP (the program's own stop
 * comes to us as a ptrace event, and we stop ourselves after it, for the shell to see). */
static void ignore_job_control_stops(void) {
        for (size_t i = 0; i < ELEMENTSOF(reset_in_child); i++)
                signal(reset_in_child[i], SIG_IGN);
}

/* The program stopped for job control (^Z, a background read): stop ourselves too, so that the
 * shell marks the job stopped; its SIGCONT to the process group wakes us and the program. */
static void on_program_stop(void *userdata, pid_t pid, int sig) {
        struct session *s = userdata;
        if (pid == s->pid && (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU))
                kill(getpid(), SIGSTOP);
}

struct forwarder {
        int pidfd;
        sigset_t mask;
};

/* The tracer thread waits in waitpid(); this thread passes our signals on to the program. */
static void *forward_signals(void *arg) {
        struct forwarder *f = arg;
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&f->mask, &si);
                if (sig < 0)
                        continue;
                if (sig == SIGRTMIN)
                        return NULL; /* the program has ended */
                /* a signal from the terminal went to the whole process group already */
                if (si.si_code == SI_KERNEL)
                        continue;
                syscall(SYS_pidfd_send_signal, f->pidfd, sig, NULL, 0);
        }
}

/* Embedded ptrace: this thread is the tracer. Returns 0 once every tracee has ended (the program's
 * status in s->status), -errno when the tracer failed (the tracees die with us: EXITKILL). */
static int supervise_ptrace(struct session *s, struct pv_ptrace *tracer) {
        struct forwarder f = { .pidfd = (int) syscall(SYS_pidfd_open, s->pid, 0) };
        pthread_t thread;
        int r;
        if (f.pidfd < 0)
                return log_error_errno(errno, "pidfd_open failed: %m");
        sigemptyset(&f.mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(&f.mask, forwarded[i]);
        sigaddset(&f.mask, SIGRTMIN);
        sigset_t block = f.mask;
        sigaddset(&block, SIGCHLD);
        pthread_sigmask(SIG_BLOCK, &block, NULL);
        r = -pthread_create(&thread, NULL, forward_signals, &f);
        if (r < 0) {
                safe_close(f.pidfd);
                return log_error_errno(r, "cannot start a thread: %m");
        }

        ignore_job_control_stops();
        pv_ptrace_watch(tracer, s->pid);
        pv_ptrace_set_stop_callback(tracer, on_program_stop, s);
        r = pv_ptrace_start(tracer, s->pid);
        if (r >= 0 && RETRY_EINTR(write(s->sock, "g", 1)) != 1)
                r = log_error_errno(errno, "cannot start the program: %m");
        while (r >= 0) {
                r = pv_ptrace_step(tracer, 0);
                if (r == 0)
                        break;
                if (r == -EINTR)
                        r = 0;
        }
        if (r < 0)
                log_error_errno(r, "the tracer cannot go on: %m");

        pthread_kill(thread, SIGRTMIN);
        pthread_join(thread, NULL);
        safe_close(f.pidfd);
        if (r < 0)
                return r;
        if (!pv_ptrace_watched_status(tracer, &s->status)) {
                s->engine_failed = true; /* never saw it end */
                return 0;
        }
        s->reaped = true;
        /* an exec failure: the child wrote its errno before it exited */
        int e;
        if (read(s->sock, &e, sizeof(e)) == sizeof(e))
                s->exec_error = e;
        return 0;
}

/* Whether a tracer watches us (TracerPid in /proc/self/status): a pathvisor run under a ptrace
 * backend, strace, gdb. */
static bool traced(void) {
        char buf[4096];
        if (pv_tracee_status(getpid(), buf, sizeof(buf)) <= 0)
                return false;
        const char *p = strstr(buf, "\nTracerPid:");
        return p && strtol(p + 11, NULL, 10) > 0;
}

/* ---- the verb ---------------------------------------------------------------------------------- */

static int add_source(json_object *sources, const char *key, const char *value, const char *name) {
        json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        if (name)
                json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, key, json_object_new_string(value));
        return json_object_array_add(sources, o) < 0 ? -ENOMEM : 0;
}

/* Reads a policy file whole (for the daemon) and loads it (to report errors here, now). */
static int load_policy_file(struct pv_policy *policy, json_object *sources, const char *path) {
        struct pv_errors errors = {};
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
        int r = pv_policy_read_file(path, &text, &len, &errors);
        if (r >= 0)
                r = pv_policy_load_buffer(policy, name, text, len, &errors);
        if (r < 0) {
                pv_errors_print(&errors, stderr);
                pv_errors_clear(&errors);
                return r;
        }
        return add_source(sources, "text", text, name);
}

int verb_run(int argc, char **argv) {
        enum { ARG_DENY = 0x100, ARG_READONLY, ARG_EMBEDDED, ARG_DAEMON, ARG_SOCKET, ARG_PROFILE };
        static const struct option options[] = {
                { "policy", required_argument, NULL, 'p' },
                { "redirect", required_argument, NULL, 'r' },
                { "deny", required_argument, NULL, ARG_DENY },
                { "readonly", required_argument, NULL, ARG_READONLY },
                { "profile", required_argument, NULL, ARG_PROFILE },
                { "backend", required_argument, NULL, 'b' },
                { "embedded", no_argument, NULL, ARG_EMBEDDED },
                { "daemon", no_argument, NULL, ARG_DAEMON },
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(pv_policy_freep) struct pv_policy *policy = pv_policy_new();
        json_object *sources = json_object_new_array();
        _cleanup_free_ char *socket_path = NULL;
        const char *profile = NULL;
        bool verbose = false, want_daemon = false, want_embedded = false;
        const char *backend = "auto";
        int c, r, ret = EXIT_PATHVISOR;
        int daemon_fd = -1;

        if (!policy || !sources) {
                log_error("out of memory");
                goto finish;
        }

        optind = 1;
        while ((c = getopt_long(argc, argv, "+p:r:b:vh", options, NULL)) >= 0) {
                char *arg = NULL;
                switch (c) {
                case 'p':
                        if (load_policy_file(policy, sources, optarg) < 0)
                                goto finish;
                        break;
                case 'r':
                case ARG_DENY:
                case ARG_READONLY: {
                        enum pv_quick kind = c == 'r' ? PV_QUICK_REDIRECT : c == ARG_DENY ? PV_QUICK_DENY : PV_QUICK_READONLY;
                        if (add_quick(policy, kind, optarg, &arg) < 0)
                                goto finish;
                        r = add_source(sources, c == 'r' ? "redirect" : c == ARG_DENY ? "deny" : "readonly", arg, NULL);
                        free(arg);
                        if (r < 0)
                                goto finish;
                        break;
                }
                case ARG_PROFILE:
                        profile = optarg;
                        break;
                case 'b':
                        backend = optarg;
                        break;
                case ARG_EMBEDDED:
                        want_embedded = true;
                        break;
                case ARG_DAEMON:
                        want_daemon = true;
                        break;
                case ARG_SOCKET:
                        free(socket_path);
                        socket_path = strdup(optarg);
                        break;
                case 'v':
                        verbose = true;
                        break;
                case 'h':
                        help(stdout);
                        ret = 0;
                        goto finish;
                default:
                        goto finish;
                }
        }

        if (optind >= argc) {
                log_error("no COMMAND given; see 'pathvisor run --help'");
                goto finish;
        }
        if (want_daemon && want_embedded) {
                log_error("--daemon and --embedded exclude each other");
                goto finish;
        }
        if (profile) {
                if (!pv_profile_name_valid(profile)) {
                        log_error("invalid profile name '%s'", profile);
                        goto finish;
                }
                if (json_object_array_length(sources) > 0) {
                        log_error("--profile cannot be combined with -p, -r, --deny or --readonly");
                        goto finish;
                }
                if (want_embedded) {
                        log_error("--profile names a policy that the daemon holds: it needs the daemon");
                        goto finish;
                }
                want_daemon = true;
        }
        if (verbose)
                log_set_max_level(LOG_INFO);

        /* Which mode: the daemon when its socket answers (unless --embedded), else embedded. A
         * nested run stays embedded: what the daemon does for our program would escape the
         * supervisor that watches us, whose policy must apply to it too. */
        const char *why_embedded = "--embedded";
        bool under_tracer = traced();
        if (!want_embedded && !want_daemon && under_tracer) {
                want_embedded = true;
                why_embedded = "we are traced: a nested run stays in reach of the outer supervisor";
        }
        if (!want_embedded) {
                if (!socket_path)
                        socket_path = pv_socket_default(true);
                daemon_fd = connect_daemon(socket_path);
                if (daemon_fd < 0) {
                        if (want_daemon) {
                                log_error_errno(daemon_fd, "cannot reach pathvisord at %s: %m",
                                                socket_path ? socket_path : "(no socket path)");
                                goto finish;
                        }
                        why_embedded = "no daemon answers";
                }
        }

        enum backend want;
        if (parse_backend(backend, &want) < 0) {
                log_error("unknown backend '%s' (auto, unotify, ptrace-seccomp, ptrace)", backend);
                goto finish;
        }
        /* the filters are built before fork (allocation); the child installs the one it is told */
        struct sock_fprog notify_prog = {}, trace_prog = {};
        bool strict = pv_policy_strict(policy);
        /* The hybrid (execve, execveat, chdir through a transient ptrace attachment) needs a
         * cookie that the program cannot guess. Not when we are traced ourselves: the outer
         * tracer must see those calls, and our notification would take precedence over its
         * RET_TRACE (a nested run: they pass to it untouched, as before). */
        uint64_t cookie = 0;
        if (!under_tracer && getrandom(&cookie, sizeof(cookie), 0) != (ssize_t) sizeof(cookie))
                cookie = 0;
        if (want == BACKEND_AUTO || want == BACKEND_UNOTIFY) {
                r = cookie ? pv_filter_build_hybrid(strict, cookie, &notify_prog)
                           : pv_filter_build(PV_FILTER_NOTIFY, strict, &notify_prog);
                if (r < 0 && want == BACKEND_UNOTIFY) {
                        log_error_errno(r, "cannot build the seccomp filter: %m");
                        goto finish;
                }
        }
        if (want == BACKEND_AUTO || want == BACKEND_PTRACE_SECCOMP) {
                r = pv_filter_build(PV_FILTER_TRACE, strict, &trace_prog);
                if (r < 0 && want == BACKEND_PTRACE_SECCOMP) {
                        pv_filter_done(&notify_prog);
                        log_error_errno(r, "cannot build the seccomp filter: %m");
                        goto finish;
                }
        }

        /* Forwarded signals and SIGCHLD come through a signalfd; the child unblocks them. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(&mask, forwarded[i]);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        struct session s = { .listener = -1, .sock = -1, .sigfd = -1 };
        struct pv_ptrace *tracer = NULL;
        s.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (s.sigfd < 0) {
                pv_filter_done(&notify_prog);
                pv_filter_done(&trace_prog);
                log_error_errno(errno, "signalfd failed: %m");
                goto finish;
        }
        /* orphans of the program come to us, so that we reap them, see the listener hang up
         * (embedded) and return only when every process started under the policy has ended */
        prctl(PR_SET_CHILD_SUBREAPER, 1);

        int sp[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
                pv_filter_done(&notify_prog);
                pv_filter_done(&trace_prog);
                log_error_errno(errno, "socketpair failed: %m");
                goto finish_session;
        }
        s.pid = fork();
        if (s.pid < 0) {
                pv_filter_done(&notify_prog);
                pv_filter_done(&trace_prog);
                log_error_errno(errno, "fork failed: %m");
                goto finish_session;
        }
        if (s.pid == 0) {
                close(sp[0]);
                child(sp[1], notify_prog.filter ? &notify_prog : NULL, trace_prog.filter ? &trace_prog : NULL,
                      argv + optind);
        }
        close(sp[1]);
        s.sock = sp[0];
        pv_filter_done(&notify_prog);
        pv_filter_done(&trace_prog);

        unsigned filter_flags = 0;
        char reason[512] = "";
        enum backend chosen = choose_backend(&s, want, &filter_flags, reason, sizeof(reason));
        if ((int) chosen < 0)
                goto kill_child;
        const char *chosen_name = backend_name(chosen);
        if (daemon_fd >= 0 && !want_daemon && want == BACKEND_AUTO && chosen == BACKEND_PTRACE &&
            strstr(reason, "EBUSY")) {
                /* another supervisor's listener is above us: stay in its reach (see above) */
                daemon_fd = safe_close(daemon_fd);
                why_embedded = "another supervisor's listener is above us: a nested run stays in its reach";
        }

        if (daemon_fd >= 0) {
                _cleanup_free_ char *error = NULL;
                r = hand_over(daemon_fd, s.listener, s.pid, filter_flags, cookie, sources, profile, chosen_name,
                              reason[0] ? reason : NULL, argv + optind, &error);
                if (r < 0) {
                        if (error)
                                log_error("pathvisord refused the program: %s", error);
                        else
                                log_error_errno(r, "cannot hand the program to pathvisord: %m");
                        goto kill_child;
                }
                if (verbose) {
                        log_info("backend %s, through pathvisord at %s (session %d)", chosen_name, socket_path, r);
                        if (reason[0])
                                log_info("backend %s: %s", chosen_name, reason);
                }
                s.listener = safe_close(s.listener);
                daemon_fd = safe_close(daemon_fd);
                if (chosen != BACKEND_UNOTIFY) {
                        /* pathvisord traces the program; its job-control stops reach us as its parent */
                        ignore_job_control_stops();
                        s.stop_with_child = true;
                }
                if (RETRY_EINTR(write(s.sock, "g", 1)) != 1) {
                        log_error_errno(errno, "cannot start the program: %m");
                        goto kill_child;
                }
                supervise(&s); /* no listener here: signals and the program's end only */
        } else if (chosen == BACKEND_UNOTIFY) {
                r = pv_unotify_new(s.listener, filter_flags, policy, &s.engine);
                if (r < 0) {
                        log_error_errno(r, "cannot start the engine: %m");
                        goto kill_child;
                }
                pv_unotify_set_verbose(s.engine, verbose);
                /* traced (a nested run under a ptrace backend): the outer tracer must see every
                 * operation, so none is left to the kernel (see pv_unotify_set_emulate_all) */
                pv_unotify_set_emulate_all(s.engine, under_tracer);
                pv_unotify_set_hybrid(s.engine, cookie);
                /* As root, a program that drops its privileges must not get ours through a redirect. */
                pv_unotify_set_impersonate(s.engine, geteuid() == 0 ? PV_IMPERSONATE_ON_CHANGE : PV_IMPERSONATE_NEVER);
                if (verbose)
                        log_info("backend unotify, embedded (%s): %zu rule%s%s; replies %s", why_embedded,
                                 pv_policy_n_rules(policy), pv_policy_n_rules(policy) == 1 ? "" : "s",
                                 pv_policy_strict(policy) ? ", strict" : "",
                                 pv_unotify_fast_reply(s.engine) ? "ADDFD + NOTIF_SEND (WAIT_KILLABLE_RECV, SYNC_WAKE_UP)"
                                                                  : "ADDFD|SEND");
                if (RETRY_EINTR(write(s.sock, "g", 1)) != 1) {
                        log_error_errno(errno, "cannot start the program: %m");
                        goto kill_child;
                }
                supervise(&s);
                if (verbose) {
                        const struct pv_counters *k = pv_unotify_counters(s.engine);
                        log_info("%llu trapped, %llu passed, %llu redirected, %llu denied",
                                 (unsigned long long) k->trapped, (unsigned long long) k->passed,
                                 (unsigned long long) k->redirected, (unsigned long long) k->denied);
                }
        } else {
                enum pv_ptrace_mode mode = chosen == BACKEND_PTRACE ? PV_PTRACE_ALL : PV_PTRACE_SECCOMP;
                r = pv_ptrace_new(mode, policy, &tracer);
                if (r < 0) {
                        log_error_errno(r, "cannot start the engine: %m");
                        goto kill_child;
                }
                pv_ptrace_set_verbose(tracer, verbose);
                r = pv_ptrace_seize(tracer, s.pid);
                if (r < 0) {
                        /* never unsupervised: the program does not start */
                        log_error_errno(r, "cannot trace the program (PTRACE_SEIZE): %m");
                        goto kill_child;
                }
                if (verbose) {
                        log_info("backend %s, embedded (%s): %zu rule%s%s", chosen_name, why_embedded,
                                 pv_policy_n_rules(policy), pv_policy_n_rules(policy) == 1 ? "" : "s",
                                 pv_policy_strict(policy) ? ", strict" : "");
                        if (reason[0])
                                log_info("backend %s: %s", chosen_name, reason);
                }
                r = supervise_ptrace(&s, tracer);
                if (r < 0)
                        goto kill_child;
                if (verbose) {
                        const struct pv_counters *k = pv_ptrace_counters(tracer);
                        log_info("%llu trapped, %llu passed, %llu redirected, %llu denied; registers set with %s",
                                 (unsigned long long) k->trapped, (unsigned long long) k->passed,
                                 (unsigned long long) k->redirected, (unsigned long long) k->denied,
                                 pv_ptrace_uses_set_syscall_info(tracer) ? "PTRACE_SET_SYSCALL_INFO"
                                                                         : "PTRACE_POKEUSER");
                }
        }

        if (s.exec_error)
                log_error_errno(s.exec_error, "cannot run '%s': %m", argv[optind]);
        ret = s.engine_failed ? EXIT_PATHVISOR : exit_status(s.status);
        goto finish_session;

kill_child:
        kill(s.pid, SIGKILL);
        for (;;) { /* a traced child reports stops too: wait for its end */
                int st;
                if (waitpid(s.pid, &st, __WALL) < 0 && errno != EINTR)
                        break;
                if (WIFEXITED(st) || WIFSIGNALED(st))
                        break;
        }
        ret = EXIT_PATHVISOR;
finish_session:
        pv_unotify_free(s.engine);
        pv_ptrace_free(tracer);
        safe_close(s.listener);
        safe_close(s.sigfd);
        safe_close(s.sock);
finish:
        safe_close(daemon_fd);
        json_object_put(sources);
        return ret;
}
