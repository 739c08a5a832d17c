// Linux interfaces the Glibc module does not export to Swift: epoll, signalfd, accept4.
#ifndef CAIRN_CSYSTEM_H
#define CAIRN_CSYSTEM_H
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <signal.h>

int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
#endif
