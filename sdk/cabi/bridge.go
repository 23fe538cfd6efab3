package main

// The C half of the binding lives in this preamble, in a file without
// //export so that it may define functions: the thread-local last error,
// abrkit_free, static names, and the trampoline that calls an event callback.

/*
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "abrkit.h"

static _Thread_local char *last_msg;
static _Thread_local int32_t last_code;

void abrkit_bridge_set_error(int32_t code, const char *msg, size_t n) {
	if (last_msg != NULL) {
		free(last_msg);
		last_msg = NULL;
	}
	last_code = code;
	if (n > 0) {
		last_msg = malloc(n + 1);
		if (last_msg != NULL) {
			memcpy(last_msg, msg, n);
			last_msg[n] = 0;
		}
	}
}

const char *abrkit_last_error(void) { return last_msg != NULL ? last_msg : ""; }

int32_t abrkit_last_error_code(void) { return last_code; }

void abrkit_free(void *p) { free(p); }

void abrkit_bridge_call(abrkit_event_fn fn, abrkit_handle h, const abrkit_event *ev, void *user) {
	fn(h, ev, user);
}

void abrkit_bridge_call_download(abrkit_download_event_fn fn, abrkit_handle h, const abrkit_download_event *ev, void *user) {
	fn(h, ev, user);
}

uintptr_t abrkit_bridge_self(void) { return (uintptr_t)pthread_self(); }

int abrkit_bridge_is_self(uintptr_t t) { return pthread_equal((pthread_t)t, pthread_self()); }

static const char *const state_names[] = {
	"idle", "loading", "buffering", "playing", "paused", "stalled", "ended", "failed",
};

const char *abrkit_state_name(int32_t s) {
	if (s < 0 || s >= (int32_t)(sizeof state_names / sizeof state_names[0])) {
		return "unknown";
	}
	return state_names[s];
}

static const char *const event_names[] = {
	"unknown", "loading", "manifest_loaded", "first_frame", "playing", "paused", "stall_start",
	"stall_end", "rendition_switch", "server_change", "seek_done", "segment_loaded", "abandon",
	"error", "ended", "track_switch",
};

const char *abrkit_event_name(int32_t k) {
	if (k < 0 || k >= (int32_t)(sizeof event_names / sizeof event_names[0])) {
		return "unknown";
	}
	return event_names[k];
}
*/
import "C"
