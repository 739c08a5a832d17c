// Linux interfaces the Glibc module does not export to Swift: epoll, signalfd, eventfd, accept4, thread names,
// the allocation counter behind used_memory, and the processor's time-stamp counter.
#ifndef CAIRN_CSYSTEM_H
#define CAIRN_CSYSTEM_H
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <signal.h>

#include <stddef.h>
#include <stdint.h>

/// Bytes the process has allocated through malloc and its relatives (chunk sizes, all threads): Redis's
/// zmalloc_used_memory. Counted by the wrappers in memcount.c.
size_t csystem_used_memory(void);

/// Names the calling thread (pthread_setname_np, which needs _GNU_SOURCE); at most 15 bytes are kept.
void csystem_set_thread_name(const char *name);

/// Makes the calling thread background work: SCHED_BATCH, ten nice levels below the thread that created it
/// (per-thread on Linux). The event loop,
/// woken by a client, then takes the CPU from it at once rather than after a time slice; the weight still
/// leaves it about a tenth of a core that the loop keeps busy, so a snapshot always finishes.
void csystem_yield_to_foreground(void);
/// Called often by work a background thread cuts into small steps (a snapshot, every 128 keys): on a thread
/// made background by csystem_yield_to_foreground it gives the core to a waiting event loop now (sched_yield),
/// instead of when the scheduler's tick ends its slice, up to 4 ms later. Elsewhere it does nothing.
void csystem_let_foreground_run(void);

/// Starts loading the cache line at `p` for writing, without faulting: a loop that retains scattered objects
/// then overlaps their cache misses instead of paying them one after another.
static inline void csystem_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

/* Asks for a short scheduler slice for the calling thread, so that it preempts background threads as soon as
   it wakes (the event loop against the snapshot thread). Returns 0 or -1 with errno. */
int csystem_request_short_slice(void);

/// Sets glibc malloc's top pad (64 MB) and mmap threshold (32 MB) for the server process, so that its heaps grow
/// and shrink in few system calls: each takes the address space's lock for writing (see csystem.c).
void csystem_tune_allocator(void);

/// The processor's time-stamp counter (rdtsc), or 0 where there is none. A few cycles, against tens of
/// nanoseconds for clock_gettime: the command path reads a clock twice per command.
static inline uint64_t csystem_tsc(void) {
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
}

/// 1 when the time-stamp counter ticks at a constant rate whatever the power state (the constant_tsc and
/// nonstop_tsc flags of /proc/cpuinfo), so it can time intervals; 0 otherwise.
int csystem_tsc_is_invariant(void);

int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
/* The calling thread's CPUs (sched_setaffinity of the thread): 0 or errno. */
int csystem_set_thread_affinity(const int32_t *cpus, int count);
/* Writes the calling thread's allowed CPUs into cpus; returns how many, or -1. */
int csystem_thread_affinity(int32_t *cpus, int capacity);
#endif
