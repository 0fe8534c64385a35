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
 * (the implementation needs _GNU_SOURCE for flock and open-file-description
 * locks; the header defines it when it is the first include, else compile
 * with -D_GNU_SOURCE). Everywhere else include it plainly.
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
 * the segment is full (or seg is NULL) they return a handle on private
 * memory, so updates work and readers just do not see them; ph_error says
 * what went wrong. Updates (add, set, mark, busy/idle) are lock free and may
 * run on any thread; registration and task/info updates of one handle
 * should come from one thread at a time (as in Go).
 *
 * The segment is created in opts->dir, else $PORTHOLE_DIR, else
 * $XDG_RUNTIME_DIR/porthole, else /dev/shm/porthole-UID (system daemons:
 * /run/porthole). A live owner of the same name makes ph_create fail; a dead
 * owner's segment is replaced by a fresh file.
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

/* descriptor (FORMAT.md "Descriptors"): kind u16 and flags u16 share one u32 */
#define PH_D_KIND 0u
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

/* locks (FORMAT.md "Locks and liveness"): OFD lock bytes beyond the file */
#define PH_LOCK_REGISTER (1LL << 40)
#define PH_LOCK_SLOT_BASE ((1LL << 40) + 4096)

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
    uint32_t descriptors;  /* default 1024 */
    uint32_t value_bytes;  /* default 256 KiB */
    uint32_t slots;        /* default 64 */
} ph_options;

typedef struct { uint64_t *p; } ph_counter;
typedef struct { uint64_t *p; } ph_gauge;
typedef struct { unsigned char *r; } ph_load;
typedef struct { unsigned char *r; } ph_task;
typedef struct { uint64_t *p; } ph_probe;
typedef struct { uint64_t *word; uint64_t bit; } ph_flag;

/* ph_create makes the segment of service name (1-63 of [A-Za-z0-9._-], not
 * starting with '.') and makes this process its owner. On failure it
 * returns NULL and writes the reason to err (if errlen > 0). */
ph_segment *ph_create(const char *name, const ph_options *opts, char *err, size_t errlen);
/* ph_close removes the segment file (if it is still ours) and frees seg.
 * Handles must not be used afterwards. */
void ph_close(ph_segment *seg);
/* ph_heartbeat stamps this process's heartbeat; call it about once a second. */
void ph_heartbeat(ph_segment *seg);
/* ph_error returns the first registration error, or NULL. */
const char *ph_error(const ph_segment *seg);
/* ph_path returns the segment file's path. */
const char *ph_path(const ph_segment *seg);

ph_counter ph_counter_new(ph_segment *seg, const char *name, const char *help, const char *unit);
ph_gauge ph_gauge_new(ph_segment *seg, const char *name, const char *help, const char *unit);
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
    int fd;
    char path[4096];
    char err[256];
    uint64_t desc_off, desc_cap, values_off, values_size, slots_off, slot_count, probes;
    uint64_t slot_off; /* this process's slot (0: the owner's) */
};

/* memory access: atomic words as FORMAT.md prescribes */
static uint64_t ph__ld64(const unsigned char *m, uint64_t off) { return __atomic_load_n((const uint64_t *)(const void *)(m + off), __ATOMIC_ACQUIRE); }
static uint32_t ph__ld32(const unsigned char *m, uint64_t off) { return __atomic_load_n((const uint32_t *)(const void *)(m + off), __ATOMIC_ACQUIRE); }
static void ph__st64(unsigned char *m, uint64_t off, uint64_t v) { __atomic_store_n((uint64_t *)(void *)(m + off), v, __ATOMIC_SEQ_CST); }
static void ph__st32(unsigned char *m, uint64_t off, uint32_t v) { __atomic_store_n((uint32_t *)(void *)(m + off), v, __ATOMIC_SEQ_CST); }
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

static int ph__ofd(int fd, int cmd, short type, long long off) {
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

/* ph__dir picks and prepares the segment directory: mode 0700, ours, not a
 * link, not writable by group or others (as the Go writer checks). */
static int ph__dir(const ph_options *o, char *dir, size_t cap, char *err, size_t errlen) {
    const char *d = o && o->dir && *o->dir ? o->dir : getenv("PORTHOLE_DIR");
    const char *x = getenv("XDG_RUNTIME_DIR");
    if (d && *d) snprintf(dir, cap, "%s", d);
    else if (x && *x) snprintf(dir, cap, "%s/porthole", x);
    else snprintf(dir, cap, "/dev/shm/porthole-%u", (unsigned)geteuid());
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        ph__seterr(err, errlen, "porthole: create directory %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(dir, &st) < 0) {
        ph__seterr(err, errlen, "porthole: directory %s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode) || (st.st_mode & 022) || st.st_uid != geteuid()) {
        ph__seterr(err, errlen, "porthole: directory %s is a link, not ours, or writable by others: refused", dir);
        return -1;
    }
    return 0;
}

/* ph__claim_slot0 makes slot 0 this process's (FORMAT.md "Process slots"). */
static int ph__claim_slot0(ph_segment *s, const char *role) {
    if (ph__ofd(s->fd, F_OFD_SETLK, F_WRLCK, PH_LOCK_SLOT_BASE + 0) < 0) return -1;
    unsigned char *m = s->m;
    uint64_t o = s->slot_off;
    ph__st32(m, o + PH_S_STATE, PH_SLOT_CLAIMING);
    ph__st32(m, o + PH_S_PID, (uint32_t)getpid());
    ph__st64(m, o + PH_S_START, ph__start_time());
    ph__st64(m, o + PH_S_CLAIM, ph__ld64(m, o + PH_S_CLAIM) + 1);
    ph__st64(m, o + PH_S_HEARTBEAT, (uint64_t)ph__clock(CLOCK_REALTIME));
    ph__st64(m, o + PH_S_FLAGS, 0);
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

/* ph__build writes a complete, locked, ready segment into a new temporary
 * file tmp (FORMAT.md "Regions", "Header", "Creation and replacement"). */
static ph_segment *ph__build(const char *name, const char *tmp, const ph_options *o, char *err, size_t errlen) {
    uint64_t descs = o && o->descriptors ? o->descriptors : PH_DEFAULT_DESCS;
    uint64_t vbytes = o && o->value_bytes ? o->value_bytes : PH_DEFAULT_VALUE_BYTES;
    uint64_t slots = o && o->slots ? o->slots : PH_DEFAULT_SLOTS;
    uint64_t desc_off = PH_HEADER_SIZE;
    uint64_t values_off = desc_off + descs * PH_DESC_SIZE;
    uint64_t slots_off = (values_off + vbytes + PH_PAGE_SIZE - 1) & ~(uint64_t)(PH_PAGE_SIZE - 1);
    uint64_t total = (slots_off + slots * PH_SLOT_SIZE + PH_PAGE_SIZE - 1) & ~(uint64_t)(PH_PAGE_SIZE - 1);
    uint64_t gen = 0;
    if (getrandom(&gen, sizeof gen, 0) != (ssize_t)sizeof gen) gen = (uint64_t)ph__clock(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32);

    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        ph__seterr(err, errlen, "porthole: create %s: %s", tmp, strerror(errno));
        return NULL;
    }
    ph_segment *s = (ph_segment *)calloc(1, sizeof *s);
    int e = 0;
    const char *what = "allocate";
    if (!s) { e = ENOMEM; goto fail; }
    s->fd = fd;
    if (fchmod(fd, 0600) < 0) { e = errno; what = "chmod"; goto fail; }
    if ((e = posix_fallocate(fd, 0, (off_t)total)) != 0) { what = "allocate"; goto fail; } /* a full tmpfs fails here, not with SIGBUS */
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) { e = errno; what = "lock"; goto fail; }
    s->m = (unsigned char *)mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s->m == MAP_FAILED) { s->m = NULL; e = errno; what = "map"; goto fail; }
    s->size = total;
    s->desc_off = desc_off; s->desc_cap = descs;
    s->values_off = values_off; s->values_size = vbytes;
    s->slots_off = slots_off; s->slot_count = slots; s->probes = PH_MAX_PROBES; s->slot_off = slots_off;
    ph__write_header(s, name, gen, total);
    if (ph__claim_slot0(s, o ? o->role : NULL) < 0) { e = errno; what = "lock slot 0 of"; goto fail; }
    __atomic_store_n((uint32_t *)(void *)(s->m + PH_H_READY), 1u, __ATOMIC_RELEASE); /* last */
    return s;
fail:
    ph__seterr(err, errlen, "porthole: %s %s: %s", what, tmp, strerror(e));
    if (s && s->m) munmap(s->m, total);
    free(s);
    close(fd);
    unlink(tmp);
    return NULL;
}

/* ph__install puts the built segment at path: link when none is there,
 * rename over a dead owner's file while holding its flock. It returns 0,
 * 1 to retry (another creator won a race) or -1. */
static int ph__install(const char *tmp, const char *path, char *err, size_t errlen) {
    int old = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (old < 0 && errno != ENOENT) {
        ph__seterr(err, errlen, "porthole: create %s: open the old segment: %s", path, strerror(errno));
        return -1;
    }
    if (old >= 0) {
        if (flock(old, LOCK_EX | LOCK_NB) < 0) {
            unsigned char hdr[PH_HEADER_SIZE];
            uint32_t pid = 0;
            if (pread(old, hdr, sizeof hdr, 0) == (ssize_t)sizeof hdr && memcmp(hdr, PH_MAGIC, 8) == 0) memcpy(&pid, hdr + PH_H_OWNER_PID, 4);
            ph__seterr(err, errlen, "porthole: create %s: already running (pid %u)", path, pid);
            close(old);
            return -1;
        }
        int r = rename(tmp, path);
        int e = errno;
        close(old);
        if (r < 0) {
            ph__seterr(err, errlen, "porthole: install %s: %s", path, strerror(e));
            return -1;
        }
        return 0;
    }
    int r = link(tmp, path);
    int e = errno;
    unlink(tmp);
    if (r < 0 && e == EEXIST) return 1;
    if (r < 0) {
        ph__seterr(err, errlen, "porthole: install %s: %s", path, strerror(e));
        return -1;
    }
    return 0;
}

ph_segment *ph_create(const char *name, const ph_options *opts, char *err, size_t errlen) {
    char dir[4000], path[4096], tmp[4096];
    if (!name || !ph__valid_name(name)) {
        ph__seterr(err, errlen, "porthole: invalid segment name \"%s\": want 1-63 of [A-Za-z0-9._-], not starting with '.'", name ? name : "");
        return NULL;
    }
    if (ph__dir(opts, dir, sizeof dir, err, errlen) < 0) return NULL;
    snprintf(path, sizeof path, "%s/%s.shm", dir, name);
    for (int attempt = 0; attempt < 5; attempt++) {
        uint32_t rnd = 0;
        if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) rnd = (uint32_t)ph__clock(CLOCK_MONOTONIC);
        snprintf(tmp, sizeof tmp, "%s/.%s.shm.%08x", dir, name, rnd);
        ph_segment *s = ph__build(name, tmp, opts, err, errlen);
        if (!s) return NULL;
        int r = ph__install(tmp, path, err, errlen);
        if (r == 0) {
            snprintf(s->path, sizeof s->path, "%s", path);
            return s;
        }
        munmap(s->m, s->size);
        close(s->fd);
        free(s);
        if (r < 0) return NULL;
    }
    ph__seterr(err, errlen, "porthole: create %s: lost a race with another creator five times", path);
    return NULL;
}

void ph_close(ph_segment *s) {
    if (!s) return;
    struct stat a, b;
    if (lstat(s->path, &a) == 0 && fstat(s->fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) unlink(s->path);
    munmap(s->m, s->size);
    close(s->fd); /* drops the flock and the slot lock */
    free(s);
}

void ph_heartbeat(ph_segment *s) {
    if (s) ph__st64(s->m, s->slot_off + PH_S_HEARTBEAT, (uint64_t)ph__clock(CLOCK_REALTIME));
}

const char *ph_error(const ph_segment *s) { return s && s->err[0] ? s->err : NULL; }
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

/* ph__register finds or creates the descriptor (kind, name) under the
 * register lock and returns its value record's offset (0 for none, or on
 * failure with *ok = 0) and its aux word (FORMAT.md "Descriptors"). */
static uint64_t ph__register(ph_segment *s, uint32_t kind, const char *name, const char *unit, const char *help,
                             uint64_t size, uint64_t aux, uint64_t *aux_out, int *ok) {
    *ok = 0;
    if (!s) return 0;
    unsigned char *m = s->m;
    char key[PH_NAME_LEN];
    ph__putstr((unsigned char *)key, 0, sizeof key, name);
    if (ph__ofd(s->fd, F_OFD_SETLKW, F_WRLCK, PH_LOCK_REGISTER) < 0) {
        if (!s->err[0]) ph__seterr(s->err, sizeof s->err, "porthole: register %s: lock: %s", name, strerror(errno));
        return 0;
    }
    uint64_t n = ph__ld32(m, PH_H_DESC_COUNT), value = 0, d;
    if (n > s->desc_cap) n = s->desc_cap;
    for (uint64_t i = 0; i < n; i++) {
        d = s->desc_off + i * PH_DESC_SIZE;
        if ((ph__ld32(m, d + PH_D_KIND) & 0xffff) == kind && memcmp(m + d + PH_D_NAME, key, PH_NAME_LEN) == 0) {
            *aux_out = ph__ld64(m, d + PH_D_AUX);
            *ok = 1;
            value = ph__ld64(m, d + PH_D_VALUE);
            goto out;
        }
    }
    if (n >= s->desc_cap) {
        if (!s->err[0]) ph__seterr(s->err, sizeof s->err, "porthole: register %s: segment full: all %llu descriptors used", name, (unsigned long long)s->desc_cap);
        goto out;
    }
    if (kind == PH_KIND_FLAG || kind == PH_KIND_PROBE || kind == PH_KIND_SITE) {
        aux = ph__count_kind(s, kind);
        if ((kind == PH_KIND_FLAG && aux >= PH_MAX_FLAGS) || (kind == PH_KIND_PROBE && aux >= s->probes)) {
            if (!s->err[0]) ph__seterr(s->err, sizeof s->err, "porthole: register %s: segment full: no flag bit or probe word left", name);
            goto out;
        }
    }
    if (size) {
        uint64_t used = ph__ld64(m, PH_H_VALUES_USED);
        uint64_t off = (s->values_off + used + 7) & ~(uint64_t)7;
        if (off + size > s->values_off + s->values_size) {
            if (!s->err[0]) ph__seterr(s->err, sizeof s->err, "porthole: register %s: segment full: value space used up", name);
            goto out;
        }
        ph__st64(m, PH_H_VALUES_USED, off + size - s->values_off);
        value = off;
    }
    d = s->desc_off + n * PH_DESC_SIZE;
    ph__st32(m, d + PH_D_KIND, kind); /* flags (high 16 bits) 0 */
    ph__st64(m, d + PH_D_VALUE, value);
    ph__st64(m, d + PH_D_AUX, aux);
    ph__putstr(m, d + PH_D_NAME, PH_NAME_LEN, name);
    ph__putstr(m, d + PH_D_UNIT, PH_UNIT_LEN, unit);
    ph__putstr(m, d + PH_D_HELP, PH_HELP_LEN, help);
    __atomic_store_n((uint32_t *)(void *)(m + PH_H_DESC_COUNT), (uint32_t)(n + 1), __ATOMIC_RELEASE); /* publish */
    *aux_out = aux;
    *ok = 1;
out:
    ph__ofd(s->fd, F_OFD_SETLK, F_UNLCK, PH_LOCK_REGISTER);
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

static unsigned char *ph__value(ph_segment *s, uint32_t kind, const char *name, const char *unit, const char *help, uint64_t size, uint64_t aux) {
    int ok;
    uint64_t got;
    uint64_t off = ph__register(s, kind, name, unit, help, size, aux, &got, &ok);
    return ok && off ? s->m + off : ph__private(size);
}

ph_counter ph_counter_new(ph_segment *s, const char *name, const char *help, const char *unit) {
    ph_counter c = {(uint64_t *)(void *)ph__value(s, PH_KIND_COUNTER, name, unit, help, 8, 0)};
    return c;
}

ph_gauge ph_gauge_new(ph_segment *s, const char *name, const char *help, const char *unit) {
    ph_gauge g = {(uint64_t *)(void *)ph__value(s, PH_KIND_GAUGE, name, unit, help, 8, 0)};
    return g;
}

ph_load ph_load_new(ph_segment *s, const char *name) {
    ph_load l = {ph__value(s, PH_KIND_LOAD, name, "", "busy share", PH_LOAD_SIZE, 0 /* the owner's slot */)};
    return l;
}

ph_task ph_task_new(ph_segment *s, const char *name, int64_t every_ns) {
    ph_task t = {ph__value(s, PH_KIND_TASK, name, "", "periodic task", PH_TASK_SIZE, (uint64_t)every_ns)};
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
    unsigned char *r = ph__value(s, PH_KIND_INFO, name, "", "", PH_TEXT_SIZE, 0);
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
    ph__register(s, PH_KIND_PROBE, name, "", "probe", 0, 0, &idx, &ok);
    ph_probe p = {ok ? (uint64_t *)(void *)(s->m + s->slot_off + PH_S_PROBES + idx * 8) : (uint64_t *)(void *)ph__private(8)};
    return p;
}

uint64_t ph_site(ph_segment *s, const char *name) {
    int ok;
    uint64_t idx = 0;
    ph__register(s, PH_KIND_SITE, name, "", "probe site", 0, 0, &idx, &ok);
    return ok ? PH_SITE_BIT | idx : 0;
}

ph_flag ph_flag_new(ph_segment *s, const char *name) {
    int ok;
    uint64_t bit = 0;
    ph__register(s, PH_KIND_FLAG, name, "", "debug flag", 0, 0, &bit, &ok);
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
