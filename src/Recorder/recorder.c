// Copyright (c) Allocators contributors. MIT License.
//
// Allocation recorder: an LD_PRELOAD library that writes every malloc-family call of a dynamically linked
// program in the text trace format of docs/trace-format.md.
//
//   cc -O2 -shared -fPIC -o librecorder.so recorder.c
//   ALLOCATORS_TRACE_FILE=out.trace LD_PRELOAD=./librecorder.so program args...
//
// Design rules (the recorder must not change what it records):
// - It never allocates: the real work is done by glibc's exported __libc_* entry points (no dlsym bootstrap),
//   lines are formatted by hand into a static buffer and written with write(2).
// - A thread-local flag passes calls made while recording (there should be none) straight to glibc.
// - One process-wide lock is held across the real call and the formatting of its line, so the lines are in the
//   order the calls returned and a pointer is never freed in the trace before the line that returned it.
// - `# heap-start` is sbrk(0) before the first recorded call; `# brk` follows every call after which sbrk(0)
//   differs from the last value written. `# hdr=` is the size word at result-8, `usable=` malloc_usable_size.
// - Each process writes its own file. The first process to start creates ALLOCATORS_TRACE_FILE exclusively;
//   any other process (a fork child, an exec'd program, a child of a child) finds it taken and writes
//   ALLOCATORS_TRACE_FILE.<pid> (or .<pid>.<n>). A fork child that has not exec'd inherits its parent's heap,
//   so its file starts with `# forked-from <ppid>`: it frees pointers its parent allocated.
// - A thread other than the main one registers, on its first recorded call, a pthread key whose destructor marks
//   the thread's exit pending when the thread ends (re-arming itself until the last destructor round,
//   PTHREAD_DESTRUCTOR_ITERATIONS, so other keys' destructors run first). `# thread-exit <tid>` is written just
//   before the next call of any other thread (or at the end of the trace): calls the exiting thread still makes
//   (glibc's own thread cleanup frees before it shuts malloc down for the thread) come before the line, and glibc's
//   thread-exit work (tcache_thread_shutdown, the arena going on the free list) right after it.
// - The buffer is written out when full, before fork, at exit (destructor), on _exit/_Exit and before the exec
//   family replaces the process, and the last of these writes `# recorder-end calls=N`, which the C# side uses to
//   tell a complete trace from a cut one. (If an exec fails, later calls still follow the marker.)

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

#define TLS __thread __attribute__((tls_model("initial-exec")))
#define EXPORT __attribute__((visibility("default")))
#define BUFFER_SIZE (1 << 16)
#define LINE_MAX_BYTES 256
#define PATH_MAX_BYTES 4096

enum { STATE_NEW = 0, STATE_STARTING = 1, STATE_ACTIVE = 2, STATE_OFF = 3 };

static int g_state;                      // STATE_*; changed with atomics during start-up
static int g_fd = -1;                    // the trace file of this process, -1 until opened
static int g_need_open;                  // set in a fork child: open a file of its own on the next call
static pid_t g_parent;                   // in a fork child: the parent's pid, written as # forked-from
static int g_finished;                   // the end marker was written; write every later line at once
static pid_t g_owner;                    // the process that opened g_fd (a vfork child shares our memory)
static int g_write_failed;               // a write(2) failed (disk full...): never mark the trace complete
static unsigned long long g_calls;       // calls recorded by this process
static uintptr_t g_last_brk;             // the break written last (# heap-start or # brk)
static uintptr_t g_heap_start;           // the break before the first call (inherited by fork children)
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_buffer[BUFFER_SIZE];
static size_t g_length;
static char g_path[PATH_MAX_BYTES];      // ALLOCATORS_TRACE_FILE

static TLS int t_busy;                   // this thread is inside the recorder
static TLS int t_starting;               // this thread runs start-up (its nested calls are recorded normally)
static TLS pid_t t_tid;                  // cached gettid(); 0 = unknown
static pthread_key_t g_exit_key;         // its destructor writes # thread-exit (see thread_exited)
static int g_exit_key_ok;                // g_exit_key was created
#define MAX_PENDING_EXITS 256
static pid_t g_pending_exits[MAX_PENDING_EXITS]; // threads that exited, their # thread-exit not written yet
static int g_pending_count;

static void thread_exited(void *value);

// ---- formatting -------------------------------------------------------------------------------------------------

static char *put_char(char *out, char c)
{
    *out = c;
    return out + 1;
}

static char *put_text(char *out, const char *text)
{
    while (*text) {
        *out++ = *text++;
    }
    return out;
}

static char *put_decimal(char *out, unsigned long long value)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) {
        *out++ = digits[--n];
    }
    return out;
}

static char *put_hex(char *out, unsigned long long value)
{
    static const char hex[] = "0123456789abcdef";
    char digits[16];
    int n = 0;
    do {
        digits[n++] = hex[value & 0xf];
        value >>= 4;
    } while (value != 0);
    out = put_text(out, "0x");
    while (n > 0) {
        *out++ = digits[--n];
    }
    return out;
}

static char *put_pointer(char *out, const void *pointer)
{
    return pointer == NULL ? put_text(out, "(nil)") : put_hex(out, (uintptr_t)pointer);
}

// ---- output -----------------------------------------------------------------------------------------------------

static void write_all(const char *data, size_t length)
{
    while (length > 0 && g_fd >= 0) {
        ssize_t n = write(g_fd, data, length);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            g_write_failed = 1;
            return;
        }
        data += n;
        length -= (size_t)n;
    }
}

static void flush_locked(void)
{
    if (g_length > 0) {
        write_all(g_buffer, g_length);
        g_length = 0;
    }
}

static void append_locked(const char *line, size_t length)
{
    if (g_length + length > BUFFER_SIZE) {
        flush_locked();
    }
    memcpy(g_buffer + g_length, line, length);
    g_length += length;
    if (g_finished) {
        flush_locked();
    }
}

static int open_exclusive(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
}

// Opens the first free name of ALLOCATORS_TRACE_FILE, .<pid>, .<pid>.1, ... (never clobbers another process's file).
static int open_trace_file(int main_name_allowed)
{
    char path[PATH_MAX_BYTES + 48];
    size_t base = strlen(g_path);
    if (main_name_allowed) {
        int fd = open_exclusive(g_path);
        if (fd >= 0 || errno != EEXIST) {
            return fd;
        }
    }
    memcpy(path, g_path, base);
    char *end = put_decimal(put_char(path + base, '.'), (unsigned long long)getpid());
    for (unsigned k = 0; k < 1000; k++) {
        char *tail = end;
        if (k > 0) {
            tail = put_decimal(put_char(tail, '.'), k);
        }
        *tail = '\0';
        int fd = open_exclusive(path);
        if (fd >= 0 || errno != EEXIST) {
            return fd;
        }
    }
    return -1;
}

static void write_heap_start_locked(void)
{
    char line[LINE_MAX_BYTES];
    char *p = line;
    uintptr_t now = (uintptr_t)sbrk(0);
    if (g_parent == 0) {
        g_heap_start = now;
    } else {
        p = put_text(p, "# forked-from ");
        p = put_decimal(p, (unsigned long long)g_parent);
        p = put_text(p, " (pointers allocated before the fork are not in this file)\n");
    }
    p = put_text(p, "# heap-start ");
    p = put_hex(p, g_heap_start);
    p = put_char(p, '\n');
    g_last_brk = g_heap_start;
    if (now != g_heap_start) {
        // A fork child inherits a heap that has already grown.
        p = put_text(p, "# brk ");
        p = put_hex(p, now);
        p = put_char(p, '\n');
        g_last_brk = now;
    }
    append_locked(line, (size_t)(p - line));
}

static void flush_exits_locked(pid_t except);

static void write_end_locked(void)
{
    flush_exits_locked(0);
    flush_locked();
    if (g_write_failed) {
        g_finished = 1;
        return; // lines were lost: leave the trace without its end marker so it is reported incomplete
    }
    char line[LINE_MAX_BYTES];
    char *p = put_text(line, "# recorder-end calls=");
    p = put_decimal(p, g_calls);
    p = put_char(p, '\n');
    append_locked(line, (size_t)(p - line));
    flush_locked();
    g_finished = 1;
}

// ---- fork -------------------------------------------------------------------------------------------------------

static void before_fork(void)
{
    pthread_mutex_lock(&g_lock);
    flush_locked();
}

static void after_fork_parent(void)
{
    pthread_mutex_unlock(&g_lock);
}

static void after_fork_child(void)
{
    pthread_mutex_init(&g_lock, NULL);
    if (g_fd >= 0) {
        close(g_fd);
    }
    g_fd = -1;
    g_need_open = 1;
    g_parent = getppid();
    g_pending_count = 0; // the parent's exited threads are not this process's
    g_calls = 0;
    g_finished = 0;
    g_write_failed = 0;
    t_tid = 0;
}

// ---- start-up ---------------------------------------------------------------------------------------------------

static void start(void)
{
    const char *path = getenv("ALLOCATORS_TRACE_FILE");
    if (path == NULL || path[0] == '\0' || strlen(path) >= PATH_MAX_BYTES) {
        __atomic_store_n(&g_state, STATE_OFF, __ATOMIC_RELEASE);
        return;
    }
    memcpy(g_path, path, strlen(path) + 1);
    g_fd = open_trace_file(1);
    if (g_fd < 0) {
        __atomic_store_n(&g_state, STATE_OFF, __ATOMIC_RELEASE);
        return;
    }
    g_owner = getpid();
    g_exit_key_ok = pthread_key_create(&g_exit_key, thread_exited) == 0;
    pthread_mutex_lock(&g_lock);
    write_heap_start_locked();
    pthread_mutex_unlock(&g_lock);

    // pthread_atfork may allocate; that allocation is real and is recorded like any other (t_starting).
    t_starting = 1;
    __atomic_store_n(&g_state, STATE_ACTIVE, __ATOMIC_RELEASE);
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    t_starting = 0;
}

// Returns nonzero when calls should be recorded.
static int recording(void)
{
    int state = __atomic_load_n(&g_state, __ATOMIC_ACQUIRE);
    if (state == STATE_ACTIVE) {
        return 1;
    }
    if (state == STATE_OFF) {
        return 0;
    }
    if (t_starting) {
        return 1;
    }
    int expected = STATE_NEW;
    if (__atomic_compare_exchange_n(&g_state, &expected, STATE_STARTING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        start();
    } else {
        while (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) == STATE_STARTING) {
            sched_yield();
        }
    }
    return __atomic_load_n(&g_state, __ATOMIC_ACQUIRE) == STATE_ACTIVE;
}

__attribute__((destructor)) static void finish(void)
{
    if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) != STATE_ACTIVE) {
        return;
    }
    pthread_mutex_lock(&g_lock);
    if (g_fd >= 0 && !g_finished) {
        write_end_locked();
    }
    pthread_mutex_unlock(&g_lock);
}

// ---- thread exit ------------------------------------------------------------------------------------------------

static void prepare_locked(void);

static void write_thread_exit_locked(pid_t tid)
{
    if (g_fd < 0) {
        return;
    }
    char line[LINE_MAX_BYTES];
    char *p = put_text(line, "# thread-exit ");
    p = put_decimal(p, (unsigned long long)tid);
    p = put_char(p, '\n');
    append_locked(line, (size_t)(p - line));
}

// Writes the pending exits of every thread but `except` (0: all of them).
static void flush_exits_locked(pid_t except)
{
    int kept = 0;
    for (int i = 0; i < g_pending_count; i++) {
        if (g_pending_exits[i] == except) {
            g_pending_exits[kept++] = g_pending_exits[i];
        } else {
            write_thread_exit_locked(g_pending_exits[i]);
        }
    }
    g_pending_count = kept;
}

// The destructor of g_exit_key: the value counts destructor rounds. Re-arming until the last round puts the exit
// after the frees of every other key's destructor (they run in earlier rounds or before us in the same round).
static void thread_exited(void *value)
{
    uintptr_t round = (uintptr_t)value;
    if (round < PTHREAD_DESTRUCTOR_ITERATIONS && pthread_setspecific(g_exit_key, (void *)(round + 1)) == 0) {
        return;
    }
    if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) != STATE_ACTIVE || t_tid == 0) {
        return;
    }
    t_busy = 1;
    pthread_mutex_lock(&g_lock);
    prepare_locked();
    if (g_pending_count == MAX_PENDING_EXITS) {
        flush_exits_locked(0);
    }
    g_pending_exits[g_pending_count++] = t_tid;
    pthread_mutex_unlock(&g_lock);
    t_busy = 0;
}

// ---- recording --------------------------------------------------------------------------------------------------

// Called with g_lock held, before the real call: a fork child opens its own file on its first call.
static void prepare_locked(void)
{
    if (g_need_open) {
        g_need_open = 0;
        g_fd = open_trace_file(0);
        if (g_fd >= 0) {
            g_owner = getpid();
            write_heap_start_locked();
        }
    }
}

// Called with g_lock held, after the real call. a and b are the arguments as the format orders them.
static void record_locked(char kind, unsigned long long a, unsigned long long b, const void *pointer_a, const void *result)
{
    if (g_fd < 0) {
        return;
    }
    if (t_tid == 0) {
        t_tid = (pid_t)syscall(SYS_gettid);
        if (g_exit_key_ok && t_tid != getpid()) {
            // Key indexes below 32 live in the thread descriptor: setting one does not allocate.
            pthread_setspecific(g_exit_key, (void *)1);
        }
    }

    if (g_pending_count != 0) {
        flush_exits_locked(t_tid);
    }

    char line[LINE_MAX_BYTES];
    char *p = put_decimal(line, (unsigned long long)t_tid);
    p = put_char(p, ' ');
    p = put_char(p, kind);
    p = put_char(p, ' ');
    switch (kind) {
    case 'm':
        p = put_decimal(p, a);
        break;
    case 'c':
    case 'a':
        p = put_decimal(p, a);
        p = put_char(p, ' ');
        p = put_decimal(p, b);
        break;
    case 'r':
        p = put_pointer(p, pointer_a);
        p = put_char(p, ' ');
        p = put_decimal(p, b);
        break;
    default:
        p = put_pointer(p, pointer_a);
        break;
    }
    if (kind != 'f') {
        p = put_char(p, ' ');
        p = put_pointer(p, result);
        if (result != NULL) {
            p = put_text(p, " # hdr=");
            p = put_hex(p, ((const size_t *)result)[-1]);
            p = put_text(p, " usable=");
            p = put_decimal(p, malloc_usable_size((void *)result));
        }
    }
    p = put_char(p, '\n');
    uintptr_t now = (uintptr_t)sbrk(0);
    if (now != g_last_brk) {
        g_last_brk = now;
        p = put_text(p, "# brk ");
        p = put_hex(p, now);
        p = put_char(p, '\n');
    }
    g_calls++;
    append_locked(line, (size_t)(p - line));
}

#define BEGIN_RECORD()                                                                                               \
    t_busy = 1;                                                                                                      \
    pthread_mutex_lock(&g_lock);                                                                                     \
    prepare_locked()

#define END_RECORD()                                                                                                 \
    pthread_mutex_unlock(&g_lock);                                                                                   \
    t_busy = 0

EXPORT void *malloc(size_t size)
{
    if (t_busy || !recording()) {
        return __libc_malloc(size);
    }
    BEGIN_RECORD();
    void *result = __libc_malloc(size);
    int saved = errno;
    record_locked('m', size, 0, NULL, result);
    END_RECORD();
    errno = saved;
    return result;
}

EXPORT void *calloc(size_t count, size_t size)
{
    if (t_busy || !recording()) {
        return __libc_calloc(count, size);
    }
    BEGIN_RECORD();
    void *result = __libc_calloc(count, size);
    int saved = errno;
    record_locked('c', count, size, NULL, result);
    END_RECORD();
    errno = saved;
    return result;
}

EXPORT void *realloc(void *pointer, size_t size)
{
    if (t_busy || !recording()) {
        return __libc_realloc(pointer, size);
    }
    BEGIN_RECORD();
    void *result = __libc_realloc(pointer, size);
    int saved = errno;
    record_locked('r', 0, size, pointer, result);
    END_RECORD();
    errno = saved;
    return result;
}

EXPORT void *reallocarray(void *pointer, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        // glibc fails before touching the heap; nothing happened that a replay could repeat.
        errno = ENOMEM;
        return NULL;
    }
    return realloc(pointer, bytes);
}

EXPORT void free(void *pointer)
{
    if (t_busy || !recording()) {
        __libc_free(pointer);
        return;
    }
    BEGIN_RECORD();
    __libc_free(pointer);
    int saved = errno;
    record_locked('f', 0, 0, pointer, NULL);
    END_RECORD();
    errno = saved;
}

static void *aligned(size_t alignment, size_t size)
{
    if (t_busy || !recording()) {
        return __libc_memalign(alignment, size);
    }
    BEGIN_RECORD();
    void *result = __libc_memalign(alignment, size);
    int saved = errno;
    record_locked('a', alignment, size, NULL, result);
    END_RECORD();
    errno = saved;
    return result;
}

EXPORT void *memalign(size_t alignment, size_t size)
{
    return aligned(alignment, size);
}

// glibc 2.36 defines aligned_alloc as an alias of memalign.
EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    return aligned(alignment, size);
}

EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
    // The same argument check as glibc, before any heap activity.
    if (alignment % sizeof(void *) != 0 || alignment == 0 || ((alignment / sizeof(void *)) & (alignment / sizeof(void *) - 1)) != 0) {
        return EINVAL;
    }
    int saved = errno;
    void *memory = aligned(alignment, size);
    errno = saved;
    if (memory == NULL) {
        return ENOMEM;
    }
    *result = memory;
    return 0;
}

EXPORT void *valloc(size_t size)
{
    if (t_busy || !recording()) {
        return __libc_valloc(size);
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    BEGIN_RECORD();
    void *result = __libc_valloc(size);
    int saved = errno;
    record_locked('a', page, size, NULL, result);
    END_RECORD();
    errno = saved;
    return result;
}

EXPORT void *pvalloc(size_t size)
{
    if (t_busy || !recording()) {
        return __libc_pvalloc(size);
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded = size;
    if (!__builtin_add_overflow(size, page - 1, &rounded)) {
        rounded &= ~(page - 1);
    } else {
        rounded = size;
    }
    BEGIN_RECORD();
    void *result = __libc_pvalloc(size);
    int saved = errno;
    record_locked('a', page, rounded, NULL, result);
    END_RECORD();
    errno = saved;
    return result;
}

// _exit skips destructors: write the buffer and the end marker first.
static void finish_for_exit(void)
{
    if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) != STATE_ACTIVE) {
        return;
    }
    if (getpid() != g_owner) {
        return; // a vfork child whose exec failed: the file and the lock belong to the parent
    }
    pthread_mutex_lock(&g_lock);
    if (g_fd >= 0 && !g_finished) {
        write_end_locked();
    }
    pthread_mutex_unlock(&g_lock);
}

EXPORT void _exit(int status)
{
    finish_for_exit();
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

EXPORT void _Exit(int status)
{
    finish_for_exit();
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

// ---- exec: the image is replaced without destructors, so close the trace first -----------------------------------

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execv_fn)(const char *, char *const[]);
typedef int (*execvpe_fn)(const char *, char *const[], char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);

// The next definition of an exec function (glibc's). dlsym may allocate; such calls are recorded like any other.
static void *next_symbol(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    finish_for_exit();
    execve_fn next = (execve_fn)next_symbol("execve");
    if (next == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return next(path, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
    finish_for_exit();
    execv_fn next = (execv_fn)next_symbol("execv");
    if (next == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return next(path, argv);
}

EXPORT int execvp(const char *file, char *const argv[])
{
    finish_for_exit();
    execv_fn next = (execv_fn)next_symbol("execvp");
    if (next == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return next(file, argv);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    finish_for_exit();
    execvpe_fn next = (execvpe_fn)next_symbol("execvpe");
    if (next == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return next(file, argv, envp);
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    finish_for_exit();
    fexecve_fn next = (fexecve_fn)next_symbol("fexecve");
    if (next == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return next(fd, argv, envp);
}
