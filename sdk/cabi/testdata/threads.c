/*
 * Thread-safety checks of the C ABI, run by TestCThreads:
 *   threads URL
 * Prints one "ok ..." line per check; exits 1 at the first failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abrkit.h"

#define FAIL(...) do { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); \
    fprintf(stderr, " (last error %d: %s)\n", abrkit_last_error_code(), abrkit_last_error()); exit(1); } while (0)
#define EXPECT(call, want) do { int32_t got_ = (call); if (got_ != (want)) FAIL("%s = %d; want %d", #call, got_, want); } while (0)

static const char *url;

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* 1. Argument and handle errors come back as codes with a message. */
static void check_errors(void) {
    abrkit_handle h = 0;
    EXPECT(abrkit_player_play(424242), ABRKIT_E_INVALID_HANDLE);
    if (strlen(abrkit_last_error()) == 0) FAIL("no message after an invalid handle");
    EXPECT(abrkit_player_create(NULL, NULL), ABRKIT_E_INVALID_ARGUMENT);
    abrkit_player_config bad = {0};
    EXPECT(abrkit_player_create(&bad, &h), ABRKIT_E_INVALID_ARGUMENT);
    abrkit_player_config cfg = ABRKIT_PLAYER_CONFIG_INIT;
    cfg.abr = "no-such-abr";
    EXPECT(abrkit_player_create(&cfg, &h), ABRKIT_E_INVALID_ARGUMENT);
    cfg.abr = "bola";
    EXPECT(abrkit_player_create(&cfg, &h), ABRKIT_OK);
    if (strcmp(abrkit_last_error(), "") != 0 || abrkit_last_error_code() != ABRKIT_OK) FAIL("success left an error");
    EXPECT(abrkit_player_play(h), ABRKIT_E_NOT_LOADED);
    abrkit_status st = {0};
    EXPECT(abrkit_player_status(h, &st), ABRKIT_E_INVALID_ARGUMENT); /* size 0 */
    abrkit_status st2 = ABRKIT_STATUS_INIT;
    EXPECT(abrkit_player_status(h, &st2), ABRKIT_OK);
    if (st2.state != ABRKIT_STATE_IDLE) FAIL("state %d before load", st2.state);
    /* A struct from an older header (only size and state) is filled that far. */
    struct { uint32_t size; int32_t state; uint32_t canary; } old = {8, -1, 0xdeadbeef};
    EXPECT(abrkit_player_status(h, (abrkit_status *)&old), ABRKIT_OK);
    if (old.state != ABRKIT_STATE_IDLE || old.canary != 0xdeadbeef) FAIL("short struct overwritten");
    EXPECT(abrkit_player_wait(h, 0), ABRKIT_E_NOT_LOADED);
    EXPECT(abrkit_player_load(h, NULL, 0), ABRKIT_E_INVALID_ARGUMENT);
    EXPECT(abrkit_player_destroy(h), ABRKIT_OK);
    EXPECT(abrkit_player_destroy(h), ABRKIT_E_INVALID_HANDLE);
    EXPECT(abrkit_downloads_close(h), ABRKIT_E_INVALID_HANDLE);
    if (strcmp(abrkit_state_name(ABRKIT_STATE_PLAYING), "playing") != 0 ||
        strcmp(abrkit_event_name(ABRKIT_EVENT_STALL_END), "stall_end") != 0 ||
        strcmp(abrkit_event_name(99), "unknown") != 0)
        FAIL("names");
    abrkit_free(NULL);
    printf("ok errors\n");
}

/* 2. The last error belongs to the thread that made the call. */
static pthread_barrier_t barrier;
static void *tls_failer(void *arg) {
    (void)arg;
    abrkit_player_pause(777777);
    pthread_barrier_wait(&barrier); /* the other thread succeeds now */
    pthread_barrier_wait(&barrier);
    if (abrkit_last_error_code() != ABRKIT_E_INVALID_HANDLE) FAIL("thread-local code lost");
    return NULL;
}
static void check_tls(void) {
    pthread_t t;
    pthread_barrier_init(&barrier, NULL, 2);
    pthread_create(&t, NULL, tls_failer, NULL);
    pthread_barrier_wait(&barrier);
    EXPECT(abrkit_abi_version(), ABRKIT_ABI_VERSION);
    abrkit_handle h;
    EXPECT(abrkit_player_create(NULL, &h), ABRKIT_OK);
    pthread_barrier_wait(&barrier);
    pthread_join(t, NULL);
    EXPECT(abrkit_player_destroy(h), ABRKIT_OK);
    printf("ok thread-local errors\n");
}

/* 3. Players made, driven, queried and destroyed from several threads at once;
 * one player destroys itself from its callback. */
#define PLAYERS 4
static abrkit_handle players[PLAYERS];
static atomic_int events[PLAYERS];
static atomic_int self_destroyed;
static atomic_int stop_hammer;
static atomic_int callback_threads_ok = 1;
static pthread_t main_thread;

static void on_event(abrkit_handle h, const abrkit_event *ev, void *user) {
    int i = (int)(intptr_t)user;
    atomic_fetch_add(&events[i], 1);
    if (pthread_equal(pthread_self(), main_thread)) atomic_store(&callback_threads_ok, 0);
    if (ev->name == NULL || ev->reason == NULL || ev->error == NULL || ev->server == NULL ||
        ev->track_id == NULL || ev->from_track_id == NULL) {
        fprintf(stderr, "FAIL NULL string in event\n");
        exit(1);
    }
    abrkit_status st = ABRKIT_STATUS_INIT;
    abrkit_player_status(h, &st); /* calling back into the library is allowed */
    if (i == 0 && ev->kind == ABRKIT_EVENT_FIRST_FRAME && atomic_exchange(&self_destroyed, 1) == 0) {
        if (abrkit_player_destroy(h) != ABRKIT_OK) {
            fprintf(stderr, "FAIL destroy from callback: %s\n", abrkit_last_error());
            exit(1);
        }
    }
}

static void *player_thread(void *arg) {
    int i = (int)(intptr_t)arg;
    abrkit_player_config cfg = ABRKIT_PLAYER_CONFIG_INIT;
    const char *algos[] = {"throughput", "bb", "dynamic", "auto"};
    cfg.abr = algos[i % 4];
    if (i == 2) {
        cfg.max_height = 720;
        cfg.min_bitrate = 100000;
        cfg.audio_lang = "en";
    }
    abrkit_handle h;
    EXPECT(abrkit_player_create(&cfg, &h), ABRKIT_OK);
    EXPECT(abrkit_player_set_callback(h, on_event, (void *)(intptr_t)i), ABRKIT_OK);
    players[i] = h;
    int32_t rc = abrkit_player_load(h, url, 20000);
    if (i == 0) {
        /* destroyed by its own callback, possibly before load returned */
        if (rc != ABRKIT_OK && rc != ABRKIT_E_CLOSED) FAIL("load 0 = %d", rc);
        return NULL;
    }
    EXPECT(rc, ABRKIT_OK);
    for (int k = 0; k < 20; k++) {
        EXPECT(abrkit_player_set_max_bitrate(h, k % 2 ? 0 : 1000000), ABRKIT_OK);
        EXPECT(abrkit_player_set_abr(h, k % 2 ? "bola" : "throughput"), ABRKIT_OK);
        char *js = NULL;
        EXPECT(abrkit_player_qoe_json(h, &js), ABRKIT_OK);
        abrkit_free(js);
        EXPECT(abrkit_player_tracks_json(h, &js), ABRKIT_OK);
        if (strstr(js, "\"type\":\"video\"") == NULL) FAIL("tracks %s: no video track", js);
        abrkit_free(js);
        EXPECT(abrkit_player_levels_json(h, &js), ABRKIT_OK);
        if (strstr(js, "\"index\":0") == NULL) FAIL("levels %s: no level 0", js);
        abrkit_free(js);
        EXPECT(abrkit_player_set_level(h, k % 3 == 0 ? 0 : -1), ABRKIT_OK);
        EXPECT(abrkit_player_set_level(h, 99), ABRKIT_E_INVALID_ARGUMENT);
        EXPECT(abrkit_player_set_constraints(h, 0, 0, 0, k % 2 ? 0 : 720), ABRKIT_OK);
        EXPECT(abrkit_player_set_constraints(h, -1, 0, 0, 0), ABRKIT_E_INVALID_ARGUMENT);
        EXPECT(abrkit_player_select_audio(h, "no-such-track"), ABRKIT_E_NOT_FOUND);
        EXPECT(abrkit_player_select_audio(h, NULL), ABRKIT_E_INVALID_ARGUMENT);
        sleep_ms(20);
    }
    EXPECT(abrkit_player_seek(h, 5.0), ABRKIT_OK);
    return NULL;
}

static void *hammer(void *arg) {
    (void)arg;
    long calls = 0;
    while (!atomic_load(&stop_hammer)) {
        for (int i = 0; i < PLAYERS; i++) {
            abrkit_qoe q = ABRKIT_QOE_INIT;
            int32_t rc = abrkit_player_qoe(players[i], &q);
            if (rc != ABRKIT_OK && rc != ABRKIT_E_INVALID_HANDLE) FAIL("qoe = %d", rc);
            char *js = NULL;
            rc = abrkit_player_status_json(players[i], &js);
            if (rc == ABRKIT_OK) abrkit_free(js);
            calls += 2;
        }
    }
    printf("ok hammer made %ld calls\n", calls);
    return NULL;
}

static void check_threads(void) {
    pthread_t ts[PLAYERS], hm;
    main_thread = pthread_self();
    pthread_create(&hm, NULL, hammer, NULL);
    for (int i = 0; i < PLAYERS; i++) pthread_create(&ts[i], NULL, player_thread, (void *)(intptr_t)i);
    for (int i = 0; i < PLAYERS; i++) pthread_join(ts[i], NULL);
    for (int i = 0; i < 200 && !atomic_load(&self_destroyed); i++) sleep_ms(50);
    if (!atomic_load(&self_destroyed)) FAIL("player 0 never saw first_frame");
    EXPECT(abrkit_player_play(players[0]), ABRKIT_E_INVALID_HANDLE);
    atomic_store(&stop_hammer, 1);
    pthread_join(hm, NULL);
    for (int i = 1; i < PLAYERS; i++) {
        abrkit_qoe q = ABRKIT_QOE_INIT;
        EXPECT(abrkit_player_qoe(players[i], &q), ABRKIT_OK);
        if (!q.started || q.segments == 0 || q.seeks != 1) FAIL("player %d: started %d segments %d seeks %d", i, q.started, q.segments, q.seeks);
        if (atomic_load(&events[i]) < 4) FAIL("player %d: %d events", i, atomic_load(&events[i]));
    }
    if (!atomic_load(&callback_threads_ok)) FAIL("a callback ran on the main thread");
    printf("ok %d players on %d threads\n", PLAYERS, PLAYERS);
}

/* 4. Destroy wakes a thread blocked in wait. */
static abrkit_handle waited;
static void *waiter(void *arg) {
    int32_t *rc = arg;
    *rc = abrkit_player_wait(waited, -1);
    return NULL;
}
static void check_destroy_wakes_wait(void) {
    int32_t rc = 1;
    pthread_t t;
    waited = players[1];
    pthread_create(&t, NULL, waiter, &rc);
    sleep_ms(100);
    for (int i = 1; i < PLAYERS; i++) EXPECT(abrkit_player_destroy(players[i]), ABRKIT_OK);
    pthread_join(t, NULL);
    if (rc != ABRKIT_E_CLOSED) FAIL("wait during destroy = %d; want ABRKIT_E_CLOSED", rc);
    printf("ok destroy wakes wait\n");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: threads URL\n");
        return 2;
    }
    url = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_errors();
    check_tls();
    check_threads();
    check_destroy_wakes_wait();
    printf("ok all\n");
    return 0;
}
