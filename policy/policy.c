/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/macro.h"
#include "policy/json-locate.h"
#include "policy/policy.h"

#define POLICY_FILE_MAX (64u * 1024 * 1024)
#define POLICY_JSON_DEPTH 64

enum rule_kind {
        RULE_REDIRECT,
        RULE_READONLY,
        RULE_DENY,
        RULE_PASS,
};

struct pv_rule {
        enum rule_kind kind;
        bool readonly;       /* RULE_READONLY, or RULE_REDIRECT with "readonly": true */
        int error;           /* RULE_DENY */
        unsigned source;     /* which load call added it */
        unsigned line, col;  /* of the rule object (quick rules: 0) */
        const char *file;    /* owned by the policy's source list */
        size_t key_len;      /* normalised path without its trailing "/": "" for the root */
        size_t target_len;   /* RULE_REDIRECT: normalised target, "" for the root */
        char *target;        /* points into data */
        char data[];         /* the path ("/" for the root) NUL, then the target NUL */
};

struct slot {
        uint64_t hash;
        struct pv_rule *rule; /* NULL: empty */
};

struct pv_policy {
        bool strict;
        unsigned n_sources;
        size_t max_key_len;   /* lookups stop once past the longest rule path */

        struct slot *slots;   /* open addressing, linear probing, power-of-two size */
        size_t n_slots, n_used;

        /* redirect rules by their target, for pv_policy_reverse(); rebuilt after each source */
        struct slot *rslots;
        size_t n_rslots;
        size_t max_target_len;

        struct pv_rule **all; /* every rule ever added, for freeing */
        size_t n_all, allocated_all;

        char **files;         /* source names */
        size_t n_files;
};

/* ---- errors ---------------------------------------------------------------------------------- */

_printf_(5, 6)
static int add_error(struct pv_errors *e, const char *file, unsigned line, unsigned col,
                     const char *fmt, ...) {
        if (!e)
                return -EINVAL;
        if (e->n == e->allocated) {
                size_t na = e->allocated ? e->allocated * 2 : 8;
                struct pv_error *v = realloc(e->items, na * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                e->items = v;
                e->allocated = na;
        }
        struct pv_error *x = &e->items[e->n];
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&x->message, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        x->file = strdup(file);
        if (!x->file) {
                free(x->message);
                return -ENOMEM;
        }
        x->line = line;
        x->col = col;
        e->n++;
        return -EINVAL;
}

void pv_errors_clear(struct pv_errors *e) {
        for (size_t i = 0; i < e->n; i++) {
                free(e->items[i].file);
                free(e->items[i].message);
        }
        free(e->items);
        memset(e, 0, sizeof(*e));
}

void pv_errors_print(const struct pv_errors *e, void *stdio_file) {
        FILE *f = stdio_file;
        for (size_t i = 0; i < e->n; i++) {
                const struct pv_error *x = &e->items[i];
                if (x->line > 0)
                        fprintf(f, "%s:%u:%u: %s\n", x->file, x->line, x->col, x->message);
                else
                        fprintf(f, "%s: %s\n", x->file, x->message);
        }
}

/* ---- the table ------------------------------------------------------------------------------- */

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

static inline uint64_t fnv_step(uint64_t h, unsigned char c) {
        return (h ^ c) * FNV_PRIME;
}

static uint64_t hash_bytes(const char *s, size_t n) {
        uint64_t h = FNV_OFFSET;
        for (size_t i = 0; i < n; i++)
                h = fnv_step(h, (unsigned char) s[i]);
        return h;
}

/* The slot index to start probing at in a table of n (a power of two) slots: the hash's high
 * bits mixed down, so that keys sharing a long prefix still spread. */
static inline size_t hash_index(uint64_t h, size_t n) {
        h ^= h >> 29;
        h *= UINT64_C(0xbf58476d1ce4e5b9);
        h ^= h >> 32;
        return (size_t) h & (n - 1);
}

static inline size_t slot_of(const struct pv_policy *p, uint64_t h) {
        return hash_index(h, p->n_slots);
}

static const struct pv_rule *table_find(const struct pv_policy *p, uint64_t h, const char *key,
                                        size_t key_len) {
        for (size_t i = slot_of(p, h);; i = (i + 1) & (p->n_slots - 1)) {
                const struct slot *s = &p->slots[i];
                if (!s->rule)
                        return NULL;
                if (s->hash == h && s->rule->key_len == key_len &&
                    memcmp(s->rule->data, key, key_len) == 0)
                        return s->rule;
        }
}

static int table_grow(struct pv_policy *p, size_t want) {
        size_t n = p->n_slots ? p->n_slots : 16;
        while (n < want * 2)
                n *= 2;
        if (n == p->n_slots)
                return 0;
        struct slot *ns = calloc(n, sizeof(*ns));
        if (!ns)
                return -ENOMEM;
        struct slot *old = p->slots;
        size_t old_n = p->n_slots;
        p->slots = ns;
        p->n_slots = n;
        for (size_t i = 0; i < old_n; i++) {
                if (!old[i].rule)
                        continue;
                size_t j = slot_of(p, old[i].hash);
                while (ns[j].rule)
                        j = (j + 1) & (n - 1);
                ns[j] = old[i];
        }
        free(old);
        return 0;
}

/* Inserts or replaces (later wins). The table must have room (table_grow first). */
static void table_put(struct pv_policy *p, struct pv_rule *r) {
        uint64_t h = hash_bytes(r->data, r->key_len);
        size_t i = slot_of(p, h);
        for (;; i = (i + 1) & (p->n_slots - 1)) {
                struct slot *s = &p->slots[i];
                if (!s->rule) {
                        s->hash = h;
                        s->rule = r;
                        p->n_used++;
                        break;
                }
                if (s->hash == h && s->rule->key_len == r->key_len &&
                    memcmp(s->rule->data, r->data, r->key_len) == 0) {
                        s->rule = r;
                        break;
                }
        }
        if (r->key_len > p->max_key_len)
                p->max_key_len = r->key_len;
}

/* The reverse table: every redirect rule in force, keyed by its target. */
static int reverse_rebuild(struct pv_policy *p) {
        size_t n = 0;
        for (size_t i = 0; i < p->n_slots; i++)
                if (p->slots[i].rule && p->slots[i].rule->kind == RULE_REDIRECT)
                        n++;
        size_t size = 16;
        while (size < n * 2)
                size *= 2;
        struct slot *rs = calloc(size, sizeof(*rs));
        if (!rs)
                return -ENOMEM;
        free(p->rslots);
        p->rslots = rs;
        p->n_rslots = size;
        p->max_target_len = 0;
        for (size_t i = 0; i < p->n_slots; i++) {
                struct pv_rule *r = p->slots[i].rule;
                if (!r || r->kind != RULE_REDIRECT)
                        continue;
                uint64_t h = hash_bytes(r->target, r->target_len);
                size_t j = hash_index(h, size);
                for (;; j = (j + 1) & (size - 1)) {
                        if (!rs[j].rule) {
                                rs[j].hash = h;
                                rs[j].rule = r;
                                break;
                        }
                        /* two rules with one target: the longer rule path stands for it */
                        if (rs[j].hash == h && rs[j].rule->target_len == r->target_len &&
                            memcmp(rs[j].rule->target, r->target, r->target_len) == 0) {
                                if (r->key_len > rs[j].rule->key_len)
                                        rs[j].rule = r;
                                break;
                        }
                }
                p->max_target_len = MAX(p->max_target_len, r->target_len);
        }
        return 0;
}

static const struct pv_rule *reverse_find(const struct pv_policy *p, uint64_t h, const char *key, size_t len) {
        size_t mask = p->n_rslots - 1;
        for (size_t j = hash_index(h, p->n_rslots);; j = (j + 1) & mask) {
                const struct slot *s = &p->rslots[j];
                if (!s->rule)
                        return NULL;
                if (s->hash == h && s->rule->target_len == len && memcmp(s->rule->target, key, len) == 0)
                        return s->rule;
        }
}

int pv_policy_reverse(const struct pv_policy *p, const char *real, char *out, size_t size) {
        char norm[PATH_MAX];
        int n = pv_path_normalize(real, norm, sizeof(norm), NULL);
        if (n < 0)
                return n;
        if (!p->rslots)
                return 0;
        size_t len = n == 1 ? 0 : (size_t) n;
        size_t limit = MIN(len, p->max_target_len);
        const struct pv_rule *best = NULL;
        size_t best_len = 0;
        uint64_t h = FNV_OFFSET;
        for (size_t i = 0;; i++) {
                if (i == len || norm[i] == '/') {
                        const struct pv_rule *r = reverse_find(p, h, norm, i);
                        if (r) {
                                best = r;
                                best_len = i;
                        }
                }
                if (i >= limit)
                        break;
                h = fnv_step(h, (unsigned char) norm[i]);
        }
        if (!best)
                return 0;
        size_t total = best->key_len + (len - best_len);
        if (total + 2 > size)
                return -ENAMETOOLONG;
        memcpy(out, best->data, best->key_len);
        memcpy(out + best->key_len, norm + best_len, len - best_len);
        if (total == 0)
                out[total++] = '/';
        out[total] = '\0';
        return (int) total;
}

struct pv_policy *pv_policy_new(void) {
        struct pv_policy *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        if (table_grow(p, 8) < 0) {
                free(p);
                return NULL;
        }
        return p;
}

struct pv_policy *pv_policy_free(struct pv_policy *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_all; i++)
                free(p->all[i]);
        free(p->all);
        for (size_t i = 0; i < p->n_files; i++)
                free(p->files[i]);
        free(p->files);
        free(p->slots);
        free(p->rslots);
        free(p);
        return NULL;
}

bool pv_policy_strict(const struct pv_policy *p) {
        return p->strict;
}

size_t pv_policy_n_rules(const struct pv_policy *p) {
        return p->n_used;
}

/* ---- one source: rules collected, checked, then committed all at once -------------------------- */

struct source {
        struct pv_policy *p;
        const char *name;      /* for messages */
        const char *file;      /* the policy's own copy, stored in rules */
        const char *text;      /* JSON text, for positions (NULL for quick rules) */
        size_t text_len;
        struct jloc_cursor cursor;
        struct pv_errors *errors;
        unsigned n_errors;
        struct pv_rule **rules;
        size_t n_rules, allocated;
        bool strict;
};

_printf_(3, 4)
static void source_error(struct source *s, size_t off, const char *fmt, ...) {
        unsigned line = 0, col = 0;
        if (s->text)
                jloc_line_col(s->text, s->text_len, off, &s->cursor, &line, &col);
        char *m = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) < 0)
                m = NULL;
        va_end(ap);
        add_error(s->errors, s->name, line, col, "%s", m ? m : "out of memory");
        free(m);
        s->n_errors++;
}

static void source_free_rules(struct source *s) {
        for (size_t i = 0; i < s->n_rules; i++)
                free(s->rules[i]);
        free(s->rules);
        s->rules = NULL;
        s->n_rules = s->allocated = 0;
}

static int source_add_rule(struct source *s, struct pv_rule *r) {
        if (s->n_rules == s->allocated) {
                size_t na = s->allocated ? s->allocated * 2 : 16;
                struct pv_rule **v = realloc(s->rules, na * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                s->rules = v;
                s->allocated = na;
        }
        s->rules[s->n_rules++] = r;
        return 0;
}

/* Builds a rule from a normalised path and (for redirects) a normalised target. */
static struct pv_rule *rule_new(const char *path, size_t path_len, const char *target,
                                size_t target_len) {
        struct pv_rule *r = calloc(1, sizeof(*r) + path_len + 1 + target_len + 1);
        if (!r)
                return NULL;
        memcpy(r->data, path, path_len + 1);
        r->key_len = path_len == 1 ? 0 : path_len;
        r->target = r->data + path_len + 1;
        if (target) {
                memcpy(r->target, target, target_len + 1);
                r->target_len = target_len == 1 ? 0 : target_len;
        }
        return r;
}

static int cmp_rule_path(const void *a, const void *b) {
        const struct pv_rule *x = *(const struct pv_rule *const *) a;
        const struct pv_rule *y = *(const struct pv_rule *const *) b;
        int c = strcmp(x->data, y->data);
        if (c != 0)
                return c;
        /* keep file order among equal paths: the later one is the duplicate */
        return x->line != y->line ? (x->line < y->line ? -1 : 1) : (x->col < y->col ? -1 : x->col > y->col);
}

/* Two rules on one path in one source are an error; then everything goes in, replacing earlier
 * sources' rules on the same paths. */
static int source_commit(struct source *s) {
        struct pv_policy *p = s->p;

        if (s->n_rules > 1) {
                _cleanup_free_ struct pv_rule **v = malloc(s->n_rules * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                memcpy(v, s->rules, s->n_rules * sizeof(*v));
                qsort(v, s->n_rules, sizeof(*v), cmp_rule_path);
                for (size_t i = 1; i < s->n_rules; i++)
                        if (strcmp(v[i - 1]->data, v[i]->data) == 0) {
                                char *m = NULL;
                                if (asprintf(&m, "duplicate rule for \"%s\" (first at line %u, column %u)",
                                             v[i]->data, v[i - 1]->line, v[i - 1]->col) < 0)
                                        return -ENOMEM;
                                add_error(s->errors, s->name, v[i]->line, v[i]->col, "%s", m);
                                free(m);
                                s->n_errors++;
                        }
        }
        if (s->n_errors > 0)
                return -EINVAL;

        if (p->n_all + s->n_rules > p->allocated_all) {
                size_t na = MAX(p->allocated_all * 2, p->n_all + s->n_rules);
                struct pv_rule **v = realloc(p->all, na * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                p->all = v;
                p->allocated_all = na;
        }
        int r = table_grow(p, p->n_used + s->n_rules);
        if (r < 0)
                return r;

        unsigned id = p->n_sources++;
        for (size_t i = 0; i < s->n_rules; i++) {
                struct pv_rule *rule = s->rules[i];
                rule->source = id;
                rule->file = s->file;
                p->all[p->n_all++] = rule;
                table_put(p, rule);
        }
        free(s->rules);
        s->rules = NULL;
        s->n_rules = 0;
        if (s->strict)
                p->strict = true;
        return reverse_rebuild(p);
}

static const char *policy_intern_file(struct pv_policy *p, const char *name) {
        char **v = realloc(p->files, (p->n_files + 1) * sizeof(*v));
        if (!v)
                return NULL;
        p->files = v;
        v[p->n_files] = strdup(name);
        if (!v[p->n_files])
                return NULL;
        return v[p->n_files++];
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static const char *json_type_word(json_object *o) {
        switch (json_object_get_type(o)) {
        case json_type_null: return "null";
        case json_type_boolean: return "a boolean";
        case json_type_double: return "a number";
        case json_type_int: return "an integer";
        case json_type_object: return "an object";
        case json_type_array: return "an array";
        case json_type_string: return "a string";
        }
        return "a value";
}

/* A path member (path or redirect): string, no NUL, not empty, absolute, short enough; written
 * normalised to out. Returns the normalised length or -1 after reporting. */
static int check_path_value(struct source *s, const struct jloc *m, json_object *v, const char *what,
                            char out[static PATH_MAX]) {
        if (!json_object_is_type(v, json_type_string)) {
                source_error(s, m->off, "\"%s\" must be a string, not %s", what, json_type_word(v));
                return -1;
        }
        const char *str = json_object_get_string(v);
        size_t len = (size_t) json_object_get_string_len(v);
        if (strlen(str) != len) {
                source_error(s, m->off, "\"%s\" contains a NUL byte", what);
                return -1;
        }
        if (len == 0) {
                source_error(s, m->off, "\"%s\" is empty", what);
                return -1;
        }
        if (str[0] != '/') {
                source_error(s, m->off, "\"%s\" must be an absolute path, not \"%s\"", what, str);
                return -1;
        }
        if (len >= PATH_MAX) {
                source_error(s, m->off, "\"%s\" is too long (%zu bytes, at most %d)", what, len,
                             PATH_MAX - 1);
                return -1;
        }
        int r = pv_path_normalize(str, out, PATH_MAX, NULL);
        if (r < 0) {
                source_error(s, m->off, "\"%s\" cannot be normalised: %s", what, strerror(-r));
                return -1;
        }
        return r;
}

static const char *const rule_keys = "path, redirect, readonly, deny, pass or comment";

static int parse_rule(struct source *s, const struct jloc *l, json_object *o, size_t index) {
        if (!json_object_is_type(o, json_type_object)) {
                source_error(s, l->off, "rule %zu must be an object, not %s", index + 1, json_type_word(o));
                return 0;
        }

        unsigned errors_before = s->n_errors;
        const struct jloc *m_path = NULL, *m_redirect = NULL, *m_deny = NULL;
        char path[PATH_MAX], target[PATH_MAX];
        int path_len = -1, target_len = -1, error = 0;
        bool readonly = false, pass = false, have_readonly = false, have_pass = false;

        for (size_t i = 0; i < l->n_kids; i++) {
                const struct jloc *m = &l->kids[i];
                if (m->shadowed)
                        continue;
                json_object *v = json_object_object_get(o, m->key);

                if (strcmp(m->key, "path") == 0) {
                        m_path = m;
                        path_len = check_path_value(s, m, v, "path", path);
                } else if (strcmp(m->key, "redirect") == 0) {
                        m_redirect = m;
                        target_len = check_path_value(s, m, v, "redirect", target);
                } else if (strcmp(m->key, "readonly") == 0 || strcmp(m->key, "pass") == 0) {
                        bool is_ro = m->key[0] == 'r';
                        if (!json_object_is_type(v, json_type_boolean)) {
                                source_error(s, m->off, "\"%s\" must be true or false, not %s", m->key,
                                             json_type_word(v));
                                continue;
                        }
                        if (is_ro) {
                                have_readonly = true;
                                readonly = json_object_get_boolean(v);
                        } else {
                                have_pass = true;
                                pass = json_object_get_boolean(v);
                        }
                } else if (strcmp(m->key, "deny") == 0) {
                        m_deny = m;
                        if (!json_object_is_type(v, json_type_string)) {
                                source_error(s, m->off, "\"deny\" must be an errno name such as \"EACCES\", not %s",
                                             json_type_word(v));
                                continue;
                        }
                        const char *name = json_object_get_string(v);
                        error = pv_errno_from_name(name);
                        if (error < 0 || strlen(name) != (size_t) json_object_get_string_len(v)) {
                                source_error(s, m->off, "unknown errno name \"%s\"", name);
                                error = 0;
                        }
                } else if (strcmp(m->key, "comment") == 0) {
                        if (!json_object_is_type(v, json_type_string))
                                source_error(s, m->off, "\"comment\" must be a string, not %s", json_type_word(v));
                } else
                        source_error(s, m->key_off, "unknown key \"%s\" in rule (expected %s)", m->key, rule_keys);
        }

        if (!m_path)
                source_error(s, l->off, "rule %zu has no \"path\"", index + 1);
        if (s->n_errors != errors_before)
                return 0; /* one complaint per broken member is enough */
        if (m_deny && (m_redirect || have_readonly || have_pass))
                source_error(s, m_deny->key_off, "\"deny\" cannot be combined with %s",
                             m_redirect ? "\"redirect\"" : have_readonly ? "\"readonly\"" : "\"pass\"");
        else if (have_pass && pass && (m_redirect || readonly))
                source_error(s, l->off, "\"pass\": true cannot be combined with %s",
                             m_redirect ? "\"redirect\"" : "\"readonly\": true");
        else if (!m_deny && !m_redirect && !readonly && !pass && m_path)
                source_error(s, l->off,
                             "rule for \"%s\" has no action: give \"redirect\", \"deny\", \"readonly\": true or \"pass\": true",
                             path_len >= 0 ? path : "?");

        if (s->n_errors != errors_before)
                return 0;

        struct pv_rule *r = rule_new(path, (size_t) path_len, m_redirect ? target : NULL,
                                     m_redirect ? (size_t) target_len : 0);
        if (!r)
                return -ENOMEM;
        r->kind = m_deny ? RULE_DENY : m_redirect ? RULE_REDIRECT : pass ? RULE_PASS : RULE_READONLY;
        r->readonly = readonly;
        r->error = error;
        jloc_line_col(s->text, s->text_len, l->off, &s->cursor, &r->line, &r->col);
        if (source_add_rule(s, r) < 0) {
                free(r);
                return -ENOMEM;
        }
        return 0;
}

static void on_duplicate_key(void *userdata, const struct jloc_dup *d) {
        struct source *s = userdata;
        unsigned line, col;
        jloc_line_col(s->text, s->text_len, d->first_off, NULL, &line, &col);
        /* the key text starts after its quote */
        size_t klen = 0;
        const char *k = s->text + d->off + 1;
        while (d->off + 1 + klen < s->text_len && k[klen] != '"')
                klen++;
        source_error(s, d->off, "duplicate key \"%.*s\" (first at line %u, column %u)", (int) MIN(klen, 64u), k,
                     line, col);
}

static int parse_document(struct source *s, json_object *root, const struct jloc *l) {
        if (!json_object_is_type(root, json_type_object)) {
                source_error(s, l->off, "a policy must be a JSON object, not %s", json_type_word(root));
                return 0;
        }

        const struct jloc *m_version = NULL, *m_rules = NULL;
        for (size_t i = 0; i < l->n_kids; i++) {
                const struct jloc *m = &l->kids[i];
                if (m->shadowed)
                        continue;
                json_object *v = json_object_object_get(root, m->key);

                if (strcmp(m->key, "version") == 0) {
                        m_version = m;
                        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != 1 ||
                            s->text[m->off] == '-')
                                source_error(s, m->off, "\"version\" must be 1 (the only version this pathvisor knows)");
                } else if (strcmp(m->key, "strict") == 0) {
                        if (!json_object_is_type(v, json_type_boolean))
                                source_error(s, m->off, "\"strict\" must be true or false, not %s", json_type_word(v));
                        else
                                s->strict = json_object_get_boolean(v);
                } else if (strcmp(m->key, "rules") == 0) {
                        m_rules = m;
                        if (!json_object_is_type(v, json_type_array))
                                source_error(s, m->off, "\"rules\" must be an array, not %s", json_type_word(v));
                } else if (strcmp(m->key, "comment") == 0) {
                        if (!json_object_is_type(v, json_type_string))
                                source_error(s, m->off, "\"comment\" must be a string, not %s", json_type_word(v));
                } else
                        source_error(s, m->key_off, "unknown key \"%s\" (expected version, strict, rules or comment)",
                                     m->key);
        }
        if (!m_version)
                source_error(s, l->off, "missing \"version\": 1");
        if (!m_rules) {
                source_error(s, l->off, "missing \"rules\"");
                return 0;
        }

        json_object *rules = json_object_object_get(root, "rules");
        if (!json_object_is_type(rules, json_type_array))
                return 0;
        size_t n = json_object_array_length(rules);
        if (n != m_rules->n_kids) /* cannot happen with text json-c accepted */
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                int r = parse_rule(s, &m_rules->kids[i], json_object_array_get_idx(rules, i), i);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_text(struct source *s) {
        const char *text = s->text;
        size_t len = s->text_len;

        const char *nul = memchr(text, '\0', len);
        if (nul) {
                source_error(s, (size_t) (nul - text), "NUL byte in the file (not a JSON text)");
                return 0;
        }
        size_t bad = jloc_utf8_check(text, len);
        if (bad < len) {
                source_error(s, bad, "invalid UTF-8 (a policy file is UTF-8 text)");
                return 0;
        }
        size_t i = 0;
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
                i++;
        if (i == len) {
                source_error(s, 0, "the file is empty: a policy is a JSON object such as {\"version\": 1, \"rules\": []}");
                return 0;
        }

        json_tokener *tok = json_tokener_new_ex(POLICY_JSON_DEPTH);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        json_object *root = json_tokener_parse_ex(tok, text, (int) len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);

        if (!root) {
                if (jerr == json_tokener_continue)
                        source_error(s, len, "unexpected end of file: the JSON text is incomplete");
                else if (jerr == json_tokener_error_depth)
                        source_error(s, end, "invalid JSON: nesting deeper than %d levels", POLICY_JSON_DEPTH);
                else
                        source_error(s, end, "invalid JSON: %s", json_tokener_error_desc(jerr));
                return 0;
        }

        int r = 0;
        while (end < len && (text[end] == ' ' || text[end] == '\t' || text[end] == '\n' || text[end] == '\r'))
                end++;
        if (end < len) {
                source_error(s, end, "trailing data after the JSON object");
                goto out;
        }

        struct jloc l;
        r = jloc_scan(text, len, &l, on_duplicate_key, s);
        if (r == -ENOMEM)
                goto out;
        if (r < 0) {
                source_error(s, l.off, "invalid JSON: %s", s->text[l.off] >= 0 && s->text[l.off] < 0x20 ?
                             "control character in a string (write it as an escape such as \\t)" :
                             "unexpected character");
                r = 0;
                goto out;
        }
        r = parse_document(s, root, &l);
        jloc_free(&l);
out:
        json_object_put(root);
        return r;
}

static int cmp_error_pos(const void *a, const void *b) {
        const struct pv_error *x = a, *y = b;
        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return x->col < y->col ? -1 : x->col > y->col;
}

int pv_policy_load_buffer(struct pv_policy *p, const char *name, const char *buf, size_t len,
                          struct pv_errors *errors) {
        size_t first_error = errors ? errors->n : 0;
        struct source s = {
                .p = p, .name = name, .text = buf, .text_len = len, .errors = errors,
        };
        int r;

        if (len > POLICY_FILE_MAX) {
                source_error(&s, 0, "the file is too large (%zu bytes, at most %u)", len, POLICY_FILE_MAX);
                return -EINVAL;
        }
        r = parse_text(&s);
        if (r >= 0 && s.n_errors == 0) {
                s.file = policy_intern_file(p, name);
                if (!s.file)
                        r = -ENOMEM;
        }
        if (r >= 0)
                r = source_commit(&s);
        if (r == -ENOMEM)
                add_error(errors, name, 0, 0, "out of memory");
        source_free_rules(&s);
        if (errors && errors->n > first_error)
                qsort(errors->items + first_error, errors->n - first_error, sizeof(*errors->items),
                      cmp_error_pos);
        if (r >= 0 && s.n_errors > 0)
                r = -EINVAL;
        return r;
}

int pv_policy_read_file(const char *path, char **ret_text, size_t *ret_len, struct pv_errors *errors) {
        bool is_stdin = strcmp(path, "-") == 0;
        const char *name = is_stdin ? "<stdin>" : path;
        _cleanup_close_ int fd = -1;

        if (is_stdin)
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        else
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int e = errno;
                add_error(errors, name, 1, 1, "cannot open: %s", strerror(e));
                return -e;
        }

        struct stat st;
        if (fstat(fd, &st) < 0) {
                int e = errno;
                add_error(errors, name, 1, 1, "cannot stat: %s", strerror(e));
                return -e;
        }
        if (S_ISDIR(st.st_mode)) {
                add_error(errors, name, 1, 1, "is a directory, not a policy file");
                return -EISDIR;
        }
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > POLICY_FILE_MAX) {
                add_error(errors, name, 1, 1, "the file is too large (%jd bytes, at most %u)",
                          (intmax_t) st.st_size, POLICY_FILE_MAX);
                return -EFBIG;
        }

        /* Read until EOF (pipes and /proc files have no size), never more than the limit + 1. */
        size_t size = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t) st.st_size + 1 : 65536;
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        for (;;) {
                if (n == size || !buf) {
                        size = buf ? MIN(size * 2, (size_t) POLICY_FILE_MAX + 1) : size;
                        /* + 1: room for the NUL that ends the text */
                        char *nb = realloc(buf, size + 1);
                        if (!nb) {
                                add_error(errors, name, 1, 1, "out of memory");
                                return -ENOMEM;
                        }
                        buf = nb;
                }
                ssize_t k = RETRY_EINTR(read(fd, buf + n, size - n));
                if (k < 0) {
                        int e = errno;
                        add_error(errors, name, 1, 1, "cannot read: %s", strerror(e));
                        return -e;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > POLICY_FILE_MAX) {
                        add_error(errors, name, 1, 1, "the file is too large (more than %u bytes)",
                                  POLICY_FILE_MAX);
                        return -EFBIG;
                }
        }
        if (!buf && !(buf = malloc(1))) {
                add_error(errors, name, 1, 1, "out of memory");
                return -ENOMEM;
        }
        buf[n] = '\0';
        *ret_text = TAKE_PTR(buf);
        *ret_len = n;
        return 0;
}

int pv_policy_load_file(struct pv_policy *p, const char *path, struct pv_errors *errors) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = pv_policy_read_file(path, &text, &len, errors);
        if (r < 0)
                return r;
        return pv_policy_load_buffer(p, strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, errors);
}

/* ---- quick rules ----------------------------------------------------------------------------- */

static int quick_path(struct source *s, const char *what, const char *str, char out[static PATH_MAX]) {
        if (!*str) {
                source_error(s, 0, "%s is empty", what);
                return -1;
        }
        if (str[0] != '/') {
                source_error(s, 0, "%s \"%s\" must be an absolute path", what, str);
                return -1;
        }
        int r = pv_path_normalize(str, out, PATH_MAX, NULL);
        if (r < 0)
                source_error(s, 0, "%s \"%.64s...\": %s", what, str, strerror(-r));
        return r;
}

int pv_policy_add_quick(struct pv_policy *p, enum pv_quick kind, const char *arg,
                        struct pv_errors *errors) {
        static const char *const names[] = {
                [PV_QUICK_REDIRECT] = "--redirect", [PV_QUICK_DENY] = "--deny",
                [PV_QUICK_READONLY] = "--readonly",
        };
        _cleanup_free_ char *name = NULL, *copy = strdup(arg);
        if (!copy || asprintf(&name, "%s %s", names[kind], arg) < 0)
                return -ENOMEM;

        struct source s = { .p = p, .name = name, .errors = errors };
        char path[PATH_MAX], target[PATH_MAX];
        int path_len, target_len = 0, error = 0;
        const char *tstr = NULL;

        if (kind == PV_QUICK_REDIRECT) {
                char *eq = strchr(copy, '=');
                if (!eq) {
                        source_error(&s, 0, "expected PATH=TARGET");
                        return -EINVAL;
                }
                *eq = '\0';
                tstr = eq + 1;
        } else if (kind == PV_QUICK_DENY) {
                /* "PATH:ERRNO" when what follows the last ':' looks like an errno name */
                char *colon = strrchr(copy, ':');
                if (colon && colon[1] == 'E' && strspn(colon + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
                                                         strlen(colon + 1)) {
                        *colon = '\0';
                        error = pv_errno_from_name(colon + 1);
                        if (error < 0) {
                                source_error(&s, 0, "unknown errno name \"%s\"", colon + 1);
                                return -EINVAL;
                        }
                } else
                        error = EACCES;
        }

        path_len = quick_path(&s, "the path", copy, path);
        if (path_len < 0)
                return -EINVAL;
        if (tstr) {
                target_len = quick_path(&s, "the target", tstr, target);
                if (target_len < 0)
                        return -EINVAL;
        }

        struct pv_rule *r = rule_new(path, (size_t) path_len, tstr ? target : NULL, (size_t) target_len);
        if (!r)
                return -ENOMEM;
        r->kind = kind == PV_QUICK_REDIRECT ? RULE_REDIRECT : kind == PV_QUICK_DENY ? RULE_DENY : RULE_READONLY;
        r->readonly = kind == PV_QUICK_READONLY;
        r->error = error;
        s.file = policy_intern_file(p, name);
        if (!s.file || source_add_rule(&s, r) < 0) {
                free(r);
                return -ENOMEM;
        }
        int k = source_commit(&s);
        source_free_rules(&s);
        return k;
}

/* ---- deciding -------------------------------------------------------------------------------- */

int pv_policy_decide(const struct pv_policy *p, const char *path, unsigned intent,
                     struct pv_decision *ret) {
        char norm[PATH_MAX];
        bool dir;
        int n = pv_path_normalize(path, norm, sizeof(norm), &dir);
        if (n < 0)
                return n;

        /* Walk the components, hashing as we go; at each component boundary look the prefix up.
         * The deepest hit wins. Cost: one probe per component, whatever the number of rules. */
        size_t len = n == 1 ? 0 : (size_t) n; /* the root is the empty key */
        size_t limit = MIN(len, p->max_key_len);
        const struct pv_rule *best = NULL;
        uint64_t h = FNV_OFFSET;
        for (size_t i = 0;; i++) {
                if (i == len || norm[i] == '/') {
                        const struct pv_rule *r = table_find(p, h, norm, i);
                        if (r)
                                best = r;
                }
                if (i >= limit)
                        break;
                h = fnv_step(h, (unsigned char) norm[i]);
        }

        ret->rule = best;
        ret->error = 0;
        ret->target_len = 0;
        ret->target[0] = '\0';
        if (!best) {
                ret->action = PV_PASS;
                return 0;
        }
        if (best->kind == RULE_DENY) {
                ret->action = PV_FAIL;
                ret->error = best->error;
                return 0;
        }
        if (best->readonly && (intent & PV_INTENT_MODIFY)) {
                ret->action = PV_FAIL;
                ret->error = EROFS;
                return 0;
        }
        if (best->kind != RULE_REDIRECT) {
                ret->action = PV_PASS;
                return 0;
        }

        /* target + the part below the rule's path (+ "/" when the path named a directory) */
        size_t suffix = len - best->key_len;
        size_t total = best->target_len + suffix;
        bool slash = dir && total > 0;
        if (total + slash + 1 > PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(ret->target, best->target, best->target_len);
        memcpy(ret->target + best->target_len, norm + best->key_len, suffix);
        if (total == 0)
                ret->target[total++] = '/';
        else if (slash)
                ret->target[total++] = '/';
        ret->target[total] = '\0';
        ret->target_len = total;
        ret->action = PV_REDIRECT;
        return 0;
}

bool pv_rule_readonly(const struct pv_rule *r) {
        return r && r->kind != RULE_DENY && r->readonly;
}

const char *pv_rule_path(const struct pv_rule *r) {
        return r->data;
}

const char *pv_rule_file(const struct pv_rule *r) {
        return r->file;
}

unsigned pv_rule_line(const struct pv_rule *r) {
        return r->line;
}

unsigned pv_rule_col(const struct pv_rule *r) {
        return r->col;
}

const char *pv_rule_describe(const struct pv_rule *r, char *buf, size_t size) {
        switch (r->kind) {
        case RULE_REDIRECT:
                snprintf(buf, size, "redirect %s%s", r->target, r->readonly ? ", readonly" : "");
                break;
        case RULE_READONLY:
                snprintf(buf, size, "readonly");
                break;
        case RULE_DENY: {
                const char *n = pv_errno_to_name(r->error);
                snprintf(buf, size, "deny %s", n ? n : "?");
                break;
        }
        case RULE_PASS:
                snprintf(buf, size, "pass");
                break;
        }
        return buf;
}
