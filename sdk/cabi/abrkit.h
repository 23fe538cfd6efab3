/*
 * abrkit.h — C ABI of the abrkit adaptive-bitrate player SDK.
 *
 * Build the library from the module root:
 *
 *   go build -buildmode=c-shared  -o libabrkit.so ./sdk/cabi    (shared)
 *   go build -buildmode=c-archive -o libabrkit.a  ./sdk/cabi    (static; link
 *                                                   with -lpthread -ldl -lm)
 *
 * and compile against this header (not the libabrkit.h that go build writes).
 *
 * Conventions
 *  - Objects are named by handles (abrkit_handle, a positive int64), never by
 *    pointers. Handles are not reused; a stale handle gives
 *    ABRKIT_E_INVALID_HANDLE, never a crash.
 *  - Every function is safe to call from any thread, concurrently, on the same
 *    or different handles. Blocking calls (load, wait) block only the calling
 *    thread.
 *  - Functions return ABRKIT_OK (0) or a negative ABRKIT_E_* code. The message
 *    of the last call made on the calling thread is abrkit_last_error(): a
 *    thread-local string, valid until that thread's next abrkit call ("" after a
 *    success). Like errno, but set on success too.
 *  - Strings returned through char ** out-parameters are allocated by the
 *    library and must be released with abrkit_free(). Strings passed in are
 *    UTF-8, NUL-terminated, and only read during the call.
 *  - Structs the library fills or reads start with a `size` field: set it to
 *    sizeof(the struct) (the ABRKIT_*_INIT macros do). Fields are only ever
 *    appended, so a program built against an older header keeps working.
 *  - Times are seconds (double), bitrates bits per second, sizes bytes.
 */
#ifndef ABRKIT_H
#define ABRKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
template <typename T> inline T abrkit_sized_init_() {
    T v = T();
    v.size = static_cast<uint32_t>(sizeof(T));
    return v;
}
extern "C" {
#endif

#define ABRKIT_ABI_VERSION 1

typedef int64_t abrkit_handle;

/* Initialiser of a struct with a leading size field, the rest zero. */
#ifdef __cplusplus
#define ABRKIT_SIZED_INIT(T) (abrkit_sized_init_<T>())
#else
#define ABRKIT_SIZED_INIT(T) { .size = sizeof(T) }
#endif

/* Result codes. */
#define ABRKIT_OK                   0
#define ABRKIT_E_INVALID_HANDLE    -1  /* unknown, destroyed or wrong-kind handle */
#define ABRKIT_E_INVALID_ARGUMENT  -2  /* NULL pointer, bad size, unknown ABR name, negative value */
#define ABRKIT_E_CLOSED            -3  /* the object was destroyed or closed meanwhile */
#define ABRKIT_E_NOT_LOADED        -4  /* a player command before abrkit_player_load */
#define ABRKIT_E_BAD_STATE         -5  /* loaded twice, download not in a state that allows it */
#define ABRKIT_E_TIMEOUT           -6  /* the timeout of load/wait passed */
#define ABRKIT_E_NETWORK           -7  /* connection or HTTP failure */
#define ABRKIT_E_MANIFEST          -8  /* the manifest could not be parsed or used */
#define ABRKIT_E_PLAYBACK          -9  /* playback failed for another reason */
#define ABRKIT_E_NOT_FOUND        -10  /* no download or track with this id */
#define ABRKIT_E_EXISTS           -11  /* a download with this id exists (resume it) */
#define ABRKIT_E_NO_SPACE         -12  /* disk full or quota exceeded */
#define ABRKIT_E_EXPIRED          -13  /* the download's offline licence expired */
#define ABRKIT_E_INCOMPLETE       -14  /* the download has not completed */
#define ABRKIT_E_DRM              -15  /* encrypted media: no key, a wrong key, a failed license request */
#define ABRKIT_E_INTERNAL         -99  /* a bug: please report abrkit_last_error() */

/* Player states (abrkit_status.state). */
#define ABRKIT_STATE_IDLE      0
#define ABRKIT_STATE_LOADING   1
#define ABRKIT_STATE_BUFFERING 2
#define ABRKIT_STATE_PLAYING   3
#define ABRKIT_STATE_PAUSED    4
#define ABRKIT_STATE_STALLED   5
#define ABRKIT_STATE_ENDED     6
#define ABRKIT_STATE_FAILED    7

/* Event kinds (abrkit_event.kind); abrkit_event.name is the snake_case name. */
#define ABRKIT_EVENT_LOADING           1
#define ABRKIT_EVENT_MANIFEST_LOADED   2
#define ABRKIT_EVENT_FIRST_FRAME       3
#define ABRKIT_EVENT_PLAYING           4
#define ABRKIT_EVENT_PAUSED            5
#define ABRKIT_EVENT_STALL_START       6
#define ABRKIT_EVENT_STALL_END         7
#define ABRKIT_EVENT_RENDITION_SWITCH  8
#define ABRKIT_EVENT_SERVER_CHANGE     9
#define ABRKIT_EVENT_SEEK_DONE        10
#define ABRKIT_EVENT_SEGMENT_LOADED   11
#define ABRKIT_EVENT_ABANDON          12
#define ABRKIT_EVENT_ERROR            13
#define ABRKIT_EVENT_ENDED            14
#define ABRKIT_EVENT_TRACK_SWITCH     15  /* the audio track changed: track_id, from_track_id */

/* Player configuration; zero fields take the SDK defaults. */
typedef struct abrkit_player_config {
    uint32_t size;           /* sizeof(abrkit_player_config) */
    const char *abr;         /* ABR algorithm: NULL/"" auto (default), "throughput", "bb",
                                "bola", "dynamic", "mpc", "robustmpc" */
    int64_t max_bitrate;     /* cap on video bitrate; 0 none */
    int64_t start_bitrate;   /* bandwidth assumed at start-up; 0: 1 Mbit/s */
    int32_t max_retries;     /* consecutive failures of a request before playback fails; 0: 3 */
    int32_t no_autoplay;     /* non-zero: load and buffer, then wait for abrkit_player_play */
    double start_position;   /* VOD start, seconds; 0 the beginning */
    /* Quality control: the ABR chooses only levels inside these bounds (when
     * they conflict, the maximum bounds win). */
    int64_t min_bitrate;     /* floor on video bitrate; 0 none */
    int32_t max_width;       /* pixels; 0 none */
    int32_t max_height;      /* pixels; 0 none */
    int32_t fixed_level;     /* non-zero: hold `level` for the whole session instead of the ABR */
    int32_t level;           /* with fixed_level: video level, 0 the lowest bitrate (clamped to the ladder) */
    const char *audio_lang;  /* preferred audio language ("fr", "fra", "fr-CA"); NULL/"" the first track */
    const char *text_lang;   /* subtitle language to show ("en", "eng"); NULL/"" none */
    const char *license_url; /* ClearKey license server for DASH CENC; NULL/"" the MPD's dashif:Laurl */
    const char *keys;        /* fixed content keys, one a line: "KID:KEY" (hex) for CENC, a lone KEY for
                                HLS AES-128; NULL/"" none (keys from the key URI or license server) */
} abrkit_player_config;
#define ABRKIT_PLAYER_CONFIG_INIT ABRKIT_SIZED_INIT(abrkit_player_config)

/* A snapshot of a player. */
typedef struct abrkit_status {
    uint32_t size;           /* sizeof(abrkit_status) */
    int32_t state;           /* ABRKIT_STATE_* */
    double position_seconds; /* playhead */
    double buffered_seconds; /* media buffered ahead of the playhead */
    int64_t bitrate;         /* video bitrate at the playhead */
    double throughput;       /* bandwidth estimate, bits/s */
} abrkit_status;
#define ABRKIT_STATUS_INIT ABRKIT_SIZED_INIT(abrkit_status)

/* A seek-bar thumbnail (abrkit_player_thumbnail). The library allocates
 * mime_type, url, data and init; release them with abrkit_thumbnail_free. */
typedef struct abrkit_thumbnail {
    uint32_t size;           /* sizeof(abrkit_thumbnail) */
    int32_t tile;            /* 1: data is a tile image (DASH): show the crop rectangle;
                                0: data is an encoded keyframe (HLS I-frame playlist) */
    double time_seconds;     /* the first time the thumbnail stands for */
    double duration_seconds; /* how long it stands for */
    int32_t x, y, width, height; /* crop rectangle in the tile image; keyframes: 0, 0 and the frame size (0 unknown) */
    char *mime_type;         /* "image/jpeg", "image/png", "video/mp2t", "video/mp4" */
    char *url;               /* the image, or the media file holding the keyframe */
    uint8_t *data;           /* the image or keyframe bytes */
    int64_t data_len;
    uint8_t *init;           /* fMP4 keyframes: the init segment; else NULL */
    int64_t init_len;
} abrkit_thumbnail;
#define ABRKIT_THUMBNAIL_INIT ABRKIT_SIZED_INIT(abrkit_thumbnail)

/* The quality-of-experience account of a session; the JSON form
 * (abrkit_player_qoe_json) adds fatal_error and last_server. */
typedef struct abrkit_qoe {
    uint32_t size;           /* sizeof(abrkit_qoe) */
    int32_t started;         /* a first frame was shown */
    double startup_seconds;  /* load to first frame */
    double play_seconds;     /* time the playhead advanced */
    int32_t stalls;          /* rebuffering events after start-up (seeks excluded) */
    double stall_seconds;    /* total rebuffering time */
    double rebuffer_ratio;   /* stall / (play + stall) */
    double avg_bitrate;      /* time-weighted video bitrate at the playhead */
    int64_t last_bitrate;    /* video bitrate at the playhead now */
    int32_t switches;        /* rendition changes at the playhead (start-up excluded) */
    int32_t switches_up;
    int32_t switches_down;
    int32_t server_changes;  /* failover/steering moves */
    int64_t bytes;           /* all bytes received */
    int64_t media_bytes;     /* init and media segment bytes */
    int32_t segments;        /* media segments loaded */
    int32_t abandoned;       /* downloads abandoned by the ABR */
    int32_t seeks;
    int32_t errors;          /* failed requests, retried or not */
    int32_t ended;           /* the end was reached */
    double position_seconds; /* playhead when the account was taken */
} abrkit_qoe;
#define ABRKIT_QOE_INIT ABRKIT_SIZED_INIT(abrkit_qoe)

/* One playback event. Strings are never NULL ("" when not set) and, like the
 * struct itself, valid only during the callback: copy what you keep. */
typedef struct abrkit_event {
    int32_t kind;            /* ABRKIT_EVENT_* */
    const char *name;        /* "first_frame", "rendition_switch", ... */
    double at_seconds;       /* session time */
    double position_seconds; /* playhead */
    int32_t track;           /* 0 none, 1 video, 2 audio (switch, segment_loaded, abandon) */
    int32_t level;           /* rendition index (switch, segment_loaded, abandon) */
    int32_t from_level;
    int64_t bitrate;
    int64_t from_bitrate;
    int64_t bytes;           /* segment_loaded */
    double stall_seconds;    /* stall_end: its length; first_frame: start-up time */
    const char *server;      /* server_change */
    const char *from_server;
    const char *reason;      /* short cause: "startup", "abr", "seek", "failover", ... */
    const char *category;    /* error: "network", "http", "manifest", "media", "drm", ... */
    const char *error;       /* error: the message */
    int32_t fatal;           /* error: playback stopped */
    int64_t dropped;         /* events dropped just before this one (slow callback) */
    const char *track_id;    /* track_switch: the track now played (an id of abrkit_player_tracks_json) */
    const char *from_track_id;
} abrkit_event;

/* Event callback. It is called on a thread owned by the Go runtime (one per
 * player that has a callback), never on a thread of yours and never while you
 * are inside an abrkit call on that thread. Events of one player arrive in
 * order, one at a time; a callback that blocks delays only later events of
 * its player (after 1024 queued events newer ones are dropped and counted in
 * `dropped`). The callback may call any abrkit function, including
 * abrkit_player_destroy on its own player. */
typedef void (*abrkit_event_fn)(abrkit_handle player, const abrkit_event *event, void *user_data);

/* Download event kinds (abrkit_download_event.kind). */
#define ABRKIT_DOWNLOAD_EVENT_STATE    1  /* the state changed */
#define ABRKIT_DOWNLOAD_EVENT_PROGRESS 2  /* a segment completed */
#define ABRKIT_DOWNLOAD_EVENT_RETRY    3  /* a segment fetch failed and will be retried */
#define ABRKIT_DOWNLOAD_EVENT_REFRESH  4  /* signed URLs were refreshed */

/* One download event, a snapshot of the download when it happened. Strings
 * are never NULL and valid only during the callback. */
typedef struct abrkit_download_event {
    int32_t kind;            /* ABRKIT_DOWNLOAD_EVENT_* */
    const char *name;        /* "state", "progress", "retry", "refresh" */
    const char *id;          /* the download */
    const char *state;       /* "queued", "downloading", "paused", "completed", "failed", "removing" */
    const char *stop_reason; /* paused/failed: "user", "no_space", "network", ... ("" otherwise) */
    const char *error;       /* retry, failed: the cause */
    double fraction;         /* 0..1 done */
    int32_t segments;        /* in the plan, init segments included */
    int32_t segments_done;
    int64_t bytes;           /* of completed segments */
    int64_t bytes_estimate;  /* expected total */
    double bytes_per_sec;    /* recent rate */
    int64_t dropped;         /* events dropped just before this one (slow callback) */
} abrkit_download_event;

/* Download event callback: same threading rules as abrkit_event_fn (a
 * library thread per download manager, in order, may call back into the
 * library, including abrkit_downloads_close). */
typedef void (*abrkit_download_event_fn)(abrkit_handle downloads, const abrkit_download_event *event,
                                         void *user_data);

#ifndef ABRKIT_INTERNAL_TYPES_ONLY

/* --- library --------------------------------------------------------------- */

/* ABRKIT_ABI_VERSION of the library (compare with the header's). */
int32_t abrkit_abi_version(void);
/* Message of the last abrkit call on this thread ("" after a success). */
const char *abrkit_last_error(void);
/* Code of the last abrkit call on this thread. */
int32_t abrkit_last_error_code(void);
/* Frees a string returned by the library; NULL is ignored. */
void abrkit_free(void *p);
/* Name of a state ("playing") or event kind ("stall_start"); static, never NULL. */
const char *abrkit_state_name(int32_t state);
const char *abrkit_event_name(int32_t kind);

/* --- player ---------------------------------------------------------------- */

/* Creates a player (cfg NULL: defaults). Nothing is fetched until load. */
int32_t abrkit_player_create(const abrkit_player_config *cfg, abrkit_handle *out);
/* Stops the session and frees the handle. No callback starts after it returns
 * (called from the player's own callback, that callback finishes first). */
int32_t abrkit_player_destroy(abrkit_handle player);
/* Sets (fn non-NULL) or removes (fn NULL) the event callback; may be called
 * before load to see every event. */
int32_t abrkit_player_set_callback(abrkit_handle player, abrkit_event_fn fn, void *user_data);
/* Loads an HLS or DASH manifest URL and starts playing (unless no_autoplay);
 * returns once the presentation is known. A player loads one source, once
 * (another load gives ABRKIT_E_BAD_STATE: create another player). After a
 * failed load (including ABRKIT_E_TIMEOUT) destroy the player.
 * timeout_ms <= 0: no limit. */
int32_t abrkit_player_load(abrkit_handle player, const char *url, int64_t timeout_ms);
/* Loads the completed download `id` of a download manager: plays with no
 * network, from its files. */
int32_t abrkit_player_load_download(abrkit_handle player, abrkit_handle downloads, const char *id,
                                    int64_t timeout_ms);
int32_t abrkit_player_play(abrkit_handle player);
int32_t abrkit_player_pause(abrkit_handle player);
int32_t abrkit_player_seek(abrkit_handle player, double position_seconds);
/* Switches the ABR algorithm (names as in abrkit_player_config.abr). */
int32_t abrkit_player_set_abr(abrkit_handle player, const char *name);
/* Caps video bitrate (0: no cap). */
int32_t abrkit_player_set_max_bitrate(abrkit_handle player, int64_t bps);
/* Tracks of the presentation as a JSON array of objects: id, type ("video",
 * "audio", "text"), lang, name, roles, codecs, channels, default, selected.
 * "[]" before load. Free *out_json with abrkit_free. */
int32_t abrkit_player_tracks_json(abrkit_handle player, char **out_json);
/* Switches to the audio track `id` at the next segment boundary (the buffered
 * audio plays out, so playback does not stall); ABRKIT_E_NOT_FOUND for an id
 * that names no audio track. An ABRKIT_EVENT_TRACK_SWITCH marks the switch. */
int32_t abrkit_player_select_audio(abrkit_handle player, const char *id);
/* Shows the text track `id` (a "text" id of abrkit_player_tracks_json);
 * NULL or "" turns subtitles off; ABRKIT_E_NOT_FOUND for an unknown id. */
int32_t abrkit_player_select_text(abrkit_handle player, const char *id);
/* The cues of the shown text track active at position_seconds (< 0: the
 * playhead) as a JSON array of objects: start_seconds, end_seconds, text (plain,
 * lines separated by "\n"), id, settings, region. Poll it at the playhead to
 * draw subtitles. "[]" before load or without subtitles. Free *out_json with
 * abrkit_free. */
int32_t abrkit_player_cues_json(abrkit_handle player, double position_seconds, char **out_json);
/* Fills *out with the thumbnail for position_seconds from the DASH thumbnail
 * tiles or HLS I-frame playlist (blocking: it may fetch, up to 10 s).
 * ABRKIT_E_NOT_FOUND when the stream has neither. Release *out with
 * abrkit_thumbnail_free. */
int32_t abrkit_player_thumbnail(abrkit_handle player, double position_seconds, abrkit_thumbnail *out);
/* Frees what abrkit_player_thumbnail allocated in *t and zeroes those fields. */
void abrkit_thumbnail_free(abrkit_thumbnail *t);
/* The video ladder as a JSON array: index, bitrate, width, height, codecs,
 * allowed (by the constraints). "[]" before load. */
int32_t abrkit_player_levels_json(abrkit_handle player, char **out_json);
/* Holds video level `level` (an index of abrkit_player_levels_json) from the
 * next segment on; level < 0 returns the choice to the ABR. A level past the
 * ladder gives ABRKIT_E_INVALID_ARGUMENT. */
int32_t abrkit_player_set_level(abrkit_handle player, int32_t level);
/* Replaces the quality constraints (0: no bound); max_bitrate as
 * abrkit_player_set_max_bitrate. */
int32_t abrkit_player_set_constraints(abrkit_handle player, int64_t min_bitrate, int64_t max_bitrate,
                                      int32_t max_width, int32_t max_height);
/* Blocks until the session ends (ABRKIT_OK), fails (its code), is destroyed
 * (ABRKIT_E_CLOSED) or timeout_ms passes (ABRKIT_E_TIMEOUT); timeout_ms < 0
 * waits without limit, 0 only checks. */
int32_t abrkit_player_wait(abrkit_handle player, int64_t timeout_ms);
/* Snapshots; before load they give the idle state and a zero account. */
int32_t abrkit_player_status(abrkit_handle player, abrkit_status *out);
int32_t abrkit_player_qoe(abrkit_handle player, abrkit_qoe *out);
/* The same as JSON objects (field names as `abrkit play --format json`);
 * free *out_json with abrkit_free. */
int32_t abrkit_player_status_json(abrkit_handle player, char **out_json);
int32_t abrkit_player_qoe_json(abrkit_handle player, char **out_json);

/* --- downloads ------------------------------------------------------------- */

/* Opens (or creates) a download folder and starts its manager; downloads left
 * active by an earlier process resume. One process may hold a folder. */
int32_t abrkit_downloads_open(const char *dir, abrkit_handle *out);
/* Stops every download (they resume at the next open) and frees the handle. */
int32_t abrkit_downloads_close(abrkit_handle downloads);
/* Sets (fn non-NULL) or removes (fn NULL) the download event callback. */
int32_t abrkit_downloads_set_callback(abrkit_handle downloads, abrkit_download_event_fn fn, void *user_data);
/* Queues a title (HLS or DASH URL); title may be NULL; max_bitrate picks the
 * highest video rendition at or under it (0: the highest). *out_id (may be
 * NULL) receives the download's id; free it with abrkit_free. */
int32_t abrkit_download_start(abrkit_handle downloads, const char *url, const char *title,
                              int64_t max_bitrate, char **out_id);
int32_t abrkit_download_pause(abrkit_handle downloads, const char *id);
int32_t abrkit_download_resume(abrkit_handle downloads, const char *id);
/* Stops a download and deletes its files. */
int32_t abrkit_download_remove(abrkit_handle downloads, const char *id);
/* One download / all downloads (oldest first) as JSON: id, url, title, state
 * ("queued", "downloading", "paused", "completed", "failed"), stop_reason,
 * error, fraction, progress {segments, segments_done, bytes, ...}. */
int32_t abrkit_download_get(abrkit_handle downloads, const char *id, char **out_json);
int32_t abrkit_download_list(abrkit_handle downloads, char **out_json);
/* Blocks until the download is at rest (completed, paused or failed) and
 * gives it as JSON (out_json may be NULL); timeout_ms <= 0: no limit. */
int32_t abrkit_download_wait(abrkit_handle downloads, const char *id, int64_t timeout_ms, char **out_json);

#endif /* ABRKIT_INTERNAL_TYPES_ONLY */

#ifdef __cplusplus
}
#endif

#endif /* ABRKIT_H */
