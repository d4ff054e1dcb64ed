/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "backends/stat-layout.h"

/* i386 layouts, from arch/x86/include/uapi/asm/stat.h (32-bit) and the kernel's cp_*stat*(). */
struct i386_stat64 {
        uint64_t st_dev;
        uint8_t pad0[4];
        uint32_t st_ino32;
        uint32_t st_mode;
        uint32_t st_nlink;
        uint32_t st_uid;
        uint32_t st_gid;
        uint64_t st_rdev;
        uint8_t pad3[4];
        int64_t st_size;
        uint32_t st_blksize;
        uint64_t st_blocks;
        uint32_t st_atime_, st_atime_nsec;
        uint32_t st_mtime_, st_mtime_nsec;
        uint32_t st_ctime_, st_ctime_nsec;
        uint64_t st_ino;
} __attribute__((packed));
_Static_assert(sizeof(struct i386_stat64) == 96, "i386 stat64 is 96 bytes");

struct i386_stat {
        uint32_t st_dev, st_ino;
        uint16_t st_mode, st_nlink, st_uid, st_gid;
        uint32_t st_rdev, st_size, st_blksize, st_blocks;
        uint32_t st_atime_, st_atime_nsec, st_mtime_, st_mtime_nsec, st_ctime_, st_ctime_nsec;
        uint32_t unused4, unused5;
};
_Static_assert(sizeof(struct i386_stat) == 64, "i386 stat is 64 bytes");

struct i386_old_stat {
        uint16_t st_dev, st_ino, st_mode, st_nlink, st_uid, st_gid, st_rdev;
        uint16_t pad;
        uint32_t st_size, st_atime_, st_mtime_, st_ctime_;
};
_Static_assert(sizeof(struct i386_old_stat) == 32, "i386 __old_kernel_stat is 32 bytes");

#define MAX_NON_LFS 0x7fffffffULL

/* the kernel's high2lowuid(): ids above 65535 become the overflow id (65534) */
static uint16_t low_id(uint32_t id) {
        return id > 0xffff ? 65534 : (uint16_t) id;
}

static uint32_t new_encode_dev(dev_t d) {
        unsigned maj = major(d), min = minor(d);
        return (min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12);
}

static bool old_valid_dev(dev_t d) {
        return major(d) < 256 && minor(d) < 256;
}

int pv_stat_encode(enum pv_sc_result layout, const struct stat *st, void *out, size_t size) {
        if (size < pv_sc_result_size(layout))
                return -EINVAL;

        switch (layout) {
        case PV_RESULT_STAT:
                memcpy(out, st, sizeof(*st));
                return 0;

        case PV_RESULT_STAT64_I386: {
                struct i386_stat64 s = {
                        .st_dev = new_encode_dev(st->st_dev),
                        .st_ino32 = (uint32_t) st->st_ino,
                        .st_mode = st->st_mode,
                        .st_nlink = (uint32_t) st->st_nlink,
                        .st_uid = st->st_uid,
                        .st_gid = st->st_gid,
                        .st_rdev = new_encode_dev(st->st_rdev),
                        .st_size = st->st_size,
                        .st_blksize = (uint32_t) st->st_blksize,
                        .st_blocks = (uint64_t) st->st_blocks,
                        .st_atime_ = (uint32_t) st->st_atim.tv_sec, .st_atime_nsec = (uint32_t) st->st_atim.tv_nsec,
                        .st_mtime_ = (uint32_t) st->st_mtim.tv_sec, .st_mtime_nsec = (uint32_t) st->st_mtim.tv_nsec,
                        .st_ctime_ = (uint32_t) st->st_ctim.tv_sec, .st_ctime_nsec = (uint32_t) st->st_ctim.tv_nsec,
                        .st_ino = st->st_ino,
                };
                memcpy(out, &s, sizeof(s));
                return 0;
        }

        case PV_RESULT_STAT_I386: {
                if (!old_valid_dev(st->st_dev) || !old_valid_dev(st->st_rdev))
                        return -EOVERFLOW;
                if (st->st_ino > UINT32_MAX || st->st_nlink > UINT16_MAX || (uint64_t) st->st_size > MAX_NON_LFS)
                        return -EOVERFLOW;
                struct i386_stat s = {
                        .st_dev = new_encode_dev(st->st_dev),
                        .st_ino = (uint32_t) st->st_ino,
                        .st_mode = (uint16_t) st->st_mode,
                        .st_nlink = (uint16_t) st->st_nlink,
                        .st_uid = low_id(st->st_uid),
                        .st_gid = low_id(st->st_gid),
                        .st_rdev = new_encode_dev(st->st_rdev),
                        .st_size = (uint32_t) st->st_size,
                        .st_blksize = (uint32_t) st->st_blksize,
                        .st_blocks = (uint32_t) st->st_blocks,
                        .st_atime_ = (uint32_t) st->st_atim.tv_sec, .st_atime_nsec = (uint32_t) st->st_atim.tv_nsec,
                        .st_mtime_ = (uint32_t) st->st_mtim.tv_sec, .st_mtime_nsec = (uint32_t) st->st_mtim.tv_nsec,
                        .st_ctime_ = (uint32_t) st->st_ctim.tv_sec, .st_ctime_nsec = (uint32_t) st->st_ctim.tv_nsec,
                };
                memcpy(out, &s, sizeof(s));
                return 0;
        }

        case PV_RESULT_OLDSTAT_I386: {
                if (st->st_ino > UINT16_MAX || st->st_nlink > UINT16_MAX || (uint64_t) st->st_size > MAX_NON_LFS)
                        return -EOVERFLOW;
                struct i386_old_stat s = {
                        .st_dev = (uint16_t) (major(st->st_dev) << 8 | (minor(st->st_dev) & 0xff)),
                        .st_ino = (uint16_t) st->st_ino,
                        .st_mode = (uint16_t) st->st_mode,
                        .st_nlink = (uint16_t) st->st_nlink,
                        .st_uid = low_id(st->st_uid),
                        .st_gid = low_id(st->st_gid),
                        .st_rdev = (uint16_t) (major(st->st_rdev) << 8 | (minor(st->st_rdev) & 0xff)),
                        .st_size = (uint32_t) st->st_size,
                        .st_atime_ = (uint32_t) st->st_atim.tv_sec,
                        .st_mtime_ = (uint32_t) st->st_mtim.tv_sec,
                        .st_ctime_ = (uint32_t) st->st_ctim.tv_sec,
                };
                memcpy(out, &s, sizeof(s));
                return 0;
        }

        default:
                return -EINVAL;
        }
}

struct i386_statfs {
        uint32_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
        int32_t f_fsid[2];
        uint32_t f_namelen, f_frsize, f_flags;
        uint32_t f_spare[4];
};
_Static_assert(sizeof(struct i386_statfs) == 64, "i386 statfs is 64 bytes");

struct i386_statfs64 {
        uint32_t f_type, f_bsize;
        uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
        int32_t f_fsid[2];
        uint32_t f_namelen, f_frsize, f_flags;
        uint32_t f_spare[4];
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct i386_statfs64) == 84, "i386 statfs64 is 84 bytes");

int pv_statfs_encode(enum pv_sc_result layout, const struct statfs *st, void *out, size_t size) {
        const uint64_t high = 0xffffffff00000000ULL;
        int fsid[2];
        memcpy(fsid, &st->f_fsid, sizeof(fsid));
        switch (layout) {
        case PV_RESULT_STATFS:
                if (size < sizeof(*st))
                        return -EINVAL;
                memcpy(out, st, sizeof(*st));
                return 0;
        case PV_RESULT_STATFS_I386: {
                struct i386_statfs o = {};
                if (size < sizeof(o))
                        return -EINVAL;
                if (((uint64_t) st->f_blocks | (uint64_t) st->f_bfree | (uint64_t) st->f_bavail |
                     (uint64_t) st->f_bsize | (uint64_t) st->f_frsize) & high)
                        return -EOVERFLOW;
                /* f_files and f_ffree may be -1 (unknown): that fits, as the kernel says */
                if ((uint64_t) st->f_files != UINT64_MAX && ((uint64_t) st->f_files & high))
                        return -EOVERFLOW;
                if ((uint64_t) st->f_ffree != UINT64_MAX && ((uint64_t) st->f_ffree & high))
                        return -EOVERFLOW;
                o.f_type = (uint32_t) st->f_type;
                o.f_bsize = (uint32_t) st->f_bsize;
                o.f_blocks = (uint32_t) st->f_blocks;
                o.f_bfree = (uint32_t) st->f_bfree;
                o.f_bavail = (uint32_t) st->f_bavail;
                o.f_files = (uint32_t) st->f_files;
                o.f_ffree = (uint32_t) st->f_ffree;
                o.f_fsid[0] = fsid[0];
                o.f_fsid[1] = fsid[1];
                o.f_namelen = (uint32_t) st->f_namelen;
                o.f_frsize = (uint32_t) st->f_frsize;
                o.f_flags = (uint32_t) st->f_flags;
                memcpy(out, &o, sizeof(o));
                return 0;
        }
        case PV_RESULT_STATFS64_I386: {
                struct i386_statfs64 o = {};
                if (size < sizeof(o))
                        return -EINVAL;
                if (((uint64_t) st->f_bsize | (uint64_t) st->f_frsize) & high)
                        return -EOVERFLOW;
                o.f_type = (uint32_t) st->f_type;
                o.f_bsize = (uint32_t) st->f_bsize;
                o.f_blocks = st->f_blocks;
                o.f_bfree = st->f_bfree;
                o.f_bavail = st->f_bavail;
                o.f_files = st->f_files;
                o.f_ffree = st->f_ffree;
                o.f_fsid[0] = fsid[0];
                o.f_fsid[1] = fsid[1];
                o.f_namelen = (uint32_t) st->f_namelen;
                o.f_frsize = (uint32_t) st->f_frsize;
                o.f_flags = (uint32_t) st->f_flags;
                memcpy(out, &o, sizeof(o));
                return 0;
        }
        default:
                return -EINVAL;
        }
}
