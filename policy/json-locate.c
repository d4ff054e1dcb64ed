/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "policy/json-locate.h"

#define JLOC_MAX_DEPTH 128

struct scanner {
        const char *s;
        size_t len, pos;
        void (*dup)(void *userdata, const struct jloc_dup *d);
        void *userdata;
};

static void skip_ws(struct scanner *sc) {
        while (sc->pos < sc->len) {
                char c = sc->s[sc->pos];
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                        break;
                sc->pos++;
        }
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static int read_hex4(struct scanner *sc, uint32_t *ret) {
        if (sc->len - sc->pos < 4)
                return -EINVAL;
        uint32_t v = 0;
        for (int i = 0; i < 4; i++) {
                int h = hexval(sc->s[sc->pos + i]);
                if (h < 0)
                        return -EINVAL;
                v = v << 4 | (uint32_t) h;
        }
        sc->pos += 4;
        *ret = v;
        return 0;
}

static size_t put_utf8(char *o, uint32_t cp) {
        if (cp < 0x80) {
                o[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                o[0] = (char) (0xc0 | cp >> 6);
                o[1] = (char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                o[0] = (char) (0xe0 | cp >> 12);
                o[1] = (char) (0x80 | (cp >> 6 & 0x3f));
                o[2] = (char) (0x80 | (cp & 0x3f));
                return 3;
        }
        o[0] = (char) (0xf0 | cp >> 18);
        o[1] = (char) (0x80 | (cp >> 12 & 0x3f));
        o[2] = (char) (0x80 | (cp >> 6 & 0x3f));
        o[3] = (char) (0x80 | (cp & 0x3f));
        return 4;
}

/* Scans a string at sc->pos (the opening quote). With ret, also decodes it into a new buffer. */
static int scan_string(struct scanner *sc, char **ret, size_t *ret_len) {
        if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
                return -EINVAL;
        sc->pos++;

        size_t start = sc->pos;
        _cleanup_free_ char *out = NULL;
        size_t n = 0;
        if (ret) {
                /* decoding never makes a string longer than its escaped form */
                const char *end = sc->s + sc->len;
                const char *q = sc->s + start;
                while (q < end && *q != '"')
                        q += (*q == '\\' && q + 1 < end) ? 2 : 1;
                out = malloc((size_t) (q - (sc->s + start)) + 1);
                if (!out)
                        return -ENOMEM;
        }

        while (sc->pos < sc->len) {
                char c = sc->s[sc->pos++];
                if (c == '"') {
                        if (ret) {
                                out[n] = '\0';
                                *ret = TAKE_PTR(out);
                                *ret_len = n;
                        }
                        return 0;
                }
                if ((unsigned char) c < 0x20) {
                        sc->pos--; /* RFC 8259: control characters must be escaped */
                        return -EINVAL;
                }
                if (c != '\\') {
                        if (out)
                                out[n++] = c;
                        continue;
                }
                if (sc->pos >= sc->len)
                        return -EINVAL;
                c = sc->s[sc->pos++];
                char e;
                switch (c) {
                case '"': case '\\': case '/': e = c; break;
                case 'b': e = '\b'; break;
                case 'f': e = '\f'; break;
                case 'n': e = '\n'; break;
                case 'r': e = '\r'; break;
                case 't': e = '\t'; break;
                case 'u': {
                        uint32_t cp;
                        if (read_hex4(sc, &cp) < 0)
                                return -EINVAL;
                        if (cp >= 0xd800 && cp < 0xdc00 && sc->len - sc->pos >= 6 &&
                            sc->s[sc->pos] == '\\' && sc->s[sc->pos + 1] == 'u') {
                                size_t save = sc->pos;
                                uint32_t lo;
                                sc->pos += 2;
                                if (read_hex4(sc, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000)
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                else
                                        sc->pos = save;
                        }
                        if (out)
                                n += put_utf8(out + n, cp);
                        continue;
                }
                default:
                        return -EINVAL;
                }
                if (out)
                        out[n++] = e;
        }
        return -EINVAL;
}

static int scan_value(struct scanner *sc, struct jloc *l, unsigned depth);

static int push_kid(struct jloc *l, size_t *allocated, struct jloc **ret) {
        if (l->n_kids == *allocated) {
                size_t na = *allocated ? *allocated * 2 : 4;
                struct jloc *k = realloc(l->kids, na * sizeof(*k));
                if (!k)
                        return -ENOMEM;
                l->kids = k;
                *allocated = na;
        }
        *ret = &l->kids[l->n_kids++];
        memset(*ret, 0, sizeof(**ret));
        return 0;
}

static int cmp_key(const void *a, const void *b) {
        const struct jloc *x = *(const struct jloc *const *) a, *y = *(const struct jloc *const *) b;
        size_t m = MIN(x->key_len, y->key_len);
        int c = memcmp(x->key, y->key, m);
        if (c != 0)
                return c;
        if (x->key_len != y->key_len)
                return x->key_len < y->key_len ? -1 : 1;
        return x->key_off < y->key_off ? -1 : x->key_off > y->key_off;
}

static int find_duplicates(struct scanner *sc, struct jloc *l) {
        if (l->n_kids < 2)
                return 0;
        _cleanup_free_ struct jloc **v = malloc(l->n_kids * sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_kids; i++)
                v[i] = &l->kids[i];
        qsort(v, l->n_kids, sizeof(*v), cmp_key);
        size_t first = 0;
        for (size_t i = 1; i < l->n_kids; i++) {
                if (v[i]->key_len == v[first]->key_len &&
                    memcmp(v[i]->key, v[first]->key, v[i]->key_len) == 0) {
                        struct jloc_dup d = { .off = v[i]->key_off, .first_off = v[first]->key_off };
                        if (sc->dup)
                                sc->dup(sc->userdata, &d);
                        v[i - 1]->shadowed = true; /* sorted by offset within equal keys */
                } else
                        first = i;
        }
        return 0;
}

static int scan_container(struct scanner *sc, struct jloc *l, unsigned depth, bool object) {
        char close = object ? '}' : ']';
        size_t allocated = 0;
        int r;

        sc->pos++; /* '{' or '[' */
        skip_ws(sc);
        if (sc->pos < sc->len && sc->s[sc->pos] == close) {
                sc->pos++;
                return 0;
        }
        for (;;) {
                struct jloc *k;
                r = push_kid(l, &allocated, &k);
                if (r < 0)
                        return r;
                skip_ws(sc);
                if (object) {
                        k->key_off = sc->pos;
                        r = scan_string(sc, &k->key, &k->key_len);
                        if (r < 0)
                                return r;
                        skip_ws(sc);
                        if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
                                return -EINVAL;
                        sc->pos++;
                        skip_ws(sc);
                }
                r = scan_value(sc, k, depth + 1);
                if (r < 0)
                        return r;
                if (!object)
                        k->key_off = k->off;
                skip_ws(sc);
                if (sc->pos >= sc->len)
                        return -EINVAL;
                char c = sc->s[sc->pos++];
                if (c == close)
                        break;
                if (c != ',')
                        return -EINVAL;
        }
        return object ? find_duplicates(sc, l) : 0;
}

static int scan_value(struct scanner *sc, struct jloc *l, unsigned depth) {
        if (depth > JLOC_MAX_DEPTH)
                return -EINVAL;
        skip_ws(sc);
        if (sc->pos >= sc->len)
                return -EINVAL;
        l->off = sc->pos;

        char c = sc->s[sc->pos];
        if (c == '{' || c == '[')
                return scan_container(sc, l, depth, c == '{');
        if (c == '"')
                return scan_string(sc, NULL, NULL);
        /* number, true, false, null: up to the next delimiter */
        while (sc->pos < sc->len) {
                c = sc->s[sc->pos];
                if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r')
                        break;
                sc->pos++;
        }
        return sc->pos > l->off ? 0 : -EINVAL;
}

int jloc_scan(const char *text, size_t len, struct jloc *ret,
              void (*dup)(void *userdata, const struct jloc_dup *d), void *userdata) {
        struct scanner sc = { .s = text, .len = len, .dup = dup, .userdata = userdata };
        memset(ret, 0, sizeof(*ret));
        int r = scan_value(&sc, ret, 0);
        if (r < 0) {
                jloc_free(ret);
                memset(ret, 0, sizeof(*ret));
                ret->off = sc.pos; /* where it went wrong */
        }
        return r;
}

void jloc_free(struct jloc *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n_kids; i++) {
                jloc_free(&l->kids[i]);
                free(l->kids[i].key);
        }
        free(l->kids);
        l->kids = NULL;
        l->n_kids = 0;
}

void jloc_line_col(const char *text, size_t len, size_t off, struct jloc_cursor *cursor,
                   unsigned *ret_line, unsigned *ret_col) {
        unsigned line = 1, col = 1;
        size_t i = 0;
        if (off > len)
                off = len;
        if (cursor && cursor->line > 0 && cursor->off <= off) {
                i = cursor->off;
                line = cursor->line;
                col = cursor->col;
        }
        for (; i < off; i++) {
                unsigned char c = (unsigned char) text[i];
                if (c == '\n') {
                        line++;
                        col = 1;
                } else if ((c & 0xc0) != 0x80)
                        col++;
        }
        *ret_line = line;
        *ret_col = col;
        if (cursor) {
                cursor->off = off;
                cursor->line = line;
                cursor->col = col;
        }
}

size_t jloc_utf8_check(const char *text, size_t len) {
        const unsigned char *s = (const unsigned char *) text;
        size_t i = 0;
        while (i < len) {
                unsigned char c = s[i];
                if (c < 0x80) {
                        i++;
                        continue;
                }
                size_t n;
                uint32_t cp, min;
                if (c >= 0xc2 && c <= 0xdf) {
                        n = 1;
                        cp = c & 0x1f;
                        min = 0x80;
                } else if (c >= 0xe0 && c <= 0xef) {
                        n = 2;
                        cp = c & 0x0f;
                        min = 0x800;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        n = 3;
                        cp = c & 0x07;
                        min = 0x10000;
                } else
                        return i;
                if (len - i <= n)
                        return i;
                for (size_t k = 1; k <= n; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return i;
                        cp = cp << 6 | (s[i + k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return i;
                i += n + 1;
        }
        return len;
}
