/*
 * porthole.h - publish counters, gauges, load, tasks, info and probes from
 * a C or C++ daemon in a porthole shmstat segment, readable by
 * `porthole ls`, `porthole stat`, `porthole top` and `porthole profile`.
 *
 * Single header, C11 (C++ compatible), Linux, nothing beyond libc. It writes
 * segment format version 1 as docs/FORMAT.md describes it. In exactly one
 * .c file, include it first with the implementation switched on:
 *
 *     #define PORTHOLE_IMPLEMENTATION
 *     #include "porthole.h"
 *
 * (the implementation needs _GNU_SOURCE for open-file-description locks;
 * the header defines it when it is the first include, else compile with
 * -D_GNU_SOURCE). Everywhere else include it plainly.
 *
 *     char err[256];
 *     ph_segment *seg = ph_create("mydaemon", NULL, err, sizeof err);
 *     if (!seg) { fprintf(stderr, "%s\n", err); exit(1); }
 *     ph_counter requests = ph_counter_new(seg, "requests", "requests served", "req");
 *     ph_probe worker = ph_probe_new(seg, "worker");
 *     uint64_t waiting = ph_site(seg, "waiting on queue");
 *     for (;;) {
 *         ph_probe_mark(worker, waiting);
 *         ... wait for work ...
 *         ph_counter_add(requests, 1);   // one atomic add
 *         ph_heartbeat(seg);             // about once a second is enough
 *     }
 *
 * Registration functions never fail in a way the caller must handle: when
 * the segment is full, a name is longer than 63 bytes or a unit longer than
 * 15 (refused, never cut), or seg is NULL, they return a handle on private
 * memory, so updates work and readers just do not see them; ph_error says
 * what went wrong, and the segment counts the failure for readers
 * ("N registrations failed"). Updates (add, set, mark, busy/idle) are lock
 * free and may run on any thread. Registrations must not run on two threads
 * at once (the lock file's flock excludes other processes, not this one's
 * threads), and task/info updates of one handle come from one thread.
 *
 * Counters and gauges are shared by every process of the segment (a Go
 * process attached to it adds to the same record) unless made with
 * ph_counter_per_process / ph_gauge_per_process; loads, tasks and info are
 * always this process's own (descriptor tag = slot + 1).
 *
 * The segment is created in opts->dir, else $PORTHOLE_DIR, else
 * $XDG_RUNTIME_DIR/porthole when $XDG_RUNTIME_DIR exists, else
 * /run/porthole for root (or for the user who owns it), else
 * /dev/shm/porthole-UID, as the Go writer chooses, under flock of the lock file .NAME.lock beside it. A live
 * owner of the same name makes ph_create fail; a dead owner's segment is
 * replaced by a fresh file. The owner holds an open-file-description write
 * lock on slot 0's lock byte for its whole life: that is its liveness.
 */
#ifndef PORTHOLE_H
#define PORTHOLE_H

#if defined(PORTHOLE_IMPLEMENTATION) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1
#endif

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ---- The segment layout: every number of the format, in one place. ----
 * These mirror shmstat/layout.go and docs/FORMAT.md; update all three
 * together.
 */
#define PH_MAGIC "PORTHOLE"
#define PH_FORMAT_VERSION 1u
#define PH_HEADER_SIZE 4096u
#define PH_DESC_SIZE 256u
#define PH_SLOT_SIZE 512u
#define PH_PAGE_SIZE 4096u
#define PH_MAX_PROBES 32u
#define PH_MAX_FLAGS 64u
#define PH_NAME_LEN 64u  /* descriptor name and segment name, NUL padded */
#define PH_UNIT_LEN 16u
#define PH_HELP_LEN 152u
#define PH_ROLE_LEN 32u
#define PH_UNIT_MAX (PH_UNIT_LEN - 1u) /* a longer unit is refused */
#define PH_CACHE_LINE 64u

/* limits (FORMAT.md "Header"): readers refuse more, so creation does too */
#define PH_MAX_DESCS 65536u
#define PH_MAX_VALUE_BYTES (64u << 20)
#define PH_MAX_SLOTS 4096u
#define PH_MAX_TOTAL (128ull << 20)

/* header (FORMAT.md "Header") */
#define PH_H_MAGIC 0u
#define PH_H_VERSION 8u      /* u32 */
#define PH_H_HEADER_SIZE 12u /* u32 */
#define PH_H_GENERATION 16u  /* u64 */
#define PH_H_OWNER_PID 24u   /* u32 */
#define PH_H_OWNER_START 32u /* u64 clock ticks since boot */
#define PH_H_CREATED 40u     /* i64 unix ns */
#define PH_H_READY 48u       /* u32 atomic, set to 1 last (release) */
#define PH_H_TOTAL_SIZE 56u  /* u64 */
#define PH_H_DESC_OFF 64u    /* u64 */
#define PH_H_DESC_SIZE 72u   /* u32 */
#define PH_H_DESC_CAP 76u    /* u32 */
#define PH_H_DESC_COUNT 80u  /* u32 atomic, published after the entry */
#define PH_H_VALUES_OFF 88u  /* u64 */
#define PH_H_VALUES_SIZE 96u /* u64 */
#define PH_H_VALUES_USED 104u /* u64, under the register lock */
#define PH_H_SLOTS_OFF 112u  /* u64 */
#define PH_H_SLOT_SIZE 120u  /* u32 */
#define PH_H_SLOT_COUNT 124u /* u32 */
#define PH_H_PROBES 128u     /* u32 probe words per slot */
#define PH_H_NAME 136u       /* [64] service name */
#define PH_H_REG_FAILED 200u /* u64 atomic: registrations that failed */

/* descriptor (FORMAT.md "Descriptors"): kind u16 and flags u16 share one u32 */
#define PH_D_KIND 0u
#define PH_D_TAG 4u /* u32: 0 shared, slot + 1 per process */
#define PH_D_VALUE 8u
#define PH_D_AUX 16u
#define PH_D_NAME 24u
#define PH_D_UNIT 88u
#define PH_D_HELP 104u

/* kinds */
#define PH_KIND_COUNTER 1u
#define PH_KIND_GAUGE 2u
#define PH_KIND_SEQUENCE 3u
#define PH_KIND_LOAD 4u
#define PH_KIND_TASK 5u
#define PH_KIND_INFO 6u
#define PH_KIND_FLAG 7u
#define PH_KIND_PROBE 8u
#define PH_KIND_SITE 9u

/* value records (FORMAT.md "Seqlock records") */
#define PH_LOAD_SIZE 32u
#define PH_L_SEQ 0u
#define PH_L_BUSY 8u
#define PH_L_BUSY_SINCE 16u
#define PH_TASK_SIZE 192u
#define PH_T_SEQ 0u
#define PH_T_RUNNING 8u
#define PH_T_START 16u
#define PH_T_END 24u
#define PH_T_SUCCESS 32u
#define PH_T_RESULT 40u
#define PH_T_RUNS 48u
#define PH_T_FAILS 56u
#define PH_T_MSG_LEN 64u
#define PH_T_MSG 72u
#define PH_TASK_MSG_CAP (PH_TASK_SIZE - PH_T_MSG)
#define PH_TEXT_SIZE 128u
#define PH_X_SEQ 0u
#define PH_X_LEN 8u
#define PH_X_TEXT 16u
#define PH_TEXT_CAP (PH_TEXT_SIZE - PH_X_TEXT)
#define PH_RESULT_OK 1u
#define PH_RESULT_FAILED 2u

/* process slot (FORMAT.md "Process slots") */
#define PH_S_STATE 0u /* u32 atomic: 0 free, 1 claiming, 2 active */
#define PH_S_PID 4u
#define PH_S_START 8u
#define PH_S_CLAIM 16u
#define PH_S_HEARTBEAT 24u
#define PH_S_FLAGS 32u
#define PH_S_ROLE 40u
#define PH_S_PROBES 128u
#define PH_SLOT_CLAIMING 1u
#define PH_SLOT_ACTIVE 2u

/* locks (FORMAT.md "Locks and liveness"): slot i's process holds an OFD
 * write lock on byte PH_LOCK_SLOT_BASE + i, far beyond the file's end (slot
 * 0: the owner). Creation and registration serialise on flock(LOCK_EX) of
 * the lock file .NAME.lock (mode 0600) beside the segment. */
#define PH_LOCK_SLOT_BASE ((1LL << 40) + 4096)
#define PH_LOCK_FILE_MODE 0600

#define PH_SITE_BIT (1ULL << 63)

/* defaults, as the Go writer's */
#define PH_DEFAULT_DESCS 1024u
#define PH_DEFAULT_VALUE_BYTES (256u << 10)
#define PH_DEFAULT_SLOTS 64u

/* ---- API ---- */

typedef struct ph_segment ph_segment;

/* ph_options may be NULL; zero fields take the defaults. */
typedef struct ph_options {
    const char *dir;       /* segment directory (see above) */
    const char *role;      /* the owner's role name; default "owner" */
    uint32_t descriptors;  /* default 1024, at most 65,536 */
    uint32_t value_bytes;  /* default 256 KiB, at most 64 MiB (rounded up to 64) */
    uint32_t slots;        /* default 64, at most 4,096 */
} ph_options;

typedef struct { uint64_t *p; } ph_counter;
typedef struct { uint64_t *p; } ph_gauge;
typedef struct { unsigned char *r; } ph_load;
typedef struct { unsigned char *r; } ph_task;
typedef struct { uint64_t *p; } ph_probe;
typedef struct { uint64_t *word; uint64_t bit; } ph_flag;

/* ph_create makes the segment of service name (1-63 of [A-Za-z0-9._-], not
 * starting with '.') and makes this process its owner. On failure (a live
 * owner, options beyond the limits, an unsafe directory or file...) it
 * returns NULL and writes the reason to err (if errlen > 0). */
ph_segment *ph_create(const char *name, const ph_options *opts, char *err, size_t errlen);
/* ph_close removes the segment file (if it is still ours) and frees seg.
 * Handles must not be used afterwards. */
void ph_close(ph_segment *seg);
/* ph_heartbeat stamps this process's heartbeat; call it about once a second. */
void ph_heartbeat(ph_segment *seg);
/* ph_error returns the first registration error, or NULL. */
const char *ph_error(const ph_segment *seg);
/* ph_failures returns how many registrations of this process failed. */
uint64_t ph_failures(const ph_segment *seg);
/* ph_path returns the segment file's path. */
const char *ph_path(const ph_segment *seg);

ph_counter ph_counter_new(ph_segment *seg, const char *name, const char *help, const char *unit);
ph_gauge ph_gauge_new(ph_segment *seg, const char *name, const char *help, const char *unit);
/* ph_counter_per_process / ph_gauge_per_process register this process's own
 * record (shown in its slot) instead of the shared one. */
ph_counter ph_counter_per_process(ph_segment *seg, const char *name, const char *help, const char *unit);
ph_gauge ph_gauge_per_process(ph_segment *seg, const char *name, const char *help, const char *unit);
ph_load ph_load_new(ph_segment *seg, const char *name);
/* every_ns is the expected interval between runs (overdue after 1.5 of them). */
ph_task ph_task_new(ph_segment *seg, const char *name, int64_t every_ns);
void ph_info(ph_segment *seg, const char *name, const char *value);
ph_probe ph_probe_new(ph_segment *seg, const char *name);
/* ph_site returns the probe word value meaning "at this named site". */
uint64_t ph_site(ph_segment *seg, const char *name);
/* ph_flag_new registers a debug flag of this process, switched from
 * outside with `porthole debug NAME +flag`; at most 64 per segment. */
ph_flag ph_flag_new(ph_segment *seg, const char *name);

static inline void ph_counter_add(ph_counter c, uint64_t n) { __atomic_fetch_add(c.p, n, __ATOMIC_RELAXED); }
static inline void ph_gauge_set(ph_gauge g, int64_t v) { __atomic_store_n(g.p, (uint64_t)v, __ATOMIC_RELAXED); }
static inline void ph_gauge_add(ph_gauge g, int64_t d) { __atomic_fetch_add(g.p, (uint64_t)d, __ATOMIC_RELAXED); }
static inline void ph_probe_mark(ph_probe p, uint64_t site) { __atomic_store_n(p.p, site, __ATOMIC_RELAXED); }
/* ph_flag_on costs one atomic load. */
static inline int ph_flag_on(ph_flag f) { return (__atomic_load_n(f.word, __ATOMIC_RELAXED) & f.bit) != 0; }
/* ph_load_busy / ph_load_idle mark the worker busy or idle from now; one
 * thread should drive a given load. */
void ph_load_busy(ph_load l);
void ph_load_idle(ph_load l);
/* ph_task_start returns 0, recording nothing, while a run is in progress. */
int ph_task_start(ph_task t);
/* ph_task_done ends a run: ok != 0 for success; msg (may be NULL) is the
 * error text or a note, at most 120 bytes kept. */
void ph_task_done(ph_task t, int ok, const char *msg);

#ifdef __cplusplus
}
#endif
#endif /* PORTHOLE_H */

#ifdef PORTHOLE_IMPLEMENTATION
#ifndef PORTHOLE_IMPLEMENTATION_DONE
#define PORTHOLE_IMPLEMENTATION_DONE

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef F_OFD_GETLK /* Linux values, the same on every architecture */
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

struct ph_segment {
    unsigned char *m;
    size_t size;
    int fd;      /* the segment file: holds slot 0's lock byte */
    int lock_fd; /* the lock file .NAME.lock: flock for each registration */
    char path[4096];
    char err[256];
    uint64_t failures; /* registrations of this process that failed */
    uint64_t desc_off, desc_cap, values_off, values_size, slots_off, slot_count, probes;
    uint64_t slot;     /* this process's slot: 0, the owner's */
    uint64_t slot_off;
};

/* memory access: atomic words as FORMAT.md prescribes */
static uint64_t ph__ld64(const unsigned char *m, uint64_t off) { return __atomic_load_n((const uint64_t *)(const void *)(m + off), __ATOMIC_ACQUIRE); }
static uint32_t ph__ld32(const unsigned char *m, uint64_t off) { return __atomic_load_n((const uint32_t *)(const void *)(m + off), __ATOMIC_ACQUIRE); }
static void ph__st64(unsigned char *m, uint64_t off, uint64_t v) { __atomic_store_n((uint64_t *)(void *)(m + off), v, __ATOMIC_SEQ_CST); }
static void ph__st32(unsigned char *m, uint64_t off, uint32_t v) { __atomic_store_n((uint32_t *)(void *)(m + off), v, __ATOMIC_SEQ_CST); }
/* ph__putstr stores s NUL padded in cap bytes; callers check that it fits
 * where cutting it would matter (names, units). */
static void ph__putstr(unsigned char *m, uint64_t off, size_t cap, const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n > cap - 1) n = cap - 1;
    memset(m + off, 0, cap);
    if (n) memcpy(m + off, s, n);
}

static void ph__seterr(char *dst, size_t cap, const char *fmt, ...) {
    if (!dst || cap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

static int64_t ph__clock(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ph__start_time reads field 22 of /proc/self/stat: clock ticks since boot. */
static uint64_t ph__start_time(void) {
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "re");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (!p) return 0;
    p++; /* the space before field 3 */
    for (int field = 3; field < 22 && p; field++) p = strchr(p + 1, ' '); /* to the space before field+1 */
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* ph__ofd takes, releases or tests (cmd) an OFD lock of type on one byte;
 * it returns fcntl's result, with the lock's type after F_OFD_GETLK in
 * *got (if not NULL). */
static int ph__ofd(int fd, int cmd, short type, long long off, short *got) {
    struct flock lk;
    memset(&lk, 0, sizeof lk);
    lk.l_type = type;
    lk.l_whence = SEEK_SET;
    lk.l_start = off;
    lk.l_len = 1;
    int r;
    do {
        r = fcntl(fd, cmd, &lk);
    } while (r < 0 && errno == EINTR);
    if (got) *got = lk.l_type;
    return r;
}

/* ph__flock_wait takes flock(LOCK_EX) on fd, waiting for it. */
static int ph__flock_wait(int fd) {
    int r;
    do {
        r = flock(fd, LOCK_EX);
    } while (r < 0 && errno == EINTR);
    return r;
}

static int ph__valid_name(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n >= PH_NAME_LEN || name[0] == '.') return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return 0;
    }
    return 1;
}

static int ph__isdir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ph__mkdirs creates dir (mode) and, when missing, its parents (0755). */
static int ph__mkdirs(char *dir, mode_t mode) {
    if (mkdir(dir, mode) == 0 || errno == EEXIST) return 0;
    if (errno != ENOENT) return -1;
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return -1;
    *slash = 0;
    int r = ph__mkdirs(dir, 0755);
    *slash = '/';
    if (r < 0) return -1;
    return mkdir(dir, mode) == 0 || errno == EEXIST ? 0 : -1;
}

/* ph__dir picks the segment directory as the Go writer does (FORMAT.md,
 * top): $PORTHOLE_DIR, else $XDG_RUNTIME_DIR/porthole when that directory
 * exists, else /run/porthole for root or for the user who owns an existing
 * /run/porthole, else /dev/shm/porthole-UID. It creates it (mode 0700)
 * and refuses it when it is a link, not ours, or writable by others. */
static int ph__dir(const ph_options *o, char *dir, size_t cap, char *err, size_t errlen) {
    const char *d = o && o->dir && *o->dir ? o->dir : getenv("PORTHOLE_DIR");
    const char *x = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    if (d && *d) snprintf(dir, cap, "%s", d);
    else if (x && *x && ph__isdir(x)) snprintf(dir, cap, "%s/porthole", x);
    else if (geteuid() == 0 && ph__isdir("/run")) snprintf(dir, cap, "/run/porthole");
    else if (lstat("/run/porthole", &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) snprintf(dir, cap, "/run/porthole");
    else snprintf(dir, cap, "/dev/shm/porthole-%u", (unsigned)geteuid());
    if (ph__mkdirs(dir, 0700) < 0) {
        ph__seterr(err, errlen, "porthole: create directory %s: %s", dir, strerror(errno));
        return -1;
    }
    if (lstat(dir, &st) < 0) {
        ph__seterr(err, errlen, "porthole: directory %s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode) || (st.st_mode & 022) || st.st_uid != geteuid()) {
        ph__seterr(err, errlen, "porthole: directory %s is a link, not ours, or writable by others: refused (%s)", dir,
                   strncmp(dir, "/dev/shm/porthole-", 18) == 0
                       ? "another user may have created it first to block your daemons: look at what it holds, remove it as root, or set PORTHOLE_DIR (or XDG_RUNTIME_DIR) to a directory of your own"
                       : "fix or remove it, or set PORTHOLE_DIR to a directory of your own");
        return -1;
    }
    return 0;
}

/* ph__open_file opens path with flags, never through a link and never
 * blocking (a FIFO named *.shm cannot hang us), and refuses anything but a
 * regular file of ours not writable by group or others; with private set,
 * also any group or other permission (the lock file: readers must not be
 * able to open it). It returns the fd, or -1 with err written. */
static int ph__open_file(const char *path, int flags, int private_, char *err, size_t errlen) {
    int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, PH_LOCK_FILE_MODE);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP) ph__seterr(err, errlen, "porthole: open %s: a symbolic link stands there: refused", path);
        else ph__seterr(err, errlen, "porthole: open %s: %s", path, strerror(e));
        errno = e; /* the caller tells ENOENT apart */
        return -1;
    }
    struct stat st;
    const char *bad = NULL;
    if (fstat(fd, &st) < 0) bad = strerror(errno);
    else if (!S_ISREG(st.st_mode)) bad = "not a regular file: refused";
    else if (st.st_uid != geteuid()) bad = "not owned by us: refused";
    else if (st.st_mode & (private_ ? 077 : 022)) bad = private_ ? "readable or writable by others, want mode 0600: refused" : "writable by group or others: refused";
    if (bad) {
        ph__seterr(err, errlen, "porthole: open %s: %s", path, bad);
        close(fd);
        errno = EPERM;
        return -1;
    }
    return fd;
}

/* ph__claim_slot0 makes slot 0 this process's (FORMAT.md "Process slots"):
 * the write lock on its byte is the owner's liveness while it lives. */
static int ph__claim_slot0(ph_segment *s, const char *role) {
    if (ph__ofd(s->fd, F_OFD_SETLK, F_WRLCK, PH_LOCK_SLOT_BASE + 0, NULL) < 0) return -1;
    unsigned char *m = s->m;
    uint64_t o = s->slot_off;
    ph__st32(m, o + PH_S_STATE, PH_SLOT_CLAIMING);
    ph__st32(m, o + PH_S_PID, (uint32_t)getpid());
    ph__st64(m, o + PH_S_START, ph__start_time());
    ph__st64(m, o + PH_S_CLAIM, ph__ld64(m, o + PH_S_CLAIM) + 1);
    ph__st64(m, o + PH_S_HEARTBEAT, (uint64_t)ph__clock(CLOCK_REALTIME));
    ph__st64(m, o + PH_S_FLAGS, 0);
    for (uint64_t p = 0; p < PH_MAX_PROBES; p++) ph__st64(m, o + PH_S_PROBES + p * 8, 0);
    ph__putstr(m, o + PH_S_ROLE, PH_ROLE_LEN, role && *role ? role : "owner");
    ph__st32(m, o + PH_S_STATE, PH_SLOT_ACTIVE);
    return 0;
}

/* ph__write_header fills the header of a new segment (FORMAT.md "Header"),
 * all but the ready word. */
static void ph__write_header(ph_segment *s, const char *name, uint64_t gen, uint64_t total) {
    unsigned char *m = s->m;
    memcpy(m + PH_H_MAGIC, PH_MAGIC, 8);
    ph__st32(m, PH_H_VERSION, PH_FORMAT_VERSION);
    ph__st32(m, PH_H_HEADER_SIZE, PH_HEADER_SIZE);
    ph__st64(m, PH_H_GENERATION, gen);
    ph__st32(m, PH_H_OWNER_PID, (uint32_t)getpid());
    ph__st64(m, PH_H_OWNER_START, ph__start_time());
    ph__st64(m, PH_H_CREATED, (uint64_t)ph__clock(CLOCK_REALTIME));
    ph__st64(m, PH_H_TOTAL_SIZE, total);
    ph__st64(m, PH_H_DESC_OFF, s->desc_off);
    ph__st32(m, PH_H_DESC_SIZE, PH_DESC_SIZE);
    ph__st32(m, PH_H_DESC_CAP, (uint32_t)s->desc_cap);
    ph__st64(m, PH_H_VALUES_OFF, s->values_off);
    ph__st64(m, PH_H_VALUES_SIZE, s->values_size);
    ph__st64(m, PH_H_SLOTS_OFF, s->slots_off);
    ph__st32(m, PH_H_SLOT_SIZE, PH_SLOT_SIZE);
    ph__st32(m, PH_H_SLOT_COUNT, (uint32_t)s->slot_count);
    ph__st32(m, PH_H_PROBES, PH_MAX_PROBES);
    ph__putstr(m, PH_H_NAME, PH_NAME_LEN, name);
}

/* ph__layout is the regions of a segment made with o (FORMAT.md "Regions"). */
typedef struct {
    uint64_t descs, vbytes, slots, desc_off, values_off, slots_off, total;
} ph__layout;

/* ph__sizes computes the layout of o and refuses options beyond the limits
 * readers accept (FORMAT.md "Header"). */
static int ph__sizes(const ph_options *o, ph__layout *l, char *err, size_t errlen) {
    l->descs = o && o->descriptors ? o->descriptors : PH_DEFAULT_DESCS;
    l->vbytes = o && o->value_bytes ? o->value_bytes : PH_DEFAULT_VALUE_BYTES;
    l->vbytes = (l->vbytes + PH_CACHE_LINE - 1) & ~(uint64_t)(PH_CACHE_LINE - 1);
    l->slots = o && o->slots ? o->slots : PH_DEFAULT_SLOTS;
    l->desc_off = PH_HEADER_SIZE;
    l->values_off = l->desc_off + l->descs * PH_DESC_SIZE;
    l->slots_off = (l->values_off + l->vbytes + PH_PAGE_SIZE - 1) & ~(uint64_t)(PH_PAGE_SIZE - 1);
    l->total = (l->slots_off + l->slots * PH_SLOT_SIZE + PH_PAGE_SIZE - 1) & ~(uint64_t)(PH_PAGE_SIZE - 1);
    if (l->descs > PH_MAX_DESCS || l->vbytes > PH_MAX_VALUE_BYTES || l->slots > PH_MAX_SLOTS || l->total > PH_MAX_TOTAL) {
        ph__seterr(err, errlen, "porthole: options: %llu values, %llu value bytes, %llu slots (%llu bytes in all): at most %u, %u, %u and %llu",
                   (unsigned long long)l->descs, (unsigned long long)l->vbytes, (unsigned long long)l->slots, (unsigned long long)l->total,
                   PH_MAX_DESCS, PH_MAX_VALUE_BYTES, PH_MAX_SLOTS, (unsigned long long)PH_MAX_TOTAL);
        return -1;
    }
    return 0;
}

/* ph__build writes a complete, locked, ready segment into a new temporary
 * file tmp (FORMAT.md "Regions", "Header", "Creation and replacement"). */
static ph_segment *ph__build(const char *name, const char *tmp, const ph_options *o, const ph__layout *l, char *err, size_t errlen) {
    uint64_t gen = 0;
    if (getrandom(&gen, sizeof gen, 0) != (ssize_t)sizeof gen) gen = (uint64_t)ph__clock(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32);

    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) {
        ph__seterr(err, errlen, "porthole: create %s: %s", tmp, strerror(errno));
        return NULL;
    }
    ph_segment *s = (ph_segment *)calloc(1, sizeof *s);
    int e = 0;
    const char *what = "allocate";
    if (!s) { e = ENOMEM; goto fail; }
    s->fd = fd;
    s->lock_fd = -1;
    if (fchmod(fd, 0600) < 0) { e = errno; what = "chmod"; goto fail; }
    /* Readers refuse a sparse file; and a full tmpfs fails here, not with SIGBUS. */
    if ((e = posix_fallocate(fd, 0, (off_t)l->total)) != 0) { what = "allocate"; goto fail; }
    s->m = (unsigned char *)mmap(NULL, l->total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s->m == MAP_FAILED) { s->m = NULL; e = errno; what = "map"; goto fail; }
    s->size = l->total;
    s->desc_off = l->desc_off; s->desc_cap = l->descs;
    s->values_off = l->values_off; s->values_size = l->vbytes;
    s->slots_off = l->slots_off; s->slot_count = l->slots; s->probes = PH_MAX_PROBES;
    s->slot = 0; s->slot_off = l->slots_off;
    ph__write_header(s, name, gen, l->total);
    if (ph__claim_slot0(s, o ? o->role : NULL) < 0) { e = errno; what = "lock slot 0 of"; goto fail; }
    __atomic_store_n((uint32_t *)(void *)(s->m + PH_H_READY), 1u, __ATOMIC_RELEASE); /* last */
    return s;
fail:
    ph__seterr(err, errlen, "porthole: %s %s: %s", what, tmp, strerror(e));
    if (s && s->m) munmap(s->m, l->total);
    free(s);
    close(fd);
    unlink(tmp);
    return NULL;
}

/* ph__old looks at the segment already at path (FORMAT.md "Creation and
 * replacement"). It returns 0 when there is none, 1 when its owner is dead
 * (it may be replaced) and -1, with err written, when its owner lives or
 * the file is unsafe. It takes no lock on the file: liveness is the
 * owner's write lock on slot 0's byte, tested with a read lock, which
 * nothing a reader holds conflicts with. */
static int ph__old(const char *path, char *err, size_t errlen) {
    int old = ph__open_file(path, O_RDONLY, 0, err, errlen);
    if (old < 0) return errno == ENOENT ? 0 : -1;
    short got = F_UNLCK;
    if (ph__ofd(old, F_OFD_GETLK, F_RDLCK, PH_LOCK_SLOT_BASE + 0, &got) < 0) {
        ph__seterr(err, errlen, "porthole: create %s: test the old owner's lock: %s", path, strerror(errno));
        close(old);
        return -1;
    }
    if (got != F_WRLCK) {
        close(old);
        return 1;
    }
    unsigned char hdr[PH_HEADER_SIZE];
    if (pread(old, hdr, sizeof hdr, 0) == (ssize_t)sizeof hdr && memcmp(hdr, PH_MAGIC, 8) == 0) {
        uint32_t pid;
        uint64_t start;
        int64_t created;
        memcpy(&pid, hdr + PH_H_OWNER_PID, 4);
        memcpy(&start, hdr + PH_H_OWNER_START, 8);
        memcpy(&created, hdr + PH_H_CREATED, 8);
        ph__seterr(err, errlen, "porthole: create %s: already running since unix time %lld (pid %u, start time %llu)",
                   path, (long long)(created / 1000000000LL), pid, (unsigned long long)start);
    } else {
        ph__seterr(err, errlen, "porthole: create %s: already running (a live process holds the lock)", path);
    }
    close(old);
    return -1;
}

/* ph__create_once builds a segment in a temporary file and installs it at
 * path: with link when none is there, with rename over a dead owner's
 * file. The caller holds the lock file. It returns the segment, or NULL
 * with *retry set when another creator (one that does not take the lock
 * file) put a file at path meanwhile. */
static ph_segment *ph__create_once(const char *name, const char *dir, const char *path, const ph_options *o,
                                   const ph__layout *l, int *retry, char *err, size_t errlen) {
    char tmp[4096];
    *retry = 0;
    int old = ph__old(path, err, errlen);
    if (old < 0) return NULL;
    uint32_t rnd = 0;
    if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) rnd = (uint32_t)ph__clock(CLOCK_MONOTONIC);
    snprintf(tmp, sizeof tmp, "%s/.%s.shm.%08x", dir, name, rnd);
    ph_segment *s = ph__build(name, tmp, o, l, err, errlen);
    if (!s) return NULL;
    int r, e;
    if (old) {
        r = rename(tmp, path);
        e = errno;
        if (r < 0) unlink(tmp);
    } else {
        r = link(tmp, path);
        e = errno;
        unlink(tmp);
    }
    if (r == 0) return s;
    munmap(s->m, s->size);
    close(s->fd);
    free(s);
    if (!old && e == EEXIST) *retry = 1;
    else ph__seterr(err, errlen, "porthole: install %s: %s", path, strerror(e));
    return NULL;
}

ph_segment *ph_create(const char *name, const ph_options *opts, char *err, size_t errlen) {
    char dir[4000], path[4096], lockp[4096];
    ph__layout l;
    if (!name || !ph__valid_name(name)) {
        ph__seterr(err, errlen, "porthole: invalid segment name \"%s\": want 1-63 of [A-Za-z0-9._-], not starting with '.'", name ? name : "");
        return NULL;
    }
    if (ph__sizes(opts, &l, err, errlen) < 0) return NULL;
    if (ph__dir(opts, dir, sizeof dir, err, errlen) < 0) return NULL;
    snprintf(path, sizeof path, "%s/%s.shm", dir, name);
    snprintf(lockp, sizeof lockp, "%s/.%s.lock", dir, name);
    int lock_fd = ph__open_file(lockp, O_RDWR | O_CREAT, 1, err, errlen);
    if (lock_fd < 0) return NULL;
    /* Creators take turns on the lock file, which readers cannot open: the
     * one that finds the owner dead replaces the file before any other looks. */
    if (ph__flock_wait(lock_fd) < 0) {
        ph__seterr(err, errlen, "porthole: create %s: lock %s: %s", path, lockp, strerror(errno));
        close(lock_fd);
        return NULL;
    }
    ph_segment *s = NULL;
    int retry = 1;
    for (int attempt = 0; attempt < 5 && retry; attempt++) s = ph__create_once(name, dir, path, opts, &l, &retry, err, errlen);
    flock(lock_fd, LOCK_UN);
    if (!s) {
        if (retry) ph__seterr(err, errlen, "porthole: create %s: lost a race with another creator five times", path);
        close(lock_fd);
        return NULL;
    }
    s->lock_fd = lock_fd;
    snprintf(s->path, sizeof s->path, "%s", path);
    return s;
}

void ph_close(ph_segment *s) {
    if (!s) return;
    struct stat a, b;
    if (lstat(s->path, &a) == 0 && fstat(s->fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) unlink(s->path);
    munmap(s->m, s->size);
    close(s->fd); /* drops slot 0's lock: readers see the owner gone */
    close(s->lock_fd);
    free(s);
}

void ph_heartbeat(ph_segment *s) {
    if (s) ph__st64(s->m, s->slot_off + PH_S_HEARTBEAT, (uint64_t)ph__clock(CLOCK_REALTIME));
}

const char *ph_error(const ph_segment *s) { return s && s->err[0] ? s->err : NULL; }
uint64_t ph_failures(const ph_segment *s) { return s ? s->failures : 0; }
const char *ph_path(const ph_segment *s) { return s ? s->path : ""; }

/* ph__count_kind counts published descriptors of kind: the next flag bit,
 * probe index or site index. */
static uint64_t ph__count_kind(ph_segment *s, uint32_t kind) {
    uint64_t n = ph__ld32(s->m, PH_H_DESC_COUNT), c = 0;
    if (n > s->desc_cap) n = s->desc_cap;
    for (uint64_t i = 0; i < n; i++)
        if ((ph__ld32(s->m, s->desc_off + i * PH_DESC_SIZE + PH_D_KIND) & 0xffff) == kind) c++;
    return c;
}

static const char *ph__kind_name(uint32_t kind) {
    static const char *const names[] = {"?", "counter", "gauge", "sequence", "load", "task", "info", "flag", "probe", "site"};
    return kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

/* ph__fail records a failed registration: the first error for ph_error,
 * and one more in the segment's count that readers show. */
static void ph__fail(ph_segment *s, const char *fmt, ...) {
    if (!s->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->err, sizeof s->err, fmt, ap);
        va_end(ap);
    }
    s->failures++;
    __atomic_fetch_add((uint64_t *)(void *)(s->m + PH_H_REG_FAILED), 1, __ATOMIC_SEQ_CST);
}

/* ph__find scans the published descriptors for (kind, name, tag) and
 * returns its index, or -1. */
static int64_t ph__find(ph_segment *s, uint32_t kind, const char *key, uint32_t tag) {
    uint64_t n = ph__ld32(s->m, PH_H_DESC_COUNT);
    if (n > s->desc_cap) n = s->desc_cap;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t d = s->desc_off + i * PH_DESC_SIZE;
        if ((ph__ld32(s->m, d + PH_D_KIND) & 0xffff) == kind && ph__ld32(s->m, d + PH_D_TAG) == tag &&
            memcmp(s->m + d + PH_D_NAME, key, PH_NAME_LEN) == 0)
            return (int64_t)i;
    }
    return -1;
}

/* ph__register finds or creates the descriptor (kind, name, tag) under the
 * lock file's flock and returns its value record's offset (0 for none, or
 * on failure with *ok = 0) and its aux word (FORMAT.md "Descriptors").
 * tag is 0 for a shared value, slot + 1 for this process's own. A found
 * per-process descriptor is this process's own earlier registration: a C
 * writer is always the creator of a fresh segment, never the heir of a
 * dead process's slot, so nothing is restarted. */
static uint64_t ph__register(ph_segment *s, uint32_t kind, const char *name, const char *unit, const char *help,
                             uint64_t size, uint32_t tag, uint64_t aux, uint64_t *aux_out, int *ok) {
    *ok = 0;
    if (!s) return 0;
    size_t nlen = name ? strlen(name) : 0, ulen = unit ? strlen(unit) : 0;
    if (nlen == 0 || nlen >= PH_NAME_LEN) {
        ph__fail(s, "porthole: %s: register: invalid value name: %s name \"%.*s...\" (%zu bytes): want 1-%u bytes",
                 s->path, ph__kind_name(kind), 40, name ? name : "", nlen, PH_NAME_LEN - 1);
        return 0;
    }
    if (ulen > PH_UNIT_MAX) {
        ph__fail(s, "porthole: %s: register: invalid value name: %s \"%s\": unit \"%s\" longer than %u bytes",
                 s->path, ph__kind_name(kind), name, unit, PH_UNIT_MAX);
        return 0;
    }
    unsigned char *m = s->m;
    char key[PH_NAME_LEN];
    ph__putstr((unsigned char *)key, 0, sizeof key, name);
    if (ph__flock_wait(s->lock_fd) < 0) {
        ph__fail(s, "porthole: %s: take the register lock: %s", s->path, strerror(errno));
        return 0;
    }
    uint64_t n, value = 0, d;
    int64_t found = ph__find(s, kind, key, tag);
    if (found >= 0) {
        d = s->desc_off + (uint64_t)found * PH_DESC_SIZE;
        *aux_out = ph__ld64(m, d + PH_D_AUX);
        *ok = 1;
        value = ph__ld64(m, d + PH_D_VALUE);
        goto out;
    }
    n = ph__ld32(m, PH_H_DESC_COUNT);
    if (n >= s->desc_cap) {
        ph__fail(s, "porthole: %s: register %s \"%s\": segment full: all %llu descriptors used", s->path, ph__kind_name(kind), name, (unsigned long long)s->desc_cap);
        goto out;
    }
    if (kind == PH_KIND_FLAG || kind == PH_KIND_PROBE || kind == PH_KIND_SITE) {
        aux = ph__count_kind(s, kind);
        if ((kind == PH_KIND_FLAG && aux >= PH_MAX_FLAGS) || (kind == PH_KIND_PROBE && aux >= s->probes)) {
            ph__fail(s, "porthole: %s: register %s \"%s\": segment full: all %s used", s->path, ph__kind_name(kind), name,
                     kind == PH_KIND_FLAG ? "64 flag bits" : "probe words");
            goto out;
        }
    }
    if (size) {
        uint64_t used = ph__ld64(m, PH_H_VALUES_USED);
        uint64_t off = (s->values_off + used + 7) & ~(uint64_t)7;
        if (off + size > s->values_off + s->values_size) {
            ph__fail(s, "porthole: %s: register %s \"%s\": segment full: value space (%llu bytes) used up", s->path, ph__kind_name(kind), name,
                     (unsigned long long)s->values_size);
            goto out;
        }
        ph__st64(m, PH_H_VALUES_USED, off + size - s->values_off);
        value = off;
    }
    d = s->desc_off + n * PH_DESC_SIZE;
    ph__st32(m, d + PH_D_KIND, kind); /* flags (high 16 bits) 0 */
    ph__st32(m, d + PH_D_TAG, tag);
    ph__st64(m, d + PH_D_VALUE, value);
    ph__st64(m, d + PH_D_AUX, aux);
    ph__putstr(m, d + PH_D_NAME, PH_NAME_LEN, name);
    ph__putstr(m, d + PH_D_UNIT, PH_UNIT_LEN, unit);
    ph__putstr(m, d + PH_D_HELP, PH_HELP_LEN, help);
    __atomic_store_n((uint32_t *)(void *)(m + PH_H_DESC_COUNT), (uint32_t)(n + 1), __ATOMIC_RELEASE); /* publish */
    *aux_out = aux;
    *ok = 1;
out:
    flock(s->lock_fd, LOCK_UN);
    return value;
}

/* ph__private returns zeroed memory for a value that did not fit. */
static unsigned char *ph__private(size_t n) {
    static uint64_t none[PH_TASK_SIZE / 8]; /* shared by failed handles when even malloc fails: never read */
    unsigned char *p = (unsigned char *)aligned_alloc(64, (n + 63) & ~(size_t)63);
    if (!p) return (unsigned char *)none;
    memset(p, 0, n);
    return p;
}

/* ph__value registers a value with a record of size bytes: shared (tag 0)
 * or, with per_process, this process's own (tag = slot + 1). */
static unsigned char *ph__value(ph_segment *s, uint32_t kind, const char *name, const char *unit, const char *help, uint64_t size,
                                int per_process, uint64_t aux) {
    int ok;
    uint64_t got;
    uint32_t tag = per_process && s ? (uint32_t)(s->slot + 1) : 0;
    uint64_t off = ph__register(s, kind, name, unit, help, size, tag, aux, &got, &ok);
    return ok && off ? s->m + off : ph__private(size);
}

ph_counter ph_counter_new(ph_segment *s, const char *name, const char *help, const char *unit) {
    ph_counter c = {(uint64_t *)(void *)ph__value(s, PH_KIND_COUNTER, name, unit, help, 8, 0, 0)};
    return c;
}

ph_gauge ph_gauge_new(ph_segment *s, const char *name, const char *help, const char *unit) {
    ph_gauge g = {(uint64_t *)(void *)ph__value(s, PH_KIND_GAUGE, name, unit, help, 8, 0, 0)};
    return g;
}

ph_counter ph_counter_per_process(ph_segment *s, const char *name, const char *help, const char *unit) {
    ph_counter c = {(uint64_t *)(void *)ph__value(s, PH_KIND_COUNTER, name, unit, help, 8, 1, 0)};
    return c;
}

ph_gauge ph_gauge_per_process(ph_segment *s, const char *name, const char *help, const char *unit) {
    ph_gauge g = {(uint64_t *)(void *)ph__value(s, PH_KIND_GAUGE, name, unit, help, 8, 1, 0)};
    return g;
}

ph_load ph_load_new(ph_segment *s, const char *name) {
    ph_load l = {ph__value(s, PH_KIND_LOAD, name, "", "share of time busy", PH_LOAD_SIZE, 1, s ? s->slot : 0)};
    return l;
}

ph_task ph_task_new(ph_segment *s, const char *name, int64_t every_ns) {
    ph_task t = {ph__value(s, PH_KIND_TASK, name, "", "periodic task", PH_TASK_SIZE, 1, (uint64_t)every_ns)};
    return t;
}

/* seqlock writer (FORMAT.md "Seqlock records") */
static uint64_t ph__seq_begin(unsigned char *r) {
    uint64_t seq = ph__ld64(r, 0);
    ph__st64(r, 0, seq + 1);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return seq;
}

static void ph__seq_end(unsigned char *r, uint64_t seq) { ph__st64(r, 0, seq + 2); }

void ph_info(ph_segment *s, const char *name, const char *value) {
    unsigned char *r = ph__value(s, PH_KIND_INFO, name, "", "", PH_TEXT_SIZE, 1, 0);
    size_t n = value ? strlen(value) : 0;
    if (n > PH_TEXT_CAP) n = PH_TEXT_CAP;
    uint64_t seq = ph__seq_begin(r);
    ph__st64(r, PH_X_LEN, n);
    if (n) memcpy(r + PH_X_TEXT, value, n);
    ph__seq_end(r, seq);
}

ph_probe ph_probe_new(ph_segment *s, const char *name) {
    int ok;
    uint64_t idx = 0;
    ph__register(s, PH_KIND_PROBE, name, "", "probe", 0, 0, 0, &idx, &ok);
    ph_probe p = {ok ? (uint64_t *)(void *)(s->m + s->slot_off + PH_S_PROBES + idx * 8) : (uint64_t *)(void *)ph__private(8)};
    return p;
}

uint64_t ph_site(ph_segment *s, const char *name) {
    int ok;
    uint64_t idx = 0;
    ph__register(s, PH_KIND_SITE, name, "", "probe site", 0, 0, 0, &idx, &ok);
    return ok ? PH_SITE_BIT | idx : 0;
}

ph_flag ph_flag_new(ph_segment *s, const char *name) {
    int ok;
    uint64_t bit = 0;
    ph__register(s, PH_KIND_FLAG, name, "", "debug flag", 0, 0, 0, &bit, &ok);
    ph_flag f = {ok ? (uint64_t *)(void *)(s->m + s->slot_off + PH_S_FLAGS) : (uint64_t *)(void *)ph__private(8), ok ? 1ULL << bit : 0};
    return f;
}

void ph_load_busy(ph_load l) {
    if ((int64_t)ph__ld64(l.r, PH_L_BUSY_SINCE) != 0) return;
    uint64_t seq = ph__seq_begin(l.r);
    ph__st64(l.r, PH_L_BUSY_SINCE, (uint64_t)ph__clock(CLOCK_MONOTONIC));
    ph__seq_end(l.r, seq);
}

void ph_load_idle(ph_load l) {
    int64_t since = (int64_t)ph__ld64(l.r, PH_L_BUSY_SINCE);
    if (since == 0) return;
    int64_t d = ph__clock(CLOCK_MONOTONIC) - since;
    if (d < 0) d = 0;
    uint64_t seq = ph__seq_begin(l.r);
    ph__st64(l.r, PH_L_BUSY, ph__ld64(l.r, PH_L_BUSY) + (uint64_t)d);
    ph__st64(l.r, PH_L_BUSY_SINCE, 0);
    ph__seq_end(l.r, seq);
}

int ph_task_start(ph_task t) {
    uint64_t zero = 0;
    if (!__atomic_compare_exchange_n((uint64_t *)(void *)(t.r + PH_T_RUNNING), &zero, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return 0;
    uint64_t seq = ph__seq_begin(t.r);
    ph__st64(t.r, PH_T_START, (uint64_t)ph__clock(CLOCK_REALTIME));
    ph__seq_end(t.r, seq);
    return 1;
}

void ph_task_done(ph_task t, int ok, const char *msg) {
    size_t n = msg ? strlen(msg) : 0;
    if (n > PH_TASK_MSG_CAP) n = PH_TASK_MSG_CAP;
    uint64_t now = (uint64_t)ph__clock(CLOCK_REALTIME);
    uint64_t seq = ph__seq_begin(t.r);
    ph__st64(t.r, PH_T_RUNNING, 0);
    ph__st64(t.r, PH_T_END, now);
    ph__st64(t.r, PH_T_RUNS, ph__ld64(t.r, PH_T_RUNS) + 1);
    if (ok) {
        ph__st64(t.r, PH_T_RESULT, PH_RESULT_OK);
        ph__st64(t.r, PH_T_SUCCESS, now);
    } else {
        ph__st64(t.r, PH_T_RESULT, PH_RESULT_FAILED);
        ph__st64(t.r, PH_T_FAILS, ph__ld64(t.r, PH_T_FAILS) + 1);
    }
    ph__st64(t.r, PH_T_MSG_LEN, n);
    if (n) memcpy(t.r + PH_T_MSG, msg, n);
    ph__seq_end(t.r, seq);
}

#endif /* PORTHOLE_IMPLEMENTATION_DONE */
#endif /* PORTHOLE_IMPLEMENTATION */
