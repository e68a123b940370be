/* malloc_count: an LD_PRELOAD library that counts heap allocations, for bench/run.sh.

     LD_PRELOAD=BUILD/bench/libmalloc_count.so MALLOC_COUNT_OUT=FILE COMMAND ...

   Counts every call of malloc, calloc, realloc, aligned_alloc, posix_memalign, memalign, valloc
   and pvalloc, and the bytes they were asked for (calloc: n * size). C++'s operator new (all its
   forms, aligned ones included) is libstdc++'s, which calls malloc or aligned_alloc through the
   dynamic linker, so it is counted too. free is not counted and not replaced. Each function
   forwards to glibc's own allocator (__libc_malloc and friends, exported by glibc for exactly this),
   so the program's behaviour and memory layout are glibc's; only the counting is added: two relaxed
   atomic increments per call, safe from any thread.

   At exit (a library destructor: after main returns or exit() is called; not on _exit or a fatal
   signal) it appends one line "CALLS BYTES\n" to the file named by MALLOC_COUNT_OUT, if that is
   set. One line per process: a program that forks without exec appends one line per process, so
   a reader sums the lines. Nothing is written when the variable is unset.

   Built with -DMALLOC_COUNT_CHECK this file is instead a test program (malloc_count_check) that
   makes a known number of calls of each kind, operator new included (looked up in libstdc++ with
   dlopen, so the program itself stays C), and prints "CALLS BYTES" it made. Run under the library,
   the counted figures must be at least those and not much more (the C runtime's own few
   allocations): bench/run.sh checks that before trusting any count, so a library that failed to
   interpose cannot silently report 0.

   glibc only (it relies on the __libc_* entry points). */
#define _GNU_SOURCE
#include <stddef.h>

#ifndef MALLOC_COUNT_CHECK

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void* __libc_malloc(size_t size);
extern void* __libc_calloc(size_t count, size_t size);
extern void* __libc_realloc(void* pointer, size_t size);
extern void* __libc_memalign(size_t alignment, size_t size);
extern void* __libc_valloc(size_t size);
extern void* __libc_pvalloc(size_t size);

static atomic_ullong calls;
static atomic_ullong bytes;

static inline void count(size_t size) {
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&bytes, size, memory_order_relaxed);
}

static inline int power_of_two(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

void* malloc(size_t size) {
  count(size);
  return __libc_malloc(size);
}

void* calloc(size_t n, size_t size) {
  size_t total;
  count(__builtin_mul_overflow(n, size, &total) ? (size_t)-1 : total);
  return __libc_calloc(n, size);
}

void* realloc(void* pointer, size_t size) {
  count(size);
  return __libc_realloc(pointer, size);
}

void* memalign(size_t alignment, size_t size) {
  count(size);
  return __libc_memalign(alignment, size);
}

void* aligned_alloc(size_t alignment, size_t size) {
  count(size);
  if (!power_of_two(alignment)) {  // glibc 2.36 accepts any power of two (C17 leaves the rest undefined)
    errno = EINVAL;
    return NULL;
  }
  return __libc_memalign(alignment, size);
}

int posix_memalign(void** result, size_t alignment, size_t size) {
  count(size);
  if (!power_of_two(alignment) || alignment % sizeof(void*) != 0) {
    return EINVAL;
  }
  int saved = errno;  // posix_memalign reports by its return value and leaves errno alone
  void* pointer = __libc_memalign(alignment, size);
  if (pointer == NULL) {
    errno = saved;
    return ENOMEM;
  }
  *result = pointer;
  return 0;
}

void* valloc(size_t size) {
  count(size);
  return __libc_valloc(size);
}

void* pvalloc(size_t size) {
  count(size);
  return __libc_pvalloc(size);
}

__attribute__((destructor)) static void malloc_count_report(void) {
  const char* path = getenv("MALLOC_COUNT_OUT");
  if (path == NULL || *path == '\0') {
    return;
  }
  char line[64];  // snprintf of two integers does not allocate
  int length = snprintf(line, sizeof line, "%llu %llu\n", atomic_load(&calls), atomic_load(&bytes));
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return;
  }
  ssize_t written = write(fd, line, (size_t)length);  // one short write, O_APPEND: atomic
  (void)written;
  close(fd);
}

#else  // MALLOC_COUNT_CHECK: the test program

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

enum { ROUNDS = 1000 };

int main(void) {
  // Through volatile pointers, so the compiler cannot pair and drop a malloc with its free.
  void* (*volatile do_malloc)(size_t) = malloc;
  void* (*volatile do_calloc)(size_t, size_t) = calloc;
  void* (*volatile do_realloc)(void*, size_t) = realloc;
  void* (*volatile do_aligned_alloc)(size_t, size_t) = aligned_alloc;
  int (*volatile do_posix_memalign)(void**, size_t, size_t) = posix_memalign;
  void (*volatile do_free)(void*) = free;

  void* libstdcxx = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_LOCAL);
  void* (*new_)(size_t) = NULL;                 // operator new(std::size_t)
  void* (*new_aligned)(size_t, size_t) = NULL;  // operator new(std::size_t, std::align_val_t)
  void (*delete_)(void*) = NULL;
  void (*delete_aligned)(void*, size_t) = NULL;
  if (libstdcxx != NULL) {
    *(void**)&new_ = dlsym(libstdcxx, "_Znwm");
    *(void**)&new_aligned = dlsym(libstdcxx, "_ZnwmSt11align_val_t");
    *(void**)&delete_ = dlsym(libstdcxx, "_ZdlPv");
    *(void**)&delete_aligned = dlsym(libstdcxx, "_ZdlPvSt11align_val_t");
  }
  if (new_ == NULL || new_aligned == NULL || delete_ == NULL || delete_aligned == NULL) {
    fprintf(stderr, "malloc_count_check: operator new not found in libstdc++.so.6\n");
    return 2;
  }

  unsigned long long calls = 0;
  unsigned long long bytes = 0;
  for (int i = 0; i < ROUNDS; ++i) {
    void* p = do_malloc(100);
    p = do_realloc(p, 300);
    do_free(p);
    do_free(do_calloc(10, 20));
    do_free(do_aligned_alloc(64, 128));
    void* q = NULL;
    if (do_posix_memalign(&q, 64, 256) != 0) {
      return 2;
    }
    do_free(q);
    delete_(new_(40));
    delete_aligned(new_aligned(64, 64), 64);
    calls += 7;
    bytes += 100 + 300 + 200 + 128 + 256 + 40 + 64;
  }
  printf("%llu %llu\n", calls, bytes);
  return 0;
}

#endif
