/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backends/as-tracee.h"
#include "backends/tracee.h"
#include "common/log.h"
#include "common/macro.h"

static int cap_get(pid_t pid, struct __user_cap_data_struct data[2]) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = pid };
        return syscall(SYS_capget, &h, data) < 0 ? -errno : 0;
}

static int cap_set(const struct __user_cap_data_struct data[2]) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        /* raw: changes this thread only */
        return syscall(SYS_capset, &h, data) < 0 ? -errno : 0;
}

static uint64_t cap_eff_of(const struct __user_cap_data_struct d[2]) {
        return (uint64_t) d[1].effective << 32 | d[0].effective;
}

/* Capabilities held in a user namespace other than ours apply to that namespace's objects, not to
 * ours: the engine, acting in our namespace, must not lend them our weight. Such a tracee counts
 * as having none (stricter than the kernel for files whose owners are mapped into its namespace,
 * which it reaches through its own uid anyway). */
static int foreign_userns(pid_t pid) {
        static ino_t own_userns;
        struct stat st;
        char proc[64];
        if (!own_userns) {
                if (stat("/proc/self/ns/user", &st) < 0)
                        return -errno;
                own_userns = st.st_ino;
        }
        snprintf(proc, sizeof(proc), "/proc/%d/ns/user", (int) pid);
        if (stat(proc, &st) < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        return st.st_ino != own_userns;
}

static int parse_ids(const char *buf, const char *key, unsigned ids[4]) {
        const char *p = strstr(buf, key);
        if (!p)
                return -ENODATA;
        p += strlen(key);
        for (int i = 0; i < 4; i++) {
                char *end;
                ids[i] = (unsigned) strtoul(p, &end, 10);
                if (end == p)
                        return -EBADMSG;
                p = end;
        }
        return 0;
}

int pv_tracee_creds(pid_t pid, struct pv_creds *ret) {
        static __thread char buf[32768];
        int r = pv_tracee_status(pid, buf, sizeof(buf));
        if (r < 0)
                return r;

        unsigned u[4], g[4];
        if ((r = parse_ids(buf, "\nUid:", u)) < 0 || (r = parse_ids(buf, "\nGid:", g)) < 0)
                return r;
        ret->ruid = u[0];
        ret->euid = u[1];
        ret->fsuid = u[3];
        ret->rgid = g[0];
        ret->egid = g[1];
        ret->fsgid = g[3];

        const char *ce = strstr(buf, "\nCapEff:");
        ret->cap_eff = ce ? strtoull(ce + 8, NULL, 16) : 0;
        r = foreign_userns(pid);
        if (r < 0)
                return r;
        if (r > 0)
                ret->cap_eff = 0;

        if (pv_status_umask(buf, &ret->umask) < 0)
                ret->umask = 022;

        ret->n_groups = 0;
        const char *gr = strstr(buf, "\nGroups:");
        if (gr) {
                const char *p = gr + 8;
                for (;;) {
                        char *end;
                        while (*p == ' ' || *p == '\t')
                                p++;
                        if (*p < '0' || *p > '9')
                                break;
                        unsigned long v = strtoul(p, &end, 10);
                        if (ret->n_groups == PV_GROUPS_MAX)
                                return -E2BIG;
                        ret->groups[ret->n_groups++] = (gid_t) v;
                        p = end;
                }
        }
        return 0;
}

/* PIDFD_GET_INFO (6.13): the ids of a process in one ioctl, instead of generating and parsing
 * /proc/PID/status (measured here: ~30 us per request, more than the rest of a redirect). */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
struct pv_pidfd_info {
        uint64_t mask;
        uint64_t cgroupid;
        uint32_t pid, tgid, ppid;
        uint32_t ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        uint32_t spare0[1];
};
#define PV_PIDFD_GET_INFO _IOWR(0xFF, 11, struct pv_pidfd_info)
#define PV_PIDFD_INFO_CREDS (1ULL << 1)

static bool pidfd_info_works = true;

int pv_tracee_ids(pid_t pid, struct pv_creds *ret) {
        if (!pidfd_info_works)
                return pv_tracee_creds(pid, ret);
        _cleanup_close_ int fd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return errno == ESRCH ? -ESRCH : pv_tracee_creds(pid, ret);
        struct pv_pidfd_info info = { .mask = PV_PIDFD_INFO_CREDS };
        if (ioctl(fd, PV_PIDFD_GET_INFO, &info) < 0 || !(info.mask & PV_PIDFD_INFO_CREDS)) {
                if (errno == ESRCH)
                        return -ESRCH;
                pidfd_info_works = false; /* older kernel: /proc from now on */
                return pv_tracee_creds(pid, ret);
        }
        ret->ruid = info.ruid;
        ret->euid = info.euid;
        ret->fsuid = info.fsuid;
        ret->rgid = info.rgid;
        ret->egid = info.egid;
        ret->fsgid = info.fsgid;
        ret->n_groups = SIZE_MAX; /* not known yet */
        ret->umask = (mode_t) -1;
        struct __user_cap_data_struct caps[2];
        int r = cap_get(pid, caps);
        if (r < 0)
                return r == -ESRCH ? -ESRCH : pv_tracee_creds(pid, ret);
        ret->cap_eff = cap_eff_of(caps);
        r = foreign_userns(pid);
        if (r < 0)
                return r;
        if (r > 0)
                ret->cap_eff = 0;
        return 0;
}

static struct {
        bool saved;
        struct __user_cap_data_struct caps[2];
        uid_t fsuid;
        gid_t fsgid;
        size_t n_groups;
        gid_t groups[PV_GROUPS_MAX];
} own;

static void save_own(void) {
        if (own.saved)
                return;
        own.fsuid = geteuid();
        own.fsgid = getegid();
        if (cap_get(0, own.caps) < 0)
                memset(own.caps, 0, sizeof(own.caps));
        int n = getgroups(PV_GROUPS_MAX, own.groups);
        own.n_groups = n > 0 ? (size_t) n : 0;
        own.saved = true;
}

bool pv_creds_are_own(const struct pv_creds *c, bool real_ids) {
        save_own();
        uid_t uid = real_ids ? c->ruid : c->fsuid;
        gid_t gid = real_ids ? c->rgid : c->fsgid;
        if (uid != own.fsuid || gid != own.fsgid || c->cap_eff != cap_eff_of(own.caps))
                return false;
        /* ids from PIDFD_GET_INFO carry no groups: with fsuid 0 the file system capabilities
         * decide, and groups would not change the outcome (see the note in as-tracee.h) */
        if (c->n_groups == SIZE_MAX)
                return uid == 0;
        return c->n_groups == own.n_groups && memcmp(c->groups, own.groups, c->n_groups * sizeof(gid_t)) == 0;
}

int pv_as_tracee_enter(const struct pv_creds *c, bool real_ids) {
        save_own();
        /* order: groups and gid while we still have CAP_SETGID, uid last */
        if (syscall(SYS_setgroups, c->n_groups, c->groups) < 0)
                return -errno;
        /* setfsuid/setfsgid return the previous value and never fail loudly: check by asking */
        gid_t gid = real_ids ? c->rgid : c->fsgid;
        uid_t uid = real_ids ? c->ruid : c->fsuid;
        syscall(SYS_setfsgid, gid);
        syscall(SYS_setfsuid, uid);
        if ((uid_t) syscall(SYS_setfsuid, -1) != uid || (gid_t) syscall(SYS_setfsgid, -1) != gid) {
                pv_as_tracee_leave();
                return -EPERM;
        }
        /* the tracee's effective capabilities, as far as we have them */
        struct __user_cap_data_struct caps[2];
        memcpy(caps, own.caps, sizeof(caps));
        caps[0].effective = (uint32_t) c->cap_eff & own.caps[0].permitted;
        caps[1].effective = (uint32_t) (c->cap_eff >> 32) & own.caps[1].permitted;
        if (cap_set(caps) < 0) {
                int e = errno;
                pv_as_tracee_leave();
                return -e;
        }
        return 0;
}

void pv_as_tracee_leave(void) {
        syscall(SYS_setfsuid, own.fsuid);
        syscall(SYS_setfsgid, own.fsgid);
        if (cap_set(own.caps) < 0 || syscall(SYS_setgroups, own.n_groups, own.groups) < 0 ||
            (uid_t) syscall(SYS_setfsuid, -1) != own.fsuid || (gid_t) syscall(SYS_setfsgid, -1) != own.fsgid) {
                log_error("cannot return to our own credentials; aborting");
                abort();
        }
}

int64_t pv_caps_raise(uint64_t mask) {
        struct __user_cap_data_struct d[2];
        int r = cap_get(0, d);
        if (r < 0)
                return r;
        int64_t saved = (int64_t) cap_eff_of(d);
        d[0].effective |= (uint32_t) mask & d[0].permitted;
        d[1].effective |= (uint32_t) (mask >> 32) & d[1].permitted;
        r = cap_set(d);
        return r < 0 ? r : saved;
}

void pv_caps_restore(int64_t saved) {
        struct __user_cap_data_struct d[2];
        if (saved < 0)
                return;
        if (cap_get(0, d) < 0)
                abort(); /* never go on serving with capabilities that the request did not have */
        d[0].effective = (uint32_t) saved;
        d[1].effective = (uint32_t) ((uint64_t) saved >> 32);
        if (cap_set(d) < 0)
                abort(); /* never go on serving with capabilities that the request did not have */
}
