#define _GNU_SOURCE
#include <sys/socket.h>
#include <malloc.h>
#include "csystem.h"

int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

struct csystem_mallinfo_t csystem_mallinfo(void) {
    struct mallinfo2 mi = mallinfo2();
    struct csystem_mallinfo_t r = { mi.uordblks, mi.hblkhd };
    return r;
}
