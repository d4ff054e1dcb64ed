/* SPDX-License-Identifier: MIT */
/* pv-syscall: make RAW path system calls and print what they did in a stable text form.
 *
 * The integration tests run it natively on a target path and under pathvisor on a path that a
 * rule redirects to that target, and diff the two outputs. Every call is made with syscall(2) or
 * `int $0x80`, never through a libc wrapper that could change its flags or pick another call.
 *
 * Output conventions (one result per line unless noted):
 *   a failed call            err ENAME                      (errno by name, see errno_name())
 *   open family              ok fd=N cloexec=0|1 flags=O_... type=reg mode=0644 dev=M:m ino=N
 *                               path="..." content="<first 64 bytes, escaped>"
 *   stat family              ok, then one "field value" line per field (atime on its own line,
 *                            so a test can drop it with grep -v '^atime ')
 *   access family            ok
 *   readlink family          ok LEN "content"
 *   calls that create, change or remove (mkdir, rename, chmod, utimensat, setxattr, ...)
 *                            ok                (what changed is looked at afterwards, e.g.
 *                                               with `tree DIR`, run natively)
 *   getxattr family          ok LEN "value"
 *   listxattr family         ok LEN "name" ...  (names sorted)
 *   statfs                   ok, then one "field value" line per field that does not change
 *                            with writes on the filesystem
 *   inotify, fanotify        ok wd=N / ok per watch; then the actions' results and the events
 *                            that they caused (the inotify/fanotify section below)
 *   mount family, swap,      ok / ok fd=N ... (fspick, open_tree_attr) or err ENAME; clone-move
 *   acct, uselib, quotactl   one line per call ("open_tree ok fd=N", "move_mount ok")
 *   unix-* (AF_UNIX)         one line per step: "STEP ok ..." or "STEP err ENAME"; names that
 *                            the kernel returned as "PATH" len=N or unnamed len=N (the AF_UNIX
 *                            section below)
 * The exit status is 0 whenever the call was made, even if it failed (the error is the output);
 * 1 when the helper itself could not do its set-up; 2 for usage errors. */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/quota.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#endif
#ifndef __NR_getxattrat
#define __NR_getxattrat 464
#endif
#ifndef __NR_listxattrat
#define __NR_listxattrat 465
#endif
#ifndef __NR_removexattrat
#define __NR_removexattrat 466
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#ifndef RENAME_WHITEOUT
#define RENAME_WHITEOUT (1 << 2)
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef AT_STATX_FORCE_SYNC
#define AT_STATX_FORCE_SYNC 0x2000
#endif
#ifndef AT_STATX_DONT_SYNC
#define AT_STATX_DONT_SYNC 0x4000
#endif
#ifndef RESOLVE_CACHED
#define RESOLVE_CACHED 0x20
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x1000U
#endif
#ifndef STATX_DIOALIGN
#define STATX_DIOALIGN 0x2000U
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#ifndef STATX_SUBVOL
#define STATX_SUBVOL 0x8000U
#endif
#ifndef STATX_WRITE_ATOMIC
#define STATX_WRITE_ATOMIC 0x10000U
#endif
#ifndef STATX_DIO_READ_ALIGN
#define STATX_DIO_READ_ALIGN 0x20000U
#endif
/* the mount API (5.2, mount_setattr 5.12, open_tree_attr 6.15) */
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fspick
#define __NR_fspick 433
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif
#ifndef MOUNT_ATTR_SIZE_VER0
#define MOUNT_ATTR_SIZE_VER0 32
#endif
#ifndef MOVE_MOUNT_SET_GROUP
#define MOVE_MOUNT_SET_GROUP 0x00000100
#endif
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200
#endif
/* umount2(2) flags (<sys/mount.h> would clash with <linux/mount.h>) */
#define PV_MNT_FORCE 1
#define PV_MNT_DETACH 2
#define PV_MNT_EXPIRE 4
#define PV_UMOUNT_NOFOLLOW 8
#ifndef PRJQUOTA
#define PRJQUOTA 2
#endif
#ifndef Q_GETNEXTQUOTA
#define Q_GETNEXTQUOTA 0x800009
#endif

/* i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl) */
#define I386_NR_open 5
#define I386_NR_access 33
#define I386_NR_readlink 85
#define I386_NR_stat 106
#define I386_NR_lstat 107
#define I386_NR_stat64 195
#define I386_NR_lstat64 196
#define I386_NR_openat 295
#define I386_NR_fstatat64 300
#define I386_NR_statx 383
#define I386_NR_link 9
#define I386_NR_unlink 10
#define I386_NR_mknod 14
#define I386_NR_chmod 15
#define I386_NR_rename 38
#define I386_NR_mkdir 39
#define I386_NR_rmdir 40
#define I386_NR_symlink 83
#define I386_NR_truncate64 193
#define I386_NR_lchown32 198
#define I386_NR_chown32 212
#define I386_NR_mkdirat 296
#define I386_NR_unlinkat 301
#define I386_NR_linkat 303
#define I386_NR_symlinkat 304
#define I386_NR_fchmodat 306
#define I386_NR_renameat2 353
#define I386_NR_statfs 99
#define I386_NR_statfs64 268
#define I386_NR_mount 21
#define I386_NR_umount 22

#define CONTENT_MAX 64

static const char *prog = "pv-syscall";

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...) {
        va_list ap;
        fprintf(stderr, "%s: ", prog);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\n(run '%s help' for the subcommands)\n", prog);
        exit(2);
}

static void die_setup(const char *what) __attribute__((noreturn));
static void die_setup(const char *what) {
        fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
        exit(1);
}

/* ---------------------------------------------------------------------------------------------- */
/* errno names */

static const char *errno_name(int e) {
        static char buf[32];
        const char *n = strerrorname_np(e);
        if (n)
                return n;
        snprintf(buf, sizeof buf, "E%d", e);
        return buf;
}

static void print_err(int e) {
        printf("err %s\n", errno_name(e));
}

/* A raw syscall result: -1/errno from syscall(2); keep errno. */
static long sc(long r, int *err) {
        *err = r < 0 ? errno : 0;
        return r;
}

/* ---------------------------------------------------------------------------------------------- */
/* symbolic flags */

struct flag_name {
        const char *name;
        unsigned long long value;
};

static const struct flag_name flag_names[] = {
        /* open(2) */
        { "O_RDONLY", O_RDONLY },
        { "O_WRONLY", O_WRONLY },
        { "O_RDWR", O_RDWR },
        { "O_ACCMODE", O_ACCMODE },
        { "O_CREAT", O_CREAT },
        { "O_EXCL", O_EXCL },
        { "O_NOCTTY", O_NOCTTY },
        { "O_TRUNC", O_TRUNC },
        { "O_APPEND", O_APPEND },
        { "O_NONBLOCK", O_NONBLOCK },
        { "O_NDELAY", O_NDELAY },
        { "O_DSYNC", O_DSYNC },
        { "O_SYNC", O_SYNC },
        { "O_RSYNC", O_RSYNC },
        { "O_ASYNC", O_ASYNC },
        { "FASYNC", O_ASYNC },
        { "O_DIRECT", O_DIRECT },
        { "O_LARGEFILE", 0100000 }, /* glibc defines O_LARGEFILE as 0 on x86-64 */
        { "O_DIRECTORY", O_DIRECTORY },
        { "O_NOFOLLOW", O_NOFOLLOW },
        { "O_NOATIME", O_NOATIME },
        { "O_CLOEXEC", O_CLOEXEC },
        { "O_PATH", O_PATH },
        { "O_TMPFILE", O_TMPFILE },
        /* *at() flags */
        { "AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW },
        { "AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW },
        { "AT_REMOVEDIR", AT_REMOVEDIR },
        { "AT_EACCESS", AT_EACCESS },
        { "AT_NO_AUTOMOUNT", AT_NO_AUTOMOUNT },
        { "AT_EMPTY_PATH", AT_EMPTY_PATH },
        { "AT_RECURSIVE", 0x8000 },
        /* open_tree(2) */
        { "OPEN_TREE_CLONE", 1 },
        { "OPEN_TREE_CLOEXEC", O_CLOEXEC },
        /* struct file_attr's fa_xflags (FS_XFLAG_*) */
        { "FS_XFLAG_NODUMP", 0x80 },
        { "FS_XFLAG_NOATIME", 0x40 },
        { "FS_XFLAG_APPEND", 0x10 },
        { "FS_XFLAG_IMMUTABLE", 0x08 },
        { "FS_XFLAG_PROJINHERIT", 0x200 },
        { "AT_STATX_SYNC_AS_STAT", 0 },
        { "AT_STATX_FORCE_SYNC", AT_STATX_FORCE_SYNC },
        { "AT_STATX_DONT_SYNC", AT_STATX_DONT_SYNC },
        /* renameat2(2) */
        { "RENAME_NOREPLACE", RENAME_NOREPLACE },
        { "RENAME_EXCHANGE", RENAME_EXCHANGE },
        { "RENAME_WHITEOUT", RENAME_WHITEOUT },
        /* setxattr(2) */
        { "XATTR_CREATE", XATTR_CREATE },
        { "XATTR_REPLACE", XATTR_REPLACE },
        /* mknod(2) file types */
        { "S_IFREG", S_IFREG },
        { "S_IFCHR", S_IFCHR },
        { "S_IFBLK", S_IFBLK },
        { "S_IFIFO", S_IFIFO },
        { "S_IFSOCK", S_IFSOCK },
        { "S_IFDIR", S_IFDIR },
        { "S_IFLNK", S_IFLNK },
        /* openat2(2) resolve */
        { "RESOLVE_NO_XDEV", RESOLVE_NO_XDEV },
        { "RESOLVE_NO_MAGICLINKS", RESOLVE_NO_MAGICLINKS },
        { "RESOLVE_NO_SYMLINKS", RESOLVE_NO_SYMLINKS },
        { "RESOLVE_BENEATH", RESOLVE_BENEATH },
        { "RESOLVE_IN_ROOT", RESOLVE_IN_ROOT },
        { "RESOLVE_CACHED", RESOLVE_CACHED },
        /* access(2) */
        { "F_OK", F_OK },
        { "R_OK", R_OK },
        { "W_OK", W_OK },
        { "X_OK", X_OK },
        /* statx(2) mask */
        { "STATX_TYPE", STATX_TYPE },
        { "STATX_MODE", STATX_MODE },
        { "STATX_NLINK", STATX_NLINK },
        { "STATX_UID", STATX_UID },
        { "STATX_GID", STATX_GID },
        { "STATX_ATIME", STATX_ATIME },
        { "STATX_MTIME", STATX_MTIME },
        { "STATX_CTIME", STATX_CTIME },
        { "STATX_INO", STATX_INO },
        { "STATX_SIZE", STATX_SIZE },
        { "STATX_BLOCKS", STATX_BLOCKS },
        { "STATX_BASIC_STATS", STATX_BASIC_STATS },
        { "STATX_BTIME", STATX_BTIME },
        { "STATX_ALL", STATX_ALL },
        { "STATX_MNT_ID", STATX_MNT_ID },
        { "STATX_DIOALIGN", STATX_DIOALIGN },
        { "STATX_MNT_ID_UNIQUE", STATX_MNT_ID_UNIQUE },
        { "STATX_SUBVOL", STATX_SUBVOL },
        { "STATX_WRITE_ATOMIC", STATX_WRITE_ATOMIC },
        { "STATX_DIO_READ_ALIGN", STATX_DIO_READ_ALIGN },
        /* inotify_add_watch(2) masks */
        { "IN_ACCESS", IN_ACCESS },
        { "IN_MODIFY", IN_MODIFY },
        { "IN_ATTRIB", IN_ATTRIB },
        { "IN_CLOSE_WRITE", IN_CLOSE_WRITE },
        { "IN_CLOSE_NOWRITE", IN_CLOSE_NOWRITE },
        { "IN_OPEN", IN_OPEN },
        { "IN_MOVED_FROM", IN_MOVED_FROM },
        { "IN_MOVED_TO", IN_MOVED_TO },
        { "IN_CREATE", IN_CREATE },
        { "IN_DELETE", IN_DELETE },
        { "IN_DELETE_SELF", IN_DELETE_SELF },
        { "IN_MOVE_SELF", IN_MOVE_SELF },
        { "IN_ALL_EVENTS", IN_ALL_EVENTS },
        { "IN_ONLYDIR", IN_ONLYDIR },
        { "IN_DONT_FOLLOW", IN_DONT_FOLLOW },
        { "IN_EXCL_UNLINK", IN_EXCL_UNLINK },
        { "IN_MASK_CREATE", 0x10000000 },
        { "IN_MASK_ADD", IN_MASK_ADD },
        { "IN_ONESHOT", IN_ONESHOT },
        /* fanotify_mark(2) flags and masks (the 64-bit mask: numbers above 32 bits are allowed) */
        { "FAN_MARK_ADD", FAN_MARK_ADD },
        { "FAN_MARK_REMOVE", FAN_MARK_REMOVE },
        { "FAN_MARK_DONT_FOLLOW", FAN_MARK_DONT_FOLLOW },
        { "FAN_MARK_ONLYDIR", FAN_MARK_ONLYDIR },
        { "FAN_MARK_MOUNT", FAN_MARK_MOUNT },
        { "FAN_MARK_IGNORED_MASK", FAN_MARK_IGNORED_MASK },
        { "FAN_MARK_IGNORED_SURV_MODIFY", FAN_MARK_IGNORED_SURV_MODIFY },
        { "FAN_MARK_FLUSH", FAN_MARK_FLUSH },
        { "FAN_MARK_FILESYSTEM", 0x100 },
        { "FAN_ACCESS", FAN_ACCESS },
        { "FAN_MODIFY", FAN_MODIFY },
        { "FAN_ATTRIB", 0x04 },
        { "FAN_CLOSE_WRITE", FAN_CLOSE_WRITE },
        { "FAN_CLOSE_NOWRITE", FAN_CLOSE_NOWRITE },
        { "FAN_OPEN", FAN_OPEN },
        { "FAN_CREATE", 0x100 },
        { "FAN_DELETE", 0x200 },
        { "FAN_EVENT_ON_CHILD", FAN_EVENT_ON_CHILD },
        { "FAN_ONDIR", FAN_ONDIR },
        /* mount(2) flags */
        { "MS_RDONLY", MS_RDONLY },
        { "MS_NOSUID", MS_NOSUID },
        { "MS_NODEV", MS_NODEV },
        { "MS_NOEXEC", MS_NOEXEC },
        { "MS_SYNCHRONOUS", MS_SYNCHRONOUS },
        { "MS_REMOUNT", MS_REMOUNT },
        { "MS_DIRSYNC", MS_DIRSYNC },
        { "MS_NOSYMFOLLOW", MS_NOSYMFOLLOW },
        { "MS_NOATIME", MS_NOATIME },
        { "MS_NODIRATIME", MS_NODIRATIME },
        { "MS_BIND", MS_BIND },
        { "MS_MOVE", MS_MOVE },
        { "MS_REC", MS_REC },
        { "MS_SILENT", MS_SILENT },
        { "MS_UNBINDABLE", MS_UNBINDABLE },
        { "MS_PRIVATE", MS_PRIVATE },
        { "MS_SLAVE", MS_SLAVE },
        { "MS_SHARED", MS_SHARED },
        { "MS_RELATIME", MS_RELATIME },
        { "MS_STRICTATIME", MS_STRICTATIME },
        /* umount2(2) flags */
        { "MNT_FORCE", PV_MNT_FORCE },
        { "MNT_DETACH", PV_MNT_DETACH },
        { "MNT_EXPIRE", PV_MNT_EXPIRE },
        { "UMOUNT_NOFOLLOW", PV_UMOUNT_NOFOLLOW },
        /* move_mount(2) flags */
        { "MOVE_MOUNT_F_SYMLINKS", MOVE_MOUNT_F_SYMLINKS },
        { "MOVE_MOUNT_F_AUTOMOUNTS", MOVE_MOUNT_F_AUTOMOUNTS },
        { "MOVE_MOUNT_F_EMPTY_PATH", MOVE_MOUNT_F_EMPTY_PATH },
        { "MOVE_MOUNT_T_SYMLINKS", MOVE_MOUNT_T_SYMLINKS },
        { "MOVE_MOUNT_T_AUTOMOUNTS", MOVE_MOUNT_T_AUTOMOUNTS },
        { "MOVE_MOUNT_T_EMPTY_PATH", MOVE_MOUNT_T_EMPTY_PATH },
        { "MOVE_MOUNT_SET_GROUP", MOVE_MOUNT_SET_GROUP },
        { "MOVE_MOUNT_BENEATH", MOVE_MOUNT_BENEATH },
        /* fspick(2) flags */
        { "FSPICK_CLOEXEC", FSPICK_CLOEXEC },
        { "FSPICK_SYMLINK_NOFOLLOW", FSPICK_SYMLINK_NOFOLLOW },
        { "FSPICK_NO_AUTOMOUNT", FSPICK_NO_AUTOMOUNT },
        { "FSPICK_EMPTY_PATH", FSPICK_EMPTY_PATH },
        /* struct mount_attr's attr_set, attr_clr (mount_setattr, open_tree_attr) */
        { "MOUNT_ATTR_RDONLY", MOUNT_ATTR_RDONLY },
        { "MOUNT_ATTR_NOSUID", MOUNT_ATTR_NOSUID },
        { "MOUNT_ATTR_NODEV", MOUNT_ATTR_NODEV },
        { "MOUNT_ATTR_NOEXEC", MOUNT_ATTR_NOEXEC },
        { "MOUNT_ATTR__ATIME", MOUNT_ATTR__ATIME },
        { "MOUNT_ATTR_RELATIME", MOUNT_ATTR_RELATIME },
        { "MOUNT_ATTR_NOATIME", MOUNT_ATTR_NOATIME },
        { "MOUNT_ATTR_STRICTATIME", MOUNT_ATTR_STRICTATIME },
        { "MOUNT_ATTR_NODIRATIME", MOUNT_ATTR_NODIRATIME },
        { "MOUNT_ATTR_IDMAP", MOUNT_ATTR_IDMAP },
        { "MOUNT_ATTR_NOSYMFOLLOW", MOUNT_ATTR_NOSYMFOLLOW },
        /* quotactl(2) commands and quota types (QCMD(CMD, TYPE) is CMD << 8 | TYPE) */
        { "Q_SYNC", Q_SYNC },
        { "Q_QUOTAON", Q_QUOTAON },
        { "Q_QUOTAOFF", Q_QUOTAOFF },
        { "Q_GETFMT", Q_GETFMT },
        { "Q_GETINFO", Q_GETINFO },
        { "Q_SETINFO", Q_SETINFO },
        { "Q_GETQUOTA", Q_GETQUOTA },
        { "Q_SETQUOTA", Q_SETQUOTA },
        { "Q_GETNEXTQUOTA", Q_GETNEXTQUOTA },
        { "USRQUOTA", USRQUOTA },
        { "GRPQUOTA", GRPQUOTA },
        { "PRJQUOTA", PRJQUOTA },
};

/* "O_WRONLY|O_CREAT|0x40", "0", "AT_SYMLINK_NOFOLLOW", "" (= 0) */
static unsigned long long parse_flags(const char *what, const char *s) {
        unsigned long long v = 0;
        const char *p = s;

        while (*p) {
                const char *end = strchr(p, '|');
                size_t len = end ? (size_t)(end - p) : strlen(p);
                char tok[64];

                while (len && isspace((unsigned char)*p))
                        p++, len--;
                while (len && isspace((unsigned char)p[len - 1]))
                        len--;
                if (len == 0 || len >= sizeof tok)
                        die_usage("bad %s '%s'", what, s);
                memcpy(tok, p, len);
                tok[len] = 0;

                if (isdigit((unsigned char)tok[0])) {
                        char *e;
                        errno = 0;
                        unsigned long long n = strtoull(tok, &e, 0);
                        if (errno || *e)
                                die_usage("bad number '%s' in %s '%s'", tok, what, s);
                        v |= n;
                } else {
                        size_t i;
                        for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
                                if (strcmp(flag_names[i].name, tok) == 0)
                                        break;
                        if (i == sizeof flag_names / sizeof flag_names[0])
                                die_usage("unknown flag '%s' in %s '%s'", tok, what, s);
                        v |= flag_names[i].value;
                }
                if (!end)
                        break;
                p = end + 1;
        }
        return v;
}

/* Permission bits: octal ("0644", "644", "04755"); "0x..." too. */
static unsigned parse_mode(const char *s) {
        char *e;
        errno = 0;
        unsigned long v = strtoul(s, &e, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 8);
        if (errno || *e || !*s || v > 07777)
                die_usage("bad mode '%s' (octal, e.g. 0644)", s);
        return (unsigned)v;
}

static long parse_long(const char *what, const char *s, long min, long max) {
        char *e;
        errno = 0;
        long v = strtol(s, &e, 0);
        if (errno || *e || !*s || v < min || v > max)
                die_usage("bad %s '%s' (a number from %ld to %ld)", what, s, min, max);
        return v;
}

/* Decode F_GETFL flags in a fixed order; unknown bits as hex. */
static void print_open_flags(unsigned long fl) {
        static const struct flag_name bits[] = {
                { "O_CREAT", O_CREAT },         { "O_EXCL", O_EXCL },
                { "O_NOCTTY", O_NOCTTY },       { "O_TRUNC", O_TRUNC },
                { "O_APPEND", O_APPEND },       { "O_NONBLOCK", O_NONBLOCK },
                { "O_DSYNC", O_DSYNC },         { "O_ASYNC", O_ASYNC },
                { "O_DIRECT", O_DIRECT },       { "O_LARGEFILE", 0100000 },
                { "O_DIRECTORY", O_DIRECTORY }, { "O_NOFOLLOW", O_NOFOLLOW },
                { "O_NOATIME", O_NOATIME },     { "O_CLOEXEC", O_CLOEXEC },
                { "O_PATH", O_PATH },
        };
        static const char *acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

        fputs(acc[fl & O_ACCMODE], stdout);
        fl &= ~(unsigned long)O_ACCMODE;
        if ((fl & O_SYNC) == O_SYNC) {
                fputs("|O_SYNC", stdout);
                fl &= ~(unsigned long)O_SYNC;
        }
        if ((fl & O_TMPFILE) == O_TMPFILE) {
                fputs("|O_TMPFILE", stdout);
                fl &= ~(unsigned long)O_TMPFILE;
        }
        for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
                if (fl & bits[i].value) {
                        printf("|%s", bits[i].name);
                        fl &= ~(unsigned long)bits[i].value;
                }
        if (fl)
                printf("|0x%lx", fl);
}

static void print_escaped(const unsigned char *s, size_t n) {
        putchar('"');
        for (size_t i = 0; i < n; i++) {
                unsigned char c = s[i];
                switch (c) {
                case '\n': fputs("\\n", stdout); break;
                case '\t': fputs("\\t", stdout); break;
                case '\r': fputs("\\r", stdout); break;
                case '\\': fputs("\\\\", stdout); break;
                case '"': fputs("\\\"", stdout); break;
                default:
                        if (c >= 0x20 && c < 0x7f)
                                putchar(c);
                        else
                                printf("\\x%02x", c);
                }
        }
        putchar('"');
}

static const char *type_name(mode_t m) {
        switch (m & S_IFMT) {
        case S_IFREG: return "reg";
        case S_IFDIR: return "dir";
        case S_IFLNK: return "lnk";
        case S_IFIFO: return "fifo";
        case S_IFCHR: return "chr";
        case S_IFBLK: return "blk";
        case S_IFSOCK: return "sock";
        default: return "unknown";
        }
}

/* ---------------------------------------------------------------------------------------------- */
/* results */

/* Describe an fd returned by an open-family call, then close it. Reads content only from regular
 * files (a FIFO or a device could block). */
static void describe_fd(int fd) {
        char proc[64], target[PATH_MAX];
        unsigned char buf[CONTENT_MAX];
        struct stat st;
        long fdfl, fl;
        ssize_t n;

        fdfl = fcntl(fd, F_GETFD);
        fl = fcntl(fd, F_GETFL);
        printf("ok fd=%d cloexec=%d flags=", fd, fdfl < 0 ? -1 : !!(fdfl & FD_CLOEXEC));
        if (fl < 0)
                printf("!%s", errno_name(errno));
        else
                print_open_flags((unsigned long)fl);

        if (syscall(SYS_fstat, fd, &st) < 0) {
                printf(" fstat=!%s", errno_name(errno));
                memset(&st, 0, sizeof st);
        } else
                printf(" type=%s mode=%04o dev=%u:%u ino=%ju", type_name(st.st_mode),
                       (unsigned)(st.st_mode & 07777), major(st.st_dev), minor(st.st_dev),
                       (uintmax_t)st.st_ino);

        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        n = readlink(proc, target, sizeof target);
        fputs(" path=", stdout);
        if (n < 0)
                printf("!%s", errno_name(errno));
        else
                print_escaped((const unsigned char *)target, (size_t)n);

        fputs(" content=", stdout);
        if (S_ISREG(st.st_mode)) {
                n = read(fd, buf, sizeof buf);
                if (n < 0)
                        printf("!%s", errno_name(errno));
                else
                        print_escaped(buf, (size_t)n);
        } else
                fputs("-", stdout);
        putchar('\n');
        close(fd);
}

static void open_result(long r, int err) {
        if (r < 0)
                print_err(err);
        else
                describe_fd((int)r);
}

static void print_ts(const char *name, long long sec, unsigned long nsec) {
        printf("%s %lld.%09lu\n", name, sec, nsec);
}

static void print_stat(const struct stat *st) {
        printf("ok\n");
        printf("dev %u:%u\n", major(st->st_dev), minor(st->st_dev));
        printf("ino %ju\n", (uintmax_t)st->st_ino);
        printf("mode 0%o\n", (unsigned)st->st_mode);
        printf("nlink %ju\n", (uintmax_t)st->st_nlink);
        printf("uid %u\n", (unsigned)st->st_uid);
        printf("gid %u\n", (unsigned)st->st_gid);
        printf("rdev %u:%u\n", major(st->st_rdev), minor(st->st_rdev));
        printf("size %jd\n", (intmax_t)st->st_size);
        printf("blksize %jd\n", (intmax_t)st->st_blksize);
        printf("blocks %jd\n", (intmax_t)st->st_blocks);
        print_ts("atime", (long long)st->st_atim.tv_sec, (unsigned long)st->st_atim.tv_nsec);
        print_ts("mtime", (long long)st->st_mtim.tv_sec, (unsigned long)st->st_mtim.tv_nsec);
        print_ts("ctime", (long long)st->st_ctim.tv_sec, (unsigned long)st->st_ctim.tv_nsec);
}

static void stat_result(long r, int err, const struct stat *st) {
        if (r < 0)
                print_err(err);
        else
                print_stat(st);
}

/* struct statx of the running kernel (uapi as of Linux 6.18): 256 bytes. Fields newer than the
 * build's headers are read by offset. */
static uint64_t rd(const unsigned char *b, size_t off, size_t size) {
        uint64_t v = 0;
        if (size == 2) {
                uint16_t x;
                memcpy(&x, b + off, 2);
                v = x;
        } else if (size == 4) {
                uint32_t x;
                memcpy(&x, b + off, 4);
                v = x;
        } else {
                memcpy(&v, b + off, 8);
        }
        return v;
}

static void print_statx(const unsigned char *b) {
        static const struct {
                const char *name;
                unsigned short off, size;
        } f[] = {
                { "stx_mask", 0x00, 4 },          { "stx_blksize", 0x04, 4 },
                { "stx_attributes", 0x08, 8 },    { "stx_nlink", 0x10, 4 },
                { "stx_uid", 0x14, 4 },           { "stx_gid", 0x18, 4 },
                { "stx_mode", 0x1c, 2 },          { "stx_ino", 0x20, 8 },
                { "stx_size", 0x28, 8 },          { "stx_blocks", 0x30, 8 },
                { "stx_attributes_mask", 0x38, 8 },
        };
        static const struct {
                const char *name;
                unsigned short off;
        } ts[] = {
                { "atime", 0x40 }, { "btime", 0x50 }, { "ctime", 0x60 }, { "mtime", 0x70 },
        };
        static const struct {
                const char *name;
                unsigned short off, size;
        } g[] = {
                { "stx_rdev", 0x80, 4 },
                { "stx_dev", 0x88, 4 },
                { "stx_mnt_id", 0x90, 8 },
                { "stx_dio_mem_align", 0x98, 4 },
                { "stx_dio_offset_align", 0x9c, 4 },
                { "stx_subvol", 0xa0, 8 },
                { "stx_atomic_write_unit_min", 0xa8, 4 },
                { "stx_atomic_write_unit_max", 0xac, 4 },
                { "stx_atomic_write_segments_max", 0xb0, 4 },
                { "stx_dio_read_offset_align", 0xb4, 4 },
                { "stx_atomic_write_unit_max_opt", 0xb8, 4 },
        };

        printf("ok\n");
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
                uint64_t v = rd(b, f[i].off, f[i].size);
                if (strcmp(f[i].name, "stx_mode") == 0)
                        printf("%s 0%" PRIo64 "\n", f[i].name, v);
                else if (strcmp(f[i].name, "stx_mask") == 0 || strstr(f[i].name, "attributes"))
                        printf("%s 0x%" PRIx64 "\n", f[i].name, v);
                else
                        printf("%s %" PRIu64 "\n", f[i].name, v);
        }
        for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
                int64_t sec;
                memcpy(&sec, b + ts[i].off, 8);
                printf("%s %" PRId64 ".%09" PRIu64 " reserved=%" PRIu64 "\n", ts[i].name, sec,
                       rd(b, ts[i].off + 8, 4), rd(b, ts[i].off + 12, 4));
        }
        for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
                if (g[i].off == 0x80 || g[i].off == 0x88)
                        printf("%s %" PRIu64 ":%" PRIu64 "\n", g[i].name, rd(b, g[i].off, 4),
                               rd(b, g[i].off + 4, 4));
                else
                        printf("%s %" PRIu64 "\n", g[i].name, rd(b, g[i].off, g[i].size));
        }
        /* __spare0 at 0x1e, __spare2 at 0xbc, __spare3 from 0xc0: must be zero */
        printf("spare %" PRIx64, rd(b, 0x1e, 2));
        printf(" %" PRIx64, rd(b, 0xbc, 4));
        for (size_t off = 0xc0; off < 0x100; off += 8)
                printf(" %" PRIx64, rd(b, off, 8));
        putchar('\n');
}

static void readlink_result(long r, int err, const char *buf) {
        if (r < 0)
                print_err(err);
        else {
                printf("ok %ld ", r);
                print_escaped((const unsigned char *)buf, (size_t)r);
                putchar('\n');
        }
}

/* ---------------------------------------------------------------------------------------------- */
/* dirfd arguments: "-" = AT_FDCWD, "fd:N" = that number as is, "file:PATH" = PATH opened O_PATH
 * (no O_DIRECTORY, for ENOTDIR), "dir:PATH" = PATH opened O_RDONLY|O_DIRECTORY (not O_PATH),
 * "rd:PATH" = PATH opened O_RDONLY (a file descriptor for futimens-like and AT_EMPTY_PATH calls),
 * "tmp:DIR" = an unnamed file made in DIR with O_TMPFILE|O_RDWR, mode 0640, holding "tmpfile\n"
 * (for linkat(fd, "", ..., AT_EMPTY_PATH); it is the lowest free fd, 3 in a plain process),
 * anything else = PATH opened O_DIRECTORY|O_PATH. */

static bool get_dirfd(const char *arg, int *dirfd) {
        long r;
        if (strcmp(arg, "-") == 0) {
                *dirfd = AT_FDCWD;
                return true;
        }
        if (strncmp(arg, "fd:", 3) == 0) {
                *dirfd = (int)parse_long("fd", arg + 3, INT_MIN, INT_MAX);
                return true;
        }
        if (strncmp(arg, "file:", 5) == 0)
                r = syscall(SYS_openat, AT_FDCWD, arg + 5, O_PATH | O_CLOEXEC, 0);
        else if (strncmp(arg, "rd:", 3) == 0)
                r = syscall(SYS_openat, AT_FDCWD, arg + 3, O_RDONLY | O_CLOEXEC, 0);
        else if (strncmp(arg, "tmp:", 4) == 0) {
                r = syscall(SYS_openat, AT_FDCWD, arg + 4, O_TMPFILE | O_RDWR | O_CLOEXEC, 0640);
                if (r >= 0 && write((int)r, "tmpfile\n", 8) != 8) {
                        printf("err dirfd write %s\n", errno_name(errno));
                        close((int)r);
                        return false;
                }
        }
        else if (strncmp(arg, "dir:", 4) == 0)
                r = syscall(SYS_openat, AT_FDCWD, arg + 4, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        else
                r = syscall(SYS_openat, AT_FDCWD, arg, O_DIRECTORY | O_PATH | O_CLOEXEC, 0);
        if (r < 0) {
                printf("err dirfd %s\n", errno_name(errno));
                return false;
        }
        *dirfd = (int)r;
        return true;
}

static void put_dirfd(int dirfd) {
        if (dirfd >= 0)
                close(dirfd);
}

/* ---------------------------------------------------------------------------------------------- */
/* 32-bit memory and int $0x80 */

static void *low_alloc(size_t size) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                       -1, 0);
        if (p == MAP_FAILED)
                die_setup("mmap(MAP_32BIT)");
        if ((uintptr_t)p + size > 0xffffffffUL) {
                errno = ENOMEM;
                die_setup("mmap(MAP_32BIT) above 4 GiB");
        }
        memset(p, 0, size);
        return p;
}

static char *low_strdup(const char *s) {
        size_t n = strlen(s) + 1;
        char *p = low_alloc(n);
        memcpy(p, s, n);
        return p;
}

static uint32_t low32(const void *p) {
        return (uint32_t)(uintptr_t)p;
}

/* The i386 system call from 64-bit code. The kernel zeroes r8-r11 on the way back. Returns the
 * raw kernel value (-errno on error). */
static long int80(long nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e) {
        long ret;
        register long r_esi __asm__("rsi") = d;
        register long r_edi __asm__("rdi") = e;
        __asm__ volatile("int $0x80"
                         : "=a"(ret)
                         : "0"(nr), "b"((long)a), "c"((long)b), "d"((long)c), "r"(r_esi), "r"(r_edi)
                         : "memory", "cc", "r8", "r9", "r10", "r11");
        return (int)ret;
}

static long i386_result(long r, int *err) {
        if (r < 0 && r > -4096) {
                *err = (int)-r;
                return -1;
        }
        *err = 0;
        return r;
}

/* struct stat64 of i386 (packed to 4 bytes; 96 bytes) and the old struct stat (64 bytes). */
static void print_i386_stat64(const unsigned char *b) {
        printf("ok\n");
        printf("dev 0x%" PRIx64 "\n", rd(b, 0, 8));
        printf("__st_ino %" PRIu64 "\n", rd(b, 12, 4));
        printf("mode 0%" PRIo64 "\n", rd(b, 16, 4));
        printf("nlink %" PRIu64 "\n", rd(b, 20, 4));
        printf("uid %" PRIu64 "\n", rd(b, 24, 4));
        printf("gid %" PRIu64 "\n", rd(b, 28, 4));
        printf("rdev 0x%" PRIx64 "\n", rd(b, 32, 8));
        printf("size %" PRId64 "\n", (int64_t)rd(b, 44, 8));
        printf("blksize %" PRIu64 "\n", rd(b, 52, 4));
        printf("blocks %" PRIu64 "\n", rd(b, 56, 8));
        printf("atime %" PRIu64 ".%09" PRIu64 "\n", rd(b, 64, 4), rd(b, 68, 4));
        printf("mtime %" PRIu64 ".%09" PRIu64 "\n", rd(b, 72, 4), rd(b, 76, 4));
        printf("ctime %" PRIu64 ".%09" PRIu64 "\n", rd(b, 80, 4), rd(b, 84, 4));
        printf("ino %" PRIu64 "\n", rd(b, 88, 8));
        /* the kernel writes field by field and leaves the two pads as they were: not printed */
}

static void print_i386_stat(const unsigned char *b) {
        printf("ok\n");
        printf("dev 0x%" PRIx64 "\n", rd(b, 0, 4));
        printf("ino %" PRIu64 "\n", rd(b, 4, 4));
        printf("mode 0%" PRIo64 "\n", rd(b, 8, 2));
        printf("nlink %" PRIu64 "\n", rd(b, 10, 2));
        printf("uid %" PRIu64 "\n", rd(b, 12, 2));
        printf("gid %" PRIu64 "\n", rd(b, 14, 2));
        printf("rdev 0x%" PRIx64 "\n", rd(b, 16, 4));
        printf("size %" PRIu64 "\n", rd(b, 20, 4));
        printf("blksize %" PRIu64 "\n", rd(b, 24, 4));
        printf("blocks %" PRIu64 "\n", rd(b, 28, 4));
        printf("atime %" PRIu64 ".%09" PRIu64 "\n", rd(b, 32, 4), rd(b, 36, 4));
        printf("mtime %" PRIu64 ".%09" PRIu64 "\n", rd(b, 40, 4), rd(b, 44, 4));
        printf("ctime %" PRIu64 ".%09" PRIu64 "\n", rd(b, 48, 4), rd(b, 52, 4));
        printf("unused %" PRIx64 " %" PRIx64 "\n", rd(b, 56, 4), rd(b, 60, 4));
}

/* Fill the stat buffer with a pattern first, so a result that leaves bytes unwritten shows. */
#define STAT_FILL 0xa5

/* ---------------------------------------------------------------------------------------------- */
/* loops and processes */

static int read_all(const char *path, unsigned char *buf, size_t size, size_t *len, int *err) {
        long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) {
                *err = errno;
                return -1;
        }
        int fdfl = fcntl((int)fd, F_GETFD);
        if (fdfl < 0 || !(fdfl & FD_CLOEXEC)) {
                close((int)fd);
                *err = 0;
                return -2; /* O_CLOEXEC lost */
        }
        ssize_t n = read((int)fd, buf, size);
        *err = errno;
        close((int)fd);
        if (n < 0)
                return -1;
        *len = (size_t)n;
        return 0;
}

static int count_fds(void) {
        long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        char buf[4096];
        int n = 0;
        long r;
        if (fd < 0)
                return -1;
        while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
                for (long off = 0; off < r;) {
                        unsigned short reclen;
                        memcpy(&reclen, buf + off + 16, 2);
                        const char *name = buf + off + 19;
                        if (name[0] != '.')
                                n++;
                        off += reclen;
                }
        }
        close((int)fd);
        return n - 1; /* minus the directory fd itself */
}

static int cmd_loop(int argc, char **argv) {
        if (argc != 3)
                die_usage("usage: loop N PATH");
        long n = parse_long("N", argv[1], 0, LONG_MAX);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < n; i++) {
                long fd = syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY | O_CLOEXEC, 0);
                if (fd < 0) {
                        printf("err %s at %ld\n", errno_name(errno), i);
                        return 0;
                }
                close((int)fd);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
        printf("ok %ld\n", n);
        fprintf(stderr, "loop: %.0f ns per openat+close\n", n ? ns / (double)n : 0.0);
        return 0;
}

struct threads_ctx {
        const char *path;
        long n;
        const unsigned char *ref;
        size_t ref_len;
        atomic_int failed;
        pthread_mutex_t lock;
        char first_failure[256];
        pthread_barrier_t barrier;
};

struct thread_arg {
        struct threads_ctx *ctx;
        int index;
};

static void thread_fail(struct threads_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void thread_fail(struct threads_ctx *c, const char *fmt, ...) {
        va_list ap;
        pthread_mutex_lock(&c->lock);
        if (atomic_fetch_add(&c->failed, 1) == 0) {
                va_start(ap, fmt);
                vsnprintf(c->first_failure, sizeof c->first_failure, fmt, ap);
                va_end(ap);
        }
        pthread_mutex_unlock(&c->lock);
}

static void *threads_main(void *p) {
        struct thread_arg *a = p;
        struct threads_ctx *c = a->ctx;
        unsigned char buf[CONTENT_MAX];

        pthread_barrier_wait(&c->barrier);
        for (long i = 0; i < c->n && atomic_load(&c->failed) == 0; i++) {
                size_t len = 0;
                int err;
                int r = read_all(c->path, buf, sizeof buf, &len, &err);
                if (r == -2)
                        thread_fail(c, "thread %d iteration %ld: O_CLOEXEC lost", a->index, i);
                else if (r < 0)
                        thread_fail(c, "thread %d iteration %ld: err %s", a->index, i, errno_name(err));
                else if (len != c->ref_len || memcmp(buf, c->ref, len) != 0)
                        thread_fail(c, "thread %d iteration %ld: content differs (%zu bytes)", a->index, i, len);
        }
        return NULL;
}

static int cmd_threads(int argc, char **argv) {
        if (argc != 4)
                die_usage("usage: threads T N PATH");
        long t = parse_long("T", argv[1], 1, 1024);
        struct threads_ctx c = { .path = argv[3], .n = parse_long("N", argv[2], 0, LONG_MAX) };
        unsigned char ref[CONTENT_MAX];
        pthread_t tid[1024];
        struct thread_arg args[1024];
        int err, before, after;

        if (read_all(c.path, ref, sizeof ref, &c.ref_len, &err) < 0) {
                printf("err first open %s\n", err ? errno_name(err) : "O_CLOEXEC lost");
                return 0;
        }
        c.ref = ref;
        pthread_mutex_init(&c.lock, NULL);
        pthread_barrier_init(&c.barrier, NULL, (unsigned)t);
        before = count_fds();
        for (long i = 0; i < t; i++) {
                args[i] = (struct thread_arg){ &c, (int)i };
                errno = pthread_create(&tid[i], NULL, threads_main, &args[i]);
                if (errno)
                        die_setup("pthread_create");
        }
        for (long i = 0; i < t; i++)
                pthread_join(tid[i], NULL);
        after = count_fds();
        if (atomic_load(&c.failed))
                printf("fail %d: %s\n", atomic_load(&c.failed), c.first_failure);
        else if (before != after)
                printf("fail fd leak: %d fds before, %d after\n", before, after);
        else
                printf("ok %ld\n", t * c.n);
        return 0;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig) {
        (void) sig;
        alarms++;
}

/* Open PATH N times while SIGALRM (SA_RESTART handler) arrives every USEC microseconds: every
 * open must succeed (no EINTR), read the first content, keep O_CLOEXEC, and leave no fd behind
 * (an fd injected into a thread that a signal interrupted would leak). */
static int cmd_signals(int argc, char **argv) {
        if (argc != 3 && argc != 4)
                die_usage("usage: signals N PATH [USEC]");
        long n = parse_long("N", argv[1], 0, LONG_MAX);
        long usec = argc == 4 ? parse_long("USEC", argv[3], 1, 999999) : 200;
        unsigned char ref[CONTENT_MAX], buf[CONTENT_MAX];
        size_t ref_len, len;
        int err, before, after;
        long i, eintr = 0;

        if (read_all(argv[2], ref, sizeof ref, &ref_len, &err) < 0) {
                printf("err first open %s\n", err ? errno_name(err) : "O_CLOEXEC lost");
                return 0;
        }
        struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGALRM, &sa, NULL) < 0)
                die_setup("sigaction");
        before = count_fds();
        struct itimerval it = { { 0, usec }, { 0, usec } };
        if (setitimer(ITIMER_REAL, &it, NULL) < 0)
                die_setup("setitimer");
        for (i = 0; i < n; i++) {
                int r = read_all(argv[2], buf, sizeof buf, &len, &err);
                if (r == -1 && err == EINTR) {
                        eintr++;
                        continue;
                }
                if (r == -2) {
                        printf("fail iteration %ld: O_CLOEXEC lost\n", i);
                        break;
                }
                if (r < 0) {
                        printf("fail iteration %ld: err %s\n", i, errno_name(err));
                        break;
                }
                if (len != ref_len || memcmp(buf, ref, len) != 0) {
                        printf("fail iteration %ld: content differs\n", i);
                        break;
                }
        }
        struct itimerval off = { { 0, 0 }, { 0, 0 } };
        setitimer(ITIMER_REAL, &off, NULL);
        after = count_fds();
        fprintf(stderr, "signals: %d SIGALRM during %ld opens\n", (int) alarms, n);
        if (i < n)
                return 0;
        if (eintr)
                printf("fail %ld opens returned EINTR (SA_RESTART handler)\n", eintr);
        else if (before != after)
                printf("fail fd leak: %d fds before, %d after\n", before, after);
        else
                printf("ok %ld\n", n);
        return 0;
}

/* One open, printed with a prefix. */
static void open_print(const char *prefix, const char *path) {
        printf("%s ", prefix);
        int err;
        long r = sc(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0), &err);
        open_result(r, err);
        fflush(stdout);
}

/* Each level: open PATH; fork a child that opens PATH without exec'ing; then fork+exec the next
 * level (this program through /proc/self/exe). Exit status: 0 if every level exited 0. */
static int cmd_fork_chain(int argc, char **argv) {
        if (argc != 3)
                die_usage("usage: fork-chain DEPTH PATH");
        long depth = parse_long("DEPTH", argv[1], 0, 100);
        char pfx[64];
        int status;
        pid_t pid;

        snprintf(pfx, sizeof pfx, "level %ld:", depth);
        open_print(pfx, argv[2]);
        if (depth == 0)
                return 0;

        pid = fork();
        if (pid < 0)
                die_setup("fork");
        if (pid == 0) {
                snprintf(pfx, sizeof pfx, "level %ld fork:", depth);
                open_print(pfx, argv[2]);
                _exit(0);
        }
        if (waitpid(pid, &status, 0) < 0 || status != 0) {
                printf("level %ld: fork child status 0x%x\n", depth, status);
                return 1;
        }

        pid = fork();
        if (pid < 0)
                die_setup("fork");
        if (pid == 0) {
                char d[32];
                snprintf(d, sizeof d, "%ld", depth - 1);
                execl("/proc/self/exe", "pv-syscall", "fork-chain", d, argv[2], (char *)NULL);
                fprintf(stderr, "exec /proc/self/exe: %s\n", strerror(errno));
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || status != 0) {
                printf("level %ld: exec child status 0x%x\n", depth, status);
                return 1;
        }
        return 0;
}

/* The state letter of a process in /proc/PID/stat ('T' = stopped). */
static char proc_state(pid_t pid) {
        char p[64], buf[512];
        snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(p, "re");
        if (!f)
                return 0;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        char *rp = strrchr(buf, ')');
        return rp && rp[1] == ' ' ? rp[2] : 0;
}

struct spin_ctx {
        const char *path;
        atomic_bool stop;
        atomic_long opens;
        atomic_long errors;
        atomic_int started;
};

static void *spin_main(void *p) {
        struct spin_ctx *c = p;
        bool first = true;
        while (!atomic_load(&c->stop)) {
                long fd = syscall(SYS_openat, AT_FDCWD, c->path, O_RDONLY | O_CLOEXEC, 0);
                if (fd >= 0) {
                        char b[16];
                        if (read((int)fd, b, sizeof b) < 0)
                                atomic_fetch_add(&c->errors, 1);
                        close((int)fd);
                        atomic_fetch_add(&c->opens, 1);
                } else
                        atomic_fetch_add(&c->errors, 1);
                if (first) {
                        atomic_fetch_add(&c->started, 1);
                        first = false;
                }
        }
        return NULL;
}

static void start_spinners(struct spin_ctx *c, long t, pthread_t *tid) {
        for (long i = 0; i < t; i++) {
                errno = pthread_create(&tid[i], NULL, spin_main, c);
                if (errno)
                        die_setup("pthread_create");
        }
        while (atomic_load(&c->started) < t)
                usleep(1000);
}

/* Stop ourselves with SIGSTOP (a child sends SIGCONT once it sees us stopped), several times,
 * optionally while THREADS threads keep opening PATH; then open PATH again. */
static int cmd_stop_self(int argc, char **argv) {
        if (argc != 2 && argc != 3)
                die_usage("usage: stop-self PATH [THREADS]");
        long t = argc == 3 ? parse_long("THREADS", argv[2], 0, 64) : 0;
        struct spin_ctx c = { .path = argv[1] };
        pthread_t tid[64];
        int rounds = t ? 5 : 1;

        open_print("before:", argv[1]);
        start_spinners(&c, t, tid);
        for (int round = 0; round < rounds; round++) {
                int done[2];
                if (pipe(done) < 0)
                        die_setup("pipe");
                pid_t self = getpid(), pid = fork();
                if (pid < 0)
                        die_setup("fork");
                if (pid == 0) {
                        /* continue the parent until it says it runs again (up to 10 s). A single
                         * SIGCONT once it looks stopped is not enough under ptrace: a traced
                         * process shows 't' in every ptrace stop, before its SIGSTOP too. */
                        close(done[1]);
                        for (int i = 0; i < 500; i++) {
                                struct pollfd pfd = { .fd = done[0], .events = POLLIN };
                                char st = proc_state(self);
                                if (st == 'T' || st == 't')
                                        kill(self, SIGCONT);
                                if (poll(&pfd, 1, 20) > 0)
                                        _exit(0);
                        }
                        _exit(1);
                }
                close(done[0]);
                raise(SIGSTOP);
                if (write(done[1], "c", 1) != 1)
                        die_setup("write");
                close(done[1]);
                int status;
                if (waitpid(pid, &status, 0) < 0 || status != 0) {
                        printf("continuer status 0x%x\n", status);
                        return 1;
                }
        }
        atomic_store(&c.stop, true);
        for (long i = 0; i < t; i++)
                pthread_join(tid[i], NULL);
        if (atomic_load(&c.errors))
                printf("threads: %ld errors\n", atomic_load(&c.errors));
        printf("continued %d times\n", rounds);
        open_print("after:", argv[1]);
        return 0;
}

/* T threads open PATH in a loop forever; "ready pid=N" once every thread has opened once. For the
 * test that kills the tracee with SIGKILL while calls are trapped. */
static int cmd_spin(int argc, char **argv) {
        if (argc != 3)
                die_usage("usage: spin T PATH");
        long t = parse_long("T", argv[1], 1, 64);
        struct spin_ctx c = { .path = argv[2] };
        pthread_t tid[64];

        start_spinners(&c, t, tid);
        printf("ready pid=%d\n", (int)getpid());
        fflush(stdout);
        for (;;)
                pause();
}

struct fifo_ctx {
        const char *path;
};

static void *fifo_main(void *p) {
        struct fifo_ctx *c = p;
        int err;
        long r = sc(syscall(SYS_openat, AT_FDCWD, c->path, O_RDONLY | O_CLOEXEC, 0), &err);
        printf("fifo ");
        if (r < 0)
                print_err(err);
        else {
                printf("ok\n");
                close((int)r);
        }
        fflush(stdout);
        return NULL;
}

/* One thread opens FIFO for reading (blocks until a writer comes); the main thread then opens
 * OTHER and prints it, then "ready pid=N", and waits for the FIFO open (exit 0 when it returns). */
static int cmd_fifo_block(int argc, char **argv) {
        if (argc != 3)
                die_usage("usage: fifo-block FIFO OTHER");
        struct fifo_ctx c = { .path = argv[1] };
        pthread_t tid;
        errno = pthread_create(&tid, NULL, fifo_main, &c);
        if (errno)
                die_setup("pthread_create");
        usleep(200 * 1000);
        open_print("other:", argv[2]);
        printf("ready pid=%d\n", (int)getpid());
        fflush(stdout);
        pthread_join(tid, NULL);
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* bad pointers and edges */

/* A page whose successor is PROT_NONE; returns the start of the readable page. */
static unsigned char *guarded_page(void) {
        long ps = sysconf(_SC_PAGESIZE);
        unsigned char *p = mmap(NULL, (size_t)ps * 2, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                die_setup("mmap");
        if (mprotect(p + ps, (size_t)ps, PROT_NONE) < 0)
                die_setup("mprotect");
        return p;
}

static void *bad_ptr(void) {
        return guarded_page() + sysconf(_SC_PAGESIZE);
}

static int cmd_fault(int argc, char **argv) {
        if (argc != 3)
                die_usage("usage: fault path|edge|nonul-short|nonul-long|statbuf|linkbuf|how PATH");
        const char *kind = argv[1], *path = argv[2];
        long ps = sysconf(_SC_PAGESIZE);
        int err;
        long r;

        if (strcmp(kind, "path") == 0) {
                /* the path pointer itself is unmapped */
                r = sc(syscall(SYS_open, bad_ptr(), O_RDONLY | O_CLOEXEC, 0), &err);
                printf("open: "), open_result(r, err);
                struct stat st;
                r = sc(syscall(SYS_stat, bad_ptr(), &st), &err);
                printf("stat: "), r < 0 ? print_err(err) : (void)printf("ok\n");
                r = sc(syscall(SYS_access, bad_ptr(), F_OK), &err);
                printf("access: "), r < 0 ? print_err(err) : (void)printf("ok\n");
        } else if (strcmp(kind, "edge") == 0) {
                /* PATH ends with its NUL on the last byte of a page; the next page is PROT_NONE */
                size_t n = strlen(path) + 1;
                if ((long)n > ps)
                        die_usage("path too long for one page");
                unsigned char *pg = guarded_page();
                char *p = (char *)pg + ps - (long)n;
                memcpy(p, path, n);
                r = sc(syscall(SYS_open, p, O_RDONLY | O_CLOEXEC, 0), &err);
                printf("open: "), open_result(r, err);
                struct stat st;
                r = sc(syscall(SYS_stat, p, &st), &err);
                printf("stat: "), stat_result(r, err, &st);
        } else if (strcmp(kind, "nonul-short") == 0 || strcmp(kind, "nonul-long") == 0) {
                /* no NUL before the PROT_NONE page: 100 bytes (EFAULT) or a whole page of
                 * PATH_MAX bytes (ENAMETOOLONG); the bytes repeat PATH */
                size_t len = strcmp(kind, "nonul-short") == 0 ? 100 : (size_t)ps;
                unsigned char *pg = guarded_page();
                char *p = (char *)pg + ps - (long)len;
                size_t pl = strlen(path);
                for (size_t i = 0; i < len; i++)
                        p[i] = pl ? path[i % pl] : 'a';
                r = sc(syscall(SYS_open, p, O_RDONLY | O_CLOEXEC, 0), &err);
                printf("open: "), open_result(r, err);
        } else if (strcmp(kind, "statbuf") == 0) {
                /* the result buffer is unmapped */
                r = sc(syscall(SYS_stat, path, bad_ptr()), &err);
                printf("stat: "), r < 0 ? print_err(err) : (void)printf("ok\n");
                r = sc(syscall(SYS_lstat, path, bad_ptr()), &err);
                printf("lstat: "), r < 0 ? print_err(err) : (void)printf("ok\n");
                r = sc(syscall(SYS_newfstatat, AT_FDCWD, path, bad_ptr(), 0), &err);
                printf("newfstatat: "), r < 0 ? print_err(err) : (void)printf("ok\n");
                r = sc(syscall(SYS_statx, AT_FDCWD, path, 0, STATX_BASIC_STATS, bad_ptr()), &err);
                printf("statx: "), r < 0 ? print_err(err) : (void)printf("ok\n");
                /* the buffer ends in the middle of struct stat */
                unsigned char *pg = guarded_page();
                r = sc(syscall(SYS_stat, path, pg + ps - 64), &err);
                printf("stat-partial: "), r < 0 ? print_err(err) : (void)printf("ok\n");
        } else if (strcmp(kind, "linkbuf") == 0) {
                r = sc(syscall(SYS_readlink, path, bad_ptr(), 100), &err);
                printf("readlink: "), r < 0 ? print_err(err) : (void)printf("ok %ld\n", r);
                r = sc(syscall(SYS_readlinkat, AT_FDCWD, path, bad_ptr(), 100), &err);
                printf("readlinkat: "), r < 0 ? print_err(err) : (void)printf("ok %ld\n", r);
                char b[16];
                r = sc(syscall(SYS_readlink, path, b, 0), &err);
                printf("readlink-size0: "), r < 0 ? print_err(err) : (void)printf("ok %ld\n", r);
                r = sc(syscall(SYS_readlink, path, b, -1L), &err);
                printf("readlink-size-1: "), r < 0 ? print_err(err) : (void)printf("ok %ld\n", r);
        } else if (strcmp(kind, "how") == 0) {
                unsigned char big[64];
                struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
                r = sc(syscall(__NR_openat2, AT_FDCWD, path, bad_ptr(), sizeof how), &err);
                printf("how-unmapped: "), open_result(r, err);
                r = sc(syscall(__NR_openat2, AT_FDCWD, path, &how, 8), &err);
                printf("how-size8: "), open_result(r, err);
                memset(big, 0, sizeof big);
                memcpy(big, &how, sizeof how);
                r = sc(syscall(__NR_openat2, AT_FDCWD, path, big, sizeof big), &err);
                printf("how-size64-zero: "), open_result(r, err);
                big[40] = 1;
                r = sc(syscall(__NR_openat2, AT_FDCWD, path, big, sizeof big), &err);
                printf("how-size64-nonzero: "), open_result(r, err);
                struct open_how h2 = { .flags = O_RDONLY, .mode = 0644 };
                r = sc(syscall(__NR_openat2, AT_FDCWD, path, &h2, sizeof h2), &err);
                printf("how-mode-without-creat: "), open_result(r, err);
                struct open_how h3 = { .flags = O_RDONLY, .resolve = 1ULL << 40 };
                r = sc(syscall(__NR_openat2, AT_FDCWD, path, &h3, sizeof h3), &err);
                printf("how-bad-resolve: "), open_result(r, err);
                struct open_how h4 = { .flags = 1ULL << 40 };
                r = sc(syscall(__NR_openat2, AT_FDCWD, path, &h4, sizeof h4), &err);
                printf("how-bad-flags: "), open_result(r, err);
        } else
                die_usage("unknown fault kind '%s'", kind);
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* the simple calls */

static void need(int argc, int min, int max, const char *usage) {
        if (argc < min || argc > max)
                die_usage("usage: %s", usage);
}

static int cmd_calls(int argc, char **argv) {
        const char *c = argv[0];
        int err, dirfd;
        long r;

        if (strcmp(c, "open") == 0) {
                need(argc, 3, 4, "open PATH FLAGS [MODE]");
                unsigned long long fl = parse_flags("flags", argv[2]);
                unsigned mode = argc > 3 ? parse_mode(argv[3]) : 0;
                r = sc(syscall(SYS_open, argv[1], (long)fl, (long)mode), &err);
                open_result(r, err);
        } else if (strcmp(c, "openat") == 0) {
                need(argc, 4, 5, "openat DIR REL FLAGS [MODE]");
                unsigned long long fl = parse_flags("flags", argv[3]);
                unsigned mode = argc > 4 ? parse_mode(argv[4]) : 0;
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_openat, dirfd, argv[2], (long)fl, (long)mode), &err);
                put_dirfd(dirfd);
                open_result(r, err);
        } else if (strcmp(c, "openat2") == 0) {
                need(argc, 5, 6, "openat2 DIR REL FLAGS RESOLVE [MODE]");
                struct open_how how = {
                        .flags = parse_flags("flags", argv[3]),
                        .resolve = parse_flags("resolve", argv[4]),
                        .mode = argc > 5 ? parse_mode(argv[5]) : 0,
                };
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_openat2, dirfd, argv[2], &how, sizeof how), &err);
                put_dirfd(dirfd);
                open_result(r, err);
        } else if (strcmp(c, "open_tree") == 0) {
                need(argc, 4, 4, "open_tree DIR REL FLAGS");
                unsigned long long fl = parse_flags("flags", argv[3]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(428 /* open_tree */, dirfd, argv[2], (long)fl), &err);
                put_dirfd(dirfd);
                open_result(r, err);
        } else if (strcmp(c, "file_getattr") == 0 || strcmp(c, "file_setattr") == 0) {
                /* struct file_attr (6.17): u64 fa_xflags; u32 fa_extsize, fa_nextents, fa_projid,
                 * fa_cowextsize: 24 bytes (FILE_ATTR_SIZE_VER0) */
                bool set = strcmp(c, "file_setattr") == 0;
                need(argc, set ? 6 : 4, set ? 7 : 5,
                     set ? "file_setattr DIR REL ATFLAGS XFLAGS PROJID [SIZE]" : "file_getattr DIR REL ATFLAGS [SIZE]");
                unsigned long long fl = parse_flags("flags", argv[3]);
                int si = set ? 6 : 4;
                size_t size = argc > si ? (size_t)parse_long("size", argv[si], 0, 65536) : 24;
                static unsigned char fa[8192];
                memset(fa, STAT_FILL, sizeof fa);
                if (set) {
                        uint64_t xflags = parse_flags("xflags", argv[4]);
                        uint32_t projid = (uint32_t)parse_long("projid", argv[5], 0, 0xffffffffL), zero = 0;
                        memcpy(fa, &xflags, 8);
                        memcpy(fa + 8, &zero, 4);
                        memcpy(fa + 12, &zero, 4);
                        memcpy(fa + 16, &projid, 4);
                        memcpy(fa + 20, &zero, 4);
                        memset(fa + 24, 0, sizeof fa - 24);
                }
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(set ? 469 : 468, dirfd, strcmp(argv[2], "@null") == 0 ? NULL : argv[2], fa, size,
                               (long)fl), &err);
                put_dirfd(dirfd);
                if (r < 0)
                        print_err(err);
                else if (set)
                        printf("ok\n");
                else {
                        uint64_t xflags;
                        uint32_t w[4];
                        memcpy(&xflags, fa, 8);
                        memcpy(w, fa + 8, 16);
                        bool tail_zero = true;
                        for (size_t i = 24; i < size && i < sizeof fa; i++)
                                tail_zero = tail_zero && fa[i] == 0;
                        printf("ok xflags=0x%llx extsize=%u nextents=%u projid=%u cowextsize=%u%s\n",
                               (unsigned long long)xflags, w[0], w[1], w[2], w[3],
                               size > 24 ? (tail_zero ? " tail=zero" : " tail=untouched") : "");
                }
        } else if (strcmp(c, "creat") == 0) {
                need(argc, 3, 3, "creat PATH MODE");
                r = sc(syscall(SYS_creat, argv[1], (long)parse_mode(argv[2])), &err);
                open_result(r, err);
        } else if (strcmp(c, "stat") == 0 || strcmp(c, "lstat") == 0) {
                need(argc, 2, 2, "stat|lstat PATH");
                struct stat st;
                memset(&st, STAT_FILL, sizeof st);
                r = sc(syscall(strcmp(c, "stat") == 0 ? SYS_stat : SYS_lstat, argv[1], &st), &err);
                stat_result(r, err, &st);
        } else if (strcmp(c, "fstatat") == 0) {
                need(argc, 4, 4, "fstatat DIR REL ATFLAGS");
                unsigned long long fl = parse_flags("atflags", argv[3]);
                struct stat st;
                memset(&st, STAT_FILL, sizeof st);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_newfstatat, dirfd, argv[2], &st, (long)fl), &err);
                put_dirfd(dirfd);
                stat_result(r, err, &st);
        } else if (strcmp(c, "statx") == 0) {
                need(argc, 5, 5, "statx DIR REL ATFLAGS MASK");
                unsigned long long fl = parse_flags("atflags", argv[3]);
                unsigned long long mask = parse_flags("mask", argv[4]);
                unsigned char buf[256] __attribute__((aligned(8)));
                memset(buf, STAT_FILL, sizeof buf);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_statx, dirfd, argv[2], (long)fl, (long)mask, buf), &err);
                put_dirfd(dirfd);
                if (r < 0)
                        print_err(err);
                else
                        print_statx(buf);
        } else if (strcmp(c, "access") == 0) {
                need(argc, 3, 3, "access PATH MODE");
                r = sc(syscall(SYS_access, argv[1], (long)parse_flags("mode", argv[2])), &err);
                r < 0 ? print_err(err) : (void)printf("ok\n");
        } else if (strcmp(c, "faccessat") == 0) {
                need(argc, 4, 4, "faccessat DIR REL MODE");
                unsigned long long m = parse_flags("mode", argv[3]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_faccessat, dirfd, argv[2], (long)m), &err);
                put_dirfd(dirfd);
                r < 0 ? print_err(err) : (void)printf("ok\n");
        } else if (strcmp(c, "faccessat2") == 0) {
                need(argc, 5, 5, "faccessat2 DIR REL MODE ATFLAGS");
                unsigned long long m = parse_flags("mode", argv[3]);
                unsigned long long fl = parse_flags("atflags", argv[4]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_faccessat2, dirfd, argv[2], (long)m, (long)fl), &err);
                put_dirfd(dirfd);
                r < 0 ? print_err(err) : (void)printf("ok\n");
        } else if (strcmp(c, "readlink") == 0) {
                need(argc, 2, 3, "readlink PATH [BUFSIZ]");
                char buf[PATH_MAX + 1];
                long size = argc > 2 ? parse_long("BUFSIZ", argv[2], 0, PATH_MAX) : PATH_MAX;
                memset(buf, 0, sizeof buf);
                r = sc(syscall(SYS_readlink, argv[1], buf, size), &err);
                readlink_result(r, err, buf);
        } else if (strcmp(c, "readlinkat") == 0) {
                need(argc, 3, 4, "readlinkat DIR REL [BUFSIZ]");
                char buf[PATH_MAX + 1];
                long size = argc > 3 ? parse_long("BUFSIZ", argv[3], 0, PATH_MAX) : PATH_MAX;
                memset(buf, 0, sizeof buf);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_readlinkat, dirfd, argv[2], buf, size), &err);
                put_dirfd(dirfd);
                readlink_result(r, err, buf);
        } else
                return -1;
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* calls that create, change or remove (issue 6): print "ok" or "err ENAME"; what they changed is
 * looked at afterwards with `tree` (natively) or the stat family (through pathvisor) */

/* "@null" as a path argument passes a NULL pointer (utimensat(fd, NULL, ...) is futimens) */
static const char *path_arg(const char *s) {
        return strcmp(s, "@null") == 0 ? NULL : s;
}

static void void_result(long r, int err) {
        r < 0 ? print_err(err) : (void)printf("ok\n");
}

/* "MAJOR:MINOR" or a plain number (the raw dev_t) */
static unsigned long long parse_dev(const char *s) {
        const char *colon = strchr(s, ':');
        if (!colon)
                return (unsigned long long)parse_long("dev", s, 0, LONG_MAX);
        char maj[32];
        size_t n = (size_t)(colon - s);
        if (n == 0 || n >= sizeof maj)
                die_usage("bad dev '%s' (MAJOR:MINOR)", s);
        memcpy(maj, s, n);
        maj[n] = 0;
        return makedev((unsigned)parse_long("major", maj, 0, UINT32_MAX),
                       (unsigned)parse_long("minor", colon + 1, 0, UINT32_MAX));
}

static long parse_id(const char *what, const char *s) {
        return parse_long(what, s, -1, UINT32_MAX);
}

/* "SEC" or "SEC.FRAC", FRAC an integer count of the unit (ns or us), not a decimal fraction:
 * "5.123" is 5 s and 123 units */
static void parse_sec_frac(const char *s, long long *sec, long *frac) {
        char buf[64];
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        if (n == 0 || n >= sizeof buf)
                die_usage("bad time '%s' (SEC or SEC.FRAC)", s);
        memcpy(buf, s, n);
        buf[n] = 0;
        *sec = parse_long("seconds", buf, LONG_MIN, LONG_MAX);
        *frac = dot ? parse_long("fraction", dot + 1, LONG_MIN, LONG_MAX) : 0;
}

/* TIMES "A,M" split; returns false for "@null" */
static bool split_times(const char *s, char *a, char *m, size_t size) {
        if (strcmp(s, "@null") == 0)
                return false;
        const char *comma = strchr(s, ',');
        if (!comma || (size_t)(comma - s) >= size || strlen(comma + 1) >= size)
                die_usage("bad times '%s' (ATIME,MTIME or @null)", s);
        memcpy(a, s, (size_t)(comma - s));
        a[comma - s] = 0;
        strcpy(m, comma + 1);
        return true;
}

/* utimensat times: each side "now", "omit" or SEC[.NSEC] */
static struct timespec *parse_timespecs(const char *s, struct timespec ts[2]) {
        char part[2][64];
        if (!split_times(s, part[0], part[1], sizeof part[0]))
                return NULL;
        for (int i = 0; i < 2; i++) {
                if (strcmp(part[i], "now") == 0)
                        ts[i] = (struct timespec){ 0, UTIME_NOW };
                else if (strcmp(part[i], "omit") == 0)
                        ts[i] = (struct timespec){ 0, UTIME_OMIT };
                else {
                        long long sec;
                        long frac;
                        parse_sec_frac(part[i], &sec, &frac);
                        ts[i] = (struct timespec){ (time_t)sec, frac };
                }
        }
        return ts;
}

/* utimes, futimesat: SEC[.USEC] each */
static struct timeval *parse_timevals(const char *s, struct timeval tv[2]) {
        char part[2][64];
        if (!split_times(s, part[0], part[1], sizeof part[0]))
                return NULL;
        for (int i = 0; i < 2; i++) {
                long long sec;
                long frac;
                parse_sec_frac(part[i], &sec, &frac);
                tv[i] = (struct timeval){ (time_t)sec, (suseconds_t)frac };
        }
        return tv;
}

/* struct xattr_args of setxattrat/getxattrat (uapi since 6.13) */
struct pv_xattr_args {
        uint64_t value;
        uint32_t size;
        uint32_t flags;
};

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A listxattr result: "ok LEN" and the names, sorted (the order of the list is the filesystem's);
 * a size query (SIZE 0) prints the length alone */
static void list_result(long r, int err, char *buf, long size) {
        if (r < 0) {
                print_err(err);
                return;
        }
        printf("ok %ld", r);
        if (size == 0)
                r = 0;
        char *names[512];
        size_t n = 0;
        for (char *p = buf; p < buf + r && n < 512; p += strlen(p) + 1)
                names[n++] = p;
        qsort(names, n, sizeof names[0], cmp_str);
        for (size_t i = 0; i < n; i++) {
                putchar(' ');
                print_escaped((const unsigned char *)names[i], strlen(names[i]));
        }
        putchar('\n');
}

static void value_result(long r, int err, const char *buf, long size) {
        if (r < 0)
                print_err(err);
        else {
                printf("ok %ld ", r);
                print_escaped((const unsigned char *)buf, (size_t)(size == 0 ? 0 : r));
                putchar('\n');
        }
}

static void print_statfs(const struct statfs *s) {
        printf("ok\n");
        printf("type 0x%lx\n", (unsigned long)s->f_type);
        printf("bsize %ld\n", (long)s->f_bsize);
        printf("frsize %ld\n", (long)s->f_frsize);
        printf("blocks %ju\n", (uintmax_t)s->f_blocks);
        printf("namelen %ld\n", (long)s->f_namelen);
        printf("flags 0x%lx\n", (unsigned long)s->f_flags);
        printf("fsid %x:%x\n", (unsigned)s->f_fsid.__val[0], (unsigned)s->f_fsid.__val[1]);
        /* bfree, bavail, files, ffree change with every write on the filesystem: not printed */
}

#define XATTR_VALUE_MAX 4096

static int cmd_mut(int argc, char **argv) {
        const char *c = argv[0];
        int err, dirfd, dirfd2;
        long r;

        if (strcmp(c, "mkdir") == 0) {
                need(argc, 3, 3, "mkdir PATH MODE");
                r = sc(syscall(SYS_mkdir, path_arg(argv[1]), (long)parse_mode(argv[2])), &err);
                void_result(r, err);
        } else if (strcmp(c, "mkdirat") == 0) {
                need(argc, 4, 4, "mkdirat DIR REL MODE");
                unsigned mode = parse_mode(argv[3]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_mkdirat, dirfd, path_arg(argv[2]), (long)mode), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "mknod") == 0) {
                need(argc, 3, 4, "mknod PATH TYPE|MODE [DEV]");
                unsigned long long mode = parse_flags("mode", argv[2]);
                unsigned long long dev = argc > 3 ? parse_dev(argv[3]) : 0;
                r = sc(syscall(SYS_mknod, path_arg(argv[1]), (long)mode, (long)dev), &err);
                void_result(r, err);
        } else if (strcmp(c, "mknodat") == 0) {
                need(argc, 4, 5, "mknodat DIR REL TYPE|MODE [DEV]");
                unsigned long long mode = parse_flags("mode", argv[3]);
                unsigned long long dev = argc > 4 ? parse_dev(argv[4]) : 0;
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_mknodat, dirfd, path_arg(argv[2]), (long)mode, (long)dev), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "rmdir") == 0 || strcmp(c, "unlink") == 0) {
                need(argc, 2, 2, "rmdir|unlink PATH");
                r = sc(syscall(strcmp(c, "rmdir") == 0 ? SYS_rmdir : SYS_unlink, path_arg(argv[1])), &err);
                void_result(r, err);
        } else if (strcmp(c, "unlinkat") == 0) {
                need(argc, 4, 4, "unlinkat DIR REL ATFLAGS");
                unsigned long long fl = parse_flags("atflags", argv[3]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_unlinkat, dirfd, path_arg(argv[2]), (long)fl), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "chmod") == 0) {
                need(argc, 3, 3, "chmod PATH MODE");
                r = sc(syscall(SYS_chmod, path_arg(argv[1]), (long)parse_mode(argv[2])), &err);
                void_result(r, err);
        } else if (strcmp(c, "fchmodat") == 0) {
                need(argc, 4, 4, "fchmodat DIR REL MODE");
                unsigned mode = parse_mode(argv[3]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_fchmodat, dirfd, path_arg(argv[2]), (long)mode), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "fchmodat2") == 0) {
                need(argc, 5, 5, "fchmodat2 DIR REL MODE ATFLAGS");
                unsigned mode = parse_mode(argv[3]);
                unsigned long long fl = parse_flags("atflags", argv[4]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_fchmodat2, dirfd, path_arg(argv[2]), (long)mode, (long)fl), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "chown") == 0 || strcmp(c, "lchown") == 0) {
                need(argc, 4, 4, "chown|lchown PATH UID GID");
                long uid = parse_id("uid", argv[2]), gid = parse_id("gid", argv[3]);
                r = sc(syscall(strcmp(c, "chown") == 0 ? SYS_chown : SYS_lchown, path_arg(argv[1]), uid, gid), &err);
                void_result(r, err);
        } else if (strcmp(c, "fchownat") == 0) {
                need(argc, 6, 6, "fchownat DIR REL UID GID ATFLAGS");
                long uid = parse_id("uid", argv[3]), gid = parse_id("gid", argv[4]);
                unsigned long long fl = parse_flags("atflags", argv[5]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_fchownat, dirfd, path_arg(argv[2]), uid, gid, (long)fl), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "truncate") == 0) {
                need(argc, 3, 3, "truncate PATH LENGTH");
                long len = parse_long("length", argv[2], LONG_MIN, LONG_MAX);
                r = sc(syscall(SYS_truncate, path_arg(argv[1]), len), &err);
                void_result(r, err);
        } else if (strcmp(c, "utime") == 0) {
                need(argc, 3, 3, "utime PATH TIMES");
                char part[2][64];
                struct { long actime, modtime; } ub, *ubp = NULL;
                if (split_times(argv[2], part[0], part[1], sizeof part[0])) {
                        ub.actime = parse_long("atime", part[0], LONG_MIN, LONG_MAX);
                        ub.modtime = parse_long("mtime", part[1], LONG_MIN, LONG_MAX);
                        ubp = &ub;
                }
                r = sc(syscall(SYS_utime, path_arg(argv[1]), ubp), &err);
                void_result(r, err);
        } else if (strcmp(c, "utimes") == 0) {
                need(argc, 3, 3, "utimes PATH TIMES");
                struct timeval tv[2];
                struct timeval *tvp = parse_timevals(argv[2], tv);
                r = sc(syscall(SYS_utimes, path_arg(argv[1]), tvp), &err);
                void_result(r, err);
        } else if (strcmp(c, "futimesat") == 0) {
                need(argc, 4, 4, "futimesat DIR REL TIMES");
                struct timeval tv[2];
                struct timeval *tvp = parse_timevals(argv[3], tv);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_futimesat, dirfd, path_arg(argv[2]), tvp), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "utimensat") == 0) {
                need(argc, 5, 5, "utimensat DIR REL TIMES ATFLAGS");
                struct timespec ts[2];
                struct timespec *tsp = parse_timespecs(argv[3], ts);
                unsigned long long fl = parse_flags("atflags", argv[4]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(SYS_utimensat, dirfd, path_arg(argv[2]), tsp, (long)fl), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "statfs") == 0) {
                need(argc, 2, 2, "statfs PATH");
                struct statfs s;
                memset(&s, STAT_FILL, sizeof s);
                r = sc(syscall(SYS_statfs, path_arg(argv[1]), &s), &err);
                r < 0 ? print_err(err) : print_statfs(&s);
        } else if (strcmp(c, "setxattr") == 0 || strcmp(c, "lsetxattr") == 0) {
                need(argc, 4, 5, "setxattr|lsetxattr PATH NAME VALUE [XATTR_FLAGS]");
                unsigned long long fl = argc > 4 ? parse_flags("xattr flags", argv[4]) : 0;
                r = sc(syscall(strcmp(c, "setxattr") == 0 ? SYS_setxattr : SYS_lsetxattr, path_arg(argv[1]),
                               argv[2], argv[3], strlen(argv[3]), (long)fl), &err);
                void_result(r, err);
        } else if (strcmp(c, "removexattr") == 0 || strcmp(c, "lremovexattr") == 0) {
                need(argc, 3, 3, "removexattr|lremovexattr PATH NAME");
                r = sc(syscall(strcmp(c, "removexattr") == 0 ? SYS_removexattr : SYS_lremovexattr,
                               path_arg(argv[1]), argv[2]), &err);
                void_result(r, err);
        } else if (strcmp(c, "getxattr") == 0 || strcmp(c, "lgetxattr") == 0) {
                need(argc, 3, 4, "getxattr|lgetxattr PATH NAME [SIZE]");
                char buf[XATTR_VALUE_MAX];
                long size = argc > 3 ? parse_long("SIZE", argv[3], 0, sizeof buf) : (long)sizeof buf;
                r = sc(syscall(strcmp(c, "getxattr") == 0 ? SYS_getxattr : SYS_lgetxattr, path_arg(argv[1]),
                               argv[2], buf, size), &err);
                value_result(r, err, buf, size);
        } else if (strcmp(c, "listxattr") == 0 || strcmp(c, "llistxattr") == 0) {
                need(argc, 2, 3, "listxattr|llistxattr PATH [SIZE]");
                char buf[XATTR_VALUE_MAX];
                long size = argc > 2 ? parse_long("SIZE", argv[2], 0, sizeof buf) : (long)sizeof buf;
                memset(buf, 0, sizeof buf);
                r = sc(syscall(strcmp(c, "listxattr") == 0 ? SYS_listxattr : SYS_llistxattr, path_arg(argv[1]),
                               buf, size), &err);
                list_result(r, err, buf, size);
        } else if (strcmp(c, "setxattrat") == 0) {
                need(argc, 6, 7, "setxattrat DIR REL ATFLAGS NAME VALUE [XATTR_FLAGS]");
                unsigned long long at = parse_flags("atflags", argv[3]);
                struct pv_xattr_args a = {
                        .value = (uint64_t)(uintptr_t)argv[5],
                        .size = (uint32_t)strlen(argv[5]),
                        .flags = argc > 6 ? (uint32_t)parse_flags("xattr flags", argv[6]) : 0,
                };
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_setxattrat, dirfd, path_arg(argv[2]), (long)at, argv[4], &a, sizeof a), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "getxattrat") == 0) {
                need(argc, 5, 6, "getxattrat DIR REL ATFLAGS NAME [SIZE]");
                unsigned long long at = parse_flags("atflags", argv[3]);
                char buf[XATTR_VALUE_MAX];
                long size = argc > 5 ? parse_long("SIZE", argv[5], 0, sizeof buf) : (long)sizeof buf;
                struct pv_xattr_args a = { .value = (uint64_t)(uintptr_t)buf, .size = (uint32_t)size };
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_getxattrat, dirfd, path_arg(argv[2]), (long)at, argv[4], &a, sizeof a), &err);
                put_dirfd(dirfd);
                value_result(r, err, buf, size);
        } else if (strcmp(c, "listxattrat") == 0) {
                need(argc, 4, 5, "listxattrat DIR REL ATFLAGS [SIZE]");
                unsigned long long at = parse_flags("atflags", argv[3]);
                char buf[XATTR_VALUE_MAX];
                long size = argc > 4 ? parse_long("SIZE", argv[4], 0, sizeof buf) : (long)sizeof buf;
                memset(buf, 0, sizeof buf);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_listxattrat, dirfd, path_arg(argv[2]), (long)at, buf, size), &err);
                put_dirfd(dirfd);
                list_result(r, err, buf, size);
        } else if (strcmp(c, "removexattrat") == 0) {
                need(argc, 5, 5, "removexattrat DIR REL ATFLAGS NAME");
                unsigned long long at = parse_flags("atflags", argv[3]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_removexattrat, dirfd, path_arg(argv[2]), (long)at, argv[4]), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "rename") == 0 || strcmp(c, "link") == 0) {
                need(argc, 3, 3, "rename|link OLD NEW");
                r = sc(syscall(strcmp(c, "rename") == 0 ? SYS_rename : SYS_link, path_arg(argv[1]),
                               path_arg(argv[2])), &err);
                void_result(r, err);
        } else if (strcmp(c, "renameat") == 0 || strcmp(c, "renameat2") == 0 || strcmp(c, "linkat") == 0) {
                bool r2 = strcmp(c, "renameat2") == 0, ln = strcmp(c, "linkat") == 0;
                if (r2 || ln)
                        need(argc, 6, 6, r2 ? "renameat2 OLDDIR OLD NEWDIR NEW RENAME_FLAGS"
                                            : "linkat OLDDIR OLD NEWDIR NEW ATFLAGS");
                else
                        need(argc, 5, 5, "renameat OLDDIR OLD NEWDIR NEW");
                unsigned long long fl = argc > 5 ? parse_flags("flags", argv[5]) : 0;
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                if (!get_dirfd(argv[3], &dirfd2)) {
                        put_dirfd(dirfd);
                        return 0;
                }
                r = sc(syscall(ln ? SYS_linkat : r2 ? SYS_renameat2 : SYS_renameat, dirfd, path_arg(argv[2]),
                               dirfd2, path_arg(argv[4]), (long)fl), &err);
                put_dirfd(dirfd);
                put_dirfd(dirfd2);
                void_result(r, err);
        } else if (strcmp(c, "symlink") == 0) {
                need(argc, 3, 3, "symlink CONTENT NEW");
                r = sc(syscall(SYS_symlink, path_arg(argv[1]), path_arg(argv[2])), &err);
                void_result(r, err);
        } else if (strcmp(c, "symlinkat") == 0) {
                need(argc, 4, 4, "symlinkat CONTENT NEWDIR NEW");
                if (!get_dirfd(argv[2], &dirfd))
                        return 0;
                r = sc(syscall(SYS_symlinkat, path_arg(argv[1]), dirfd, path_arg(argv[3])), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else
                return -1;
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* privileged calls that name paths: the mount family, swap, accounting, quota (root only; the
 * tests make mounts only in a private mount namespace). Output "ok" / "ok fd=N ..." or
 * "err ENAME"; clone-move prints one line per call ("open_tree ...", "move_mount ...").
 *
 * Safety nets, for a call that should have failed and did not: a successful acct() is undone at
 * once with acct(NULL), a successful swapon() with swapoff() of the same path; the line then says
 * so ("ok (accounting switched off again)"). */

/* "QCMD(Q_GETINFO, USRQUOTA)" or flag names / a number ("Q_SYNC", "0x800001") */
static unsigned long long parse_qcmd(const char *s) {
        char cmd[64], type[64];
        const char *comma, *close;
        if (strncmp(s, "QCMD(", 5) != 0)
                return parse_flags("quota command", s);
        comma = strchr(s + 5, ',');
        close = comma ? strchr(comma + 1, ')') : NULL;
        if (!comma || !close || close[1] || (size_t)(comma - s - 5) >= sizeof cmd ||
            (size_t)(close - comma - 1) >= sizeof type)
                die_usage("bad quota command '%s' (QCMD(CMD, TYPE))", s);
        memcpy(cmd, s + 5, (size_t)(comma - s - 5));
        cmd[comma - s - 5] = 0;
        memcpy(type, comma + 1, (size_t)(close - comma - 1));
        type[close - comma - 1] = 0;
        return QCMD(parse_flags("quota command", cmd), parse_flags("quota type", type));
}

/* after a call that gives a mount fd: "ok fd=N type=T mode=M rdonly=0|1" (fstat, fstatfs), closed */
static void mount_fd_result(long r, int err) {
        struct stat st;
        struct statfs sfs;
        if (r < 0) {
                print_err(err);
                return;
        }
        printf("ok fd=%ld", r);
        if (syscall(SYS_fstat, (int)r, &st) < 0)
                printf(" fstat=!%s", errno_name(errno));
        else
                printf(" type=%s mode=%04o", type_name(st.st_mode), (unsigned)(st.st_mode & 07777));
        if (syscall(SYS_fstatfs, (int)r, &sfs) < 0)
                printf(" fstatfs=!%s", errno_name(errno));
        else
                printf(" rdonly=%d", !!(sfs.f_flags & ST_RDONLY));
        putchar('\n');
        close((int)r);
}

static int cmd_admin(int argc, char **argv) {
        const char *c = argv[0];
        int err, dirfd, dirfd2;
        long r;

        if (strcmp(c, "mount") == 0) {
                need(argc, 5, 5, "mount SRC DST TYPE FLAGS");
                unsigned long long fl = parse_flags("mount flags", argv[4]);
                r = sc(syscall(SYS_mount, path_arg(argv[1]), path_arg(argv[2]), path_arg(argv[3]),
                               (unsigned long)fl, NULL), &err);
                void_result(r, err);
        } else if (strcmp(c, "umount2") == 0) {
                need(argc, 3, 3, "umount2 PATH FLAGS");
                unsigned long long fl = parse_flags("umount flags", argv[2]);
                r = sc(syscall(SYS_umount2, path_arg(argv[1]), (long)fl), &err);
                void_result(r, err);
        } else if (strcmp(c, "fspick") == 0) {
                need(argc, 4, 4, "fspick DIR PATH FLAGS");
                unsigned long long fl = parse_flags("fspick flags", argv[3]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_fspick, dirfd, path_arg(argv[2]), (long)fl), &err);
                put_dirfd(dirfd);
                if (r < 0)
                        print_err(err);
                else {
                        printf("ok fd=%ld\n", r);
                        close((int)r);
                }
        } else if (strcmp(c, "mount_setattr") == 0) {
                need(argc, 6, 6, "mount_setattr DIR PATH ATFLAGS ATTR_SET ATTR_CLR");
                unsigned long long fl = parse_flags("atflags", argv[3]);
                struct mount_attr attr = {
                        .attr_set = parse_flags("attr_set", argv[4]),
                        .attr_clr = parse_flags("attr_clr", argv[5]),
                };
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_mount_setattr, dirfd, path_arg(argv[2]), (long)fl, &attr,
                               (long)MOUNT_ATTR_SIZE_VER0), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "clone-move") == 0) {
                need(argc, 3, 3, "clone-move SRC DST");
                r = sc(syscall(__NR_open_tree, AT_FDCWD, path_arg(argv[1]),
                               (long)(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)), &err);
                if (r < 0) {
                        printf("open_tree err %s\n", errno_name(err));
                        return 0;
                }
                printf("open_tree ok fd=%ld\n", r);
                int fd = (int)r;
                r = sc(syscall(__NR_move_mount, fd, "", AT_FDCWD, path_arg(argv[2]),
                               (long)MOVE_MOUNT_F_EMPTY_PATH), &err);
                close(fd);
                r < 0 ? printf("move_mount err %s\n", errno_name(err)) : printf("move_mount ok\n");
        } else if (strcmp(c, "move_mount") == 0) {
                need(argc, 6, 6, "move_mount FROMDIR FROM TODIR TO FLAGS");
                unsigned long long fl = parse_flags("move_mount flags", argv[5]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                if (!get_dirfd(argv[3], &dirfd2)) {
                        put_dirfd(dirfd);
                        return 0;
                }
                r = sc(syscall(__NR_move_mount, dirfd, path_arg(argv[2]), dirfd2, path_arg(argv[4]), (long)fl),
                       &err);
                put_dirfd(dirfd);
                put_dirfd(dirfd2);
                void_result(r, err);
        } else if (strcmp(c, "open_tree_attr") == 0) {
                need(argc, 5, 5, "open_tree_attr DIR PATH FLAGS ATTR_SET");
                unsigned long long fl = parse_flags("flags", argv[3]);
                struct mount_attr attr = { .attr_set = parse_flags("attr_set", argv[4]) };
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = sc(syscall(__NR_open_tree_attr, dirfd, path_arg(argv[2]), (long)fl, &attr,
                               (long)MOUNT_ATTR_SIZE_VER0), &err);
                put_dirfd(dirfd);
                mount_fd_result(r, err);
        } else if (strcmp(c, "swapon") == 0) {
                need(argc, 2, 2, "swapon PATH");
                r = sc(syscall(SYS_swapon, path_arg(argv[1]), 0L), &err);
                if (r < 0)
                        print_err(err);
                else if (syscall(SYS_swapoff, path_arg(argv[1])) == 0)
                        printf("ok (swap switched off again)\n");
                else
                        printf("ok (swap NOT switched off again: swapoff %s)\n", errno_name(errno));
        } else if (strcmp(c, "swapoff") == 0) {
                need(argc, 2, 2, "swapoff PATH");
                r = sc(syscall(SYS_swapoff, path_arg(argv[1])), &err);
                void_result(r, err);
        } else if (strcmp(c, "acct") == 0) {
                need(argc, 2, 2, "acct PATH");
                r = sc(syscall(SYS_acct, path_arg(argv[1])), &err);
                if (r < 0)
                        print_err(err);
                else if (!path_arg(argv[1]))
                        printf("ok\n");
                else if (syscall(SYS_acct, NULL) == 0)
                        printf("ok (accounting switched off again)\n");
                else
                        printf("ok (accounting NOT switched off again: %s)\n", errno_name(errno));
        } else if (strcmp(c, "uselib") == 0) {
                need(argc, 2, 2, "uselib PATH");
                r = sc(syscall(SYS_uselib, path_arg(argv[1])), &err);
                void_result(r, err);
        } else if (strcmp(c, "quotactl") == 0) {
                need(argc, 3, 3, "quotactl CMD SPECIAL");
                unsigned long long cmd = parse_qcmd(argv[1]);
                unsigned char buf[256]; /* large enough for every command's struct */
                memset(buf, 0, sizeof buf);
                r = sc(syscall(SYS_quotactl, (long)cmd, path_arg(argv[2]), 0L, buf), &err);
                void_result(r, err);
        } else
                return -1;
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* tree DIR: a stable listing of everything below DIR (lstat, never following), for comparing the
 * result of a native run with that of a run under pathvisor. One line per entry, sorted by name:
 *   "REL" TYPE MODE UID:GID links=N [inode=#K] [size=N] [rdev=M:m] [-> "CONTENT"]
 *         [content="..."] [user.NAME="VALUE"...] [atime=S.N] [mtime=S.N]
 * inode=#K numbers the inodes that have several names (K in order of first appearance) instead
 * of printing inode numbers; directories have no size; atime and mtime are printed only when they
 * are before 1973 (set explicitly by a test), never ctime. */

#define TREE_CONTENT_MAX 256
#define TREE_TIME_LIMIT 100000000LL

struct tree_ctx {
        int root_len;
        dev_t devs[4096];
        ino_t inos[4096];
        size_t n_inodes;
};

static void tree_xattrs(const char *path) {
        char list[XATTR_VALUE_MAX], *names[256];
        ssize_t n = llistxattr(path, list, sizeof list);
        size_t k = 0;
        if (n < 0) {
                if (errno != ENOTSUP)
                        printf(" xattrs=!%s", errno_name(errno));
                return;
        }
        for (char *p = list; p < list + n && k < 256; p += strlen(p) + 1)
                if (strncmp(p, "user.", 5) == 0)
                        names[k++] = p;
        qsort(names, k, sizeof names[0], cmp_str);
        for (size_t i = 0; i < k; i++) {
                char v[XATTR_VALUE_MAX];
                ssize_t vn = lgetxattr(path, names[i], v, sizeof v);
                printf(" %s=", names[i]);
                if (vn < 0)
                        printf("!%s", errno_name(errno));
                else
                        print_escaped((const unsigned char *)v, (size_t)vn);
        }
}

static void tree_entry(struct tree_ctx *t, const char *path) {
        struct stat st;
        const char *rel = path[t->root_len] ? path + t->root_len + 1 : ".";

        print_escaped((const unsigned char *)rel, strlen(rel));
        if (lstat(path, &st) < 0) {
                printf(" !%s\n", errno_name(errno));
                return;
        }
        printf(" %s %04o %u:%u links=%ju", type_name(st.st_mode), (unsigned)(st.st_mode & 07777),
               (unsigned)st.st_uid, (unsigned)st.st_gid, (uintmax_t)st.st_nlink);
        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
                size_t i;
                for (i = 0; i < t->n_inodes; i++)
                        if (t->devs[i] == st.st_dev && t->inos[i] == st.st_ino)
                                break;
                if (i == t->n_inodes && t->n_inodes < 4096) {
                        t->devs[i] = st.st_dev;
                        t->inos[i] = st.st_ino;
                        t->n_inodes++;
                }
                printf(" inode=#%zu", i + 1);
        }
        if (!S_ISDIR(st.st_mode))
                printf(" size=%jd", (intmax_t)st.st_size);
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                printf(" rdev=%u:%u", major(st.st_rdev), minor(st.st_rdev));
        if (S_ISLNK(st.st_mode)) {
                char buf[PATH_MAX];
                ssize_t n = readlink(path, buf, sizeof buf);
                fputs(" -> ", stdout);
                if (n < 0)
                        printf("!%s", errno_name(errno));
                else
                        print_escaped((const unsigned char *)buf, (size_t)n);
        }
        if (S_ISREG(st.st_mode)) {
                unsigned char buf[TREE_CONTENT_MAX];
                int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOATIME);
                if (fd < 0 && errno == EPERM)
                        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                fputs(" content=", stdout);
                if (fd < 0)
                        printf("!%s", errno_name(errno));
                else {
                        ssize_t n = read(fd, buf, sizeof buf);
                        if (n < 0)
                                printf("!%s", errno_name(errno));
                        else {
                                print_escaped(buf, (size_t)n);
                                if (st.st_size > n)
                                        printf("...");
                        }
                        close(fd);
                }
        }
        tree_xattrs(path);
        if (st.st_atim.tv_sec < TREE_TIME_LIMIT)
                printf(" atime=%lld.%09ld", (long long)st.st_atim.tv_sec, (long)st.st_atim.tv_nsec);
        if (st.st_mtim.tv_sec < TREE_TIME_LIMIT)
                printf(" mtime=%lld.%09ld", (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
        putchar('\n');

        if (S_ISDIR(st.st_mode)) {
                DIR *d = opendir(path);
                struct dirent *e;
                char **names = NULL;
                size_t n = 0, cap = 0;
                if (!d) {
                        printf("  (cannot list: %s)\n", errno_name(errno));
                        return;
                }
                while ((e = readdir(d))) {
                        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                                continue;
                        if (n == cap) {
                                cap = cap ? 2 * cap : 32;
                                names = realloc(names, cap * sizeof *names);
                                if (!names)
                                        die_setup("realloc");
                        }
                        names[n] = strdup(e->d_name);
                        if (!names[n])
                                die_setup("strdup");
                        n++;
                }
                closedir(d);
                if (n > 0) /* names is NULL for an empty directory */
                        qsort(names, n, sizeof *names, cmp_str);
                for (size_t i = 0; i < n; i++) {
                        char *sub;
                        if (asprintf(&sub, "%s/%s", path, names[i]) < 0)
                                die_setup("asprintf");
                        tree_entry(t, sub);
                        free(sub);
                        free(names[i]);
                }
                free(names);
        }
}

static int cmd_tree(int argc, char **argv) {
        if (argc < 2)
                die_usage("usage: tree DIR...");
        for (int i = 1; i < argc; i++) {
                static struct tree_ctx t;
                char *root = strdup(argv[i]);
                if (!root)
                        die_setup("strdup");
                size_t len = strlen(root);
                while (len > 1 && root[len - 1] == '/')
                        root[--len] = 0;
                t.root_len = (int)len;
                t.n_inodes = 0;
                tree_entry(&t, root);
                free(root);
        }
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* i386 calls through int $0x80, every pointer below 4 GiB */

/* a path argument copied below 4 GiB; "@null" is a NULL pointer */
static uint32_t low_path(const char *s) {
        return path_arg(s) ? low32(low_strdup(s)) : 0;
}

static int cmd_i386(int argc, char **argv) {
        const char *c = argv[0] + 5; /* after "i386-" */
        int err;
        long r;

        if (strcmp(c, "open") == 0) {
                need(argc, 3, 4, "i386-open PATH FLAGS [MODE]");
                char *p = low_strdup(argv[1]);
                unsigned long long fl = parse_flags("flags", argv[2]);
                unsigned mode = argc > 3 ? parse_mode(argv[3]) : 0;
                r = i386_result(int80(I386_NR_open, low32(p), (uint32_t)fl, mode, 0, 0), &err);
                open_result(r, err);
        } else if (strcmp(c, "openat") == 0) {
                need(argc, 4, 5, "i386-openat DIR REL FLAGS [MODE]");
                int dirfd;
                char *p = low_strdup(argv[2]);
                unsigned long long fl = parse_flags("flags", argv[3]);
                unsigned mode = argc > 4 ? parse_mode(argv[4]) : 0;
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = i386_result(int80(I386_NR_openat, (uint32_t)dirfd, low32(p), (uint32_t)fl, mode, 0), &err);
                put_dirfd(dirfd);
                open_result(r, err);
        } else if (strcmp(c, "stat64") == 0 || strcmp(c, "lstat64") == 0) {
                need(argc, 2, 2, "i386-stat64|i386-lstat64 PATH");
                char *p = low_strdup(argv[1]);
                unsigned char *b = low_alloc(96);
                memset(b, STAT_FILL, 96);
                r = i386_result(int80(strcmp(c, "stat64") == 0 ? I386_NR_stat64 : I386_NR_lstat64,
                                      low32(p), low32(b), 0, 0, 0), &err);
                r < 0 ? print_err(err) : print_i386_stat64(b);
        } else if (strcmp(c, "fstatat64") == 0) {
                need(argc, 4, 4, "i386-fstatat64 DIR REL ATFLAGS");
                int dirfd;
                char *p = low_strdup(argv[2]);
                unsigned long long fl = parse_flags("atflags", argv[3]);
                unsigned char *b = low_alloc(96);
                memset(b, STAT_FILL, 96);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = i386_result(int80(I386_NR_fstatat64, (uint32_t)dirfd, low32(p), low32(b), (uint32_t)fl, 0), &err);
                put_dirfd(dirfd);
                r < 0 ? print_err(err) : print_i386_stat64(b);
        } else if (strcmp(c, "stat") == 0 || strcmp(c, "lstat") == 0) {
                need(argc, 2, 2, "i386-stat|i386-lstat PATH");
                char *p = low_strdup(argv[1]);
                unsigned char *b = low_alloc(64);
                memset(b, STAT_FILL, 64);
                r = i386_result(int80(strcmp(c, "stat") == 0 ? I386_NR_stat : I386_NR_lstat,
                                      low32(p), low32(b), 0, 0, 0), &err);
                r < 0 ? print_err(err) : print_i386_stat(b);
        } else if (strcmp(c, "statx") == 0) {
                need(argc, 5, 5, "i386-statx DIR REL ATFLAGS MASK");
                int dirfd;
                char *p = low_strdup(argv[2]);
                unsigned long long fl = parse_flags("atflags", argv[3]);
                unsigned long long mask = parse_flags("mask", argv[4]);
                unsigned char *b = low_alloc(256);
                memset(b, STAT_FILL, 256);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = i386_result(int80(I386_NR_statx, (uint32_t)dirfd, low32(p), (uint32_t)fl, (uint32_t)mask, low32(b)), &err);
                put_dirfd(dirfd);
                r < 0 ? print_err(err) : print_statx(b);
        } else if (strcmp(c, "access") == 0) {
                need(argc, 3, 3, "i386-access PATH MODE");
                char *p = low_strdup(argv[1]);
                r = i386_result(int80(I386_NR_access, low32(p), (uint32_t)parse_flags("mode", argv[2]), 0, 0, 0), &err);
                r < 0 ? print_err(err) : (void)printf("ok\n");
        } else if (strcmp(c, "readlink") == 0) {
                need(argc, 2, 3, "i386-readlink PATH [BUFSIZ]");
                char *p = low_strdup(argv[1]);
                long size = argc > 2 ? parse_long("BUFSIZ", argv[2], 0, PATH_MAX) : PATH_MAX;
                char *b = low_alloc(PATH_MAX + 1);
                r = i386_result(int80(I386_NR_readlink, low32(p), low32(b), (uint32_t)size, 0, 0), &err);
                readlink_result(r, err, b);
        } else if (strcmp(c, "mkdir") == 0 || strcmp(c, "chmod") == 0) {
                need(argc, 3, 3, "i386-mkdir|i386-chmod PATH MODE");
                r = i386_result(int80(strcmp(c, "mkdir") == 0 ? I386_NR_mkdir : I386_NR_chmod, low_path(argv[1]),
                                      parse_mode(argv[2]), 0, 0, 0), &err);
                void_result(r, err);
        } else if (strcmp(c, "rmdir") == 0 || strcmp(c, "unlink") == 0) {
                need(argc, 2, 2, "i386-rmdir|i386-unlink PATH");
                r = i386_result(int80(strcmp(c, "rmdir") == 0 ? I386_NR_rmdir : I386_NR_unlink, low_path(argv[1]),
                                      0, 0, 0, 0), &err);
                void_result(r, err);
        } else if (strcmp(c, "mknod") == 0) {
                need(argc, 3, 4, "i386-mknod PATH TYPE|MODE [DEV]");
                uint32_t mode = (uint32_t)parse_flags("mode", argv[2]);
                unsigned long long dev = argc > 3 ? parse_dev(argv[3]) : 0;
                /* the 32-bit dev_t encoding of mknod(2) (new_encode_dev) */
                uint32_t ma = major(dev), mi = minor(dev);
                uint32_t d32 = (mi & 0xff) | (ma << 8) | ((mi & ~0xffU) << 12);
                r = i386_result(int80(I386_NR_mknod, low_path(argv[1]), mode, d32, 0, 0), &err);
                void_result(r, err);
        } else if (strcmp(c, "chown32") == 0 || strcmp(c, "lchown32") == 0) {
                need(argc, 4, 4, "i386-chown32|i386-lchown32 PATH UID GID");
                uint32_t uid = (uint32_t)parse_id("uid", argv[2]), gid = (uint32_t)parse_id("gid", argv[3]);
                r = i386_result(int80(strcmp(c, "chown32") == 0 ? I386_NR_chown32 : I386_NR_lchown32,
                                      low_path(argv[1]), uid, gid, 0, 0), &err);
                void_result(r, err);
        } else if (strcmp(c, "truncate64") == 0) {
                need(argc, 3, 3, "i386-truncate64 PATH LENGTH");
                uint64_t len = (uint64_t)parse_long("length", argv[2], LONG_MIN, LONG_MAX);
                r = i386_result(int80(I386_NR_truncate64, low_path(argv[1]), (uint32_t)len, (uint32_t)(len >> 32), 0, 0),
                                &err);
                void_result(r, err);
        } else if (strcmp(c, "rename") == 0 || strcmp(c, "link") == 0 || strcmp(c, "symlink") == 0) {
                need(argc, 3, 3, "i386-rename|i386-link OLD NEW, i386-symlink CONTENT NEW");
                long nr = strcmp(c, "rename") == 0 ? I386_NR_rename : strcmp(c, "link") == 0 ? I386_NR_link : I386_NR_symlink;
                r = i386_result(int80(nr, low_path(argv[1]), low_path(argv[2]), 0, 0, 0), &err);
                void_result(r, err);
        } else if (strcmp(c, "mkdirat") == 0 || strcmp(c, "fchmodat") == 0 || strcmp(c, "unlinkat") == 0) {
                need(argc, 4, 4, "i386-mkdirat|i386-fchmodat DIR REL MODE, i386-unlinkat DIR REL ATFLAGS");
                int dirfd;
                bool ul = strcmp(c, "unlinkat") == 0;
                uint32_t arg = ul ? (uint32_t)parse_flags("atflags", argv[3]) : parse_mode(argv[3]);
                long nr = ul ? I386_NR_unlinkat : strcmp(c, "mkdirat") == 0 ? I386_NR_mkdirat : I386_NR_fchmodat;
                uint32_t p = low_path(argv[2]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                r = i386_result(int80(nr, (uint32_t)dirfd, p, arg, 0, 0), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else if (strcmp(c, "renameat2") == 0 || strcmp(c, "linkat") == 0) {
                need(argc, 6, 6, "i386-renameat2 OLDDIR OLD NEWDIR NEW RENAME_FLAGS, i386-linkat ... ATFLAGS");
                int dirfd, dirfd2;
                uint32_t fl = (uint32_t)parse_flags("flags", argv[5]);
                uint32_t p = low_path(argv[2]), p2 = low_path(argv[4]);
                if (!get_dirfd(argv[1], &dirfd))
                        return 0;
                if (!get_dirfd(argv[3], &dirfd2)) {
                        put_dirfd(dirfd);
                        return 0;
                }
                r = i386_result(int80(strcmp(c, "linkat") == 0 ? I386_NR_linkat : I386_NR_renameat2, (uint32_t)dirfd,
                                      p, (uint32_t)dirfd2, p2, fl), &err);
                put_dirfd(dirfd);
                put_dirfd(dirfd2);
                void_result(r, err);
        } else if (strcmp(c, "statfs") == 0 || strcmp(c, "statfs64") == 0) {
                /* struct compat_statfs (64 bytes) and the packed struct compat_statfs64 (84) */
                bool s64 = strcmp(c, "statfs64") == 0;
                need(argc, 2, s64 ? 3 : 2, "i386-statfs PATH, i386-statfs64 PATH [SIZE]");
                uint32_t size = s64 ? (argc > 2 ? (uint32_t)parse_long("SIZE", argv[2], 0, 256) : 84) : 64;
                unsigned char *b = low_alloc(256);
                memset(b, STAT_FILL, 256);
                if (s64)
                        r = i386_result(int80(I386_NR_statfs64, low_path(argv[1]), size, low32(b), 0, 0), &err);
                else
                        r = i386_result(int80(I386_NR_statfs, low_path(argv[1]), low32(b), 0, 0, 0), &err);
                if (r < 0)
                        print_err(err);
                else {
                        size_t o = s64 ? 48 : 28; /* f_fsid */
                        printf("ok\n");
                        printf("type 0x%" PRIx64 "\n", rd(b, 0, 4));
                        printf("bsize %" PRIu64 "\n", rd(b, 4, 4));
                        printf("frsize %" PRIu64 "\n", rd(b, o + 12, 4));
                        printf("blocks %" PRIu64 "\n", rd(b, 8, s64 ? 8 : 4));
                        printf("namelen %" PRIu64 "\n", rd(b, o + 8, 4));
                        printf("flags 0x%" PRIx64 "\n", rd(b, o + 16, 4));
                        printf("fsid %" PRIx64 ":%" PRIx64 "\n", rd(b, o, 4), rd(b, o + 4, 4));
                        printf("spare %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64 "\n", rd(b, o + 20, 4),
                               rd(b, o + 24, 4), rd(b, o + 28, 4), rd(b, o + 32, 4));
                        printf("after %02x\n", b[o + 36]); /* the first byte after the struct: untouched */
                }
        } else if (strcmp(c, "mount") == 0) {
                need(argc, 5, 5, "i386-mount SRC DST TYPE FLAGS");
                uint32_t fl = (uint32_t)parse_flags("mount flags", argv[4]);
                r = i386_result(int80(I386_NR_mount, low_path(argv[1]), low_path(argv[2]), low_path(argv[3]), fl, 0),
                                &err);
                void_result(r, err);
        } else if (strcmp(c, "umount") == 0) {
                need(argc, 2, 2, "i386-umount PATH");
                r = i386_result(int80(I386_NR_umount, low_path(argv[1]), 0, 0, 0, 0), &err);
                void_result(r, err);
        } else if (strcmp(c, "symlinkat") == 0) {
                need(argc, 4, 4, "i386-symlinkat CONTENT NEWDIR NEW");
                int dirfd;
                uint32_t p = low_path(argv[1]), p2 = low_path(argv[3]);
                if (!get_dirfd(argv[2], &dirfd))
                        return 0;
                r = i386_result(int80(I386_NR_symlinkat, p, (uint32_t)dirfd, p2, 0, 0), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        } else
                return -1;
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* inotify_add_watch and fanotify_mark: watches, then actions, then the events they caused
 *
 *   [i386-]inotify PATH MASK [PATH MASK]... [-- ACTION...]
 *   [i386-]fanotify FLAGS MASK DIR PATH [FLAGS MASK DIR PATH]... [-- ACTION...]
 *
 * One instance (inotify_init1 / fanotify_init(FAN_CLASS_NOTIF), made natively); each watch is one
 * raw call (i386-: through int $0x80, fanotify_mark's 64-bit mask in two registers) and prints
 * "ok wd=N" (inotify) / "ok" (fanotify) or "err ENAME". Then each ACTION, made with raw calls,
 * prints "ACTION-KIND ok" or "ACTION-KIND err ENAME" (its path is not printed: a test names it as
 * it likes): create:PATH (a new file, O_EXCL, "x\n"), write:PATH (appends "w\n"), touch-h:PATH
 * (utimensat(PATH, NULL, AT_SYMLINK_NOFOLLOW): an attribute change of the link itself),
 * mkdir:PATH, unlink:PATH. Then, when there was a "--" (even with no action), the queued events
 * in order until none is left (the calls themselves queue them; a short poll covers the rest):
 *   inotify   event wd=N IN_... ["NAME"]
 *   fanotify  event FAN_... "BASENAME"   (the last component of the event fd's path)
 * and "no events" when there were none. Without "--" the output is the watches' lines only (one
 * line for one watch, as a FAKE line of the mutation tests prints). */

#define I386_NR_inotify_add_watch 292
#define I386_NR_fanotify_mark 339

/* The i386 system call with a sixth argument, which goes in ebp: the frame pointer (no register
 * constraint names it), so it is saved around the call on the stack, 128 bytes below the stack
 * pointer: the red zone may hold the compiler's data. */
static long int80_6(long nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f) {
        long ret;
        register long r_esi __asm__("rsi") = d;
        register long r_edi __asm__("rdi") = e;
        __asm__ volatile("sub $128, %%rsp\n\t"
                         "push %%rbp\n\t"
                         "mov %k[f], %%ebp\n\t"
                         "int $0x80\n\t"
                         "pop %%rbp\n\t"
                         "add $128, %%rsp"
                         : "=a"(ret)
                         : "0"(nr), "b"((long)a), "c"((long)b), "d"((long)c), "r"(r_esi), "r"(r_edi), [f] "r"((long)f)
                         : "memory", "cc", "r8", "r9", "r10", "r11");
        return (int)ret;
}

static const struct flag_name in_names[] = {
        { "IN_ACCESS", IN_ACCESS },         { "IN_MODIFY", IN_MODIFY },
        { "IN_ATTRIB", IN_ATTRIB },         { "IN_CLOSE_WRITE", IN_CLOSE_WRITE },
        { "IN_CLOSE_NOWRITE", IN_CLOSE_NOWRITE }, { "IN_OPEN", IN_OPEN },
        { "IN_MOVED_FROM", IN_MOVED_FROM }, { "IN_MOVED_TO", IN_MOVED_TO },
        { "IN_CREATE", IN_CREATE },         { "IN_DELETE", IN_DELETE },
        { "IN_DELETE_SELF", IN_DELETE_SELF }, { "IN_MOVE_SELF", IN_MOVE_SELF },
        { "IN_UNMOUNT", IN_UNMOUNT },       { "IN_Q_OVERFLOW", IN_Q_OVERFLOW },
        { "IN_IGNORED", IN_IGNORED },       { "IN_ISDIR", IN_ISDIR },
};

static const struct flag_name fan_names[] = {
        { "FAN_ACCESS", FAN_ACCESS },       { "FAN_MODIFY", FAN_MODIFY },
        { "FAN_ATTRIB", 0x04 },             { "FAN_CLOSE_WRITE", FAN_CLOSE_WRITE },
        { "FAN_CLOSE_NOWRITE", FAN_CLOSE_NOWRITE }, { "FAN_OPEN", FAN_OPEN },
        { "FAN_MOVED_FROM", 0x40 },         { "FAN_MOVED_TO", 0x80 },
        { "FAN_CREATE", 0x100 },            { "FAN_DELETE", 0x200 },
        { "FAN_DELETE_SELF", 0x400 },       { "FAN_MOVE_SELF", 0x800 },
        { "FAN_OPEN_EXEC", 0x1000 },        { "FAN_Q_OVERFLOW", FAN_Q_OVERFLOW },
        { "FAN_ONDIR", FAN_ONDIR },
};

static void print_mask(const struct flag_name *names, size_t n, unsigned long long m) {
        const char *sep = "";
        for (size_t i = 0; i < n; i++)
                if (m & names[i].value) {
                        printf("%s%s", sep, names[i].name);
                        sep = "|";
                        m &= ~names[i].value;
                }
        if (m)
                printf("%s0x%llx", sep, m);
        else if (!*sep)
                printf("0");
}

static void notify_action(const char *a) {
        const char *colon = strchr(a, ':');
        if (!colon)
                die_usage("bad action '%s' (create:PATH, write:PATH, touch-h:PATH, mkdir:PATH, unlink:PATH)", a);
        size_t kl = (size_t)(colon - a);
        const char *path = colon + 1;
        int err;
        long r;
        /* not printf("%.*s"): gcc -fsanitize=address warns of a NULL argument there */
        fwrite(a, 1, kl, stdout);
        putchar(' ');
        if (strncmp(a, "create", kl) == 0 && kl == 6) {
                r = sc(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), &err);
                if (r >= 0) {
                        if (write((int)r, "x\n", 2) != 2)
                                die_setup("write");
                        close((int)r);
                }
        } else if (strncmp(a, "write", kl) == 0 && kl == 5) {
                r = sc(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CLOEXEC, 0), &err);
                if (r >= 0) {
                        if (write((int)r, "w\n", 2) != 2)
                                die_setup("write");
                        close((int)r);
                }
        } else if (strncmp(a, "touch-h", kl) == 0 && kl == 7)
                r = sc(syscall(SYS_utimensat, AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW), &err);
        else if (strncmp(a, "mkdir", kl) == 0 && kl == 5)
                r = sc(syscall(SYS_mkdirat, AT_FDCWD, path, 0755), &err);
        else if (strncmp(a, "unlink", kl) == 0 && kl == 6)
                r = sc(syscall(SYS_unlinkat, AT_FDCWD, path, 0), &err);
        else
                die_usage("unknown action '%s'", a);
        void_result(r, err);
}

/* Reads what is queued on the non-blocking fd into buf; waits up to 100 ms for the first event. */
static ssize_t notify_read(int fd, void *buf, size_t size, bool first) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (first && poll(&p, 1, 100) < 0)
                die_setup("poll");
        ssize_t n = read(fd, buf, size);
        if (n < 0 && errno != EAGAIN)
                die_setup("read events");
        return n < 0 ? 0 : n;
}

static int cmd_notify(int argc, char **argv) {
        bool i386 = strncmp(argv[0], "i386-", 5) == 0;
        bool fan = strcmp(argv[0] + (i386 ? 5 : 0), "fanotify") == 0;
        int per = fan ? 4 : 2, nw = 0, err;
        long r;

        while (1 + nw * per < argc && strcmp(argv[1 + nw * per], "--") != 0)
                nw++;
        int acts = 1 + nw * per;
        if (nw == 0 || acts > argc || (acts < argc && strcmp(argv[acts], "--") != 0))
                die_usage(fan ? "usage: [i386-]fanotify FLAGS MASK DIR PATH [FLAGS MASK DIR PATH]... [-- ACTION...]"
                              : "usage: [i386-]inotify PATH MASK [PATH MASK]... [-- ACTION...]");

        int fd = fan ? fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_CLOEXEC | O_LARGEFILE)
                     : inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd < 0)
                die_setup(fan ? "fanotify_init" : "inotify_init1");

        for (int i = 0; i < nw; i++) {
                char **w = argv + 1 + i * per;
                if (!fan) {
                        uint32_t mask = (uint32_t)parse_flags("mask", w[1]);
                        if (i386)
                                r = i386_result(int80(I386_NR_inotify_add_watch, (uint32_t)fd, low_path(w[0]), mask, 0, 0),
                                                &err);
                        else
                                r = sc(syscall(SYS_inotify_add_watch, fd, path_arg(w[0]), mask), &err);
                        r < 0 ? print_err(err) : (void)printf("ok wd=%ld\n", r);
                        continue;
                }
                unsigned flags = (unsigned)parse_flags("flags", w[0]);
                uint64_t mask = parse_flags("mask", w[1]);
                int dirfd;
                if (!get_dirfd(w[2], &dirfd))
                        continue;
                if (i386)
                        r = i386_result(int80_6(I386_NR_fanotify_mark, (uint32_t)fd, flags, (uint32_t)mask,
                                                (uint32_t)(mask >> 32), (uint32_t)dirfd, low_path(w[3])),
                                        &err);
                else
                        r = sc(syscall(SYS_fanotify_mark, fd, flags, mask, dirfd, path_arg(w[3])), &err);
                put_dirfd(dirfd);
                void_result(r, err);
        }

        if (acts == argc) {
                close(fd);
                return 0;
        }
        for (int i = acts + 1; i < argc; i++)
                notify_action(argv[i]);

        unsigned char buf[8192] __attribute__((aligned(8)));
        int events = 0;
        ssize_t n;
        while ((n = notify_read(fd, buf, sizeof buf, events == 0)) > 0) {
                for (ssize_t off = 0; off < n;) {
                        events++;
                        printf("event ");
                        if (!fan) {
                                struct inotify_event *e = (struct inotify_event *)(buf + off);
                                printf("wd=%d ", e->wd);
                                print_mask(in_names, sizeof in_names / sizeof in_names[0], e->mask);
                                if (e->len > 0) {
                                        putchar(' ');
                                        print_escaped((const unsigned char *)e->name, strlen(e->name));
                                }
                                putchar('\n');
                                off += (ssize_t)(sizeof *e + e->len);
                                continue;
                        }
                        struct fanotify_event_metadata *m = (struct fanotify_event_metadata *)(buf + off);
                        if (m->vers != FANOTIFY_METADATA_VERSION || m->event_len < sizeof *m)
                                die_setup("fanotify event version");
                        print_mask(fan_names, sizeof fan_names / sizeof fan_names[0], m->mask);
                        if (m->fd >= 0) {
                                char proc[64], path[PATH_MAX];
                                snprintf(proc, sizeof proc, "/proc/self/fd/%d", m->fd);
                                ssize_t l = readlink(proc, path, sizeof path - 1);
                                path[l < 0 ? 0 : l] = 0;
                                const char *base = strrchr(path, '/');
                                base = base ? base + 1 : path;
                                putchar(' ');
                                print_escaped((const unsigned char *)base, strlen(base));
                                close(m->fd);
                        }
                        putchar('\n');
                        off += m->event_len;
                }
        }
        if (events == 0)
                printf("no events\n");
        close(fd);
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* AF_UNIX sockets: bind, connect, sendto, sendmsg on named addresses, and the names that the
 * kernel gives back (getsockname, getpeername, accept4, recvfrom)
 *
 *   [i386-|i386sc-]unix-stream PATH, unix-dgram PATH, unix-connect PATH [stream|dgram],
 *   unix-bind PATH [stream|dgram], unix-sendto PATH
 *
 * Every socket call is made in one of three ways (ux_mode): the x86-64 system call, the i386
 * direct socket call through int $0x80 (i386-), or i386 socketcall(2) with its argument array
 * (i386sc-); in the i386 flavours every pointer is below 4 GiB (all buffers come from
 * low_alloc() whatever the flavour, and the msghdr is built in the flavour's layout). read, write
 * and close are the 64-bit calls on the same fds. One line per step, "STEP ok ..." or "STEP err
 * ENAME"; a step that depends on a failed one is not made. An address that the kernel returned is
 * printed as "PATH" (its sun_path bytes up to the returned length, stopping at a NUL) or unnamed
 * (no more than sizeof(sa_family_t)), then " len=N", the returned length. */

#define I386_NR_socketcall 102
#define I386_NR_socket 359
#define I386_NR_bind 361
#define I386_NR_connect 362
#define I386_NR_listen 363
#define I386_NR_accept4 364
#define I386_NR_getsockname 367
#define I386_NR_getpeername 368
#define I386_NR_sendto 369
#define I386_NR_sendmsg 370
#define I386_NR_recvfrom 371
#define I386_NR_sendmmsg 345

enum ux_mode { UX_NATIVE, UX_I386, UX_SOCKETCALL };
static enum ux_mode ux_mode;

enum ux_op { UX_SOCKET, UX_BIND, UX_CONNECT, UX_LISTEN, UX_ACCEPT4, UX_GETSOCKNAME, UX_GETPEERNAME,
             UX_SENDTO, UX_RECVFROM, UX_SENDMSG, UX_SENDMMSG, UX_NOPS };

/* the x86-64 number, the i386 number, the socketcall(2) call (SYS_* of <linux/net.h>), the
 * number of arguments */
static const struct {
        long nr64, nr386;
        uint32_t sc;
        int nargs;
} ux_calls[UX_NOPS] = {
        [UX_SOCKET] = { __NR_socket, I386_NR_socket, 1, 3 },
        [UX_BIND] = { __NR_bind, I386_NR_bind, 2, 3 },
        [UX_CONNECT] = { __NR_connect, I386_NR_connect, 3, 3 },
        [UX_LISTEN] = { __NR_listen, I386_NR_listen, 4, 2 },
        [UX_GETSOCKNAME] = { __NR_getsockname, I386_NR_getsockname, 6, 3 },
        [UX_GETPEERNAME] = { __NR_getpeername, I386_NR_getpeername, 7, 3 },
        [UX_SENDTO] = { __NR_sendto, I386_NR_sendto, 11, 6 },
        [UX_RECVFROM] = { __NR_recvfrom, I386_NR_recvfrom, 12, 6 },
        [UX_SENDMSG] = { __NR_sendmsg, I386_NR_sendmsg, 16, 3 },
        [UX_ACCEPT4] = { __NR_accept4, I386_NR_accept4, 18, 4 },
        [UX_SENDMMSG] = { __NR_sendmmsg, I386_NR_sendmmsg, 20, 4 },
};

/* One socket call in the current flavour; -1 with *err set on failure. */
static long ux_call(enum ux_op op, int *err, const uintptr_t a[6]) {
        if (ux_mode == UX_NATIVE)
                return sc(syscall(ux_calls[op].nr64, a[0], a[1], a[2], a[3], a[4], a[5]), err);
        uint32_t w[6];
        for (int i = 0; i < 6; i++) {
                if (a[i] > UINT32_MAX) {
                        errno = EOVERFLOW;
                        die_setup("an i386 socket call argument above 4 GiB");
                }
                w[i] = (uint32_t)a[i];
        }
        if (ux_mode == UX_I386)
                return i386_result(int80_6(ux_calls[op].nr386, w[0], w[1], w[2], w[3], w[4], w[5]), err);
        uint32_t *args = low_alloc(sizeof w);
        memcpy(args, w, sizeof(uint32_t) * (size_t)ux_calls[op].nargs);
        return i386_result(int80(I386_NR_socketcall, ux_calls[op].sc, low32(args), 0, 0, 0), err);
}

#define UX(op, err, ...) ux_call(op, err, (const uintptr_t[6]){ __VA_ARGS__ })

/* PATH as a struct sockaddr_un below 4 GiB: with its NUL when it fits, 108 bytes without one */
static struct sockaddr_un *ux_addr(const char *path, socklen_t *len) {
        size_t n = strlen(path);
        struct sockaddr_un *sa = low_alloc(sizeof *sa);
        if (n > sizeof sa->sun_path)
                die_usage("an AF_UNIX path of %zu bytes (at most %zu)", n, sizeof sa->sun_path);
        sa->sun_family = AF_UNIX;
        memcpy(sa->sun_path, path, n);
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (n < sizeof sa->sun_path));
        return sa;
}

/* a buffer for an address that the kernel returns, and its length (in and out) */
struct ux_name {
        struct sockaddr_un *sa;
        socklen_t *len;
};

static struct ux_name ux_name_buf(void) {
        struct ux_name n = { low_alloc(sizeof *n.sa), low_alloc(sizeof *n.len) };
        memset(n.sa, STAT_FILL, sizeof *n.sa);
        *n.len = sizeof *n.sa;
        return n;
}

static void ux_print_name(struct ux_name n) {
        socklen_t len = *n.len;
        const size_t off = offsetof(struct sockaddr_un, sun_path);
        if (len <= sizeof(sa_family_t))
                printf("unnamed");
        else {
                if (n.sa->sun_family != AF_UNIX)
                        printf("family=%u ", n.sa->sun_family);
                size_t max = (len < sizeof *n.sa ? len : sizeof *n.sa) - off;
                print_escaped((const unsigned char *)n.sa->sun_path, strnlen(n.sa->sun_path, max));
        }
        printf(" len=%u", (unsigned)len);
}

/* STEP: getsockname or getpeername of fd */
static bool ux_getname(const char *step, enum ux_op op, int fd) {
        struct ux_name n = ux_name_buf();
        int err;
        long r = UX(op, &err, (uintptr_t)fd, (uintptr_t)n.sa, (uintptr_t)n.len);
        printf("%s ", step);
        if (r < 0) {
                print_err(err);
                return false;
        }
        printf("ok ");
        ux_print_name(n);
        putchar('\n');
        return true;
}

static int ux_socket(int type) {
        int err;
        long r = UX(UX_SOCKET, &err, AF_UNIX, (uintptr_t)(type | SOCK_CLOEXEC), 0);
        if (r < 0) {
                printf("socket ");
                print_err(err);
        }
        return (int)r;
}

/* STEP (bind or connect) of fd to the address */
static bool ux_addr_call(const char *step, enum ux_op op, int fd, const struct sockaddr_un *sa, socklen_t len) {
        int err;
        long r = UX(op, &err, (uintptr_t)fd, (uintptr_t)sa, len);
        printf("%s ", step);
        r < 0 ? print_err(err) : (void)printf("ok\n");
        return r >= 0;
}

/* data below 4 GiB */
static char *ux_data(const char *s) {
        return low_strdup(s);
}

/* STEP: sendto of s to the address (NULL: none, a plain send) */
static void ux_sendto(const char *step, int fd, const char *s, const struct sockaddr_un *sa, socklen_t len) {
        int err;
        long r = UX(UX_SENDTO, &err, (uintptr_t)fd, (uintptr_t)ux_data(s), strlen(s), 0, (uintptr_t)sa, sa ? len : 0);
        printf("%s ", step);
        r < 0 ? print_err(err) : (void)printf("ok %ld\n", r);
}

/* sendmsg of the pieces (at most two) to the address, no control data, in the flavour's layout:
 * struct msghdr and iovec of x86-64, or of i386 (28 and 8 bytes of 32-bit fields) */
static void ux_sendmsg(int fd, const struct sockaddr_un *sa, socklen_t len, const char *p1, const char *p2) {
        const char *parts[2] = { p1, p2 };
        int np = p2 ? 2 : 1, err;
        void *msg;
        if (ux_mode == UX_NATIVE) {
                struct iovec *iov = low_alloc(sizeof *iov * 2);
                for (int i = 0; i < np; i++)
                        iov[i] = (struct iovec){ ux_data(parts[i]), strlen(parts[i]) };
                struct msghdr *m = low_alloc(sizeof *m);
                *m = (struct msghdr){ .msg_name = (void *)sa, .msg_namelen = len, .msg_iov = iov, .msg_iovlen = (size_t)np };
                msg = m;
        } else {
                uint32_t *iov = low_alloc(8 * 2), *m = low_alloc(28);
                for (int i = 0; i < np; i++) {
                        iov[2 * i] = low32(ux_data(parts[i]));
                        iov[2 * i + 1] = (uint32_t)strlen(parts[i]);
                }
                m[0] = low32(sa);         /* msg_name */
                m[1] = len;               /* msg_namelen */
                m[2] = low32(iov);        /* msg_iov */
                m[3] = (uint32_t)np;      /* msg_iovlen */
                m[4] = m[5] = m[6] = 0;   /* msg_control, msg_controllen, msg_flags */
                msg = m;
        }
        long r = UX(UX_SENDMSG, &err, (uintptr_t)fd, (uintptr_t)msg, 0);
        printf("sendmsg ");
        r < 0 ? print_err(err) : (void)printf("ok %ld\n", r);
}

/* recv (recvfrom, MSG_DONTWAIT), with the sender's address when from */
static void ux_recv(int fd, bool from) {
        struct ux_name n = ux_name_buf();
        char *buf = low_alloc(256);
        int err;
        long r = UX(UX_RECVFROM, &err, (uintptr_t)fd, (uintptr_t)buf, 255, MSG_DONTWAIT, from ? (uintptr_t)n.sa : 0,
                    from ? (uintptr_t)n.len : 0);
        printf("recv ");
        if (r < 0) {
                print_err(err);
                return;
        }
        print_escaped((const unsigned char *)buf, (size_t)r);
        if (from) {
                printf(" from ");
                ux_print_name(n);
        }
        putchar('\n');
}

/* sendmmsg of "m0", "m1", ... to the n addresses, as a program that handles short counts: the
 * rest again after a short count, a message that fails alone (the first of its call) reported
 * and skipped. Prints "mmsg I ok LEN" or "mmsg I err ENAME" per message: the same natively and
 * under a supervisor that cuts the vector short. Layout of the flavour: struct mmsghdr is the
 * msghdr, msg_len and padding, 64 bytes on x86-64, 32 on i386. */
static void ux_sendmmsg(int fd, struct sockaddr_un **sa, const socklen_t *len, int n) {
        size_t esize = ux_mode == UX_NATIVE ? 64 : 32;
        uint8_t *vec = low_alloc(esize * (size_t)n);
        memset(vec, 0, esize * (size_t)n);
        for (int i = 0; i < n; i++) {
                char data[16];
                snprintf(data, sizeof data, "m%d", i);
                char *d = ux_data(data);
                if (ux_mode == UX_NATIVE) {
                        struct iovec *iov = low_alloc(sizeof *iov);
                        *iov = (struct iovec){ d, strlen(d) };
                        struct mmsghdr *m = (struct mmsghdr *)(vec + esize * (size_t)i);
                        m->msg_hdr = (struct msghdr){ .msg_name = sa[i], .msg_namelen = len[i], .msg_iov = iov, .msg_iovlen = 1 };
                } else {
                        uint32_t *iov = low_alloc(8), *m = (uint32_t *)(vec + esize * (size_t)i);
                        iov[0] = low32(d);
                        iov[1] = (uint32_t)strlen(d);
                        m[0] = low32(sa[i]);
                        m[1] = len[i];
                        m[2] = low32(iov);
                        m[3] = 1;
                }
        }
        for (int at = 0; at < n;) {
                int err;
                long r = UX(UX_SENDMMSG, &err, (uintptr_t)fd, (uintptr_t)(vec + esize * (size_t)at), (uintptr_t)(n - at), 0);
                if (r < 0) {
                        printf("mmsg %d ", at);
                        print_err(err);
                        at++;
                        continue;
                }
                if (r == 0 || r > n - at) {
                        printf("mmsg %d: sendmmsg returned %ld\n", at, r);
                        return;
                }
                for (long k = 0; k < r; k++, at++) {
                        uint32_t msg_len;
                        memcpy(&msg_len, vec + esize * (size_t)at + (ux_mode == UX_NATIVE ? 56 : 28), 4);
                        printf("mmsg %d ok %u\n", at, (unsigned)msg_len);
                }
        }
}

static int ux_type(int argc, char **argv, int i) {
        if (argc <= i || strcmp(argv[i], "stream") == 0)
                return SOCK_STREAM;
        if (strcmp(argv[i], "dgram") == 0)
                return SOCK_DGRAM;
        die_usage("a socket type is stream or dgram, not '%s'", argv[i]);
}

static int cmd_unix(int argc, char **argv) {
        const char *c = argv[0];
        if (strncmp(c, "i386sc-", 7) == 0)
                ux_mode = UX_SOCKETCALL, c += 7;
        else if (strncmp(c, "i386-", 5) == 0)
                ux_mode = UX_I386, c += 5;
        else
                ux_mode = UX_NATIVE;
        c += 5; /* after "unix-" */
        socklen_t len;
        int err;
        long r;

        if (strcmp(c, "stream") == 0) {
                need(argc, 2, 2, "unix-stream PATH");
                struct sockaddr_un *sa = ux_addr(argv[1], &len);
                int srv = ux_socket(SOCK_STREAM);
                if (srv < 0 || !ux_addr_call("bind", UX_BIND, srv, sa, len))
                        return 0;
                r = UX(UX_LISTEN, &err, (uintptr_t)srv, 8);
                printf("listen ");
                if (r < 0)
                        return print_err(err), 0;
                printf("ok\n");
                ux_getname("sockname", UX_GETSOCKNAME, srv);
                int cl = ux_socket(SOCK_STREAM);
                if (cl < 0 || !ux_addr_call("connect", UX_CONNECT, cl, sa, len))
                        return 0;
                ux_getname("peername", UX_GETPEERNAME, cl);
                struct ux_name n = ux_name_buf();
                long acc = UX(UX_ACCEPT4, &err, (uintptr_t)srv, (uintptr_t)n.sa, (uintptr_t)n.len, SOCK_CLOEXEC);
                printf("accept ");
                if (acc < 0)
                        return print_err(err), 0;
                printf("ok ");
                ux_print_name(n);
                putchar('\n');
                ux_getname("acceptedname", UX_GETSOCKNAME, (int)acc);
                r = sc(syscall(SYS_write, cl, "ping", 4), &err);
                if (r < 0)
                        return printf("write "), print_err(err), 0;
                char buf[64];
                r = sc(syscall(SYS_read, (int)acc, buf, sizeof buf), &err);
                printf("data ");
                r < 0 ? print_err(err) : (print_escaped((const unsigned char *)buf, (size_t)r), (void)putchar('\n'));
                close((int)acc);
                close(cl);
                close(srv);
        } else if (strcmp(c, "dgram") == 0) {
                need(argc, 2, 2, "unix-dgram PATH");
                struct sockaddr_un *sa = ux_addr(argv[1], &len);
                int srv = ux_socket(SOCK_DGRAM);
                if (srv < 0 || !ux_addr_call("bind", UX_BIND, srv, sa, len))
                        return 0;
                ux_getname("sockname", UX_GETSOCKNAME, srv);
                int cl = ux_socket(SOCK_DGRAM);
                if (cl < 0)
                        return 0;
                ux_sendto("sendto", cl, "one", sa, len);
                ux_sendmsg(cl, sa, len, "tw", "o");
                ux_recv(srv, true);
                ux_recv(srv, true);
                if (!ux_addr_call("connect", UX_CONNECT, cl, sa, len))
                        return 0;
                ux_sendto("send", cl, "three", NULL, 0);
                ux_getname("peername", UX_GETPEERNAME, cl);
                ux_recv(srv, false);
                close(cl);
                close(srv);
        } else if (strcmp(c, "connect") == 0 || strcmp(c, "bind") == 0) {
                bool bind = strcmp(c, "bind") == 0;
                need(argc, 2, 3, bind ? "unix-bind PATH [stream|dgram]" : "unix-connect PATH [stream|dgram]");
                struct sockaddr_un *sa = ux_addr(argv[1], &len);
                int fd = ux_socket(ux_type(argc, argv, 2));
                if (fd < 0)
                        return 0;
                if (!bind)
                        ux_addr_call("connect", UX_CONNECT, fd, sa, len);
                else if (ux_addr_call("bind", UX_BIND, fd, sa, len))
                        ux_getname("sockname", UX_GETSOCKNAME, fd);
                close(fd);
        } else if (strcmp(c, "mmsg") == 0) {
                if (argc < 3 || argc > 34)
                        die_usage("usage: unix-mmsg SERVER DEST... (1 to 32 DESTs)");
                struct sockaddr_un *srv_sa = ux_addr(argv[1], &len);
                int srv = ux_socket(SOCK_DGRAM);
                if (srv < 0 || !ux_addr_call("bind", UX_BIND, srv, srv_sa, len))
                        return 0;
                int n = argc - 2;
                struct sockaddr_un *sa[32];
                socklen_t lens[32];
                for (int i = 0; i < n; i++)
                        sa[i] = ux_addr(argv[2 + i], &lens[i]);
                int cl = ux_socket(SOCK_DGRAM);
                if (cl < 0)
                        return 0;
                ux_sendmmsg(cl, sa, lens, n);
                for (int i = 0; i < n; i++)
                        ux_recv(srv, false);
                close(cl);
                close(srv);
        } else if (strcmp(c, "sendto") == 0) {
                need(argc, 2, 2, "unix-sendto PATH");
                struct sockaddr_un *sa = ux_addr(argv[1], &len);
                int fd = ux_socket(SOCK_DGRAM);
                if (fd < 0)
                        return 0;
                ux_sendto("sendto", fd, "x", sa, len);
                ux_sendmsg(fd, sa, len, "x", NULL);
                close(fd);
        } else
                return -1;
        return 0;
}

static void usage(FILE *f) {
        fputs("usage: pv-syscall SUBCOMMAND ARGS...\n"
              "Raw path system calls, results printed in a stable form for diffing.\n"
              "\n"
              "  open PATH FLAGS [MODE]            creat PATH MODE\n"
              "  openat DIR REL FLAGS [MODE]       openat2 DIR REL FLAGS RESOLVE [MODE]\n"
              "  open_tree DIR REL FLAGS           (OPEN_TREE_CLONE is 1, AT_RECURSIVE 0x8000)\n"
              "  file_getattr DIR REL ATFLAGS [SIZE]   file_setattr DIR REL ATFLAGS XFLAGS PROJID [SIZE]\n"
              "  stat PATH    lstat PATH           fstatat DIR REL ATFLAGS\n"
              "  statx DIR REL ATFLAGS MASK\n"
              "  access PATH MODE                  faccessat DIR REL MODE\n"
              "  faccessat2 DIR REL MODE ATFLAGS\n"
              "  readlink PATH [BUFSIZ]            readlinkat DIR REL [BUFSIZ]\n"
              "creating, changing, removing (output 'ok' or 'err ENAME'):\n"
              "  mkdir PATH MODE                   mkdirat DIR REL MODE\n"
              "  mknod PATH TYPE|MODE [DEV]        mknodat DIR REL TYPE|MODE [DEV]\n"
              "  rmdir PATH    unlink PATH         unlinkat DIR REL ATFLAGS\n"
              "  chmod PATH MODE                   fchmodat DIR REL MODE\n"
              "  fchmodat2 DIR REL MODE ATFLAGS\n"
              "  chown PATH UID GID   lchown PATH UID GID   fchownat DIR REL UID GID ATFLAGS\n"
              "  truncate PATH LENGTH\n"
              "  utime PATH TIMES  utimes PATH TIMES  futimesat DIR REL TIMES\n"
              "  utimensat DIR REL TIMES ATFLAGS\n"
              "  setxattr PATH NAME VALUE [XFLAGS]  lsetxattr PATH NAME VALUE [XFLAGS]\n"
              "  removexattr PATH NAME              lremovexattr PATH NAME\n"
              "  setxattrat DIR REL ATFLAGS NAME VALUE [XFLAGS]\n"
              "  removexattrat DIR REL ATFLAGS NAME\n"
              "  rename OLD NEW                    renameat OLDDIR OLD NEWDIR NEW\n"
              "  renameat2 OLDDIR OLD NEWDIR NEW RENAME_FLAGS\n"
              "  link OLD NEW                      linkat OLDDIR OLD NEWDIR NEW ATFLAGS\n"
              "  symlink CONTENT NEW               symlinkat CONTENT NEWDIR NEW\n"
              "reading (xattr values and names as 'ok LEN ...'; statfs as 'ok' and field lines):\n"
              "  getxattr PATH NAME [SIZE]         lgetxattr PATH NAME [SIZE]\n"
              "  listxattr PATH [SIZE]             llistxattr PATH [SIZE]\n"
              "  getxattrat DIR REL ATFLAGS NAME [SIZE]   listxattrat DIR REL ATFLAGS [SIZE]\n"
              "  statfs PATH                       (no free-space counts: they change)\n"
              "i386 (int $0x80):\n"
              "  i386-open PATH FLAGS [MODE]       i386-openat DIR REL FLAGS [MODE]\n"
              "  i386-stat64 PATH  i386-lstat64 PATH  i386-stat PATH  i386-lstat PATH\n"
              "  i386-fstatat64 DIR REL ATFLAGS    i386-statx DIR REL ATFLAGS MASK\n"
              "  i386-access PATH MODE             i386-readlink PATH [BUFSIZ]\n"
              "  i386-mkdir PATH MODE  i386-rmdir PATH  i386-unlink PATH  i386-chmod PATH MODE\n"
              "  i386-mknod PATH TYPE|MODE [DEV]   i386-truncate64 PATH LENGTH\n"
              "  i386-chown32 PATH UID GID         i386-lchown32 PATH UID GID\n"
              "  i386-rename OLD NEW  i386-link OLD NEW  i386-symlink CONTENT NEW\n"
              "  i386-mkdirat DIR REL MODE  i386-fchmodat DIR REL MODE  i386-unlinkat DIR REL ATFLAGS\n"
              "  i386-renameat2 OLDDIR OLD NEWDIR NEW RENAME_FLAGS\n"
              "  i386-linkat OLDDIR OLD NEWDIR NEW ATFLAGS   i386-symlinkat CONTENT NEWDIR NEW\n"
              "  i386-statfs PATH                  i386-statfs64 PATH [SIZE]  (SIZE default 84)\n"
              "  i386-mount SRC DST TYPE FLAGS     i386-umount PATH  (umount(2), i386 only)\n"
              "watches (one inotify / fanotify instance; 'ok wd=N', 'ok' or 'err ENAME' per watch; after\n"
              "'--' each ACTION's 'KIND ok|err ENAME', then the events it caused, or 'no events'):\n"
              "  inotify PATH MASK [PATH MASK]... [-- ACTION...]\n"
              "  fanotify FLAGS MASK DIR PATH [FLAGS MASK DIR PATH]... [-- ACTION...]\n"
              "  i386-inotify ..., i386-fanotify ...  (the same; the watch through int $0x80)\n"
              "      ACTION: create:PATH write:PATH touch-h:PATH mkdir:PATH unlink:PATH\n"
              "      events: 'event wd=N IN_... \"NAME\"', 'event FAN_... \"BASENAME\"'\n"
              "AF_UNIX sockets (one line per step, 'STEP ok ...' or 'STEP err ENAME'; a returned address as\n"
              "'\"PATH\" len=N' or 'unnamed len=N'; PATH of at most 108 bytes, 108 without its NUL):\n"
              "  unix-stream PATH                  bind listen sockname connect peername accept\n"
              "                                    acceptedname, then 'data \"ping\"' (client to accepted)\n"
              "  unix-dgram PATH                   bind sockname sendto sendmsg recv recv (with the\n"
              "                                    sender), connect send peername recv\n"
              "  unix-connect PATH [stream|dgram]  unix-bind PATH [stream|dgram]  (bind: then sockname)\n"
              "  unix-sendto PATH                  sendto, then sendmsg, of \"x\" from an unbound socket\n"
              "  unix-mmsg SERVER DEST...          a dgram socket bound at SERVER; sendmmsg of \"mI\" to each\n"
              "                                    DEST (short counts continued), then what SERVER got\n"
              "  i386-unix-...   (the same; every socket call through int $0x80, direct socket calls)\n"
              "  i386sc-unix-... (the same; every socket call through i386 socketcall(2))\n"
              "privileged (root; mounts belong in a private mount namespace; 'ok' or 'err ENAME'):\n"
              "  mount SRC DST TYPE FLAGS          (MS_BIND|MS_REC|MS_RDONLY|MS_REMOUNT|MS_MOVE...; SRC, TYPE @null)\n"
              "  umount2 PATH FLAGS                (MNT_DETACH, MNT_FORCE, MNT_EXPIRE, UMOUNT_NOFOLLOW)\n"
              "  fspick DIR PATH FLAGS             'ok fd=N' (closed); FSPICK_CLOEXEC, _SYMLINK_NOFOLLOW, _EMPTY_PATH\n"
              "  mount_setattr DIR PATH ATFLAGS ATTR_SET ATTR_CLR   (MOUNT_ATTR_RDONLY...; AT_RECURSIVE)\n"
              "  clone-move SRC DST                open_tree(SRC, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC), then\n"
              "                                    move_mount(fd, \"\", DST, MOVE_MOUNT_F_EMPTY_PATH): one line each\n"
              "  move_mount FROMDIR FROM TODIR TO FLAGS   (MOVE_MOUNT_F_EMPTY_PATH, _T_SYMLINKS...)\n"
              "  open_tree_attr DIR PATH FLAGS ATTR_SET   'ok fd=N type=T mode=M rdonly=0|1' (closed)\n"
              "  swapon PATH    swapoff PATH       (a successful swapon is undone at once)\n"
              "  acct PATH                         (@null: off; a successful acct(PATH) is undone at once)\n"
              "  uselib PATH\n"
              "  quotactl CMD SPECIAL              CMD: Q_SYNC, QCMD(Q_GETINFO, USRQUOTA), a number\n"
              "others:\n"
              "  loop N PATH                       threads T N PATH\n"
              "  signals N PATH [USEC]             (N opens under a SIGALRM every USEC, default 200)\n"
              "  fork-chain DEPTH PATH             stop-self PATH [THREADS]\n"
              "  spin T PATH                       fifo-block FIFO OTHER\n"
              "  fault path|edge|nonul-short|nonul-long|statbuf|linkbuf|how PATH\n"
              "  tree DIR...                       list DIR recursively (lstat; run it natively):\n"
              "      \"REL\" TYPE MODE UID:GID links=N [inode=#K] [size=N] [rdev=M:m] [-> \"LINK\"]\n"
              "      [content=\"...\"] [user.X=\"...\"...] [atime=S.N] [mtime=S.N], sorted by name;\n"
              "      inode=#K groups the names of one inode; times only when before 1973\n"
              "\n"
              "DIR: '-' (AT_FDCWD), 'fd:N' (that number), 'file:PATH' (opened O_PATH),\n"
              "'dir:PATH' (opened O_RDONLY|O_DIRECTORY), 'rd:PATH' (opened O_RDONLY, any type),\n"
              "'tmp:DIR' (an O_TMPFILE file in DIR, mode 0640, holding \"tmpfile\\n\"), or a\n"
              "directory (opened O_DIRECTORY|O_PATH). A PATH, REL, OLD, NEW or CONTENT of\n"
              "'@null' passes a NULL pointer. FLAGS, RESOLVE, ATFLAGS, MASK, RENAME_FLAGS,\n"
              "XFLAGS and access MODE: names joined by '|' (O_RDONLY|O_CLOEXEC, AT_SYMLINK_NOFOLLOW,\n"
              "RESOLVE_BENEATH, R_OK|W_OK, STATX_BASIC_STATS, RENAME_NOREPLACE, XATTR_CREATE) or\n"
              "numbers (C syntax: 0644 is octal). Permission MODE is octal; mknod's TYPE|MODE is\n"
              "e.g. 'S_IFIFO|0644'; DEV is MAJOR:MINOR; UID and GID may be -1. TIMES: '@null'\n"
              "(a NULL pointer) or ATIME,MTIME, each SEC[.FRAC] with FRAC an integer number of\n"
              "nanoseconds (utimensat, which also takes 'now' and 'omit') or microseconds\n"
              "(utimes, futimesat); utime takes whole seconds.\n"
              "Output: 'err ENAME', or 'ok ...'. Exit 0 when the call was made (even if it\n"
              "failed), 1 when the helper's own set-up failed, 2 on usage errors.\n",
              f);
}

int main(int argc, char **argv) {
        if (argc < 2)
                die_usage("missing subcommand");
        argc--, argv++;
        if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0) {
                usage(stdout);
                return 0;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);

        if (strcmp(argv[0], "inotify") == 0 || strcmp(argv[0], "fanotify") == 0 ||
            strcmp(argv[0], "i386-inotify") == 0 || strcmp(argv[0], "i386-fanotify") == 0)
                return cmd_notify(argc, argv);
        if (strncmp(argv[0], "unix-", 5) == 0 || strncmp(argv[0], "i386-unix-", 10) == 0 ||
            strncmp(argv[0], "i386sc-unix-", 12) == 0) {
                if (cmd_unix(argc, argv) == 0)
                        return 0;
        } else if (strncmp(argv[0], "i386-", 5) == 0) {
                if (cmd_i386(argc, argv) == 0)
                        return 0;
        } else if (strcmp(argv[0], "loop") == 0)
                return cmd_loop(argc, argv);
        else if (strcmp(argv[0], "threads") == 0)
                return cmd_threads(argc, argv);
        else if (strcmp(argv[0], "signals") == 0)
                return cmd_signals(argc, argv);
        else if (strcmp(argv[0], "fork-chain") == 0)
                return cmd_fork_chain(argc, argv);
        else if (strcmp(argv[0], "stop-self") == 0)
                return cmd_stop_self(argc, argv);
        else if (strcmp(argv[0], "spin") == 0)
                return cmd_spin(argc, argv);
        else if (strcmp(argv[0], "fifo-block") == 0)
                return cmd_fifo_block(argc, argv);
        else if (strcmp(argv[0], "fault") == 0)
                return cmd_fault(argc, argv);
        else if (strcmp(argv[0], "tree") == 0)
                return cmd_tree(argc, argv);
        else if (cmd_calls(argc, argv) == 0 || cmd_mut(argc, argv) == 0 || cmd_admin(argc, argv) == 0)
                return 0;
        die_usage("unknown subcommand '%s'", argv[0]);
}
