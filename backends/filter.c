/* SPDX-License-Identifier: MIT */
/* libseccomp notes (2.5.4, verified; see test-filter):
 *  - seccomp_rule_add() reads the number as a NATIVE (x86-64) number and translates it to every
 *    other arch of the context by name. So a context holding both arches refuses a raw number that
 *    libseccomp cannot name (-EFAULT), and a raw i386 number would land on whatever i386 call has
 *    the name of the x86-64 call with that number (5 = fstat on x86-64 -> i386 fstat 108).
 *    Hence one context per arch, merged: x86-64 rules use the raw numbers (native: no
 *    translation); i386 rules use the native (or pseudo, for i386-only calls) number of
 *    libseccomp's i386 NAME for the row's number, which translates back to exactly that number.
 *  - An i386 number that libseccomp 2.5.4 cannot name (getxattrat 464, ...) cannot be expressed at
 *    all: such rows go into a small hand-written prefix in front of libseccomp's program.
 *  - Two rules with different actions on one call are not ordered by libseccomp, so a fast path is
 *    written as a condition on the trapping rule ("flags & AT_EMPTY_PATH == 0" -> NOTIFY) and
 *    the default ALLOW covers the rest.
 *  - On x86-64 libseccomp sends numbers >= __X32_SYSCALL_BIT to the bad-arch action when the
 *    filter has no x32 arch: that is our x32 refusal (ENOSYS). Except -1 (0xffffffff), which a
 *    tracer sets to skip a call: it is let through, and the kernel runs nothing for it.
 *  - 2.5.4 has no seccomp_export_bpf_mem(): export through a memfd. */

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backends/filter.h"
#include "backends/seccomp-compat.h"
#include "common/macro.h"

/* The verdict for calls of no arch we know, and for x32: see filter.h. */
#define PV_FILTER_BADARCH SCMP_ACT_ERRNO(ENOSYS)

/* Unknown-i386 rows in the prefix: arch check + nr load + at most 5 instructions per row, and
 * the arch check jumps over all of them with an 8-bit offset. */
#define PREFIX_ROWS_MAX 48

struct prefix_row {
        int nr;
        uint32_t action;
        int flags_arg;         /* -1: no fast path */
        uint32_t fast_flag;
        int gate_arg;          /* -1, or: trapped only when this argument is not gate_value (socket
                                * rows: an address length of 0; hybrid rows: the cookie) */
        uint32_t gate_value;
        uint32_t gate_verdict; /* what a call with gate_value gets: ALLOW, or TRACE for the cookie */
};

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

uint32_t pv_filter_row_verdict(const struct pv_syscall *sc, enum pv_arch arch, enum pv_filter_action action) {
        if (!sc || pv_syscall_nr(sc, arch) < 0)
                return SECCOMP_RET_ALLOW;

        switch (action) {
        case PV_FILTER_NOTIFY:
                /* a TRACE row that changes the tracee's view (chroot) is observed all the same */
                return sc->how[PV_SC_BACKEND_UNOTIFY] == PV_HOW_EMULATE ||
                                       sc->how[PV_SC_BACKEND_UNOTIFY] == PV_HOW_OBSERVE ||
                                       (sc->how[PV_SC_BACKEND_UNOTIFY] == PV_HOW_TRACE && sc->kind == PV_SC_SETVIEW)
                               ? SECCOMP_RET_USER_NOTIF
                               : SECCOMP_RET_ALLOW;
        case PV_FILTER_NOTIFY_TRACE:
                switch (sc->how[PV_SC_BACKEND_UNOTIFY]) {
                case PV_HOW_EMULATE:
                case PV_HOW_OBSERVE:
                        return SECCOMP_RET_USER_NOTIF;
                case PV_HOW_TRACE:
                        return SECCOMP_RET_TRACE;
                default:
                        return SECCOMP_RET_ALLOW;
                }
        case PV_FILTER_NOTIFY_HYBRID:
                return sc->how[PV_SC_BACKEND_UNOTIFY] != PV_HOW_PASS ? SECCOMP_RET_USER_NOTIF
                                                                    : SECCOMP_RET_ALLOW;
        case PV_FILTER_TRACE:
                return sc->how[PV_SC_BACKEND_PTRACE_SECCOMP] != PV_HOW_PASS ? SECCOMP_RET_TRACE
                                                                           : SECCOMP_RET_ALLOW;
        default:
                return SECCOMP_RET_ALLOW;
        }
}

static uint32_t verdict_to_scmp(uint32_t verdict) {
        switch (verdict) {
        case SECCOMP_RET_USER_NOTIF:
                return SCMP_ACT_NOTIFY;
        case SECCOMP_RET_TRACE:
                return SCMP_ACT_TRACE(0);
        default:
                return SCMP_ACT_ALLOW;
        }
}

/* Whether this row gets a fast path in this filter, and on which argument. */
static bool row_fast_path(const struct pv_syscall *sc, bool strict) {
        return !strict && sc->fast_path_flag != 0 && sc->flags_arg >= 0 && sc->flags_arg < PV_SC_ARGS &&
               sc->flags_type != PV_FLAGS_OPEN_HOW;
}

/* libseccomp checks this too, but answers -EINVAL, which says nothing to the caller. */
static int verdict_available(uint32_t verdict, unsigned *checked) {
        unsigned bit = verdict == SECCOMP_RET_USER_NOTIF ? 1u : 2u;

        if (*checked & bit)
                return 0;
        if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &verdict) < 0)
                /* EOPNOTSUPP: unknown action; EINVAL: a kernel before 4.14 (no USER_NOTIF either) */
                return errno == EOPNOTSUPP || errno == EINVAL ? -EOPNOTSUPP : negative_errno();
        *checked |= bit;
        return 0;
}

static int ctx_new(uint32_t arch, scmp_filter_ctx *ret) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;

        if (arch != seccomp_arch_native()) {
                r = seccomp_arch_add(ctx, arch);
                if (r < 0)
                        return r;
                r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
                if (r < 0)
                        return r;
        }

        /* seccomp_merge() wants equal attributes: set the same on every context. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, PV_FILTER_BADARCH);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(ctx);
        return 0;
}

/* The hybrid's cookie argument: the sixth, free in every row that unotify may hand to its ptrace
 * side (pv_syscall_hybrid_row), on both arches. */
#define COOKIE_ARG 5

/* One rule with `n` conditions; for a hybrid row twice: the call made again by our tracer carries
 * the cookie, and is not let through but traced (our tracer set PTRACE_O_TRACESECCOMP and lets it
 * go; a program that guessed the cookie and has no such tracer gets ENOSYS, never the call). */
static int add_conds(scmp_filter_ctx ctx, int rule_nr, uint32_t action, struct scmp_arg_cmp *conds, unsigned n,
                     bool cookie_row, uint64_t cookie) {
        if (!cookie_row)
                return seccomp_rule_add_exact_array(ctx, action, rule_nr, n, conds);
        conds[n] = SCMP_CMP(COOKIE_ARG, SCMP_CMP_NE, cookie);
        int r = seccomp_rule_add_exact_array(ctx, action, rule_nr, n + 1, conds);
        if (r < 0)
                return r;
        conds[n] = SCMP_CMP(COOKIE_ARG, SCMP_CMP_EQ, cookie);
        return seccomp_rule_add_exact_array(ctx, SCMP_ACT_TRACE(0), rule_nr, n + 1, conds);
}

static int add_rule(scmp_filter_ctx ctx, const struct pv_syscall *sc, int rule_nr, uint32_t action, bool strict,
                    bool cookie_row, uint64_t cookie) {
        struct scmp_arg_cmp conds[3];
        unsigned n = 0;
        /* socket rows: only a call with an address is trapped (pv_syscall_no_address) */
        if (sc->n_paths == 1 && sc->path[0].type == PV_PATH_SOCKADDR_UN)
                conds[n++] = SCMP_CMP((unsigned) sc->path[0].len_arg, SCMP_CMP_NE, 0);
        else if (row_fast_path(sc, strict))
                conds[n++] = SCMP_CMP((unsigned) sc->flags_arg, SCMP_CMP_MASKED_EQ, sc->fast_path_flag, 0);
        /* i386 socketcall: the calls of the table's rows only (their arguments are in memory) */
        if (sc->kind == PV_SC_SOCKETCALL) {
                for (unsigned call = 0; call < PV_SOCKETCALL_MAX; call++) {
                        unsigned nargs;
                        if (!pv_socketcall_row(call, &nargs))
                                continue;
                        conds[n] = SCMP_CMP(0, SCMP_CMP_EQ, call);
                        int r = add_conds(ctx, rule_nr, action, conds, n + 1, cookie_row, cookie);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        return add_conds(ctx, rule_nr, action, conds, n, cookie_row, cookie);
}

/* The number to give seccomp_rule_add() on the i386-only context so that the rule lands on i386
 * number `nr` (see the top of this file). -ENOENT when libseccomp cannot name `nr` on i386. */
static int i386_rule_nr(int nr, int *ret) {
        _cleanup_free_ char *name = NULL;
        int native;

        name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, nr);
        if (!name)
                return -ENOENT;
        if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, name) != nr)
                return -ENOENT;

        native = seccomp_syscall_resolve_name(name); /* a negative pseudo number for i386-only calls */
        if (native == __NR_SCMP_ERROR)
                return -ENOENT;

        *ret = native;
        return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_n) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ struct sock_filter *insns = NULL;
        off_t size;
        size_t done = 0;
        int r;

        fd = memfd_create("pathvisor-bpf", MFD_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;

        size = lseek(fd, 0, SEEK_END);
        if (size < 0)
                return negative_errno();
        if (size == 0 || (size_t) size % sizeof(struct sock_filter) != 0)
                return -EBADMSG;
        if ((size_t) size > BPF_MAXINSNS * sizeof(struct sock_filter))
                return -E2BIG;

        insns = malloc((size_t) size);
        if (!insns)
                return -ENOMEM;

        while (done < (size_t) size) {
                ssize_t n = pread(fd, (char *) insns + done, (size_t) size - done, (off_t) done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        return -EIO;
                done += (size_t) n;
        }

        *ret_n = (size_t) size / sizeof(struct sock_filter);
        *ret = TAKE_PTR(insns);
        return 0;
}

/* Instructions for i386 rows that libseccomp cannot express; the program continues into
 * libseccomp's, which starts by loading the arch again. Returns the count written to `out`. */
static size_t prefix_emit(const struct prefix_row *rows, size_t n, struct sock_filter *out) {
        size_t k = 0, body = 0;

        if (n == 0)
                return 0;

        for (size_t i = 0; i < n; i++)
                body += 1 + (rows[i].flags_arg >= 0 || rows[i].gate_arg >= 0 ? 4 : 1);

        out[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
        out[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, (uint8_t) (1 + body));
        out[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));

        for (size_t i = 0; i < n; i++) {
                if (rows[i].gate_arg >= 0) {
                        out[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) rows[i].nr, 0, 4);
                        out[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                                 offsetof(struct seccomp_data, args) +
                                                                 (size_t) rows[i].gate_arg * sizeof(uint64_t));
                        out[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, rows[i].gate_value, 0, 1);
                        out[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, rows[i].gate_verdict);
                        out[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, rows[i].action);
                        continue;
                }
                if (rows[i].flags_arg < 0) {
                        out[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) rows[i].nr, 0, 1);
                        out[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, rows[i].action);
                        continue;
                }

                /* i386 arguments are 32 bits: the low word of args[i] (little endian). */
                out[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) rows[i].nr, 0, 4);
                out[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                         offsetof(struct seccomp_data, args) +
                                                         (size_t) rows[i].flags_arg * sizeof(uint64_t));
                out[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, rows[i].fast_flag, 0, 1);
                out[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
                out[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, rows[i].action);
        }

        return k;
}

static int build_rows(const struct pv_syscall *rows, size_t n_rows, enum pv_filter_action action, bool strict,
                      uint64_t cookie, struct sock_fprog *ret) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx64 = NULL, ctx32 = NULL;
        _cleanup_free_ struct sock_filter *insns = NULL, *prog = NULL;
        struct prefix_row prefix[PREFIX_ROWS_MAX];
        size_t n_prefix = 0, n_insns = 0, n_prefix_insns;
        unsigned checked = 0;
        int r;

        if ((unsigned) action >= _PV_FILTER_ACTION_MAX || !ret || (!rows && n_rows > 0) ||
            (action == PV_FILTER_NOTIFY_HYBRID) != (cookie != 0))
                return -EINVAL;

#if !defined(__x86_64__)
        return -EAFNOSUPPORT;
#endif
        if (seccomp_arch_native() != SCMP_ARCH_X86_64)
                return -EAFNOSUPPORT;

        r = ctx_new(SCMP_ARCH_X86_64, &ctx64);
        if (r < 0)
                return r;
        r = ctx_new(SCMP_ARCH_X86, &ctx32);
        if (r < 0)
                return r;

        if (strict) {
                /* io_uring operations open, stat and rename files without a system call that a
                 * filter sees: a strict policy must not be bypassed that way. EPERM, as the kernel
                 * answers with io_uring disabled (kernel.io_uring_disabled=2). */
                r = seccomp_rule_add_exact(ctx64, SCMP_ACT_ERRNO(EPERM), PV_NR_IO_URING_SETUP, 0);
                if (r < 0)
                        return r;
                int nr32;
                if (i386_rule_nr(PV_NR_IO_URING_SETUP, &nr32) >= 0) {
                        r = seccomp_rule_add_exact(ctx32, SCMP_ACT_ERRNO(EPERM), nr32, 0);
                        if (r < 0)
                                return r;
                }
        }

        for (size_t i = 0; i < n_rows; i++) {
                const struct pv_syscall *sc = &rows[i];
                uint32_t verdict;
                int nr;
                bool cookie_row = action == PV_FILTER_NOTIFY_HYBRID && pv_syscall_hybrid_row(sc);

                /* x86-64: the raw number, native to libseccomp, never translated. */
                verdict = pv_filter_row_verdict(sc, PV_ARCH_X86_64, action);
                if (verdict != SECCOMP_RET_ALLOW) {
                        r = verdict_available(verdict, &checked);
                        if (r < 0)
                                return r;
                        r = add_rule(ctx64, sc, sc->nr[PV_ARCH_X86_64], verdict_to_scmp(verdict), strict, cookie_row,
                                     cookie);
                        if (r < 0)
                                return r;
                }

                /* i386: through libseccomp's name, or the prefix. */
                verdict = pv_filter_row_verdict(sc, PV_ARCH_I386, action);
                if (verdict == SECCOMP_RET_ALLOW)
                        continue;
                r = verdict_available(verdict, &checked);
                if (r < 0)
                        return r;

                r = i386_rule_nr(sc->nr[PV_ARCH_I386], &nr);
                if (r >= 0) {
                        r = add_rule(ctx32, sc, nr, verdict_to_scmp(verdict), strict, cookie_row,
                                     (uint32_t) cookie);
                        if (r < 0)
                                return r;
                        continue;
                }

                if (n_prefix >= PREFIX_ROWS_MAX)
                        return -E2BIG;
                prefix[n_prefix++] = (struct prefix_row) {
                        .nr = sc->nr[PV_ARCH_I386],
                        .action = verdict,
                        .flags_arg = row_fast_path(sc, strict) ? sc->flags_arg : -1,
                        .fast_flag = sc->fast_path_flag,
                        .gate_arg = -1,
                        .gate_verdict = SECCOMP_RET_ALLOW,
                };
                if (cookie_row) { /* an i386 call carries the cookie's low 32 bits */
                        prefix[n_prefix - 1].flags_arg = -1;
                        prefix[n_prefix - 1].gate_arg = COOKIE_ARG;
                        prefix[n_prefix - 1].gate_value = (uint32_t) cookie;
                        prefix[n_prefix - 1].gate_verdict = SECCOMP_RET_TRACE;
                } else if (sc->n_paths == 1 && sc->path[0].type == PV_PATH_SOCKADDR_UN)
                        prefix[n_prefix - 1].gate_arg = sc->path[0].len_arg;
        }

        r = seccomp_merge(ctx64, ctx32);
        if (r < 0)
                return r;
        ctx32 = NULL; /* merged into ctx64 and freed by libseccomp */

        r = export_bpf(ctx64, &insns, &n_insns);
        if (r < 0)
                return r;

        n_prefix_insns = n_prefix > 0 ? 3 + 5 * n_prefix : 0; /* upper bound */
        if (n_insns + n_prefix_insns > BPF_MAXINSNS)
                return -E2BIG;

        prog = malloc((n_prefix_insns + n_insns) * sizeof(struct sock_filter));
        if (!prog)
                return -ENOMEM;

        n_prefix_insns = prefix_emit(prefix, n_prefix, prog);
        memcpy(prog + n_prefix_insns, insns, n_insns * sizeof(struct sock_filter));

        *ret = (struct sock_fprog) {
                .len = (unsigned short) (n_prefix_insns + n_insns),
                .filter = TAKE_PTR(prog),
        };
        return 0;
}

int pv_filter_build_rows(const struct pv_syscall *rows, size_t n_rows, enum pv_filter_action action,
                         bool strict, struct sock_fprog *ret) {
        return build_rows(rows, n_rows, action, strict, 0, ret);
}

int pv_filter_build(enum pv_filter_action action, bool strict, struct sock_fprog *ret) {
        return build_rows(pv_syscall_table, pv_syscall_table_size, action, strict, 0, ret);
}

int pv_filter_build_hybrid(bool strict, uint64_t cookie, struct sock_fprog *ret) {
        return build_rows(pv_syscall_table, pv_syscall_table_size, PV_FILTER_NOTIFY_HYBRID, strict, cookie, ret);
}

void pv_filter_done(struct sock_fprog *prog) {
        if (!prog)
                return;
        free(prog->filter);
        *prog = (struct sock_fprog) {};
}

int pv_filter_install_listener(const struct sock_fprog *prog, unsigned *ret_flags) {
        static const unsigned attempts[] = {
                SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
                SECCOMP_FILTER_FLAG_NEW_LISTENER,
        };

        if (!prog || !prog->filter || prog->len == 0)
                return -EINVAL;

        for (size_t i = 0; i < ELEMENTSOF(attempts); i++) {
                long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, attempts[i], prog);
                if (fd >= 0) {
                        if (ret_flags)
                                *ret_flags = attempts[i];
                        return (int) fd;
                }
                /* EINVAL: a kernel before 5.19 does not know WAIT_KILLABLE_RECV. Anything else
                 * (EBUSY: a listener above us; EACCES: no no_new_privs) does not get better. */
                if (errno != EINVAL)
                        return negative_errno();
        }

        return -EINVAL;
}

int pv_filter_install(const struct sock_fprog *prog) {
        if (!prog || !prog->filter || prog->len == 0)
                return -EINVAL;

        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
                return negative_errno();
        return 0;
}
