/*
 * A tiny C daemon that publishes its state with porthole.h: a request
 * counter, a queue gauge, a worker's load, a periodic task, an info value
 * a probe that says where the worker is, and a debug flag "verbose" that
 * `porthole debug c-example +verbose` switches on (it says so on stdout).
 * It also tries one name too long to register, which the segment refuses
 * and counts ("1 registrations failed" in `porthole stat`).
 *
 *     cc -std=c11 -O2 -Wall -Wextra -o c-example c/example/example.c
 *     ./c-example &          # prints "ready PATH" once registered
 *     porthole stat c-example
 *
 * Arguments: [NAME] (default c-example). The segment directory is
 * $PORTHOLE_DIR or the usual default. SIGTERM or SIGINT removes the
 * segment and exits.
 */
#define PORTHOLE_IMPLEMENTATION
#include "../porthole.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
    const char *name = argc > 1 ? argv[1] : "c-example";
    char err[256];
    ph_options opts = {.role = "c-worker"};
    ph_segment *seg = ph_create(name, &opts, err, sizeof err);
    if (!seg) {
        fprintf(stderr, "c-example: %s\n", err);
        return 1;
    }
    ph_counter requests = ph_counter_new(seg, "requests", "requests served", "req");
    ph_gauge queue = ph_gauge_new(seg, "queue", "requests waiting", "");
    ph_load load = ph_load_new(seg, "worker");
    ph_task checkpoint = ph_task_new(seg, "checkpoint", 3600LL * 1000000000LL);
    ph_probe where = ph_probe_new(seg, "worker");
    uint64_t working = ph_site(seg, "working");
    uint64_t waiting = ph_site(seg, "waiting for requests");
    ph_flag verbose = ph_flag_new(seg, "verbose");
    int was_verbose = 0;
    ph_info(seg, "version", "1.0-c");
    ph_counter_add(requests, 1000);
    ph_gauge_set(queue, -7);
    ph_task_start(checkpoint);
    ph_task_done(checkpoint, 0, "disk full");
    /* A name over 63 bytes is refused, not cut, and counted in the segment:
     * `porthole stat` says "1 registrations failed". */
    ph_counter too_long = ph_counter_new(seg, "a-counter-name-that-is-far-too-long-for-the-sixty-three-byte-limit", "", "");
    ph_counter_add(too_long, 1); /* private memory: harmless, unseen */
    if (ph_failures(seg) != 1) {
        fprintf(stderr, "c-example: %llu registrations failed, want 1 (the too-long name): %s\n",
                (unsigned long long)ph_failures(seg), ph_error(seg) ? ph_error(seg) : "no error");
        ph_close(seg);
        return 1;
    }
    fprintf(stderr, "c-example: as intended: %s\n", ph_error(seg));
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("ready %s\n", ph_path(seg));
    fflush(stdout);
    for (int i = 0; !stop; i++) {
        ph_probe_mark(where, working);
        ph_load_busy(load);
        sleep_ms(20); /* "work": busy about 40 % of the time */
        ph_counter_add(requests, 1);
        ph_load_idle(load);
        ph_probe_mark(where, waiting);
        sleep_ms(30);
        if (i % 20 == 0) ph_heartbeat(seg);
        if (ph_flag_on(verbose) != was_verbose) { /* porthole debug c-example +verbose */
            was_verbose = !was_verbose;
            printf("verbose %s\n", was_verbose ? "on" : "off");
            fflush(stdout);
        }
    }
    ph_close(seg);
    return 0;
}
