// used_memory as Redis's zmalloc keeps it: every allocation of the process, whichever thread or library makes
// it, passes through these wrappers, which add the chunk's real size (usable bytes plus glibc's 8-byte header)
// to one counter. glibc documents replacing these entry points; the __libc_ functions are its own allocator.
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "csystem.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);
extern void __libc_free(void *);

static _Atomic size_t allocated;

static inline size_t chunk_size(void *p) { return malloc_usable_size(p) + sizeof(size_t); }

static inline void *counted(void *p) {
    if (p) atomic_fetch_add_explicit(&allocated, chunk_size(p), memory_order_relaxed);
    return p;
}

size_t csystem_used_memory(void) { return atomic_load_explicit(&allocated, memory_order_relaxed); }

void *malloc(size_t n) { return counted(__libc_malloc(n)); }
void *calloc(size_t n, size_t size) { return counted(__libc_calloc(n, size)); }
void *memalign(size_t align, size_t n) { return counted(__libc_memalign(align, n)); }
void *aligned_alloc(size_t align, size_t n) { return counted(__libc_memalign(align, n)); }
void *valloc(size_t n) { return counted(__libc_valloc(n)); }
void *pvalloc(size_t n) { return counted(__libc_pvalloc(n)); }

void free(void *p) {
    if (!p) return;
    atomic_fetch_sub_explicit(&allocated, chunk_size(p), memory_order_relaxed);
    __libc_free(p);
}

void *realloc(void *p, size_t n) {
    size_t old = p ? chunk_size(p) : 0;
    void *q = __libc_realloc(p, n);
    // A failed realloc leaves p allocated; realloc(p, 0) frees it and returns NULL.
    if (!q && (n > 0 || !p)) return NULL;
    atomic_fetch_sub_explicit(&allocated, old, memory_order_relaxed);
    return counted(q);
}

void *reallocarray(void *p, size_t n, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) { errno = ENOMEM; return NULL; }
    return realloc(p, bytes);
}

int posix_memalign(void **out, size_t align, size_t n) {
    if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0) return EINVAL;
    void *p = __libc_memalign(align, n);
    if (!p) return ENOMEM;
    *out = counted(p);
    return 0;
}
