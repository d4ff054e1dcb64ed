/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <syslog.h>

#include "backends/capture.h"
#include "backends/seccomp-compat.h"
#include "backends/tracee.h"
#include "common/log.h"
#include "common/macro.h"
#include "policy/policy.h"

bool pv_path_escapes(const char *rel) {
        int depth = 0;
        for (const char *p = rel; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        if (--depth < 0)
                                return true;
                } else if (n > 0 && !(n == 1 && p[0] == '.'))
                        depth++;
                p += n;
                while (*p == '/')
                        p++;
        }
        return false;
}

/* The flags from a register, or from struct open_how in tracee memory (checked as the kernel
 * checks it: at least VER0, fields it does not know zero). */
static int read_flags(struct pv_capture *c, pid_t pid, const struct pv_syscall *sc, const uint64_t args[PV_SC_ARGS]) {
        c->flags = 0;
        c->how = (struct open_how) {};
        if (pv_syscall_flags(sc, args, &c->flags))
                return 0;
        uint64_t size = args[sc->flags_arg + 1];
        if (size < OPEN_HOW_SIZE_VER0)
                return -EINVAL;
        int r = pv_tracee_read(pid, args[sc->flags_arg], &c->how, MIN(size, sizeof(c->how)));
        if (r < 0)
                return r;
        if (size > sizeof(c->how)) {
                uint8_t rest[64];
                if (size - sizeof(c->how) > sizeof(rest))
                        return -E2BIG;
                r = pv_tracee_read(pid, args[sc->flags_arg] + sizeof(c->how), rest, size - sizeof(c->how));
                if (r < 0)
                        return r;
                for (size_t i = 0; i < size - sizeof(c->how); i++)
                        if (rest[i])
                                return -E2BIG;
        }
        c->flags = c->how.flags;
        return 0;
}

/* struct msghdr of each arch: msg_name and msg_namelen, msg_iov and msg_iovlen, msg_control and
 * msg_controllen. */
int pv_capture_msghdr(struct pv_capture *c, pid_t pid, enum pv_arch arch, uint64_t addr, uint64_t *ret_name,
                      uint64_t *ret_namelen) {
        c->msghdr_size = PV_MSGHDR_SIZE(arch);
        int r = pv_tracee_read(pid, addr, c->msghdr, c->msghdr_size);
        if (r < 0)
                return r;
        *ret_name = pv_arch_word(c->msghdr, 0, arch);
        *ret_namelen = (uint32_t) pv_arch_word(c->msghdr, 1, arch); /* an int, then padding on x86-64 */
        c->msg_iov = pv_arch_word(c->msghdr, 2, arch);
        c->msg_iovlen = pv_arch_word(c->msghdr, 3, arch);
        c->msg_control = pv_arch_word(c->msghdr, 4, arch);
        c->msg_controllen = pv_arch_word(c->msghdr, 5, arch);
        return 0;
}

int pv_capture_path(struct pv_capture *c, pid_t pid, const struct pv_syscall *sc, enum pv_arch arch, unsigned idx,
                    const uint64_t args[PV_SC_ARGS], pv_root_path_fn root_path, void *userdata) {
        int r = read_flags(c, pid, sc, args);
        if (r < 0)
                return r;

        const struct pv_sc_path *sp = &sc->path[idx];
        c->have_base = false;
        c->index = idx;
        c->dirfd = sp->dirfd_arg >= 0 ? (int) args[sp->dirfd_arg] : AT_FDCWD;
        /* utimensat(fd, NULL, ...) is futimens(fd), fanotify_mark(.., dirfd, NULL) marks dirfd's
         * object: no path */
        if (args[sp->arg] == 0 && sp->empty == PV_EMPTY_NULL)
                return PV_CAPTURE_KERNEL;
        /* fanotify_mark(.., FAN_MARK_FLUSH, ..): the kernel does not look at the path at all */
        if (c->flags & sc->no_path_flags)
                return PV_CAPTURE_KERNEL;
        int n;
        if (sp->type == PV_PATH_MOUNT_SOURCE && (!(c->flags & (MS_BIND | MS_MOVE)) || (c->flags & MS_REMOUNT)))
                return PV_CAPTURE_KERNEL;
        if (sp->type == PV_PATH_SOCKADDR_UN || sp->type == PV_PATH_MSGHDR) {
                /* only a named AF_UNIX address is a path; unnamed (just the family), abstract
                 * (sun_path[0] == 0), other families and bad lengths are the kernel's */
                uint64_t addr = args[sp->arg], len;
                /* a bad address is the kernel's to report (EFAULT); memory that we may not read
                 * (EPERM) fails the call: never let an address through unseen */
                if (sp->type == PV_PATH_MSGHDR) {
                        r = pv_capture_msghdr(c, pid, arch, addr, &addr, &len);
                        if (r < 0 && r != -EFAULT)
                                return r;
                        if (r < 0 || addr == 0)
                                return PV_CAPTURE_KERNEL;
                } else
                        len = args[sp->len_arg];
                struct sockaddr_un sun;
                if (len <= offsetof(struct sockaddr_un, sun_path) || len > sizeof(sun))
                        return PV_CAPTURE_KERNEL;
                r = pv_tracee_read(pid, addr, &sun, (size_t) len);
                if (r < 0)
                        return r == -EFAULT ? PV_CAPTURE_KERNEL : r;
                size_t plen = (size_t) len - offsetof(struct sockaddr_un, sun_path);
                if (sun.sun_family != AF_UNIX || sun.sun_path[0] == '\0')
                        return PV_CAPTURE_KERNEL;
                /* sun_path need not end in NUL: 108 bytes of name are allowed */
                n = (int) strnlen(sun.sun_path, plen);
                memcpy(c->path, sun.sun_path, (size_t) n);
                c->path[n] = '\0';
        } else
                n = pv_tracee_read_string(pid, args[sp->arg], c->path, sizeof(c->path));
        if (n < 0)
                return n;
        if (n == 0)
                return pv_syscall_empty_path_ok(sc, idx, c->flags) ? PV_CAPTURE_KERNEL : -ENOENT;

        /* A last component "." or ".." names a directory entry of its own to the calls that add
         * or remove entries: rmdir("d/.") is EINVAL, rename("..", x) EBUSY, where the lexically
         * normalised "d" would be removed or renamed. The decision is made on the directory part;
         * pv_capture_target() puts the component back on the path that the call is made on. */
        c->last_dot[0] = '\0';
        if (sc->flags_type != PV_FLAGS_OPEN && sc->flags_type != PV_FLAGS_OPEN_HOW &&
            (pv_syscall_path_intent(sc, idx, args) & (PV_INTENT_CREATE | PV_INTENT_DELETE))) {
                size_t pl = (size_t) n;
                while (pl > 1 && c->path[pl - 1] == '/')
                        pl--;
                const char *slash = memrchr(c->path, '/', pl);
                const char *last = slash ? slash + 1 : c->path;
                size_t ll = pl - (size_t) (last - c->path);
                if ((ll == 1 && last[0] == '.') || (ll == 2 && last[0] == '.' && last[1] == '.')) {
                        memcpy(c->last_dot, last, ll);
                        c->last_dot[ll] = '\0';
                        if (slash == c->path)
                                strcpy(c->path, "/");
                        else if (slash)
                                c->path[slash - c->path] = '\0';
                        else
                                strcpy(c->path, ".");
                }
        }

        /* absolute: against the dirfd or the cwd. openat2 RESOLVE_BENEATH: an absolute path or one
         * that leaves the dirfd's directory fails with EXDEV, as the kernel says; RESOLVE_IN_ROOT:
         * the path (absolute too) is taken with the dirfd's directory as its root. */
        c->in_root = sc->kind == PV_SC_OPENAT2 && (c->how.resolve & RESOLVE_IN_ROOT);
        c->beneath = sc->kind == PV_SC_OPENAT2 && (c->how.resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT));
        bool dir = false;
        if (c->beneath && !c->in_root && (c->path[0] == '/' || pv_path_escapes(c->path)))
                return -EXDEV;
        if (c->path[0] != '/' || c->beneath) {
                r = c->dirfd == AT_FDCWD ? pv_tracee_cwd(pid, c->base, sizeof(c->base))
                                         : pv_tracee_fd_path(pid, c->dirfd, c->base, sizeof(c->base));
                if (r == -ENOTDIR || r == -ENOENT)
                        return PV_CAPTURE_KERNEL; /* not a directory with a path: the kernel says why */
                if (r < 0)
                        return r;
                /* in a chroot the program names its cwd from its own root */
                if (root_path) {
                        int k = root_path(userdata, pid, c->scratch, sizeof(c->scratch));
                        if (k < 0)
                                return k;
                        (void) pv_path_strip_root(c->base, c->scratch, (size_t) k);
                }
                memcpy(c->base_real, c->base, strlen(c->base) + 1);
                /* a directory reached through a redirect stands for the path the program named */
                r = pv_policy_reverse(c->policy, c->base, c->abs, PATH_MAX);
                if (r > 0)
                        memcpy(c->base, c->abs, (size_t) r + 1);
                c->have_base = true;
        }
        if (c->in_root) {
                /* "/" + path, normalised (so ".." stops at the new root), below base */
                char *tmp = c->scratch;
                tmp[0] = '/';
                size_t plen = strlen(c->path);
                if (plen + 2 > PATH_MAX)
                        return -ENAMETOOLONG;
                memcpy(tmp + 1, c->path, plen + 1);
                r = pv_path_normalize(tmp, c->abs, PATH_MAX, &dir);
                if (r < 0)
                        return r;
                memcpy(tmp, c->abs, (size_t) r + 1);
                r = pv_path_join_normalize(c->base, r == 1 ? "." : tmp + 1, c->abs, PATH_MAX, NULL);
        } else if (c->path[0] == '/')
                r = pv_path_normalize(c->path, c->abs, PATH_MAX, &dir);
        else
                r = pv_path_join_normalize(c->base, c->path, c->abs, PATH_MAX, &dir);
        if (r < 0)
                return r;
        if (c->beneath && !c->in_root) {
                size_t bl = strlen(c->base);
                if (!(bl == 1 || (strncmp(c->abs, c->base, bl) == 0 && (c->abs[bl] == '/' || c->abs[bl] == '\0'))))
                        return -EXDEV; /* ".." out of the directory */
        }
        if (dir && r > 1)
                strcpy(c->abs + r, "/");

        c->intent = sc->flags_type == PV_FLAGS_OPEN_HOW ? pv_syscall_intent_flags(sc, idx, c->flags, 0)
                                                        : pv_syscall_path_intent(sc, idx, args);
        /* /proc/PID/fd/N and /dev/fd/N name an object, not a place that a rule covers: such a path
         * takes no part in the EXDEV test of two-path calls (linkat of an O_TMPFILE file) */
        c->neutral = strncmp(c->abs, "/proc/", 6) == 0 || strncmp(c->abs, "/dev/fd/", 8) == 0;
        return PV_CAPTURE_DECIDE;
}

const char *pv_capture_target(struct pv_capture *c, const char *target) {
        if (!c->last_dot[0] || !target)
                return target;
        size_t tl = strlen(target);
        while (tl > 1 && target[tl - 1] == '/')
                tl--;
        int k = snprintf(c->target_buf, sizeof(c->target_buf), "%.*s%s%s", (int) tl, target,
                         tl == 1 && target[0] == '/' ? "" : "/", c->last_dot);
        return k > 0 && (size_t) k < sizeof(c->target_buf) ? c->target_buf : target;
}

void pv_capture_anchor(const struct pv_capture *c, const char *target, char *anchor, const char **ret_sub) {
        size_t bl = strlen(c->base), al = strlen(c->abs), tl = strlen(target);
        const char *below = bl == 1 ? c->abs : c->abs + bl; /* "" or "/..." */
        size_t sl = al - (size_t) (below - c->abs);
        const char *sub;
        if (sl == 0 || (sl == 1 && below[0] == '/')) {
                memcpy(anchor, target, tl + 1);
                sub = ".";
        } else if (tl > sl && strcmp(target + tl - sl, below) == 0) {
                memcpy(anchor, target, tl - sl);
                anchor[tl - sl] = '\0';
                sub = target + tl - sl + 1;
        } else {
                const char *slash = strrchr(target, '/');
                while (slash && slash > target && slash[1] == '\0') /* "dir/" */
                        slash = memrchr(target, '/', (size_t) (slash - target));
                size_t dl = slash ? (size_t) (slash - target) : 0;
                memcpy(anchor, target, dl);
                anchor[dl] = '\0';
                sub = slash ? slash + 1 : target;
        }
        if (!anchor[0])
                strcpy(anchor, "/");
        if (!*sub)
                sub = ".";
        *ret_sub = sub;
}

/* Decisions: at info for `run -v`, else at debug; to the journal with fields. */
void pv_log_decision(bool verbose, unsigned long long session, const struct pv_syscall *sc, pid_t pid,
                     const char *abs, const char *target, const struct pv_decision *d) {
        int level = verbose ? LOG_INFO : LOG_DEBUG;
        if (level > log_get_max_level())
                return;
        char f_session[48], f_pid[32], f_call[64], f_path[PATH_MAX + 8], f_target[PATH_MAX + 8], f_rule[PATH_MAX + 32];
        snprintf(f_session, sizeof(f_session), "SESSION=%llu", session);
        snprintf(f_pid, sizeof(f_pid), "TRACEE_PID=%d", (int) pid);
        snprintf(f_call, sizeof(f_call), "SYSCALL=%s", sc->name);
        snprintf(f_path, sizeof(f_path), "PATH=%s", abs);
        if (target)
                snprintf(f_target, sizeof(f_target), "TARGET=%s", target);
        else
                snprintf(f_target, sizeof(f_target), "ERRNO_NAME=%s", pv_errno_to_name(d->error));
        if (d->rule && pv_rule_line(d->rule) > 0)
                snprintf(f_rule, sizeof(f_rule), "RULE=%s:%u:%u", pv_rule_file(d->rule), pv_rule_line(d->rule),
                         pv_rule_col(d->rule));
        else
                snprintf(f_rule, sizeof(f_rule), "RULE=%s", d->rule ? pv_rule_file(d->rule) : "");
        const char *fields[] = { session ? f_session : NULL, f_pid, f_call, f_path, f_target, f_rule };
        if (target)
                log_fields(level, fields, ELEMENTSOF(fields), "%s%.0llu%s%d %s(\"%s\") -> \"%s\"",
                           session ? "session " : "", session, session ? ": " : "", (int) pid, sc->name,
                           abs, target);
        else
                log_fields(level, fields, ELEMENTSOF(fields), "%s%.0llu%s%d %s(\"%s\"): %s",
                           session ? "session " : "", session, session ? ": " : "", (int) pid, sc->name,
                           abs, pv_errno_to_name(d->error));
}


bool pv_path_strip_root(char *path, const char *root, size_t root_len) {
        if (root_len <= 1)
                return true;
        if (strncmp(path, root, root_len) != 0 || (path[root_len] != '/' && path[root_len] != '\0'))
                return false;
        memmove(path, path[root_len] ? path + root_len : "/", strlen(path + root_len) + 2);
        return true;
}

int pv_capture_named(const struct pv_policy *p, char *real, const char *root, int root_len, char *out, size_t size) {
        if (root_len > 1 && !pv_path_strip_root(real, root, (size_t) root_len)) /* < 0: no root known */
                return 0; /* out of its root: the kernel names it its way */
        int n = pv_policy_reverse(p, real, out, size);
        return n > 0 ? n : 0;
}

bool pv_capture_may_have_links(const char *path, bool follow_last) {
        /* most targets hold no symlink at all: one openat2() that refuses them says so (a walk of
         * lstat() calls costs one full lookup per component) */
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW),
                .resolve = RESOLVE_NO_SYMLINKS,
        };
        int fd = (int) syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
        if (fd < 0)
                return true;
        close(fd);
        return false;
}

/* The length of the part of `abs` below the path of the rule that decided it. */
static size_t rest_len(const char *abs, const struct pv_decision *d) {
        size_t al = strlen(abs), rl = d->rule ? strlen(pv_rule_path(d->rule)) : al;
        if (rl == 1) /* a rule on "/" */
                return al;
        return al > rl ? al - rl : 0;
}

bool pv_capture_has_rest(const char *abs, const struct pv_decision *d) {
        return rest_len(abs, d) > 0;
}

bool pv_script_interpreter(char *head, size_t n, char **ret_interp, char **ret_arg) {
        if (n < 3 || head[0] != '#' || head[1] != '!')
                return false;
        head[n] = '\0';
        char *nl = strchr(head, '\n');
        if (nl)
                *nl = '\0';
        char *p = head + 2;
        while (*p == ' ' || *p == '\t')
                p++;
        char *interp = p;
        while (*p && *p != ' ' && *p != '\t')
                p++;
        char *arg = NULL;
        if (*p) {
                *p++ = '\0';
                while (*p == ' ' || *p == '\t')
                        p++;
                char *end = p + strlen(p);
                while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
                        *--end = '\0';
                if (*p)
                        arg = p;
        }
        if (interp[0] != '/')
                return false;
        *ret_interp = interp;
        *ret_arg = arg;
        return true;
}

int pv_capture_follow_links(const struct pv_policy *p, const char *abs, const struct pv_decision *d, unsigned intent,
                            bool follow_last, char *out, size_t size, struct pv_decision *scratch) {
        char path[PATH_MAX], link[PATH_MAX], virt[2 * PATH_MAX];
        size_t tl = strlen(d->target), rest = rest_len(abs, d);
        if (tl >= sizeof(path) || rest > tl)
                return 0;
        memcpy(path, d->target, tl + 1);
        size_t keep = tl - rest;
        bool changed = false;

        if (rest == 0 || !pv_capture_may_have_links(path, follow_last))
                return 0;

        for (int depth = 0; depth <= 40; depth++) {
                bool again = false;
                size_t i = keep;
                for (;;) {
                        while (path[i] == '/')
                                i++;
                        if (!path[i])
                                break;
                        size_t j = i;
                        while (path[j] && path[j] != '/')
                                j++;
                        size_t k = j;
                        while (path[k] == '/')
                                k++;
                        bool last = path[k] == '\0';
                        if (last && !follow_last && path[j] == '\0')
                                break;
                        char save = path[j];
                        path[j] = '\0';
                        struct stat st;
                        int lr = lstat(path, &st);
                        ssize_t n = lr == 0 && S_ISLNK(st.st_mode) ? readlink(path, link, sizeof(link) - 1) : -1;
                        path[j] = save;
                        if (lr < 0)
                                break; /* the kernel says why */
                        if (n < 0) {
                                i = j;
                                continue;
                        }
                        link[n] = '\0';
                        if (link[0] != '/')
                                break; /* relative: the kernel follows it from here */
                        /* an absolute link names a path of the program's view: decide it again */
                        int m = snprintf(virt, sizeof(virt), "%s%s", link, path + j);
                        if (m < 0 || (size_t) m >= sizeof(virt))
                                return -ENAMETOOLONG;
                        char norm[PATH_MAX + 1];
                        bool dir = false;
                        int r = pv_path_normalize(virt, norm, PATH_MAX, &dir);
                        if (r < 0)
                                return r;
                        if (dir && r > 1)
                                strcpy(norm + r, "/");
                        r = pv_policy_decide(p, norm, intent, scratch);
                        if (r < 0)
                                return r;
                        if (scratch->action == PV_FAIL)
                                return -scratch->error;
                        changed = true;
                        if (scratch->action != PV_REDIRECT) {
                                /* out of every redirect: the kernel goes on from there */
                                if (strlen(norm) >= size)
                                        return -ENAMETOOLONG;
                                strcpy(out, norm);
                                return 1;
                        }
                        size_t nl = strlen(scratch->target), nrest = rest_len(norm, scratch);
                        if (nl >= sizeof(path) || nrest > nl)
                                return -ENAMETOOLONG;
                        memcpy(path, scratch->target, nl + 1);
                        keep = nl - nrest;
                        again = true;
                        break;
                }
                if (!again) {
                        if (!changed)
                                return 0;
                        if (strlen(path) >= size)
                                return -ENAMETOOLONG;
                        strcpy(out, path);
                        return 1;
                }
        }
        return -ELOOP;
}

/* ---- AF_UNIX names bound through a redirect ---------------------------------------------------- */

_Static_assert(sizeof(((struct sockaddr_un *) NULL)->sun_path) == PV_SUN_PATH_MAX, "sun_path");

struct pv_sockname_entry {
        char kernel[PV_SUN_PATH_MAX + 1], named[PV_SUN_PATH_MAX + 1];
};

struct pv_socknames {
        unsigned n, next;
        struct pv_sockname_entry e[PV_SOCKNAMES_MAX];
};

struct pv_socknames *pv_socknames_free(struct pv_socknames *s) {
        free(s);
        return NULL;
}

int pv_socknames_add(struct pv_socknames **s, const char *kernel, const char *named) {
        if (strlen(kernel) > PV_SUN_PATH_MAX || strlen(named) > PV_SUN_PATH_MAX)
                return -ENAMETOOLONG;
        if (!*s && !(*s = calloc(1, sizeof(**s))))
                return -ENOMEM;
        struct pv_socknames *t = *s;
        unsigned i;
        for (i = 0; i < t->n; i++) /* the same address bound again: the newest name */
                if (strcmp(t->e[i].kernel, kernel) == 0)
                        break;
        if (i == t->n) {
                if (t->n < PV_SOCKNAMES_MAX)
                        i = t->n++;
                else {
                        i = t->next;
                        t->next = (t->next + 1) % PV_SOCKNAMES_MAX;
                }
        }
        strcpy(t->e[i].kernel, kernel);
        strcpy(t->e[i].named, named);
        return 0;
}

bool pv_socknames_map(const struct pv_socknames *s, const void *got, size_t have, size_t len,
                      struct pv_sockname *ret) {
        const size_t off = offsetof(struct sockaddr_un, sun_path);
        const uint8_t *g = got;
        if (!s || have <= off || len <= off + 1)
                return false;
        sa_family_t family;
        memcpy(&family, g, sizeof(family));
        if (family != AF_UNIX || g[off] == '\0')
                return false; /* unnamed, abstract */
        /* the kernel keeps a path's address as its string and NUL: len = off + strlen + 1 */
        size_t klen = len - off - 1, seen = MIN(have, len) - off;
        for (unsigned i = 0; i < s->n; i++) {
                const struct pv_sockname_entry *e = &s->e[i];
                if (strlen(e->kernel) != klen || memcmp(e->kernel, g + off, MIN(seen, klen)) != 0)
                        continue;
                size_t nlen = strlen(e->named);
                memset(ret, 0, sizeof(*ret));
                memcpy(ret->bytes, &family, sizeof(family));
                memcpy(ret->bytes + off, e->named, nlen + 1);
                ret->len = (uint32_t) (off + nlen + 1);
                return true;
        }
        return false;
}

int pv_capture_socketcall(pid_t pid, const uint64_t args[PV_SC_ARGS], const struct pv_syscall **ret_sc,
                          uint64_t ret_args[PV_SC_ARGS]) {
        unsigned nargs;
        const struct pv_syscall *sc = pv_socketcall_row(args[0], &nargs);
        uint32_t words[PV_SC_ARGS] = {};
        if (!sc || nargs > PV_SC_ARGS)
                return 0;
        int r = pv_tracee_read(pid, (uint32_t) args[1], words, nargs * sizeof(uint32_t));
        if (r < 0)
                return r == -EFAULT ? 0 : r; /* EFAULT: the kernel says it; EPERM, ESRCH: not passed */
        for (unsigned i = 0; i < PV_SC_ARGS; i++)
                ret_args[i] = words[i];
        *ret_sc = sc;
        return 1;
}

int pv_capture_mmsg(struct pv_capture *c, struct pv_decision *dec, pid_t pid, enum pv_arch arch,
                    const uint64_t args[PV_SC_ARGS], pv_root_path_fn root_path, void *userdata, unsigned *ret_index) {
        enum { UIO_MAXIOV_ = 1024 };
        const struct pv_syscall *sendmsg_row = pv_syscall_by_name("sendmsg");
        uint64_t n = MIN(args[2], (uint64_t) UIO_MAXIOV_);
        for (unsigned i = 0; i < n; i++) {
                uint64_t one[PV_SC_ARGS] = { args[0], args[1] + (uint64_t) i * PV_MMSGHDR_SIZE(arch), args[3] };
                uint8_t probe;
                /* a message that cannot be read: the kernel stops there (EFAULT) */
                int r = pv_tracee_read(pid, one[1], &probe, 1);
                if (r < 0)
                        return r == -EFAULT ? 0 : r;
                r = pv_capture_path(c, pid, sendmsg_row, arch, 0, one, root_path, userdata);
                if (r == -ESRCH || r == -EPERM)
                        return r;
                if (r < 0) {
                        /* a name that we cannot decide (too long a path from a deep cwd) while the
                         * kernel might take it: that message ends the call, with this error */
                        dec->action = PV_FAIL;
                        dec->error = -r;
                        dec->rule = NULL;
                        *ret_index = i;
                        return 1;
                }
                if (r != PV_CAPTURE_DECIDE)
                        continue; /* no name (a connected socket), an abstract one */
                r = pv_policy_decide(c->policy, c->abs, c->intent, dec);
                if (r < 0)
                        return r;
                if (dec->action != PV_PASS) {
                        *ret_index = i;
                        return 1;
                }
        }
        return 0;
}

int pv_capture_readonly_errno(const struct pv_policy *p, const struct pv_syscall *sc, const struct pv_capture *c) {
        /* where the call acts: the target of a readonly redirect, else the path itself */
        struct pv_decision d;
        const char *path = c->abs;
        if (pv_policy_decide(p, c->abs, PV_INTENT_STAT, &d) >= 0 && d.action == PV_REDIRECT)
                path = d.target;
        char dir[PATH_MAX];
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/')
                n--;
        while (n > 0 && path[n - 1] != '/')
                n--;
        if (n == 0 || n >= sizeof(dir))
                return EROFS;
        memcpy(dir, path, n);
        dir[n] = '\0';

        struct stat st;
        if (stat(dir, &st) < 0)
                return errno;
        if (!S_ISDIR(st.st_mode))
                return ENOTDIR;
        bool exists = lstat(path, &st) == 0;
        if (!exists && errno != ENOENT)
                return errno; /* EACCES: no search permission in the directory */
        bool follow = !pv_syscall_nofollow(sc, c->index, c->flags);
        switch (sc->kind) {
        case PV_SC_MKDIR:
        case PV_SC_MKNOD:
        case PV_SC_SYMLINK:
                return exists ? EEXIST : EROFS;
        case PV_SC_BIND:
                return exists ? EADDRINUSE : EROFS;
        case PV_SC_UNLINK:
        case PV_SC_RMDIR:
        case PV_SC_RENAME:
        case PV_SC_LINK:
                return EROFS; /* the directory is what they change: looked up, then EROFS */
        case PV_SC_OPEN:
        case PV_SC_OPENAT:
        case PV_SC_OPENAT2:
        case PV_SC_CREAT: {
                uint64_t flags = c->flags;
                if ((flags & O_TMPFILE) == O_TMPFILE) { /* an unnamed file in that directory */
                        if (!exists)
                                return ENOENT;
                        if (S_ISLNK(st.st_mode) && stat(path, &st) < 0)
                                return errno;
                        return S_ISDIR(st.st_mode) ? EROFS : ENOTDIR;
                }
                if ((flags & O_CREAT) && (flags & O_EXCL))
                        return exists ? EEXIST : EROFS;
                if ((flags & O_CREAT) && !exists)
                        return EROFS;
                if (exists && follow && S_ISLNK(st.st_mode) && stat(path, &st) < 0)
                        return (flags & O_CREAT) && errno == ENOENT ? EROFS : errno;
                if (!exists)
                        return ENOENT;
                if (!follow && S_ISLNK(st.st_mode) && !(flags & O_PATH))
                        return ELOOP;
                if (S_ISDIR(st.st_mode) && (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
                        return EISDIR;
                return EROFS;
        }
        default: /* a change to an object that must exist: chmod, chown, utimes, truncate, xattrs */
                if (exists && follow && S_ISLNK(st.st_mode) && stat(path, &st) < 0)
                        return errno;
                if (!exists)
                        return ENOENT;
                if (sc->kind == PV_SC_TRUNCATE && !S_ISREG(st.st_mode))
                        return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
                if (sc->kind == PV_SC_ADMIN && S_ISDIR(st.st_mode) && (sc->path[c->index].intent & PV_INTENT_WRITE))
                        return EISDIR; /* acct, swapon: they open the file for writing */
                return EROFS;
        }
}
