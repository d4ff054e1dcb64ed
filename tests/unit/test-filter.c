/* SPDX-License-Identifier: MIT */
/* The seccomp filter: built for every action and strictness, checked instruction by instruction
 * against the table with a small classic-BPF interpreter (every number on both arches, x32, other
 * arches, the fast path), then installed in forked children: a listener receives the calls that
 * must notify (x86-64 and int $0x80), and nothing else; a TRACE filter without a tracer fails its
 * calls with ENOSYS; a second listener is refused with EBUSY. Kernel parts skip when the kernel
 * lacks the feature (or an outer filter already holds a listener). */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>

#include "backends/filter.h"
#include "backends/seccomp-compat.h"
#include "backends/syscall-table.h"
#include "common/macro.h"

#define ENOSYS_VERDICT (SECCOMP_RET_ERRNO | ENOSYS)

static const enum pv_filter_action actions[] = { PV_FILTER_NOTIFY, PV_FILTER_NOTIFY_TRACE, PV_FILTER_TRACE };

/* Build, or skip the test when libseccomp/the kernel cannot do the action at all. */
static void build_or_skip(const struct pv_syscall *rows, size_t n, enum pv_filter_action action, bool strict,
                          struct sock_fprog *ret) {
        int r = rows ? pv_filter_build_rows(rows, n, action, strict, ret) : pv_filter_build(action, strict, ret);
        if (r == -EOPNOTSUPP) {
                print_message("libseccomp refuses the action on this kernel\n");
                skip();
        }
        if (r < 0)
                fail_msg("pv_filter_build: %s", strerror(-r));
}

/* ---- a classic BPF interpreter, enough for seccomp programs -------------------------------- */

static uint32_t bpf_run(const struct sock_fprog *prog, const struct seccomp_data *d) {
        uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = {};

        for (size_t pc = 0; pc < prog->len; pc++) {
                const struct sock_filter *f = &prog->filter[pc];
                uint32_t k = f->k;
                bool cond = false;

                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        assert_true(k % 4 == 0 && k + 4 <= sizeof *d);
                        memcpy(&A, (const char *) d + k, 4);
                        continue;
                case BPF_LD | BPF_W | BPF_LEN:
                        A = sizeof *d;
                        continue;
                case BPF_LD | BPF_IMM:
                        A = k;
                        continue;
                case BPF_LDX | BPF_IMM:
                        X = k;
                        continue;
                case BPF_LD | BPF_MEM:
                        assert_true(k < BPF_MEMWORDS);
                        A = M[k];
                        continue;
                case BPF_LDX | BPF_MEM:
                        assert_true(k < BPF_MEMWORDS);
                        X = M[k];
                        continue;
                case BPF_ST:
                        assert_true(k < BPF_MEMWORDS);
                        M[k] = A;
                        continue;
                case BPF_STX:
                        assert_true(k < BPF_MEMWORDS);
                        M[k] = X;
                        continue;
                case BPF_ALU | BPF_AND | BPF_K:
                        A &= k;
                        continue;
                case BPF_ALU | BPF_OR | BPF_K:
                        A |= k;
                        continue;
                case BPF_ALU | BPF_AND | BPF_X:
                        A &= X;
                        continue;
                case BPF_MISC | BPF_TAX:
                        X = A;
                        continue;
                case BPF_MISC | BPF_TXA:
                        A = X;
                        continue;
                case BPF_RET | BPF_K:
                        return k;
                case BPF_RET | BPF_A:
                        return A;
                case BPF_JMP | BPF_JA:
                        assert_true(pc + 1 + k < prog->len);
                        pc += k;
                        continue;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        cond = A == k;
                        break;
                case BPF_JMP | BPF_JGT | BPF_K:
                        cond = A > k;
                        break;
                case BPF_JMP | BPF_JGE | BPF_K:
                        cond = A >= k;
                        break;
                case BPF_JMP | BPF_JSET | BPF_K:
                        cond = (A & k) != 0;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_X:
                        cond = A == X;
                        break;
                case BPF_JMP | BPF_JGT | BPF_X:
                        cond = A > X;
                        break;
                case BPF_JMP | BPF_JGE | BPF_X:
                        cond = A >= X;
                        break;
                case BPF_JMP | BPF_JSET | BPF_X:
                        cond = (A & X) != 0;
                        break;
                default:
                        fail_msg("BPF instruction %zu: unknown code 0x%x", pc, f->code);
                }
                pc += cond ? f->jt : f->jf;
                assert_true(pc + 1 < prog->len);
        }

        fail_msg("BPF program fell off its end");
        return 0;
}

/* What the program must answer, from the table (or `rows`). */
static uint32_t model(const struct pv_syscall *rows, size_t n, enum pv_filter_action action, bool strict,
                      const struct seccomp_data *d) {
        int arch = pv_arch_from_audit(d->arch);
        const struct pv_syscall *sc = NULL;

        if (arch < 0)
                return ENOSYS_VERDICT;
        /* x32; but -1 ("skip this call", set by tracers) runs nothing and is let through */
        if (arch == PV_ARCH_X86_64 && (uint32_t) d->nr >= (uint32_t) __X32_SYSCALL_BIT && d->nr != -1)
                return ENOSYS_VERDICT;

        /* a strict filter refuses io_uring (its operations are not seen by seccomp) */
        if (strict && d->nr == PV_NR_IO_URING_SETUP)
                return SECCOMP_RET_ERRNO | EPERM;

        if (rows) {
                for (size_t i = 0; i < n; i++)
                        if (rows[i].nr[arch] == d->nr)
                                sc = &rows[i];
        } else
                sc = pv_syscall_lookup(arch, d->nr);
        if (!sc)
                return SECCOMP_RET_ALLOW;

        /* seccomp_data.args is __u64 (unsigned long long), the table API takes uint64_t */
        uint64_t args[PV_SC_ARGS];
        for (unsigned i = 0; i < PV_SC_ARGS; i++)
                args[i] = d->args[i];
        if (!strict && pv_syscall_fast_path(sc, args))
                return SECCOMP_RET_ALLOW;
        if (pv_syscall_no_address(sc, args))
                return SECCOMP_RET_ALLOW;

        return pv_filter_row_verdict(sc, arch, action);
}

static const uint64_t flag_values[] = {
        0,
        AT_EMPTY_PATH,
        AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
        AT_SYMLINK_NOFOLLOW,
        0xffffffff00000000ULL,
        0xffffffff00000000ULL | AT_EMPTY_PATH,
        ~(uint64_t) AT_EMPTY_PATH,
};

/* Every number below PV_SC_NR_MAX on both arches, with the flag values above in every register. */
static void check_against_model(const struct pv_syscall *rows, size_t n, enum pv_filter_action action,
                                bool strict, const struct sock_fprog *prog) {
        static const uint32_t arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386 };

        for (size_t a = 0; a < ELEMENTSOF(arches); a++)
                for (int nr = 0; nr < PV_SC_NR_MAX; nr++)
                        for (size_t f = 0; f < ELEMENTSOF(flag_values); f++) {
                                struct seccomp_data d = { .nr = nr, .arch = arches[a] };
                                uint64_t v = flag_values[f];

                                /* i386 registers are 32 bits wide: the kernel zero-extends them. */
                                if (arches[a] == AUDIT_ARCH_I386)
                                        v = (uint32_t) v;
                                for (unsigned i = 0; i < PV_SC_ARGS; i++)
                                        d.args[i] = v;

                                uint32_t got = bpf_run(prog, &d), want = model(rows, n, action, strict, &d);
                                if (got != want)
                                        fail_msg("arch 0x%x nr %d flags 0x%llx strict %d action %d: got 0x%x, want 0x%x",
                                                 arches[a], nr, (unsigned long long) v, strict, action, got, want);
                        }

        /* x32: the same numbers with the x32 bit, and the top of the range */
        for (int nr = 0; nr < PV_SC_NR_MAX; nr++) {
                struct seccomp_data d = { .nr = nr | __X32_SYSCALL_BIT, .arch = AUDIT_ARCH_X86_64 };
                assert_int_equal(bpf_run(prog, &d), ENOSYS_VERDICT);
        }
        struct seccomp_data top = { .nr = 0x7fffffff, .arch = AUDIT_ARCH_X86_64 };
        assert_int_equal(bpf_run(prog, &top), ENOSYS_VERDICT);
        top.nr = -2;
        assert_int_equal(bpf_run(prog, &top), ENOSYS_VERDICT);
        /* -1 is what a tracer sets to skip a call: libseccomp lets it through, the kernel runs nothing */
        top.nr = -1;
        assert_int_equal(bpf_run(prog, &top), SECCOMP_RET_ALLOW);

        /* any other arch */
        struct seccomp_data other = { .nr = 2, .arch = AUDIT_ARCH_AARCH64 };
        assert_int_equal(bpf_run(prog, &other), ENOSYS_VERDICT);
        other.arch = AUDIT_ARCH_I386 ^ 1;
        assert_int_equal(bpf_run(prog, &other), ENOSYS_VERDICT);
}

static void test_build(_unused_ void **state) {
        for (size_t a = 0; a < ELEMENTSOF(actions); a++)
                for (int strict = 0; strict <= 1; strict++) {
                        struct sock_fprog prog = {};

                        build_or_skip(NULL, 0, actions[a], strict, &prog);
                        assert_non_null(prog.filter);
                        assert_true(prog.len > 0 && prog.len <= BPF_MAXINSNS);
                        print_message("action %d strict %d: %u instructions\n", actions[a], strict, prog.len);
                        check_against_model(NULL, 0, actions[a], strict, &prog);
                        pv_filter_done(&prog);
                        assert_null(prog.filter);
                        pv_filter_done(&prog);
                }

        struct sock_fprog prog = {};
        assert_int_equal(pv_filter_build(_PV_FILTER_ACTION_MAX, false, &prog), -EINVAL);
        assert_int_equal(pv_filter_build(PV_FILTER_NOTIFY, false, NULL), -EINVAL);
        pv_filter_done(NULL);
}

/* The hybrid: execve, execveat and chdir are notified unless the sixth argument holds the cookie
 * (x86-64: all 64 bits; i386: the low half), which gets SECCOMP_RET_TRACE (the kernel fails it
 * with ENOSYS unless a tracer asked for seccomp stops, as the hybrid's does); everything else as
 * PV_FILTER_NOTIFY. */
static void test_build_hybrid(_unused_ void **state) {
        const uint64_t cookie = UINT64_C(0x8badf00ddeadbeef);
        struct sock_fprog prog = {}, plain = {};
        int r = pv_filter_build_hybrid(false, cookie, &prog);
        if (r == -EOPNOTSUPP)
                skip();
        assert_int_equal(r, 0);
        build_or_skip(NULL, 0, PV_FILTER_NOTIFY, false, &plain);

        static const struct { const char *name; uint32_t arch; int nr; } calls[] = {
                { "execve", AUDIT_ARCH_X86_64, 59 }, { "execveat", AUDIT_ARCH_X86_64, 322 },
                { "chdir", AUDIT_ARCH_X86_64, 80 },  { "execve", AUDIT_ARCH_I386, 11 },
                { "execveat", AUDIT_ARCH_I386, 358 }, { "chdir", AUDIT_ARCH_I386, 12 },
        };
        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                struct seccomp_data d = { .nr = calls[i].nr, .arch = calls[i].arch };
                print_message("%s on %s\n", calls[i].name, calls[i].arch == AUDIT_ARCH_I386 ? "i386" : "x86-64");
                assert_int_equal(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
                assert_int_equal(bpf_run(&plain, &d), SECCOMP_RET_ALLOW);
                d.args[5] = calls[i].arch == AUDIT_ARCH_I386 ? (uint32_t) cookie : cookie;
                assert_int_equal(bpf_run(&prog, &d), SECCOMP_RET_TRACE); /* ENOSYS without our tracer */
                d.args[5] ^= 1;
                assert_int_equal(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
                if (calls[i].arch == AUDIT_ARCH_X86_64) {
                        d.args[5] = (uint32_t) cookie; /* half a cookie is not one */
                        assert_int_equal(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
                }
        }
        /* the rest as without the hybrid: openat notified, getppid allowed, -1 passes */
        struct seccomp_data o = { .nr = 257, .arch = AUDIT_ARCH_X86_64 };
        assert_int_equal(bpf_run(&prog, &o), SECCOMP_RET_USER_NOTIF);
        o.nr = 110;
        assert_int_equal(bpf_run(&prog, &o), SECCOMP_RET_ALLOW);
        o.nr = -1;
        assert_int_equal(bpf_run(&prog, &o), SECCOMP_RET_ALLOW);
        pv_filter_done(&prog);
        pv_filter_done(&plain);

        assert_int_equal(pv_filter_build_hybrid(false, 0, &prog), -EINVAL);
        assert_int_equal(pv_filter_build(PV_FILTER_NOTIFY_HYBRID, false, &prog), -EINVAL);
}

/* Rows that libseccomp 2.5.4 cannot name on i386 (the xattr *at calls of 6.13) go through the
 * hand-written prefix; a row with unotify TRACE goes to RET_TRACE only with a ptrace side. */
#define XROW(n, nr64, nr32, fa, fast, how_u)                                            \
        {                                                                               \
                .name = (n), .nr = { nr64, nr32 }, .kind = PV_SC_STAT, .n_paths = 1,      \
                .path = { { .arg = 1, .dirfd_arg = 0, .len_arg = -1 } },                \
                .flags_arg = (fa), .flags_type = (fa) >= 0 ? PV_FLAGS_AT : PV_FLAGS_NONE, \
                .fast_path_flag = (fast), .empty_path_flags = (fast), .mode_arg = -1,  \
                .result_arg = -1, .size_arg = -1,                                       \
                .how = { [PV_SC_BACKEND_UNOTIFY] = (how_u),                             \
                         [PV_SC_BACKEND_PTRACE_SECCOMP] = PV_HOW_REWRITE,               \
                         [PV_SC_BACKEND_PTRACE] = PV_HOW_REWRITE },                     \
        }

static const struct pv_syscall extra_rows[] = {
        XROW("getxattrat", 464, 464, 2, 0, PV_HOW_EMULATE),
        XROW("listxattrat", 465, 465, 2, AT_EMPTY_PATH, PV_HOW_EMULATE),
        XROW("openat", 257, 295, 2, 0, PV_HOW_EMULATE),         /* known to libseccomp: no prefix */
        XROW("fstatat64", -1, 300, 3, AT_EMPTY_PATH, PV_HOW_EMULATE),
        XROW("chdir", 80, 12, -1, 0, PV_HOW_TRACE),
};

static void test_build_prefix(_unused_ void **state) {
        _cleanup_free_ char *n464 = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, 464);
        if (n464)
                print_message("note: this libseccomp knows i386 464 (%s): the prefix is not exercised\n", n464);

        for (size_t a = 0; a < ELEMENTSOF(actions); a++)
                for (int strict = 0; strict <= 1; strict++) {
                        struct sock_fprog prog = {};

                        build_or_skip(extra_rows, ELEMENTSOF(extra_rows), actions[a], strict, &prog);
                        check_against_model(extra_rows, ELEMENTSOF(extra_rows), actions[a], strict, &prog);
                        pv_filter_done(&prog);
                }

        /* the TRACE row of unotify */
        assert_int_equal(pv_filter_row_verdict(&extra_rows[4], PV_ARCH_I386, PV_FILTER_NOTIFY), SECCOMP_RET_ALLOW);
        assert_int_equal(pv_filter_row_verdict(&extra_rows[4], PV_ARCH_I386, PV_FILTER_NOTIFY_TRACE), SECCOMP_RET_TRACE);
        assert_int_equal(pv_filter_row_verdict(&extra_rows[4], PV_ARCH_X86_64, PV_FILTER_TRACE), SECCOMP_RET_TRACE);
        assert_int_equal(pv_filter_row_verdict(&extra_rows[0], PV_ARCH_X86_64, PV_FILTER_NOTIFY), SECCOMP_RET_USER_NOTIF);
        assert_int_equal(pv_filter_row_verdict(&extra_rows[3], PV_ARCH_X86_64, PV_FILTER_NOTIFY), SECCOMP_RET_ALLOW);
}

/* ---- children under the filter ------------------------------------------------------------- */

/* Memory below 4 GiB for int $0x80 arguments, shared with the children by fork(). */
struct lowmem {
        char hostname[32];
        char empty[4];
        unsigned char buf[512];
};
static struct lowmem *low;
static bool ia32;

static long int80(long nr, long a0, long a1, long a2, long a3, long a4) {
        long ret;
        __asm__ volatile("int $0x80"
                         : "=a"(ret)
                         : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3), "D"(a4)
                         : "memory", "cc", "r8", "r9", "r10", "r11");
        return (int) ret;
}

static bool probe_ia32(void) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return false;
        if (pid == 0)
                _exit(int80(20 /* getpid */, 0, 0, 0, 0, 0) == getpid() ? 0 : 1);
        if (waitpid(pid, &status, 0) != pid)
                return false;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static long sys_result(long r) {
        return r < 0 ? -errno : r;
}

enum expect {
        NOTIFY_NEVER,
        NOTIFY_ALWAYS,
        NOTIFY_STRICT, /* only when strict: the fast path */
};

struct step {
        const char *name;
        long (*run)(int dfd);
        enum expect expect;
        uint32_t arch;
        int nr;
        bool needs_ia32;
        long want; /* expected result when want_set */
        bool want_set;
};

static const char hostname[] = "/etc/hostname";

static long step_openat(_unused_ int dfd) {
        long r = sys_result(syscall(SYS_openat, AT_FDCWD, hostname, O_RDONLY | O_CLOEXEC));
        if (r >= 0)
                close((int) r);
        return r >= 0 || r == -ENOENT ? 0 : r;
}
static long step_getppid(_unused_ int dfd) {
        return syscall(SYS_getppid) > 0 ? 0 : -1;
}
static long step_i386_open(_unused_ int dfd) {
        long r = int80(5, (long) (uintptr_t) low->hostname, O_RDONLY, 0, 0, 0);
        if (r >= 0)
                close((int) r);
        return r >= 0 || r == -ENOENT ? 0 : r;
}
static long step_i386_getpid(_unused_ int dfd) {
        return int80(20, 0, 0, 0, 0, 0) == getpid() ? 0 : -1;
}
static long step_fstat_empty(_unused_ int dfd) {
        struct stat st;
        return sys_result(syscall(SYS_newfstatat, dfd, "", &st, AT_EMPTY_PATH));
}
static long step_glibc_fstat(_unused_ int dfd) {
        struct stat st;
        return fstat(dfd, &st) < 0 ? -errno : 0;
}
static long step_statx_empty(_unused_ int dfd) {
        unsigned char stx[256];
        return sys_result(syscall(SYS_statx, dfd, "", AT_EMPTY_PATH, 0x7ff, stx));
}
static long step_i386_fstatat64_empty(_unused_ int dfd) {
        return int80(300, dfd, (long) (uintptr_t) low->empty, (long) (uintptr_t) low->buf, AT_EMPTY_PATH, 0);
}
static long step_fstatat_path(_unused_ int dfd) {
        struct stat st;
        return sys_result(syscall(SYS_newfstatat, AT_FDCWD, "/etc", &st, 0));
}
/* The known hole of the fast path: a real path with AT_EMPTY_PATH is not trapped unless strict. */
static long step_fstatat_path_empty_flag(_unused_ int dfd) {
        struct stat st;
        return sys_result(syscall(SYS_newfstatat, AT_FDCWD, "/etc", &st, AT_EMPTY_PATH));
}
static long step_x32_openat(_unused_ int dfd) {
        return sys_result(syscall(__X32_SYSCALL_BIT | 257, AT_FDCWD, hostname, O_RDONLY | O_CLOEXEC));
}

static const struct step table_steps[] = {
        { "openat", step_openat, NOTIFY_ALWAYS, AUDIT_ARCH_X86_64, 257, false, 0, true },
        { "getppid", step_getppid, NOTIFY_NEVER, 0, 0, false, 0, true },
        { "i386 open", step_i386_open, NOTIFY_ALWAYS, AUDIT_ARCH_I386, 5, true, 0, true },
        { "i386 getpid", step_i386_getpid, NOTIFY_NEVER, 0, 0, true, 0, true },
        { "fstatat(fd, \"\", AT_EMPTY_PATH)", step_fstat_empty, NOTIFY_STRICT, AUDIT_ARCH_X86_64, 262, false, 0, true },
        { "glibc fstat", step_glibc_fstat, NOTIFY_STRICT, AUDIT_ARCH_X86_64, 262, false, 0, true },
        { "statx(fd, \"\", AT_EMPTY_PATH)", step_statx_empty, NOTIFY_STRICT, AUDIT_ARCH_X86_64, 332, false, 0, true },
        { "i386 fstatat64(fd, \"\", AT_EMPTY_PATH)", step_i386_fstatat64_empty, NOTIFY_STRICT, AUDIT_ARCH_I386, 300, true, 0, true },
        { "fstatat(AT_FDCWD, \"/etc\", 0)", step_fstatat_path, NOTIFY_ALWAYS, AUDIT_ARCH_X86_64, 262, false, 0, true },
        { "fstatat(AT_FDCWD, \"/etc\", AT_EMPTY_PATH)", step_fstatat_path_empty_flag, NOTIFY_STRICT, AUDIT_ARCH_X86_64, 262, false, 0, true },
        { "x32 openat", step_x32_openat, NOTIFY_NEVER, 0, 0, false, -ENOSYS, true },
};

static long step_i386_getxattrat(_unused_ int dfd) {
        /* getxattrat(dirfd, path, at_flags, name, args, size): bad pointers, any error is fine */
        (void) int80(464, AT_FDCWD, (long) (uintptr_t) low->empty, 0, 0, 0);
        return 0;
}
static long step_x86_64_getxattrat(_unused_ int dfd) {
        (void) syscall(464, AT_FDCWD, "", 0, NULL, NULL, 0);
        return 0;
}
static long step_i386_listxattrat_fast(_unused_ int dfd) {
        (void) int80(465, dfd, (long) (uintptr_t) low->empty, AT_EMPTY_PATH, 0, 0);
        return 0;
}
static long step_i386_listxattrat(_unused_ int dfd) {
        (void) int80(465, AT_FDCWD, (long) (uintptr_t) low->hostname, 0, 0, 0);
        return 0;
}

static const struct step prefix_steps[] = {
        { "i386 getxattrat (prefix)", step_i386_getxattrat, NOTIFY_ALWAYS, AUDIT_ARCH_I386, 464, true, 0, false },
        { "x86-64 getxattrat (raw number)", step_x86_64_getxattrat, NOTIFY_ALWAYS, AUDIT_ARCH_X86_64, 464, false, 0, false },
        { "i386 listxattrat AT_EMPTY_PATH (prefix fast path)", step_i386_listxattrat_fast, NOTIFY_STRICT, AUDIT_ARCH_I386, 465, true, 0, false },
        { "i386 listxattrat (prefix)", step_i386_listxattrat, NOTIFY_ALWAYS, AUDIT_ARCH_I386, 465, true, 0, false },
        { "i386 getpid", step_i386_getpid, NOTIFY_NEVER, 0, 0, true, 0, true },
};

struct child {
        pid_t pid;
        int sock;     /* commands to the child, results from it */
        int listener;
        unsigned flags;
};

/* In the child: filter, hand the listener over, then run steps on command. Never returns. */
static _noreturn_ void child_main(int sock, const struct sock_fprog *prog, const struct step *steps, size_t n_steps) {
        int dfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* before the filter */
        unsigned flags = 0;
        int fd;

        if (dfd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(2);

        fd = pv_filter_install_listener(prog, &flags);

        /* Send { fd or -errno, flags } with write(): the filter traps sendmsg (its msghdr may
         * name an AF_UNIX address), which would wait for a listener that the parent does not
         * have yet. The parent takes the fd itself (pidfd_getfd); it stays open here until then. */
        int msg[2] = { fd, (int) flags };
        if (write(sock, msg, sizeof msg) != (ssize_t) sizeof msg)
                _exit(3);
        if (fd < 0)
                _exit(0);

        for (;;) {
                int idx;
                long result;

                if (read(sock, &idx, sizeof idx) != (ssize_t) sizeof idx)
                        _exit(0);
                if (idx < 0 || (size_t) idx >= n_steps)
                        _exit(4);
                result = steps[idx].run(dfd);
                if (write(sock, &result, sizeof result) != (ssize_t) sizeof result)
                        _exit(5);
        }
}

/* Forks a child that installs `prog` with a listener. Returns 0, or the child's -errno from
 * installing (the child is then reaped). */
static int child_start(const struct sock_fprog *prog, const struct step *steps, size_t n_steps, struct child *ret) {
        int sv[2], msg[2] = { -1, 0 }, fd = -1;
        pid_t pid;

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(sv[0]);
                child_main(sv[1], prog, steps, n_steps);
        }
        close(sv[1]);

        /* A filter that traps a call of the child's hand-over would deadlock us both: time out. */
        struct pollfd p = { .fd = sv[0], .events = POLLIN };
        if (poll(&p, 1, 10 * 1000) != 1) {
                kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                close(sv[0]);
                fail_msg("no listener from the child within 10 s");
        }
        assert_int_equal(read(sv[0], msg, sizeof msg), (ssize_t) sizeof msg);
        if (msg[0] >= 0) {
                int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
                assert_true(pidfd >= 0);
                fd = (int) syscall(SYS_pidfd_getfd, pidfd, msg[0], 0);
                assert_true(fd >= 0);
                close(pidfd);
        }

        if (msg[0] < 0) {
                int status;
                close(sv[0]);
                assert_int_equal(waitpid(pid, &status, 0), pid);
                return msg[0];
        }
        assert_true(fd >= 0);

        *ret = (struct child) { .pid = pid, .sock = sv[0], .listener = fd, .flags = (unsigned) msg[1] };
        return 0;
}

static void child_stop(struct child *c) {
        int status;

        close(c->sock); /* the child exits on EOF */
        assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
        close(c->listener);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

struct seen {
        uint32_t arch;
        int nr;
};

/* Runs one step, answering every notification with CONTINUE. Returns the step's result. */
static long child_step(struct child *c, int idx, struct seen *seen, size_t *n_seen, size_t seen_max) {
        struct seccomp_notif_sizes sizes = {};
        long result;

        assert_int_equal(syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes), 0);
        size_t notif_size = MAX((size_t) sizes.seccomp_notif, sizeof(struct seccomp_notif));
        size_t resp_size = MAX((size_t) sizes.seccomp_notif_resp, sizeof(struct seccomp_notif_resp));
        _cleanup_free_ struct seccomp_notif *req = malloc(notif_size);
        _cleanup_free_ struct seccomp_notif_resp *resp = malloc(resp_size);
        assert_non_null(req);
        assert_non_null(resp);

        *n_seen = 0;
        assert_int_equal(write(c->sock, &idx, sizeof idx), (ssize_t) sizeof idx);

        for (;;) {
                struct pollfd p[2] = {
                        { .fd = c->listener, .events = POLLIN },
                        { .fd = c->sock, .events = POLLIN },
                };
                int n = poll(p, 2, 10 * 1000);
                if (n == 0) {
                        kill(c->pid, SIGKILL);
                        (void) waitpid(c->pid, NULL, 0);
                        fail_msg("step %d: timeout", idx);
                }
                assert_true(n > 0);

                if (p[0].revents & POLLIN) {
                        memset(req, 0, notif_size);
                        if (ioctl(c->listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
                                if (errno == EINTR || errno == ENOENT)
                                        continue;
                                fail_msg("NOTIF_RECV: %s", strerror(errno));
                        }
                        if (*n_seen < seen_max)
                                seen[(*n_seen)++] = (struct seen) { .arch = req->data.arch, .nr = req->data.nr };
                        assert_int_equal(ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id), 0);

                        memset(resp, 0, resp_size);
                        resp->id = req->id;
                        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
                        if (ioctl(c->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
                                fail_msg("NOTIF_SEND: %s", strerror(errno));
                        continue;
                }
                if (p[1].revents & (POLLIN | POLLHUP)) {
                        assert_int_equal(read(c->sock, &result, sizeof result), (ssize_t) sizeof result);
                        return result;
                }
                if (p[0].revents & (POLLHUP | POLLERR))
                        fail_msg("step %d: the child is gone", idx);
        }
}

static void run_steps(const struct pv_syscall *rows, size_t n_rows, bool strict, const struct step *steps,
                      size_t n_steps) {
        struct sock_fprog prog = {};
        struct child c = { .pid = -1, .sock = -1, .listener = -1 };
        int r;

        build_or_skip(rows, n_rows, PV_FILTER_NOTIFY, strict, &prog);

        r = child_start(&prog, steps, n_steps, &c);
        pv_filter_done(&prog);
        if (r == -EBUSY || r == -EINVAL || r == -ENOSYS || r == -EPERM) {
                print_message("no seccomp listener here: %s\n", strerror(-r));
                skip();
        }
        assert_int_equal(r, 0);
        assert_true(c.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
        print_message("listener flags 0x%x (WAIT_KILLABLE_RECV %s)\n", c.flags,
                      c.flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ? "on" : "off");

        for (size_t i = 0; i < n_steps; i++) {
                const struct step *s = &steps[i];
                struct seen seen[16];
                size_t n_seen;
                bool want, got = false;

                if (s->needs_ia32 && !ia32) {
                        print_message("  %-48s skipped (no IA32 emulation)\n", s->name);
                        continue;
                }

                long result = child_step(&c, (int) i, seen, &n_seen, ELEMENTSOF(seen));

                for (size_t j = 0; j < n_seen; j++) {
                        if (seen[j].arch == s->arch && seen[j].nr == s->nr)
                                got = true;
                        else
                                fail_msg("%s: unexpected notification arch 0x%x nr %d", s->name, seen[j].arch,
                                         seen[j].nr);
                }
                want = s->expect == NOTIFY_ALWAYS || (s->expect == NOTIFY_STRICT && strict);
                print_message("  %-48s %s\n", s->name, got ? "notified" : "passed");
                if (got != want)
                        fail_msg("%s (strict %d): %s", s->name, strict, want ? "not notified" : "notified");
                if (s->want_set && result != s->want)
                        fail_msg("%s: result %ld, want %ld", s->name, result, s->want);
        }

        child_stop(&c);
}

static void test_notify_fast(_unused_ void **state) {
        run_steps(NULL, 0, false, table_steps, ELEMENTSOF(table_steps));
}

static void test_notify_strict(_unused_ void **state) {
        run_steps(NULL, 0, true, table_steps, ELEMENTSOF(table_steps));
}

static void test_notify_prefix(_unused_ void **state) {
        run_steps(extra_rows, ELEMENTSOF(extra_rows), false, prefix_steps, ELEMENTSOF(prefix_steps));
        run_steps(extra_rows, ELEMENTSOF(extra_rows), true, prefix_steps, ELEMENTSOF(prefix_steps));
}

/* A TRACE filter with no tracer: its calls fail with ENOSYS (seccomp(2)), others work. */
static void test_trace_untraced(_unused_ void **state) {
        struct sock_fprog prog = {};
        int status;
        pid_t pid;

        build_or_skip(NULL, 0, PV_FILTER_TRACE, true, &prog);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(10);
                int r = pv_filter_install(&prog);
                if (r < 0)
                        _exit(r == -EINVAL || r == -ENOSYS ? 77 : 11);
                if (syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_CLOEXEC) >= 0 || errno != ENOSYS)
                        _exit(12);
                if (syscall(SYS_getppid) <= 0)
                        _exit(13);
                if (ia32 && int80(5, (long) (uintptr_t) low->hostname, O_RDONLY, 0, 0, 0) != -ENOSYS)
                        _exit(14);
                if (ia32 && int80(20, 0, 0, 0, 0, 0) != getpid())
                        _exit(15);
                _exit(0);
        }
        pv_filter_done(&prog);

        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
                skip();
        assert_int_equal(WEXITSTATUS(status), 0);
}

/* A second listener in one filter chain: EBUSY (the nested-sandbox case of FACTS.md). */
static void test_second_listener(_unused_ void **state) {
        struct sock_fprog prog = {};
        int status;
        pid_t pid;

        build_or_skip(NULL, 0, PV_FILTER_NOTIFY, false, &prog);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                unsigned flags;

                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(10);
                int fd = pv_filter_install_listener(&prog, &flags);
                if (fd < 0)
                        _exit(77);
                int r = pv_filter_install_listener(&prog, &flags);
                _exit(r == -EBUSY ? 0 : 11);
        }
        pv_filter_done(&prog);

        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
                skip();
        assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_install_bad(_unused_ void **state) {
        struct sock_fprog empty = {};
        unsigned flags = 0xdead;

        assert_int_equal(pv_filter_install_listener(NULL, &flags), -EINVAL);
        assert_int_equal(pv_filter_install_listener(&empty, &flags), -EINVAL);
        assert_int_equal(flags, 0xdead);
        assert_int_equal(pv_filter_install(NULL), -EINVAL);
        assert_int_equal(pv_filter_install(&empty), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_build),
                cmocka_unit_test(test_build_prefix),
                cmocka_unit_test(test_build_hybrid),
                cmocka_unit_test(test_install_bad),
                cmocka_unit_test(test_notify_fast),
                cmocka_unit_test(test_notify_strict),
                cmocka_unit_test(test_notify_prefix),
                cmocka_unit_test(test_trace_untraced),
                cmocka_unit_test(test_second_listener),
        };

        low = mmap(NULL, sizeof *low, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        if (low == MAP_FAILED) {
                perror("mmap(MAP_32BIT)");
                return 1;
        }
        strcpy(low->hostname, hostname);
        ia32 = probe_ia32();
        if (!ia32)
                fprintf(stderr, "note: no IA32 emulation, int $0x80 parts skipped\n");

        return cmocka_run_group_tests(tests, NULL, NULL);
}
