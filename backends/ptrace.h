/* SPDX-License-Identifier: MIT */
#pragma once

/* The ptrace backends: one tracer loop, two modes.
 *
 *   PV_PTRACE_SECCOMP ("ptrace-seccomp"): the tracees run under a filter (PV_FILTER_TRACE) that
 *     marks the path calls SECCOMP_RET_TRACE; one stop per path call, none for the rest.
 *   PV_PTRACE_ALL ("ptrace"): no filter; PTRACE_SYSCALL stops every call twice (entry, exit). For
 *     systems where seccomp filters are unavailable, and inside a unotify sandbox: an entry stop
 *     comes before seccomp runs, so the outer supervisor sees what we rewrote.
 *
 * A redirected call is rewritten in place: the new path is written into the tracee's stack below
 * the x86-64 red zone (or, for an i386 call from a 64-bit process whose stack is above 4 GiB, into
 * a page that the tracee is made to mmap below 4 GiB), the argument register is pointed at it
 * (PTRACE_SET_SYSCALL_INFO where the kernel has it, else PTRACE_POKEUSER), and the register is
 * restored at the syscall-exit stop, since the ABI promises that the call leaves it alone. The call
 * itself runs in the tracee: its credentials, root and namespaces, by construction. deny and
 * readonly skip the call (number -1) and set -errno as its result.
 *
 * The tracer is the thread that called pv_ptrace_seize() (ptrace binds tracees to the attaching
 * thread): every other function must be called from that thread too. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "backends/unotify.h" /* struct pv_counters */

struct pv_policy;
struct pv_ptrace;

enum pv_ptrace_mode {
        PV_PTRACE_SECCOMP,
        PV_PTRACE_ALL,
};

int pv_ptrace_new(enum pv_ptrace_mode mode, const struct pv_policy *policy, struct pv_ptrace **ret);
struct pv_ptrace *pv_ptrace_free(struct pv_ptrace *t);

/* PTRACE_SEIZE with the options (follow fork, vfork, clone, exec; EXITKILL; TRACESECCOMP in
 * seccomp mode). `pid` is a process that has not exec'd the program yet (it waits for "go"): from
 * here on it is traced, and so is everything it starts. */
int pv_ptrace_seize(struct pv_ptrace *t, pid_t pid);
/* Call before the loop runs and before the tracee may go on (PV_PTRACE_ALL stops it once, so that
 * the loop restarts it with PTRACE_SYSCALL: until then the tracee must not wait for anyone but the
 * loop). */
int pv_ptrace_start(struct pv_ptrace *t, pid_t pid);

/* Waits for one ptrace event of our tracees and handles it. `wait_flags` are added to
 * waitpid(-1, .., __WALL): __WNOTHREAD in a daemon thread, so that each session's thread sees its
 * own tracees only. Returns 1 when an event was handled, 0 when no tracee is left, -EINTR when a
 * signal interrupted the wait, another -errno on failure. */
int pv_ptrace_step(struct pv_ptrace *t, int wait_flags);

/* Number of tracees (threads) known. */
size_t pv_ptrace_n_tracees(const struct pv_ptrace *t);

/* The wait status of `pid` once it ended (the embedded client's own child: its exit status is
 * reported to us, the tracer and parent, once). */
void pv_ptrace_watch(struct pv_ptrace *t, pid_t pid);
bool pv_ptrace_watched_status(const struct pv_ptrace *t, int *ret_status);

/* Called when a tracee enters a group-stop (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) and when it
 * continues (sig 0), after the tracer has put it into PTRACE_LISTEN. The embedded client uses it
 * to stop itself for the shell's job control. */
typedef void (*pv_ptrace_stop_fn)(void *userdata, pid_t pid, int sig);
void pv_ptrace_set_stop_callback(struct pv_ptrace *t, pv_ptrace_stop_fn fn, void *userdata);

/* The hybrid: one call that a unotify engine cannot perform for its tracee (execve, execveat,
 * chdir), handled by a transient ptrace attachment from the engine's thread. The tracee waits in
 * its seccomp notification. pv_ptrace_hybrid() seizes the thread, asks for a stop
 * (PTRACE_INTERRUPT), and calls `restart_call(userdata)`, which must answer the notification
 * with -ERESTARTNOINTR: the call returns into the stop and is made again as soon as the thread
 * goes on, as after a signal. At the entry stop of the call made again, the path is decided and
 * rewritten as this backend does it (`#!` scripts included), the sixth argument register is set
 * to `cookie`, which the filter (pv_filter_build_hybrid) lets pass without a new notification,
 * and at its exit stop the registers are put back and the thread is let go (PTRACE_DETACH).
 * The program's own tracer, a debugger or strace, can attach at any other time.
 * `t` must be a PV_PTRACE_ALL instance used for nothing else.
 * Returns 0 once the notification is answered: the call is done, or the thread will make it
 * again and it comes back as a new notification (a signal or a stop came first), or it was
 * killed because it could not be handled halfway through a rewrite (logged). Returns -EPERM (or
 * another -errno of PTRACE_SEIZE or PTRACE_INTERRUPT) before anything happened, when the thread
 * cannot be traced (it has a tracer already): the caller answers as it would without a ptrace
 * side. */
int pv_ptrace_hybrid(struct pv_ptrace *t, pid_t tid, uint64_t nr, uint32_t audit_arch, uint64_t ip,
                     uint64_t cookie, int (*restart_call)(void *userdata), void *userdata);

const struct pv_counters *pv_ptrace_counters(const struct pv_ptrace *t);
void pv_ptrace_set_verbose(struct pv_ptrace *t, bool verbose);
void pv_ptrace_set_session(struct pv_ptrace *t, unsigned long long id);
/* Whether PTRACE_SET_SYSCALL_INFO is used (else PTRACE_POKEUSER); known after the first rewrite. */
bool pv_ptrace_uses_set_syscall_info(const struct pv_ptrace *t);
const char *pv_ptrace_mode_to_string(enum pv_ptrace_mode mode);
