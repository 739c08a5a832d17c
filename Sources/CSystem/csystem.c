#define _GNU_SOURCE
#include <sys/socket.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>
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

void csystem_yield_to_foreground(void) {
    struct sched_param none = { 0 };
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &none);
    setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
}

void csystem_run_when_idle(void) {
    struct sched_param none = { 0 };
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
}
