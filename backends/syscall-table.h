/* SPDX-License-Identifier: MIT */
#pragma once

/* The path system calls: ONE table, one row per call. The seccomp filter builder, the backends and
 * the unit tests all read it, so "which calls stop" and "how a call is decoded" cannot disagree.
 *
 * A row is named by the kernel's (and libseccomp's) name of the call. A row carries a number for
 * every architecture on which that name exists; when two architectures give the same operation
 * different names (newfstatat on x86-64, fstatat64 on i386) they are two rows with the same
 * `kind`. What differs between architectures for one name (the struct stat layout of "stat") is a
 * per-architecture field, never a second row, with one exception: a row has one set of argument
 * positions, so a call whose registers are laid out differently per architecture is one row per
 * architecture, each with the same name and -1 for the other arch (fanotify_mark: i386 passes the
 * 64-bit mask in two registers, which moves the dirfd and the path one register on).
 * pv_syscall_lookup() is by (arch, number) and never sees two; pv_syscall_by_name() returns the
 * first of them.
 *
 * Adding a call later (mkdir, rename, linkat, execve, bind, xattrs, ...) is adding a row, and
 * where needed an enum value: two paths with their own dirfds, follow rules and intents, a path
 * that is a sockaddr, a flags word in tracee memory, per-backend handling are all expressible. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum pv_arch {
        PV_ARCH_X86_64,
        PV_ARCH_I386, /* int $0x80 / sysenter: i386 numbers, 32-bit pointers (IA32 emulation) */
        _PV_ARCH_MAX,
};

/* What the call does, for the engine to switch on. Calls that differ only in the layout of their
 * result or in their number share a kind (stat, stat64, oldstat: PV_SC_STAT). */
enum pv_sc_kind {
        PV_SC_OPEN,        /* open(path, flags, mode) */
        PV_SC_OPENAT,      /* openat(dirfd, path, flags, mode) */
        PV_SC_OPENAT2,     /* openat2(dirfd, path, struct open_how *, size) */
        PV_SC_CREAT,       /* creat(path, mode) == open(path, O_CREAT|O_WRONLY|O_TRUNC, mode) */
        PV_SC_STAT,        /* stat(path, buf); also stat64, oldstat (i386) */
        PV_SC_LSTAT,       /* lstat(path, buf); also lstat64, oldlstat (i386) */
        PV_SC_FSTATAT,     /* newfstatat / fstatat64(dirfd, path, buf, flags) */
        PV_SC_STATX,       /* statx(dirfd, path, flags, mask, buf) */
        PV_SC_ACCESS,      /* access(path, mode) */
        PV_SC_FACCESSAT,   /* faccessat(dirfd, path, mode): the syscall has no flags */
        PV_SC_FACCESSAT2,  /* faccessat2(dirfd, path, mode, flags) */
        PV_SC_READLINK,    /* readlink(path, buf, size) */
        PV_SC_READLINKAT,  /* readlinkat(dirfd, path, buf, size) */
        PV_SC_GETXATTR,    /* getxattr / lgetxattr(path, name, value, size) */
        PV_SC_LISTXATTR,   /* listxattr / llistxattr(path, list, size) */
        PV_SC_EXEC,        /* execve(path, argv, envp), execveat(dirfd, path, argv, envp, flags) */
        PV_SC_CHDIR,       /* chdir(path) */
        PV_SC_STATFS,      /* statfs(path, buf); i386 statfs64(path, size, buf) */
        PV_SC_MKDIR,       /* mkdir(path, mode), mkdirat(dirfd, path, mode) */
        PV_SC_MKNOD,       /* mknod(path, mode, dev), mknodat(dirfd, path, mode, dev) */
        PV_SC_RMDIR,       /* rmdir(path) */
        PV_SC_UNLINK,      /* unlink(path), unlinkat(dirfd, path, flags: AT_REMOVEDIR) */
        PV_SC_CHMOD,       /* chmod, fchmodat (no flags), fchmodat2(dirfd, path, mode, flags) */
        PV_SC_CHOWN,       /* chown, lchown, fchownat, chown32, lchown32 (i386 chown/lchown: 16-bit ids) */
        PV_SC_TRUNCATE,    /* truncate(path, length); i386 truncate64(path, low, high) */
        PV_SC_UTIMES,      /* utime, utimes, futimesat, utimensat (the times' layout per row and arch) */
        PV_SC_SETXATTR,    /* setxattr / lsetxattr(path, name, value, size, flags) */
        PV_SC_GETXATTRAT,  /* getxattrat(dirfd, path, at_flags, name, struct xattr_args *, size) */
        PV_SC_SETXATTRAT,  /* setxattrat(dirfd, path, at_flags, name, struct xattr_args *, size) */
        PV_SC_REMOVEXATTR, /* removexattr / lremovexattr(path, name) */
        PV_SC_RENAME,      /* rename, renameat, renameat2(.., flags): two paths */
        PV_SC_LINK,        /* link, linkat(.., flags): two paths */
        PV_SC_SYMLINK,     /* symlink(content, path), symlinkat(content, dirfd, path): the content is
                            * not a path of the call (never translated), the new link's name is */
        PV_SC_BIND,        /* bind(fd, struct sockaddr_un *, len): a named AF_UNIX socket is created */
        PV_SC_CONNECT,     /* connect(fd, struct sockaddr_un *, len) */
        PV_SC_SENDTO,      /* sendto(fd, buf, len, flags, struct sockaddr_un *, addrlen) */
        PV_SC_SENDMSG,     /* sendmsg(fd, struct msghdr *, flags) */
        PV_SC_SENDMMSG,    /* sendmmsg(fd, struct mmsghdr *, vlen, flags): path 0 is the first message's
                            * address; the first message that a rule covers ends the part of the
                            * vector sent in this call (a short count, as sendmmsg may return) */
        PV_SC_INOTIFY,     /* inotify_add_watch(fd, path, mask): IN_DONT_FOLLOW in mask */
        PV_SC_FANOTIFY,    /* fanotify_mark(fd, flags, mask, dirfd, path): FAN_MARK_DONT_FOLLOW in flags;
                            * a 64-bit mask, in two registers on i386 (one row per arch) */
        PV_SC_NAME_TO_HANDLE, /* name_to_handle_at(dirfd, path, struct file_handle *, mount_id *, flags) */
        PV_SC_OPEN_TREE,   /* open_tree, open_tree_attr(dirfd, path, flags, ...): an O_PATH fd of the
                            * object (or of a copy of its mount, OPEN_TREE_CLONE) */
        PV_SC_FILE_GETATTR,/* file_getattr(dirfd, path, struct file_attr *, size, at_flags) */
        PV_SC_FILE_SETATTR,/* file_setattr(dirfd, path, struct file_attr *, size, at_flags) */
        PV_SC_ADMIN,       /* mount, umount, umount2, move_mount, fspick, mount_setattr, swapon,
                            * swapoff, acct, uselib, quotactl: privileged; the ptrace backends
                            * rewrite their paths, unotify hands them to its ptrace side (the call
                            * is the tracee's own, in its mount namespace with its capabilities) */
        PV_SC_GETCWD,      /* getcwd(buf, size): no path in, a path out: a cwd reached through a
                            * redirect is shown by the name the program used */
        PV_SC_SOCKNAME,    /* getsockname, getpeername(fd, addr, &len): no path in, an AF_UNIX address
                            * out: one that the session bound through a redirect is shown by the
                            * name the program gave (pv_socknames_map) */
        PV_SC_SOCKETCALL,  /* i386 socketcall(call, args): the socket calls multiplexed, their
                            * arguments in memory: decoded (pv_socketcall_row) into the row of the
                            * call it names, and handled as that call */
        PV_SC_SETCREDS,    /* no path: setuid, setgroups, capset, ... change the caller's credentials */
        PV_SC_SETVIEW,     /* chroot, pivot_root, unshare, setns: may change the caller's root or
                            * mount namespace (chroot's own path is not translated yet) */
        PV_SC_SETFILTER,   /* seccomp(): a filter with a listener of the program's own, which the
                            * ptrace backends must know about (nesting; strict policies refuse it) */
        _PV_SC_KIND_MAX,
};

/* What the call writes back besides its return value, per architecture. */
enum pv_sc_result {
        PV_RESULT_NONE,         /* the return value only (access), or absent on that arch */
        PV_RESULT_FD,           /* returns a new fd (open family) */
        PV_RESULT_STAT,         /* x86-64 struct stat, 144 bytes */
        PV_RESULT_STAT_I386,    /* i386 struct stat (the kernel's compat_stat), 64 bytes */
        PV_RESULT_STAT64_I386,  /* i386 struct stat64, 96 bytes (packed 4-byte alignment) */
        PV_RESULT_OLDSTAT_I386, /* i386 struct __old_kernel_stat, 32 bytes (16-bit ids, EOVERFLOW) */
        PV_RESULT_STATX,        /* struct statx, 256 bytes, same on every arch */
        PV_RESULT_BUFFER,       /* up to args[size_arg] bytes at args[result_arg]; returns the length */
        PV_RESULT_STATFS,       /* x86-64 struct statfs, 120 bytes */
        PV_RESULT_STATFS_I386,  /* i386 struct statfs (compat_statfs), 64 bytes (EOVERFLOW) */
        PV_RESULT_STATFS64_I386,/* i386 struct statfs64, 84 bytes (packed); args[extra_arg] must be 84 */
        PV_RESULT_SOCKADDR,     /* a socket address at args[result_arg], its length (socklen_t, read
                                 * and written) at args[size_arg] */
        _PV_RESULT_MAX,
};

/* Where the flags word comes from and which namespace its bits are in. */
enum pv_sc_flags_type {
        PV_FLAGS_NONE,      /* the call has no flags */
        PV_FLAGS_OPEN,      /* O_* in args[flags_arg] (or only implied_flags when flags_arg < 0) */
        PV_FLAGS_OPEN_HOW,  /* O_* in struct open_how at args[flags_arg], its size in args[flags_arg + 1]:
                             * the flags are in tracee memory, the engine reads them (also mode and
                             * resolve) and calls pv_syscall_intent_flags() */
        PV_FLAGS_AT,        /* AT_* in args[flags_arg] (or only implied_flags when flags_arg < 0) */
};

enum pv_sc_mode_type {
        PV_MODE_NONE,
        PV_MODE_CREATE,  /* permission bits of a file the call may create (open, creat) */
        PV_MODE_ACCESS,  /* R_OK|W_OK|X_OK|F_OK (access family) */
        PV_MODE_CHMOD,   /* the permission bits to set (chmod family) */
};

/* How the last component of a path is resolved. */
enum pv_sc_follow {
        PV_FOLLOW,          /* followed, unless flags has a bit of nofollow_flags (or O_CREAT|O_EXCL) */
        PV_NOFOLLOW,        /* never followed: readlink, the new name of rename/link/symlink */
        PV_FOLLOW_IF_FLAG,  /* followed only when flags has a bit of follow_flags (linkat's AT_SYMLINK_FOLLOW) */
};

/* When an empty path is valid (and then names the object that the dirfd refers to). */
enum pv_sc_empty {
        PV_EMPTY_NEVER,    /* "" fails with ENOENT */
        PV_EMPTY_IF_FLAG,  /* only with a bit of empty_path_flags (AT_EMPTY_PATH) */
        PV_EMPTY_ALWAYS,   /* readlinkat(fd, "") reads the link that fd (O_PATH|O_NOFOLLOW) is */
        PV_EMPTY_NULL,     /* a NULL pointer names the dirfd's object (utimensat(fd, NULL, ..) is
                            * futimens); "" fails with ENOENT unless AT_EMPTY_PATH */
};

enum pv_sc_path_type {
        PV_PATH_STRING,       /* NUL-terminated string */
        PV_PATH_SOCKADDR_UN,  /* struct sockaddr_un, its length in args[len_arg] (bind, connect) */
        PV_PATH_MSGHDR,       /* a struct msghdr whose msg_name is a struct sockaddr_un (sendmsg) */
        PV_PATH_MOUNT_SOURCE, /* mount's source: a path only for a bind or move mount (MS_BIND or
                               * MS_MOVE, not MS_REMOUNT); else a device, a name ("tmpfs", "none")
                               * or NULL, which the kernel reads its own way: never decided */
};

/* How a row's arguments are laid out beyond their registers, per architecture (the same name can
 * differ: i386's chown takes 16-bit ids, x86-64's 32-bit ones). */
enum pv_sc_layout {
        PV_LAYOUT_PLAIN,       /* nothing special */
        PV_LAYOUT_IDS16,       /* uid/gid are 16 bits: 0xffff means "unchanged" (-1) */
        PV_LAYOUT_LEN_SPLIT,   /* a 64-bit value in two registers: low, high (i386 truncate64's length,
                                * i386 fanotify_mark's mask) */
        PV_LAYOUT_UTIMBUF,     /* struct utimbuf { long actime, modtime; } (utime) */
        PV_LAYOUT_TIMEVAL,     /* struct timeval[2] of longs (utimes, futimesat) */
        PV_LAYOUT_TIMESPEC,    /* struct timespec[2] of longs (utimensat) */
        PV_LAYOUT_TIMESPEC64,  /* struct __kernel_timespec[2], 64-bit on every arch (utimensat_time64) */
        _PV_LAYOUT_MAX,
};

/* The backends. The row says what each one does with the call. */
enum pv_sc_backend {
        PV_SC_BACKEND_UNOTIFY,
        PV_SC_BACKEND_PTRACE_SECCOMP,
        PV_SC_BACKEND_PTRACE,
        _PV_SC_BACKEND_MAX,
};

enum pv_sc_how {
        PV_HOW_PASS,     /* not trapped: runs untouched */
        PV_HOW_EMULATE,  /* unotify: the supervisor performs the call as the tracee and answers (or
                          * CONTINUEs when no rule covers the path) */
        PV_HOW_REWRITE,  /* ptrace: the path is rewritten in tracee memory, the call runs as the tracee */
        PV_HOW_OBSERVE,  /* unotify: notified, noted, and let run (CONTINUE): calls that change the
                          * credentials the engine must act with */
        PV_HOW_TRACE,    /* unotify cannot do it faithfully (execve, chdir): SECCOMP_RET_TRACE to the
                          * session's ptrace side when there is one, else it passes (reported once) */
};

/* Argument arrays are uint64_t[6]. seccomp_data.args and struct ptrace_syscall_info's args are
 * __u64, i.e. unsigned long long, a different type to C: copy the six values. */
#define PV_SC_ARGS 6
#define PV_SC_PATHS_MAX 2
/* All numbers in the table are below this (lookup index size; x32 numbers are never in the table). */
#define PV_SC_NR_MAX 1024

struct pv_sc_path {
        int8_t arg;        /* the argument that holds the path's address */
        int8_t dirfd_arg;  /* the argument that holds the dirfd it is relative to; -1: the cwd */
        int8_t len_arg;    /* PV_PATH_SOCKADDR_UN: the argument with the address length; else -1 */
        uint8_t type;      /* enum pv_sc_path_type */
        uint8_t follow;    /* enum pv_sc_follow */
        uint8_t empty;     /* enum pv_sc_empty */
        uint8_t intent;    /* PV_INTENT_* the call always has on this path; flags add more */
};

struct pv_syscall {
        const char *name;                   /* kernel and libseccomp name */
        int nr[_PV_ARCH_MAX];               /* -1: absent on that architecture */
        uint8_t result[_PV_ARCH_MAX];       /* enum pv_sc_result, per architecture */
        uint8_t kind;                       /* enum pv_sc_kind */
        uint8_t n_paths;                    /* 1 or 2; 0 for the observed rows (SETCREDS, SETVIEW, SETFILTER) */
        struct pv_sc_path path[PV_SC_PATHS_MAX];

        int8_t flags_arg;                   /* -1: no flags argument */
        uint8_t flags_type;                 /* enum pv_sc_flags_type */
        uint32_t implied_flags;             /* flags that the call behaves as if it had: creat has
                                             * O_CREAT|O_WRONLY|O_TRUNC, lstat AT_SYMLINK_NOFOLLOW */
        uint32_t nofollow_flags;            /* bits of flags meaning "don't follow the last symlink" */
        uint32_t follow_flags;              /* PV_FOLLOW_IF_FLAG paths: bits meaning "follow" */
        uint32_t empty_path_flags;          /* PV_EMPTY_IF_FLAG paths: bits allowing an empty path */
        uint32_t no_path_flags;             /* bits of flags with which the kernel never looks at the
                                             * path (fanotify_mark's FAN_MARK_FLUSH): nothing to decide,
                                             * the call is the kernel's whatever the path holds */

        /* Non-strict filters only: a call whose flags argument (a register) has this bit is not
         * trapped at all. AT_EMPTY_PATH on the stat family: glibc's fstat() is
         * newfstatat(fd, "", buf, AT_EMPTY_PATH). The BPF cannot see that the path is "" (it is in
         * memory), and with a NON-empty path the kernel still resolves it, relative to dirfd or
         * absolute, so a program that sets the bit on purpose stats any path untrapped: a
         * redirect is bypassed and the metadata (never the content) of a denied path can be read.
         * pv_filter_build(strict = true) drops every fast path. */
        uint32_t fast_path_flag;

        int8_t mode_arg;                    /* -1: none (openat2: mode is in struct open_how) */
        uint8_t mode_type;                  /* enum pv_sc_mode_type */
        int8_t result_arg;                  /* where the call writes its result (stat/readlink buffer); -1 */
        int8_t size_arg;                    /* the size of that buffer (readlink); -1 */

        uint8_t how[_PV_SC_BACKEND_MAX];    /* enum pv_sc_how, per backend */
        uint8_t layout[_PV_ARCH_MAX];       /* enum pv_sc_layout, per architecture */
        int8_t extra_arg;                   /* the call's other argument (the times, the xattr
                                             * name, the symlink content, the length, the ids): -1 */
};

extern const struct pv_syscall pv_syscall_table[];
extern const size_t pv_syscall_table_size;

/* AUDIT_ARCH_X86_64 -> PV_ARCH_X86_64, AUDIT_ARCH_I386 -> PV_ARCH_I386; -EAFNOSUPPORT otherwise. */
int pv_arch_from_audit(uint32_t audit_arch);
uint32_t pv_arch_to_audit(enum pv_arch arch);
const char *pv_arch_to_string(enum pv_arch arch);
const char *pv_sc_kind_to_string(enum pv_sc_kind kind);
const char *pv_sc_how_to_string(enum pv_sc_how how);
/* Bytes that the kernel writes for a stat-like result, 0 for the others. */
size_t pv_sc_result_size(enum pv_sc_result result);

/* The row of system call `nr` on `arch`, NULL when it is not a path call (or nr is out of range,
 * e.g. an x32 number). O(1): index arrays built from the table on first use (thread-safe). */
const struct pv_syscall *pv_syscall_lookup(enum pv_arch arch, long nr);
/* The same, from seccomp_data.arch / PTRACE_GET_SYSCALL_INFO's arch. */
const struct pv_syscall *pv_syscall_lookup_audit(uint32_t audit_arch, long nr);
/* By name; a linear scan, for tools and tests. The first row of that name (fanotify_mark has one
 * per arch: see the top of this file). */
const struct pv_syscall *pv_syscall_by_name(const char *name);

/* i386 socketcall(call, args): the row of the call that `call` (linux/net.h SYS_*) names when it
 * is one of the table's (bind, connect, getsockname, getpeername, sendto, sendmsg; the filter
 * traps socketcall for these only), and how many 32-bit words of arguments it reads at `args`;
 * NULL for the others. */
/* Newer than the 6.1 headers; the same number on x86-64 and i386. */
#define PV_NR_FILE_GETATTR 468
#define PV_NR_FILE_SETATTR 469

#define PV_SOCKETCALL_MAX 21 /* SYS_* are below this */
const struct pv_syscall *pv_socketcall_row(uint64_t call, unsigned *ret_nargs);

/* Word `i` of an array of the arch's longs and pointers as the program laid it out (4 bytes on
 * i386, 8 on x86-64): struct msghdr, struct iovec arrays. */
static inline uint64_t pv_arch_word(const void *base, size_t i, enum pv_arch arch) {
        if (arch == PV_ARCH_I386) {
                uint32_t w;
                memcpy(&w, (const uint8_t *) base + i * 4, 4);
                return w;
        }
        uint64_t w;
        memcpy(&w, (const uint8_t *) base + i * 8, 8);
        return w;
}

static inline int pv_syscall_nr(const struct pv_syscall *sc, enum pv_arch arch) {
        return (unsigned) arch < _PV_ARCH_MAX ? sc->nr[arch] : -1;
}

/* The dirfd of path `i`: the register truncated to int (AT_FDCWD arrives as 0xffffff9c from some
 * programs and 0xffffffffffffff9c from others), or AT_FDCWD when the path has no dirfd. */
int pv_syscall_dirfd(const struct pv_syscall *sc, unsigned i, const uint64_t args[PV_SC_ARGS]);

/* The effective flags of the call from its registers: implied_flags | (uint32_t) args[flags_arg].
 * Returns false (and implied_flags only) when the flags are in tracee memory (PV_FLAGS_OPEN_HOW):
 * the engine reads them itself. */
bool pv_syscall_flags(const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS], uint64_t *ret_flags);

/* PV_INTENT_* bits (policy/policy.h) of path `i` given the call's flags (as from
 * pv_syscall_flags(), or read from struct open_how) and its mode argument:
 *   open family: O_RDONLY -> READ; O_WRONLY -> WRITE; O_RDWR (and the ioctl-only mode 3) ->
 *   READ|WRITE; O_TRUNC -> +WRITE; O_CREAT -> +CREATE; O_TMPFILE -> +CREATE|WRITE;
 *   O_PATH -> STAT (the kernel ignores every other flag);
 *   access family: STAT, +WRITE for W_OK (a readonly rule then fails it with EROFS, as a
 *   read-only mount does); stat family: STAT; readlink: READ. */
unsigned pv_syscall_intent_flags(const struct pv_syscall *sc, unsigned i, uint64_t flags, uint64_t mode);
/* The same from the registers alone. For PV_FLAGS_OPEN_HOW rows (openat2) the flags are not in a
 * register: this then fails closed and returns READ|WRITE|CREATE, so a caller that forgets to read
 * struct open_how gets EROFS from readonly rules instead of writing through them. */
unsigned pv_syscall_path_intent(const struct pv_syscall *sc, unsigned i, const uint64_t args[PV_SC_ARGS]);
/* Path 0. */
unsigned pv_syscall_intent(const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS]);

/* Whether the last component of path `i` is not followed, given the effective flags. */
bool pv_syscall_nofollow(const struct pv_syscall *sc, unsigned i, uint64_t flags);

/* Whether unotify may hand the call to its session's ptrace side (the hybrid): the rows it
 * cannot emulate (PV_HOW_TRACE: execve, chdir, ...); the opens, whose O_PATH on what ADDFD cannot
 * inject (a FIFO, a device, a socket, a symlink itself) goes there; connect, sendmsg, sendmmsg
 * (and socketcall), which must be the program's own calls for the peer to see the program's
 * credentials (SO_PEERCRED, SCM_CREDENTIALS). A hybrid filter traces such a call instead of
 * notifying it when its sixth argument (free in all of them) holds the cookie. sendto has its
 * address length there: it stays emulated. */
bool pv_syscall_hybrid_row(const struct pv_syscall *sc);
/* Whether an empty path `i` is valid (naming the dirfd's object) given the effective flags. */
bool pv_syscall_empty_path_ok(const struct pv_syscall *sc, unsigned i, uint64_t flags);
/* Whether a non-strict filter lets this call through untrapped (see fast_path_flag). Exactly the
 * test that the BPF makes, for backends that see every call (plain ptrace) to skip the same. */
bool pv_syscall_fast_path(const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS]);
/* Whether the call names no address (a socket row whose address length is 0: send() on a
 * connected socket is sendto(fd, buf, len, flags, NULL, 0); a socketcall of a call that has
 * none, such as SYS_SOCKET). The filter lets such calls through
 * untrapped, strict or not (there is no path to decide on); plain ptrace skips the same. */
bool pv_syscall_no_address(const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS]);
