/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "backends/as-tracee.h"
#include "backends/capture.h"
#include "backends/seccomp-compat.h"
#include "backends/stat-layout.h"
#include "backends/syscall-table.h"
#include "backends/tracee.h"
#include "backends/ptrace.h"
#include "backends/unotify.h"
#include "common/log.h"
#include "policy/policy.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* The in-flight area: a header with the counters and the id of the last request kept, then the
 * slots. (Version 2: version 1 had no last_id; a successor treats an area it does not know as
 * fresh.) */
struct inflight_header {
        uint64_t magic;
        struct pv_counters counters;
        uint64_t last_id;  /* of the last request kept in slot 0, valid once have_id is 1 */
        uint32_t have_id;
        uint32_t reserved;
};
#define INFLIGHT_MAGIC UINT64_C(0x7076696e666c7432) /* "pvinflt2" */
/* How many ids after the last one kept a successor looks at for a request lost in the instant
 * between NOTIF_RECV and the write to slot 0 (pv_unotify_replay) */
#define LOST_PROBE 64

struct pv_unotify {
        int listener;
        uint64_t cookie;     /* the hybrid's (pv_filter_build_hybrid), 0: no ptrace side */
        struct pv_ptrace *hybrid; /* made at the first call that needs it */
        bool warned_hybrid;
        bool fast_reply; /* ADDFD, then NOTIF_SEND with SYNC_WAKE_UP (needs WAIT_KILLABLE_RECV) */
        bool verbose;
        bool emulate_all;    /* never CONTINUE a path call: we are traced (a nested run) */
        unsigned long long session; /* for logs: the daemon's session id, 0 embedded */
        uid_t owner;         /* the user who handed the listener over, or -1 (root, embedded) */
        struct inflight_header *inflight_head; /* the area's header (counters, the last id kept) */
        uint8_t *inflight;   /* slots of requests received and not answered yet, for a successor:
                              * 0 the one being handled, the others those of blocking opens */
        size_t slot_size, n_slots;
        bool impersonate;    /* act with the tracee's credentials (a root supervisor) */
        bool watch_creds;    /* PV_IMPERSONATE_ON_CHANGE, not changed yet */
        bool track_creds;    /* TRACK: the first request's credentials stand for all, until a
                              * set*id call is seen */
        bool creds_cached;
        struct pv_creds cached_creds;
        bool watch_view;     /* ON_CHANGE: no chroot/unshare/setns/pivot_root seen yet */
        bool check_view;     /* compare each tracee's root and mount namespace with ours */
        bool first_view;     /* the first request's root and namespace stand for all, until a
                              * chroot/unshare/setns/pivot_root is seen */
        bool view_cached;
        int cached_root;     /* the tracees' root when it is not ours, else -1 */
        char cached_root_path[PATH_MAX];
        bool fs_unshared;    /* this thread has its own root (unshare(CLONE_FS)) */
        int own_root;        /* O_PATH fd of our root, to come back after acting in a tracee's */
        dev_t own_root_dev;
        ino_t own_root_ino, own_mntns;
        bool have_umask;     /* umask read before entering a tracee's root */
        mode_t umask;
        bool have_creds;     /* creds hold this request's tracee */
        bool switched_real;  /* this thread acts with the tracee's real ids (access()) */
        bool acting;         /* this thread has the tracee's credentials now (see own_read) */
        struct pv_creds creds;
        const struct pv_creds *act_creds; /* whose credentials this request runs with, if not ours */
        const struct pv_policy *policy;
        struct seccomp_notif *req;
        size_t req_size;
        struct pv_counters counters;
        struct pv_counters *ctr; /* &counters, or in the in-flight area so that they survive us */
        struct pv_decision decision; /* PATH_MAX inside: here, not on the stack */
        struct pv_capture cap;       /* the path as the program named it, made absolute */
        struct pv_capture cap2;      /* the second path of rename, link */
        struct pv_decision decision2;
        const char *target2;         /* the second path to act on, or NULL */
        struct pv_socknames *socknames; /* AF_UNIX addresses bound through a redirect */
        uint64_t mmsg_vec;           /* sendmmsg: the vector whose first message we send, or 0 */
        char view2[PATH_MAX];
        char fd_path[64];            /* /proc/PID/fd/N for linkat(fd, "", .., AT_EMPTY_PATH) */
        char view[PATH_MAX];         /* /proc/self/... of the tracee, as /proc/PID/... */
        /* What the call writes into the tracee: written after the operation, with our own
         * credentials (process_vm_writev needs them), not the tracee's. */
        uint64_t wb_addr;
        size_t wb_len, wb_cap;
        uint8_t *wb;         /* grown on demand: most results are a struct stat */
};

/* What one notification gets. */
struct answer {
        enum { ANSWER_CONTINUE, ANSWER_ERROR, ANSWER_VALUE, ANSWER_FD, ANSWER_LATER } kind;
        int error;         /* ANSWER_ERROR: positive errno */
        int64_t value;     /* ANSWER_VALUE */
        int fd;            /* ANSWER_FD: our fd, closed after the hand-over */
        unsigned fd_flags; /* ANSWER_FD: O_CLOEXEC or 0 */
};

int pv_unotify_new(int listener, unsigned filter_flags, const struct pv_policy *policy,
                   struct pv_unotify **ret) {
        struct seccomp_notif_sizes sizes = {};
        if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
                return -errno;

        struct pv_unotify *u = calloc(1, sizeof(*u));
        if (!u)
                return -ENOMEM;
        u->listener = listener;
        u->policy = policy;
        u->cap.policy = policy;
        u->cap2.policy = policy;
        u->own_root = -1;
        u->cached_root = -1;
        u->ctr = &u->counters;
        u->owner = (uid_t) -1;
        u->req_size = MAX((size_t) sizes.seccomp_notif, sizeof(struct seccomp_notif));
        u->req = calloc(1, u->req_size);
        if (!u->req) {
                free(u);
                return -ENOMEM;
        }
        if (filter_flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
                /* Only NOTIF_SEND's wake-up honours this flag (FACTS.md). Without it (before 6.6)
                 * the two-step reply still works, just without the same-CPU wake-up. */
                uint64_t f = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
                if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, f) < 0)
                        log_debug_errno(errno, "SECCOMP_IOCTL_NOTIF_SET_FLAGS(SYNC_WAKE_UP) failed: %m");
                u->fast_reply = true;
        }
        *ret = u;
        return 0;
}

struct pv_unotify *pv_unotify_free(struct pv_unotify *u) {
        if (u) {
                u->hybrid = pv_ptrace_free(u->hybrid);
                u->socknames = pv_socknames_free(u->socknames);
                safe_close(u->own_root);
                safe_close(u->cached_root);
                free(u->wb);
                free(u->req);
                free(u);
        }
        return NULL;
}

const struct pv_counters *pv_unotify_counters(const struct pv_unotify *u) {
        return u->ctr;
}

void pv_unotify_set_verbose(struct pv_unotify *u, bool verbose) {
        u->verbose = verbose;
}

void pv_unotify_set_hybrid(struct pv_unotify *u, uint64_t cookie) {
        u->cookie = cookie;
}

void pv_unotify_set_emulate_all(struct pv_unotify *u, bool on) {
        u->emulate_all = on;
}

void pv_unotify_set_session(struct pv_unotify *u, unsigned long long id) {
        u->session = id;
}

void pv_unotify_set_owner(struct pv_unotify *u, uid_t uid) {
        u->owner = uid;
}

void pv_unotify_set_impersonate(struct pv_unotify *u, enum pv_impersonate mode) {
        u->impersonate = mode == PV_IMPERSONATE_ALWAYS;
        u->watch_creds = mode == PV_IMPERSONATE_ON_CHANGE;
        u->track_creds = mode == PV_IMPERSONATE_TRACK;
        u->watch_view = mode == PV_IMPERSONATE_ON_CHANGE;
        /* OCI runtimes' filters need not trap chroot and friends: their sessions check each time */
        u->first_view = mode == PV_IMPERSONATE_TRACK;
        u->check_view = mode == PV_IMPERSONATE_ALWAYS;
}

/* ---- the tracee's root and mount namespace -------------------------------------------------- */

static int own_view_init(struct pv_unotify *u) {
        struct stat st;
        if (u->own_root >= 0)
                return 0;
        u->own_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (u->own_root < 0)
                return -errno;
        if (fstat(u->own_root, &st) < 0)
                return -errno;
        u->own_root_dev = st.st_dev;
        u->own_root_ino = st.st_ino;
        if (stat("/proc/self/ns/mnt", &st) < 0)
                return -errno;
        u->own_mntns = st.st_ino;
        return 0;
}

/* The tracee's root when it (or its mount namespace) is not ours: an O_PATH fd; -1 when the views
 * are the same; -errno. */
static int tracee_root_fd(struct pv_unotify *u, pid_t pid) {
        char proc[64];
        struct stat st, ns;
        int r = own_view_init(u);
        if (r < 0)
                return r;
        snprintf(proc, sizeof(proc), "/proc/%d/root", (int) pid);
        _cleanup_close_ int troot = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (troot < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        snprintf(proc, sizeof(proc), "/proc/%d/ns/mnt", (int) pid);
        if (fstat(troot, &st) < 0 || stat(proc, &ns) < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        if (st.st_dev == u->own_root_dev && st.st_ino == u->own_root_ino && ns.st_ino == u->own_mntns)
                return -1;
        return TAKE_FD(troot);
}

/* Makes this thread's root `troot` (FACTS.md: an fd-based chroot gives the tracee's exact view
 * for path operations, private mounts included); leave_view() comes back. */
static int enter_root(struct pv_unotify *u, int troot) {
        if (!u->fs_unshared) {
                if (unshare(CLONE_FS) < 0)
                        return -errno;
                u->fs_unshared = true;
        }
        if (fchdir(troot) < 0 || chroot(".") < 0)
                return -errno;
        return 1;
}

static void leave_view(struct pv_unotify *u) {
        if (fchdir(u->own_root) < 0 || chroot(".") < 0 || chdir("/") < 0) {
                log_error_errno(errno, "cannot return to our own root: %m; aborting");
                abort();
        }
}

bool pv_unotify_fast_reply(const struct pv_unotify *u) {
        return u->fast_reply;
}

static struct pv_inflight *inflight_slot(struct pv_unotify *u, size_t i) {
        return (struct pv_inflight *) (void *) (u->inflight + i * u->slot_size);
}

static void inflight_put(struct pv_inflight *slot, const void *notif, size_t size) {
        memcpy(slot->notif, notif, size);
        __atomic_store_n(&slot->valid, 1, __ATOMIC_RELEASE);
}

static void inflight_clear(struct pv_inflight *slot) {
        if (slot)
                __atomic_store_n(&slot->valid, 0, __ATOMIC_RELEASE);
}

/* A free slot for a request that a thread will answer, or NULL (then it is not kept). */
static struct pv_inflight *inflight_claim(struct pv_unotify *u) {
        for (size_t i = 1; u->inflight && i < u->n_slots; i++) {
                struct pv_inflight *slot = inflight_slot(u, i);
                if (!__atomic_load_n(&slot->valid, __ATOMIC_ACQUIRE)) {
                        inflight_put(slot, u->req, u->req_size);
                        return slot;
                }
        }
        return NULL;
}

/* ---- answering --------------------------------------------------------------------------------- */

static int send_resp_fd(int listener, uint64_t id, int64_t val, int error, uint32_t flags) {
        struct seccomp_notif_resp resp = { .id = id, .val = val, .error = error, .flags = flags };
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0) {
                /* ENOENT: the tracee died or its call was interrupted: normal */
                if (errno == ENOENT)
                        return 0;
                return -errno;
        }
        return 0;
}

static int send_resp(struct pv_unotify *u, uint64_t id, int64_t val, int error, uint32_t flags) {
        return send_resp_fd(u->listener, id, val, error, flags);
}

static int send_error(int listener, uint64_t id, int error) {
        return send_resp_fd(listener, id, 0, -error, 0);
}

/* Hands `fd` (closed here) to the tracee as the result of its call. */
static int reply_fd(int listener, bool fast_reply, uint64_t id, int fd, unsigned fd_flags) {
        struct seccomp_notif_addfd addfd = {
                .id = id,
                .srcfd = (uint32_t) fd,
                .newfd_flags = fd_flags,
                .flags = fast_reply ? 0 : SECCOMP_ADDFD_FLAG_SEND,
        };
        int r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
        int e = errno;
        safe_close(fd);
        if (r < 0) {
                if (e == ENOENT)
                        return 0;
                /* EMFILE and friends: the tracee's own limits; tell it */
                return send_error(listener, id, e);
        }
        if (!fast_reply)
                return 0;
        /* With WAIT_KILLABLE_RECV nothing but a fatal signal ends the wait between the two
         * ioctls, and then the fd dies with the process: no leak. */
        return send_resp_fd(listener, id, r, 0, 0);
}

static int answer(struct pv_unotify *u, uint64_t id, struct answer *a) {
        switch (a->kind) {
        case ANSWER_CONTINUE:
                return send_resp(u, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
        case ANSWER_ERROR:
                return send_resp(u, id, 0, -a->error, 0);
        case ANSWER_VALUE:
                return send_resp(u, id, a->value, 0, 0);
        case ANSWER_FD: {
                int fd = a->fd;
                a->fd = -1;
                return reply_fd(u->listener, u->fast_reply, id, fd, a->fd_flags);
        }
        case ANSWER_LATER: /* a thread answers */
                return 0;
        }
        return -EINVAL;
}

static int defer_write(struct pv_unotify *u, uint64_t addr, const void *buf, size_t len) {
        if (len == 0)
                return 0;
        if (len > 65536)
                return -E2BIG;
        if (len > u->wb_cap) {
                uint8_t *n = realloc(u->wb, len);
                if (!n)
                        return -ENOMEM;
                u->wb = n;
                u->wb_cap = len;
        }
        memcpy(u->wb, buf, len);
        u->wb_addr = addr;
        u->wb_len = len;
        return 0;
}

/* ---- acting ------------------------------------------------------------------------------------- */

/* Opening a FIFO blocks until the other end opens: in the engine's one thread that would stall
 * every tracee, and deadlock when the other end is a tracee whose open waits behind it. Such opens
 * go to a thread of their own, which answers when the open returns. (If the tracee dies first, the
 * thread stays in open() until the FIFO's other end is opened or the supervisor exits.) */
struct blocking_open {
        int listener;
        bool fast_reply;
        uint64_t id;
        uint64_t flags, mode, resolve;
        bool use_openat2;
        bool impersonate;
        struct pv_inflight *slot; /* its request, for a successor, until answered */
        struct pv_creds creds;
        char path[];
};

static int open_raw(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve,
                    bool use_openat2) {
        if (use_openat2) {
                struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
                return (int) syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        }
        return openat(dirfd, path, (int) flags, (mode_t) mode);
}

/* The supervisor's own open for the program's `flags`, from `dirfd` (AT_FDCWD or a directory that
 * stands for the program's). Returns the fd or -errno. */
static int open_now_at(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve,
                       bool use_openat2) {
        if (!(flags & O_PATH)) {
                /* O_CLOEXEC: our copy only; the tracee's gets newfd_flags. O_NOCTTY: a terminal
                 * opened here must never become the supervisor's controlling terminal. */
                int fd = open_raw(dirfd, path, flags | O_CLOEXEC | O_NOCTTY, mode, resolve, use_openat2);
                return fd < 0 ? -errno : fd;
        }

        /* SECCOMP_IOCTL_NOTIF_ADDFD refuses O_PATH files (EBADF: fget() skips them). The program
         * gets a read-only fd on the same object instead, for directories and regular files:
         * enough for a dirfd, fstat, fchdir and /proc/self/fd. What cannot be opened for reading
         * without side effects is refused: a symlink itself (O_PATH|O_NOFOLLOW: ELOOP, as without
         * O_PATH), FIFOs, devices and sockets (ENXIO). It needs read permission. Documented in
         * README and pathvisor(1). */
        uint64_t keep = flags & (O_DIRECTORY | O_NOFOLLOW);
        _cleanup_close_ int pfd = open_raw(dirfd, path, O_PATH | O_CLOEXEC | keep, 0, resolve, use_openat2);
        if (pfd < 0)
                return -errno;
        struct stat a, b;
        if (fstat(pfd, &a) < 0)
                return -errno;
        if (S_ISLNK(a.st_mode))
                return -ELOOP;
        if (!S_ISREG(a.st_mode) && !S_ISDIR(a.st_mode))
                return -ENXIO;
        int fd = open_raw(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | keep, 0, resolve, use_openat2);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
                safe_close(fd);
                return -EAGAIN; /* replaced between the two opens */
        }
        fcntl(fd, F_SETFL, 0); /* O_NONBLOCK was only for the open */
        return fd;
}

static int open_now(const char *path, uint64_t flags, uint64_t mode, uint64_t resolve, bool use_openat2) {
        return open_now_at(AT_FDCWD, path, flags, mode, resolve, use_openat2);
}

static int reply_fd(int listener, bool fast_reply, uint64_t id, int fd, unsigned fd_flags);
static int send_error(int listener, uint64_t id, int error);

static void *blocking_open_thread(void *arg) {
        struct blocking_open *j = arg;
        int fd, e = 0;
        /* credentials are per thread: this one takes the tracee's too */
        bool switch_creds = j->impersonate && !pv_creds_are_own(&j->creds, false);
        if (switch_creds && (e = -pv_as_tracee_enter(&j->creds, false)) > 0)
                fd = -1;
        else {
                /* O_CREAT on an existing FIFO creates nothing: no umask needed */
                fd = open_now(j->path, j->flags, j->mode, j->resolve, j->use_openat2);
                e = -fd;
                if (switch_creds)
                        pv_as_tracee_leave();
        }
        if (fd < 0)
                send_error(j->listener, j->id, e);
        else
                reply_fd(j->listener, j->fast_reply, j->id, fd, (j->flags & O_CLOEXEC) ? O_CLOEXEC : 0);
        inflight_clear(j->slot);
        free(j);
        return NULL;
}

/* Whether `path` is a FIFO that this open would wait on. */
static bool would_block(const char *path, uint64_t flags) {
        struct stat st;
        if (flags & (O_NONBLOCK | O_PATH))
                return false;
        if (fstatat(AT_FDCWD, path, &st, (flags & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) < 0)
                return false;
        return S_ISFIFO(st.st_mode);
}

/* Runs open-like calls with the tracee's umask when they may create. Embedded mode has the tracee's
 * credentials and file system view already; the daemon (pathvisord) adds the rest. */
static bool open_creates(uint64_t flags) {
        return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE;
}

/* A redirected open below a rule's target, in one walk: openat2 with RESOLVE_NO_SYMLINKS (no
 * symlink met means that none needs deciding again: what pv_capture_may_have_links() tells, but
 * with the real open), and O_NONBLOCK, so that a FIFO cannot make us wait (what would_block()
 * tells, after the open: fstat of the fd, no second walk). O_NONBLOCK is then taken off the open
 * file, leaving the status flags the program asked for. Returns the fd, or -1 when the full path
 * must be taken (a symlink on the way, a FIFO, an error, whose errno that path finds again): the
 * common case costs one walk and two cheap fd calls instead of three walks. Not for opens that
 * create (umask) or O_PATH (not handed over as is). */
static int open_fast(const char *path, uint64_t flags) {
        if (open_creates(flags) || (flags & O_PATH))
                return -1;
        struct open_how how = { .flags = flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, .resolve = RESOLVE_NO_SYMLINKS };
        int fd = (int) syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
        if (fd < 0)
                return -1;
        if (!(flags & O_NONBLOCK)) {
                struct stat st;
                /* F_SETFL can set O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME and O_NONBLOCK; open()
                 * ignores O_ASYNC, so it is not set here either */
                if (fstat(fd, &st) < 0 || S_ISFIFO(st.st_mode) ||
                    fcntl(fd, F_SETFL, (int) (flags & (O_APPEND | O_DIRECT | O_NOATIME))) < 0) {
                        safe_close(fd);
                        return -1;
                }
        }
        return fd;
}

/* Whether the call may create a file, and so needs the tracee's umask. */
static bool may_create(const struct pv_syscall *sc, uint64_t flags) {
        if (sc->kind == PV_SC_MKDIR || sc->kind == PV_SC_MKNOD || sc->kind == PV_SC_BIND)
                return true;
        return (sc->flags_type == PV_FLAGS_OPEN || sc->flags_type == PV_FLAGS_OPEN_HOW) && open_creates(flags);
}

/* The tracee's umask, for a call that creates (the kernel applies the caller's). */
static int creation_mask(struct pv_unotify *u, pid_t pid, mode_t *ret) {
        if (u->have_creds)
                *ret = u->creds.umask;
        else if (u->have_umask)
                *ret = u->umask;
        else
                return pv_tracee_umask(pid, ret);
        return 0;
}

/* Opens `path` (from `dirfd`: AT_FDCWD, or a directory that stands for the program's dirfd) as
 * the program asked, with its umask when the open may create; fills the answer. */
static int do_open(struct pv_unotify *u, pid_t pid, int dirfd, const char *path, uint64_t flags, uint64_t mode,
                   uint64_t resolve, bool use_openat2, struct answer *a) {
        bool creates = open_creates(flags);
        mode_t old = 0, mask;
        int fd;

        if (dirfd == AT_FDCWD && would_block(path, flags)) {
                size_t len = strlen(path);
                struct blocking_open *j = malloc(sizeof(*j) + len + 1);
                if (!j)
                        return -ENOMEM;
                *j = (struct blocking_open) { .listener = u->listener, .fast_reply = u->fast_reply,
                                              .id = u->req->id, .flags = flags, .mode = mode,
                                              .resolve = resolve, .use_openat2 = use_openat2,
                                              .impersonate = u->act_creds != NULL };
                if (u->act_creds)
                        j->creds = *u->act_creds;
                memcpy(j->path, path, len + 1);
                j->slot = inflight_claim(u);
                pthread_t t;
                pthread_attr_t attr;
                pthread_attr_init(&attr);
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                int r = pthread_create(&t, &attr, blocking_open_thread, j);
                pthread_attr_destroy(&attr);
                if (r != 0) {
                        inflight_clear(j->slot);
                        free(j);
                        return -r;
                }
                a->kind = ANSWER_LATER;
                return 0;
        }

        if (creates) {
                if (u->have_creds)
                        mask = u->creds.umask;
                else if (u->have_umask)
                        mask = u->umask;
                else {
                        int r = pv_tracee_umask(pid, &mask);
                        if (r < 0)
                                return r;
                }
                old = umask(mask);
        }
        fd = open_now_at(dirfd, path, flags, mode, resolve, use_openat2);
        if (creates)
                umask(old);
        if (fd < 0)
                return fd;
        a->kind = ANSWER_FD;
        a->fd = fd;
        a->fd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
        return 0;
}

static int do_stat(struct pv_unotify *u, const struct pv_syscall *sc, enum pv_arch arch, const char *path,
                   const uint64_t args[PV_SC_ARGS], uint64_t flags, struct answer *a) {
        enum pv_sc_result layout = sc->result[arch];
        /* The flags go through as they are: the kernel rejects unknown bits with EINVAL, as it would
         * have for the program; AT_EMPTY_PATH means nothing with a non-empty path. */
        int atflags = (int) flags;
        uint64_t out = args[sc->result_arg];
        int r;

        if (layout == PV_RESULT_STATX) {
                struct statx stx;
                if (statx(AT_FDCWD, path, atflags, (unsigned) args[3], &stx) < 0)
                        return -errno;
                r = defer_write(u, out, &stx, sizeof(stx));
        } else {
                struct stat st;
                uint8_t buf[256];
                if (fstatat(AT_FDCWD, path, &st, atflags) < 0)
                        return -errno;
                r = pv_stat_encode(layout, &st, buf, sizeof(buf));
                if (r < 0)
                        return r;
                r = defer_write(u, out, buf, pv_sc_result_size(layout));
        }
        if (r < 0)
                return r;
        a->kind = ANSWER_VALUE;
        a->value = 0;
        return 0;
}

/* The call returns `value` and writes `len` bytes at `addr` in the tracee. */
static int answer_bytes(struct pv_unotify *u, struct answer *a, uint64_t addr, const void *buf, size_t len,
                        int64_t value) {
        int r = defer_write(u, addr, buf, len);
        if (r < 0)
                return r;
        a->kind = ANSWER_VALUE;
        a->value = value;
        return 0;
}

/* Reading the tracee's memory (and copying its fds) needs our own credentials: with the
 * tracee's, a supervisor without CAP_SYS_PTRACE in its effective set may not (the kernel checks
 * the real ids and the capabilities). The result writes are deferred for the same reason; these
 * reads happen in the middle of an operation: step out of the tracee's credentials and back. */
static int own_begin(struct pv_unotify *u) {
        if (u->acting)
                pv_as_tracee_leave();
        return 0;
}

static int own_end(struct pv_unotify *u, int r) {
        if (u->acting) {
                int k = pv_as_tracee_enter(u->act_creds, u->switched_real);
                if (k < 0) {
                        u->acting = false; /* back as ourselves: the operation must not go on */
                        return k;
                }
        }
        return r;
}

static int own_read_string(struct pv_unotify *u, uint64_t addr, char *buf, size_t size) {
        own_begin(u);
        int r = pv_tracee_read_string((pid_t) u->req->pid, addr, buf, size);
        int k = own_end(u, r);
        return r >= 0 && k < 0 ? k : r;
}

static int own_read(struct pv_unotify *u, uint64_t addr, void *buf, size_t size) {
        own_begin(u);
        int r = pv_tracee_read((pid_t) u->req->pid, addr, buf, size);
        int k = own_end(u, r);
        return r >= 0 && k < 0 ? k : r;
}

static int own_write(struct pv_unotify *u, uint64_t addr, const void *buf, size_t size) {
        own_begin(u);
        int r = pv_tracee_write((pid_t) u->req->pid, addr, buf, size);
        int k = own_end(u, r);
        return r >= 0 && k < 0 ? k : r;
}

/* name_to_handle_at(): the handle of the target's inode, into the program's struct file_handle
 * (whose handle_bytes says its room; EOVERFLOW writes the room needed back, as the kernel does)
 * and its mount id (64 bits with AT_HANDLE_MNT_ID_UNIQUE). */
static int do_name_to_handle(struct pv_unotify *u, const struct pv_syscall *sc, const char *path,
                             const uint64_t args[PV_SC_ARGS], uint64_t flags, struct answer *a) {
        enum { HANDLE_MAX = 128, MNT_ID_UNIQUE = 0x001 };
        uint32_t room;
        int r = own_read(u, args[sc->extra_arg], &room, sizeof(room));
        if (r < 0)
                return r;
        if (room > HANDLE_MAX)
                return -EINVAL;
        union {
                struct file_handle fh;
                uint8_t bytes[sizeof(struct file_handle) + HANDLE_MAX];
        } h = { .fh.handle_bytes = room };
        uint64_t mnt = 0;
        /* the flags of the call pass as they are (the kernel refuses what it does not know) */
        long k = syscall(SYS_name_to_handle_at, AT_FDCWD, path, &h.fh, &mnt, (int) flags);
        if (k < 0) {
                int e = errno;
                if (e == EOVERFLOW && (r = own_write(u, args[sc->extra_arg], &h.fh.handle_bytes, 4)) < 0)
                        return r;
                return -e;
        }
        if ((r = own_write(u, args[sc->extra_arg], &h, sizeof(h.fh) + h.fh.handle_bytes)) < 0)
                return r;
        if ((r = own_write(u, args[3], &mnt, (flags & MNT_ID_UNIQUE) ? 8 : 4)) < 0)
                return r;
        a->kind = ANSWER_VALUE;
        a->value = 0;
        return 0;
}

/* The *xattrat calls refuse at_flags other than these two, as the kernel does. */
static bool xattr_at_flags_ok(const struct pv_syscall *sc, uint64_t flags) {
        return sc->flags_arg < 0 || !(flags & ~(uint64_t) (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
}

/* getxattr/lgetxattr/listxattr/llistxattr: the kernel caps sizes at XATTR_SIZE_MAX (64 KiB). */
static int do_xattr_read(struct pv_unotify *u, const struct pv_syscall *sc, const char *path,
                         const uint64_t args[PV_SC_ARGS], uint64_t flags, struct answer *a) {
        enum { XATTR_SIZE_LIMIT = 65536 };
        bool follow = !pv_syscall_nofollow(sc, 0, flags);
        size_t size = (size_t) MIN(args[sc->size_arg], (uint64_t) XATTR_SIZE_LIMIT);
        if (!xattr_at_flags_ok(sc, flags))
                return -EINVAL;
        _cleanup_free_ char *buf = size > 0 ? malloc(size) : NULL;
        ssize_t n;

        if (size > 0 && !buf)
                return -ENOMEM;
        if (sc->kind == PV_SC_GETXATTR) {
                char name[256];
                int r = own_read_string(u, args[1], name, sizeof(name));
                if (r == -ENAMETOOLONG || r == 0)
                        return -ERANGE; /* as the kernel says for a bad name */
                if (r < 0)
                        return r;
                n = follow ? getxattr(path, name, buf, size) : lgetxattr(path, name, buf, size);
        } else
                n = follow ? listxattr(path, buf, size) : llistxattr(path, buf, size);
        if (n < 0)
                return -errno;
        /* size 0 asks for the length only */
        return answer_bytes(u, a, args[sc->result_arg], buf, size > 0 ? (size_t) n : 0, n);
}

/* A path under /proc whose link may show a redirect's target (cwd, exe, root, fd/N of any pid or
 * of self, thread-self and task/N): readlink on it is answered with the names the program used. */
static bool proc_link(const char *abs) {
        return strncmp(abs, "/proc/", 6) == 0;
}

/* The times argument of utime, utimes, futimesat, utimensat in the layout of the row and arch, as
 * struct timespec[2]; NULL (no times: now) gives *ret_null. The kernel's checks on the values
 * (usec range, UTIME_NOW/OMIT) stay the kernel's: utimensat() makes them on what we pass, except
 * the microsecond range of timeval, which utimensat cannot see. */
static int read_times(struct pv_unotify *u, enum pv_sc_layout layout, enum pv_arch arch, uint64_t addr, struct timespec ts[2],
                      bool *ret_null) {
        bool wide = arch == PV_ARCH_X86_64 || layout == PV_LAYOUT_TIMESPEC64;
        int64_t v[4] = {};
        int r;
        *ret_null = addr == 0;
        if (addr == 0)
                return 0;
        size_t n = layout == PV_LAYOUT_UTIMBUF ? 2 : 4;
        if (wide) {
                r = own_read(u, addr, v, n * sizeof(int64_t));
        } else {
                int32_t w[4];
                r = own_read(u, addr, w, n * sizeof(int32_t));
                for (size_t i = 0; i < n; i++)
                        v[i] = w[i];
        }
        if (r < 0)
                return r;
        switch (layout) {
        case PV_LAYOUT_UTIMBUF:
                ts[0] = (struct timespec) { .tv_sec = v[0] };
                ts[1] = (struct timespec) { .tv_sec = v[1] };
                return 0;
        case PV_LAYOUT_TIMEVAL:
                for (int i = 0; i < 2; i++) {
                        if (v[2 * i + 1] < 0 || v[2 * i + 1] >= 1000000)
                                return -EINVAL;
                        ts[i] = (struct timespec) { .tv_sec = v[2 * i], .tv_nsec = v[2 * i + 1] * 1000 };
                }
                return 0;
        default:
                for (int i = 0; i < 2; i++)
                        ts[i] = (struct timespec) { .tv_sec = v[2 * i], .tv_nsec = (long) v[2 * i + 1] };
                return 0;
        }
}

/* getxattrat() and setxattrat(): the value and its size in a struct xattr_args that the kernel
 * reads as it reads extensible structs (at least VER0, unknown trailing bytes zero). */
static int do_xattrat(struct pv_unotify *u, const struct pv_syscall *sc, const char *path,
                      const uint64_t args[PV_SC_ARGS], uint64_t flags, struct answer *a) {
        enum { XATTR_SIZE_LIMIT = 65536, ARGS_VER0 = 16 };
        struct {
                uint64_t value;
                uint32_t size;
                uint32_t flags;
        } xa = {};
        bool follow = !pv_syscall_nofollow(sc, 0, flags);
        uint64_t usize = args[5];
        int r;

        if (!xattr_at_flags_ok(sc, flags))
                return -EINVAL;
        if (usize < ARGS_VER0)
                return -EINVAL;
        if ((r = own_read(u, args[4], &xa, sizeof(xa))) < 0)
                return r;
        if (usize > sizeof(xa)) {
                uint8_t rest[64];
                if (usize - sizeof(xa) > sizeof(rest))
                        return -E2BIG;
                if ((r = own_read(u, args[4] + sizeof(xa), rest, usize - sizeof(xa))) < 0)
                        return r;
                for (size_t i = 0; i < usize - sizeof(xa); i++)
                        if (rest[i])
                                return -E2BIG;
        }
        char name[256];
        r = own_read_string(u, args[sc->extra_arg], name, sizeof(name));
        if (r == -ENAMETOOLONG || r == 0)
                return -ERANGE;
        if (r < 0)
                return r;

        size_t size = xa.size;
        if (sc->kind == PV_SC_GETXATTRAT) {
                if (xa.flags != 0)
                        return -EINVAL;
                size = MIN(size, (size_t) XATTR_SIZE_LIMIT);
                _cleanup_free_ char *buf = malloc(size ? size : 1);
                if (!buf)
                        return -ENOMEM;
                ssize_t n = follow ? getxattr(path, name, buf, size) : lgetxattr(path, name, buf, size);
                if (n < 0)
                        return -errno;
                return answer_bytes(u, a, xa.value, buf, size > 0 ? (size_t) n : 0, n);
        }
        if (size > XATTR_SIZE_LIMIT)
                return -E2BIG;
        _cleanup_free_ char *value = malloc(size ? size : 1);
        if (!value)
                return -ENOMEM;
        if (size > 0 && (r = own_read(u, xa.value, value, size)) < 0)
                return r;
        long k = follow ? setxattr(path, name, value, size, (int) xa.flags)
                        : lsetxattr(path, name, value, size, (int) xa.flags);
        if (k < 0)
                return -errno;
        a->kind = ANSWER_VALUE;
        a->value = 0;
        return 0;
}

/* The calls that change the file system, performed on `path` (and `path2`) as the tracee. */
static int do_mutation(struct pv_unotify *u, const struct pv_syscall *sc, enum pv_arch arch, const char *path,
                       const char *path2, const uint64_t args[PV_SC_ARGS], uint64_t flags, struct answer *a) {
        pid_t pid = (pid_t) u->req->pid;
        enum pv_sc_layout layout = (enum pv_sc_layout) sc->layout[arch];
        long k;
        int r;

        switch (sc->kind) {
        case PV_SC_MKDIR:
        case PV_SC_MKNOD: {
                mode_t mask, old;
                r = creation_mask(u, pid, &mask);
                if (r < 0)
                        return r;
                old = umask(mask);
                if (sc->kind == PV_SC_MKDIR)
                        k = syscall(SYS_mkdirat, AT_FDCWD, path, (mode_t) args[sc->mode_arg]);
                else
                        k = syscall(SYS_mknodat, AT_FDCWD, path, (mode_t) args[sc->mode_arg],
                                    (unsigned) args[sc->extra_arg]);
                umask(old);
                break;
        }
        case PV_SC_RMDIR:
                k = syscall(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR);
                break;
        case PV_SC_UNLINK:
                k = syscall(SYS_unlinkat, AT_FDCWD, path, (int) flags);
                break;
        case PV_SC_CHMOD:
                /* fchmodat2 only when there are flags: the same checks either way */
                if (flags)
                        k = syscall(452 /* fchmodat2 */, AT_FDCWD, path, (mode_t) args[sc->mode_arg], (int) flags);
                else
                        k = syscall(SYS_fchmodat, AT_FDCWD, path, (mode_t) args[sc->mode_arg]);
                break;
        case PV_SC_CHOWN: {
                uint32_t uid = (uint32_t) args[sc->extra_arg], gid = (uint32_t) args[sc->extra_arg + 1];
                if (layout == PV_LAYOUT_IDS16) {
                        uid = (uint16_t) uid == 0xffff ? UINT32_MAX : (uint16_t) uid;
                        gid = (uint16_t) gid == 0xffff ? UINT32_MAX : (uint16_t) gid;
                }
                k = syscall(SYS_fchownat, AT_FDCWD, path, (uid_t) uid, (gid_t) gid, (int) flags);
                break;
        }
        case PV_SC_TRUNCATE: {
                int64_t length;
                if (layout == PV_LAYOUT_LEN_SPLIT)
                        length = (int64_t) (((uint64_t) (uint32_t) args[sc->extra_arg + 1] << 32) |
                                            (uint32_t) args[sc->extra_arg]);
                else if (arch == PV_ARCH_I386)
                        length = (int32_t) args[sc->extra_arg];
                else
                        length = (int64_t) args[sc->extra_arg];
                k = syscall(SYS_truncate, path, length);
                break;
        }
        case PV_SC_UTIMES: {
                struct timespec ts[2];
                bool now;
                r = read_times(u, layout, arch, args[sc->extra_arg], ts, &now);
                if (r < 0)
                        return r;
                k = syscall(SYS_utimensat, AT_FDCWD, path, now ? NULL : ts, (int) flags);
                break;
        }
        case PV_SC_SETXATTR:
        case PV_SC_REMOVEXATTR: {
                enum { XATTR_SIZE_LIMIT = 65536 };
                bool follow = !pv_syscall_nofollow(sc, 0, flags);
                char name[256];
                if (!xattr_at_flags_ok(sc, flags))
                        return -EINVAL;
                r = own_read_string(u, args[sc->extra_arg], name, sizeof(name));
                if (r == -ENAMETOOLONG || r == 0)
                        return -ERANGE; /* as the kernel says for a bad name */
                if (r < 0)
                        return r;
                if (sc->kind == PV_SC_REMOVEXATTR) {
                        k = follow ? removexattr(path, name) : lremovexattr(path, name);
                        break;
                }
                size_t size = (size_t) args[sc->extra_arg + 2];
                if (size > XATTR_SIZE_LIMIT)
                        return -E2BIG;
                _cleanup_free_ char *value = malloc(size ? size : 1);
                if (!value)
                        return -ENOMEM;
                if (size > 0 && (r = own_read(u, args[sc->extra_arg + 1], value, size)) < 0)
                        return r;
                int xflags = (int) args[sc->extra_arg + 3];
                k = follow ? setxattr(path, name, value, size, xflags) : lsetxattr(path, name, value, size, xflags);
                break;
        }
        case PV_SC_GETXATTRAT:
        case PV_SC_SETXATTRAT:
                return do_xattrat(u, sc, path, args, flags, a);
        case PV_SC_RENAME:
                k = syscall(SYS_renameat2, AT_FDCWD, path, AT_FDCWD, path2, (unsigned) flags);
                break;
        case PV_SC_LINK:
                k = syscall(SYS_linkat, AT_FDCWD, path, AT_FDCWD, path2, (int) flags);
                break;
        case PV_SC_SYMLINK: {
                char content[PATH_MAX];
                r = own_read_string(u, args[sc->extra_arg], content, sizeof(content));
                if (r < 0)
                        return r;
                if (r == 0)
                        return -ENOENT;
                k = syscall(SYS_symlinkat, content, AT_FDCWD, path);
                break;
        }
        default:
                return -ENOSYS;
        }
        if (k < 0)
                return -errno;
        a->kind = ANSWER_VALUE;
        a->value = 0;
        return 0;
}

/* A copy of the tracee's fd `fd` (pidfd_getfd): the same open file, socket or inotify instance. */
static int tracee_fd(struct pv_unotify *u, uint64_t fd) {
        if ((int64_t) (int) fd != (int64_t) fd && (uint32_t) fd != fd)
                return -EBADF;
        own_begin(u);
        int r = (int) syscall(SYS_pidfd_open, (pid_t) u->req->pid, 0);
        if (r >= 0) {
                int pidfd = r;
                r = (int) syscall(SYS_pidfd_getfd, pidfd, (int) fd, 0);
                if (r < 0)
                        r = -errno;
                safe_close(pidfd);
        } else
                r = -errno;
        int k = own_end(u, r);
        if (r >= 0 && k < 0) {
                safe_close(r);
                return k;
        }
        return r;
}

/* The most a datagram that we send for the program may carry. */
#define SEND_MAX (1 << 20)

/* sendto(): its data, read as ourselves. */
static int sendto_data(struct pv_unotify *u, const uint64_t args[PV_SC_ARGS], uint8_t **ret, size_t *ret_n) {
        size_t n = (size_t) args[2];
        if (n > SEND_MAX)
                return -EMSGSIZE;
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf)
                return -ENOMEM;
        int r = n > 0 ? own_read(u, args[1], buf, n) : 0;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        *ret_n = n;
        return 0;
}

/* sendmsg(): the data of every iovec of the message in u->cap, read as ourselves, in one piece;
 * control data (fds, credentials) would be the program's: not emulated. */
static int msg_data(struct pv_unotify *u, enum pv_arch arch, uint8_t **ret, size_t *ret_n) {
        enum { IOV_MAX_ = 1024 };
        const struct pv_capture *c = &u->cap;
        if (c->msg_control != 0 && c->msg_controllen > 0)
                return -EOPNOTSUPP;
        if (c->msg_iovlen > IOV_MAX_)
                return -EMSGSIZE;
        size_t n_iov = (size_t) c->msg_iovlen, esize = arch == PV_ARCH_I386 ? 8 : 16;
        _cleanup_free_ uint8_t *iov = malloc(n_iov * esize + 1);
        if (!iov)
                return -ENOMEM;
        int r = n_iov > 0 ? own_read(u, c->msg_iov, iov, n_iov * esize) : 0;
        if (r < 0)
                return r;
        size_t total = 0;
        for (size_t i = 0; i < n_iov; i++) { /* struct iovec: base, length */
                uint64_t l = pv_arch_word(iov, 2 * i + 1, arch);
                if (l > SEND_MAX || total + l > SEND_MAX)
                        return -EMSGSIZE;
                total += (size_t) l;
        }
        _cleanup_free_ uint8_t *buf = malloc(total ? total : 1);
        if (!buf)
                return -ENOMEM;
        for (size_t i = 0, at = 0; i < n_iov; i++) {
                uint64_t base = pv_arch_word(iov, 2 * i, arch), l = pv_arch_word(iov, 2 * i + 1, arch);
                if (l > 0 && (r = own_read(u, base, buf + at, (size_t) l)) < 0)
                        return r;
                at += (size_t) l;
        }
        *ret = TAKE_PTR(buf);
        *ret_n = total;
        return 0;
}

/* A datagram that we send for the program carries the program's credentials (pid, uid, gid) to a
 * receiver that asks for them (SO_PASSCRED), not ours: named in SCM_CREDENTIALS when we run as
 * root (naming another pid and ids needs CAP_SYS_ADMIN and CAP_SETUID). An unprivileged engine
 * has the program's uid and gid anyway; its own pid shows. MSG_NOSIGNAL: a SIGPIPE is the
 * program's, never ours. */
static ssize_t send_as_tracee(struct pv_unotify *u, int sfd, const void *buf, size_t n, int flags,
                              const struct sockaddr *sa, socklen_t len) {
        struct iovec iov = { .iov_base = (void *) buf, .iov_len = n };
        struct msghdr m = { .msg_name = (void *) sa, .msg_namelen = sa ? len : 0, .msg_iov = &iov, .msg_iovlen = 1 };
        union {
                struct cmsghdr h;
                uint8_t bytes[CMSG_SPACE(sizeof(struct ucred))];
        } control = {};
        struct pv_creds c;
        pid_t tgid;
        if (geteuid() == 0 && pv_tracee_ids((pid_t) u->req->pid, &c) >= 0 &&
            (tgid = pv_tracee_tgid((pid_t) u->req->pid)) > 0) {
                /* the kernel names the sender's real ids (current_uid_gid), not its effective ones */
                struct ucred cred = { .pid = tgid, .uid = c.ruid, .gid = c.rgid };
                m.msg_control = control.bytes;
                m.msg_controllen = sizeof(control.bytes);
                struct cmsghdr *h = CMSG_FIRSTHDR(&m);
                h->cmsg_level = SOL_SOCKET;
                h->cmsg_type = SCM_CREDENTIALS;
                h->cmsg_len = CMSG_LEN(sizeof(cred));
                memcpy(CMSG_DATA(h), &cred, sizeof(cred));
        }
        /* acting as the tracee, the thread has the tracee's capabilities: naming its credentials
         * needs ours for this one send (the path is still looked up with the tracee's fsuid) */
        int64_t saved = m.msg_control ? pv_caps_raise(UINT64_C(1) << CAP_SYS_ADMIN | UINT64_C(1) << CAP_SETUID |
                                                      UINT64_C(1) << CAP_SETGID)
                                      : -1;
        ssize_t k = sendmsg(sfd, &m, flags | MSG_NOSIGNAL);
        int e = errno;
        pv_caps_restore(saved);
        if (k < 0 && e == EPERM && m.msg_control) {
                /* not allowed to name them here (no CAP_SYS_ADMIN over our pid namespace: a
                 * container's root): sent as ourselves, as before (README) */
                m.msg_control = NULL;
                m.msg_controllen = 0;
                k = sendmsg(sfd, &m, flags | MSG_NOSIGNAL);
                e = errno;
        }
        errno = e;
        return k;
}

/* A send made for the program: its count, or for sendmmsg's first message (u->mmsg_vec) one
 * message sent, and its length in the message's msg_len. */
static int mmsg_sent(struct pv_unotify *u, enum pv_arch arch, ssize_t sent, struct answer *a) {
        a->kind = ANSWER_VALUE;
        a->value = sent;
        if (!u->mmsg_vec)
                return 0;
        uint32_t msg_len = (uint32_t) sent;
        a->value = 1;
        return defer_write(u, u->mmsg_vec + PV_MSGHDR_SIZE(arch), &msg_len, sizeof(msg_len));
}

/* sendmmsg whose first message names no path (a connected socket, an abstract name) while a later
 * one does: that message sent by us as it is (see process()). */
static int mmsg_unnamed(struct pv_unotify *u, enum pv_arch arch, const uint64_t args[PV_SC_ARGS], struct answer *a) {
        struct pv_capture *c = &u->cap;
        struct sockaddr_storage name;
        uint64_t name_addr, name_len;
        int r = pv_capture_msghdr(c, (pid_t) u->req->pid, arch, u->mmsg_vec, &name_addr, &name_len);
        if (r < 0)
                return r;
        if (!name_addr)
                name_len = 0;
        if (name_len > sizeof(name))
                return -EINVAL;
        if (name_len > 0 && (r = own_read(u, name_addr, &name, name_len)) < 0)
                return r;
        _cleanup_close_ int sfd = tracee_fd(u, args[0]);
        if (sfd < 0)
                return sfd;
        _cleanup_free_ uint8_t *buf = NULL;
        size_t n = 0;
        if ((r = msg_data(u, arch, &buf, &n)) < 0)
                return r;
        if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &u->req->id) < 0)
                return -ESRCH;
        ssize_t sent = send_as_tracee(u, sfd, buf, n, (int) args[2], name_len ? (struct sockaddr *) &name : NULL,
                                      (socklen_t) name_len);
        if (sent < 0)
                return -errno;
        r = mmsg_sent(u, arch, sent, a);
        if (r >= 0 && u->wb_len > 0) {
                r = pv_tracee_write((pid_t) u->req->pid, u->wb_addr, u->wb, u->wb_len);
                u->wb_len = 0;
        }
        return r;
}

/* bind(), connect(), sendto() and sendmsg() of the tracee's socket to `path`, on a copy of its fd
 * (the same socket). A path longer than sun_path goes through an O_PATH fd of ours:
 * /proc/self/fd/N for the others, /proc/self/fd/N/NAME (N: its directory) for bind. A bound
 * address is remembered with the program's name for it, for getsockname() and getpeername(). */
static int do_socket_path(struct pv_unotify *u, const struct pv_syscall *sc, enum pv_arch arch, const char *path,
                          const uint64_t args[PV_SC_ARGS], struct answer *a) {
        pid_t pid = (pid_t) u->req->pid;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int hold = -1;
        size_t pl = strlen(path);
        if (pl <= sizeof(sa.sun_path))
                memcpy(sa.sun_path, path, pl);
        else if (sc->kind != PV_SC_BIND) {
                hold = open(path, O_PATH | O_CLOEXEC);
                if (hold < 0)
                        return -errno;
                pl = (size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", hold);
        } else {
                const char *slash = strrchr(path, '/');
                char dir[PATH_MAX];
                size_t dl = slash ? (size_t) (slash - path) : 0;
                memcpy(dir, path, dl);
                strcpy(dir + dl, dl ? "" : "/");
                hold = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (hold < 0)
                        return -errno;
                char name[sizeof(sa.sun_path) + 1]; /* 108 bytes of name, without a NUL */
                int k = snprintf(name, sizeof(name), "/proc/self/fd/%d/%s", hold, slash ? slash + 1 : path);
                if (k < 0 || (size_t) k > sizeof(sa.sun_path))
                        return -ENAMETOOLONG;
                pl = (size_t) k;
                memcpy(sa.sun_path, name, pl);
        }
        socklen_t len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + pl + (pl < sizeof(sa.sun_path)));

        _cleanup_close_ int sfd = tracee_fd(u, args[sc->extra_arg]);
        if (sfd < 0)
                return sfd;
        int k;
        if (sc->kind == PV_SC_BIND) {
                mode_t mask, old;
                int r = creation_mask(u, pid, &mask);
                if (r < 0)
                        return r;
                old = umask(mask);
                k = bind(sfd, (struct sockaddr *) &sa, len);
                umask(old);
                if (k == 0) {
                        char kernel[sizeof(sa.sun_path) + 1] = {};
                        memcpy(kernel, sa.sun_path, MIN(pl, sizeof(sa.sun_path)));
                        r = pv_socknames_add(&u->socknames, kernel, u->cap.path);
                        if (r < 0) /* the socket is bound all the same: only its name shows */
                                log_debug("%d: cannot remember the address bound: %s", (int) pid, strerror(-r));
                }
        } else if (sc->kind == PV_SC_SENDMSG || sc->kind == PV_SC_SENDTO) {
                _cleanup_free_ uint8_t *buf = NULL;
                size_t n = 0;
                int r = sc->kind == PV_SC_SENDMSG ? msg_data(u, arch, &buf, &n) : sendto_data(u, args, &buf, &n);
                if (r < 0)
                        return r;
                int flags = (int) args[sc->kind == PV_SC_SENDMSG ? 2 : 3];
                ssize_t sent = send_as_tracee(u, sfd, buf, n, flags, (struct sockaddr *) &sa, len);
                if (sent < 0)
                        return -errno;
                return mmsg_sent(u, arch, sent, a);
        } else
                k = connect(sfd, (struct sockaddr *) &sa, len);
        if (k < 0)
                return -errno;
        a->kind = ANSWER_VALUE;
        a->value = 0;
        return 0;
}

static int emulate(struct pv_unotify *u, const struct pv_syscall *sc, enum pv_arch arch, const char *path,
                   const uint64_t args[PV_SC_ARGS], uint64_t flags, const struct open_how *how,
                   struct answer *a) {
        pid_t pid = (pid_t) u->req->pid;

        switch (sc->kind) {
        case PV_SC_OPEN:
        case PV_SC_OPENAT:
        case PV_SC_CREAT:
                return do_open(u, pid, AT_FDCWD, path, flags, args[sc->mode_arg], 0, false, a);
        case PV_SC_OPENAT2:
                return do_open(u, pid, AT_FDCWD, path, how->flags, how->mode, how->resolve, true, a);

        case PV_SC_STAT:
        case PV_SC_LSTAT:
        case PV_SC_FSTATAT:
        case PV_SC_STATX:
                return do_stat(u, sc, arch, path, args, flags, a);

        case PV_SC_ACCESS:
        case PV_SC_FACCESSAT:
        case PV_SC_FACCESSAT2: {
                /* Without AT_EACCESS the kernel checks with the caller's real ids, which for this
                 * thread are the supervisor's whatever its fsuid: acting as the tracee, its real
                 * ids were made our fs ids, and AT_EACCESS checks with those. */
                int f = (int) flags | (u->switched_real ? AT_EACCESS : 0);
                if (syscall(SYS_faccessat2, AT_FDCWD, path, (int) args[sc->mode_arg], f) < 0)
                        return -errno;
                a->kind = ANSWER_VALUE;
                a->value = 0;
                return 0;
        }

        case PV_SC_READLINK:
        case PV_SC_READLINKAT: {
                int64_t size = (int) args[sc->size_arg];
                char buf[PATH_MAX];
                if (size <= 0)
                        return -EINVAL;
                if (proc_link(u->cap.abs)) {
                        /* a link of /proc shows where a cwd, fd or exe really is: the program gets
                         * the name it used for a redirected one */
                        char real[PATH_MAX], named[PATH_MAX];
                        ssize_t n = readlink(path, real, sizeof(real) - 1);
                        if (n < 0)
                                return -errno;
                        real[n] = '\0';
                        int k = real[0] == '/' ? pv_policy_reverse(u->policy, real, named, sizeof(named)) : 0;
                        const char *out = k > 0 ? named : real;
                        size_t len = MIN((size_t) (k > 0 ? k : n), (size_t) size); /* truncated, as readlink does */
                        return answer_bytes(u, a, args[sc->result_arg], out, len, (int64_t) len);
                }
                ssize_t n = readlink(path, buf, (size_t) MIN(size, (int64_t) sizeof(buf)));
                if (n < 0)
                        return -errno;
                return answer_bytes(u, a, args[sc->result_arg], buf, (size_t) n, n);
        }

        case PV_SC_GETXATTR:
        case PV_SC_LISTXATTR:
                return do_xattr_read(u, sc, path, args, flags, a);

        case PV_SC_BIND:
        case PV_SC_CONNECT:
        case PV_SC_SENDTO:
        case PV_SC_SENDMSG:
                return do_socket_path(u, sc, arch, path, args, a);

        case PV_SC_NAME_TO_HANDLE:
                return do_name_to_handle(u, sc, path, args, flags, a);

        case PV_SC_INOTIFY: {
                _cleanup_close_ int ifd = tracee_fd(u, args[sc->extra_arg]);
                if (ifd < 0)
                        return ifd;
                int wd = inotify_add_watch(ifd, path, (uint32_t) args[sc->flags_arg]);
                if (wd < 0)
                        return -errno;
                a->kind = ANSWER_VALUE;
                a->value = wd;
                return 0;
        }

        case PV_SC_FANOTIFY: {
                /* on a copy of the program's fanotify fd (the same group), as inotify: the mark is
                 * the group's, its events reach the program. The mask is the register after the
                 * flags; i386 passes it in two (low, high). */
                unsigned m = (unsigned) sc->flags_arg + 1;
                uint64_t mask = sc->layout[arch] == PV_LAYOUT_LEN_SPLIT
                                        ? (uint64_t) (uint32_t) args[m + 1] << 32 | (uint32_t) args[m]
                                        : args[m];
                _cleanup_close_ int ffd = tracee_fd(u, args[sc->extra_arg]);
                if (ffd < 0)
                        return ffd;
                if (fanotify_mark(ffd, (unsigned) flags, mask, AT_FDCWD, path) < 0)
                        return -errno;
                a->kind = ANSWER_VALUE;
                a->value = 0;
                return 0;
        }

        case PV_SC_FILE_GETATTR:
        case PV_SC_FILE_SETATTR: {
                /* the kernel's own call on the target with our copy of struct file_attr, of the
                 * program's size (the kernel checks size and flags as it would for the program) */
                enum { PAGE = 4096 };
                size_t size = (size_t) args[3];
                bool set = sc->kind == PV_SC_FILE_SETATTR;
                _cleanup_free_ uint8_t *fa = calloc(1, PAGE);
                if (!fa)
                        return -ENOMEM;
                int r = set && size <= PAGE ? own_read(u, args[sc->extra_arg], fa, size) : 0;
                if (r < 0)
                        return r;
                if (syscall(set ? PV_NR_FILE_SETATTR : PV_NR_FILE_GETATTR, AT_FDCWD, path, fa, size, (unsigned) flags) < 0)
                        return -errno;
                if (set) {
                        a->kind = ANSWER_VALUE;
                        a->value = 0;
                        return 0;
                }
                return answer_bytes(u, a, args[sc->extra_arg], fa, size, 0);
        }

        case PV_SC_STATFS: {
                enum pv_sc_result layout = sc->result[arch];
                struct statfs st;
                uint8_t buf[128];
                /* statfs64 names the size of its buffer: only the real one is accepted */
                if (sc->extra_arg >= 0 && args[sc->extra_arg] != pv_sc_result_size(layout))
                        return -EINVAL;
                if (statfs(path, &st) < 0)
                        return -errno;
                int r = pv_statfs_encode(layout, &st, buf, sizeof(buf));
                if (r < 0)
                        return r;
                return answer_bytes(u, a, args[sc->result_arg], buf, pv_sc_result_size(layout), 0);
        }

        case PV_SC_MKDIR:
        case PV_SC_MKNOD:
        case PV_SC_RMDIR:
        case PV_SC_UNLINK:
        case PV_SC_CHMOD:
        case PV_SC_CHOWN:
        case PV_SC_TRUNCATE:
        case PV_SC_UTIMES:
        case PV_SC_SETXATTR:
        case PV_SC_REMOVEXATTR:
        case PV_SC_GETXATTRAT:
        case PV_SC_SETXATTRAT:
        case PV_SC_RENAME:
        case PV_SC_LINK:
        case PV_SC_SYMLINK:
                return do_mutation(u, sc, arch, path, u->target2, args, flags, a);
        }
        return -ENOSYS;
}

/* ---- one notification --------------------------------------------------------------------------- */

static int act(struct pv_unotify *u, const struct pv_syscall *sc, enum pv_arch arch, const char *target,
               const uint64_t args[PV_SC_ARGS], uint64_t flags, const struct open_how *hp, bool beneath,
               struct answer *a);

/* /proc/self, /proc/thread-self and /dev/fd, /dev/std* name whoever looks: done by the supervisor,
 * they must name the tracee. Rewrites `path` into buf when it starts with one of them. */
static const char *tracee_view(const char *path, pid_t tid, char *buf, size_t size) {
        static const struct {
                const char *prefix;
                bool task;        /* /proc/TID/task/TID */
                const char *rest; /* after /proc/TID */
        } magic[] = {
                { "/proc/self", false, "" },
                { "/proc/thread-self", true, "" },
                { "/dev/fd", false, "/fd" },
                { "/dev/stdin", false, "/fd/0" },
                { "/dev/stdout", false, "/fd/1" },
                { "/dev/stderr", false, "/fd/2" },
        };
        if (strncmp(path, "/proc/", 6) != 0 && strncmp(path, "/dev/", 5) != 0)
                return path;
        for (size_t i = 0; i < ELEMENTSOF(magic); i++) {
                size_t pl = strlen(magic[i].prefix);
                if (strncmp(path, magic[i].prefix, pl) != 0 || (path[pl] != '/' && path[pl] != '\0'))
                        continue;
                int n = magic[i].task ? snprintf(buf, size, "/proc/%d/task/%d", (int) tid, (int) tid)
                                      : snprintf(buf, size, "/proc/%d%s", (int) tid, magic[i].rest);
                if (n < 0 || (size_t) n + strlen(path + pl) >= size)
                        return path;
                strcpy(buf + n, path + pl);
                return buf;
        }
        return path;
}

/* The tracee's root to strip from cwd and dirfd paths: per request for OCI sessions, the cached
 * one when the first request found the tracees in a root of their own. */
static int unotify_root_path(void *userdata, pid_t pid, char *buf, size_t size) {
        struct pv_unotify *u = userdata;
        if (u->check_view)
                return pv_tracee_root(pid, buf, size);
        if (u->first_view && u->view_cached && u->cached_root >= 0) {
                size_t n = strlen(u->cached_root_path);
                if (n >= size)
                        return -ENAMETOOLONG;
                memcpy(buf, u->cached_root_path, n + 1);
                return (int) n;
        }
        return 0;
}

/* getcwd(): the cwd as the program named it when it went there through a redirect; otherwise
 * (nothing to map, a cwd that was removed or is out of reach) the kernel answers. */
static int reverse_getcwd(struct pv_unotify *u, pid_t pid, const uint64_t args[PV_SC_ARGS], struct answer *a) {
        char real[PATH_MAX], named[PATH_MAX], root[PATH_MAX];
        int r = pv_tracee_cwd(pid, real, sizeof(real));
        a->kind = ANSWER_CONTINUE;
        if (r < 0)
                return 0;
        int k = unotify_root_path(u, pid, root, sizeof(root));
        int n = pv_capture_named(u->policy, real, root, k, named, sizeof(named));
        if (n == 0)
                return 0;
        if (args[1] < (uint64_t) n + 1)
                return -ERANGE;
        if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &u->req->id) < 0)
                return -ESRCH;
        r = pv_tracee_write(pid, args[0], named, (size_t) n + 1);
        if (r < 0)
                return r;
        a->kind = ANSWER_VALUE;
        a->value = n + 1;
        return 0;
}

/* getsockname(), getpeername(): the kernel's answer, on a copy of the program's socket; when it
 * names an address that the session bound through a redirect, the program's name for it, written
 * as the kernel writes it (min(room, length) bytes, then the length). Whatever would fail (a bad
 * fd, a bad pointer, a negative room) and whatever needs no change is left to the kernel. */
static int reverse_sockname(struct pv_unotify *u, const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS],
                            struct answer *a) {
        a->kind = ANSWER_CONTINUE;
        if (!u->socknames)
                return 0;
        _cleanup_close_ int sfd = tracee_fd(u, args[0]);
        if (sfd < 0)
                return sfd == -ESRCH ? sfd : 0;
        struct pv_sockname got, named;
        socklen_t len = sizeof(got.bytes);
        int k = strcmp(sc->name, "getpeername") == 0 ? getpeername(sfd, (struct sockaddr *) got.bytes, &len)
                                                      : getsockname(sfd, (struct sockaddr *) got.bytes, &len);
        if (k < 0 || !pv_socknames_map(u->socknames, got.bytes, MIN(len, sizeof(got.bytes)), len, &named))
                return 0;
        int32_t room;
        if (own_read(u, args[2], &room, sizeof(room)) < 0 || room < 0)
                return 0;
        if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &u->req->id) < 0)
                return -ESRCH;
        int r = own_write(u, args[1], named.bytes, MIN((uint32_t) room, named.len));
        if (r >= 0)
                r = own_write(u, args[2], &named.len, sizeof(named.len));
        if (r < 0)
                return r;
        a->kind = ANSWER_VALUE;
        a->value = 0;
        return 0;
}

/* ---- the hybrid: calls that must be the program's own ---------------------------------------------- */

/* The kernel's "make this call again" (include/linux/errno.h): the answer that sends the tracee
 * back from its notification into the stop that our PTRACE_INTERRUPT asked for. */
#define PV_ERESTARTNOINTR 513

static int hybrid_restart_call(void *userdata) {
        struct pv_unotify *u = userdata;
        return send_resp(u, u->req->id, 0, -PV_ERESTARTNOINTR, 0);
}

/* Whether `path` is a "#!" script whose interpreter a rule covers (only then does a passed
 * execve need the ptrace side). Read with our credentials: it only decides whether to look
 * closer; the ptrace side reads it again, as the tracee, before it acts. */
static bool script_interpreter_ruled(struct pv_unotify *u, const char *path) {
        char head[256];
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, head, sizeof(head) - 1);
        char *interp, *arg, abs[PATH_MAX + 1];
        bool dir = false;
        if (n < 0 || !pv_script_interpreter(head, (size_t) n, &interp, &arg) ||
            pv_path_normalize(interp, abs, PATH_MAX, &dir) < 0)
                return false;
        if (pv_policy_decide(u->policy, abs, PV_INTENT_READ | PV_INTENT_EXEC, &u->decision2) < 0)
                return true; /* let the ptrace side find out */
        return u->decision2.action != PV_PASS;
}

/* Hands the notified call to the session's ptrace side, which answers it "make it again" and
 * rewrites it at its entry: 1 when it did (a is ANSWER_LATER), 0 when it cannot (no ptrace side,
 * or the thread has a tracer of its own), -errno. */
static int hand_over(struct pv_unotify *u, struct answer *a) {
        const struct seccomp_data *d = &u->req->data;
        if (!u->cookie)
                return 0;
        if (!u->hybrid) {
                int r = pv_ptrace_new(PV_PTRACE_ALL, u->policy, &u->hybrid);
                if (r < 0)
                        return r;
                pv_ptrace_set_verbose(u->hybrid, u->verbose);
                pv_ptrace_set_session(u->hybrid, u->session);
        }
        if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &u->req->id) < 0)
                return -ESRCH;
        int r = pv_ptrace_hybrid(u->hybrid, (pid_t) u->req->pid, (uint64_t) d->nr, d->arch, d->instruction_pointer,
                                 u->cookie, hybrid_restart_call, u);
        if (r < 0) {
                log_debug_errno(r, "%d: cannot hand the call to the ptrace side: %m", (int) u->req->pid);
                return 0;
        }
        u->ctr->redirected++;
        a->kind = ANSWER_LATER; /* answered (-ERESTARTNOINTR) by the ptrace side */
        return 1;
}

/* execve, execveat, chdir, chroot, pivot_root, the mount family, open_tree: unotify cannot change
 * the path the kernel uses, nor the cwd, root or program image of another process, nor make a
 * privileged call in its stead. A call whose path a rule denies is refused here (a read-only
 * rule's errno is looked at by the ptrace side, as the tracee); one that a rule redirects (or an
 * execve of a script whose interpreter a rule covers) is handed to the transient ptrace side
 * (hand_over). Without one, or when the thread has a tracer of its own (strace, gdb), the call
 * passes untranslated, and one warning says so. */
static int hybrid(struct pv_unotify *u, const struct pv_syscall *sc, enum pv_arch arch, struct answer *a) {
        const struct seccomp_data *d = &u->req->data;
        pid_t pid = (pid_t) u->req->pid;
        uint64_t args[PV_SC_ARGS];
        for (unsigned i = 0; i < PV_SC_ARGS; i++)
                args[i] = arch == PV_ARCH_I386 ? (uint32_t) d->args[i] : d->args[i];
        a->kind = ANSWER_CONTINUE;
        struct pv_capture *caps[PV_SC_PATHS_MAX] = { &u->cap, &u->cap2 };
        struct pv_decision *decs[PV_SC_PATHS_MAX] = { &u->decision, &u->decision2 };
        bool need = false;
        int r;
        for (unsigned i = 0; i < sc->n_paths && i < PV_SC_PATHS_MAX; i++) {
                r = pv_capture_path(caps[i], pid, sc, arch, i, args, unotify_root_path, u);
                if (r < 0)
                        return r;
                if (r != PV_CAPTURE_DECIDE)
                        continue;
                r = pv_policy_decide(u->policy, caps[i]->abs, caps[i]->intent, decs[i]);
                if (r < 0)
                        return r;
                if (decs[i]->action == PV_FAIL && sc->n_paths == 1 && pv_rule_readonly(decs[i]->rule)) {
                        /* EROFS, or what a read-only mount finds first: the ptrace side looks, as
                         * the tracee (pv_capture_readonly_errno) */
                        r = hand_over(u, a);
                        if (r != 0)
                                return r < 0 ? r : 0;
                }
                if (decs[i]->action == PV_FAIL) {
                        u->ctr->denied++;
                        pv_log_decision(u->verbose, u->session, sc, pid, caps[i]->abs, NULL, decs[i]);
                        return -decs[i]->error;
                }
                need = need || decs[i]->action == PV_REDIRECT;
                if (!need && i == 0 && sc->kind == PV_SC_EXEC)
                        need = u->check_view || script_interpreter_ruled(u, u->cap.abs);
        }
        if (!need) {
                u->ctr->passed++;
                return 0;
        }
        r = hand_over(u, a);
        if (r != 0)
                return r < 0 ? r : 0;
        if (!u->warned_hybrid) {
                if (!u->cookie)
                        log_warning("%s(\"%s\") by %d: this session has no ptrace side for execve, execveat and "
                                    "chdir (a nested run, or a runtime's filter); such calls pass untranslated",
                                    sc->name, u->cap.abs, (int) pid);
                else
                        log_warning("%s(\"%s\") by %d: cannot trace it to translate the call (it has a tracer "
                                    "of its own?): passed untranslated, and so are such calls of other traced "
                                    "threads", sc->name, u->cap.abs, (int) pid);
        }
        u->warned_hybrid = true;
        u->ctr->passed++;
        return 0;
}

/* Whether an O_PATH open of `path` can be answered with an fd of ours (see open_now_at()): a
 * regular file or a directory. Anything else (a FIFO, a device, a socket, a symlink with
 * O_NOFOLLOW) goes to the ptrace side, which makes the program's own call on the target. Looked
 * at as ourselves: it only chooses the way, and an error is left to the way that reports it. */
static bool o_path_injectable(const char *path, uint64_t flags) {
        struct stat st;
        if (fstatat(AT_FDCWD, path, &st, (flags & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) < 0)
                return true;
        return S_ISREG(st.st_mode) || S_ISDIR(st.st_mode);
}

/* Decides and acts; fills `a`. A negative return is an errno for the tracee. */
static int process(struct pv_unotify *u, struct answer *a) {
        const struct seccomp_data *d = &u->req->data;
        pid_t pid = (pid_t) u->req->pid;
        uint64_t args[PV_SC_ARGS];
        int r;

        int arch = pv_arch_from_audit(d->arch);
        const struct pv_syscall *sc = arch >= 0 ? pv_syscall_lookup((enum pv_arch) arch, d->nr) : NULL;
        for (unsigned i = 0; i < PV_SC_ARGS; i++)
                args[i] = arch == PV_ARCH_I386 ? (uint32_t) d->args[i] : d->args[i];
        if (sc && sc->kind == PV_SC_SOCKETCALL) {
                /* i386 socketcall: the call it names, with its arguments from memory */
                r = pv_capture_socketcall(pid, args, &sc, args);
                if (r <= 0) {
                        a->kind = ANSWER_CONTINUE;
                        return r;
                }
        }
        /* sendmmsg with a message that a rule covers: we send its first message only, as a
         * sendmsg, and answer 1 (or that message's error); the program sends the rest in its next
         * call, as after any short count. A message that no rule covers goes as it is. */
        u->mmsg_vec = 0;
        if (sc && sc->kind == PV_SC_SENDMMSG) {
                unsigned k;
                r = pv_capture_mmsg(&u->cap, &u->decision, pid, (enum pv_arch) arch, args, unotify_root_path, u, &k);
                if (r <= 0) {
                        a->kind = ANSWER_CONTINUE;
                        return r;
                }
                u->mmsg_vec = args[1];
                sc = pv_syscall_by_name("sendmsg");
                args[2] = args[3];
                args[3] = 0;
        }
        if (sc && sc->kind == PV_SC_SETCREDS) {
                /* From now on some tracee may differ from us: act as each one. (Sticky for the
                 * session: its children inherit what it becomes, and fork is not seen here.) */
                if (u->watch_creds || u->track_creds) {
                        u->watch_creds = u->track_creds = false;
                        u->impersonate = true;
                        log_debug("%d called %s: acting with each tracee's credentials from now on",
                                  (int) pid, sc->name);
                }
                a->kind = ANSWER_CONTINUE;
                return 0;
        }
        if (sc && sc->kind == PV_SC_SETVIEW) {
                /* unshare(CLONE_NEWUSER) and setns() change what a tracee's capabilities are
                 * worth, too: credentials per request from now on as well */
                if (u->watch_creds || u->track_creds) {
                        u->watch_creds = u->track_creds = false;
                        u->impersonate = true;
                }
                if (u->watch_view || u->first_view) {
                        u->watch_view = u->first_view = false;
                        u->cached_root = safe_close(u->cached_root);
                        u->check_view = true;
                        log_debug("%d called %s: resolving in each tracee's root from now on", (int) pid,
                                  sc->name);
                }
                if (sc->n_paths >= 1 && sc->how[PV_SC_BACKEND_UNOTIFY] == PV_HOW_TRACE && u->cookie)
                        return hybrid(u, sc, (enum pv_arch) arch, a); /* chroot, pivot_root: their paths */
                a->kind = ANSWER_CONTINUE;
                return 0;
        }
        if (sc && sc->kind == PV_SC_GETCWD)
                return reverse_getcwd(u, pid, args, a);
        if (sc && sc->kind == PV_SC_SOCKNAME)
                return reverse_sockname(u, sc, args, a);
        if (sc && sc->n_paths >= 1 && sc->how[PV_SC_BACKEND_UNOTIFY] == PV_HOW_TRACE && arch >= 0)
                return hybrid(u, sc, (enum pv_arch) arch, a);
        if (!sc || sc->n_paths < 1 || sc->how[PV_SC_BACKEND_UNOTIFY] != PV_HOW_EMULATE) {
                a->kind = ANSWER_CONTINUE; /* not ours (yet): the kernel does it */
                return 0;
        }

        /* every path of the call, each on its own; a path that names an fd's object ("" with
         * AT_EMPTY_PATH, utimensat's NULL) has nothing to decide (kernel[i]) */
        struct pv_capture *c = &u->cap, *caps[PV_SC_PATHS_MAX] = { &u->cap, &u->cap2 };
        bool kernel[PV_SC_PATHS_MAX] = {};
        for (unsigned i = 0; i < sc->n_paths; i++) {
                r = pv_capture_path(caps[i], pid, sc, (enum pv_arch) arch, i, args, unotify_root_path, u);
                if (r < 0)
                        return r;
                kernel[i] = r == PV_CAPTURE_KERNEL;
        }
        if (kernel[0] && u->mmsg_vec)
                return mmsg_unnamed(u, (enum pv_arch) arch, args, a);
        if (kernel[0] && (sc->n_paths == 1 || kernel[1])) {
                a->kind = ANSWER_CONTINUE;
                return 0;
        }
        uint64_t flags = c->flags;
        struct open_how how = c->how;
        bool beneath = c->beneath;

        struct pv_decision *decs[PV_SC_PATHS_MAX] = { &u->decision, &u->decision2 };
        const char *targets[PV_SC_PATHS_MAX] = {};
        bool redirected = false, readonly = false;
        for (unsigned i = 0; i < sc->n_paths; i++) {
                if (kernel[i])
                        continue;
                struct pv_decision *dec = decs[i];
                r = pv_policy_decide(u->policy, caps[i]->abs, caps[i]->intent, dec);
                if (r < 0)
                        return r;
                switch (dec->action) {
                case PV_FAIL:
                        /* the first path that a rule denies decides the call */
                        u->ctr->denied++;
                        pv_log_decision(u->verbose, u->session, sc, pid, caps[i]->abs, NULL, dec);
                        if (sc->n_paths == 1 && pv_rule_readonly(dec->rule)) {
                                /* EROFS, or what the kernel finds first on a read-only mount: looked
                                 * at below, as the tracee (pv_capture_readonly_errno) */
                                readonly = true;
                                targets[i] = caps[i]->abs;
                                break;
                        }
                        return -dec->error;
                case PV_PASS:
                        targets[i] = pv_capture_target(caps[i], caps[i]->abs);
                        break;
                case PV_REDIRECT:
                        redirected = true;
                        targets[i] = pv_capture_target(caps[i], dec->target);
                        pv_log_decision(u->verbose, u->session, sc, pid, caps[i]->abs, dec->target, dec);
                        break;
                default:
                        return -EINVAL;
                }
        }
        if ((sc->kind == PV_SC_RENAME || sc->kind == PV_SC_LINK) && redirected && !kernel[0] && !kernel[1] &&
            !caps[0]->neutral && !caps[1]->neutral &&
            decs[0]->rule != decs[1]->rule) {
                /* two paths under different rules (or one redirected, one not) are on different
                 * file systems as far as the program can tell: as across mount points */
                u->ctr->denied++;
                log_debug("%d %s(\"%s\", \"%s\"): EXDEV (the paths fall under different rules)", (int) pid, sc->name,
                          caps[0]->abs, caps[1]->abs);
                return -EXDEV;
        }
        /* The program's own call through the ptrace side where ours would not be the same: O_PATH
         * on what ADDFD cannot inject; connect, sendmsg, sendmmsg, whose peer sees the caller's
         * credentials (SO_PEERCRED, SCM_CREDENTIALS), which must be the program's, not ours.
         * Without a ptrace side (or with a tracer of its own) the call is emulated after all. */
        bool own_call = (redirected && (flags & O_PATH) && pv_syscall_hybrid_row(sc) && !o_path_injectable(targets[0], flags)) ||
                        ((redirected || pv_policy_strict(u->policy)) && (sc->kind == PV_SC_CONNECT || sc->kind == PV_SC_SENDMSG) &&
                         strlen(targets[0]) <= PV_SUN_PATH_MAX) ||
                        u->mmsg_vec;
        /* (a target longer than sun_path stays ours: our /proc/self/fd way works in any root and
         * mount namespace, the ptrace side's short link in /tmp only in ours) */
        if (own_call && (r = hand_over(u, a)) != 0)
                return r < 0 ? r : 0;
        if (redirected)
                u->ctr->redirected++;
        else if (!readonly) {
                u->ctr->passed++;
                bool fix_link = (sc->kind == PV_SC_READLINK || sc->kind == PV_SC_READLINKAT) && proc_link(c->abs);
                /* sendmsg with control data (fds, credentials) cannot be performed for the program:
                 * the kernel does it, strict or not (README) */
                bool own_control = sc->kind == PV_SC_SENDMSG && c->msg_control != 0 && c->msg_controllen > 0;
                if (!u->mmsg_vec && ((!pv_policy_strict(u->policy) && !u->emulate_all && !fix_link) || own_control)) {
                        a->kind = ANSWER_CONTINUE;
                        return 0;
                }
                /* strict: do it ourselves, on the paths we checked */
        }
        /* Before acting: the pid might have been reused while we read its memory and /proc, and
         * what we do has effects. (A CONTINUE or an error needs no such check: an answer to a
         * notification whose tracee is gone fails harmlessly.) */
        if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &u->req->id) < 0)
                return -ESRCH;
        if (kernel[0]) {
                /* linkat(fd, "", .., AT_EMPTY_PATH): the object of the tracee's fd, reached through
                 * /proc (AT_EMPTY_PATH would name an fd of ours) */
                snprintf(u->fd_path, sizeof(u->fd_path), "/proc/%d/fd/%d", (int) pid, caps[0]->dirfd);
                targets[0] = u->fd_path;
                flags = (flags & ~(uint64_t) AT_EMPTY_PATH) | AT_SYMLINK_FOLLOW;
        }
        const char *target = targets[0];
        u->target2 = NULL;
        if (sc->n_paths == 2)
                u->target2 = kernel[1] ? NULL : tracee_view(targets[1], pid, u->view2, sizeof(u->view2));

        /* From here on every file operation is the tracee's: its credentials, on this thread. */
        u->have_creds = false;
        u->switched_real = false;
        u->wb_len = 0;
        u->act_creds = NULL;
        bool switched = false;
        bool real_ids = (sc->kind == PV_SC_ACCESS || sc->kind == PV_SC_FACCESSAT || sc->kind == PV_SC_FACCESSAT2) &&
                        !(flags & AT_EACCESS);
        if (u->impersonate) {
                r = pv_tracee_ids(pid, &u->creds);
                if (r >= 0 && !pv_creds_are_own(&u->creds, real_ids))
                        r = pv_tracee_creds(pid, &u->creds); /* switching: the whole set */
                if (r < 0)
                        return r;
                u->have_creds = u->creds.n_groups != SIZE_MAX;
                u->act_creds = &u->creds;
        } else if (u->track_creds) {
                if (!u->creds_cached) {
                        r = pv_tracee_creds(pid, &u->cached_creds);
                        if (r < 0)
                                return r;
                        u->creds_cached = true;
                }
                u->act_creds = &u->cached_creds; /* its umask is not current: read per create */
        }
        if (u->owner != (uid_t) -1 && u->act_creds &&
            (u->act_creds->ruid != u->owner || u->act_creds->euid != u->owner)) {
                /* a listener handed over by a user must serve that user's processes only */
                log_warning("%d (uid %u) is not a process of uid %u, who handed its listener over; refusing",
                            (int) pid, (unsigned) u->act_creds->ruid, (unsigned) u->owner);
                return -EPERM;
        }

        const char *named = target;
        target = tracee_view(target, pid, u->view, sizeof(u->view));
        /* /proc/self and friends, now /proc/PID/...: PID is a pid of our namespace, so they are
         * resolved in our root, not in the tracee's (whose /proc may show other pids) */
        bool magic = target != named;
        int in_view = 0, troot = -1;
        bool own_troot = false;
        if (magic)
                ;
        else if (u->check_view) {
                troot = tracee_root_fd(u, pid);
                own_troot = true;
        } else if (u->first_view) {
                if (!u->view_cached) {
                        u->cached_root = tracee_root_fd(u, pid);
                        if (u->cached_root < -1) {
                                r = u->cached_root;
                                u->cached_root = -1;
                                goto out;
                        }
                        if (u->cached_root >= 0 && pv_tracee_root(pid, u->cached_root_path, PATH_MAX) < 0)
                                strcpy(u->cached_root_path, "/");
                        u->view_cached = true;
                }
                troot = u->cached_root;
        }
        if (troot < -1) {
                r = troot;
                goto out;
        }
        u->have_umask = false;
        if (troot >= 0) {
                /* /proc may not exist in the tracee's root: what we need of it, now (the umask,
                 * for a call that may create) */
                if (!u->have_creds && may_create(sc, flags)) {
                        r = pv_tracee_umask(pid, &u->umask);
                        if (r < 0) {
                                if (own_troot)
                                        safe_close(troot);
                                goto out;
                        }
                        u->have_umask = true;
                }
                in_view = enter_root(u, troot);
                if (own_troot)
                        safe_close(troot);
                if (in_view < 0) {
                        r = in_view;
                        goto out;
                }
        }
        /* after the chroot, which needs our capabilities, and undone before we leave it */
        if (u->act_creds && !pv_creds_are_own(u->act_creds, real_ids)) {
                r = pv_as_tracee_enter(u->act_creds, real_ids);
                if (r < 0)
                        goto out;
                switched = true;
        }
        u->switched_real = switched && real_ids;
        u->acting = switched;
        if (readonly) {
                r = -pv_capture_readonly_errno(u->policy, sc, &u->cap);
                goto out;
        }
        if (!magic && redirected && sc->n_paths == 1 && !beneath && !u->cap.last_dot[0] &&
            (sc->flags_type == PV_FLAGS_OPEN || (sc->flags_type == PV_FLAGS_OPEN_HOW && how.resolve == 0)) &&
            pv_capture_has_rest(u->cap.abs, &u->decision)) {
                int fd = open_fast(target, flags);
                if (fd >= 0) {
                        a->kind = ANSWER_FD;
                        a->fd = fd;
                        a->fd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
                        r = 0;
                        goto out;
                }
        }
        if (!magic && redirected && sc->n_paths == 1 && !beneath && !u->cap.last_dot[0]) {
                /* absolute symlinks below the target are the program's paths: decided again, as the
                 * tracee (its credentials and root are in force here) */
                bool follow = !pv_syscall_nofollow(sc, 0, flags) && !(sc->path[0].intent & PV_INTENT_CREATE);
                int k = pv_capture_follow_links(u->policy, u->cap.abs, &u->decision, u->cap.intent, follow,
                                                u->view2, sizeof(u->view2), &u->decision2);
                if (k < 0) {
                        r = k;
                        goto out;
                }
                if (k > 0)
                        target = u->view2;
        }
        r = act(u, sc, (enum pv_arch) arch, target, args, flags, &how, beneath, a);
out:
        u->acting = false;
        if (switched)
                pv_as_tracee_leave();
        if (in_view > 0)
                leave_view(u);
        if (r >= 0 && u->wb_len > 0) {
                int w = pv_tracee_write(pid, u->wb_addr, u->wb, u->wb_len);
                if (w < 0)
                        r = w; /* EFAULT, as the kernel would; the fd answer never has a write */
        }
        return r;
}

static int act(struct pv_unotify *u, const struct pv_syscall *sc, enum pv_arch arch, const char *target,
               const uint64_t args[PV_SC_ARGS], uint64_t flags, const struct open_how *hp, bool beneath,
               struct answer *a) {
        pid_t pid = (pid_t) u->req->pid;
        struct open_how how = *hp;

        /* RESOLVE_BENEATH / IN_ROOT: the kernel checks the program's own path below its dirfd; on
         * the target the same walk starts from the directory that stands for the dirfd there: the
         * target minus the part of the path below the dirfd when the redirect keeps that part, else
         * the target's parent. Symlinks met on the way are then judged as the kernel would. */
        if (beneath) {
                char anchor[PATH_MAX];
                const char *sub;
                pv_capture_anchor(&u->cap, target, anchor, &sub);
                _cleanup_close_ int bfd = open(anchor, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (bfd < 0)
                        return -errno;
                return do_open(u, pid, bfd, sub, how.flags, how.mode, how.resolve, true, a);
        }
        return emulate(u, sc, arch, target, args, flags, &how, a);
}

/* Decides and answers the notification in u->req. */
static int handle_current(struct pv_unotify *u) {
        u->ctr->trapped++;
        struct answer a = { .kind = ANSWER_CONTINUE, .fd = -1 };
        int r = process(u, &a);
        if (r == -ESRCH) {
                r = 0; /* gone (or its pid reused): nobody waits for an answer */
                goto done;
        }
        if (r < 0) {
                a.kind = ANSWER_ERROR;
                a.error = -r;
        }
        r = answer(u, u->req->id, &a);
        safe_close(a.fd);
done:
        if (u->inflight)
                inflight_clear(inflight_slot(u, 0)); /* answered, or a thread's slot holds it */
        return r;
}

/* Fault injection for test-fdstore.py: with PATHVISOR_TEST_DIE_AFTER_RECV=N in its environment
 * the process kills itself right after the N-th request it receives, before it keeps it: the
 * instant that pv_unotify_replay() must recover from. Read once; unset, it costs a compare. */
static void test_die_after_recv(void) {
        static long left = -2;
        if (left == -2) {
                const char *e = getenv("PATHVISOR_TEST_DIE_AFTER_RECV");
                left = e ? strtol(e, NULL, 10) : -1;
        }
        if (left > 0 && --left == 0)
                raise(SIGKILL);
}

int pv_unotify_handle(struct pv_unotify *u) {
        memset(u->req, 0, u->req_size);
        if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_RECV, u->req) < 0) {
                if (errno == EINTR || errno == ENOENT) /* ENOENT: the tracee went away first */
                        return 0;
                return -errno;
        }
        test_die_after_recv();
        if (u->inflight) { /* if we die before answering, a successor finds it and answers it */
                __atomic_store_n(&u->inflight_head->last_id, u->req->id, __ATOMIC_RELEASE);
                __atomic_store_n(&u->inflight_head->have_id, 1, __ATOMIC_RELEASE);
                inflight_put(inflight_slot(u, 0), u->req, u->req_size);
        }
        return handle_current(u);
}

int pv_unotify_set_inflight(struct pv_unotify *u, void *area, size_t size) {
        size_t slot = (sizeof(struct pv_inflight) + u->req_size + 7) & ~(size_t) 7;
        size_t head = (sizeof(struct inflight_header) + 7) & ~(size_t) 7;
        if (!area) {
                u->counters = *u->ctr;
                u->ctr = &u->counters;
                u->inflight = NULL;
                u->inflight_head = NULL;
                u->n_slots = 0;
                return 0;
        }
        if (size < head + slot)
                return -ENOBUFS;
        struct inflight_header *h = area;
        if (h->magic != INFLIGHT_MAGIC) {
                /* a fresh area: our counts so far go in; a predecessor's: we go on from its */
                memset(area, 0, size);
                h->counters = *u->ctr;
                h->magic = INFLIGHT_MAGIC;
        }
        u->ctr = &h->counters;
        u->inflight_head = h;
        u->inflight = (uint8_t *) area + head;
        u->slot_size = slot;
        u->n_slots = (size - head) / slot;
        return 0;
}

int pv_unotify_replay(struct pv_unotify *u) {
        int n = 0;
        /* the kept requests first, all of them at once: handling one may claim a free slot (a
         * blocking open's thread), which a walk over the slots would then meet again */
        size_t n_kept = 0;
        _cleanup_free_ uint8_t *kept = malloc(u->n_slots * u->req_size + 1);
        if (!kept)
                return -ENOMEM;
        for (size_t i = 0; i < u->n_slots; i++) {
                struct pv_inflight *slot = inflight_slot(u, i);
                if (!__atomic_load_n(&slot->valid, __ATOMIC_ACQUIRE))
                        continue;
                memcpy(kept + n_kept++ * u->req_size, slot->notif, u->req_size);
                inflight_clear(slot);
        }
        for (size_t i = 0; i < n_kept; i++) {
                memcpy(u->req, kept + i * u->req_size, u->req_size);
                /* answered before the predecessor died, or the tracee is gone: nothing to do */
                if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &u->req->id) < 0)
                        continue;
                inflight_put(inflight_slot(u, 0), u->req, u->req_size);
                int r = handle_current(u);
                if (r < 0)
                        return r;
                n++;
        }
        /* A request that the predecessor received in the instant before it died, before it could
         * keep it (between NOTIF_RECV and the writes after it, or on the kernel's way back from
         * that ioctl), is lost to every reader: the kernel never delivers a received notification
         * again, and its tracee would wait forever. Ids are given in order, last_id is written
         * before the slot, and we have received nothing yet: a received (ID_VALID) id after the
         * last one kept, and none of the kept ones, is such a request. We do not know what it
         * asked (nor whose it is), so it can only be ended: EINTR, which a program can retry.
         * ("Make it again", -ERESTARTNOINTR, would reach the program as error 513: the kernel
         * restarts a call only on its way through signal delivery, and nothing is pending for
         * that thread.) */
        struct inflight_header *h = u->inflight_head;
        if (h && __atomic_load_n(&h->have_id, __ATOMIC_ACQUIRE)) {
                uint64_t last = __atomic_load_n(&h->last_id, __ATOMIC_ACQUIRE);
                for (uint64_t k = 1; k <= LOST_PROBE; k++) {
                        uint64_t id = last + k;
                        bool was_kept = false;
                        for (size_t i = 0; i < n_kept && !was_kept; i++)
                                was_kept = ((struct seccomp_notif *) (void *) (kept + i * u->req_size))->id == id;
                        if (was_kept || ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
                                continue;
                        struct seccomp_notif_resp resp = { .id = id, .error = -EINTR };
                        if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
                                continue; /* ENOENT: gone meanwhile */
                        log_warning("request %llu, received by the predecessor and lost with it before it was "
                                    "kept: ended with EINTR", (unsigned long long) id);
                        n++;
                }
        }
        return n;
}
