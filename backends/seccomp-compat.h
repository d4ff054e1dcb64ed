/* SPDX-License-Identifier: MIT */
#pragma once

/* Kernel ABI that pathvisor uses and that older system headers may lack. Everything is guarded:
 * newer headers win, and the values are the kernel's ABI (they never change once merged). The
 * build headers here are from Linux 6.1; the kernels we run on may be much newer (FACTS.md). Code
 * that uses something defined here must still handle the kernel answering EINVAL/ENOTTY/ENOSYS. */

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ioctl.h>
#include <linux/seccomp.h>
#include <linux/types.h>
#include <sys/syscall.h>

#if defined(__has_include)
#  if __has_include(<linux/openat2.h>)
#    include <linux/openat2.h>
#  endif
#endif

/* ---- seccomp(2) ---------------------------------------------------------------------------- */

#ifndef __NR_seccomp
#  if defined(__x86_64__)
#    define __NR_seccomp 317
#  elif defined(__i386__)
#    define __NR_seccomp 354
#  endif
#endif
#ifndef SYS_seccomp
#  define SYS_seccomp __NR_seccomp
#endif

#ifndef SECCOMP_SET_MODE_FILTER
#  define SECCOMP_SET_MODE_FILTER 1
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#  define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_GET_NOTIF_SIZES
#  define SECCOMP_GET_NOTIF_SIZES 3
#endif

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#  define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3) /* 5.0 */
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#  define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4) /* 5.7 */
#endif
/* 5.19: after NOTIF_RECV, only fatal signals interrupt the tracee's wait for our answer. Without
 * it a signal between ADDFD and NOTIF_SEND leaks the added fd (FACTS.md). */
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#  define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#ifndef SECCOMP_RET_USER_NOTIF
#  define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#  define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#  define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0) /* 5.5 */
#endif

#ifndef SECCOMP_IOCTL_NOTIF_ADDFD
/* 5.9; SEND is 5.14. */
struct seccomp_notif_addfd {
        __u64 id;
        __u32 flags;
        __u32 srcfd;
        __u32 newfd;
        __u32 newfd_flags;
};
#  define SECCOMP_IOCTL_NOTIF_ADDFD _IOW('!', 3, struct seccomp_notif_addfd)
#endif
#ifndef SECCOMP_ADDFD_FLAG_SETFD
#  define SECCOMP_ADDFD_FLAG_SETFD (1UL << 0)
#endif
#ifndef SECCOMP_ADDFD_FLAG_SEND
#  define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif

#ifndef SECCOMP_IOCTL_NOTIF_RECV
#  define SECCOMP_IOCTL_NOTIF_RECV _IOWR('!', 0, struct seccomp_notif)
#  define SECCOMP_IOCTL_NOTIF_SEND _IOWR('!', 1, struct seccomp_notif_resp)
#endif
/* Headers before 5.9 spelled it _IOR (a bug); the kernel accepts both. This is the fixed one. */
#ifndef SECCOMP_IOCTL_NOTIF_ID_VALID
#  define SECCOMP_IOCTL_NOTIF_ID_VALID _IOW('!', 2, __u64)
#endif

/* 6.6: NOTIF_SEND wakes the tracee on the supervisor's CPU (FACTS.md: 5x against 34x unpinned). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#  define SECCOMP_IOCTL_NOTIF_SET_FLAGS _IOW('!', 4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#  define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

_Static_assert(SECCOMP_IOCTL_NOTIF_SET_FLAGS == 0x40082104, "NOTIF_SET_FLAGS ioctl number");
_Static_assert(SECCOMP_IOCTL_NOTIF_ADDFD == 0x40182103, "NOTIF_ADDFD ioctl number");

/* ---- architectures ------------------------------------------------------------------------- */

#ifndef AUDIT_ARCH_X86_64
#  define AUDIT_ARCH_X86_64 0xc000003eU
#endif
#ifndef AUDIT_ARCH_I386
#  define AUDIT_ARCH_I386 0x40000003U
#endif
/* x32 calls arrive with AUDIT_ARCH_X86_64 and this bit set in the number. */
#ifndef __X32_SYSCALL_BIT
#  define __X32_SYSCALL_BIT 0x40000000
#endif

/* ---- openat2(2), 5.6 ----------------------------------------------------------------------- */

#ifndef RESOLVE_NO_XDEV
struct open_how {
        __u64 flags;
        __u64 mode;
        __u64 resolve;
};
#  define RESOLVE_NO_XDEV 0x01
#  define RESOLVE_NO_MAGICLINKS 0x02
#  define RESOLVE_NO_SYMLINKS 0x04
#  define RESOLVE_BENEATH 0x08
#  define RESOLVE_IN_ROOT 0x10
#endif
#ifndef RESOLVE_CACHED
#  define RESOLVE_CACHED 0x20 /* 5.12 */
#endif
/* The first version of struct open_how; openat2 takes its size as argument 3. */
#ifndef OPEN_HOW_SIZE_VER0
#  define OPEN_HOW_SIZE_VER0 24
#endif

/* ---- *at flags ----------------------------------------------------------------------------- */

#ifndef AT_FDCWD
#  define AT_FDCWD -100
#endif
#ifndef AT_SYMLINK_NOFOLLOW
#  define AT_SYMLINK_NOFOLLOW 0x100
#endif
#ifndef AT_EACCESS
#  define AT_EACCESS 0x200
#endif
#ifndef AT_SYMLINK_FOLLOW
#  define AT_SYMLINK_FOLLOW 0x400
#endif
#ifndef AT_NO_AUTOMOUNT
#  define AT_NO_AUTOMOUNT 0x800
#endif
#ifndef AT_EMPTY_PATH
#  define AT_EMPTY_PATH 0x1000
#endif
#ifndef AT_STATX_SYNC_TYPE
#  define AT_STATX_SYNC_TYPE 0x6000
#  define AT_STATX_SYNC_AS_STAT 0x0000
#  define AT_STATX_FORCE_SYNC 0x2000
#  define AT_STATX_DONT_SYNC 0x4000
#endif
#ifndef AT_RECURSIVE
#  define AT_RECURSIVE 0x8000
#endif

#ifndef O_PATH
#  define O_PATH 010000000
#endif
#ifndef O_TMPFILE
#  define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
