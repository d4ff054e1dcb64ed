/* SPDX-License-Identifier: MIT */
/* bench-proto MECHANISM N PATH: the floor under each backend. A minimal supervisor built on one
 * kernel mechanism, with none of pathvisor's work (no policy, no /proc, no path capture), serves
 * a child that makes openat(PATH)+close N times; prints the median cost of one openat+close in
 * the child, in ns (over blocks of 100 calls), as bench-loop does. bench-engine.py runs it in
 * the same interleaved rounds as pathvisor, so that the table shows the kernel's floor and the
 * gap above it that is ours.
 *
 * MECHANISM:
 *   continue   seccomp user notification, every openat answered CONTINUE (unotify, no rule)
 *   addfd      the same, answered by opening PATH in the supervisor and handing the fd over:
 *              ADDFD, then NOTIF_SEND with the fd number, woken on the supervisor's CPU
 *              (SYNC_WAKE_UP, with WAIT_KILLABLE_RECV): unotify's redirect reply
 *   trace      SECCOMP_RET_TRACE on openat, the tracer lets each stop go (ptrace-seccomp, no rule)
 *   trace-exit the same plus the syscall-exit stop that a correct rewrite needs to put the
 *              register back (ptrace-seccomp, redirected)
 *   syscall    no filter, PTRACE_SYSCALL: every call stops at entry and exit (plain ptrace)
 *   filter     no supervisor: the same six-instruction filter, and the child makes getppid()
 *              (never trapped) instead: what any seccomp filter costs a call that it lets pass
 * The filters trap openat on x86-64 only and allow everything else, as pathvisor's do.
 *
 * bench-proto run-continue|run-trace -- COMMAND...: the floor of a whole workload. COMMAND runs
 * under pathvisor's own filter (pv_filter_build: the same calls trapped, with its fast paths),
 * served by a bare supervisor: every notification answered CONTINUE (run-continue, unotify's
 * floor), or every RET_TRACE stop let go (run-trace, ptrace-seccomp's floor; forks, clones and
 * execs followed). Exits with COMMAND's status; bench-workloads.py times it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-time.h"

#include "backends/filter.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#  define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#  define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#  define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_ADDFD_FLAG_SEND
#  define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif

enum mech { CONTINUE, ADDFD, TRACE, TRACE_EXIT, SYSCALL_ALL, FILTER_ONLY };

/* The child's loop: the same as bench-loop's openat case (getppid: its getppid case). */
static int child_loop(long n, const char *path, bool getppid_only) {
        enum { BLOCK = 100 };
        long blocks = n / BLOCK > 0 ? n / BLOCK : 1;
        double *t = calloc((size_t) blocks, sizeof(double));
        if (!t)
                return 1;
        for (long b = 0; b < blocks; b++) {
                double a = bench_now_ns();
                for (int i = 0; i < BLOCK; i++) {
                        if (getppid_only) {
                                (void) getppid();
                                continue;
                        }
                        int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0) {
                                perror(path);
                                return 1;
                        }
                        close(fd);
                }
                t[b] = (bench_now_ns() - a) / BLOCK;
        }
        printf("%.1f\n", bench_median(t, (size_t) blocks));
        fflush(stdout);
        return 0;
}

static int install(uint32_t action, unsigned long flags) {
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, action),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -1;
        return (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static int serve_unotify(enum mech m, pid_t child, int listener, const char *path, int *ret_status) {
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;
        uint64_t wake = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, wake) < 0)
                perror("SECCOMP_IOCTL_NOTIF_SET_FLAGS");
        for (;;) {
                struct pollfd p = { .fd = listener, .events = POLLIN };
                if (poll(&p, 1, -1) < 0 && errno != EINTR)
                        return -1;
                if (p.revents & POLLHUP)
                        break;
                memset(&req, 0, sizeof(req));
                if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
                        if (errno == EINTR || errno == ENOENT)
                                continue;
                        return -1;
                }
                memset(&resp, 0, sizeof(resp));
                resp.id = req.id;
                if (m == CONTINUE) {
                        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
                } else {
                        int fd = open(path, O_RDONLY | O_CLOEXEC);
                        struct seccomp_notif_addfd a = { .id = req.id, .srcfd = (uint32_t) fd,
                                                          .newfd_flags = O_CLOEXEC };
                        int r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
                        close(fd);
                        if (r < 0)
                                continue;
                        resp.val = r;
                }
                ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        }
        int status;
        waitpid(child, &status, 0);
        if (ret_status)
                *ret_status = status;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int serve_ptrace(enum mech m, pid_t child) {
        int status;
        if (waitpid(child, &status, 0) < 0 || !WIFSTOPPED(status))
                return -1;
        long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | (m == SYSCALL_ALL ? 0 : PTRACE_O_TRACESECCOMP);
        if (ptrace(PTRACE_SETOPTIONS, child, 0, opts) < 0)
                return -1;
        int cont = m == SYSCALL_ALL ? PTRACE_SYSCALL : PTRACE_CONT;
        ptrace(cont, child, 0, 0);
        for (;;) {
                if (waitpid(child, &status, 0) < 0)
                        return -1;
                if (WIFEXITED(status) || WIFSIGNALED(status))
                        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
                int sig = WSTOPSIG(status), event = status >> 16;
                if (event == PTRACE_EVENT_SECCOMP)
                        ptrace(m == TRACE_EXIT ? PTRACE_SYSCALL : PTRACE_CONT, child, 0, 0);
                else if (sig == (SIGTRAP | 0x80))
                        ptrace(cont, child, 0, 0); /* an exit stop (trace-exit), or any stop (syscall) */
                else
                        ptrace(cont, child, 0, event ? 0 : sig);
        }
}

/* ---- whole workloads ---------------------------------------------------------------------- */

static int run_workload(bool trace, char **cmd) {
        struct sock_fprog prog = {};
        int r = pv_filter_build(trace ? PV_FILTER_TRACE : PV_FILTER_NOTIFY, false, &prog);
        if (r < 0) {
                fprintf(stderr, "pv_filter_build: %s\n", strerror(-r));
                return 1;
        }
        int pipefd[2];
        if (pipe(pipefd) < 0)
                return 1;
        pid_t child = fork();
        if (child < 0)
                return 1;
        if (child == 0) {
                close(pipefd[0]);
                if (trace && (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 || raise(SIGSTOP) < 0))
                        _exit(127);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(127);
                unsigned long flags = trace ? 0 : SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
                int l = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
                if (l < 0)
                        _exit(127);
                if (!trace && write(pipefd[1], &l, sizeof(l)) != sizeof(l))
                        _exit(127);
                close(pipefd[1]);
                execvp(cmd[0], cmd);
                _exit(127);
        }
        close(pipefd[1]);
        int status = 0;
        if (!trace) {
                int l;
                if (read(pipefd[0], &l, sizeof(l)) != sizeof(l))
                        return 1;
                int pidfd = (int) syscall(SYS_pidfd_open, child, 0);
                int listener = pidfd >= 0 ? (int) syscall(SYS_pidfd_getfd, pidfd, l, 0) : -1;
                if (listener < 0)
                        return 1;
                serve_unotify(CONTINUE, child, listener, NULL, &status);
        } else {
                if (waitpid(child, &status, 0) < 0 || !WIFSTOPPED(status))
                        return 1;
                long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK |
                            PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;
                ptrace(PTRACE_SETOPTIONS, child, 0, opts);
                ptrace(PTRACE_CONT, child, 0, 0);
                for (;;) {
                        int st;
                        pid_t w = waitpid(-1, &st, __WALL);
                        if (w < 0)
                                break;
                        if (WIFEXITED(st) || WIFSIGNALED(st)) {
                                if (w == child)
                                        status = st;
                                continue;
                        }
                        int sig = WSTOPSIG(st), event = st >> 16;
                        if (event == PTRACE_EVENT_STOP && (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU))
                                ptrace(PTRACE_LISTEN, w, 0, 0);
                        else if (event || sig == SIGTRAP)
                                ptrace(PTRACE_CONT, w, 0, 0); /* seccomp, fork, exec events; a new child's stop */
                        else
                                ptrace(PTRACE_CONT, w, 0, sig == SIGSTOP ? 0 : sig);
                }
        }
        pv_filter_done(&prog);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
        if (argc >= 4 && strcmp(argv[2], "--") == 0 &&
            (strcmp(argv[1], "run-continue") == 0 || strcmp(argv[1], "run-trace") == 0))
                return run_workload(strcmp(argv[1], "run-trace") == 0, argv + 3);
        static const char *const names[] = { "continue", "addfd", "trace", "trace-exit", "syscall", "filter" };
        if (argc != 4) {
                fprintf(stderr, "usage: bench-proto continue|addfd|trace|trace-exit|syscall|filter N PATH\n");
                return 2;
        }
        int m = -1;
        for (int i = 0; i < 6; i++)
                if (strcmp(argv[1], names[i]) == 0)
                        m = i;
        if (m < 0)
                return 2;
        long n = atol(argv[2]);
        const char *path = argv[3];
        if (m == FILTER_ONLY) {
                if (install(SECCOMP_RET_ERRNO | EPERM, 0) < 0) {
                        perror("seccomp");
                        return 1;
                }
                return child_loop(n, path, true);
        }

        int pipefd[2];
        if (pipe(pipefd) < 0)
                return 1;
        fflush(stdout);
        pid_t child = fork();
        if (child < 0)
                return 1;
        if (child == 0) {
                close(pipefd[0]);
                if (m == CONTINUE || m == ADDFD) {
                        int l = install(SECCOMP_RET_USER_NOTIF,
                                        SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
                        if (l < 0) {
                                perror("seccomp");
                                _exit(1);
                        }
                        if (write(pipefd[1], &l, sizeof(l)) != sizeof(l))
                                _exit(1);
                        close(pipefd[1]); /* the parent takes the listener with pidfd_getfd */
                } else {
                        close(pipefd[1]);
                        if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 || raise(SIGSTOP) < 0)
                                _exit(1);
                        if (m != SYSCALL_ALL && install(SECCOMP_RET_TRACE, 0) < 0) {
                                perror("seccomp");
                                _exit(1);
                        }
                }
                _exit(child_loop(n, path, false));
        }
        close(pipefd[1]);
        int r;
        if (m == CONTINUE || m == ADDFD) {
                int l;
                if (read(pipefd[0], &l, sizeof(l)) != sizeof(l))
                        return 1;
                int pidfd = (int) syscall(SYS_pidfd_open, child, 0);
                int listener = pidfd >= 0 ? (int) syscall(SYS_pidfd_getfd, pidfd, l, 0) : -1;
                if (listener < 0) {
                        perror("pidfd_getfd");
                        kill(child, SIGKILL);
                        return 1;
                }
                r = serve_unotify((enum mech) m, child, listener, path, NULL);
        } else
                r = serve_ptrace((enum mech) m, child);
        return r < 0 ? 1 : 0;
}
