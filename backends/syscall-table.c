/* SPDX-License-Identifier: MIT */
/* The path system call table. Numbers are literals on purpose: the x86-64 and i386 numbers cannot
 * both come from <asm/unistd_*.h> in one translation unit (same macro names), the 6.1 headers and
 * libseccomp 2.5.4 lack newer calls, and the numbers are kernel ABI. test-syscall-table checks each
 * one against libseccomp (where it knows the name), against <sys/syscall.h> for x86-64, and by
 * calling it on the running kernel (int $0x80 for i386) with the arguments the row describes.
 *
 * i386 stat calls: i386 has four generations and all of them exist in the IA32 emulation of a
 * 64-bit kernel (measured on 6.18), so all are rows: oldstat/oldlstat (18/84, struct
 * __old_kernel_stat), stat/lstat (106/107, struct stat), stat64/lstat64 (195/196, struct stat64),
 * fstatat64 (300, struct stat64) and statx (383). A program that nobody traps on one of them would
 * walk around every rule, so none may be missing. */

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "backends/seccomp-compat.h"
#include "backends/syscall-table.h"
#include "common/macro.h"
#include "policy/policy.h"

#define NR(x86_64, i386) .nr = { [PV_ARCH_X86_64] = (x86_64), [PV_ARCH_I386] = (i386) }
#define RESULT(x86_64, i386) .result = { [PV_ARCH_X86_64] = (x86_64), [PV_ARCH_I386] = (i386) }
#define RESULT_BOTH(r) RESULT(r, r)

/* A string path; the intent it always has. */
#define PATH(a, d, f, e, i)                                                     \
        {                                                                       \
                .arg = (a), .dirfd_arg = (d), .len_arg = -1, .type = PV_PATH_STRING, \
                .follow = (f), .empty = (e), .intent = (i),                     \
        }
#define ONE_PATH(...) .n_paths = 1, .path = { PATH(__VA_ARGS__) }

#define FLAGS(a, t) .flags_arg = (a), .flags_type = (t)
#define NO_FLAGS .flags_arg = -1, .flags_type = PV_FLAGS_NONE
#define MODE(a, t) .mode_arg = (a), .mode_type = (t)
#define NO_MODE .mode_arg = -1, .mode_type = PV_MODE_NONE
#define WRITES(r, s) .result_arg = (r), .size_arg = (s)
#define WRITES_NOTHING .result_arg = -1, .size_arg = -1

/* The same handling for every path call of this issue: unotify performs it as the tracee, both
 * ptrace backends rewrite the path in place. */
#define HOW_DEFAULT                                                             \
        .how = {                                                                \
                [PV_SC_BACKEND_UNOTIFY] = PV_HOW_EMULATE,                       \
                [PV_SC_BACKEND_PTRACE_SECCOMP] = PV_HOW_REWRITE,                \
                [PV_SC_BACKEND_PTRACE] = PV_HOW_REWRITE,                        \
        }

/* unotify: SECCOMP_RET_TRACE for a session's ptrace side where there is one, else they pass */
#define HOW_EXEC                                                                \
        .how = {                                                                \
                [PV_SC_BACKEND_UNOTIFY] = PV_HOW_TRACE,                         \
                [PV_SC_BACKEND_PTRACE_SECCOMP] = PV_HOW_REWRITE,                \
                [PV_SC_BACKEND_PTRACE] = PV_HOW_REWRITE,                        \
        }

#define OPEN_ROW(n, x86_64, i386, k, pa, da, fa, ma)                            \
        {                                                                       \
                .name = (n), NR(x86_64, i386), RESULT_BOTH(PV_RESULT_FD), .kind = (k), \
                ONE_PATH(pa, da, PV_FOLLOW, PV_EMPTY_NEVER, 0),                 \
                FLAGS(fa, PV_FLAGS_OPEN), .nofollow_flags = O_NOFOLLOW,         \
                MODE(ma, PV_MODE_CREATE), WRITES_NOTHING, HOW_DEFAULT,          \
        }

/* stat(path, buf) and lstat(path, buf) in their layouts. */
#define STAT_ROW(n, x86_64, i386, k, res64, res32, implied)                     \
        {                                                                       \
                .name = (n), NR(x86_64, i386), RESULT(res64, res32), .kind = (k), \
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_STAT),     \
                FLAGS(-1, PV_FLAGS_AT), .implied_flags = (implied),             \
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, NO_MODE, WRITES(1, -1), HOW_DEFAULT, \
        }

/* newfstatat / fstatat64(dirfd, path, buf, flags). */
#define FSTATAT_ROW(n, x86_64, i386, res64, res32)                              \
        {                                                                       \
                .name = (n), NR(x86_64, i386), RESULT(res64, res32), .kind = PV_SC_FSTATAT, \
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_STAT),    \
                FLAGS(3, PV_FLAGS_AT), .nofollow_flags = AT_SYMLINK_NOFOLLOW,   \
                .empty_path_flags = AT_EMPTY_PATH, .fast_path_flag = AT_EMPTY_PATH, \
                NO_MODE, WRITES(2, -1), HOW_DEFAULT,                            \
        }

/* getxattr(path, name, value, size), listxattr(path, list, size) and their l* forms: the result
 * is a buffer of up to `size` bytes; size 0 asks only for the length. */
#define XATTR_READ_ROW(n, x86_64, i386, k, follow, res, size)                   \
        {                                                                       \
                .name = (n), NR(x86_64, i386), RESULT_BOTH(PV_RESULT_BUFFER), .kind = (k), \
                ONE_PATH(0, -1, follow, PV_EMPTY_NEVER, PV_INTENT_READ),        \
                NO_FLAGS, NO_MODE, WRITES(res, size), HOW_DEFAULT,              \
        }

#define CREDS_ROW(n, x86_64, i386)                                              \
        {                                                                       \
                .name = (n), NR(x86_64, i386), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SETCREDS, \
                .n_paths = 0, NO_FLAGS, NO_MODE, WRITES_NOTHING,                \
                .how = {                                                        \
                        [PV_SC_BACKEND_UNOTIFY] = PV_HOW_OBSERVE,               \
                        [PV_SC_BACKEND_PTRACE_SECCOMP] = PV_HOW_PASS,           \
                        [PV_SC_BACKEND_PTRACE] = PV_HOW_PASS,                   \
                },                                                              \
        }

#define VIEW_ROW(n, x86_64, i386)                                               \
        {                                                                       \
                .name = (n), NR(x86_64, i386), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SETVIEW, \
                .n_paths = 0, NO_FLAGS, NO_MODE, WRITES_NOTHING,                \
                .how = {                                                        \
                        [PV_SC_BACKEND_UNOTIFY] = PV_HOW_OBSERVE,               \
                        [PV_SC_BACKEND_PTRACE_SECCOMP] = PV_HOW_OBSERVE,           \
                        [PV_SC_BACKEND_PTRACE] = PV_HOW_OBSERVE,                   \
                },                                                              \
        }

/* One path that the call changes, with the intent it always has. */
#define MUT_ROW(n, x86_64, i386, k, pa, da, f, e, intent, fa, ma, xa)           \
        {                                                                       \
                .name = (n), NR(x86_64, i386), RESULT_BOTH(PV_RESULT_NONE), .kind = (k), \
                ONE_PATH(pa, da, f, e, intent), FLAGS(fa, PV_FLAGS_AT),         \
                MODE(ma, (ma) < 0 ? PV_MODE_NONE : (k) == PV_SC_CHMOD ? PV_MODE_CHMOD : PV_MODE_CREATE), \
                WRITES_NOTHING, HOW_DEFAULT, .extra_arg = (xa),                 \
        }

/* Two paths, each with its dirfd. */
#define TWO_PATHS(a0, d0, f0, i0, a1, d1, f1, i1)                               \
        .n_paths = 2, .path = { PATH(a0, d0, f0, PV_EMPTY_NEVER, i0), PATH(a1, d1, f1, PV_EMPTY_NEVER, i1) }

#define LAYOUT(x86_64, i386) .layout = { [PV_ARCH_X86_64] = (x86_64), [PV_ARCH_I386] = (i386) }

/* Seen by the ptrace backends only: unotify needs no look at it (a second listener below ours
 * fails with EBUSY anyway). */
#define FILTER_ROW(n, x86_64, i386)                                             \
        {                                                                       \
                .name = (n), NR(x86_64, i386), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SETFILTER, \
                .n_paths = 0, NO_FLAGS, NO_MODE, WRITES_NOTHING,                \
                .how = {                                                        \
                        [PV_SC_BACKEND_UNOTIFY] = PV_HOW_PASS,                  \
                        [PV_SC_BACKEND_PTRACE_SECCOMP] = PV_HOW_OBSERVE,        \
                        [PV_SC_BACKEND_PTRACE] = PV_HOW_OBSERVE,                \
                },                                                              \
        }

const struct pv_syscall pv_syscall_table[] = {
        /* ---- open family ---- */
        OPEN_ROW("open", 2, 5, PV_SC_OPEN, 0, -1, 1, 2),
        OPEN_ROW("openat", 257, 295, PV_SC_OPENAT, 1, 0, 2, 3),
        {
                .name = "openat2", NR(437, 437), RESULT_BOTH(PV_RESULT_FD), .kind = PV_SC_OPENAT2,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_NEVER, 0),
                /* struct open_how *how = args[2], size = args[3]; RESOLVE_NO_SYMLINKS in
                 * how->resolve forbids symlinks everywhere, the engine reads it with the flags. */
                FLAGS(2, PV_FLAGS_OPEN_HOW), .nofollow_flags = O_NOFOLLOW,
                .mode_arg = -1, .mode_type = PV_MODE_CREATE,
                WRITES_NOTHING, HOW_DEFAULT,
        },
        {
                .name = "creat", NR(85, 8), RESULT_BOTH(PV_RESULT_FD), .kind = PV_SC_CREAT,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, 0),
                FLAGS(-1, PV_FLAGS_OPEN), .implied_flags = O_CREAT | O_WRONLY | O_TRUNC,
                .nofollow_flags = O_NOFOLLOW, MODE(1, PV_MODE_CREATE), WRITES_NOTHING, HOW_DEFAULT,
        },

        /* ---- stat family ---- */
        STAT_ROW("stat", 4, 106, PV_SC_STAT, PV_RESULT_STAT, PV_RESULT_STAT_I386, 0),
        STAT_ROW("lstat", 6, 107, PV_SC_LSTAT, PV_RESULT_STAT, PV_RESULT_STAT_I386, AT_SYMLINK_NOFOLLOW),
        STAT_ROW("stat64", -1, 195, PV_SC_STAT, PV_RESULT_NONE, PV_RESULT_STAT64_I386, 0),
        STAT_ROW("lstat64", -1, 196, PV_SC_LSTAT, PV_RESULT_NONE, PV_RESULT_STAT64_I386, AT_SYMLINK_NOFOLLOW),
        STAT_ROW("oldstat", -1, 18, PV_SC_STAT, PV_RESULT_NONE, PV_RESULT_OLDSTAT_I386, 0),
        STAT_ROW("oldlstat", -1, 84, PV_SC_LSTAT, PV_RESULT_NONE, PV_RESULT_OLDSTAT_I386, AT_SYMLINK_NOFOLLOW),
        FSTATAT_ROW("newfstatat", 262, -1, PV_RESULT_STAT, PV_RESULT_NONE),
        FSTATAT_ROW("fstatat64", -1, 300, PV_RESULT_NONE, PV_RESULT_STAT64_I386),
        {
                .name = "statx", NR(332, 383), RESULT_BOTH(PV_RESULT_STATX), .kind = PV_SC_STATX,
                /* statx(dirfd, path, flags, mask, buf); the engine reads mask by kind. */
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_STAT),
                FLAGS(2, PV_FLAGS_AT), .nofollow_flags = AT_SYMLINK_NOFOLLOW,
                .empty_path_flags = AT_EMPTY_PATH, .fast_path_flag = AT_EMPTY_PATH,
                NO_MODE, WRITES(4, -1), HOW_DEFAULT,
        },

        /* ---- access family ---- */
        {
                .name = "access", NR(21, 33), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ACCESS,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_STAT),
                FLAGS(-1, PV_FLAGS_AT), MODE(1, PV_MODE_ACCESS), WRITES_NOTHING, HOW_DEFAULT,
        },
        {
                .name = "faccessat", NR(269, 307), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_FACCESSAT,
                /* The syscall has three arguments; glibc emulates AT_EACCESS and
                 * AT_SYMLINK_NOFOLLOW in user space or uses faccessat2. */
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_STAT),
                FLAGS(-1, PV_FLAGS_AT), MODE(2, PV_MODE_ACCESS), WRITES_NOTHING, HOW_DEFAULT,
        },
        {
                .name = "faccessat2", NR(439, 439), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_FACCESSAT2,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_STAT),
                FLAGS(3, PV_FLAGS_AT), .nofollow_flags = AT_SYMLINK_NOFOLLOW,
                .empty_path_flags = AT_EMPTY_PATH,
                MODE(2, PV_MODE_ACCESS), WRITES_NOTHING, HOW_DEFAULT,
        },

        /* ---- readlink family ---- */
        {
                .name = "readlink", NR(89, 85), RESULT_BOTH(PV_RESULT_BUFFER), .kind = PV_SC_READLINK,
                ONE_PATH(0, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_READ),
                NO_FLAGS, NO_MODE, WRITES(1, 2), HOW_DEFAULT,
        },
        {
                .name = "readlinkat", NR(267, 305), RESULT_BOTH(PV_RESULT_BUFFER), .kind = PV_SC_READLINKAT,
                ONE_PATH(1, 0, PV_NOFOLLOW, PV_EMPTY_ALWAYS, PV_INTENT_READ),
                NO_FLAGS, NO_MODE, WRITES(2, 3), HOW_DEFAULT,
        },

        /* ---- reading extended attributes (ls -l asks for security.selinux and ACLs) ---- */
        XATTR_READ_ROW("getxattr", 191, 229, PV_SC_GETXATTR, PV_FOLLOW, 2, 3),
        XATTR_READ_ROW("lgetxattr", 192, 230, PV_SC_GETXATTR, PV_NOFOLLOW, 2, 3),
        XATTR_READ_ROW("listxattr", 194, 232, PV_SC_LISTXATTR, PV_FOLLOW, 1, 2),
        XATTR_READ_ROW("llistxattr", 195, 233, PV_SC_LISTXATTR, PV_NOFOLLOW, 1, 2),


        /* ---- running and entering: unotify cannot perform them for the program (an exec or a
         * cwd is the caller's own); the ptrace backends rewrite them ---- */
        {
                .name = "execve", NR(59, 11), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_EXEC,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_EXEC), NO_FLAGS, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {
                .name = "execveat", NR(322, 358), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_EXEC,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_EXEC), FLAGS(4, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {
                .name = "chdir", NR(80, 12), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_CHDIR,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_EXEC), NO_FLAGS, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },

        /* ---- AF_UNIX addresses (i386 programs that still use socketcall(2) are not decoded) ---- */
        {
                .name = "bind", NR(49, 361), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_BIND,
                .n_paths = 1,
                .path = { { .arg = 1, .dirfd_arg = -1, .len_arg = 2, .type = PV_PATH_SOCKADDR_UN,
                            .follow = PV_NOFOLLOW, .empty = PV_EMPTY_NEVER, .intent = PV_INTENT_CREATE } },
                NO_FLAGS, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 0,
        },
        {
                .name = "connect", NR(42, 362), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_CONNECT,
                .n_paths = 1,
                .path = { { .arg = 1, .dirfd_arg = -1, .len_arg = 2, .type = PV_PATH_SOCKADDR_UN,
                            .follow = PV_FOLLOW, .empty = PV_EMPTY_NEVER, .intent = PV_INTENT_READ } },
                NO_FLAGS, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 0,
        },
        {       /* a NULL or unnamed address (a connected socket) has no path: not decided */
                .name = "sendto", NR(44, 369), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SENDTO,
                .n_paths = 1,
                .path = { { .arg = 4, .dirfd_arg = -1, .len_arg = 5, .type = PV_PATH_SOCKADDR_UN,
                            .follow = PV_FOLLOW, .empty = PV_EMPTY_NEVER, .intent = PV_INTENT_READ } },
                NO_FLAGS, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 0,
        },
        {       /* every sendmsg is trapped (the address is in memory): one without a name is let go */
                .name = "sendmsg", NR(46, 370), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SENDMSG,
                .n_paths = 1,
                .path = { { .arg = 1, .dirfd_arg = -1, .len_arg = -1, .type = PV_PATH_MSGHDR,
                            .follow = PV_FOLLOW, .empty = PV_EMPTY_NEVER, .intent = PV_INTENT_READ } },
                NO_FLAGS, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 0,
        },
        {       /* every sendmmsg is trapped; see PV_SC_SENDMMSG for the messages after the first */
                .name = "sendmmsg", NR(307, 345), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SENDMMSG,
                .n_paths = 1,
                .path = { { .arg = 1, .dirfd_arg = -1, .len_arg = -1, .type = PV_PATH_MSGHDR,
                            .follow = PV_FOLLOW, .empty = PV_EMPTY_NEVER, .intent = PV_INTENT_READ } },
                NO_FLAGS, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 0,
        },
        {
                .name = "inotify_add_watch", NR(254, 292), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_INOTIFY,
                ONE_PATH(1, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_READ), FLAGS(2, PV_FLAGS_AT),
                .nofollow_flags = 0x02000000 /* IN_DONT_FOLLOW */, NO_MODE, WRITES_NOTHING, HOW_DEFAULT,
                .extra_arg = 0,
        },
        /* fanotify_mark(fd, flags, mask, dirfd, path): one row per arch, because i386 passes the
         * 64-bit mask in two registers (low, high), which moves the dirfd and the path one register
         * on (see syscall-table.h). A NULL path marks the dirfd's own object: nothing to decide;
         * "" is ENOENT (the call has no AT_EMPTY_PATH). FAN_MARK_FLUSH never looks at the path.
         * extra_arg: the fanotify fd; the mask is the register after the flags. */
        {
                .name = "fanotify_mark", NR(301, -1), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_FANOTIFY,
                ONE_PATH(4, 3, PV_FOLLOW, PV_EMPTY_NULL, PV_INTENT_READ), FLAGS(1, PV_FLAGS_AT),
                .nofollow_flags = 0x04 /* FAN_MARK_DONT_FOLLOW */, .no_path_flags = 0x80 /* FAN_MARK_FLUSH */,
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 0,
                LAYOUT(PV_LAYOUT_PLAIN, PV_LAYOUT_PLAIN),
        },
        {
                .name = "fanotify_mark", NR(-1, 339), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_FANOTIFY,
                ONE_PATH(5, 4, PV_FOLLOW, PV_EMPTY_NULL, PV_INTENT_READ), FLAGS(1, PV_FLAGS_AT),
                .nofollow_flags = 0x04 /* FAN_MARK_DONT_FOLLOW */, .no_path_flags = 0x80 /* FAN_MARK_FLUSH */,
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 0,
                LAYOUT(PV_LAYOUT_PLAIN, PV_LAYOUT_LEN_SPLIT),
        },

        {       /* the handle names the target's inode: open_by_handle_at() then needs no path */
                .name = "name_to_handle_at", NR(303, 341), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_NAME_TO_HANDLE,
                ONE_PATH(1, 0, PV_FOLLOW_IF_FLAG, PV_EMPTY_IF_FLAG, PV_INTENT_STAT), FLAGS(4, PV_FLAGS_AT),
                .follow_flags = AT_SYMLINK_FOLLOW, .empty_path_flags = AT_EMPTY_PATH, NO_MODE,
                WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 2,
        },

        /* ---- open_tree: an O_PATH fd, which unotify cannot inject: the hybrid ---- */
        {       /* with OPEN_TREE_CLONE a copy of the mount (CAP_SYS_ADMIN); without, an O_PATH open */
                .name = "open_tree", NR(428, 428), RESULT_BOTH(PV_RESULT_FD), .kind = PV_SC_OPEN_TREE,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_READ), FLAGS(2, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {       /* open_tree_attr(dirfd, path, flags, struct mount_attr *, size): 6.15 */
                .name = "open_tree_attr", NR(467, 467), RESULT_BOTH(PV_RESULT_FD), .kind = PV_SC_OPEN_TREE,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_READ), FLAGS(2, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },

        /* ---- file attributes (FS_IOC_FSGETXATTR by path): 6.17 ---- */
        {       /* a NULL path with AT_EMPTY_PATH is the dirfd's object */
                .name = "file_getattr", NR(468, 468), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_FILE_GETATTR,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_NULL, PV_INTENT_STAT), FLAGS(4, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH, NO_MODE,
                WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 2,
        },
        {
                .name = "file_setattr", NR(469, 469), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_FILE_SETATTR,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_NULL, PV_INTENT_MODIFY), FLAGS(4, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH, NO_MODE,
                WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 2,
        },

        /* ---- privileged calls that name paths (the choice per call: README) ---- */
        {       /* mount(source, target, type, flags, data): the source is a path for bind and move
                 * mounts, a device or any string for others (decided as a path relative to the cwd,
                 * which no rule covers unless it names a covered place) */
                .name = "mount", NR(165, 21), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                .n_paths = 2, .path = { { .arg = 0, .dirfd_arg = -1, .len_arg = -1, .type = PV_PATH_MOUNT_SOURCE,
                                          .follow = PV_FOLLOW, .empty = PV_EMPTY_NEVER, .intent = PV_INTENT_STAT },
                                        PATH(1, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_STAT) },
                FLAGS(3, PV_FLAGS_AT), NO_MODE, WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {
                .name = "umount2", NR(166, 52), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_STAT), FLAGS(1, PV_FLAGS_AT),
                .nofollow_flags = 8 /* UMOUNT_NOFOLLOW */, NO_MODE, WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {
                .name = "umount", NR(-1, 22), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_STAT), NO_FLAGS, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {       /* move_mount(from_dirfd, from_path, to_dirfd, to_path, flags): symlinks are not
                 * followed unless MOVE_MOUNT_F_SYMLINKS / _T_SYMLINKS (0x01, 0x10); "" is the
                 * dirfd's mount with MOVE_MOUNT_F_EMPTY_PATH / _T_EMPTY_PATH (0x04, 0x40). One
                 * flags word for both paths: either bit counts for both (the kernel then checks) */
                .name = "move_mount", NR(429, 429), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                .n_paths = 2, .path = { PATH(1, 0, PV_FOLLOW_IF_FLAG, PV_EMPTY_IF_FLAG, PV_INTENT_STAT),
                                        PATH(3, 2, PV_FOLLOW_IF_FLAG, PV_EMPTY_IF_FLAG, PV_INTENT_STAT) },
                FLAGS(4, PV_FLAGS_AT), .follow_flags = 0x11, .empty_path_flags = 0x44, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {       /* fspick(dirfd, path, flags): FSPICK_SYMLINK_NOFOLLOW 0x02, FSPICK_EMPTY_PATH 0x08 */
                .name = "fspick", NR(433, 433), RESULT_BOTH(PV_RESULT_FD), .kind = PV_SC_ADMIN,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_STAT), FLAGS(2, PV_FLAGS_AT),
                .nofollow_flags = 0x02, .empty_path_flags = 0x08, NO_MODE, WRITES_NOTHING, HOW_EXEC,
                .extra_arg = -1,
        },
        {       /* mount_setattr(dirfd, path, at_flags, struct mount_attr *, size) */
                .name = "mount_setattr", NR(442, 442), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_STAT), FLAGS(2, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {       /* the kernel writes to a swap file */
                .name = "swapon", NR(167, 87), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_READ | PV_INTENT_WRITE), NO_FLAGS, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {
                .name = "swapoff", NR(168, 115), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_READ), NO_FLAGS, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {       /* acct(NULL) turns accounting off: no path */
                .name = "acct", NR(163, 51), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NULL, PV_INTENT_WRITE), NO_FLAGS, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {
                .name = "uselib", NR(134, 86), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_READ | PV_INTENT_EXEC), NO_FLAGS, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },
        {       /* quotactl(cmd, special, id, addr): special is a block device (NULL for some cmds) */
                .name = "quotactl", NR(179, 131), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_ADMIN,
                ONE_PATH(1, -1, PV_FOLLOW, PV_EMPTY_NULL, PV_INTENT_READ), NO_FLAGS, NO_MODE,
                WRITES_NOTHING, HOW_EXEC, .extra_arg = -1,
        },

        /* ---- a path out: the cwd, as the program named it ---- */
        {
                .name = "getcwd", NR(79, 183), RESULT_BOTH(PV_RESULT_BUFFER), .kind = PV_SC_GETCWD,
                .n_paths = 0, NO_FLAGS, NO_MODE, WRITES(0, 1), HOW_DEFAULT, .extra_arg = -1,
        },

        /* ---- an AF_UNIX address out: one bound through a redirect, as the program named it ---- */
        {
                .name = "getsockname", NR(51, 367), RESULT_BOTH(PV_RESULT_SOCKADDR), .kind = PV_SC_SOCKNAME,
                .n_paths = 0, NO_FLAGS, NO_MODE, WRITES(1, 2), HOW_DEFAULT, .extra_arg = 0,
        },
        {
                .name = "getpeername", NR(52, 368), RESULT_BOTH(PV_RESULT_SOCKADDR), .kind = PV_SC_SOCKNAME,
                .n_paths = 0, NO_FLAGS, NO_MODE, WRITES(1, 2), HOW_DEFAULT, .extra_arg = 0,
        },

        /* ---- i386's socketcall(2): decoded into the rows above (pv_socketcall_row) ---- */
        {
                .name = "socketcall", NR(-1, 102), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SOCKETCALL,
                .n_paths = 0, NO_FLAGS, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = -1,
        },

        /* ---- file system statistics ---- */
        {
                .name = "statfs", NR(137, 99), RESULT(PV_RESULT_STATFS, PV_RESULT_STATFS_I386), .kind = PV_SC_STATFS,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_STAT), NO_FLAGS, NO_MODE,
                WRITES(1, -1), HOW_DEFAULT, .extra_arg = -1,
        },
        {
                .name = "statfs64", NR(-1, 268), RESULT(PV_RESULT_NONE, PV_RESULT_STATFS64_I386), .kind = PV_SC_STATFS,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_STAT), NO_FLAGS, NO_MODE,
                WRITES(2, -1), HOW_DEFAULT, .extra_arg = 1,
        },

        /* ---- creating and removing ---- */
        MUT_ROW("mkdir", 83, 39, PV_SC_MKDIR, 0, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_CREATE, -1, 1, -1),
        MUT_ROW("mkdirat", 258, 296, PV_SC_MKDIR, 1, 0, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_CREATE, -1, 2, -1),
        MUT_ROW("mknod", 133, 14, PV_SC_MKNOD, 0, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_CREATE, -1, 1, 2),
        MUT_ROW("mknodat", 259, 297, PV_SC_MKNOD, 1, 0, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_CREATE, -1, 2, 3),
        MUT_ROW("rmdir", 84, 40, PV_SC_RMDIR, 0, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_DELETE, -1, -1, -1),
        MUT_ROW("unlink", 87, 10, PV_SC_UNLINK, 0, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_DELETE, -1, -1, -1),
        MUT_ROW("unlinkat", 263, 301, PV_SC_UNLINK, 1, 0, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_DELETE, 2, -1, -1),

        /* ---- attributes ---- */
        MUT_ROW("chmod", 90, 15, PV_SC_CHMOD, 0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR, -1, 1, -1),
        /* the fchmodat system call has no flags argument (glibc emulates AT_SYMLINK_NOFOLLOW) */
        MUT_ROW("fchmodat", 268, 306, PV_SC_CHMOD, 1, 0, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR, -1, 2, -1),
        {
                .name = "fchmodat2", NR(452, 452), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_CHMOD,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_ATTR), FLAGS(3, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH,
                MODE(2, PV_MODE_CHMOD), WRITES_NOTHING, HOW_DEFAULT, .extra_arg = -1,
        },
        { /* x86-64: 32-bit ids; i386's chown (182) takes 16-bit ones */
                .name = "chown", NR(92, 182), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_CHOWN,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR), FLAGS(-1, PV_FLAGS_AT),
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 1, LAYOUT(PV_LAYOUT_PLAIN, PV_LAYOUT_IDS16),
        },
        {
                .name = "lchown", NR(94, 16), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_CHOWN,
                ONE_PATH(0, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR), FLAGS(-1, PV_FLAGS_AT),
                .implied_flags = AT_SYMLINK_NOFOLLOW, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 1,
                LAYOUT(PV_LAYOUT_PLAIN, PV_LAYOUT_IDS16),
        },
        MUT_ROW("chown32", -1, 212, PV_SC_CHOWN, 0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR, -1, -1, 1),
        {
                .name = "lchown32", NR(-1, 198), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_CHOWN,
                ONE_PATH(0, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR), FLAGS(-1, PV_FLAGS_AT),
                .implied_flags = AT_SYMLINK_NOFOLLOW, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 1,
        },
        {
                .name = "fchownat", NR(260, 298), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_CHOWN,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_ATTR), FLAGS(4, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH,
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 2,
        },
        MUT_ROW("truncate", 76, 92, PV_SC_TRUNCATE, 0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_WRITE, -1, -1, 1),
        {
                .name = "truncate64", NR(-1, 193), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_TRUNCATE,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_WRITE), FLAGS(-1, PV_FLAGS_AT),
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 1, LAYOUT(PV_LAYOUT_PLAIN, PV_LAYOUT_LEN_SPLIT),
        },
        {
                .name = "utime", NR(132, 30), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_UTIMES,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR), FLAGS(-1, PV_FLAGS_AT),
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 1, LAYOUT(PV_LAYOUT_UTIMBUF, PV_LAYOUT_UTIMBUF),
        },
        {
                .name = "utimes", NR(235, 271), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_UTIMES,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR), FLAGS(-1, PV_FLAGS_AT),
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 1, LAYOUT(PV_LAYOUT_TIMEVAL, PV_LAYOUT_TIMEVAL),
        },
        {
                /* futimesat(fd, NULL, times) is futimes(fd): no path */
                .name = "futimesat", NR(261, 299), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_UTIMES,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_NULL, PV_INTENT_ATTR), FLAGS(-1, PV_FLAGS_AT),
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 2, LAYOUT(PV_LAYOUT_TIMEVAL, PV_LAYOUT_TIMEVAL),
        },
        { /* utimensat(fd, NULL, times, 0) is futimens(fd): no path */
                .name = "utimensat", NR(280, 320), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_UTIMES,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_NULL, PV_INTENT_ATTR), FLAGS(3, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH,
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 2,
                LAYOUT(PV_LAYOUT_TIMESPEC, PV_LAYOUT_TIMESPEC),
        },
        {
                .name = "utimensat_time64", NR(-1, 412), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_UTIMES,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_NULL, PV_INTENT_ATTR), FLAGS(3, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH,
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 2,
                LAYOUT(PV_LAYOUT_TIMESPEC64, PV_LAYOUT_TIMESPEC64),
        },
        MUT_ROW("setxattr", 188, 226, PV_SC_SETXATTR, 0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR, -1, -1, 1),
        MUT_ROW("lsetxattr", 189, 227, PV_SC_SETXATTR, 0, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR, -1, -1, 1),
        MUT_ROW("removexattr", 197, 235, PV_SC_REMOVEXATTR, 0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR, -1, -1, 1),
        MUT_ROW("lremovexattr", 198, 236, PV_SC_REMOVEXATTR, 0, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_ATTR, -1, -1, 1),

        /* ---- the *xattrat calls (Linux 6.13; the same numbers on every arch; libseccomp 2.5
         * does not know them, the filter adds them by number) ---- */
        {
                .name = "setxattrat", NR(463, 463), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SETXATTRAT,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_ATTR), FLAGS(2, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH,
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 3,
        },
        {
                .name = "getxattrat", NR(464, 464), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_GETXATTRAT,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_READ), FLAGS(2, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH,
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 3,
        },
        {
                .name = "listxattrat", NR(465, 465), RESULT_BOTH(PV_RESULT_BUFFER), .kind = PV_SC_LISTXATTR,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_READ), FLAGS(2, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH,
                NO_MODE, WRITES(3, 4), HOW_DEFAULT, .extra_arg = -1,
        },
        {
                .name = "removexattrat", NR(466, 466), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_REMOVEXATTR,
                ONE_PATH(1, 0, PV_FOLLOW, PV_EMPTY_IF_FLAG, PV_INTENT_ATTR), FLAGS(2, PV_FLAGS_AT),
                .nofollow_flags = AT_SYMLINK_NOFOLLOW, .empty_path_flags = AT_EMPTY_PATH,
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = 3,
        },

        /* ---- two paths: each decided on its own; different rules -> EXDEV ---- */
        {
                .name = "rename", NR(82, 38), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_RENAME,
                TWO_PATHS(0, -1, PV_NOFOLLOW, PV_INTENT_DELETE, 1, -1, PV_NOFOLLOW, PV_INTENT_CREATE | PV_INTENT_DELETE),
                NO_FLAGS, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = -1,
        },
        {
                .name = "renameat", NR(264, 302), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_RENAME,
                TWO_PATHS(1, 0, PV_NOFOLLOW, PV_INTENT_DELETE, 3, 2, PV_NOFOLLOW, PV_INTENT_CREATE | PV_INTENT_DELETE),
                NO_FLAGS, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = -1,
        },
        {
                .name = "renameat2", NR(316, 353), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_RENAME,
                TWO_PATHS(1, 0, PV_NOFOLLOW, PV_INTENT_DELETE | PV_INTENT_CREATE, 3, 2, PV_NOFOLLOW,
                          PV_INTENT_CREATE | PV_INTENT_DELETE),
                FLAGS(4, PV_FLAGS_AT), NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = -1,
        },
        {
                .name = "link", NR(86, 9), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_LINK,
                /* a new name for the old file is a way to write it: ATTR, so that readonly holds */
                TWO_PATHS(0, -1, PV_NOFOLLOW, PV_INTENT_ATTR, 1, -1, PV_NOFOLLOW, PV_INTENT_CREATE),
                NO_FLAGS, NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = -1,
        },
        {
                .name = "linkat", NR(265, 303), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_LINK,
                .n_paths = 2,
                .path = { PATH(1, 0, PV_FOLLOW_IF_FLAG, PV_EMPTY_IF_FLAG, PV_INTENT_ATTR),
                          PATH(3, 2, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_CREATE) },
                FLAGS(4, PV_FLAGS_AT), .follow_flags = AT_SYMLINK_FOLLOW, .empty_path_flags = AT_EMPTY_PATH,
                NO_MODE, WRITES_NOTHING, HOW_DEFAULT, .extra_arg = -1,
        },
        MUT_ROW("symlink", 88, 83, PV_SC_SYMLINK, 1, -1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_CREATE, -1, -1, 0),
        MUT_ROW("symlinkat", 266, 304, PV_SC_SYMLINK, 2, 1, PV_NOFOLLOW, PV_EMPTY_NEVER, PV_INTENT_CREATE, -1, -1, 0),

        /* ---- no path: calls that change the caller's credentials ----
         * A root supervisor acts with the tracee's credentials. Tracees start with the
         * supervisor's own (no_new_privs: no set-id exec can change them), so the engine need not
         * read them for every request until one of these calls is seen; then it does. The ptrace
         * backends run every call as the tracee and need nothing. i386 has 16-bit and 32-bit
         * variants. */
        CREDS_ROW("setuid", 105, 23),
        CREDS_ROW("setgid", 106, 46),
        CREDS_ROW("setreuid", 113, 70),
        CREDS_ROW("setregid", 114, 71),
        CREDS_ROW("setgroups", 116, 81),
        CREDS_ROW("setresuid", 117, 164),
        CREDS_ROW("setresgid", 119, 170),
        CREDS_ROW("setfsuid", 122, 138),
        CREDS_ROW("setfsgid", 123, 139),
        CREDS_ROW("capset", 126, 185),
        CREDS_ROW("setuid32", -1, 213),
        CREDS_ROW("setgid32", -1, 214),
        CREDS_ROW("setreuid32", -1, 203),
        CREDS_ROW("setregid32", -1, 204),
        CREDS_ROW("setgroups32", -1, 206),
        CREDS_ROW("setresuid32", -1, 208),
        CREDS_ROW("setresgid32", -1, 210),
        CREDS_ROW("setfsuid32", -1, 215),
        CREDS_ROW("setfsgid32", -1, 216),

        /* ---- calls that may change the caller's root or mount namespace ----
         * Paths of a tracee that did one of these are resolved in its root: once one is seen,
         * the engine compares each tracee's root and mount namespace with its own. (Not seen:
         * clone() with CLONE_NEWNS.) */
        {       /* unotify: observed (the new root noted), and its path rewritten by the hybrid, as
                 * chdir's (without a ptrace side it is still observed: pv_filter_row_verdict);
                 * rewritten by the ptrace backends, which note the new root too */
                .name = "chroot", NR(161, 61), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SETVIEW,
                ONE_PATH(0, -1, PV_FOLLOW, PV_EMPTY_NEVER, PV_INTENT_EXEC), NO_FLAGS, NO_MODE, WRITES_NOTHING,
                .how = {
                        [PV_SC_BACKEND_UNOTIFY] = PV_HOW_TRACE,
                        [PV_SC_BACKEND_PTRACE_SECCOMP] = PV_HOW_REWRITE,
                        [PV_SC_BACKEND_PTRACE] = PV_HOW_REWRITE,
                },
                .extra_arg = -1,
        },
        {       /* observed (the new root noted) under every backend; both paths rewritten by the
                 * ptrace backends and by unotify's hybrid (the tracee's mount namespace is the
                 * one to change: nobody else can make the call for it) */
                .name = "pivot_root", NR(155, 217), RESULT_BOTH(PV_RESULT_NONE), .kind = PV_SC_SETVIEW,
                TWO_PATHS(0, -1, PV_FOLLOW, PV_INTENT_EXEC, 1, -1, PV_FOLLOW, PV_INTENT_EXEC),
                NO_FLAGS, NO_MODE, WRITES_NOTHING,
                .how = {
                        [PV_SC_BACKEND_UNOTIFY] = PV_HOW_TRACE,
                        [PV_SC_BACKEND_PTRACE_SECCOMP] = PV_HOW_REWRITE,
                        [PV_SC_BACKEND_PTRACE] = PV_HOW_REWRITE,
                },
                .extra_arg = -1,
        },
        VIEW_ROW("unshare", 272, 310),
        VIEW_ROW("setns", 308, 346),
        FILTER_ROW("seccomp", 317, 354),
};
const size_t pv_syscall_table_size = ELEMENTSOF(pv_syscall_table);

_Static_assert(ELEMENTSOF(pv_syscall_table) < INT16_MAX, "row index must fit the lookup index");

/* ---- lookup -------------------------------------------------------------------------------- */

/* index[arch][nr] = row + 1; 0: not a path call. */
static int16_t lookup_index[_PV_ARCH_MAX][PV_SC_NR_MAX];
static pthread_once_t lookup_once = PTHREAD_ONCE_INIT;

static void lookup_build(void) {
        for (size_t i = 0; i < pv_syscall_table_size; i++)
                for (unsigned a = 0; a < _PV_ARCH_MAX; a++) {
                        int nr = pv_syscall_table[i].nr[a];

                        /* test-syscall-table checks range and uniqueness; keep the first row. */
                        if (nr >= 0 && nr < PV_SC_NR_MAX && lookup_index[a][nr] == 0)
                                lookup_index[a][nr] = (int16_t) (i + 1);
                }
}

const struct pv_syscall *pv_syscall_lookup(enum pv_arch arch, long nr) {
        if ((unsigned) arch >= _PV_ARCH_MAX || nr < 0 || nr >= PV_SC_NR_MAX)
                return NULL;

        (void) pthread_once(&lookup_once, lookup_build);

        int16_t i = lookup_index[arch][nr];
        return i > 0 ? &pv_syscall_table[i - 1] : NULL;
}

const struct pv_syscall *pv_syscall_lookup_audit(uint32_t audit_arch, long nr) {
        int a = pv_arch_from_audit(audit_arch);
        if (a < 0)
                return NULL;
        return pv_syscall_lookup((enum pv_arch) a, nr);
}

const struct pv_syscall *pv_socketcall_row(uint64_t call, unsigned *ret_nargs) {
        /* linux/net.h: SYS_BIND 2, SYS_CONNECT 3, SYS_GETSOCKNAME 6, SYS_GETPEERNAME 7,
         * SYS_SENDTO 11, SYS_SENDMSG 16, SYS_SENDMMSG 20; the argument counts of net/socket.c's nargs[] */
        static const struct {
                uint8_t call, nargs;
                const char *name;
        } calls[] = {
                { 2, 3, "bind" },         { 3, 3, "connect" }, { 6, 3, "getsockname" },
                { 7, 3, "getpeername" }, { 11, 6, "sendto" }, { 16, 3, "sendmsg" },
                { 20, 4, "sendmmsg" },
        };
        for (size_t i = 0; i < ELEMENTSOF(calls); i++)
                if (calls[i].call == call) {
                        *ret_nargs = calls[i].nargs;
                        return pv_syscall_by_name(calls[i].name);
                }
        return NULL;
}

const struct pv_syscall *pv_syscall_by_name(const char *name) {
        if (!name)
                return NULL;
        for (size_t i = 0; i < pv_syscall_table_size; i++)
                if (strcmp(pv_syscall_table[i].name, name) == 0)
                        return &pv_syscall_table[i];
        return NULL;
}

/* ---- names --------------------------------------------------------------------------------- */

int pv_arch_from_audit(uint32_t audit_arch) {
        switch (audit_arch) {
        case AUDIT_ARCH_X86_64:
                return PV_ARCH_X86_64;
        case AUDIT_ARCH_I386:
                return PV_ARCH_I386;
        default:
                return -EAFNOSUPPORT;
        }
}

uint32_t pv_arch_to_audit(enum pv_arch arch) {
        switch (arch) {
        case PV_ARCH_X86_64:
                return AUDIT_ARCH_X86_64;
        case PV_ARCH_I386:
                return AUDIT_ARCH_I386;
        default:
                return 0;
        }
}

const char *pv_arch_to_string(enum pv_arch arch) {
        switch (arch) {
        case PV_ARCH_X86_64:
                return "x86_64";
        case PV_ARCH_I386:
                return "i386";
        default:
                return NULL;
        }
}

static const char *const kind_names[_PV_SC_KIND_MAX] = {
        [PV_SC_OPEN] = "open",
        [PV_SC_OPENAT] = "openat",
        [PV_SC_OPENAT2] = "openat2",
        [PV_SC_CREAT] = "creat",
        [PV_SC_STAT] = "stat",
        [PV_SC_LSTAT] = "lstat",
        [PV_SC_FSTATAT] = "fstatat",
        [PV_SC_STATX] = "statx",
        [PV_SC_ACCESS] = "access",
        [PV_SC_FACCESSAT] = "faccessat",
        [PV_SC_FACCESSAT2] = "faccessat2",
        [PV_SC_READLINK] = "readlink",
        [PV_SC_READLINKAT] = "readlinkat",
        [PV_SC_GETXATTR] = "getxattr",
        [PV_SC_LISTXATTR] = "listxattr",
        [PV_SC_SETCREDS] = "setcreds",
        [PV_SC_EXEC] = "exec",
        [PV_SC_CHDIR] = "chdir",
        [PV_SC_STATFS] = "statfs",
        [PV_SC_MKDIR] = "mkdir",
        [PV_SC_MKNOD] = "mknod",
        [PV_SC_RMDIR] = "rmdir",
        [PV_SC_UNLINK] = "unlink",
        [PV_SC_CHMOD] = "chmod",
        [PV_SC_CHOWN] = "chown",
        [PV_SC_TRUNCATE] = "truncate",
        [PV_SC_UTIMES] = "utimes",
        [PV_SC_SETXATTR] = "setxattr",
        [PV_SC_GETXATTRAT] = "getxattrat",
        [PV_SC_SETXATTRAT] = "setxattrat",
        [PV_SC_REMOVEXATTR] = "removexattr",
        [PV_SC_RENAME] = "rename",
        [PV_SC_LINK] = "link",
        [PV_SC_SYMLINK] = "symlink",
        [PV_SC_BIND] = "bind",
        [PV_SC_CONNECT] = "connect",
        [PV_SC_SENDTO] = "sendto",
        [PV_SC_SENDMSG] = "sendmsg",
        [PV_SC_SENDMMSG] = "sendmmsg",
        [PV_SC_INOTIFY] = "inotify",
        [PV_SC_FANOTIFY] = "fanotify",
        [PV_SC_NAME_TO_HANDLE] = "name_to_handle",
        [PV_SC_OPEN_TREE] = "open_tree",
        [PV_SC_FILE_GETATTR] = "file_getattr",
        [PV_SC_FILE_SETATTR] = "file_setattr",
        [PV_SC_ADMIN] = "admin",
        [PV_SC_GETCWD] = "getcwd",
        [PV_SC_SOCKNAME] = "sockname",
        [PV_SC_SOCKETCALL] = "socketcall",
        [PV_SC_SETVIEW] = "setview",
        [PV_SC_SETFILTER] = "setfilter",
};

const char *pv_sc_kind_to_string(enum pv_sc_kind kind) {
        return (unsigned) kind < ELEMENTSOF(kind_names) ? kind_names[kind] : NULL;
}

const char *pv_sc_how_to_string(enum pv_sc_how how) {
        switch (how) {
        case PV_HOW_PASS:
                return "pass";
        case PV_HOW_EMULATE:
                return "emulate";
        case PV_HOW_REWRITE:
                return "rewrite";
        case PV_HOW_OBSERVE:
                return "observe";
        case PV_HOW_TRACE:
                return "trace";
        default:
                return NULL;
        }
}

size_t pv_sc_result_size(enum pv_sc_result result) {
        switch (result) {
        case PV_RESULT_STAT:
                return 144;
        case PV_RESULT_STAT_I386:
                return 64;
        case PV_RESULT_STAT64_I386:
                return 96;
        case PV_RESULT_OLDSTAT_I386:
                return 32;
        case PV_RESULT_STATX:
                return 256;
        case PV_RESULT_STATFS:
                return 120;
        case PV_RESULT_STATFS_I386:
                return 64;
        case PV_RESULT_STATFS64_I386:
                return 84;
        default:
                return 0;
        }
}

/* ---- argument decoding --------------------------------------------------------------------- */

static bool path_valid(const struct pv_syscall *sc, unsigned i) {
        return sc && i < sc->n_paths && i < PV_SC_PATHS_MAX;
}

static bool flags_are_open(const struct pv_syscall *sc) {
        return sc->flags_type == PV_FLAGS_OPEN || sc->flags_type == PV_FLAGS_OPEN_HOW;
}

int pv_syscall_dirfd(const struct pv_syscall *sc, unsigned i, const uint64_t args[PV_SC_ARGS]) {
        if (!path_valid(sc, i) || sc->path[i].dirfd_arg < 0 || sc->path[i].dirfd_arg >= PV_SC_ARGS)
                return AT_FDCWD;
        return (int) (uint32_t) args[sc->path[i].dirfd_arg];
}

bool pv_syscall_flags(const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS], uint64_t *ret_flags) {
        uint64_t flags = sc->implied_flags;

        if (sc->flags_type == PV_FLAGS_OPEN_HOW) {
                if (ret_flags)
                        *ret_flags = flags;
                return false;
        }

        /* Register flags are int in every path call: the kernel ignores the upper half. */
        if (sc->flags_type != PV_FLAGS_NONE && sc->flags_arg >= 0 && sc->flags_arg < PV_SC_ARGS)
                flags |= (uint32_t) args[sc->flags_arg];

        if (ret_flags)
                *ret_flags = flags;
        return true;
}

static unsigned open_intent(uint64_t flags) {
        unsigned r;

        /* O_PATH: the kernel drops every flag but O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC (open, openat)
         * or refuses them (openat2); the fd gives access to metadata only. */
        if (flags & O_PATH)
                return PV_INTENT_STAT;

        switch (flags & O_ACCMODE) {
        case O_RDONLY:
                r = PV_INTENT_READ;
                break;
        case O_WRONLY:
                r = PV_INTENT_WRITE;
                break;
        default: /* O_RDWR, and 3: "no access, ioctl only", which needs read and write permission */
                r = PV_INTENT_READ | PV_INTENT_WRITE;
                break;
        }

        if (flags & O_TRUNC) /* truncates even with O_RDONLY */
                r |= PV_INTENT_WRITE;
        if (flags & O_CREAT)
                r |= PV_INTENT_CREATE;
        if ((flags & O_TMPFILE) == O_TMPFILE)
                r |= PV_INTENT_CREATE | PV_INTENT_WRITE;

        return r;
}

unsigned pv_syscall_intent_flags(const struct pv_syscall *sc, unsigned i, uint64_t flags, uint64_t mode) {
        if (!path_valid(sc, i))
                return 0;

        unsigned r = sc->path[i].intent;

        if (flags_are_open(sc))
                r |= open_intent(flags | sc->implied_flags);

        if (sc->mode_type == PV_MODE_ACCESS && ((uint32_t) mode & W_OK))
                r |= PV_INTENT_WRITE;

        return r;
}

unsigned pv_syscall_path_intent(const struct pv_syscall *sc, unsigned i, const uint64_t args[PV_SC_ARGS]) {
        uint64_t flags, mode = 0;

        if (!path_valid(sc, i))
                return 0;

        if (!pv_syscall_flags(sc, args, &flags))
                /* Flags in tracee memory that the caller did not read: fail closed. */
                return sc->path[i].intent | PV_INTENT_READ | PV_INTENT_WRITE | PV_INTENT_CREATE;

        if (sc->mode_arg >= 0 && sc->mode_arg < PV_SC_ARGS)
                mode = args[sc->mode_arg];

        return pv_syscall_intent_flags(sc, i, flags, mode);
}

unsigned pv_syscall_intent(const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS]) {
        return pv_syscall_path_intent(sc, 0, args);
}

bool pv_syscall_nofollow(const struct pv_syscall *sc, unsigned i, uint64_t flags) {
        if (!path_valid(sc, i))
                return false;

        flags |= sc->implied_flags;

        switch (sc->path[i].follow) {
        case PV_NOFOLLOW:
                return true;
        case PV_FOLLOW_IF_FLAG:
                return !(flags & sc->follow_flags);
        default:
                if (flags & sc->nofollow_flags)
                        return true;
                /* open(2): "If O_CREAT and O_EXCL are set ... symbolic links are not followed". */
                if (flags_are_open(sc) && (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
                        return true;
                return false;
        }
}

bool pv_syscall_empty_path_ok(const struct pv_syscall *sc, unsigned i, uint64_t flags) {
        if (!path_valid(sc, i))
                return false;

        switch (sc->path[i].empty) {
        case PV_EMPTY_ALWAYS:
                return true;
        case PV_EMPTY_IF_FLAG:
        case PV_EMPTY_NULL:
                return ((flags | sc->implied_flags) & sc->empty_path_flags) != 0;
        default:
                return false;
        }
}

bool pv_syscall_fast_path(const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS]) {
        if (!sc || sc->fast_path_flag == 0 || sc->flags_arg < 0 || sc->flags_arg >= PV_SC_ARGS ||
            sc->flags_type == PV_FLAGS_OPEN_HOW)
                return false;
        return ((uint32_t) args[sc->flags_arg] & sc->fast_path_flag) != 0;
}

bool pv_syscall_hybrid_row(const struct pv_syscall *sc) {
        if (!sc)
                return false;
        switch (sc->kind) {
        case PV_SC_OPEN:
        case PV_SC_OPENAT:
        case PV_SC_OPENAT2:
        case PV_SC_CONNECT:
        case PV_SC_SENDMSG:
        case PV_SC_SENDMMSG:
        case PV_SC_SOCKETCALL:
                return true;
        default:
                return sc->how[PV_SC_BACKEND_UNOTIFY] == PV_HOW_TRACE;
        }
}

bool pv_syscall_no_address(const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS]) {
        unsigned nargs;
        if (sc && sc->kind == PV_SC_SOCKETCALL)
                return !pv_socketcall_row(args[0], &nargs);
        return sc && sc->n_paths == 1 && sc->path[0].type == PV_PATH_SOCKADDR_UN && sc->path[0].len_arg >= 0 &&
               sc->path[0].len_arg < PV_SC_ARGS && args[sc->path[0].len_arg] == 0;
}
