/* SPDX-License-Identifier: MIT */
#pragma once

/* Acting as the tracee: the calling THREAD takes the tracee's file system credentials (fsuid,
 * fsgid, supplementary groups) through raw system calls, which change only that thread (glibc's
 * setgroups() would change every thread of the daemon). With fsuid non-zero the file system
 * capabilities leave the thread's effective set; switching back restores them (FACTS.md). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PV_GROUPS_MAX 1024

struct pv_creds {
        uid_t ruid, euid, fsuid;
        gid_t rgid, egid, fsgid;
        mode_t umask;
        uint64_t cap_eff;   /* effective capabilities: a root tracee may have dropped some */
        size_t n_groups;
        gid_t groups[PV_GROUPS_MAX];
};

/* From /proc/PID/status. -ESRCH when the tracee is gone. */
int pv_tracee_creds(pid_t pid, struct pv_creds *ret);

/* The ids and capabilities only (n_groups = SIZE_MAX, umask = -1), cheaply through
 * PIDFD_GET_INFO where the kernel has it (6.13), else pv_tracee_creds(). When they show a tracee
 * with our own fsuid 0 and our effective capabilities, nothing needs switching: its groups (which
 * capabilities override) are not read. A root tracee that dropped
 * capabilities: the effective set comes from capget(), which is cheap too. */
int pv_tracee_ids(pid_t pid, struct pv_creds *ret);

/* Whether c (its real ids with `real_ids`) equals the process's own credentials: then there is
 * nothing to switch. */
bool pv_creds_are_own(const struct pv_creds *c, bool real_ids);

/* Switches the calling thread to c's fsuid/fsgid/groups; with `real_ids` (access() without
 * AT_EACCESS checks with the real ids) to c's real uid and gid instead. Returns 0 or -errno, and
 * on failure the thread is back as it was. */
int pv_as_tracee_enter(const struct pv_creds *c, bool real_ids);
/* Back to the process's own credentials. Aborts if that fails: a thread stuck with a tracee's
 * rights must not go on serving others. */
void pv_as_tracee_leave(void);

/* For one operation that must name the tracee's credentials rather than act with them (a
 * datagram's SCM_CREDENTIALS: CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID): adds the capabilities in
 * `mask` that the thread is permitted to its effective set. Returns the effective set before, for
 * pv_caps_restore(), or -errno. Changes this thread only. */
int64_t pv_caps_raise(uint64_t mask);
void pv_caps_restore(int64_t saved);
