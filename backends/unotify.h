/* SPDX-License-Identifier: MIT */
#pragma once

/* The seccomp user-notification engine. It owns nothing but its buffers: the caller (the embedded
 * client or the daemon) holds the listener, polls it, and calls pv_unotify_handle() when it is
 * readable. Every notification received gets exactly one answer. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pv_policy;

struct pv_counters {
        uint64_t trapped, passed, redirected, denied;
};

struct pv_unotify;

/* `filter_flags` are those that pv_filter_install_listener() used: with
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV opens are answered with ADDFD then a NOTIF_SEND that
 * wakes the tracee on this CPU (FACTS.md: 8.7x instead of 33x); without it with ADDFD|SEND, the
 * only reply that cannot leak an fd when a signal interrupts the tracee. */
int pv_unotify_new(int listener, unsigned filter_flags, const struct pv_policy *policy,
                   struct pv_unotify **ret);
struct pv_unotify *pv_unotify_free(struct pv_unotify *u);

/* Receives and answers one notification. Returns 0 (also when the tracee went away meanwhile,
 * which is normal), -EPIPE when the listener has no tracees left, another -errno when the
 * listener itself failed (the session cannot go on). */
int pv_unotify_handle(struct pv_unotify *u);

/* Requests received and not answered yet, kept in memory that outlives the process (a memfd in
 * systemd's fd store): a supervisor killed in the middle of a request, or stopped while a thread
 * waits in a FIFO open, leaves them there, and its successor answers them with
 * pv_unotify_replay(). Without this the tracee's call would wait forever: the kernel does not
 * deliver a received notification again. The area holds the session's counters too (they go
 * on across a restart), then slots. */
struct pv_inflight {
        uint32_t valid;    /* 1 while notif is received and not yet answered */
        uint32_t reserved;
        uint8_t notif[];   /* struct seccomp_notif, as large as the kernel says */
};
int pv_unotify_set_inflight(struct pv_unotify *u, void *area, size_t size);
/* Answers every request a predecessor left in the area that its tracee still waits for. Returns
 * how many, or -errno. */
int pv_unotify_replay(struct pv_unotify *u);

const struct pv_counters *pv_unotify_counters(const struct pv_unotify *u);
/* Log each decision at info (pathvisor run -v); otherwise decisions are logged at debug. */
void pv_unotify_set_verbose(struct pv_unotify *u, bool verbose);
/* A listener handed over by an unprivileged user serves that user's processes only: other
 * processes' calls fail with EPERM (a user could pass on a listener someone else gave them). */
void pv_unotify_set_owner(struct pv_unotify *u, uid_t uid);
/* Perform every path call that the policy passes too, instead of letting the kernel do it
 * (CONTINUE): for a supervisor that is itself traced by an outer one (a nested run under a ptrace
 * backend). The outer tracer sees our operations, never the program's notified calls (USER_NOTIF
 * takes precedence over its RET_TRACE), so this is how its policy applies to what ours lets
 * through. Strict policies do this anyway. */
void pv_unotify_set_emulate_all(struct pv_unotify *u, bool on);
/* The filter is pv_filter_build_hybrid(.., cookie): execve, execveat and chdir of redirected paths
 * are handled by a transient ptrace attachment (pv_ptrace_hybrid) from the thread that calls
 * pv_unotify_handle(). 0 (the default): they pass untranslated, with one warning. */
void pv_unotify_set_hybrid(struct pv_unotify *u, uint64_t cookie);
/* The daemon's session id, for the SESSION= field of decision logs. */
void pv_unotify_set_session(struct pv_unotify *u, unsigned long long id);
/* Whose credentials file operations use. */
enum pv_impersonate {
        PV_IMPERSONATE_NEVER,     /* ours: the tracees cannot have others (non-root embedded) */
        PV_IMPERSONATE_ON_CHANGE, /* ours until a tracee calls setuid(), setgroups(), capset()
                                   * and the like (rows PV_SC_SETCREDS); from then on each
                                   * request's own (root embedded: tracees start with our creds) */
        PV_IMPERSONATE_TRACK,     /* the first request's tracee's, until a set*id call is seen;
                                   * from then on each request's (the daemon, for clients whose
                                   * programs run with no_new_privs: our pathvisor run) */
        PV_IMPERSONATE_ALWAYS,    /* each request's tracee's credentials and root (the daemon,
                                   * for OCI runtimes: a container without no_new_privs may exec
                                   * set-id programs, and the runtime's filter need not trap
                                   * chroot and the like) */
};
void pv_unotify_set_impersonate(struct pv_unotify *u, enum pv_impersonate mode);
/* Whether the fast reply path (ADDFD + SYNC'd NOTIF_SEND) is in use. */
bool pv_unotify_fast_reply(const struct pv_unotify *u);
