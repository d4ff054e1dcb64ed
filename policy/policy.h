/* SPDX-License-Identifier: MIT */
#pragma once

/* The policy engine: JSON files and quick rules -> a validated, compiled policy -> one decision
 * per (path, intent). Pure: no tracee, no sockets, no logging above debug. */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a system call wants to do with a path. readonly rules fail the calls whose intent has a
 * bit of PV_INTENT_MODIFY with EROFS. */
enum pv_intent {
        PV_INTENT_READ = 1u << 0,    /* open for reading, readlink, getxattr, listing */
        PV_INTENT_STAT = 1u << 1,    /* stat, access, statfs: metadata only */
        PV_INTENT_EXEC = 1u << 2,    /* execve, chdir, chroot, uselib */
        PV_INTENT_WRITE = 1u << 3,   /* open for writing, O_TRUNC, truncate */
        PV_INTENT_CREATE = 1u << 4,  /* O_CREAT, mkdir, mknod, symlink/link target, bind */
        PV_INTENT_DELETE = 1u << 5,  /* unlink, rmdir, rename source */
        PV_INTENT_ATTR = 1u << 6,    /* chmod, chown, utimes, setxattr, removexattr */
};
#define PV_INTENT_MODIFY (PV_INTENT_WRITE | PV_INTENT_CREATE | PV_INTENT_DELETE | PV_INTENT_ATTR)

enum pv_action {
        PV_PASS,     /* the call goes through untouched */
        PV_REDIRECT, /* the call goes to decision.target */
        PV_FAIL,     /* the call fails with decision.error */
};

struct pv_rule;

struct pv_decision {
        enum pv_action action;
        int error;                  /* PV_FAIL: a positive errno */
        const struct pv_rule *rule; /* the rule that decided, NULL when none covers the path */
        size_t target_len;          /* PV_REDIRECT: strlen(target) */
        char target[PATH_MAX];      /* PV_REDIRECT: the new absolute path */
};

/* One error found while loading: file, 1-based line and column, and a message. */
struct pv_error {
        char *file;
        unsigned line, col;
        char *message;
};

struct pv_errors {
        struct pv_error *items;
        size_t n, allocated;
};

void pv_errors_clear(struct pv_errors *e);
/* Writes every error as "FILE:LINE:COL: message\n". */
void pv_errors_print(const struct pv_errors *e, void *stdio_file);

struct pv_policy;

struct pv_policy *pv_policy_new(void);
struct pv_policy *pv_policy_free(struct pv_policy *p);
static inline void pv_policy_freep(struct pv_policy **p) {
        if (*p)
                pv_policy_free(*p);
}

/* Add the rules of one policy file (or text already in memory, named `name` in messages) on top
 * of what the policy holds: a rule on a path that an earlier source had replaces it ("later
 * wins"); two rules on one path in the same source are an error. On any error nothing of that
 * source is added, every error found is appended to `errors`, and -EINVAL (or the I/O error of
 * reading the file) is returned. A caller that must not keep a partial policy loads into a fresh
 * pv_policy and throws it away on error. */
int pv_policy_load_file(struct pv_policy *p, const char *path, struct pv_errors *errors);
int pv_policy_load_buffer(struct pv_policy *p, const char *name, const char *buf, size_t len,
                          struct pv_errors *errors);

/* Reads a policy file whole ("-": standard input, named "<stdin>" in messages) as
 * pv_policy_load_file() does, for callers that keep the text: refuses directories and files over
 * 64 MiB. *ret_text is NUL-terminated and malloc()ed. Errors go to `errors` as FILE:1:1. */
int pv_policy_read_file(const char *path, char **ret_text, size_t *ret_len, struct pv_errors *errors);

/* Quick rules of `pathvisor run`: "-r PATH=TARGET", "--deny PATH[:ERRNO]", "--readonly PATH".
 * Each is its own source, so it wins over everything loaded before. */
enum pv_quick {
        PV_QUICK_REDIRECT,
        PV_QUICK_DENY,
        PV_QUICK_READONLY,
};
int pv_policy_add_quick(struct pv_policy *p, enum pv_quick kind, const char *arg,
                        struct pv_errors *errors);

bool pv_policy_strict(const struct pv_policy *p);
size_t pv_policy_n_rules(const struct pv_policy *p);

/* The decision for one path. `path` must be absolute (it need not be normalised: it is normalised
 * lexically here). A path that ended in "/" or "/." keeps its trailing "/" in the redirect target,
 * so that the kernel still checks that the target is a directory. Returns 0, or -ENAMETOOLONG when
 * the path or the redirect target does not fit PATH_MAX, -ENOENT for an empty path, -EINVAL for a
 * relative one. No allocation. */
int pv_policy_decide(const struct pv_policy *p, const char *path, unsigned intent,
                     struct pv_decision *ret);

/* The reverse of the redirects: when `real` lies at or below the target of a redirect rule in
 * force, writes the path the program would name for it (the rule's path + the rest) to out and
 * returns its length; 0 when no redirect leads there; -errno. Used for directories that a program
 * holds through a redirect (a dirfd, its cwd): paths relative to them are decided as the program
 * sees them, so that a rule (readonly, deny) on the redirected path also holds there. */
int pv_policy_reverse(const struct pv_policy *p, const char *real, char *out, size_t size);

/* Accessors for `explain` and logs. */
const char *pv_rule_path(const struct pv_rule *r);
const char *pv_rule_file(const struct pv_rule *r);
unsigned pv_rule_line(const struct pv_rule *r);
unsigned pv_rule_col(const struct pv_rule *r);
/* Whether the rule refuses writes with EROFS (readonly, alone or with a redirect), as opposed
 * to a deny rule (whose errno may be EROFS too). */
bool pv_rule_readonly(const struct pv_rule *r);
/* "redirect /home/me/x", "deny EACCES", "readonly", "redirect /x, readonly", "pass" */
const char *pv_rule_describe(const struct pv_rule *r, char *buf, size_t size);

/* errno names: "EACCES" <-> 13. */
int pv_errno_from_name(const char *name);   /* -EINVAL when unknown */
const char *pv_errno_to_name(int error);    /* NULL when unknown */

/* Lexical normalisation of an absolute path: "." and empty components dropped, ".." removes the
 * previous component and never goes above "/", no trailing slash (but "/" stays "/"). Writes at
 * most `size` bytes including the NUL. Returns the length, or -EINVAL for a relative path, -ENOENT
 * for an empty one, -ENAMETOOLONG when the input is PATH_MAX bytes or longer or the result does
 * not fit. When `ret_dir` is given it is set to whether the path must name a directory (it ended
 * in "/", "/." or "/.."). */
int pv_path_normalize(const char *path, char *out, size_t size, bool *ret_dir);

/* Joins `base` (absolute) and `rel` (any) and normalises the result like pv_path_normalize(). An
 * absolute `rel` ignores `base`. */
int pv_path_join_normalize(const char *base, const char *rel, char *out, size_t size, bool *ret_dir);
