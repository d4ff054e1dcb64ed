/* SPDX-License-Identifier: MIT */
#pragma once

/* The seccomp filter built from the syscall table (libseccomp), exported as a classic BPF program,
 * and installed with a raw seccomp() call, since libseccomp has no API for
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV.
 *
 * The program:
 *   - arch x86-64 and i386 (int $0x80): each row's number on that arch gets the row's action,
 *     everything else is ALLOWed;
 *   - x32 (arch x86-64 with __X32_SYSCALL_BIT in the number) and any other arch fail with ENOSYS
 *     (the "bad arch" action) and never reach the kernel's syscall table. ENOSYS is what a kernel
 *     without x32 (this machine's) answers anyway, so no program that runs natively here breaks;
 *     on a kernel with x32 enabled those numbers name path calls that we would not see, so they
 *     must not pass; killing instead would turn a harmless probe into a crash. Number -1 (a
 *     tracer's "skip this call") is the exception: it passes, and the kernel runs nothing;
 *   - with `strict`, io_uring_setup fails with EPERM (io_uring operations are not seen by
 *     seccomp: they would bypass the policy);
 *   - unless `strict`, the fast paths of the table (fast_path_flag: AT_EMPTY_PATH on
 *     newfstatat, fstatat64, statx, i.e. glibc's fstat()) are ALLOWed by testing the flags
 *     register. That is a trade-off: see fast_path_flag in syscall-table.h.
 *
 * Order of use (the unotify flow): pv_filter_build() in the parent BEFORE fork (it allocates);
 * in the child: prctl(PR_SET_NO_NEW_PRIVS, 1) (the caller's job), then
 * pv_filter_install_listener(), which makes one or two raw system calls and no allocation. */

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "backends/syscall-table.h"

enum pv_filter_action {
        /* unotify without a ptrace side: EMULATE and OBSERVE rows -> SECCOMP_RET_USER_NOTIF; TRACE
         * rows pass, but chroot (a TRACE row that changes the view) is still notified, to be
         * observed. */
        PV_FILTER_NOTIFY,
        /* unotify with a ptrace side attached to EVERY process under the filter: EMULATE rows ->
         * USER_NOTIF, TRACE rows -> SECCOMP_RET_TRACE. Without a tracer RET_TRACE fails the call
         * with ENOSYS, so only for processes that are certain to be traced. */
        PV_FILTER_NOTIFY_TRACE,
        /* ptrace-seccomp: every row that the backend does not PASS -> SECCOMP_RET_TRACE (data 0).
         * The same caveat: every process under this filter must be traced. */
        PV_FILTER_TRACE,
        /* unotify with the transient ptrace side (the hybrid, pv_ptrace_hybrid()): EMULATE and
         * OBSERVE rows -> USER_NOTIF; TRACE rows (execve, execveat, chdir) -> USER_NOTIF too,
         * unless their sixth argument register holds the session's cookie: that is the call made
         * again by our tracer, after it rewrote the path, and it must pass. Only through
         * pv_filter_build_hybrid(), which takes the cookie. */
        PV_FILTER_NOTIFY_HYBRID,
        _PV_FILTER_ACTION_MAX,
};

/* io_uring_setup, the same number on x86-64 and i386. A strict filter refuses it with EPERM. */
#define PV_NR_IO_URING_SETUP 425

/* Builds the program for the whole syscall table. On success ret->filter is malloc()ed: free it
 * with free() (or pv_filter_done()). Returns 0, -EINVAL for a bad action, -EAFNOSUPPORT on a host
 * that is not x86-64, -EOPNOTSUPP when the running kernel lacks SECCOMP_RET_USER_NOTIF (or
 * SECCOMP_RET_TRACE) (probed with SECCOMP_GET_ACTION_AVAIL), -E2BIG when the program would exceed
 * BPF_MAXINSNS, -ENOMEM, or another libseccomp error. Not async-signal-safe: call it before fork.
 * The program does not depend on the policy, only on the table, the action and `strict`. */
int pv_filter_build(enum pv_filter_action action, bool strict, struct sock_fprog *ret);

/* The same for an arbitrary set of rows (tests; rows with numbers that libseccomp does not know). */
int pv_filter_build_rows(const struct pv_syscall *rows, size_t n_rows, enum pv_filter_action action,
                         bool strict, struct sock_fprog *ret);

/* PV_FILTER_NOTIFY_HYBRID with `cookie` (random, never 0): x86-64 calls compare the whole 64-bit
 * register, i386 calls (32-bit registers) its low half. A program that wants to slip an execve
 * or chdir past the policy must guess it (README, limits). */
int pv_filter_build_hybrid(bool strict, uint64_t cookie, struct sock_fprog *ret);

/* Frees prog->filter and zeroes *prog. Accepts NULL and an already freed program. */
void pv_filter_done(struct sock_fprog *prog);

/* The verdict that the program gives to row `sc` on `arch` (SECCOMP_RET_USER_NOTIF,
 * SECCOMP_RET_TRACE or SECCOMP_RET_ALLOW), before any fast path. For engines and tests. */
uint32_t pv_filter_row_verdict(const struct pv_syscall *sc, enum pv_arch arch, enum pv_filter_action action);

/* seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER | WAIT_KILLABLE_RECV, prog); when the kernel
 * answers EINVAL (before 5.19), again with NEW_LISTENER alone. Returns the listener fd (O_CLOEXEC,
 * so it does not survive the child's exec) and in *ret_flags the flags that were used: without
 * WAIT_KILLABLE_RECV the engine must answer opens with ADDFD|SEND (FACTS.md). Errors: -EBUSY when a
 * filter above already has a listener (nested sandbox: fall back to ptrace), -EACCES without
 * no_new_privs or CAP_SYS_ADMIN, -EINVAL/-ENOSYS on kernels without user notification.
 * Async-signal-safe: no allocation, only raw system calls; meant for a forked child before exec. */
int pv_filter_install_listener(const struct sock_fprog *prog, unsigned *ret_flags);

/* seccomp(SECCOMP_SET_MODE_FILTER, 0, prog), for TRACE filters (no listener). Async-signal-safe. */
int pv_filter_install(const struct sock_fprog *prog);
