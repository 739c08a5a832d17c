#define _GNU_SOURCE
#include <sys/socket.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <errno.h>
#include <malloc.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include "csystem.h"

int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

void csystem_set_thread_name(const char *name) {
    char shortName[16];
    strncpy(shortName, name, sizeof(shortName) - 1);
    shortName[sizeof(shortName) - 1] = 0;
    pthread_setname_np(pthread_self(), shortName);
}

static __thread int background;

void csystem_yield_to_foreground(void) {
    /* Ten below the creating thread's nice value, not nice 10 outright: a server run at nice -10 would otherwise
       put its snapshot below every ordinary process on the machine, starving the save while writes copy. */
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)gettid());
    if (errno != 0) nice = 0;
    struct sched_param none = { 0 };
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &none);
    setpriority(PRIO_PROCESS, (id_t)gettid(), nice + 10 > 19 ? 19 : nice + 10);
    background = 1;
}

void csystem_let_foreground_run(void) {
    if (background) sched_yield();
}

/* The first fields of the kernel's struct sched_attr (SCHED_ATTR_SIZE_VER0); glibc exports no wrapper. */
struct csystem_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};

int csystem_request_short_slice(void) {
    /* Since Linux 6.12 a fair task's sched_runtime is its slice, and a waking task with a shorter slice than the
       running one preempts it at once instead of waiting for that task's slice to end. Older kernels ignore it. */
    struct csystem_sched_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.sched_policy = SCHED_OTHER;
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)gettid());
    attr.sched_nice = errno == 0 ? nice : 0;
    attr.sched_runtime = 100 * 1000;
    return (int)syscall(SYS_sched_setattr, 0, &attr, 0);
}

void csystem_tune_allocator(void) {
    /* Each time glibc grows or shrinks a heap it takes the process's mmap_lock for writing (brk, mprotect, mmap,
       munmap). While anything reads /proc/PID/smaps_rollup (a monitor sampling PSS) that write waits for the
       whole address-space walk, and every page fault of the other threads waits behind it: the event loop
       stalled for milliseconds. BGSAVE under 50 writers at 1M keys made 440 brk calls in 128 KB steps (the copies
       of segments the snapshot still reads, and new keys), at 5M 1,060 plus the mmap/munmap of two directories
       and nine mprotects growing the snapshot thread's arena; with 64 MB steps they make one and four. Traced
       with sched_switch on a loaded machine, the loop slept on the lock inside brk 1,778 times in one 1M-key
       BGSAVE (16 ms at worst, 63 times over 1 ms); it no longer does.
       Pages reserved but never touched are not resident: RSS after loading 1M keys is unchanged (145 MB); what
       costs is the top of the heap kept after frees, at most 64 MB (FLUSHALL after a BGSAVE under writers
       released 3-10 MB of ~210 MB before, nothing now). */
    mallopt(M_TOP_PAD, 64 << 20);
    /* Setting the pad stops glibc raising its mmap threshold as large blocks are freed, which would leave it at
       128 KB: every block above that (a growing keyspace directory or segment table, a large value or reply)
       would be one mmap and one munmap. 32 MB is the ceiling glibc's own adjustment reaches. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

int csystem_tsc_is_invariant(void) {
#if defined(__x86_64__)
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return 0;
    char line[8192];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5) != 0) continue;
        found = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
        break;
    }
    fclose(f);
    return found;
#else
    return 0;
#endif
}

int csystem_set_thread_affinity(const int32_t *cpus, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < count; i++) {
        if (cpus[i] >= 0 && cpus[i] < CPU_SETSIZE) CPU_SET(cpus[i], &set);
    }
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : errno;
}

int csystem_thread_affinity(int32_t *cpus, int capacity) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    int n = 0;
    for (int c = 0; c < CPU_SETSIZE && n < capacity; c++) {
        if (CPU_ISSET(c, &set)) cpus[n++] = c;
    }
    return n;
}
