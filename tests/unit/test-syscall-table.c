/* SPDX-License-Identifier: MIT */
/* The syscall table: consistency, agreement with libseccomp and <sys/syscall.h>, lookups, the
 * decoding helpers (intent, follow, empty path, fast path), and each row run on this kernel by its
 * number with the arguments the row describes (i386 rows through int $0x80). */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>

#include "backends/seccomp-compat.h"
#include "backends/syscall-table.h"
#include "common/macro.h"
#include "policy/policy.h"

static const uint32_t scmp_arch[_PV_ARCH_MAX] = {
        [PV_ARCH_X86_64] = SCMP_ARCH_X86_64,
        [PV_ARCH_I386] = SCMP_ARCH_X86,
};

/* ---- consistency --------------------------------------------------------------------------- */

static bool arg_ok(int a) {
        return a >= 0 && a < PV_SC_ARGS;
}

/* Every register that the row names is in 0..5 and used for one thing only. */
static void check_registers(const struct pv_syscall *sc) {
        unsigned used = 0;

#define USE(a)                                                                          \
        do {                                                                            \
                if ((a) >= 0) {                                                         \
                        if (!arg_ok(a))                                                 \
                                fail_msg("%s: register %d out of range", sc->name, (int) (a)); \
                        if (used & (1u << (a)))                                         \
                                fail_msg("%s: register %d used twice", sc->name, (int) (a)); \
                        used |= 1u << (a);                                              \
                }                                                                       \
        } while (0)

        for (unsigned i = 0; i < sc->n_paths; i++) {
                if (!arg_ok(sc->path[i].arg))
                        fail_msg("%s: path %u has no register", sc->name, i);
                USE(sc->path[i].arg);
                USE(sc->path[i].dirfd_arg);
                USE(sc->path[i].len_arg);
        }
        USE(sc->flags_arg);
        USE(sc->mode_arg);
        USE(sc->result_arg);
        USE(sc->size_arg);
        if (sc->flags_type == PV_FLAGS_OPEN_HOW)
                USE(sc->flags_arg + 1); /* the size of struct open_how */
#undef USE
}

static void test_rows_consistent(_unused_ void **state) {
        assert_true(pv_syscall_table_size > 0);

        for (size_t i = 0; i < pv_syscall_table_size; i++) {
                const struct pv_syscall *sc = &pv_syscall_table[i];
                bool present = false;

                assert_non_null(sc->name);
                assert_true(sc->name[0] != '\0');
                /* One name may have two rows only when its registers differ per arch (fanotify_mark:
                 * a row has one set of argument positions, see syscall-table.h): then the rows are
                 * of one kind and no arch has a number in both. */
                for (size_t j = 0; j < i; j++) {
                        const struct pv_syscall *o = &pv_syscall_table[j];
                        if (strcmp(o->name, sc->name) != 0)
                                continue;
                        if (o->kind != sc->kind)
                                fail_msg("rows %s of different kinds", sc->name);
                        for (unsigned a = 0; a < _PV_ARCH_MAX; a++)
                                if (o->nr[a] >= 0 && sc->nr[a] >= 0)
                                        fail_msg("row %s twice on %s", sc->name, pv_arch_to_string(a));
                }

                for (unsigned a = 0; a < _PV_ARCH_MAX; a++) {
                        int nr = sc->nr[a];

                        if (nr < 0) {
                                assert_int_equal(nr, -1);
                                if (sc->result[a] != PV_RESULT_NONE)
                                        fail_msg("%s: result layout for absent arch %s", sc->name,
                                                 pv_arch_to_string(a));
                                continue;
                        }
                        present = true;
                        assert_true(nr < PV_SC_NR_MAX);
                        assert_true(sc->result[a] < _PV_RESULT_MAX);

                        /* numbers are unique per arch */
                        for (size_t j = 0; j < i; j++)
                                if (pv_syscall_table[j].nr[a] == nr)
                                        fail_msg("%s and %s share %s number %d", pv_syscall_table[j].name,
                                                 sc->name, pv_arch_to_string(a), nr);

                        /* something that writes a result says where */
                        bool sized = sc->result[a] == PV_RESULT_BUFFER || sc->result[a] == PV_RESULT_SOCKADDR;
                        bool writes = pv_sc_result_size(sc->result[a]) > 0 || sized;
                        if (writes != arg_ok(sc->result_arg))
                                fail_msg("%s: result_arg does not match the result on %s", sc->name,
                                         pv_arch_to_string(a));
                        if (sized != arg_ok(sc->size_arg))
                                fail_msg("%s: size_arg does not match the result", sc->name);
                }
                if (!present)
                        fail_msg("%s: no number on any arch", sc->name);

                assert_true(sc->kind < _PV_SC_KIND_MAX);
                assert_non_null(pv_sc_kind_to_string(sc->kind));

                if (strcmp(sc->name, "chroot") == 0)
                        assert_int_equal(sc->n_paths, 1); /* observed, and rewritten (hybrid, ptrace) */
                else if (strcmp(sc->name, "pivot_root") == 0)
                        assert_int_equal(sc->n_paths, 2); /* the same, two paths */
                else if (sc->kind == PV_SC_SETCREDS || sc->kind == PV_SC_SETVIEW || sc->kind == PV_SC_SETFILTER ||
                    sc->kind == PV_SC_GETCWD || sc->kind == PV_SC_SOCKNAME || sc->kind == PV_SC_SOCKETCALL)
                        assert_int_equal(sc->n_paths, 0); /* observed, never emulated */
                else
                        assert_true(sc->n_paths >= 1 && sc->n_paths <= PV_SC_PATHS_MAX);
                for (unsigned p = 0; p < sc->n_paths; p++) {
                        const struct pv_sc_path *path = &sc->path[p];

                        assert_true(path->dirfd_arg >= -1);
                        assert_true(path->type == PV_PATH_STRING || path->type == PV_PATH_SOCKADDR_UN ||
                                    path->type == PV_PATH_MSGHDR || path->type == PV_PATH_MOUNT_SOURCE);
                        assert_true((path->type == PV_PATH_SOCKADDR_UN) == (path->len_arg >= 0));
                        assert_true(path->follow <= PV_FOLLOW_IF_FLAG);
                        assert_true(path->empty <= PV_EMPTY_NULL);
                        assert_true((path->intent & ~0x7fu) == 0);
                        if (path->follow == PV_FOLLOW_IF_FLAG)
                                assert_true(sc->follow_flags != 0);
                        if (path->empty == PV_EMPTY_IF_FLAG)
                                assert_true(sc->empty_path_flags != 0 && sc->flags_arg >= 0);
                        /* flags that make the kernel ignore the path are in a register */
                        if (sc->no_path_flags != 0)
                                assert_true(arg_ok(sc->flags_arg) && sc->flags_type == PV_FLAGS_AT);
                        /* An empty path names the dirfd: only meaningful with one (a NULL one, as
                         * in acct(NULL), may mean something else). */
                        if (path->empty != PV_EMPTY_NEVER && path->empty != PV_EMPTY_NULL)
                                assert_true(path->dirfd_arg >= 0);
                }
                for (unsigned p = sc->n_paths; p < PV_SC_PATHS_MAX; p++)
                        assert_int_equal(sc->path[p].arg, 0); /* unused slots stay zero */

                check_registers(sc);

                switch (sc->flags_type) {
                case PV_FLAGS_NONE:
                        assert_int_equal(sc->flags_arg, -1);
                        assert_int_equal(sc->implied_flags, 0);
                        break;
                case PV_FLAGS_OPEN_HOW:
                        assert_true(arg_ok(sc->flags_arg) && arg_ok(sc->flags_arg + 1));
                        break;
                case PV_FLAGS_OPEN:
                case PV_FLAGS_AT:
                        assert_true(sc->flags_arg >= -1);
                        break;
                default:
                        fail_msg("%s: bad flags_type", sc->name);
                }
                assert_true(sc->mode_type <= PV_MODE_CHMOD);
                assert_true((sc->mode_type == PV_MODE_NONE) == (sc->mode_arg < 0 && sc->flags_type != PV_FLAGS_OPEN_HOW));

                /* A fast path tests a flags register in the AT_* namespace. */
                if (sc->fast_path_flag != 0) {
                        assert_true(arg_ok(sc->flags_arg));
                        assert_int_equal(sc->flags_type, PV_FLAGS_AT);
                        assert_true((sc->fast_path_flag & (sc->fast_path_flag - 1)) == 0); /* one bit */
                        assert_true(sc->fast_path_flag & sc->empty_path_flags);
                }

                for (unsigned b = 0; b < _PV_SC_BACKEND_MAX; b++) {
                        assert_true(sc->how[b] <= PV_HOW_TRACE);
                        assert_non_null(pv_sc_how_to_string(sc->how[b]));
                }
                /* ptrace rewrites, it never emulates; unotify never rewrites in place. */
                assert_true(sc->how[PV_SC_BACKEND_PTRACE] != PV_HOW_EMULATE);
                assert_true(sc->how[PV_SC_BACKEND_PTRACE_SECCOMP] != PV_HOW_EMULATE);
                assert_true(sc->how[PV_SC_BACKEND_UNOTIFY] != PV_HOW_REWRITE);
        }
}

/* The rows this issue requires, and nothing silently dropped. */
static void test_expected_rows(_unused_ void **state) {
        static const struct {
                const char *name;
                enum pv_sc_kind kind;
                int x86_64, i386;
        } expected[] = {
                { "open", PV_SC_OPEN, 2, 5 },
                { "openat", PV_SC_OPENAT, 257, 295 },
                { "openat2", PV_SC_OPENAT2, 437, 437 },
                { "creat", PV_SC_CREAT, 85, 8 },
                { "stat", PV_SC_STAT, 4, 106 },
                { "lstat", PV_SC_LSTAT, 6, 107 },
                { "stat64", PV_SC_STAT, -1, 195 },
                { "lstat64", PV_SC_LSTAT, -1, 196 },
                { "oldstat", PV_SC_STAT, -1, 18 },
                { "oldlstat", PV_SC_LSTAT, -1, 84 },
                { "newfstatat", PV_SC_FSTATAT, 262, -1 },
                { "fstatat64", PV_SC_FSTATAT, -1, 300 },
                { "statx", PV_SC_STATX, 332, 383 },
                { "access", PV_SC_ACCESS, 21, 33 },
                { "faccessat", PV_SC_FACCESSAT, 269, 307 },
                { "faccessat2", PV_SC_FACCESSAT2, 439, 439 },
                { "readlink", PV_SC_READLINK, 89, 85 },
                { "readlinkat", PV_SC_READLINKAT, 267, 305 },
                { "getxattr", PV_SC_GETXATTR, 191, 229 },
                { "lgetxattr", PV_SC_GETXATTR, 192, 230 },
                { "listxattr", PV_SC_LISTXATTR, 194, 232 },
                { "llistxattr", PV_SC_LISTXATTR, 195, 233 },
                { "execve", PV_SC_EXEC, 59, 11 },
                { "execveat", PV_SC_EXEC, 322, 358 },
                { "chdir", PV_SC_CHDIR, 80, 12 },
                { "statfs", PV_SC_STATFS, 137, 99 },
                { "statfs64", PV_SC_STATFS, -1, 268 },
                { "mkdir", PV_SC_MKDIR, 83, 39 },
                { "mkdirat", PV_SC_MKDIR, 258, 296 },
                { "mknod", PV_SC_MKNOD, 133, 14 },
                { "mknodat", PV_SC_MKNOD, 259, 297 },
                { "rmdir", PV_SC_RMDIR, 84, 40 },
                { "unlink", PV_SC_UNLINK, 87, 10 },
                { "unlinkat", PV_SC_UNLINK, 263, 301 },
                { "chmod", PV_SC_CHMOD, 90, 15 },
                { "fchmodat", PV_SC_CHMOD, 268, 306 },
                { "fchmodat2", PV_SC_CHMOD, 452, 452 },
                { "chown", PV_SC_CHOWN, 92, 182 },
                { "lchown", PV_SC_CHOWN, 94, 16 },
                { "chown32", PV_SC_CHOWN, -1, 212 },
                { "lchown32", PV_SC_CHOWN, -1, 198 },
                { "fchownat", PV_SC_CHOWN, 260, 298 },
                { "truncate", PV_SC_TRUNCATE, 76, 92 },
                { "truncate64", PV_SC_TRUNCATE, -1, 193 },
                { "utime", PV_SC_UTIMES, 132, 30 },
                { "utimes", PV_SC_UTIMES, 235, 271 },
                { "futimesat", PV_SC_UTIMES, 261, 299 },
                { "utimensat", PV_SC_UTIMES, 280, 320 },
                { "utimensat_time64", PV_SC_UTIMES, -1, 412 },
                { "setxattr", PV_SC_SETXATTR, 188, 226 },
                { "lsetxattr", PV_SC_SETXATTR, 189, 227 },
                { "removexattr", PV_SC_REMOVEXATTR, 197, 235 },
                { "lremovexattr", PV_SC_REMOVEXATTR, 198, 236 },
                { "setxattrat", PV_SC_SETXATTRAT, 463, 463 },
                { "getxattrat", PV_SC_GETXATTRAT, 464, 464 },
                { "listxattrat", PV_SC_LISTXATTR, 465, 465 },
                { "removexattrat", PV_SC_REMOVEXATTR, 466, 466 },
                { "rename", PV_SC_RENAME, 82, 38 },
                { "renameat", PV_SC_RENAME, 264, 302 },
                { "renameat2", PV_SC_RENAME, 316, 353 },
                { "link", PV_SC_LINK, 86, 9 },
                { "linkat", PV_SC_LINK, 265, 303 },
                { "symlink", PV_SC_SYMLINK, 88, 83 },
                { "symlinkat", PV_SC_SYMLINK, 266, 304 },
                { "bind", PV_SC_BIND, 49, 361 },
                { "connect", PV_SC_CONNECT, 42, 362 },
                { "sendto", PV_SC_SENDTO, 44, 369 },
                { "sendmsg", PV_SC_SENDMSG, 46, 370 },
                { "sendmmsg", PV_SC_SENDMMSG, 307, 345 },
                { "inotify_add_watch", PV_SC_INOTIFY, 254, 292 },
                /* two rows, one per arch: i386 splits the 64-bit mask, which moves dirfd and path */
                { "fanotify_mark", PV_SC_FANOTIFY, 301, -1 },
                { "fanotify_mark", PV_SC_FANOTIFY, -1, 339 },
                { "name_to_handle_at", PV_SC_NAME_TO_HANDLE, 303, 341 },
                { "open_tree", PV_SC_OPEN_TREE, 428, 428 },
                { "open_tree_attr", PV_SC_OPEN_TREE, 467, 467 },
                { "file_getattr", PV_SC_FILE_GETATTR, 468, 468 },
                { "file_setattr", PV_SC_FILE_SETATTR, 469, 469 },
                { "move_mount", PV_SC_ADMIN, 429, 429 },
                { "fspick", PV_SC_ADMIN, 433, 433 },
                { "mount_setattr", PV_SC_ADMIN, 442, 442 },
                { "mount", PV_SC_ADMIN, 165, 21 },
                { "umount2", PV_SC_ADMIN, 166, 52 },
                { "umount", PV_SC_ADMIN, -1, 22 },
                { "swapon", PV_SC_ADMIN, 167, 87 },
                { "swapoff", PV_SC_ADMIN, 168, 115 },
                { "acct", PV_SC_ADMIN, 163, 51 },
                { "uselib", PV_SC_ADMIN, 134, 86 },
                { "quotactl", PV_SC_ADMIN, 179, 131 },
                { "getcwd", PV_SC_GETCWD, 79, 183 },
                { "getsockname", PV_SC_SOCKNAME, 51, 367 },
                { "getpeername", PV_SC_SOCKNAME, 52, 368 },
                { "socketcall", PV_SC_SOCKETCALL, -1, 102 },
                { "setuid", PV_SC_SETCREDS, 105, 23 },
                { "setgid", PV_SC_SETCREDS, 106, 46 },
                { "setreuid", PV_SC_SETCREDS, 113, 70 },
                { "setregid", PV_SC_SETCREDS, 114, 71 },
                { "setgroups", PV_SC_SETCREDS, 116, 81 },
                { "setresuid", PV_SC_SETCREDS, 117, 164 },
                { "setresgid", PV_SC_SETCREDS, 119, 170 },
                { "setfsuid", PV_SC_SETCREDS, 122, 138 },
                { "setfsgid", PV_SC_SETCREDS, 123, 139 },
                { "capset", PV_SC_SETCREDS, 126, 185 },
                { "setuid32", PV_SC_SETCREDS, -1, 213 },
                { "setgid32", PV_SC_SETCREDS, -1, 214 },
                { "setreuid32", PV_SC_SETCREDS, -1, 203 },
                { "setregid32", PV_SC_SETCREDS, -1, 204 },
                { "setgroups32", PV_SC_SETCREDS, -1, 206 },
                { "setresuid32", PV_SC_SETCREDS, -1, 208 },
                { "setresgid32", PV_SC_SETCREDS, -1, 210 },
                { "setfsuid32", PV_SC_SETCREDS, -1, 215 },
                { "setfsgid32", PV_SC_SETCREDS, -1, 216 },
                { "chroot", PV_SC_SETVIEW, 161, 61 },
                { "pivot_root", PV_SC_SETVIEW, 155, 217 },
                { "unshare", PV_SC_SETVIEW, 272, 310 },
                { "setns", PV_SC_SETVIEW, 308, 346 },
                { "seccomp", PV_SC_SETFILTER, 317, 354 },
        };

        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                const struct pv_syscall *sc = NULL;

                /* by name and numbers: a name can have a row per arch (fanotify_mark) */
                for (size_t j = 0; j < pv_syscall_table_size && !sc; j++)
                        if (strcmp(pv_syscall_table[j].name, expected[i].name) == 0 &&
                            pv_syscall_table[j].nr[PV_ARCH_X86_64] == expected[i].x86_64 &&
                            pv_syscall_table[j].nr[PV_ARCH_I386] == expected[i].i386)
                                sc = &pv_syscall_table[j];
                if (!sc)
                        fail_msg("row %s (%d, %d) missing", expected[i].name, expected[i].x86_64, expected[i].i386);
                assert_int_equal(sc->kind, expected[i].kind);
                assert_int_equal(sc->nr[PV_ARCH_X86_64], expected[i].x86_64);
                assert_int_equal(sc->nr[PV_ARCH_I386], expected[i].i386);
        }
        /* New rows come with a new line above. */
        assert_int_equal(pv_syscall_table_size, ELEMENTSOF(expected));
}

/* Coverage: no row that names a path passes untrapped under any backend; every row that unotify
 * hands to its ptrace side leaves the cookie's register free and has no fast path (the hybrid
 * filter tests the cookie alone). Prints the count per backend, for the README. */
static void test_coverage(_unused_ void **state) {
        unsigned rows = 0, per_arch[_PV_ARCH_MAX] = {}, by_how[_PV_SC_BACKEND_MAX][PV_HOW_TRACE + 1] = {},
                 unotify_arch[_PV_ARCH_MAX][PV_HOW_TRACE + 1] = {};
        for (size_t i = 0; i < pv_syscall_table_size; i++) {
                const struct pv_syscall *sc = &pv_syscall_table[i];
                bool names_path = sc->n_paths > 0 || sc->kind == PV_SC_GETCWD || sc->kind == PV_SC_SOCKNAME ||
                                  sc->kind == PV_SC_SOCKETCALL;
                if (!names_path)
                        continue;
                rows++;
                for (unsigned a = 0; a < _PV_ARCH_MAX; a++) {
                        per_arch[a] += sc->nr[a] >= 0;
                        if (sc->nr[a] >= 0 && sc->how[PV_SC_BACKEND_UNOTIFY] <= PV_HOW_TRACE)
                                unotify_arch[a][sc->how[PV_SC_BACKEND_UNOTIFY]]++;
                }
                for (unsigned b = 0; b < _PV_SC_BACKEND_MAX; b++) {
                        assert_true(sc->how[b] <= PV_HOW_TRACE);
                        if (sc->how[b] == PV_HOW_PASS)
                                fail_msg("%s passes untrapped under backend %u", sc->name, b);
                        by_how[b][sc->how[b]]++;
                }
                if (pv_syscall_hybrid_row(sc)) {
                        assert_int_equal(sc->fast_path_flag, 0);
                        for (unsigned p = 0; p < sc->n_paths; p++)
                                assert_true(sc->path[p].arg != 5 && sc->path[p].dirfd_arg != 5);
                        assert_true(sc->flags_arg != 5 && sc->mode_arg != 5 && sc->extra_arg != 5);
                }
        }
        print_message("%u rows name a path (in or out): %u calls on x86-64, %u on i386; unotify: %u emulated, %u through "
                      "its ptrace side, %u observed; ptrace-seccomp and ptrace: %u and %u rewritten\n",
                      rows, per_arch[PV_ARCH_X86_64], per_arch[PV_ARCH_I386], by_how[PV_SC_BACKEND_UNOTIFY][PV_HOW_EMULATE], by_how[PV_SC_BACKEND_UNOTIFY][PV_HOW_TRACE],
                      by_how[PV_SC_BACKEND_UNOTIFY][PV_HOW_OBSERVE],
                      by_how[PV_SC_BACKEND_PTRACE_SECCOMP][PV_HOW_REWRITE], by_how[PV_SC_BACKEND_PTRACE][PV_HOW_REWRITE]);
        for (unsigned a = 0; a < _PV_ARCH_MAX; a++)
                print_message("%s: %u calls; unotify: %u emulated, %u through its ptrace side\n", pv_arch_to_string(a),
                              per_arch[a], unotify_arch[a][PV_HOW_EMULATE], unotify_arch[a][PV_HOW_TRACE]);
}

/* The number on `arch` of another row with sc's name, -1 if none. */
static int sibling_nr(const struct pv_syscall *sc, unsigned arch) {
        for (size_t i = 0; i < pv_syscall_table_size; i++)
                if (&pv_syscall_table[i] != sc && strcmp(pv_syscall_table[i].name, sc->name) == 0 &&
                    pv_syscall_table[i].nr[arch] >= 0)
                        return pv_syscall_table[i].nr[arch];
        return -1;
}

/* libseccomp's own tables agree wherever it knows the name, in both directions. */
static void test_libseccomp_numbers(_unused_ void **state) {
        for (size_t i = 0; i < pv_syscall_table_size; i++) {
                const struct pv_syscall *sc = &pv_syscall_table[i];

                for (unsigned a = 0; a < _PV_ARCH_MAX; a++) {
                        int lib = seccomp_syscall_resolve_name_arch(scmp_arch[a], sc->name);

                        /* absent here because another row of the same name has it (fanotify_mark) */
                        if (sc->nr[a] < 0 && lib >= 0 && sibling_nr(sc, a) == lib)
                                continue;
                        if (lib >= 0 && lib != sc->nr[a])
                                fail_msg("%s on %s: table %d, libseccomp %d", sc->name, pv_arch_to_string(a),
                                         sc->nr[a], lib);
                        if (lib < 0 && sc->nr[a] >= 0)
                                print_message("note: libseccomp does not know %s on %s (%d)\n", sc->name,
                                              pv_arch_to_string(a), sc->nr[a]);
                        if (sc->nr[a] < 0)
                                continue;

                        _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(scmp_arch[a], sc->nr[a]);
                        if (name && strcmp(name, sc->name) != 0)
                                fail_msg("%s number %d is %s to libseccomp", sc->name, sc->nr[a], name);
                }
        }
}

/* The x86-64 numbers against this system's headers. */
static void test_native_headers(_unused_ void **state) {
        static const struct {
                const char *name;
                long nr;
        } native[] = {
                { "open", SYS_open },
                { "openat", SYS_openat },
#ifdef SYS_openat2
                { "openat2", SYS_openat2 },
#endif
                { "creat", SYS_creat },
                { "stat", SYS_stat },
                { "lstat", SYS_lstat },
                { "newfstatat", SYS_newfstatat },
#ifdef SYS_statx
                { "statx", SYS_statx },
#endif
                { "access", SYS_access },
                { "faccessat", SYS_faccessat },
#ifdef SYS_faccessat2
                { "faccessat2", SYS_faccessat2 },
#endif
                { "readlink", SYS_readlink },
                { "readlinkat", SYS_readlinkat },
                { "getxattr", SYS_getxattr },
                { "lgetxattr", SYS_lgetxattr },
                { "listxattr", SYS_listxattr },
                { "llistxattr", SYS_llistxattr },
                { "setuid", SYS_setuid },
                { "setgroups", SYS_setgroups },
                { "setresuid", SYS_setresuid },
                { "capset", SYS_capset },
                { "chroot", SYS_chroot },
                { "pivot_root", SYS_pivot_root },
                { "unshare", SYS_unshare },
                { "setns", SYS_setns },
        };

        for (size_t i = 0; i < ELEMENTSOF(native); i++) {
                const struct pv_syscall *sc = pv_syscall_by_name(native[i].name);
                assert_non_null(sc);
                assert_int_equal(sc->nr[PV_ARCH_X86_64], native[i].nr);
        }
}

static void test_lookup(_unused_ void **state) {
        for (size_t i = 0; i < pv_syscall_table_size; i++) {
                const struct pv_syscall *sc = &pv_syscall_table[i];

                /* by name: the first row of that name (fanotify_mark has one per arch) */
                const struct pv_syscall *first = sc;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(pv_syscall_table[j].name, sc->name) == 0) {
                                first = &pv_syscall_table[j];
                                break;
                        }
                assert_ptr_equal(pv_syscall_by_name(sc->name), first);
                for (unsigned a = 0; a < _PV_ARCH_MAX; a++) {
                        if (sc->nr[a] < 0)
                                continue;
                        assert_ptr_equal(pv_syscall_lookup(a, sc->nr[a]), sc);
                        assert_ptr_equal(pv_syscall_lookup_audit(pv_arch_to_audit(a), sc->nr[a]), sc);
                        assert_int_equal(pv_syscall_nr(sc, a), sc->nr[a]);
                }
        }

        /* not path calls */
        assert_null(pv_syscall_lookup(PV_ARCH_X86_64, SYS_getpid));
        assert_null(pv_syscall_lookup(PV_ARCH_X86_64, 5));  /* fstat */
        assert_null(pv_syscall_lookup(PV_ARCH_I386, 20));   /* getpid */
        assert_null(pv_syscall_lookup(PV_ARCH_I386, 108));  /* fstat */
        assert_null(pv_syscall_lookup(PV_ARCH_X86_64, 300)); /* fanotify_init, not fstatat64 */
        assert_null(pv_syscall_lookup(PV_ARCH_I386, 262));  /* clock_nanosleep on i386 */
        /* out of range */
        assert_null(pv_syscall_lookup(PV_ARCH_X86_64, -1));
        assert_null(pv_syscall_lookup(PV_ARCH_X86_64, PV_SC_NR_MAX));
        assert_null(pv_syscall_lookup(PV_ARCH_X86_64, __X32_SYSCALL_BIT | 257));
        assert_null(pv_syscall_lookup(_PV_ARCH_MAX, 2));
        assert_null(pv_syscall_lookup((enum pv_arch) -1, 2));
        assert_null(pv_syscall_lookup_audit(AUDIT_ARCH_AARCH64, 56));
        assert_null(pv_syscall_by_name("getpid"));
        assert_null(pv_syscall_by_name(NULL));
        assert_int_equal(pv_syscall_nr(pv_syscall_by_name("open"), _PV_ARCH_MAX), -1);

        assert_int_equal(pv_arch_from_audit(AUDIT_ARCH_X86_64), PV_ARCH_X86_64);
        assert_int_equal(pv_arch_from_audit(AUDIT_ARCH_I386), PV_ARCH_I386);
        assert_int_equal(pv_arch_from_audit(AUDIT_ARCH_AARCH64), -EAFNOSUPPORT);
        assert_int_equal(pv_arch_to_audit(PV_ARCH_I386), AUDIT_ARCH_I386);
        assert_string_equal(pv_arch_to_string(PV_ARCH_X86_64), "x86_64");
        assert_null(pv_arch_to_string(_PV_ARCH_MAX));
        assert_null(pv_sc_kind_to_string(_PV_SC_KIND_MAX));
}

/* ---- decoding ------------------------------------------------------------------------------ */

static unsigned intent_of(const char *name, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
        const struct pv_syscall *sc = pv_syscall_by_name(name);
        const uint64_t args[PV_SC_ARGS] = { a0, a1, a2, a3 };

        assert_non_null(sc);
        return pv_syscall_intent(sc, args);
}

#define READ PV_INTENT_READ
#define WRITE PV_INTENT_WRITE
#define CREATE PV_INTENT_CREATE
#define STAT PV_INTENT_STAT

static void test_intent_open(_unused_ void **state) {
        static const struct {
                uint64_t flags;
                unsigned intent;
        } cases[] = {
                { O_RDONLY, READ },
                { O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY, READ },
                { O_WRONLY, WRITE },
                { O_RDWR, READ | WRITE },
                { O_ACCMODE, READ | WRITE },
                { O_RDONLY | O_TRUNC, READ | WRITE },
                { O_WRONLY | O_TRUNC, WRITE },
                { O_RDONLY | O_CREAT, READ | CREATE },
                { O_WRONLY | O_CREAT | O_EXCL, WRITE | CREATE },
                { O_WRONLY | O_CREAT | O_TRUNC, WRITE | CREATE },
                { O_WRONLY | O_APPEND, WRITE },
                { O_TMPFILE | O_WRONLY, WRITE | CREATE },
                { O_TMPFILE | O_RDWR, READ | WRITE | CREATE },
                { O_DIRECTORY | O_RDONLY, READ },
                { O_PATH, STAT },
                { O_PATH | O_RDWR | O_TRUNC | O_CREAT, STAT }, /* the kernel drops them */
                /* the upper half of the register is not part of the int flags */
                { 0xffffffff00000000ULL | O_RDONLY, READ },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                /* open(path, flags, mode), openat(dirfd, path, flags, mode) */
                assert_int_equal(intent_of("open", 0x1000, cases[i].flags, 0644, 0), cases[i].intent);
                assert_int_equal(intent_of("openat", AT_FDCWD, 0x1000, cases[i].flags, 0644), cases[i].intent);

                /* openat2: from struct open_how, read by the engine */
                const struct pv_syscall *o2 = pv_syscall_by_name("openat2");
                assert_non_null(o2);
                assert_int_equal(pv_syscall_intent_flags(o2, 0, cases[i].flags, 0), cases[i].intent);
        }

        assert_int_equal(intent_of("creat", 0x1000, 0644, 0, 0), WRITE | CREATE);

        /* openat2 from registers alone: the flags are in memory, fail closed */
        assert_int_equal(intent_of("openat2", AT_FDCWD, 0x1000, 0x2000, 24), READ | WRITE | CREATE);
        uint64_t flags = 1;
        const uint64_t args[PV_SC_ARGS] = { AT_FDCWD, 0x1000, 0x2000, 24 };
        assert_false(pv_syscall_flags(pv_syscall_by_name("openat2"), args, &flags));
        assert_int_equal(flags, 0);
}

static void test_intent_other(_unused_ void **state) {
        /* stat family: metadata */
        assert_int_equal(intent_of("stat", 0x1000, 0x2000, 0, 0), STAT);
        assert_int_equal(intent_of("lstat64", 0x1000, 0x2000, 0, 0), STAT);
        assert_int_equal(intent_of("newfstatat", AT_FDCWD, 0x1000, 0x2000, AT_SYMLINK_NOFOLLOW), STAT);
        assert_int_equal(intent_of("statx", AT_FDCWD, 0x1000, 0, 0x7ff), STAT);

        /* access family: W_OK adds WRITE */
        assert_int_equal(intent_of("access", 0x1000, F_OK, 0, 0), STAT);
        assert_int_equal(intent_of("access", 0x1000, R_OK | X_OK, 0, 0), STAT);
        assert_int_equal(intent_of("access", 0x1000, W_OK, 0, 0), STAT | WRITE);
        assert_int_equal(intent_of("faccessat", AT_FDCWD, 0x1000, R_OK | W_OK, 0), STAT | WRITE);
        assert_int_equal(intent_of("faccessat2", AT_FDCWD, 0x1000, X_OK, AT_EACCESS), STAT);
        assert_int_equal(intent_of("faccessat2", AT_FDCWD, 0x1000, W_OK, AT_EACCESS), STAT | WRITE);

        /* readlink: read */
        assert_int_equal(intent_of("readlink", 0x1000, 0x2000, 100, 0), READ);
        assert_int_equal(intent_of("readlinkat", AT_FDCWD, 0x1000, 0x2000, 100), READ);

        /* no such path */
        const uint64_t args[PV_SC_ARGS] = {};
        assert_int_equal(pv_syscall_path_intent(pv_syscall_by_name("stat"), 1, args), 0);
}

static bool nofollow(const char *name, uint64_t flags) {
        const struct pv_syscall *sc = pv_syscall_by_name(name);
        assert_non_null(sc);
        return pv_syscall_nofollow(sc, 0, flags);
}

static void test_follow(_unused_ void **state) {
        assert_false(nofollow("stat", 0));
        assert_true(nofollow("lstat", 0));
        assert_true(nofollow("oldlstat", 0));
        assert_true(nofollow("lstat64", 0));
        assert_false(nofollow("stat64", 0));
        assert_false(nofollow("newfstatat", 0));
        assert_true(nofollow("newfstatat", AT_SYMLINK_NOFOLLOW));
        assert_true(nofollow("fstatat64", AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
        assert_true(nofollow("statx", AT_SYMLINK_NOFOLLOW));
        assert_false(nofollow("statx", AT_EMPTY_PATH));
        assert_false(nofollow("open", O_RDONLY));
        assert_true(nofollow("open", O_RDONLY | O_NOFOLLOW));
        assert_true(nofollow("openat", O_WRONLY | O_CREAT | O_EXCL));
        assert_false(nofollow("openat", O_WRONLY | O_CREAT));
        assert_true(nofollow("openat2", O_NOFOLLOW));
        assert_true(nofollow("readlink", 0));
        assert_true(nofollow("readlinkat", 0));
        assert_false(nofollow("access", 0));
        assert_true(nofollow("faccessat2", AT_SYMLINK_NOFOLLOW));
        assert_false(nofollow("creat", 0));
}

static void test_empty_path(_unused_ void **state) {
        const struct pv_syscall *sc;

        sc = pv_syscall_by_name("newfstatat");
        assert_true(pv_syscall_empty_path_ok(sc, 0, AT_EMPTY_PATH));
        assert_false(pv_syscall_empty_path_ok(sc, 0, 0));
        sc = pv_syscall_by_name("statx");
        assert_true(pv_syscall_empty_path_ok(sc, 0, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
        sc = pv_syscall_by_name("faccessat2");
        assert_true(pv_syscall_empty_path_ok(sc, 0, AT_EMPTY_PATH));
        sc = pv_syscall_by_name("readlinkat");
        assert_true(pv_syscall_empty_path_ok(sc, 0, 0));
        sc = pv_syscall_by_name("openat");
        assert_false(pv_syscall_empty_path_ok(sc, 0, AT_EMPTY_PATH));
        sc = pv_syscall_by_name("stat");
        assert_false(pv_syscall_empty_path_ok(sc, 0, AT_EMPTY_PATH));
        assert_false(pv_syscall_empty_path_ok(sc, 1, AT_EMPTY_PATH));
}

static void test_fast_path(_unused_ void **state) {
        const uint64_t fstat_args[PV_SC_ARGS] = { 3, 0x1000, 0x2000, AT_EMPTY_PATH };
        const uint64_t fstat_args_high[PV_SC_ARGS] = { 3, 0x1000, 0x2000, 0xffffffff00000000ULL | AT_EMPTY_PATH };
        const uint64_t stat_args[PV_SC_ARGS] = { 3, 0x1000, 0x2000, 0 };
        const uint64_t statx_args[PV_SC_ARGS] = { 3, 0x1000, AT_EMPTY_PATH, 0x7ff, 0x2000 };
        size_t n = 0;

        assert_true(pv_syscall_fast_path(pv_syscall_by_name("newfstatat"), fstat_args));
        assert_true(pv_syscall_fast_path(pv_syscall_by_name("newfstatat"), fstat_args_high));
        assert_true(pv_syscall_fast_path(pv_syscall_by_name("fstatat64"), fstat_args));
        assert_false(pv_syscall_fast_path(pv_syscall_by_name("newfstatat"), stat_args));
        assert_true(pv_syscall_fast_path(pv_syscall_by_name("statx"), statx_args));
        assert_false(pv_syscall_fast_path(pv_syscall_by_name("statx"), fstat_args)); /* flags are arg 2 */
        /* no fast path on anything else, even with the bit in the right place */
        assert_false(pv_syscall_fast_path(pv_syscall_by_name("faccessat2"), fstat_args));
        assert_false(pv_syscall_fast_path(pv_syscall_by_name("readlinkat"), fstat_args));
        assert_false(pv_syscall_fast_path(NULL, fstat_args));

        for (size_t i = 0; i < pv_syscall_table_size; i++)
                if (pv_syscall_table[i].fast_path_flag)
                        n++;
        assert_int_equal(n, 3); /* newfstatat, fstatat64, statx */
}

/* fanotify_mark: one row per arch, each with its own registers; the same decoding otherwise. */
static void test_fanotify_rows(_unused_ void **state) {
        const struct pv_syscall *x = pv_syscall_lookup(PV_ARCH_X86_64, 301), *i = pv_syscall_lookup(PV_ARCH_I386, 339);

        assert_non_null(x);
        assert_non_null(i);
        assert_ptr_not_equal(x, i);
        assert_string_equal(x->name, "fanotify_mark");
        assert_string_equal(i->name, "fanotify_mark");
        assert_ptr_equal(pv_syscall_by_name("fanotify_mark"), x);
        assert_null(pv_syscall_lookup(PV_ARCH_X86_64, 339)); /* not a path call on x86-64 */
        assert_string_equal(pv_syscall_lookup(PV_ARCH_I386, 301)->name, "unlinkat");

        /* x86-64: (fd, flags, mask, dirfd, path); i386: (fd, flags, mask_lo, mask_hi, dirfd, path) */
        assert_int_equal(x->path[0].arg, 4);
        assert_int_equal(x->path[0].dirfd_arg, 3);
        assert_int_equal(i->path[0].arg, 5);
        assert_int_equal(i->path[0].dirfd_arg, 4);
        assert_int_equal(x->flags_arg, 1);
        assert_int_equal(i->flags_arg, 1);
        assert_int_equal(x->layout[PV_ARCH_X86_64], PV_LAYOUT_PLAIN);
        assert_int_equal(i->layout[PV_ARCH_I386], PV_LAYOUT_LEN_SPLIT);

        const uint64_t xa[PV_SC_ARGS] = { 3, 0x1 | 0x4, 0x2, 7, 0x1000 };
        const uint64_t ia[PV_SC_ARGS] = { 3, 0x1 | 0x4, 0x2, 0, 7, 0x1000 };
        assert_int_equal(pv_syscall_dirfd(x, 0, xa), 7);
        assert_int_equal(pv_syscall_dirfd(i, 0, ia), 7);
        assert_int_equal(pv_syscall_intent(x, xa), PV_INTENT_READ);
        assert_int_equal(pv_syscall_intent(i, ia), PV_INTENT_READ);

        /* FAN_MARK_DONT_FOLLOW (0x04); FAN_MARK_ONLYDIR (0x08) is not about following */
        assert_true(pv_syscall_nofollow(x, 0, 0x1 | 0x4));
        assert_true(pv_syscall_nofollow(i, 0, 0x4));
        assert_false(pv_syscall_nofollow(x, 0, 0x1 | 0x8));
        /* NULL names the dirfd's object (the capture leaves it to the kernel); "" never does */
        assert_int_equal(x->path[0].empty, PV_EMPTY_NULL);
        assert_int_equal(i->path[0].empty, PV_EMPTY_NULL);
        assert_false(pv_syscall_empty_path_ok(x, 0, 0x1 | AT_EMPTY_PATH));
        /* FAN_MARK_FLUSH: the kernel ignores the path */
        assert_int_equal(x->no_path_flags, 0x80);
        assert_int_equal(i->no_path_flags, 0x80);
        assert_false(pv_syscall_fast_path(x, xa));
}

static void test_dirfd(_unused_ void **state) {
        const struct pv_syscall *sc = pv_syscall_by_name("newfstatat");
        const uint64_t busybox[PV_SC_ARGS] = { 0xffffff9cULL };
        const uint64_t glibc[PV_SC_ARGS] = { 0xffffffffffffff9cULL };
        const uint64_t fd[PV_SC_ARGS] = { 0xdeadbeef00000007ULL };

        assert_int_equal(pv_syscall_dirfd(sc, 0, busybox), AT_FDCWD);
        assert_int_equal(pv_syscall_dirfd(sc, 0, glibc), AT_FDCWD);
        assert_int_equal(pv_syscall_dirfd(sc, 0, fd), 7);
        assert_int_equal(pv_syscall_dirfd(pv_syscall_by_name("open"), 0, fd), AT_FDCWD);
        assert_int_equal(pv_syscall_dirfd(sc, 1, fd), AT_FDCWD);
}

static void test_flags(_unused_ void **state) {
        uint64_t flags;
        const uint64_t args[PV_SC_ARGS] = { 0x1000, 0644, 0, 0 };

        assert_true(pv_syscall_flags(pv_syscall_by_name("creat"), args, &flags));
        assert_int_equal(flags, O_CREAT | O_WRONLY | O_TRUNC);
        assert_true(pv_syscall_flags(pv_syscall_by_name("lstat"), args, &flags));
        assert_int_equal(flags, AT_SYMLINK_NOFOLLOW);
        assert_true(pv_syscall_flags(pv_syscall_by_name("readlink"), args, &flags));
        assert_int_equal(flags, 0);

        const uint64_t at[PV_SC_ARGS] = { AT_FDCWD, 0x1000, 0x2000, 0xffffffff00000000ULL | AT_SYMLINK_NOFOLLOW };
        assert_true(pv_syscall_flags(pv_syscall_by_name("newfstatat"), at, &flags));
        assert_int_equal(flags, AT_SYMLINK_NOFOLLOW);
}

/* ---- every row on this kernel -------------------------------------------------------------- */

struct lowmem {
        char path[64];
        char link[64];
        struct open_how how;
        unsigned char buf[1024];
};

static long int80(long nr, const uint64_t a[PV_SC_ARGS]) {
        long ret;

        /* i386 arguments: ebx ecx edx esi edi ebp. ebp is the frame pointer here; no row of this
         * test needs argument 5. int $0x80 from 64-bit code clobbers r8-r11. */
        assert_int_equal(a[5], 0);
        __asm__ volatile("int $0x80"
                         : "=a"(ret)
                         : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4])
                         : "memory", "cc", "r8", "r9", "r10", "r11");
        return (int) ret;
}

/* IA32 emulation can be compiled out or disabled at boot: then int $0x80 raises SIGSEGV. */
static bool have_ia32(void) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return false;
        if (pid == 0) {
                const uint64_t none[PV_SC_ARGS] = {};
                _exit(int80(20 /* getpid */, none) == getpid() ? 0 : 1);
        }
        if (waitpid(pid, &status, 0) != pid)
                return false;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Bytes of m->buf that the call wrote: two runs with different fill bytes. */
static size_t written_extent(const unsigned char *a, const unsigned char *b, size_t size) {
        size_t ext = 0;
        for (size_t i = 0; i < size; i++)
                if (a[i] != 0xaa || b[i] != 0x55)
                        ext = i + 1;
        return ext;
}

static long run_row(const struct pv_syscall *sc, enum pv_arch arch, struct lowmem *m, unsigned char fill) {
        uint64_t a[PV_SC_ARGS] = {};
        bool is_readlink = sc->kind == PV_SC_READLINK || sc->kind == PV_SC_READLINKAT;

        memset(m, 0, sizeof *m);
        memset(m->buf, fill, sizeof m->buf);
        strcpy(m->path, is_readlink ? "/proc/self/exe" : "/");

        a[sc->path[0].arg] = (uintptr_t) m->path;
        if (sc->path[0].dirfd_arg >= 0)
                a[sc->path[0].dirfd_arg] = (uint64_t) (int64_t) AT_FDCWD;
        if (sc->flags_arg >= 0)
                switch (sc->flags_type) {
                case PV_FLAGS_OPEN:
                        a[sc->flags_arg] = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
                        break;
                case PV_FLAGS_OPEN_HOW:
                        m->how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
                        a[sc->flags_arg] = (uintptr_t) &m->how;
                        a[sc->flags_arg + 1] = sizeof m->how;
                        break;
                default:
                        a[sc->flags_arg] = 0;
                }
        if (sc->result_arg >= 0)
                a[sc->result_arg] = (uintptr_t) m->buf;
        if (sc->size_arg >= 0)
                a[sc->size_arg] = sizeof m->buf;
        if (sc->kind == PV_SC_STATX)
                a[3] = 0x7ff; /* STATX_BASIC_STATS */
        if (sc->kind == PV_SC_STATFS && sc->extra_arg >= 0)
                a[sc->extra_arg] = pv_sc_result_size(sc->result[arch]); /* statfs64's size */
        if (sc->kind == PV_SC_FILE_GETATTR) {
                a[sc->extra_arg] = (uintptr_t) m->buf;
                a[3] = 24; /* FILE_ATTR_SIZE_VER0 */
        }
        if (sc->kind == PV_SC_GETXATTR) {
                strcpy(m->link, "user.pathvisor-absent");
                a[1] = (uintptr_t) m->link;
        }

        if (arch == PV_ARCH_I386)
                return int80(sc->nr[arch], a);

        long r = syscall(sc->nr[arch], a[0], a[1], a[2], a[3], a[4], a[5]);
        return r < 0 ? -errno : r;
}

static void test_rows_on_kernel(_unused_ void **state) {
        unsigned char first[sizeof ((struct lowmem *) NULL)->buf];
        bool ia32 = have_ia32();
        struct lowmem *m;

        if (!ia32)
                print_message("note: no IA32 emulation, i386 rows not run\n");

        m = mmap(NULL, sizeof *m, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        assert_true(m != MAP_FAILED);
        assert_true((uintptr_t) m + sizeof *m <= UINT32_MAX);

        char self[PATH_MAX];
        ssize_t self_len = readlink("/proc/self/exe", self, sizeof self);
        assert_true(self_len > 0);

        for (size_t i = 0; i < pv_syscall_table_size; i++) {
                const struct pv_syscall *sc = &pv_syscall_table[i];

                if (sc->n_paths == 0) /* setuid and friends: not to be run here */
                        continue;
                /* Calls that change the file system (mkdir, chmod, rename, ...) must never be run
                 * on "/": run-mutation-tests.sh makes them in a scratch tree, natively and under
                 * every backend; nor exec and chdir, which would replace or move this test. */
                bool mutates = false;
                for (unsigned p = 0; p < sc->n_paths; p++)
                        mutates = mutates || (sc->path[p].intent & (PV_INTENT_MODIFY | PV_INTENT_EXEC));
                /* bind, connect, inotify_add_watch and fanotify_mark need an fd of their kind: the
                 * integration tests (run-mutation-tests.sh) make them for real */
                /* mount, swapon, acct and the like: never on this machine's "/" */
                if (mutates || sc->path[0].type == PV_PATH_SOCKADDR_UN || sc->path[0].type == PV_PATH_MSGHDR ||
                    sc->kind == PV_SC_INOTIFY || sc->kind == PV_SC_FANOTIFY ||
                    sc->kind == PV_SC_ADMIN || sc->kind == PV_SC_NAME_TO_HANDLE ||
                    sc->kind == PV_SC_GETXATTRAT /* its name and struct xattr_args: below */)
                        continue;
                for (unsigned arch = 0; arch < _PV_ARCH_MAX; arch++) {
                        long r;

                        if (sc->nr[arch] < 0 || (arch == PV_ARCH_I386 && !ia32))
                                continue;

                        r = run_row(sc, arch, m, 0xaa);
                        memcpy(first, m->buf, sizeof first);
                        if (r == -ENOSYS) {
                                print_message("note: %s (%s) not on this kernel\n", sc->name, pv_arch_to_string(arch));
                                continue;
                        }

                        switch (sc->result[arch]) {
                        case PV_RESULT_FD:
                                if (sc->kind == PV_SC_CREAT)
                                        assert_int_equal(r, -EISDIR);
                                else {
                                        if (r < 0)
                                                fail_msg("%s (%s): %ld", sc->name, pv_arch_to_string(arch), r);
                                        close((int) r);
                                }
                                break;
                        case PV_RESULT_NONE:
                                if (sc->kind == PV_SC_FILE_GETATTR && r == -EOPNOTSUPP)
                                        break; /* a file system without attributes */
                                assert_int_equal(r, 0);
                                break;
                        case PV_RESULT_BUFFER:
                                if (sc->kind == PV_SC_GETXATTR) {
                                        /* the name is there: absent attribute, not EFAULT */
                                        assert_int_equal(r, -ENODATA);
                                        break;
                                }
                                if (sc->kind == PV_SC_LISTXATTR) {
                                        char list[1024];
                                        ssize_t n = listxattr("/", list, sizeof list);
                                        assert_int_equal(r, n);
                                        if (n > 0)
                                                assert_memory_equal(m->buf, list, (size_t) n);
                                        break;
                                }
                                assert_int_equal(r, self_len);
                                assert_memory_equal(m->buf, self, (size_t) self_len);
                                break;
                        default: {
                                if (r == -EOVERFLOW && sc->result[arch] == PV_RESULT_OLDSTAT_I386) {
                                        print_message("note: %s: EOVERFLOW for /\n", sc->name);
                                        break;
                                }
                                if (r != 0)
                                        fail_msg("%s (%s): %ld", sc->name, pv_arch_to_string(arch), r);
                                assert_int_equal(run_row(sc, arch, m, 0x55), 0);
                                size_t ext = written_extent(first, m->buf, sizeof first);
                                if (ext != pv_sc_result_size(sc->result[arch]))
                                        fail_msg("%s (%s) wrote %zu bytes, table says %zu", sc->name,
                                                 pv_arch_to_string(arch), ext, pv_sc_result_size(sc->result[arch]));
                        }
                        }
                }
        }

        munmap(m, sizeof *m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows_consistent),
                cmocka_unit_test(test_expected_rows),
                cmocka_unit_test(test_coverage),
                cmocka_unit_test(test_libseccomp_numbers),
                cmocka_unit_test(test_native_headers),
                cmocka_unit_test(test_lookup),
                cmocka_unit_test(test_intent_open),
                cmocka_unit_test(test_intent_other),
                cmocka_unit_test(test_follow),
                cmocka_unit_test(test_empty_path),
                cmocka_unit_test(test_fast_path),
                cmocka_unit_test(test_fanotify_rows),
                cmocka_unit_test(test_dirfd),
                cmocka_unit_test(test_flags),
                cmocka_unit_test(test_rows_on_kernel),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
