/*
 * A C program playing an HLS/DASH stream headless through libabrkit.
 *
 *   abrkit-c URL [SECONDS [DOWNLOAD_DIR]]
 *
 * Plays URL for SECONDS (default 3) of wall time with events printed as they
 * come, pauses, seeks and resumes, prints the QoE account (struct and JSON).
 * With DOWNLOAD_DIR it then downloads the title at the lowest bitrate, lists
 * the downloads and plays the download offline for a second.
 *
 * Exit status: 0 played, 1 a call failed. Build and run: see Makefile.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abrkit.h"

static atomic_int segments;
static atomic_int events;

/* Runs on a library thread: only atomics and stdio here. */
static void on_event(abrkit_handle player, const abrkit_event *ev, void *user) {
    const char *tag = user;
    atomic_fetch_add(&events, 1);
    switch (ev->kind) {
    case ABRKIT_EVENT_SEGMENT_LOADED:
        atomic_fetch_add(&segments, 1);
        return;
    case ABRKIT_EVENT_RENDITION_SWITCH:
        printf("[%s %" PRId64 "] %-16s at %5.2fs: level %d -> %d (%" PRId64 " -> %" PRId64 " bit/s)\n", tag, player,
               ev->name, ev->at_seconds, ev->from_level, ev->level, ev->from_bitrate, ev->bitrate);
        break;
    case ABRKIT_EVENT_ERROR:
        printf("[%s %" PRId64 "] %-16s at %5.2fs: %s %s%s\n", tag, player, ev->name, ev->at_seconds, ev->category,
               ev->error, ev->fatal ? " (fatal)" : "");
        break;
    default:
        printf("[%s %" PRId64 "] %-16s at %5.2fs position %.2fs %s\n", tag, player, ev->name, ev->at_seconds,
               ev->position_seconds, ev->reason);
    }
    fflush(stdout);
}

static atomic_int download_progress;

/* Download events: state changes printed, progress counted. */
static void on_download(abrkit_handle m, const abrkit_download_event *ev, void *user) {
    (void)m;
    (void)user;
    if (ev->kind == ABRKIT_DOWNLOAD_EVENT_PROGRESS) {
        atomic_fetch_add(&download_progress, 1);
        return;
    }
    printf("[download %s] %s: %s %.0f%% (%d/%d segments)%s%s\n", ev->id, ev->name, ev->state, 100 * ev->fraction,
           ev->segments_done, ev->segments, ev->error[0] ? " " : "", ev->error);
    fflush(stdout);
}

static int check(int32_t code, const char *what) {
    if (code != ABRKIT_OK) {
        fprintf(stderr, "abrkit-c: %s: %s (code %d)\n", what, abrkit_last_error(), code);
        return 1;
    }
    return 0;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int print_qoe(abrkit_handle p) {
    abrkit_qoe q = ABRKIT_QOE_INIT;
    if (check(abrkit_player_qoe(p, &q), "qoe")) {
        return 1;
    }
    printf("QoE: started=%d startup=%.3fs played=%.2fs stalls=%d stall=%.2fs avg_bitrate=%.0f "
           "switches=%d (up %d, down %d) segments=%d bytes=%" PRId64 " seeks=%d errors=%d\n",
           q.started, q.startup_seconds, q.play_seconds, q.stalls, q.stall_seconds, q.avg_bitrate, q.switches,
           q.switches_up, q.switches_down, q.segments, q.bytes, q.seeks, q.errors);
    char *json = NULL;
    if (check(abrkit_player_qoe_json(p, &json), "qoe_json")) {
        return 1;
    }
    printf("QoE JSON: %s\n", json);
    abrkit_free(json);
    return 0;
}

static int play(const char *url, int seconds) {
    abrkit_player_config cfg = ABRKIT_PLAYER_CONFIG_INIT;
    cfg.abr = "bola";
    abrkit_handle p = 0;
    if (check(abrkit_player_create(&cfg, &p), "create") ||
        check(abrkit_player_set_callback(p, on_event, "online"), "set_callback") ||
        check(abrkit_player_load(p, url, 10000), "load")) {
        if (p != 0) {
            abrkit_player_destroy(p);
        }
        return 1;
    }
    /* Wait for playback to start (bounded), so a loaded machine does not
       turn the status lines below into "buffering". */
    for (int i = 0; i < 300; i++) {
        abrkit_status st = ABRKIT_STATUS_INIT;
        if (check(abrkit_player_status(p, &st), "status")) {
            return 1;
        }
        if (strcmp(abrkit_state_name(st.state), "playing") == 0) {
            break;
        }
        sleep_ms(100);
    }
    for (int i = 0; i < seconds; i++) {
        sleep_ms(1000);
        abrkit_status st = ABRKIT_STATUS_INIT;
        if (check(abrkit_player_status(p, &st), "status")) {
            return 1;
        }
        printf("status: %s position %.2fs buffer %.2fs bitrate %" PRId64 " estimate %.0f bit/s\n",
               abrkit_state_name(st.state), st.position_seconds, st.buffered_seconds, st.bitrate, st.throughput);
        fflush(stdout);
    }
    if (check(abrkit_player_pause(p), "pause") || check(abrkit_player_seek(p, 30.0), "seek") ||
        check(abrkit_player_play(p), "play")) {
        return 1;
    }
    sleep_ms(500);
    /* The session is still running: wait with a timeout reports that. */
    int32_t w = abrkit_player_wait(p, 0);
    printf("wait(0): %d %s\n", w, w == ABRKIT_E_TIMEOUT ? "(still playing)" : abrkit_last_error());
    if (print_qoe(p)) {
        return 1;
    }
    printf("events: %d (segments loaded: %d)\n", atomic_load(&events), atomic_load(&segments));
    if (check(abrkit_player_destroy(p), "destroy")) {
        return 1;
    }
    /* A destroyed handle is an error, never a crash. */
    int32_t again = abrkit_player_play(p);
    printf("play after destroy: %d (%s)\n", again, abrkit_last_error());
    return again == ABRKIT_E_INVALID_HANDLE ? 0 : 1;
}

static int download(const char *url, const char *dir) {
    abrkit_handle m = 0;
    char *id = NULL, *json = NULL;
    if (check(abrkit_downloads_open(dir, &m), "downloads_open")) {
        return 1;
    }
    int rc = 1;
    if (check(abrkit_downloads_set_callback(m, on_download, NULL), "downloads_set_callback") ||
        check(abrkit_download_start(m, url, "demo", 400000, &id), "download_start") ||
        check(abrkit_download_wait(m, id, 60000, &json), "download_wait")) {
        goto out;
    }
    printf("download done after %d progress events: %s\n", atomic_load(&download_progress), json);
    abrkit_free(json);
    json = NULL;
    if (check(abrkit_download_list(m, &json), "download_list")) {
        goto out;
    }
    printf("downloads: %.120s...\n", json);

    abrkit_handle p = 0;
    if (check(abrkit_player_create(NULL, &p), "create offline") ||
        check(abrkit_player_set_callback(p, on_event, "offline"), "set_callback") ||
        check(abrkit_player_load_download(p, m, id, 10000), "load_download")) {
        goto out;
    }
    sleep_ms(1000);
    printf("offline ");
    if (print_qoe(p) == 0 && check(abrkit_player_destroy(p), "destroy offline") == 0) {
        rc = 0;
    }
out:
    abrkit_free(id);
    abrkit_free(json);
    if (check(abrkit_downloads_close(m), "downloads_close")) {
        rc = 1;
    }
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s URL [SECONDS [DOWNLOAD_DIR]]\n", argv[0]);
        return 2;
    }
    if (abrkit_abi_version() != ABRKIT_ABI_VERSION) {
        fprintf(stderr, "abrkit-c: library ABI %d, header %d\n", abrkit_abi_version(), ABRKIT_ABI_VERSION);
        return 1;
    }
    int seconds = argc > 2 ? atoi(argv[2]) : 3;
    if (play(argv[1], seconds)) {
        return 1;
    }
    if (argc > 3 && download(argv[1], argv[3])) {
        return 1;
    }
    return 0;
}
