/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/as-tracee.h"
#include "backends/capture.h"
#include "backends/filter.h"
#include "backends/ptrace.h"
#include "backends/syscall-table.h"
#include "backends/tracee.h"
#include "common/log.h"
#include "common/macro.h"
#include "policy/policy.h"

#ifndef PTRACE_SET_SYSCALL_INFO
#  define PTRACE_SET_SYSCALL_INFO 0x4212 /* Linux 6.16 */
#endif
#ifndef __X32_SYSCALL_BIT
#  define __X32_SYSCALL_BIT 0x40000000
#endif

/* struct ptrace_syscall_info as the kernel defines it (6.16 named the padding `reserved` and
 * `flags`; both must be zero for PTRACE_SET_SYSCALL_INFO). glibc's copy has other member names. */
struct syscall_info {
        uint8_t op;
        uint8_t reserved;
        uint16_t flags;
        uint32_t arch;
        uint64_t instruction_pointer;
        uint64_t stack_pointer;
        union {
                struct {
                        uint64_t nr;
                        uint64_t args[6];
                } entry; /* the same layout for PTRACE_SYSCALL_INFO_SECCOMP, plus ret_data */
                struct {
                        int64_t rval;
                        uint8_t is_error;
                } exit;
                struct {
                        uint64_t nr;
                        uint64_t args[6];
                        uint32_t ret_data;
                        uint32_t reserved2;
                } seccomp;
        };
};

#define INFO_ENTRY 1
#define INFO_EXIT 2
#define INFO_SECCOMP 3

/* x86-64 red zone: 128 bytes below the stack pointer belong to the function that runs. */
#define RED_ZONE 128
/* A page the tracee maps for us when its stack cannot take the path: an i386 call from a 64-bit
 * process (pointers must be below 4 GiB), or a stack that ends right below the stack pointer. */
#define SCRATCH_SIZE (3 * 4096)
/* What a rewrite writes at most: two paths, or a path and a struct open_how. */
#define REWRITE_MAX (2 * PATH_MAX + 64)

#define I386_NR_MMAP2 192
#define X86_64_NR_MMAP 9

/* Registers of struct user_regs_struct that carry the arguments, per arch. */
static const size_t arg_reg[_PV_ARCH_MAX][PV_SC_ARGS] = {
        [PV_ARCH_X86_64] = {
                offsetof(struct user_regs_struct, rdi), offsetof(struct user_regs_struct, rsi),
                offsetof(struct user_regs_struct, rdx), offsetof(struct user_regs_struct, r10),
                offsetof(struct user_regs_struct, r8), offsetof(struct user_regs_struct, r9),
        },
        [PV_ARCH_I386] = {
                offsetof(struct user_regs_struct, rbx), offsetof(struct user_regs_struct, rcx),
                offsetof(struct user_regs_struct, rdx), offsetof(struct user_regs_struct, rsi),
                offsetof(struct user_regs_struct, rdi), offsetof(struct user_regs_struct, rbp),
        },
};

enum tracee_state {
        ST_NONE,
        ST_RESTORE, /* a rewritten call runs: put the registers back at its exit stop */
        ST_INJECT,  /* an mmap of ours runs in place of the program's call: take its result, then
                     * rewind so that the program's call is made again */
        ST_FILTER,  /* plain ptrace: the program installs a seccomp filter with a listener; if that
                     * works, its own supervisor handles its path calls from now on */
};

enum {
        FIX_NONE,
        FIX_GETCWD,   /* getcwd(): the cwd as the program named it */
        FIX_READLINK, /* readlink() of a /proc link: the names the program used */
        FIX_SOCKNAME, /* getsockname(), getpeername(): an address bound through a redirect */
        FIX_MMSG,     /* sendmmsg() of one message from our copy: its msg_len to the program's */
};

struct tracee {
        pid_t tid;
        enum tracee_state state;
        unsigned n_restore;
        size_t restore_off[2];
        uint64_t restore_val[2];
        struct user_regs_struct saved; /* ST_INJECT: the registers of the program's call */
        bool inject_low;               /* ST_INJECT: the page is for i386 calls (below 4 GiB) */
        uint64_t scratch_low;          /* the thread's page below 4 GiB, 0 if none */
        uint64_t scratch;              /* the thread's page anywhere, 0 if none */
        bool listening;                /* in a group-stop, PTRACE_LISTEN */
        uint8_t fixup;                 /* FIX_*: the result of the running call to map back */
        uint64_t fix_buf, fix_size;
        uint64_t fix_lenp;             /* FIX_SOCKNAME: where the length is (fix_size: the room) */
        unsigned short_link;           /* a short_name() link of this call, removed at its exit */
        bool delegated;                /* plain ptrace: under a listener of its own (a nested
                                        * pathvisor): that supervisor's operations, which we trace
                                        * too, are what we rewrite, not the program's calls */
        struct tracee *next;
};

#define N_BUCKETS 1024

struct pv_ptrace {
        enum pv_ptrace_mode mode;
        enum pv_sc_backend backend;
        const struct pv_policy *policy;
        bool verbose;
        unsigned long long session;
        bool check_root;    /* some tracee may be in a root of its own: strip it from /proc paths */
        int set_info;       /* PTRACE_SET_SYSCALL_INFO: 1 works, 0 not known yet, -1 not here */
        bool warned_beneath;
        bool warned_listener;
        pid_t watched;
        bool watched_done;
        int watched_status;
        size_t n_tracees;
        pv_ptrace_stop_fn on_stop;
        void *on_stop_data;
        struct pv_counters counters;
        struct pv_capture cap[PV_SC_PATHS_MAX];
        struct pv_decision decision[PV_SC_PATHS_MAX];
        uint8_t buf[REWRITE_MAX];
        char links[PATH_MAX];               /* a target with its absolute symlinks decided again */
        char short_buf[128];                /* short_name()'s address */
        struct pv_decision link_decision;
        struct pv_socknames *socknames;     /* AF_UNIX addresses bound through a redirect */
        char short_dir[32];                 /* short_name()'s directory, "" until made */
        unsigned short_seq;
        struct tracee *buckets[N_BUCKETS];
};

const char *pv_ptrace_mode_to_string(enum pv_ptrace_mode mode) {
        return mode == PV_PTRACE_ALL ? "ptrace" : "ptrace-seccomp";
}

int pv_ptrace_new(enum pv_ptrace_mode mode, const struct pv_policy *policy, struct pv_ptrace **ret) {
        struct pv_ptrace *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->mode = mode;
        t->backend = mode == PV_PTRACE_ALL ? PV_SC_BACKEND_PTRACE : PV_SC_BACKEND_PTRACE_SECCOMP;
        t->policy = policy;
        for (unsigned i = 0; i < PV_SC_PATHS_MAX; i++)
                t->cap[i].policy = policy;
        t->watched = -1;
        *ret = t;
        return 0;
}

struct pv_ptrace *pv_ptrace_free(struct pv_ptrace *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < N_BUCKETS; i++)
                for (struct tracee *e = t->buckets[i], *n; e; e = n) {
                        n = e->next;
                        free(e);
                }
        pv_socknames_free(t->socknames);
        if (t->short_dir[0]) {
                /* links of calls whose exit never came (the tracee died in them): what is there,
                 * not every number ever given */
                _cleanup_close_ int dfd = open(t->short_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
                if (d) {
                        dfd = -1; /* the DIR's now */
                        for (struct dirent *de; (de = readdir(d));)
                                if (de->d_name[0] != '.')
                                        (void) unlinkat(dirfd(d), de->d_name, 0);
                        closedir(d);
                }
                (void) rmdir(t->short_dir);
        }
        free(t);
        return NULL;
}

const struct pv_counters *pv_ptrace_counters(const struct pv_ptrace *t) {
        return &t->counters;
}

void pv_ptrace_set_verbose(struct pv_ptrace *t, bool verbose) {
        t->verbose = verbose;
}

void pv_ptrace_set_session(struct pv_ptrace *t, unsigned long long id) {
        t->session = id;
}

void pv_ptrace_set_stop_callback(struct pv_ptrace *t, pv_ptrace_stop_fn fn, void *userdata) {
        t->on_stop = fn;
        t->on_stop_data = userdata;
}

bool pv_ptrace_uses_set_syscall_info(const struct pv_ptrace *t) {
        return t->set_info > 0;
}

size_t pv_ptrace_n_tracees(const struct pv_ptrace *t) {
        return t->n_tracees;
}

void pv_ptrace_watch(struct pv_ptrace *t, pid_t pid) {
        t->watched = pid;
        t->watched_done = false;
}

bool pv_ptrace_watched_status(const struct pv_ptrace *t, int *ret_status) {
        if (t->watched_done && ret_status)
                *ret_status = t->watched_status;
        return t->watched_done;
}

/* ---- tracees ------------------------------------------------------------------------------------ */

static struct tracee **bucket(struct pv_ptrace *t, pid_t tid) {
        return &t->buckets[(unsigned) tid % N_BUCKETS];
}

static struct tracee *tracee_find(struct pv_ptrace *t, pid_t tid) {
        for (struct tracee *e = *bucket(t, tid); e; e = e->next)
                if (e->tid == tid)
                        return e;
        return NULL;
}

static struct tracee *tracee_get(struct pv_ptrace *t, pid_t tid) {
        struct tracee *e = tracee_find(t, tid);
        if (e)
                return e;
        e = calloc(1, sizeof(*e));
        if (!e)
                return NULL;
        e->tid = tid;
        struct tracee **b = bucket(t, tid);
        e->next = *b;
        *b = e;
        t->n_tracees++;
        return e;
}

static void tracee_drop(struct pv_ptrace *t, pid_t tid) {
        for (struct tracee **p = bucket(t, tid); *p; p = &(*p)->next)
                if ((*p)->tid == tid) {
                        struct tracee *e = *p;
                        *p = e->next;
                        free(e);
                        t->n_tracees--;
                        return;
                }
}

/* The tracee's root, as a path of ours, once some tracee may have one of its own. */
static int ptrace_root_path(void *userdata, pid_t pid, char *buf, size_t size) {
        struct pv_ptrace *t = userdata;
        if (!t->check_root)
                return 0;
        return pv_tracee_root(pid, buf, size);
}

/* Whether `pid`'s root is not ours (or cannot be compared): paths from /proc are then taken
 * relative to its root. */
static bool root_differs(pid_t pid) {
        struct stat own, theirs;
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/%d/root", (int) pid);
        return stat("/", &own) < 0 || stat(proc, &theirs) < 0 || own.st_dev != theirs.st_dev ||
               own.st_ino != theirs.st_ino;
}

int pv_ptrace_seize(struct pv_ptrace *t, pid_t pid) {
        unsigned long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                                PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
        if (t->mode == PV_PTRACE_SECCOMP)
                options |= PTRACE_O_TRACESECCOMP;
        if (ptrace(PTRACE_SEIZE, pid, 0, options) < 0)
                return -errno;
        if (!tracee_get(t, pid))
                return -ENOMEM;

        /* a tracee in a root that is not ours names its cwd from there */
        if (root_differs(pid))
                t->check_root = true;
        return 0;
}

int pv_ptrace_start(struct pv_ptrace *t, pid_t pid) {
        /* syscall stops start with the first PTRACE_SYSCALL restart: stop it once to give one */
        if (t->mode == PV_PTRACE_ALL && ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0)
                return -errno;
        return 0;
}

/* ---- registers ---------------------------------------------------------------------------------- */

static int restart(pid_t tid, int request, int sig) {
        if (ptrace(request, tid, 0, (long) sig) < 0 && errno != ESRCH)
                return -errno;
        return 0; /* ESRCH: killed meanwhile; its exit comes through waitpid */
}

static int poke_reg(pid_t tid, size_t off, uint64_t value) {
        return ptrace(PTRACE_POKEUSER, tid, (void *) off, (void *) value) < 0 ? -errno : 0;
}

static int peek_reg(pid_t tid, size_t off, uint64_t *ret) {
        errno = 0;
        long v = ptrace(PTRACE_PEEKUSER, tid, (void *) off, 0);
        if (v == -1 && errno)
                return -errno;
        *ret = (uint64_t) v;
        return 0;
}

/* Skips the call: number -1, result -error. */
static int skip_call(pid_t tid, int error) {
        int r = poke_reg(tid, offsetof(struct user_regs_struct, orig_rax), (uint64_t) -1);
        if (r >= 0)
                r = poke_reg(tid, offsetof(struct user_regs_struct, rax), (uint64_t) (int64_t) -error);
        return r;
}

/* Points argument `arg` at `value`, remembering the old register for the exit stop. */
static int set_arg(struct pv_ptrace *t, struct tracee *e, struct syscall_info *info, enum pv_arch arch,
                   unsigned arg, uint64_t value) {
        size_t off = arg_reg[arch][arg];
        uint64_t old = 0;
        int r;
        /* the whole register as it was (an i386 call's argument is its lower half only) */
        if (arch == PV_ARCH_X86_64)
                old = info->entry.args[arg];
        else if ((r = peek_reg(e->tid, off, &old)) < 0)
                return r;
        e->restore_off[e->n_restore] = off;
        e->restore_val[e->n_restore] = old;
        e->n_restore++;

        if (t->set_info >= 0) {
                info->entry.args[arg] = value;
                info->reserved = 0;
                info->flags = 0;
                if (ptrace((enum __ptrace_request) PTRACE_SET_SYSCALL_INFO, e->tid, (void *) sizeof(*info), info) >= 0) {
                        t->set_info = 1;
                        return 0;
                }
                if (errno != EIO && errno != EINVAL)
                        return -errno;
                if (t->set_info == 0)
                        log_debug("PTRACE_SET_SYSCALL_INFO is not available (%m): using PTRACE_POKEUSER");
                t->set_info = -1;
        }
        return poke_reg(e->tid, off, value);
}

/* ---- where the new path goes -------------------------------------------------------------------- */

/* Makes the tracee map a page for us in place of the call it is stopped in; the call is made again
 * afterwards (rewind). Returns 0: the tracee runs the mmap now. */
static int inject_mmap(struct pv_ptrace *t, struct tracee *e, bool low) {
        struct user_regs_struct regs;
        if (ptrace(PTRACE_GETREGS, e->tid, 0, &e->saved) < 0)
                return -errno;
        regs = e->saved;
        if (low) { /* an i386 call: mmap2 with i386 arguments; compat mmaps stay below 4 GiB */
                regs.orig_rax = I386_NR_MMAP2;
                regs.rbx = 0;
                regs.rcx = SCRATCH_SIZE;
                regs.rdx = PROT_READ | PROT_WRITE;
                regs.rsi = MAP_PRIVATE | MAP_ANONYMOUS;
                regs.rdi = (uint64_t) -1;
                regs.rbp = 0;
        } else {
                regs.orig_rax = X86_64_NR_MMAP;
                regs.rdi = 0;
                regs.rsi = SCRATCH_SIZE;
                regs.rdx = PROT_READ | PROT_WRITE;
                regs.r10 = MAP_PRIVATE | MAP_ANONYMOUS;
                regs.r8 = (uint64_t) -1;
                regs.r9 = 0;
        }
        if (ptrace(PTRACE_SETREGS, e->tid, 0, &regs) < 0)
                return -errno;
        e->state = ST_INJECT;
        e->inject_low = low;
        return restart(e->tid, PTRACE_SYSCALL, 0);
}

/* The injected mmap returned: keep its page and make the program's call again. */
static int inject_done(struct pv_ptrace *t, struct tracee *e) {
        uint64_t rax = 0;
        int r = peek_reg(e->tid, offsetof(struct user_regs_struct, rax), &rax);
        if (r < 0)
                return r;
        e->state = ST_NONE;
        if ((int64_t) rax < 0 && (int64_t) rax > -4096) {
                /* no page: the program's call fails with what mmap said (ENOMEM, usually) */
                log_debug("%d: mmap for a path page failed: %s", (int) e->tid, strerror((int) -(int64_t) rax));
                struct user_regs_struct regs = e->saved;
                regs.orig_rax = (uint64_t) -1;
                regs.rax = rax;
                if (ptrace(PTRACE_SETREGS, e->tid, 0, &regs) < 0)
                        return -errno;
                return restart(e->tid, t->mode == PV_PTRACE_ALL ? PTRACE_SYSCALL : PTRACE_CONT, 0);
        }
        if (e->inject_low)
                e->scratch_low = rax;
        else
                e->scratch = rax;
        /* back to the system call instruction (syscall, int $0x80 and sysenter's landing pad are
         * all two bytes), with the call's number where the instruction expects it */
        struct user_regs_struct regs = e->saved;
        regs.rip -= 2;
        regs.rax = e->saved.orig_rax;
        if (ptrace(PTRACE_SETREGS, e->tid, 0, &regs) < 0)
                return -errno;
        return restart(e->tid, t->mode == PV_PTRACE_ALL ? PTRACE_SYSCALL : PTRACE_CONT, 0);
}

/* Writes `len` bytes of t->buf where the call can read them: below the red zone of the stack, or
 * in the thread's page. Returns the address, 0 when a page must be mapped first (inject_mmap has
 * been started), or -errno. */
static int64_t place(struct pv_ptrace *t, struct tracee *e, const struct syscall_info *info, enum pv_arch arch,
                     size_t len) {
        uint64_t sp = info->stack_pointer;
        bool low = arch == PV_ARCH_I386;
        if (sp > RED_ZONE + REWRITE_MAX + 4096 && (!low || sp < UINT64_C(0x100000000))) {
                uint64_t addr = (sp - RED_ZONE - len) & ~UINT64_C(15);
                if (pv_tracee_write(e->tid, addr, t->buf, len) >= 0)
                        return (int64_t) addr;
        }
        uint64_t page = low ? e->scratch_low : e->scratch;
        if (!page) {
                int r = inject_mmap(t, e, low);
                return r < 0 ? r : 0;
        }
        int r = pv_tracee_write(e->tid, page, t->buf, len);
        return r < 0 ? r : (int64_t) page;
}

/* ---- one call ----------------------------------------------------------------------------------- */

/* Lets the call run as it is. */
static int pass(struct pv_ptrace *t, struct tracee *e) {
        return restart(e->tid, t->mode == PV_PTRACE_ALL ? PTRACE_SYSCALL : PTRACE_CONT, 0);
}

/* Makes the call fail with `error` without running it, and lets the tracee go on; a tracee gone
 * meanwhile is nothing to report. */
static int fail_call(struct pv_ptrace *t, struct tracee *e, int error) {
        int r = skip_call(e->tid, error);
        return r < 0 ? (r == -ESRCH ? 0 : r) : pass(t, e);
}

/* Switches this thread (the tracer) to the tracee's file system credentials, for an operation
 * that must be the tracee's: a walk, a read. Returns 1 when it switched (pv_as_tracee_leave()
 * after), 0 when they are ours already, -errno. A tracer that is not root has its tracees' ids
 * (their programs run with no_new_privs and cannot take others'), so only a root tracer looks:
 * at the ids first (cheap), at the whole set from /proc only when they differ. */
static int enter_tracee_creds(pid_t tid) {
        struct pv_creds creds;
        if (geteuid() != 0 || (pv_tracee_ids(tid, &creds) >= 0 && pv_creds_are_own(&creds, false)))
                return 0;
        int r = pv_tracee_creds(tid, &creds);
        if (r < 0)
                return r;
        if (pv_creds_are_own(&creds, false))
                return 0;
        r = pv_as_tracee_enter(&creds, false);
        return r < 0 ? r : 1;
}

/* openat2() with RESOLVE_BENEATH or RESOLVE_IN_ROOT on a redirected path whose anchor (the
 * directory that stands for the program's dirfd on the target side) is not the dirfd's own
 * directory: the tracee has no fd for it. We walk the path from the anchor here, with those flags,
 * as the tracee (its credentials), opening nothing but O_PATH: the kernel's verdict on the walk
 * (EXDEV for an escape, ELOOP, ENOENT, EACCES) is the call's; a walk that succeeds gives the
 * object's path, which the tracee's call then opens without BENEATH/IN_ROOT. Creating a file
 * walks to its parent. Returns the length of the path in `out` or -errno. */
static int resolve_from_anchor(pid_t tid, const char *anchor, const char *sub, const struct open_how *how,
                               char *out, size_t size) {
        int r = enter_tracee_creds(tid);
        if (r < 0)
                return r;
        bool switched = r > 0;
        _cleanup_close_ int afd = open(anchor, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = -1;
        const char *last = NULL;
        if (afd < 0) {
                r = -errno;
                goto out;
        }
        struct open_how h = {
                .flags = O_PATH | O_CLOEXEC | (how->flags & (O_NOFOLLOW | O_DIRECTORY)),
                .resolve = how->resolve,
        };
        fd = (int) syscall(SYS_openat2, afd, sub, &h, sizeof(h));
        if (fd < 0 && errno == ENOENT && (how->flags & O_CREAT)) {
                /* a file to create: its parent must be reached the same way */
                char dir[PATH_MAX];
                const char *slash = strrchr(sub, '/');
                last = slash ? slash + 1 : sub;
                if (!*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
                        r = -ENOENT;
                        goto out;
                }
                size_t dl = slash ? (size_t) (slash - sub) : 0;
                memcpy(dir, sub, dl);
                strcpy(dir + dl, dl ? "" : ".");
                h.flags = O_PATH | O_CLOEXEC | O_DIRECTORY;
                fd = (int) syscall(SYS_openat2, afd, dir, &h, sizeof(h));
        }
        if (fd < 0) {
                r = -errno;
                goto out;
        }
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t k = readlink(proc, out, size - 1);
        if (k < 0) {
                r = -errno;
                goto out;
        }
        out[k] = '\0';
        if (last) {
                if ((size_t) k + 1 + strlen(last) >= size) {
                        r = -ENAMETOOLONG;
                        goto out;
                }
                if (k > 1)
                        out[k++] = '/';
                strcpy(out + k, last);
                k += (ssize_t) strlen(last);
        }
        r = (int) k;
out:
        if (switched)
                pv_as_tracee_leave();
        return r;
}

/* pv_capture_follow_links() with the tracee's credentials: directly when they are ours (a
 * tracer that is not root, or a tracee with our ids), else for the walk only on this thread. */
static int follow_links_as_tracee(struct pv_ptrace *t, pid_t tid, const struct pv_capture *c,
                                  const struct pv_decision *dec, bool follow) {
        /* the common case, a target without links, costs one openat2 and no credentials */
        if (!pv_capture_may_have_links(dec->target, follow))
                return 0;
        int switched = enter_tracee_creds(tid);
        if (switched < 0)
                return switched;
        int k = pv_capture_follow_links(t->policy, c->abs, dec, c->intent, follow, t->links, sizeof(t->links),
                                        &t->link_decision);
        if (switched)
                pv_as_tracee_leave();
        return k;
}

/* The errno of a call that a readonly rule refuses: EROFS, or what the kernel finds first on a
 * read-only mount (pv_capture_readonly_errno), looked at as the tracee. Two-path calls and
 * tracees in a root of their own get EROFS. */
static int readonly_errno(struct pv_ptrace *t, pid_t tid, const struct pv_syscall *sc, const struct pv_capture *c) {
        if (sc->n_paths != 1 || t->check_root)
                return EROFS;
        int switched = enter_tracee_creds(tid);
        if (switched < 0)
                return EROFS;
        int e = pv_capture_readonly_errno(t->policy, sc, c);
        if (switched)
                pv_as_tracee_leave();
        return e;
}

/* An AF_UNIX address for `target` when the target is longer than sun_path (108 bytes): the
 * program's call goes through a symlink of ours to the target's directory, "/tmp/.pathvisor-
 * XXXXXX/N/NAME", made for this call and removed at its exit stop. The kernel keeps that short
 * name in a bound socket's address; the session's socknames map it back. The directory is ours
 * (mode 0711, not sticky: the kernel's protected_symlinks does not apply); the tracee walks the
 * link with its own credentials. Not for a tracee in a root of its own (our /tmp is not its). */
static void short_name_done(struct pv_ptrace *t, struct tracee *e);

/* Whether the tracee sees our mounts (our /tmp): the same mount namespace. */
static bool same_mount_ns(pid_t tid) {
        char proc[64];
        struct stat a, b;
        snprintf(proc, sizeof(proc), "/proc/%d/ns/mnt", (int) tid);
        return stat("/proc/self/ns/mnt", &a) == 0 && stat(proc, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int short_name(struct pv_ptrace *t, struct tracee *e, const char *target, char *out, size_t size) {
        const char *slash = strrchr(target, '/');
        short_name_done(t, e); /* a call made again after a page was mapped for it */
        if (t->check_root || !slash || slash == target || !same_mount_ns(e->tid))
                return -ENAMETOOLONG;
        if (!t->short_dir[0]) {
                strcpy(t->short_dir, "/tmp/.pathvisor-XXXXXX");
                if (!mkdtemp(t->short_dir) || chmod(t->short_dir, 0711) < 0) {
                        log_debug("cannot make a directory for short AF_UNIX names: %m");
                        (void) rmdir(t->short_dir);
                        t->short_dir[0] = '\0';
                        return -ENAMETOOLONG;
                }
        }
        char dir[PATH_MAX], link[64];
        size_t dl = (size_t) (slash - target);
        if (dl >= sizeof(dir))
                return -ENAMETOOLONG;
        memcpy(dir, target, dl);
        dir[dl] = '\0';
        unsigned n = ++t->short_seq;
        snprintf(link, sizeof(link), "%s/%u", t->short_dir, n);
        int k = snprintf(out, size, "%s/%s", link, slash + 1);
        if (k < 0 || (size_t) k > size - 1 || (size_t) k > PV_SUN_PATH_MAX)
                return -ENAMETOOLONG;
        if (symlink(dir, link) < 0)
                return -ENAMETOOLONG;
        e->short_link = n;
        return 0;
}

static void short_name_done(struct pv_ptrace *t, struct tracee *e) {
        char link[64];
        if (!e->short_link)
                return;
        snprintf(link, sizeof(link), "%s/%u", t->short_dir, e->short_link);
        (void) unlink(link);
        e->short_link = 0;
}

/* sendmmsg(): only the first k messages in this call (their vlen register, or word in a copy of
 * an i386 socketcall's arguments), put back at the exit stop. */
static int cut_vlen(struct pv_ptrace *t, struct tracee *e, struct syscall_info *info, enum pv_arch arch,
                    const uint64_t *sockargs, unsigned k) {
        e->n_restore = 0;
        int r;
        if (!sockargs)
                r = set_arg(t, e, info, arch, 2, k);
        else {
                uint32_t words[PV_SC_ARGS];
                for (unsigned i = 0; i < PV_SC_ARGS; i++)
                        words[i] = (uint32_t) sockargs[i];
                words[2] = k;
                memcpy(t->buf, words, sizeof(words));
                int64_t addr = place(t, e, info, arch, sizeof(words));
                if (addr == 0)
                        return 0; /* the tracee maps a page first; the call comes back */
                if (addr < 0)
                        return addr == -ESRCH ? 0 : fail_call(t, e, (int) -addr);
                r = set_arg(t, e, info, arch, 1, (uint64_t) addr);
        }
        if (r < 0)
                return r == -ESRCH ? 0 : r;
        e->state = ST_RESTORE;
        return restart(e->tid, PTRACE_SYSCALL, 0);
}

/* An argument of the call made: its register, or with `words` (i386 socketcall) its word in our
 * copy of the argument array. */
static int put_arg(struct pv_ptrace *t, struct tracee *e, struct syscall_info *info, enum pv_arch arch,
                   uint32_t *words, unsigned arg, uint64_t value) {
        if (!words)
                return set_arg(t, e, info, arch, arg, value);
        words[arg] = (uint32_t) value;
        return 0;
}

/* Points the call's path arguments at new strings: targets[i] for path i, or NULL to leave it.
 * sockargs: the arguments of an i386 socketcall, which then points at a copy of them. */
static int rewrite(struct pv_ptrace *t, struct tracee *e, struct syscall_info *info, const struct pv_syscall *sc,
                   enum pv_arch arch, const char *targets[PV_SC_PATHS_MAX], const uint64_t *sockargs) {
        const char *paths[PV_SC_PATHS_MAX] = { targets[0], targets[1] };
        struct pv_capture *c = &t->cap[0];
        /* sendmmsg: the program's vector, whose first message is sent from our copy */
        uint64_t vec = sockargs ? sockargs[1] : arch == PV_ARCH_I386 ? (uint32_t) info->entry.args[1] : info->entry.args[1];
        size_t msg_extra = sc->kind == PV_SC_SENDMMSG ? 8 : 0; /* struct mmsghdr: msg_len, padding */
        struct open_how how = c->how;
        bool new_how = false;

        char resolved[PATH_MAX];
        if (sc->n_paths == 1 && c->beneath && paths[0]) {
                /* RESOLVE_BENEATH / IN_ROOT: the walk must start at the directory that stands for the
                 * dirfd on the target side. When that is the dirfd's own directory, the path below it
                 * is all we change, and the kernel checks the rest. Otherwise the tracee has no fd for
                 * it: resolve_from_anchor() walks it (see there). */
                char anchor[PATH_MAX];
                const char *sub;
                pv_capture_anchor(c, paths[0], anchor, &sub);
                if (c->have_base && strcmp(anchor, c->base_real) == 0)
                        paths[0] = sub;
                else if (t->check_root) {
                        /* the tracee's root is not ours: our walk would not be its walk */
                        how.resolve &= ~(uint64_t) (RESOLVE_BENEATH | RESOLVE_IN_ROOT);
                        new_how = true;
                        if (!t->warned_beneath) {
                                log_warning("openat2() with RESOLVE_BENEATH/RESOLVE_IN_ROOT on a redirected path, "
                                            "in a chroot: made without those flags");
                                t->warned_beneath = true;
                        }
                } else {
                        int k = resolve_from_anchor(e->tid, anchor, sub, &c->how, resolved, sizeof(resolved));
                        if (k < 0)
                                return fail_call(t, e, -k);
                        paths[0] = resolved;
                        how.resolve &= ~(uint64_t) (RESOLVE_BENEATH | RESOLVE_IN_ROOT);
                        new_how = true;
                }
        }

        /* the strings (8-byte aligned), then struct open_how if it changes; an AF_UNIX address is
         * a struct sockaddr_un with its length */
        size_t off[PV_SC_PATHS_MAX] = {}, addr_len[PV_SC_PATHS_MAX] = {}, len = 0;
        size_t msg_off[PV_SC_PATHS_MAX] = {};
        bool msg[PV_SC_PATHS_MAX] = {};
        for (unsigned i = 0; i < sc->n_paths; i++) {
                if (!paths[i])
                        continue;
                size_t plen = strlen(paths[i]) + 1;
                if (sc->path[i].type == PV_PATH_SOCKADDR_UN || sc->path[i].type == PV_PATH_MSGHDR) {
                        struct sockaddr_un sa = { .sun_family = AF_UNIX };
                        if (plen - 1 > sizeof(sa.sun_path)) {
                                /* the target is longer than an address can be */
                                int k = short_name(t, e, paths[i], t->short_buf, sizeof(t->short_buf));
                                if (k < 0)
                                        return fail_call(t, e, -k);
                                paths[i] = t->short_buf;
                                plen = strlen(paths[i]) + 1;
                        }
                        memcpy(sa.sun_path, paths[i], plen - 1);
                        addr_len[i] = offsetof(struct sockaddr_un, sun_path) + MIN(plen, sizeof(sa.sun_path));
                        /* for getsockname(), getpeername(); a bind that fails leaves a pair that
                         * no socket will show */
                        int k = sc->kind == PV_SC_BIND ? pv_socknames_add(&t->socknames, paths[i], t->cap[i].path) : 0;
                        if (k < 0)
                                log_debug("%d: cannot remember the address bound: %s", (int) e->tid, strerror(-k));
                        off[i] = len;
                        memcpy(t->buf + len, &sa, sizeof(sa));
                        len = (len + sizeof(sa) + 7) & ~(size_t) 7;
                        if (sc->path[i].type == PV_PATH_MSGHDR) {
                                /* a copy of the program's struct msghdr; its msg_name is set below,
                                 * once the address of the copy is known */
                                msg[i] = true;
                                msg_off[i] = len;
                                memcpy(t->buf + len, t->cap[i].msghdr, t->cap[i].msghdr_size);
                                memset(t->buf + len + t->cap[i].msghdr_size, 0, msg_extra);
                                len = (len + t->cap[i].msghdr_size + msg_extra + 7) & ~(size_t) 7;
                        }
                        continue;
                }
                if (plen > PATH_MAX)
                        return fail_call(t, e, ENAMETOOLONG);
                off[i] = len;
                memcpy(t->buf + len, paths[i], plen);
                len = (len + plen + 7) & ~(size_t) 7;
        }
        size_t how_off = len;
        if (new_how) {
                memcpy(t->buf + how_off, &how, sizeof(how));
                len = how_off + sizeof(how);
        }
        uint32_t words_buf[PV_SC_ARGS], *words = NULL;
        size_t words_off = (len + 7) & ~(size_t) 7;
        if (sockargs) {
                words = words_buf;
                for (unsigned i = 0; i < PV_SC_ARGS; i++)
                        words[i] = (uint32_t) sockargs[i];
                len = words_off + sizeof(words_buf);
        }
        int64_t addr = place(t, e, info, arch, len);
        if (addr == 0)
                return 0; /* the tracee maps a page first; the call comes back */
        if (addr < 0) {
                if (addr == -ESRCH)
                        return 0;
                log_debug("%d: cannot write the new path: %s", (int) e->tid, strerror((int) -addr));
                int r = skip_call(e->tid, (int) -addr);
                return r < 0 ? r : pass(t, e);
        }

        for (unsigned i = 0; i < sc->n_paths; i++) {
                if (!msg[i])
                        continue;
                uint8_t *m = t->buf + msg_off[i];
                if (arch == PV_ARCH_I386) {
                        uint32_t name = (uint32_t) ((uint64_t) addr + off[i]), namelen = (uint32_t) addr_len[i];
                        memcpy(m, &name, 4);
                        memcpy(m + 4, &namelen, 4);
                } else {
                        uint64_t name = (uint64_t) addr + off[i];
                        uint32_t namelen = (uint32_t) addr_len[i];
                        memcpy(m, &name, 8);
                        memcpy(m + 8, &namelen, 4);
                }
                int w = pv_tracee_write(e->tid, (uint64_t) addr + msg_off[i], m, t->cap[i].msghdr_size + msg_extra);
                if (w < 0)
                        return w == -ESRCH ? 0 : w;
        }

        e->n_restore = 0;
        int r = 0;
        for (unsigned i = 0; i < sc->n_paths && r >= 0; i++) {
                if (!paths[i])
                        continue;
                if (msg[i]) {
                        r = put_arg(t, e, info, arch, words, (unsigned) sc->path[i].arg, (uint64_t) addr + msg_off[i]);
                        continue;
                }
                r = put_arg(t, e, info, arch, words, (unsigned) sc->path[i].arg, (uint64_t) addr + off[i]);
                if (r >= 0 && addr_len[i])
                        r = put_arg(t, e, info, arch, words, (unsigned) sc->path[i].len_arg, addr_len[i]);
        }
        if (r >= 0 && new_how)
                r = put_arg(t, e, info, arch, words, (unsigned) sc->flags_arg, (uint64_t) addr + how_off);
        if (r >= 0 && msg_extra && msg[0]) {
                /* one message, from our copy; its msg_len goes to the program's at the exit stop */
                r = put_arg(t, e, info, arch, words, 2, 1);
                e->fixup = FIX_MMSG;
                e->fix_buf = (uint64_t) addr + msg_off[0] + t->cap[0].msghdr_size;
                e->fix_lenp = vec + t->cap[0].msghdr_size;
        }
        if (r >= 0 && words) {
                /* socketcall(call, args): its second register at our copy of args */
                r = pv_tracee_write(e->tid, (uint64_t) addr + words_off, words, sizeof(words_buf));
                if (r >= 0)
                        r = set_arg(t, e, info, arch, 1, (uint64_t) addr + words_off);
        }
        if (r < 0)
                return r == -ESRCH ? 0 : r;
        /* the exit stop puts the registers back */
        e->state = ST_RESTORE;
        return restart(e->tid, PTRACE_SYSCALL, 0);
}

/* execve of a "#!" script when the script or its interpreter is redirected: the kernel would
 * look the interpreter up on the host, and hand it the script's target path as $0. We make the
 * call that the kernel would make, on the policy's terms: exec the interpreter (redirected if a
 * rule says so) with argv = { interpreter as written, [its argument], the script as the program
 * named it (its own string: $0 as natively), argv[1...] }. The interpreter then opens the script
 * by that name, through the policy again. x86-64 calls only; 1 when the call was rewritten and
 * restarted, 0 when it was not a case for this, -errno. */
static int exec_script(struct pv_ptrace *t, struct tracee *e, struct syscall_info *info, const struct pv_syscall *sc,
                       const char *file, const uint64_t args[PV_SC_ARGS]) {
        enum { ARGV_MAX = 256 };
        char head[256];
        /* The script's first line, read with the tracee's credentials, and only when the tracee
         * may execute it (else the kernel says EACCES itself). */
        int switched = enter_tracee_creds(e->tid);
        if (switched < 0)
                return 0; /* the kernel runs it its way */
        ssize_t n = -1;
        if (faccessat(AT_FDCWD, file, X_OK, AT_EACCESS) == 0) {
                int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (fd >= 0) {
                        n = read(fd, head, sizeof(head) - 1);
                        close(fd);
                }
        }
        if (switched)
                pv_as_tracee_leave();
        char *interp, *iarg;
        if (n < 0 || !pv_script_interpreter(head, (size_t) n, &interp, &iarg))
                return 0;

        struct pv_decision *dec = &t->decision[1];
        char interp_abs[PATH_MAX + 1];
        bool dir = false;
        if (pv_path_normalize(interp, interp_abs, PATH_MAX, &dir) < 0)
                return 0;
        if (pv_policy_decide(t->policy, interp_abs, PV_INTENT_READ | PV_INTENT_EXEC, dec) < 0)
                return 0;
        if (dec->action == PV_FAIL) {
                int r = skip_call(e->tid, dec->error);
                return r < 0 ? r : (pass(t, e) ?: 1);
        }
        bool script_redirected = t->decision[0].action == PV_REDIRECT;
        if (dec->action != PV_REDIRECT && !script_redirected)
                return 0; /* the kernel does exactly what natively happens */
        const char *interp_target = dec->action == PV_REDIRECT ? dec->target : interp_abs;

        /* the program's argv pointers */
        unsigned argv_arg = sc->path[0].arg + 1;
        uint64_t old_argv[ARGV_MAX + 1];
        size_t argc = 0;
        for (; argc <= ARGV_MAX; argc++) {
                if (pv_tracee_read(e->tid, args[argv_arg] + argc * 8, &old_argv[argc], 8) < 0)
                        return 0;
                if (!old_argv[argc])
                        break;
        }
        if (argc > ARGV_MAX)
                return 0; /* too many to copy here: the kernel does it its way */

        /* [interp target][interp as written][arg] strings, then the new argv */
        size_t len = 0, o_target, o_name, o_arg = 0, o_argv;
        size_t tl = strlen(interp_target) + 1, nl2 = strlen(interp) + 1, al = iarg ? strlen(iarg) + 1 : 0;
        if (tl + nl2 + al + (argc + 4) * 8 + 32 > sizeof(t->buf))
                return 0;
        o_target = len;
        memcpy(t->buf + len, interp_target, tl);
        len += tl;
        o_name = len;
        memcpy(t->buf + len, interp, nl2);
        len += nl2;
        if (iarg) {
                o_arg = len;
                memcpy(t->buf + len, iarg, al);
                len += al;
        }
        len = (len + 7) & ~(size_t) 7;
        o_argv = len;
        size_t slots = 2 + (iarg ? 1 : 0) + (argc > 0 ? argc - 1 : 0) + 1;
        len += slots * 8;
        /* the pointers need the address: place a zeroed area first, then fill it in */
        memset(t->buf + o_argv, 0, slots * 8);
        int64_t addr = place(t, e, info, PV_ARCH_X86_64, len);
        if (addr == 0)
                return 1; /* a page is mapped first; the call comes back */
        if (addr < 0)
                return (int) addr;
        uint64_t *v = (uint64_t *) (void *) (t->buf + o_argv);
        size_t k = 0;
        v[k++] = (uint64_t) addr + o_name;
        if (iarg)
                v[k++] = (uint64_t) addr + o_arg;
        v[k++] = args[sc->path[0].arg]; /* the script, as the program named it */
        for (size_t i = 1; i < argc; i++)
                v[k++] = old_argv[i];
        v[k++] = 0;
        int r = pv_tracee_write(e->tid, (uint64_t) addr + o_argv, v, k * 8);
        if (r < 0)
                return r;
        e->n_restore = 0;
        r = set_arg(t, e, info, PV_ARCH_X86_64, sc->path[0].arg, (uint64_t) addr + o_target);
        if (r >= 0)
                r = set_arg(t, e, info, PV_ARCH_X86_64, argv_arg, (uint64_t) addr + o_argv);
        if (r < 0)
                return r;
        pv_log_decision(t->verbose, t->session, sc, e->tid, interp_abs, interp_target, dec);
        e->state = ST_RESTORE;
        r = restart(e->tid, PTRACE_SYSCALL, 0);
        return r < 0 ? r : 1;
}

/* seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER, ...): the program sets up a supervisor of its own
 * (a nested pathvisor run: its listener works, since we hold none).
 * Its USER_NOTIF verdicts take precedence over our RET_TRACE (ptrace-seccomp): calls that it
 * notifies reach that supervisor, not us, and what the supervisor does in their place, being our
 * tracee too, reaches us: the inner policy applies first, ours to what comes out of it. Plain
 * ptrace stops before any filter runs, so it must step back on its own for that order: once the
 * filter is in place, the process and what it starts are `delegated`. A strict policy refuses
 * the listener (EBUSY, as a second listener under unotify gets): a supervisor of the program's
 * own could let calls through (CONTINUE) that we would never see. */
static int on_seccomp(struct pv_ptrace *t, struct tracee *e, enum pv_arch arch, const struct syscall_info *info) {
        uint64_t op = info->entry.args[0], flags = info->entry.args[1];
        if (arch == PV_ARCH_I386) {
                op = (uint32_t) op;
                flags = (uint32_t) flags;
        }
        if (op != SECCOMP_SET_MODE_FILTER || !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
                return pass(t, e);
        if (pv_policy_strict(t->policy)) {
                if (!t->warned_listener) {
                        log_warning("%d wants a seccomp listener of its own: refused (EBUSY) under a strict policy",
                                    (int) e->tid);
                        t->warned_listener = true;
                }
                return fail_call(t, e, EBUSY);
        }
        if (t->mode == PV_PTRACE_ALL && !e->delegated) {
                e->state = ST_FILTER; /* the exit stop tells whether it worked */
                return restart(e->tid, PTRACE_SYSCALL, 0);
        }
        return pass(t, e);
}

static int on_entry(struct pv_ptrace *t, struct tracee *e, struct syscall_info *info) {
        int arch = pv_arch_from_audit(info->arch);
        uint64_t nr = info->entry.nr;
        short_name_done(t, e); /* a link whose call ended without an exit stop of ours */
        if (arch < 0)
                return pass(t, e);
        if (t->mode == PV_PTRACE_ALL && arch == PV_ARCH_X86_64 && (nr & __X32_SYSCALL_BIT) && nr != (uint64_t) -1) {
                /* as the filter does: x32 calls would name paths that we do not decode */
                int r = skip_call(e->tid, ENOSYS);
                return r < 0 ? r : pass(t, e);
        }
        if (t->mode == PV_PTRACE_ALL && nr == PV_NR_IO_URING_SETUP && pv_policy_strict(t->policy)) {
                /* as the strict filter does: io_uring would open files unseen */
                return fail_call(t, e, EPERM);
        }
        const struct pv_syscall *sc = pv_syscall_lookup((enum pv_arch) arch, (long) nr);
        if (!sc)
                return pass(t, e);
        uint64_t args[PV_SC_ARGS];
        for (unsigned i = 0; i < PV_SC_ARGS; i++)
                args[i] = arch == PV_ARCH_I386 ? (uint32_t) info->entry.args[i] : info->entry.args[i];
        bool sockcall = sc->kind == PV_SC_SOCKETCALL;
        if (sockcall) {
                /* i386 socketcall: the call it names, with its arguments from memory; a rewrite
                 * points the call at a copy of them */
                int r = pv_capture_socketcall(e->tid, args, &sc, args);
                if (r == 0)
                        return pass(t, e);
                if (r < 0) { /* EPERM: memory closed to us; the call fails, never passes unseen */
                        return r == -ESRCH ? 0 : fail_call(t, e, -r);
                }
        }
        enum pv_sc_how how = sc->how[t->backend];
        if (how == PV_HOW_OBSERVE && sc->kind == PV_SC_SETFILTER)
                return on_seccomp(t, e, (enum pv_arch) arch, info);
        if (how == PV_HOW_OBSERVE) {
                if (sc->kind == PV_SC_SETVIEW && !t->check_root) {
                        log_debug("%d called %s: paths of /proc are taken from each tracee's root from now on",
                                  (int) e->tid, sc->name);
                        t->check_root = true;
                }
                return pass(t, e);
        }
        if (sc->kind == PV_SC_GETCWD && how == PV_HOW_REWRITE && !e->delegated) {
                e->fixup = FIX_GETCWD;
                e->fix_buf = args[0];
                e->fix_size = args[1];
                return restart(e->tid, PTRACE_SYSCALL, 0);
        }
        if (sc->kind == PV_SC_SOCKNAME && how == PV_HOW_REWRITE && !e->delegated) {
                /* only once something was bound through a redirect; a room that cannot be read
                 * or is negative fails in the kernel */
                int32_t room;
                if (!t->socknames || pv_tracee_read(e->tid, args[2], &room, sizeof(room)) < 0 || room < 0)
                        return pass(t, e);
                e->fixup = FIX_SOCKNAME;
                e->fix_buf = args[1];
                e->fix_lenp = args[2];
                e->fix_size = (uint64_t) room;
                return restart(e->tid, PTRACE_SYSCALL, 0);
        }
        if (sc->kind == PV_SC_SETVIEW && !t->check_root) {
                /* chroot: paths from /proc are the tracee's root's from now on */
                log_debug("%d called %s: paths of /proc are taken from each tracee's root from now on",
                          (int) e->tid, sc->name);
                t->check_root = true;
        }
        if (how != PV_HOW_REWRITE || sc->n_paths < 1 || e->delegated)
                return pass(t, e);

        bool strict = pv_policy_strict(t->policy);
        /* plain ptrace sees every call: skip what the filter would not have trapped */
        if (t->mode == PV_PTRACE_ALL && ((!strict && pv_syscall_fast_path(sc, args)) || pv_syscall_no_address(sc, args)))
                return pass(t, e);

        t->counters.trapped++;
        if (sc->kind == PV_SC_SENDMMSG) {
                /* the messages before the first that a rule covers go as they are, in a call cut
                 * there (a short count, which the program must expect of sendmmsg anyway); that
                 * message, first in its own call, is rewritten alone (below, rewrite()) */
                unsigned k;
                int r = pv_capture_mmsg(&t->cap[0], &t->decision[0], e->tid, (enum pv_arch) arch, args,
                                        ptrace_root_path, t, &k);
                if (r == 0)
                        return pass(t, e);
                if (r < 0)
                        return r == -ESRCH ? 0 : fail_call(t, e, -r);
                if (k > 0)
                        return cut_vlen(t, e, info, (enum pv_arch) arch, sockcall ? args : NULL, k);
                if (t->decision[0].action == PV_FAIL && !t->decision[0].rule) {
                        /* the first message's name could not be decided (pv_capture_mmsg) */
                        return fail_call(t, e, t->decision[0].error);
                }
        }
        const char *targets[PV_SC_PATHS_MAX] = {};
        bool decided[PV_SC_PATHS_MAX] = {}, redirected = false;
        for (unsigned i = 0; i < sc->n_paths; i++) {
                struct pv_capture *c = &t->cap[i];
                struct pv_decision *dec = &t->decision[i];
                int r = pv_capture_path(c, e->tid, sc, (enum pv_arch) arch, i, args, ptrace_root_path, t);
                if (r == -ESRCH)
                        return 0; /* gone */
                if (r == -EPERM || r == -EACCES) {
                        /* its memory or /proc entries are closed to us (a program that made itself
                         * non-dumpable, under a tracer without CAP_SYS_PTRACE): the call fails,
                         * never passes unseen */
                        return fail_call(t, e, -r);
                }
                /* nothing to decide on, or a path the kernel will refuse the same way (EFAULT,
                 * ENAMETOOLONG, "" ENOENT, RESOLVE_BENEATH EXDEV): that path is left as it is */
                if (r != PV_CAPTURE_DECIDE) {
                        dec->action = PV_PASS;
                        dec->rule = NULL;
                        continue;
                }
                r = pv_policy_decide(t->policy, c->abs, c->intent, dec);
                if (r < 0)
                        return fail_call(t, e, -r);
                decided[i] = true;
                if (dec->action == PV_FAIL) {
                        /* the first path that a rule denies decides the call */
                        t->counters.denied++;
                        pv_log_decision(t->verbose, t->session, sc, e->tid, c->abs, NULL, dec);
                        return fail_call(t, e, pv_rule_readonly(dec->rule) ? readonly_errno(t, e->tid, sc, c) : dec->error);
                }
                if (dec->action == PV_REDIRECT) {
                        redirected = true;
                        targets[i] = pv_capture_target(c, dec->target);
                        pv_log_decision(t->verbose, t->session, sc, e->tid, c->abs, dec->target, dec);
                        if (sc->n_paths == 1 && !c->beneath && !c->last_dot[0] && !t->check_root) {
                                bool follow = !pv_syscall_nofollow(sc, 0, c->flags) &&
                                              !(sc->path[0].intent & PV_INTENT_CREATE);
                                int k = follow_links_as_tracee(t, e->tid, c, dec, follow);
                                if (k < 0) {
                                        t->counters.denied++;
                                        return fail_call(t, e, -k);
                                }
                                if (k > 0)
                                        targets[i] = t->links;
                        }
                } else if (strict)
                        /* strict: the kernel reads the copy that we checked, not memory that another
                         * thread of the program may change meanwhile (still the program's memory:
                         * see README) */
                        targets[i] = pv_capture_target(c, c->abs);
                if (c->neutral)
                        decided[i] = false; /* an fd's object: no part in the EXDEV test */
        }
        /* a path that names an fd's object ("" with AT_EMPTY_PATH) has no rule: it takes no part */
        if ((sc->kind == PV_SC_RENAME || sc->kind == PV_SC_LINK) && redirected && decided[0] && decided[1] &&
            t->decision[0].rule != t->decision[1].rule) {
                /* two paths under different rules (or one redirected, one not) are on different
                 * file systems as far as the program can tell: as across mount points */
                t->counters.denied++;
                log_debug("%d %s(\"%s\", \"%s\"): EXDEV (the paths fall under different rules)", (int) e->tid,
                          sc->name, t->cap[0].abs, t->cap[1].abs);
                return fail_call(t, e, EXDEV);
        }
        if (redirected)
                t->counters.redirected++;
        else
                t->counters.passed++;
        if ((sc->kind == PV_SC_READLINK || sc->kind == PV_SC_READLINKAT) && !redirected &&
            strncmp(t->cap[0].abs, "/proc/", 6) == 0) {
                /* a link of /proc may show a redirect's target: its exit stop maps it back */
                e->fixup = FIX_READLINK;
                e->fix_buf = args[sc->result_arg];
                e->fix_size = args[sc->size_arg];
                if (!targets[0])
                        return restart(e->tid, PTRACE_SYSCALL, 0);
        }
        if (sc->kind == PV_SC_EXEC && decided[0] && arch == PV_ARCH_X86_64 && !t->check_root) {
                int r = exec_script(t, e, info, sc, targets[0] ? targets[0] : t->cap[0].abs, args);
                if (r != 0)
                        return r < 0 ? (r == -ESRCH ? 0 : r) : 0;
        }
        if (!targets[0] && !targets[1])
                return pass(t, e);
        return rewrite(t, e, info, sc, (enum pv_arch) arch, targets, sockcall ? args : NULL);
}

/* getsockname(), getpeername() that succeeded: the address that the kernel wrote (min(room,
 * length) bytes, the length at fix_lenp), mapped back when the session bound it through a
 * redirect, and written again in the same way. */
static int fix_sockname(struct pv_ptrace *t, struct tracee *e) {
        struct pv_sockname got, named;
        uint32_t len;
        if (pv_tracee_read(e->tid, e->fix_lenp, &len, sizeof(len)) < 0)
                return 0;
        size_t have = MIN(MIN((size_t) len, (size_t) e->fix_size), sizeof(got.bytes));
        if (pv_tracee_read(e->tid, e->fix_buf, got.bytes, have) < 0 ||
            !pv_socknames_map(t->socknames, got.bytes, have, len, &named))
                return 0;
        if (pv_tracee_write(e->tid, e->fix_buf, named.bytes, MIN((size_t) named.len, (size_t) e->fix_size)) < 0)
                return 0;
        (void) pv_tracee_write(e->tid, e->fix_lenp, &named.len, sizeof(named.len));
        return 0;
}

/* The result of getcwd() or of readlink() on a /proc link, mapped back to the names the program
 * used for redirected paths. */
static int fix_result(struct pv_ptrace *t, struct tracee *e) {
        uint64_t rax = 0;
        char real[PATH_MAX], named[PATH_MAX], root[PATH_MAX];
        int fix = e->fixup;
        e->fixup = FIX_NONE;
        int r = peek_reg(e->tid, offsetof(struct user_regs_struct, rax), &rax);
        if (r >= 0 && fix == FIX_SOCKNAME)
                return rax == 0 ? fix_sockname(t, e) : 0;
        if (r >= 0 && fix == FIX_MMSG) {
                uint32_t msg_len;
                if (rax == 1 && pv_tracee_read(e->tid, e->fix_buf, &msg_len, sizeof(msg_len)) >= 0)
                        (void) pv_tracee_write(e->tid, e->fix_lenp, &msg_len, sizeof(msg_len));
                return 0;
        }
        if (r < 0 || (int64_t) rax <= 0)
                return r;
        if (fix == FIX_GETCWD) {
                if (pv_tracee_cwd(e->tid, real, sizeof(real)) < 0)
                        return 0;
        } else {
                size_t n = MIN((size_t) rax, sizeof(real) - 1);
                if (pv_tracee_read(e->tid, e->fix_buf, real, n) < 0)
                        return 0;
                real[n] = '\0';
                if (real[0] != '/')
                        return 0;
        }
        int k = ptrace_root_path(t, e->tid, root, sizeof(root));
        int n = pv_capture_named(t->policy, real, root, k, named, sizeof(named));
        if (n == 0)
                return 0;
        int64_t result;
        if (fix == FIX_GETCWD) {
                if (e->fix_size < (uint64_t) n + 1)
                        result = -ERANGE;
                else {
                        if (pv_tracee_write(e->tid, e->fix_buf, named, (size_t) n + 1) < 0)
                                return 0;
                        result = n + 1;
                }
        } else {
                size_t len = MIN((size_t) n, (size_t) e->fix_size); /* truncated, as readlink does */
                if (pv_tracee_write(e->tid, e->fix_buf, named, len) < 0)
                        return 0;
                result = (int64_t) len;
        }
        return poke_reg(e->tid, offsetof(struct user_regs_struct, rax), (uint64_t) result);
}

/* The exit of a call that we rewrote: its result mapped back, its registers put back. */
static int exit_work(struct pv_ptrace *t, struct tracee *e) {
        short_name_done(t, e);
        if (e->fixup) {
                int r = fix_result(t, e);
                if (r < 0 && r != -ESRCH)
                        return r;
        }
        if (e->state == ST_RESTORE) {
                e->state = ST_NONE;
                for (unsigned i = 0; i < e->n_restore; i++) {
                        int r = poke_reg(e->tid, e->restore_off[i], e->restore_val[i]);
                        if (r < 0)
                                return r == -ESRCH ? 0 : r;
                }
                e->n_restore = 0;
        }
        return 0;
}

static int on_exit_stop(struct pv_ptrace *t, struct tracee *e) {
        switch (e->state) {
        case ST_NONE:
        case ST_RESTORE: {
                int r = exit_work(t, e);
                if (r < 0)
                        return r;
                break;
        }
        case ST_INJECT:
                return inject_done(t, e);
        case ST_FILTER: {
                uint64_t rax = 0;
                e->state = ST_NONE;
                if (peek_reg(e->tid, offsetof(struct user_regs_struct, rax), &rax) >= 0 && (int64_t) rax >= 0) {
                        e->delegated = true;
                        log_debug("%d has a seccomp listener of its own: its supervisor's calls are ours to see",
                                  (int) e->tid);
                }
                break;
        }
        }
        return pass(t, e);
}

/* A syscall stop (PTRACE_SYSCALL) or a seccomp stop. */
static int on_syscall_stop(struct pv_ptrace *t, struct tracee *e, bool seccomp) {
        /* seccomp mode: a syscall stop is always the exit of a call that we changed */
        if (!seccomp && (t->mode == PV_PTRACE_SECCOMP || e->state != ST_NONE))
                return on_exit_stop(t, e);
        struct syscall_info info = {};
        if (ptrace(PTRACE_GET_SYSCALL_INFO, e->tid, (void *) sizeof(info), &info) < 0)
                return errno == ESRCH ? 0 : -errno;
        if (info.op == INFO_ENTRY || info.op == INFO_SECCOMP)
                return on_entry(t, e, &info);
        return on_exit_stop(t, e);
}

static bool is_stop_signal(int sig) {
        return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

int pv_ptrace_step(struct pv_ptrace *t, int wait_flags) {
        int status;
        pid_t tid = waitpid(-1, &status, __WALL | wait_flags);
        if (tid < 0)
                return errno == ECHILD ? 0 : -errno;

        if (WIFEXITED(status) || WIFSIGNALED(status)) {
                if (tid == t->watched) {
                        t->watched_status = status;
                        t->watched_done = true;
                }
                tracee_drop(t, tid);
                return 1;
        }
        if (!WIFSTOPPED(status))
                return 1;

        struct tracee *e = tracee_get(t, tid); /* a new child may stop before its parent's event */
        if (!e) {
                ptrace(PTRACE_KILL, tid, 0, 0); /* never unsupervised */
                return -ENOMEM;
        }
        int sig = WSTOPSIG(status), event = status >> 16;
        int cont = t->mode == PV_PTRACE_ALL ? PTRACE_SYSCALL : PTRACE_CONT;
        int r = 0;
        if (event || sig != (SIGTRAP | 0x80))
                log_debug("ptrace: %d stopped: event %d, signal %d", (int) tid, event, sig);

        switch (event) {
        case 0:
                if (sig == (SIGTRAP | 0x80))
                        r = on_syscall_stop(t, e, false);
                else
                        r = restart(tid, cont, sig); /* signal-delivery-stop: deliver it */
                break;
        case PTRACE_EVENT_SECCOMP:
                r = on_syscall_stop(t, e, true);
                break;
        case PTRACE_EVENT_FORK:
        case PTRACE_EVENT_VFORK:
        case PTRACE_EVENT_CLONE: {
                unsigned long msg = 0;
                ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
                struct tracee *child = msg ? tracee_get(t, (pid_t) msg) : NULL;
                /* a copy of the address space has a copy of the pages; threads need their own */
                if (child)
                        child->delegated = e->delegated; /* filters are inherited */
                if (child && event != PTRACE_EVENT_CLONE && !child->scratch && !child->scratch_low) {
                        child->scratch = e->scratch;
                        child->scratch_low = e->scratch_low;
                }
                r = restart(tid, cont, 0);
                break;
        }
        case PTRACE_EVENT_EXEC: {
                unsigned long former = 0;
                ptrace(PTRACE_GETEVENTMSG, tid, 0, &former);
                /* a non-leader thread that execs takes the leader's tid; its own is gone */
                if (former && (pid_t) former != tid)
                        tracee_drop(t, (pid_t) former);
                e->state = ST_NONE;
                e->n_restore = 0;
                e->fixup = FIX_NONE;
                e->scratch = e->scratch_low = 0; /* a new address space */
                r = restart(tid, cont, 0);
                break;
        }
        case PTRACE_EVENT_STOP:
                if (is_stop_signal(sig)) {
                        /* group-stop: stay stopped, and let the real parent see it (job control) */
                        e->listening = true;
                        r = restart(tid, PTRACE_LISTEN, 0);
                        if (t->on_stop)
                                t->on_stop(t->on_stop_data, tid, sig);
                } else {
                        /* the first stop of a new tracee, our PTRACE_INTERRUPT, or the end of a
                         * group-stop (SIGCONT) */
                        if (e->listening) {
                                e->listening = false;
                                if (t->on_stop)
                                        t->on_stop(t->on_stop_data, tid, 0);
                        }
                        r = restart(tid, cont, 0);
                }
                break;
        default:
                r = restart(tid, cont, 0);
                break;
        }
        if (r < 0 && r != -ESRCH) {
                /* a tracee that we cannot handle must not go on unsupervised */
                log_error_errno(r, "cannot handle a stop of %d: %m; killing it", (int) tid);
                kill(tid, SIGKILL);
        }
        return 1;
}

/* ---- the hybrid: one call of a unotify session ------------------------------------------------- */

/* Waits for the next stop of `tid` (with `nohang`, only looks: returns 2 when there is none yet).
 * An exit is only looked at, never reaped: the tracee may be the caller's own child, whose status
 * belongs to the caller's wait. Returns 1 with *status for a stop, 0 when the thread is gone,
 * -errno. */
static int hybrid_wait(pid_t tid, int *status, bool nohang) {
        for (;;) {
                siginfo_t si = {};
                if (waitid(P_PID, (id_t) tid, &si, WEXITED | WSTOPPED | WNOWAIT | __WALL | (nohang ? WNOHANG : 0)) < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == ECHILD ? 0 : -errno;
                }
                if (si.si_pid == 0)
                        return 2; /* WNOHANG: nothing yet */
                if (si.si_code != CLD_TRAPPED && si.si_code != CLD_STOPPED)
                        return 0; /* exited or killed: left for whoever waits for it */
                pid_t w = waitpid(tid, status, __WALL | WNOHANG);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return errno == ECHILD ? 0 : -errno;
                if (w == 0)
                        continue; /* resumed meanwhile (SIGCONT of a group-stop) */
                if (!WIFSTOPPED(*status))
                        return 0; /* killed between the two waits: reaped, as ptrace allows */
                return 1;
        }
}

int pv_ptrace_hybrid(struct pv_ptrace *t, pid_t tid, uint64_t nr, uint32_t audit_arch, uint64_t ip,
                     uint64_t cookie, int (*restart_call)(void *userdata), void *userdata) {
        int r = 0, status;
        /* an execve from a thread that is not the leader takes the leader's tid on the way */
        const struct pv_syscall *sc = pv_syscall_lookup_audit(audit_arch, (long) nr);
        pid_t tgid = sc && sc->kind == PV_SC_EXEC ? pv_tracee_tgid(tid) : tid;
        if (tgid < 0)
                tgid = tid; /* cannot be read: looked at as its own group */
        /* TRACESECCOMP: the call made again carries the cookie, which the hybrid filter answers
         * with SECCOMP_RET_TRACE (ENOSYS for anyone without that option); its stop is let go */
        if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP) < 0)
                return -errno;
        if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0) {
                r = -errno; /* gone: its exit ends the attachment */
                return r == -ESRCH ? 0 : r;
        }
        /* -ERESTARTNOINTR: back from the call into our stop, and the call is made again after it */
        r = restart_call(userdata);
        if (r < 0 && r != -ENOENT)
                log_debug_errno(r, "hybrid: %d: cannot answer its notification: %m", (int) tid);

        struct tracee *e = tracee_get(t, tid);
        if (!e) {
                kill(tid, SIGKILL); /* never unsupervised halfway */
                return 0;           /* answered already: the caller must not answer again */
        }
        e->state = ST_NONE;
        e->n_restore = 0;
        e->fixup = FIX_NONE;
        e->delegated = false;
        t->check_root = root_differs(tid);

        bool entered = false, execed = false;
        unsigned polls = 0;
        int arch = pv_arch_from_audit(audit_arch);
        size_t cookie_off = arch >= 0 ? arg_reg[arch][5] : 0;
        uint64_t cookie_saved = 0;
        for (;;) {
                int k;
                if (entered && !execed && tgid != tid) {
                        /* an execve from a thread that is not the leader: once it goes through,
                         * the thread has the leader's tid, and a wait on its old one would never
                         * end (that pid is the released leader's). Both are looked at in turn,
                         * for at most about 1 s (the leader's pid shows its death in between). */
                        k = hybrid_wait(tid, &status, true);
                        if (k != 1) {
                                int k2 = hybrid_wait(tgid, &status, true);
                                if (k2 == 1) {
                                        tracee_drop(t, tid);
                                        tid = tgid;
                                        e = tracee_get(t, tid);
                                        if (!e) {
                                                kill(tid, SIGKILL);
                                                return 0; /* answered already, as above */
                                        }
                                        k = 1;
                                } else if (k2 < 0 && k2 != -ECHILD) {
                                        k = k2;
                                } else if (++polls < 20000) {
                                        usleep(50);
                                        continue;
                                }
                        }
                } else
                        k = hybrid_wait(tid, &status, false);
                if (k <= 0) {
                        r = k;
                        break; /* gone */
                }
                int sig = WSTOPSIG(status), event = status >> 16;
                if (event == PTRACE_EVENT_STOP) {
                        if (is_stop_signal(sig) && !entered) {
                                /* a group-stop came first: it stays stopped without us, and the call
                                 * comes back once it goes on */
                                ptrace(PTRACE_DETACH, tid, 0, 0);
                                break;
                        }
                        r = restart(tid, PTRACE_SYSCALL, 0); /* our interrupt: on to the call */
                } else if (event == PTRACE_EVENT_EXEC) {
                        execed = true; /* a new image: nothing of the old call to put back */
                        e->state = ST_NONE;
                        e->n_restore = 0;
                        e->fixup = FIX_NONE;
                        e->scratch = e->scratch_low = 0;
                        r = restart(tid, PTRACE_SYSCALL, 0);
                } else if (event) {
                        r = restart(tid, PTRACE_SYSCALL, 0);
                } else if (sig != (SIGTRAP | 0x80)) {
                        if (!entered) {
                                /* a signal first: delivered as we let go; its handler runs and the
                                 * call, made again after it, comes back as a new notification */
                                ptrace(PTRACE_DETACH, tid, 0, (long) sig);
                                break;
                        }
                        r = restart(tid, PTRACE_SYSCALL, sig);
                } else {
                        struct syscall_info info = {};
                        if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *) sizeof(info), &info) < 0) {
                                r = -errno;
                                break;
                        }
                        if (info.op == INFO_ENTRY) {
                                if (!entered) {
                                        if (info.entry.nr != nr || info.arch != audit_arch ||
                                            info.instruction_pointer != ip || arch < 0) {
                                                /* not the call we answered: let go; it comes back */
                                                ptrace(PTRACE_DETACH, tid, 0, 0);
                                                break;
                                        }
                                        entered = true;
                                        r = peek_reg(tid, cookie_off, &cookie_saved);
                                        if (r >= 0)
                                                r = set_arg(t, e, &info, (enum pv_arch) arch, 5, cookie);
                                        e->n_restore = 0; /* the cookie is put back below */
                                        if (r < 0)
                                                break;
                                }
                                r = on_entry(t, e, &info); /* restarts it (PTRACE_SYSCALL) */
                        } else if (e->state == ST_INJECT) {
                                r = inject_done(t, e); /* the page is there: the call again */
                        } else {
                                if (!execed) {
                                        r = exit_work(t, e);
                                        if (r >= 0 && entered)
                                                r = poke_reg(tid, cookie_off, cookie_saved);
                                }
                                ptrace(PTRACE_DETACH, tid, 0, 0);
                                break;
                        }
                }
                if (r < 0)
                        break;
        }
        tracee_drop(t, tid);
        if (r < 0 && r != -ESRCH) {
                /* halfway through a rewrite: the program must not go on with it */
                log_error_errno(r, "hybrid: cannot handle %d: %m; killing it", (int) tid);
                kill(tid, SIGKILL);
        }
        return 0; /* answered: the caller must not answer again */
}
