/* Copyright (c) Allocators contributors. MIT License.
 *
 * oracle.c — runs an operation script against the machine's real glibc malloc in a fresh process and prints
 * every result as an offset from the initial program break B0, together with the chunk size word and the break.
 *
 * The program never perturbs the heap it observes: no stdio, no malloc of its own. The script is read with
 * read(2) into a static buffer and parsed here; results are formatted into a static buffer and written with
 * write(2). A fatal signal (glibc's abort on a failed integrity check, or a segmentation fault caused by a
 * corrupting script) flushes the results written so far and reports the operation it happened in; glibc's own
 * message goes to fd 2 as usual.
 *
 * Usage: oracle SCRIPT-FILE   ("-" reads the script from fd 0). The environment (GLIBC_TUNABLES, MALLOC_*_)
 * is whatever the caller sets. With ALLOCATORS_ORACLE_NO_ASLR set, the program re-executes itself once with
 * address-space randomization off (personality ADDR_NO_RANDOMIZE, like `setarch -R`) when the kernel allows it,
 * so the heap's address bits are the same on every run: a script that overwrites a safe-linked pointer with
 * fixed bytes (the revealed pointer depends on address bits 12 and up) then ends the same way every time.
 * It is opt-in because the fixed layout is this program's own (its large static buffers lie just below the
 * heap), which changes where wild reads land compared with a randomized process. Exit status 0 on success, 2 on a script error (message on fd 2), or death by
 * the signal that stopped the script.
 *
 * Script syntax: one operation per line; '#' starts a comment; blank lines are ignored. Numbers are decimal
 * or 0x-hexadecimal, optionally negative where a signed value is expected. Every operation that returns a
 * pointer defines the next slot (0, 1, 2, ...), even when it returns NULL. A pointer operand PTR is a slot
 * number optionally followed by a signed byte delta ("3", "3+16", "3-8"), or "null".
 *
 *   malloc N                 calloc N M               realloc PTR N
 *   memalign A N             aligned_alloc A N        posix_memalign A N      (each defines a slot)
 *   valloc N                 pvalloc N
 *   free PTR                 usable PTR               (malloc_usable_size)
 *   trim PAD                 (malloc_trim)            mallopt PARAM VALUE     mallinfo2
 *   malloc_stats             malloc_info              (their text, captured from fd 2 through a pipe)
 *   poke PTR WIDTH VALUE     (store a 1, 2, 4 or 8 byte little-endian VALUE at PTR)
 *   xor PTR WIDTH VALUE      (xor the 1, 2, 4 or 8 byte little-endian word at PTR with VALUE)
 *   fill PTR LENGTH BYTE     (memset)                 peek PTR                (load the 8-byte word at PTR)
 *   sbrk DELTA               (a foreign sbrk by the program)
 *   block OFFSET LENGTH      (map LENGTH bytes of PROT_NONE at B0+OFFSET, MAP_FIXED_NOREPLACE: blocks the break)
 *   memstat                  (the process's resident bytes from /proc/self/statm and its minor faults, getrusage)
 *
 * Output: a header line "oracle 1 b0=HEX v=GLIBC-VERSION", then one line per operation, then "end ops=N b=HEX":
 *   I p=PTR s=HEX b=HEX            pointer results (posix_memalign adds r=RC before b=)
 *   I b=HEX                        free
 *   I r=DEC b=HEX                  usable, trim, mallopt, block (r=0, or -1 when the mapping failed);
 *                                  peek (r=HEX, the word), sbrk (r=HEX, the old break offset, or r=-1)
 *   I t=HEX r=DEC b=HEX            malloc_stats, malloc_info: the text as hexadecimal bytes (r: malloc_info's result)
 *   I ms=RSS,MINFLT b=HEX          memstat: resident bytes and minor page faults of the whole process (decimal)
 *   I mi=F0,F1,...,F9 b=HEX        mallinfo2: arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks
 *                                  fordblks keepcost (decimal)
 * where I is the operation index, b the break after the operation as an offset from B0, p "0" for NULL,
 * "hHEX" for a pointer at B0+HEX, "mHEX" for a chunk with the IS_MMAPPED bit, or "xHEX" for a chunk without it
 * that lies 2^40 or more away from B0 (heap memory from the mmap fallback when brk fails); for m and x, HEX is the
 * pointer's offset in its page, as mapping addresses are the kernel's choice. s is the raw size word at p-8.
 * A fatal signal appends "signal SIG op=I".
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <unistd.h>

enum op_kind {
    OP_MALLOC = 1, OP_CALLOC, OP_REALLOC, OP_MEMALIGN, OP_ALIGNED_ALLOC, OP_POSIX_MEMALIGN, OP_VALLOC, OP_PVALLOC,
    OP_FREE, OP_USABLE, OP_TRIM, OP_MALLOPT, OP_MALLINFO2, OP_POKE, OP_FILL, OP_PEEK, OP_SBRK, OP_XOR, OP_BLOCK, OP_MALLOC_STATS, OP_MALLOC_INFO, OP_MEMSTAT
};

struct op {
    unsigned char kind;
    int slot;            /* pointer operand: slot number, or -1 for null */
    int64_t delta;       /* pointer operand: signed byte delta */
    uint64_t a;
    uint64_t b;
};

#define MAX_SCRIPT (32u << 20)
#define MAX_OPS (1u << 21)
#define OUT_SIZE (1u << 20)
#define OUTSIDE_HEAP (1ull << 40) /* a chunk this far from B0 lives in an mmap fallback region */

static char script[MAX_SCRIPT + 1];
static struct op ops[MAX_OPS];
static unsigned char *slots[MAX_OPS];
static char out[OUT_SIZE];
static size_t out_len;
static uintptr_t b0;
static volatile long current_op = -1;
static volatile size_t line_start;

/* ---------- output ---------- */

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void flush_out(void)
{
    write_all(1, out, out_len);
    out_len = 0;
}

static void put_str(const char *s)
{
    while (*s)
        out[out_len++] = *s++;
}

static void put_hex(uint64_t v)
{
    char tmp[17];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v != 0);
    while (n > 0)
        out[out_len++] = tmp[--n];
}

static void put_dec(uint64_t v)
{
    char tmp[21];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        out[out_len++] = tmp[--n];
}

static void put_sdec(int64_t v)
{
    if (v < 0) {
        out[out_len++] = '-';
        put_dec((uint64_t)0 - (uint64_t)v);
    } else {
        put_dec((uint64_t)v);
    }
}

static void end_line(void)
{
    out[out_len++] = '\n';
    if (out_len > OUT_SIZE - 512)
        flush_out();
}

static void put_break(void)
{
    put_str(" b=");
    put_hex((uintptr_t)sbrk(0) - b0);
}

static void die_usage(const char *what, long line)
{
    /* Unbuffered message on fd 2; the output buffer is empty at this point. */
    char msg[256];
    size_t n = 0;
    const char *prefix = "oracle: ";
    while (*prefix && n < sizeof msg - 40)
        msg[n++] = *prefix++;
    if (line > 0) {
        const char *l = "line ";
        while (*l)
            msg[n++] = *l++;
        char tmp[21];
        int k = 0;
        unsigned long v = (unsigned long)line;
        do {
            tmp[k++] = (char)('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (k > 0)
            msg[n++] = tmp[--k];
        msg[n++] = ':';
        msg[n++] = ' ';
    }
    while (*what && n < sizeof msg - 2)
        msg[n++] = *what++;
    msg[n++] = '\n';
    write_all(2, msg, n);
    _exit(2);
}

/* ---------- fatal signals ---------- */

static void on_fatal(int sig)
{
    out_len = line_start; /* drop the unfinished line of the operation that died */
    put_str("signal ");
    put_dec((uint64_t)sig);
    put_str(" op=");
    put_sdec(current_op);
    out[out_len++] = '\n';
    flush_out();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    static const int sigs[] = { SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    /* A corrupted free list can make glibc loop forever; if the runner is gone, do not linger. */
    alarm(120);
}

/* ---------- parsing ---------- */

static char *cursor;
static long line_no;

static void skip_blanks(void)
{
    while (*cursor == ' ' || *cursor == '\t' || *cursor == '\r')
        cursor++;
}

static int at_end_of_line(void)
{
    skip_blanks();
    return *cursor == '\0' || *cursor == '\n' || *cursor == '#';
}

static int word_is(const char *w, size_t n, const char *s)
{
    size_t k = 0;
    while (k < n && s[k] != '\0' && s[k] == w[k])
        k++;
    return k == n && s[k] == '\0';
}

static uint64_t parse_unsigned(const char *what)
{
    skip_blanks();
    uint64_t v = 0;
    int digits = 0;
    if (cursor[0] == '0' && (cursor[1] == 'x' || cursor[1] == 'X')) {
        cursor += 2;
        for (;;) {
            char c = *cursor;
            int d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                break;
            if (v >> 60)
                die_usage("hexadecimal number too large", line_no);
            v = (v << 4) | (uint64_t)d;
            digits++;
            cursor++;
        }
    } else {
        while (*cursor >= '0' && *cursor <= '9') {
            uint64_t d = (uint64_t)(*cursor - '0');
            if (v > (UINT64_MAX - d) / 10)
                die_usage("decimal number too large", line_no);
            v = v * 10 + d;
            digits++;
            cursor++;
        }
    }
    if (digits == 0)
        die_usage(what, line_no);
    return v;
}

static int64_t parse_signed(const char *what)
{
    skip_blanks();
    int negative = 0;
    if (*cursor == '-') {
        negative = 1;
        cursor++;
    } else if (*cursor == '+') {
        cursor++;
    }
    uint64_t v = parse_unsigned(what);
    if (v > (negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        die_usage("signed number out of range", line_no);
    return negative ? (int64_t)(0 - v) : (int64_t)v;
}

static void parse_pointer(struct op *o, long defined_slots)
{
    skip_blanks();
    if (word_is(cursor, 4, "null") && (cursor[4] == ' ' || cursor[4] == '\t' || cursor[4] == '\n' ||
                                       cursor[4] == '\r' || cursor[4] == '#' || cursor[4] == '\0')) {
        cursor += 4;
        o->slot = -1;
        o->delta = 0;
        return;
    }
    uint64_t s = parse_unsigned("expected a slot number or null");
    if (s >= (uint64_t)defined_slots)
        die_usage("slot not defined yet", line_no);
    o->slot = (int)s;
    o->delta = 0;
    if (*cursor == '+' || *cursor == '-') {
        int negative = *cursor == '-';
        cursor++;
        uint64_t d = parse_unsigned("expected a byte delta after the slot");
        if (d > (uint64_t)INT64_MAX)
            die_usage("delta out of range", line_no);
        o->delta = negative ? -(int64_t)d : (int64_t)d;
    }
}

static long parse_script(size_t length)
{
    script[length] = '\0';
    cursor = script;
    line_no = 0;
    long n = 0;
    long defined_slots = 0;
    while (*cursor != '\0') {
        line_no++;
        if (!at_end_of_line()) {
            if (n >= (long)MAX_OPS)
                die_usage("too many operations", line_no);
            char *w = cursor;
            while ((*cursor >= 'a' && *cursor <= 'z') || *cursor == '_' || (*cursor >= '0' && *cursor <= '9'))
                cursor++;
            size_t wl = (size_t)(cursor - w);
            struct op *o = &ops[n];
            memset(o, 0, sizeof *o);
            o->slot = -1;
            int defines = 1;
            if (word_is(w, wl, "malloc")) {
                o->kind = OP_MALLOC;
                o->a = parse_unsigned("malloc needs a size");
            } else if (word_is(w, wl, "calloc")) {
                o->kind = OP_CALLOC;
                o->a = parse_unsigned("calloc needs a count");
                o->b = parse_unsigned("calloc needs a size");
            } else if (word_is(w, wl, "realloc")) {
                o->kind = OP_REALLOC;
                parse_pointer(o, defined_slots);
                o->a = parse_unsigned("realloc needs a size");
            } else if (word_is(w, wl, "memalign") || word_is(w, wl, "aligned_alloc") ||
                       word_is(w, wl, "posix_memalign")) {
                o->kind = word_is(w, wl, "memalign") ? OP_MEMALIGN
                          : word_is(w, wl, "aligned_alloc") ? OP_ALIGNED_ALLOC : OP_POSIX_MEMALIGN;
                o->a = parse_unsigned("needs an alignment");
                o->b = parse_unsigned("needs a size");
            } else if (word_is(w, wl, "valloc")) {
                o->kind = OP_VALLOC;
                o->a = parse_unsigned("valloc needs a size");
            } else if (word_is(w, wl, "pvalloc")) {
                o->kind = OP_PVALLOC;
                o->a = parse_unsigned("pvalloc needs a size");
            } else {
                defines = 0;
                if (word_is(w, wl, "free")) {
                    o->kind = OP_FREE;
                    parse_pointer(o, defined_slots);
                } else if (word_is(w, wl, "usable")) {
                    o->kind = OP_USABLE;
                    parse_pointer(o, defined_slots);
                } else if (word_is(w, wl, "trim")) {
                    o->kind = OP_TRIM;
                    o->a = parse_unsigned("trim needs a pad");
                } else if (word_is(w, wl, "mallopt")) {
                    o->kind = OP_MALLOPT;
                    o->a = (uint64_t)parse_signed("mallopt needs a parameter");
                    o->b = (uint64_t)parse_signed("mallopt needs a value");
                } else if (word_is(w, wl, "mallinfo2")) {
                    o->kind = OP_MALLINFO2;
                } else if (word_is(w, wl, "malloc_stats")) {
                    o->kind = OP_MALLOC_STATS;
                } else if (word_is(w, wl, "malloc_info")) {
                    o->kind = OP_MALLOC_INFO;
                } else if (word_is(w, wl, "poke") || word_is(w, wl, "xor")) {
                    o->kind = word_is(w, wl, "poke") ? OP_POKE : OP_XOR;
                    parse_pointer(o, defined_slots);
                    o->a = parse_unsigned("needs a width");
                    if (o->a != 1 && o->a != 2 && o->a != 4 && o->a != 8)
                        die_usage("width must be 1, 2, 4 or 8", line_no);
                    o->b = (uint64_t)parse_signed("needs a value");
                } else if (word_is(w, wl, "fill")) {
                    o->kind = OP_FILL;
                    parse_pointer(o, defined_slots);
                    o->a = parse_unsigned("fill needs a length");
                    o->b = parse_unsigned("fill needs a byte");
                    if (o->b > 255)
                        die_usage("fill byte must be 0..255", line_no);
                } else if (word_is(w, wl, "peek")) {
                    o->kind = OP_PEEK;
                    parse_pointer(o, defined_slots);
                } else if (word_is(w, wl, "block")) {
                    o->kind = OP_BLOCK;
                    o->a = parse_unsigned("block needs an offset");
                    o->b = parse_unsigned("block needs a length");
                    if ((o->a & 4095) != 0 || o->b == 0)
                        die_usage("block needs a page-aligned offset and a nonzero length", line_no);
                } else if (word_is(w, wl, "memstat")) {
                    o->kind = OP_MEMSTAT;
                } else if (word_is(w, wl, "sbrk")) {
                    o->kind = OP_SBRK;
                    o->a = (uint64_t)parse_signed("sbrk needs a delta");
                } else {
                    die_usage("unknown operation", line_no);
                }
            }
            if ((o->kind == OP_POKE || o->kind == OP_XOR || o->kind == OP_FILL || o->kind == OP_PEEK) && o->slot < 0)
                die_usage("memory access through a null slot", line_no);
            if (!at_end_of_line())
                die_usage("unexpected text after the operands", line_no);
            if (defines)
                defined_slots++;
            n++;
        }
        while (*cursor != '\0' && *cursor != '\n')
            cursor++;
        if (*cursor == '\n')
            cursor++;
    }
    return n;
}

static size_t read_script(const char *path)
{
    int fd = 0;
    if (!(path[0] == '-' && path[1] == '\0')) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            die_usage("cannot open the script file", 0);
    }
    size_t length = 0;
    for (;;) {
        if (length == MAX_SCRIPT)
            die_usage("script too large", 0);
        ssize_t r = read(fd, script + length, MAX_SCRIPT - length);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            die_usage("cannot read the script", 0);
        }
        if (r == 0)
            break;
        length += (size_t)r;
    }
    if (fd != 0)
        close(fd);
    return length;
}

/* ---------- execution ---------- */

static unsigned char *pointer_of(const struct op *o)
{
    if (o->slot < 0)
        return NULL;
    return (unsigned char *)((uintptr_t)slots[o->slot] + (uintptr_t)o->delta);
}

/* Resident bytes of the process: the second field of /proc/self/statm (pages), read with raw system calls. */
static uint64_t resident_bytes(void)
{
    static char buf[256];
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    const char *c = buf;
    while (*c && *c != ' ')
        c++;
    while (*c == ' ')
        c++;
    uint64_t pages = 0;
    while (*c >= '0' && *c <= '9')
        pages = pages * 10 + (uint64_t)(*c++ - '0');
    return pages * (uint64_t)getpagesize();
}

static void put_pointer(void *p)
{
    if (p == NULL) {
        put_str(" p=0");
        return;
    }
    uint64_t word;
    memcpy(&word, (unsigned char *)p - 8, sizeof word);
    if (word & 2) {
        put_str(" p=m");
        put_hex((uintptr_t)p & 4095);
    } else if ((uintptr_t)p < b0 || (uintptr_t)p - b0 >= OUTSIDE_HEAP) {
        put_str(" p=x");
        put_hex((uintptr_t)p & 4095);
    } else {
        put_str(" p=h");
        put_hex((uintptr_t)p - b0);
    }
    put_str(" s=");
    put_hex(word);
}

/* Runs malloc_stats or malloc_info with fd 2 redirected into a pipe and prints what they wrote as hex.
 * stderr is unbuffered, so stdio formats on the stack and allocates nothing. */
static char capture[1 << 16];

static void run_captured(int info)
{
    int fds[2];
    if (pipe(fds) != 0)
        die_usage("pipe failed", 0);
    int saved = dup(2);
    dup2(fds[1], 2);
    int rc = 0;
    if (info)
        rc = malloc_info(0, stderr);
    else
        malloc_stats();
    dup2(saved, 2);
    close(saved);
    close(fds[1]);
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fds[0], capture + n, sizeof capture - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == sizeof capture)
            break;
    }
    close(fds[0]);
    if (out_len + 2 * n + 64 > OUT_SIZE)
        flush_out();
    put_str(" t=");
    for (size_t k = 0; k < n; k++) {
        out[out_len++] = "0123456789abcdef"[(unsigned char)capture[k] >> 4];
        out[out_len++] = "0123456789abcdef"[(unsigned char)capture[k] & 15];
    }
    put_str(" r=");
    put_sdec(rc);
}

static void run(long n)
{
    long defined = 0;
    for (long i = 0; i < n; i++) {
        const struct op *o = &ops[i];
        current_op = i;
        line_start = out_len;
        void *p = NULL;
        put_dec((uint64_t)i);
        switch (o->kind) {
        case OP_MALLOC:
            p = malloc(o->a);
            break;
        case OP_CALLOC:
            p = calloc(o->a, o->b);
            break;
        case OP_REALLOC:
            p = realloc(pointer_of(o), o->a);
            break;
        case OP_MEMALIGN:
            p = memalign(o->a, o->b);
            break;
        case OP_ALIGNED_ALLOC:
            p = aligned_alloc(o->a, o->b);
            break;
        case OP_POSIX_MEMALIGN: {
            int rc = posix_memalign(&p, o->a, o->b);
            if (rc != 0)
                p = NULL;
            slots[defined++] = p;
            put_pointer(p);
            put_str(" r=");
            put_dec((uint64_t)rc);
            put_break();
            end_line();
            continue;
        }
        case OP_VALLOC:
            p = valloc(o->a);
            break;
        case OP_PVALLOC:
            p = pvalloc(o->a);
            break;
        case OP_FREE:
            free(pointer_of(o));
            put_break();
            end_line();
            continue;
        case OP_USABLE:
            put_str(" r=");
            put_dec(malloc_usable_size(pointer_of(o)));
            put_break();
            end_line();
            continue;
        case OP_TRIM:
            put_str(" r=");
            put_dec((uint64_t)malloc_trim(o->a));
            put_break();
            end_line();
            continue;
        case OP_MALLOPT:
            put_str(" r=");
            put_sdec(mallopt((int)(int64_t)o->a, (int)(int64_t)o->b));
            put_break();
            end_line();
            continue;
        case OP_MALLINFO2: {
            struct mallinfo2 mi = mallinfo2();
            put_str(" mi=");
            const size_t f[10] = { mi.arena, mi.ordblks, mi.smblks, mi.hblks, mi.hblkhd,
                                   mi.usmblks, mi.fsmblks, mi.uordblks, mi.fordblks, mi.keepcost };
            for (int k = 0; k < 10; k++) {
                if (k > 0)
                    out[out_len++] = ',';
                put_dec(f[k]);
            }
            put_break();
            end_line();
            continue;
        }
        case OP_POKE:
        case OP_XOR: {
            volatile unsigned char *q = pointer_of(o);
            uint64_t v = o->b;
            for (uint64_t k = 0; k < o->a; k++) {
                unsigned char byte = (unsigned char)(v & 0xff);
                q[k] = o->kind == OP_XOR ? (unsigned char)(q[k] ^ byte) : byte;
                v >>= 8;
            }
            put_break();
            end_line();
            continue;
        }
        case OP_FILL: {
            volatile unsigned char *q = pointer_of(o);
            for (uint64_t k = 0; k < o->a; k++)
                q[k] = (unsigned char)o->b;
            put_break();
            end_line();
            continue;
        }
        case OP_PEEK: {
            uint64_t word = 0;
            const volatile unsigned char *q = pointer_of(o);
            for (int k = 7; k >= 0; k--)
                word = (word << 8) | q[k];
            put_str(" r=");
            put_hex(word);
            put_break();
            end_line();
            continue;
        }
        case OP_SBRK: {
            void *old = sbrk((intptr_t)(int64_t)o->a);
            put_str(" r=");
            if (old == (void *)-1)
                put_str("-1");
            else
                put_hex((uintptr_t)old - b0);
            put_break();
            end_line();
            continue;
        }
        case OP_MALLOC_STATS:
        case OP_MALLOC_INFO:
            run_captured(o->kind == OP_MALLOC_INFO);
            put_break();
            end_line();
            continue;
        case OP_MEMSTAT: {
            put_str(" ms=");
            put_dec(resident_bytes());
            out[out_len++] = ',';
            struct rusage ru;
            put_dec(getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_minflt : 0);
            put_break();
            end_line();
            continue;
        }
        case OP_BLOCK: {
            void *want = (void *)(b0 + (uintptr_t)o->a);
            void *got = mmap(want, o->b, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            put_str(got == want ? " r=0" : " r=-1");
            if (got != MAP_FAILED && got != want)
                munmap(got, o->b);
            put_break();
            end_line();
            continue;
        }
        default:
            die_usage("internal error: unknown operation kind", 0);
        }
        slots[defined++] = p;
        put_pointer(p);
        put_break();
        end_line();
    }
    current_op = n;
}

/* Re-executes the program with ADDR_NO_RANDOMIZE once; returns when randomization is already off or cannot be. */
static void without_aslr(char **argv)
{
    int current = personality(0xffffffff);
    if (current == -1 || (current & ADDR_NO_RANDOMIZE) != 0)
        return;
    if (personality((unsigned long)current | ADDR_NO_RANDOMIZE) == -1)
        return;
    execv("/proc/self/exe", argv);
    personality((unsigned long)current); /* the exec failed: go on as we are */
}

int main(int argc, char **argv)
{
    if (getenv("ALLOCATORS_ORACLE_NO_ASLR") != NULL)
        without_aslr(argv);
    b0 = (uintptr_t)sbrk(0);
    install_handlers();
    if (argc != 2)
        die_usage("usage: oracle SCRIPT-FILE (or - for standard input)", 0);
    size_t length = read_script(argv[1]);
    long n = parse_script(length);
    put_str("oracle 1 b0=");
    put_hex(b0);
    put_str(" v=");
    put_str(gnu_get_libc_version());
    end_line();
    run(n);
    put_str("end ops=");
    put_dec((uint64_t)n);
    put_break();
    end_line();
    flush_out();
    _exit(0);
}
