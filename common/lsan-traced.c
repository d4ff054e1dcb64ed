/* SPDX-License-Identifier: MIT */
/* LeakSanitizer cannot run in a process that is being traced: it stops the process's threads with
 * ptrace itself, and fails with a fatal error (exit 1) when another tracer holds them. Under the
 * ptrace backends every program is traced, pathvisor itself too in nested runs. Programs list this
 * file among their sources (a hook in a static library would not be linked in): with
 * -fsanitize=address their leak check is skipped when the process is traced at exit; without the
 * sanitizer the file declares nothing that is used. */

#if defined(__SANITIZE_ADDRESS__)
#  define PV_HAVE_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define PV_HAVE_ASAN 1
#  endif
#endif

#ifdef PV_HAVE_ASAN
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) {
        char buf[4096];
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t k = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (k <= 0)
                return 0;
        buf[k] = '\0';
        const char *p = strstr(buf, "\nTracerPid:");
        return p && strtol(p + 11, NULL, 10) != 0;
}
#else
/* ISO C wants a translation unit to declare something */
typedef int pv_lsan_traced_unused;
#endif
