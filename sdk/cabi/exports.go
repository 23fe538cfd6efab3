package main

/*
#include <stdlib.h>
#include <string.h>
#define ABRKIT_INTERNAL_TYPES_ONLY
#include "abrkit.h"

void abrkit_bridge_set_error(int32_t code, const char *msg, size_t n);
void abrkit_bridge_call(abrkit_event_fn fn, abrkit_handle h, const abrkit_event *ev, void *user);
void abrkit_bridge_call_download(abrkit_download_event_fn fn, abrkit_handle h, const abrkit_download_event *ev, void *user);
uintptr_t abrkit_bridge_self(void);
int abrkit_bridge_is_self(uintptr_t t);
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player"
)

func init() {
	lockThread = func() any {
		runtime.LockOSThread()
		return uintptr(C.abrkit_bridge_self())
	}
	sameThread = func(t any) bool {
		id, ok := t.(uintptr)
		return ok && C.abrkit_bridge_is_self(C.uintptr_t(id)) != 0
	}
}

// finish records err as the calling thread's last error and returns its code.
func finish(err error) C.int32_t {
	code := codeOf(err)
	var msg string
	if err != nil {
		msg = err.Error()
	}
	C.abrkit_bridge_set_error(C.int32_t(code), (*C.char)(unsafe.Pointer(unsafe.StringData(msg))), C.size_t(len(msg)))
	return C.int32_t(code)
}

// guard turns a panic into ABRKIT_E_INTERNAL: a Go bug must not take the
// host application down.
func guard(code *C.int32_t) {
	if r := recover(); r != nil {
		*code = finish(fmt.Errorf("abrkit: internal error: %v", r))
	}
}

// timeout is a context for a C timeout in milliseconds (<= 0: none).
func timeout(ms C.int64_t) (context.Context, context.CancelFunc) {
	if ms <= 0 {
		return context.WithCancel(context.Background())
	}
	return context.WithTimeout(context.Background(), time.Duration(ms)*time.Millisecond)
}

// outString hands s to C as a malloc'd string, when out is not NULL.
func outString(out **C.char, s []byte) {
	if out != nil {
		*out = C.CString(string(s))
	}
}

func seconds(s C.double) time.Duration { return time.Duration(float64(s) * float64(time.Second)) }

//export abrkit_abi_version
func abrkit_abi_version() C.int32_t { return C.ABRKIT_ABI_VERSION }

//export abrkit_player_create
func abrkit_player_create(cfg *C.abrkit_player_config, out *C.abrkit_handle) (code C.int32_t) {
	defer guard(&code)
	if out == nil {
		return finish(fmt.Errorf("%w: out is NULL", errInvalidArg))
	}
	var c C.abrkit_player_config
	if cfg != nil {
		if cfg.size < C.uint32_t(unsafe.Offsetof(c.abr)) {
			return finish(fmt.Errorf("%w: config size %d (set it to sizeof(abrkit_player_config))", errInvalidArg, cfg.size))
		}
		n := min(uintptr(cfg.size), unsafe.Sizeof(c))
		C.memcpy(unsafe.Pointer(&c), unsafe.Pointer(cfg), C.size_t(n))
	}
	gc := Config{
		MaxBitrate:    int(c.max_bitrate),
		StartBitrate:  int(c.start_bitrate),
		MaxRetries:    int(c.max_retries),
		NoAutoPlay:    c.no_autoplay != 0,
		StartPosition: seconds(c.start_position),
		MinBitrate:    int(c.min_bitrate),
		MaxWidth:      int(c.max_width),
		MaxHeight:     int(c.max_height),
		Fixed:         c.fixed_level != 0,
		Level:         int(c.level),
	}
	if c.abr != nil {
		gc.ABR = C.GoString(c.abr)
	}
	if c.audio_lang != nil {
		gc.AudioLang = C.GoString(c.audio_lang)
	}
	if c.text_lang != nil && uintptr(c.size) >= unsafe.Offsetof(c.text_lang)+unsafe.Sizeof(c.text_lang) {
		gc.TextLang = C.GoString(c.text_lang)
	}
	if c.license_url != nil && uintptr(c.size) >= unsafe.Offsetof(c.license_url)+unsafe.Sizeof(c.license_url) {
		gc.LicenseURL = C.GoString(c.license_url)
	}
	if c.keys != nil && uintptr(c.size) >= unsafe.Offsetof(c.keys)+unsafe.Sizeof(c.keys) {
		gc.Keys = C.GoString(c.keys)
	}
	s, err := newSession(gc)
	if err != nil {
		return finish(err)
	}
	*out = C.abrkit_handle(handles.add(s))
	return finish(nil)
}

//export abrkit_player_destroy
func abrkit_player_destroy(h C.abrkit_handle) (code C.int32_t) {
	defer guard(&code)
	if _, err := lookup[*session](handles, Handle(h)); err != nil {
		return finish(err)
	}
	v, ok := handles.remove(Handle(h))
	if !ok {
		return finish(errInvalidHandle) // destroyed by another thread meanwhile
	}
	return finish(v.(*session).close())
}

// cStrings are C copies of Go strings that live until free: an event's
// strings for the duration of one callback.
type cStrings []*C.char

func (c *cStrings) str(v string) *C.char {
	p := C.CString(v)
	*c = append(*c, p)
	return p
}

func (c *cStrings) free() {
	for _, p := range *c {
		C.free(unsafe.Pointer(p))
	}
	*c = nil
}

// cSink calls a C callback.
type cSink struct {
	h    C.abrkit_handle
	fn   C.abrkit_event_fn
	user unsafe.Pointer
}

// Deliver converts e to an abrkit_event whose strings live for the call.
func (s *cSink) Deliver(e *player.Event, dropped int64) {
	var cs cStrings
	defer cs.free()
	str := cs.str
	var category, errMsg string
	if e.Kind == player.EventError {
		category = e.Category.String()
		if e.Err != nil {
			errMsg = e.Err.Error()
		}
	}
	ev := C.abrkit_event{
		kind:             C.int32_t(e.Kind),
		name:             str(e.Kind.String()),
		at_seconds:       C.double(e.At.Seconds()),
		position_seconds: C.double(e.Position.Seconds()),
		track:            C.int32_t(e.Track),
		level:            C.int32_t(e.Level),
		from_level:       C.int32_t(e.FromLevel),
		bitrate:          C.int64_t(e.Bitrate),
		from_bitrate:     C.int64_t(e.FromBitrate),
		bytes:            C.int64_t(e.Bytes),
		stall_seconds:    C.double(e.Stall.Seconds()),
		server:           str(e.Server),
		from_server:      str(e.FromServer),
		reason:           str(e.Reason),
		category:         str(category),
		error:            str(errMsg),
		dropped:          C.int64_t(dropped),
		track_id:         str(e.TrackID),
		from_track_id:    str(e.FromTrackID),
	}
	if e.Fatal {
		ev.fatal = 1
	}
	C.abrkit_bridge_call(s.fn, s.h, &ev, s.user)
}

//export abrkit_player_set_callback
func abrkit_player_set_callback(h C.abrkit_handle, fn C.abrkit_event_fn, user unsafe.Pointer) (code C.int32_t) {
	defer guard(&code)
	s, err := lookup[*session](handles, Handle(h))
	if err != nil {
		return finish(err)
	}
	if fn == nil {
		s.ev.setSink(nil)
	} else {
		s.ev.setSink(&cSink{h: h, fn: fn, user: user})
	}
	return finish(nil)
}

//export abrkit_player_load
func abrkit_player_load(h C.abrkit_handle, url *C.char, timeoutMS C.int64_t) (code C.int32_t) {
	defer guard(&code)
	s, err := lookup[*session](handles, Handle(h))
	if err != nil {
		return finish(err)
	}
	if url == nil {
		return finish(fmt.Errorf("%w: url is NULL", errInvalidArg))
	}
	ctx, cancel := timeout(timeoutMS)
	defer cancel()
	return finish(s.load(ctx, C.GoString(url)))
}

//export abrkit_player_load_download
func abrkit_player_load_download(h, dl C.abrkit_handle, id *C.char, timeoutMS C.int64_t) (code C.int32_t) {
	defer guard(&code)
	s, err := lookup[*session](handles, Handle(h))
	if err != nil {
		return finish(err)
	}
	m, err := lookup[*manager](handles, Handle(dl))
	if err != nil {
		return finish(err)
	}
	if id == nil {
		return finish(fmt.Errorf("%w: id is NULL", errInvalidArg))
	}
	ctx, cancel := timeout(timeoutMS)
	defer cancel()
	return finish(s.loadOffline(ctx, m, C.GoString(id)))
}

// command runs f on the session of h.
func command(h C.abrkit_handle, f func(s *session) error) (code C.int32_t) {
	defer guard(&code)
	s, err := lookup[*session](handles, Handle(h))
	if err != nil {
		return finish(err)
	}
	return finish(f(s))
}

//export abrkit_player_play
func abrkit_player_play(h C.abrkit_handle) C.int32_t {
	return command(h, func(s *session) error { return s.do((*player.Player).Play) })
}

//export abrkit_player_pause
func abrkit_player_pause(h C.abrkit_handle) C.int32_t {
	return command(h, func(s *session) error { return s.do((*player.Player).Pause) })
}

//export abrkit_player_seek
func abrkit_player_seek(h C.abrkit_handle, pos C.double) C.int32_t {
	return command(h, func(s *session) error { return s.seek(seconds(pos)) })
}

//export abrkit_player_set_abr
func abrkit_player_set_abr(h C.abrkit_handle, name *C.char) C.int32_t {
	return command(h, func(s *session) error {
		if name == nil {
			return fmt.Errorf("%w: name is NULL", errInvalidArg)
		}
		return s.setABR(C.GoString(name))
	})
}

//export abrkit_player_set_max_bitrate
func abrkit_player_set_max_bitrate(h C.abrkit_handle, bps C.int64_t) C.int32_t {
	return command(h, func(s *session) error { return s.setMaxBitrate(int(bps)) })
}

//export abrkit_player_tracks_json
func abrkit_player_tracks_json(h C.abrkit_handle, out **C.char) C.int32_t {
	return command(h, func(s *session) error { return jsonOut(out, s.tracksJSON) })
}

//export abrkit_player_select_audio
func abrkit_player_select_audio(h C.abrkit_handle, id *C.char) C.int32_t {
	return command(h, func(s *session) error {
		if id == nil {
			return fmt.Errorf("%w: id is NULL", errInvalidArg)
		}
		return s.selectAudio(C.GoString(id))
	})
}

//export abrkit_player_select_text
func abrkit_player_select_text(h C.abrkit_handle, id *C.char) C.int32_t {
	return command(h, func(s *session) error {
		if id == nil {
			return s.selectText("")
		}
		return s.selectText(C.GoString(id))
	})
}

//export abrkit_player_cues_json
func abrkit_player_cues_json(h C.abrkit_handle, position C.double, out **C.char) C.int32_t {
	return command(h, func(s *session) error {
		pos := time.Duration(-1)
		if position >= 0 {
			pos = seconds(position)
		}
		return jsonOut(out, func() ([]byte, error) { return s.cuesJSON(pos) })
	})
}

//export abrkit_player_thumbnail
func abrkit_player_thumbnail(h C.abrkit_handle, position C.double, out *C.abrkit_thumbnail) C.int32_t {
	return command(h, func(s *session) error {
		if out == nil {
			return fmt.Errorf("%w: out is NULL", errInvalidArg)
		}
		// the whole struct: its pointers must all be known to be freed
		if err := checkSize(out.size, unsafe.Sizeof(*out), "abrkit_thumbnail"); err != nil {
			return err
		}
		th, err := s.thumbnail(seconds(position))
		if err != nil {
			return err
		}
		v := C.abrkit_thumbnail{size: out.size, tile: cbool(th.Tile),
			time_seconds: C.double(th.Time.Seconds()), duration_seconds: C.double(th.Duration.Seconds()),
			x: C.int32_t(th.Crop.Min.X), y: C.int32_t(th.Crop.Min.Y),
			width: C.int32_t(th.Crop.Dx()), height: C.int32_t(th.Crop.Dy()),
			mime_type: C.CString(th.MimeType), url: C.CString(th.URL),
			data: (*C.uint8_t)(C.CBytes(th.Data)), data_len: C.int64_t(len(th.Data))}
		if th.Init != nil {
			v.init, v.init_len = (*C.uint8_t)(C.CBytes(th.Init)), C.int64_t(len(th.Init))
		}
		*out = v
		return nil
	})
}

//export abrkit_thumbnail_free
func abrkit_thumbnail_free(t *C.abrkit_thumbnail) {
	if t == nil || uintptr(t.size) < unsafe.Sizeof(*t) {
		return
	}
	for _, p := range []unsafe.Pointer{unsafe.Pointer(t.mime_type), unsafe.Pointer(t.url), unsafe.Pointer(t.data), unsafe.Pointer(t.init)} {
		C.free(p)
	}
	t.mime_type, t.url, t.data, t.init, t.data_len, t.init_len = nil, nil, nil, nil, 0, 0
}

//export abrkit_player_levels_json
func abrkit_player_levels_json(h C.abrkit_handle, out **C.char) C.int32_t {
	return command(h, func(s *session) error { return jsonOut(out, s.levelsJSON) })
}

//export abrkit_player_set_level
func abrkit_player_set_level(h C.abrkit_handle, level C.int32_t) C.int32_t {
	return command(h, func(s *session) error { return s.setLevel(int(level)) })
}

//export abrkit_player_set_constraints
func abrkit_player_set_constraints(h C.abrkit_handle, minBitrate, maxBitrate C.int64_t, maxWidth, maxHeight C.int32_t) C.int32_t {
	return command(h, func(s *session) error {
		return s.setConstraints(player.Constraints{MinBitrate: int(minBitrate), MaxBitrate: int(maxBitrate),
			MaxWidth: int(maxWidth), MaxHeight: int(maxHeight)})
	})
}

//export abrkit_player_wait
func abrkit_player_wait(h C.abrkit_handle, timeoutMS C.int64_t) C.int32_t {
	return command(h, func(s *session) error {
		if timeoutMS == 0 {
			return s.poll()
		}
		ctx, cancel := timeout(timeoutMS)
		defer cancel()
		return s.wait(ctx)
	})
}

// checkSize validates the size field of an out struct.
func checkSize(size C.uint32_t, min uintptr, name string) error {
	if uintptr(size) < min {
		return fmt.Errorf("%w: %s.size is %d (set it to sizeof(%s))", errInvalidArg, name, size, name)
	}
	return nil
}

// copyOut copies the first size bytes of full (at most its size) to dst,
// keeping dst's size field.
func copyOut(dst, full unsafe.Pointer, size C.uint32_t, fullSize uintptr) {
	n := min(uintptr(size), fullSize)
	keep := *(*C.uint32_t)(dst)
	C.memcpy(dst, full, C.size_t(n))
	*(*C.uint32_t)(dst) = keep
}

//export abrkit_player_status
func abrkit_player_status(h C.abrkit_handle, out *C.abrkit_status) C.int32_t {
	return command(h, func(s *session) error {
		if out == nil {
			return fmt.Errorf("%w: out is NULL", errInvalidArg)
		}
		if err := checkSize(out.size, unsafe.Offsetof(out.state)+4, "abrkit_status"); err != nil {
			return err
		}
		st, err := s.status()
		if err != nil {
			return err
		}
		v := C.abrkit_status{
			state:            C.int32_t(st.State),
			position_seconds: C.double(st.Position.Seconds()),
			buffered_seconds: C.double(st.Buffered.Seconds()),
			bitrate:          C.int64_t(st.Bitrate),
			throughput:       C.double(st.Throughput),
		}
		copyOut(unsafe.Pointer(out), unsafe.Pointer(&v), out.size, unsafe.Sizeof(v))
		return nil
	})
}

func cbool(b bool) C.int32_t {
	if b {
		return 1
	}
	return 0
}

//export abrkit_player_qoe
func abrkit_player_qoe(h C.abrkit_handle, out *C.abrkit_qoe) C.int32_t {
	return command(h, func(s *session) error {
		if out == nil {
			return fmt.Errorf("%w: out is NULL", errInvalidArg)
		}
		if err := checkSize(out.size, unsafe.Offsetof(out.started)+4, "abrkit_qoe"); err != nil {
			return err
		}
		q, err := s.qoe()
		if err != nil {
			return err
		}
		v := C.abrkit_qoe{
			started:          cbool(q.Started),
			startup_seconds:  C.double(q.StartupSeconds),
			play_seconds:     C.double(q.PlaySeconds),
			stalls:           C.int32_t(q.Stalls),
			stall_seconds:    C.double(q.StallSeconds),
			rebuffer_ratio:   C.double(q.RebufferRatio),
			avg_bitrate:      C.double(q.AvgBitrate),
			last_bitrate:     C.int64_t(q.LastBitrate),
			switches:         C.int32_t(q.Switches),
			switches_up:      C.int32_t(q.SwitchesUp),
			switches_down:    C.int32_t(q.SwitchesDown),
			server_changes:   C.int32_t(q.ServerChanges),
			bytes:            C.int64_t(q.Bytes),
			media_bytes:      C.int64_t(q.MediaBytes),
			segments:         C.int32_t(q.Segments),
			abandoned:        C.int32_t(q.Abandoned),
			seeks:            C.int32_t(q.Seeks),
			errors:           C.int32_t(q.Errors),
			ended:            cbool(q.Ended),
			position_seconds: C.double(q.PositionSeconds),
		}
		copyOut(unsafe.Pointer(out), unsafe.Pointer(&v), out.size, unsafe.Sizeof(v))
		return nil
	})
}

// jsonOut writes the JSON that f makes to *out.
func jsonOut(out **C.char, f func() ([]byte, error)) error {
	if out == nil {
		return fmt.Errorf("%w: out_json is NULL", errInvalidArg)
	}
	b, err := f()
	if err != nil {
		return err
	}
	outString(out, b)
	return nil
}

//export abrkit_player_status_json
func abrkit_player_status_json(h C.abrkit_handle, out **C.char) C.int32_t {
	return command(h, func(s *session) error { return jsonOut(out, s.statusJSON) })
}

//export abrkit_player_qoe_json
func abrkit_player_qoe_json(h C.abrkit_handle, out **C.char) C.int32_t {
	return command(h, func(s *session) error { return jsonOut(out, s.qoeJSON) })
}

//export abrkit_downloads_open
func abrkit_downloads_open(dir *C.char, out *C.abrkit_handle) (code C.int32_t) {
	defer guard(&code)
	if dir == nil || out == nil {
		return finish(fmt.Errorf("%w: dir or out is NULL", errInvalidArg))
	}
	m, err := openManager(C.GoString(dir))
	if err != nil {
		return finish(err)
	}
	*out = C.abrkit_handle(handles.add(m))
	return finish(nil)
}

//export abrkit_downloads_close
func abrkit_downloads_close(h C.abrkit_handle) (code C.int32_t) {
	defer guard(&code)
	if _, err := lookup[*manager](handles, Handle(h)); err != nil {
		return finish(err)
	}
	v, ok := handles.remove(Handle(h))
	if !ok {
		return finish(errInvalidHandle)
	}
	return finish(v.(*manager).close())
}

// cDownloadSink calls a C download callback.
type cDownloadSink struct {
	h    C.abrkit_handle
	fn   C.abrkit_download_event_fn
	user unsafe.Pointer
}

// Deliver converts e to an abrkit_download_event whose strings live for the call.
func (s *cDownloadSink) Deliver(e *download.Event, dropped int64) {
	var cs cStrings
	defer cs.free()
	str := cs.str
	d := e.Download
	errMsg := d.Err
	if e.Err != nil {
		errMsg = e.Err.Error()
	}
	ev := C.abrkit_download_event{
		kind:           C.int32_t(e.Kind),
		name:           str(e.Kind.String()),
		id:             str(d.ID),
		state:          str(d.State.String()),
		stop_reason:    str(string(d.StopReason)),
		error:          str(errMsg),
		fraction:       C.double(d.Progress.Fraction()),
		segments:       C.int32_t(d.Progress.Segments),
		segments_done:  C.int32_t(d.Progress.SegmentsDone),
		bytes:          C.int64_t(d.Progress.Bytes),
		bytes_estimate: C.int64_t(d.Progress.BytesEstimate),
		bytes_per_sec:  C.double(d.Progress.BytesPerSec),
		dropped:        C.int64_t(dropped),
	}
	C.abrkit_bridge_call_download(s.fn, s.h, &ev, s.user)
}

//export abrkit_downloads_set_callback
func abrkit_downloads_set_callback(h C.abrkit_handle, fn C.abrkit_download_event_fn, user unsafe.Pointer) (code C.int32_t) {
	defer guard(&code)
	m, err := lookup[*manager](handles, Handle(h))
	if err != nil {
		return finish(err)
	}
	if fn == nil {
		m.ev.setSink(nil)
	} else {
		m.ev.setSink(&cDownloadSink{h: h, fn: fn, user: user})
	}
	return finish(nil)
}

// managerCall runs f on the manager of h with the id string.
func managerCall(h C.abrkit_handle, id *C.char, f func(m *manager, id string) error) (code C.int32_t) {
	defer guard(&code)
	m, err := lookup[*manager](handles, Handle(h))
	if err != nil {
		return finish(err)
	}
	if id == nil {
		return finish(fmt.Errorf("%w: id is NULL", errInvalidArg))
	}
	return finish(f(m, C.GoString(id)))
}

//export abrkit_download_start
func abrkit_download_start(h C.abrkit_handle, url, title *C.char, maxBitrate C.int64_t, outID **C.char) C.int32_t {
	return managerCall(h, url, func(m *manager, u string) error {
		var t string
		if title != nil {
			t = C.GoString(title)
		}
		id, err := m.start(u, t, int(maxBitrate))
		if err != nil {
			return err
		}
		outString(outID, []byte(id))
		return nil
	})
}

//export abrkit_download_pause
func abrkit_download_pause(h C.abrkit_handle, id *C.char) C.int32_t {
	return managerCall(h, id, (*manager).pause)
}

//export abrkit_download_resume
func abrkit_download_resume(h C.abrkit_handle, id *C.char) C.int32_t {
	return managerCall(h, id, (*manager).resume)
}

//export abrkit_download_remove
func abrkit_download_remove(h C.abrkit_handle, id *C.char) C.int32_t {
	return managerCall(h, id, (*manager).remove)
}

//export abrkit_download_get
func abrkit_download_get(h C.abrkit_handle, id *C.char, out **C.char) C.int32_t {
	return managerCall(h, id, func(m *manager, id string) error {
		return jsonOut(out, func() ([]byte, error) { return m.getJSON(id) })
	})
}

//export abrkit_download_list
func abrkit_download_list(h C.abrkit_handle, out **C.char) (code C.int32_t) {
	defer guard(&code)
	m, err := lookup[*manager](handles, Handle(h))
	if err != nil {
		return finish(err)
	}
	return finish(jsonOut(out, m.listJSON))
}

//export abrkit_download_wait
func abrkit_download_wait(h C.abrkit_handle, id *C.char, timeoutMS C.int64_t, out **C.char) C.int32_t {
	return managerCall(h, id, func(m *manager, id string) error {
		ctx, cancel := timeout(timeoutMS)
		defer cancel()
		b, err := m.wait(ctx, id)
		if err != nil {
			return err
		}
		outString(out, b)
		return nil
	})
}
