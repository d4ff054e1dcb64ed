/* SPDX-License-Identifier: MIT */
/* Lexical path normalisation. No file system access: ".." removes the previous component even
 * when that component is a symlink (pathvisor-policy(5) states this). */
#include <errno.h>
#include <string.h>

#include "policy/policy.h"

/* Appends the components of `s` to out[0..*n) (a normalised absolute path without its leading
 * "/" for the root, i.e. the root is the empty string). *dir tells whether the last component was
 * "", "." or "..". */
static int append_components(char *out, size_t size, size_t *n, const char *s, bool *dir) {
        size_t len = *n;
        size_t slen = strlen(s);

        if (slen > 0 && s[slen - 1] == '/')
                *dir = true; /* stays true: the loop never sees the empty last component */
        while (*s) {
                const char *slash = strchr(s, '/');
                size_t clen = slash ? (size_t) (slash - s) : strlen(s);

                if (clen == 0 || (clen == 1 && s[0] == '.'))
                        *dir = true;
                else if (clen == 2 && s[0] == '.' && s[1] == '.') {
                        while (len > 0 && out[len - 1] != '/')
                                len--;
                        if (len > 0)
                                len--; /* the slash itself */
                        *dir = true;
                } else {
                        /* "/" + component + the final NUL must fit */
                        if (len + 1 + clen + 1 > size)
                                return -ENAMETOOLONG;
                        out[len++] = '/';
                        memcpy(out + len, s, clen);
                        len += clen;
                        *dir = s[clen] == '/' && s[clen + 1] == '\0';
                }
                s += clen;
                if (*s == '/')
                        s++;
        }
        *n = len;
        return 0;
}

static int finish(char *out, size_t size, size_t n) {
        if (n == 0) {
                if (size < 2)
                        return -ENAMETOOLONG;
                out[n++] = '/';
        }
        if (n >= PATH_MAX)
                return -ENAMETOOLONG;
        out[n] = '\0';
        return (int) n;
}

static int check_input(const char *path) {
        size_t len = strnlen(path, PATH_MAX);
        if (len >= PATH_MAX)
                return -ENAMETOOLONG;
        if (len == 0)
                return -ENOENT;
        return 0;
}

int pv_path_normalize(const char *path, char *out, size_t size, bool *ret_dir) {
        int r = check_input(path);
        if (r < 0)
                return r;
        if (path[0] != '/')
                return -EINVAL;

        size_t n = 0;
        bool dir = true; /* "/" alone names a directory */
        r = append_components(out, size, &n, path + 1, &dir);
        if (r < 0)
                return r;
        if (ret_dir)
                *ret_dir = dir;
        return finish(out, size, n);
}

int pv_path_join_normalize(const char *base, const char *rel, char *out, size_t size, bool *ret_dir) {
        int r = check_input(rel);
        if (r < 0)
                return r;
        if (rel[0] == '/')
                return pv_path_normalize(rel, out, size, ret_dir);

        r = check_input(base);
        if (r < 0)
                return r;
        if (base[0] != '/')
                return -EINVAL;

        size_t n = 0;
        bool dir = true;
        r = append_components(out, size, &n, base + 1, &dir);
        if (r < 0)
                return r;
        dir = false;
        r = append_components(out, size, &n, rel, &dir);
        if (r < 0)
                return r;
        if (ret_dir)
                *ret_dir = dir;
        return finish(out, size, n);
}
