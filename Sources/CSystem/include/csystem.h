// Linux interfaces the Glibc module does not export to Swift: epoll, signalfd, eventfd, accept4, thread names, and
// the allocation counter behind used_memory.
#ifndef CAIRN_CSYSTEM_H
#define CAIRN_CSYSTEM_H
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <signal.h>

#include <stddef.h>

/// Bytes the process has allocated through malloc and its relatives (chunk sizes, all threads): Redis's
/// zmalloc_used_memory. Counted by the wrappers in memcount.c.
size_t csystem_used_memory(void);

/// Names the calling thread (pthread_setname_np, which needs _GNU_SOURCE); at most 15 bytes are kept.
void csystem_set_thread_name(const char *name);

/// Makes the calling thread background work: SCHED_BATCH at nice 10 (per-thread on Linux). The event loop,
/// woken by a client, then takes the CPU from it at once rather than after a time slice; the weight still
/// leaves it about a tenth of a core that the loop keeps busy, so a snapshot always finishes.
void csystem_yield_to_foreground(void);

/// Makes the calling thread run only on CPU time nothing else wants (SCHED_IDLE, per-thread on Linux): any
/// other thread that wakes, such as the event loop answering a client, preempts it at once, which
/// SCHED_BATCH's weight does not guarantee under EEVDF. It still gets the idle time of every core.
void csystem_run_when_idle(void);

int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
#endif
