/* SPDX-License-Identifier: MIT */
#pragma once

/* Path capture, shared by every backend: from a stopped or notified call (its row, its arguments)
 * to the absolute path that the program named, as the policy must see it. It reads the flags
 * (from a register, or struct open_how in tracee memory), the path string, and the directory the
 * path is relative to (/proc/PID/cwd or /proc/PID/fd/N), maps a directory reached through a
 * redirect back to the name the program used for it, and normalises lexically.
 *
 * What a backend then does with the decision differs (unotify emulates, ptrace rewrites); how the
 * path is found must not. */

#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "backends/syscall-table.h"

struct pv_policy;

/* The tracee's root as a path of ours, to strip from the cwd and dirfd paths that /proc shows (a
 * chrooted program names its cwd from its own root). Returns the length of what it put in buf, 0
 * when the tracee's root is ours (nothing to strip), or -errno. */
typedef int (*pv_root_path_fn)(void *userdata, pid_t pid, char *buf, size_t size);

struct pv_capture {
        const struct pv_policy *policy;
        /* per call */
        uint64_t flags;          /* the effective flags: registers, implied, or open_how.flags */
        struct open_how how;     /* openat2 only */
        bool beneath, in_root;   /* openat2 RESOLVE_BENEATH|RESOLVE_IN_ROOT, RESOLVE_IN_ROOT */
        int dirfd;               /* the program's dirfd (AT_FDCWD when relative to its cwd) */
        bool have_base;          /* base holds the directory the path was taken from */
        unsigned intent;         /* PV_INTENT_* for the policy */
        unsigned index;          /* which path of the call (0, or 1 for the second of two) */
        char path[PATH_MAX];     /* as the program named it */
        char base[PATH_MAX];     /* its cwd or dirfd, as the program names it */
        char base_real[PATH_MAX];/* the same before the reverse mapping: the directory it really is */
        char abs[PATH_MAX + 1];  /* absolute, normalised, with a trailing "/" kept */
        char scratch[PATH_MAX];
        char last_dot[3];        /* "." or ".." when the path ends in it and the call adds or removes
                                  * entries: abs is then the directory part (see capture.c) */
        bool neutral;            /* /proc/PID/fd/N, /dev/fd/N: an object, not a covered place */
        /* PV_PATH_MSGHDR: the struct msghdr as the program gave it (x86-64: 56 bytes; i386:
         * compat_msghdr, 28), and where its fields are */
        uint8_t msghdr[56];
        size_t msghdr_size;
        uint64_t msg_iov, msg_iovlen, msg_control, msg_controllen;
        char target_buf[PATH_MAX + 4];
};

enum {
        PV_CAPTURE_DECIDE = 0, /* abs holds the path: ask the policy */
        PV_CAPTURE_KERNEL = 1, /* nothing to decide on (an empty path that names the dirfd's object,
                                * a dirfd that is not a directory): let the kernel do it */
};

/* Captures path `idx` of the call `sc` made by `pid` with `args` (already truncated to 32 bits for
 * i386). Returns PV_CAPTURE_DECIDE or PV_CAPTURE_KERNEL, or a -errno that the call must fail with
 * (EFAULT, ENAMETOOLONG, ENOENT for "", EXDEV for RESOLVE_BENEATH escapes, EINVAL/E2BIG for a
 * bad struct open_how), or -ESRCH when the tracee is gone. */
int pv_capture_path(struct pv_capture *c, pid_t pid, const struct pv_syscall *sc, enum pv_arch arch, unsigned idx,
                    const uint64_t args[PV_SC_ARGS], pv_root_path_fn root_path, void *userdata);

/* Whether a relative path climbs above its starting directory at any point ("a/../../b"), which
 * RESOLVE_BENEATH refuses even when it comes back down. */
bool pv_path_escapes(const char *rel);

/* For openat2 with RESOLVE_BENEATH/IN_ROOT on a redirected path: the directory that stands for the
 * program's dirfd on the target side (`anchor`, PATH_MAX) and the path below it (`*ret_sub`,
 * pointing into target or a static "."): the target minus the part of the path below the dirfd
 * when the redirect keeps that part, else the target's parent and last component. */
void pv_capture_anchor(const struct pv_capture *c, const char *target, char *anchor, const char **ret_sub);

struct pv_decision;
/* Logs a decision: at info when `verbose` (pathvisor run -v), else at debug; to the journal with
 * SESSION, TRACEE_PID, SYSCALL, PATH, TARGET (or ERRNO_NAME) and RULE fields. */
void pv_log_decision(bool verbose, unsigned long long session, const struct pv_syscall *sc, pid_t pid,
                     const char *abs, const char *target, const struct pv_decision *d);

/* The path that the call is made on for `target` (a redirect's target, or abs): with the last
 * "." or ".." component put back when the program's path had one (see last_dot). */
const char *pv_capture_target(struct pv_capture *c, const char *target);

/* An absolute symlink met below a redirect's target names a path of the program's view: it is
 * decided by the policy again (as PRoot does), up to 40 links (ELOOP). Walks the part of
 * d->target below the rule's target with lstat and readlink, with the caller's credentials and
 * root (unotify: the tracee's), the last component only if `follow_last`. Returns 0 when nothing
 * changes, 1 with the path to use in `out`, or -errno (a deny met on the way, ELOOP). Relative
 * links are left to the kernel. */
int pv_capture_follow_links(const struct pv_policy *p, const char *abs, const struct pv_decision *d, unsigned intent,
                            bool follow_last, char *out, size_t size, struct pv_decision *scratch);
/* False when `path` resolves without meeting a symlink (one openat2 with RESOLVE_NO_SYMLINKS);
 * true when it may hold one (or does not resolve). Tells nothing about the file beyond that: a
 * caller may make it with its own credentials before switching to a tracee's for the walk. */
bool pv_capture_may_have_links(const char *path, bool follow_last);
/* Whether pv_capture_follow_links() has anything to look at for `abs` decided by `d`: a part of
 * the path below the rule's own path, where the target may hold symlinks. */
bool pv_capture_has_rest(const char *abs, const struct pv_decision *d);
/* The "#!" line at the start of the n bytes of head (which has room for a NUL at head[n]), cut
 * in place as the kernel reads it: the interpreter and its one optional argument (NULL when
 * none). False when head does not start with "#!" or the interpreter is not an absolute path. */
bool pv_script_interpreter(char *head, size_t n, char **ret_interp, char **ret_arg);

/* Makes `path` (a path of ours) a path of the tracee's root `root` (root_len bytes; 0 or 1: our
 * own root) by dropping that prefix. Returns false, path unchanged, when path is not at or below
 * root. */
bool pv_path_strip_root(char *path, const char *root, size_t root_len);

/* The name the program uses for `real` (a cwd or an object that /proc shows as a path of ours),
 * in a tracee whose root is `root` (root_len as a pv_root_path_fn returns it): the root dropped,
 * then the redirects reversed. Returns its length in `out`, or 0 when nothing changes (no
 * redirect leads there, or real lies out of the tracee's root). `real` is changed in place. */
int pv_capture_named(const struct pv_policy *p, char *real, const char *root, int root_len, char *out, size_t size);

/* ---- AF_UNIX names bound through a redirect ----
 * A bind() through a redirect leaves the target's path (or, for a target longer than sun_path,
 * the /proc/self/fd path that unotify binds through) in the socket's address, and getsockname(),
 * getpeername() would show that where the kernel shows the name the program gave (relative ones
 * included). A session remembers what it bound: the address the kernel keeps, and the program's
 * own name; the answers of those two calls are mapped back when they name a remembered address.
 * The most recent PV_SOCKNAMES_MAX binds are kept; an older one shows the kernel's address. */
#define PV_SOCKNAMES_MAX 64
/* sizeof(struct sockaddr_un.sun_path) (capture.c checks it): the longest AF_UNIX path name */
#define PV_SUN_PATH_MAX 108

struct pv_socknames;
struct pv_socknames *pv_socknames_free(struct pv_socknames *s);
/* Remembers that the program's `named` was bound as `kernel` (both sun_path strings, at most 108
 * bytes). Allocates the table on first use. -ENOMEM, -ENAMETOOLONG, or 0. */
int pv_socknames_add(struct pv_socknames **s, const char *kernel, const char *named);

/* An address as getsockname() returns it: up to sizeof(struct sockaddr_un) + 1 bytes (a 108-byte
 * sun_path comes back with its NUL, length 111). */
struct pv_sockname {
        uint8_t bytes[2 + PV_SUN_PATH_MAX + 1]; /* sun_family, sun_path, its NUL */
        uint32_t len;
};
/* The kernel's answer: `have` bytes at `got` of an address whose length is `len` (the kernel copies
 * min(room, len) bytes and returns len). When it is an address that the session bound through a
 * redirect, fills *ret with the program's own and returns true. */
bool pv_socknames_map(const struct pv_socknames *s, const void *got, size_t have, size_t len,
                      struct pv_sockname *ret);

/* i386 socketcall(args[0], args[1]): the row of the call it makes (pv_socketcall_row) in *ret_sc,
 * and that call's arguments, read from the program's memory (32-bit words), in ret_args. Returns
 * 1 when decoded; 0 when it is none of the table's calls or its arguments cannot be read (the
 * kernel fails it with EFAULT itself); -ESRCH when the tracee is gone. */
int pv_capture_socketcall(pid_t pid, const uint64_t args[PV_SC_ARGS], const struct pv_syscall **ret_sc,
                          uint64_t ret_args[PV_SC_ARGS]);

/* sendmmsg(fd, vec, vlen, flags): message i is sendmsg(fd, vec + i * PV_MMSGHDR_SIZE(arch), flags).
 * Finds the first message whose address a rule covers (a redirect or a deny), capturing it into c
 * and deciding it into dec: returns 1 with its index in *ret_index; 0 when no message up to the
 * kernel's limit (1024) or up to the first one that cannot be read is covered (the kernel sends
 * them all, or fails where it fails); -errno (ESRCH, or the policy's). */
#define PV_MMSGHDR_SIZE(arch) ((arch) == PV_ARCH_I386 ? 32u : 64u)
#define PV_MSGHDR_SIZE(arch) ((arch) == PV_ARCH_I386 ? 28u : 56u)

/* The struct msghdr at addr in c->msghdr (PV_MSGHDR_SIZE bytes) and its fields in c->msg_*; its
 * msg_name and msg_namelen in *ret_name, *ret_namelen. 0 or -errno (EFAULT, EPERM, ESRCH). */
int pv_capture_msghdr(struct pv_capture *c, pid_t pid, enum pv_arch arch, uint64_t addr, uint64_t *ret_name,
                      uint64_t *ret_namelen);
struct pv_decision;
int pv_capture_mmsg(struct pv_capture *c, struct pv_decision *dec, pid_t pid, enum pv_arch arch,
                    const uint64_t args[PV_SC_ARGS], pv_root_path_fn root_path, void *userdata, unsigned *ret_index);

/* A readonly rule refuses the call on c->abs (path c->index of sc) with EROFS. On a read-only
 * mount the kernel looks the path up first, and what it finds there comes before EROFS: a
 * missing or unsearchable directory (ENOENT, ENOTDIR, EACCES, ELOOP), a name that exists for a
 * call that creates it (EEXIST; EADDRINUSE for bind), a missing object for a call that changes
 * one (ENOENT), a directory opened for writing (EISDIR). Looks at where the call would act (the
 * target when the rule also redirects), with the caller's credentials and root: the tracee's.
 * Returns the errno to give. */
int pv_capture_readonly_errno(const struct pv_policy *p, const struct pv_syscall *sc, const struct pv_capture *c);
