// Linux interfaces the Glibc module does not export to Swift: epoll, signalfd, eventfd, accept4, thread names.
#ifndef CAIRN_CSYSTEM_H
#define CAIRN_CSYSTEM_H
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <signal.h>

#include <stddef.h>

struct csystem_mallinfo_t { size_t allocated; size_t mapped; };
/// Bytes malloc has handed out: the in-use arena bytes plus mmapped blocks (glibc mallinfo2).
struct csystem_mallinfo_t csystem_mallinfo(void);

/// Names the calling thread (pthread_setname_np, which needs _GNU_SOURCE); at most 15 bytes are kept.
void csystem_set_thread_name(const char *name);

/// Makes the calling thread background work: SCHED_BATCH at nice 10 (per-thread on Linux). The event loop,
/// woken by a client, then takes the CPU from it at once rather than after a time slice; the weight still
/// leaves it about a tenth of a core that the loop keeps busy, so a snapshot always finishes.
void csystem_yield_to_foreground(void);

int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
#endif
