package player

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/abrkit/abrkit/player/transport"
)

// Defaults of Telemetry fields left zero.
const (
	DefaultTelemetryTimeout  = 5 * time.Second
	DefaultTelemetryMaxQueue = 64
)

// Telemetry says where and how the player posts its QoE beacons: a start
// beacon at the first frame, one every Interval, and an end (or error)
// beacon, as JSON batches {"session": ..., "events": [...]} (see
// TelemetryEvent). Posting never blocks playback: beacons wait in a
// bounded queue for a goroutine of their own, and when the endpoint is
// down or slow they are dropped and counted (QoE.TelemetryDropped).
type Telemetry struct {
	// URL receives the POSTs, e.g. the playback API's events URL.
	URL string
	// Session names the session in every batch; defaults to the CMCD
	// session ID (WithSessionID, else a random one).
	Session string
	// Header is sent with every post (e.g. Authorization: Bearer ...).
	Header http.Header
	// Interval is the period of beacons; defaults to DefaultBeaconInterval.
	Interval time.Duration
	// Timeout bounds each post; defaults to DefaultTelemetryTimeout.
	Timeout time.Duration
	// MaxQueue is how many beacons may wait while a post is in flight; the
	// oldest are dropped beyond it. Defaults to DefaultTelemetryMaxQueue.
	MaxQueue int
	// Client makes the posts; defaults to a client of its own.
	Client *http.Client
}

// TelemetryEvent is one beacon as posted. Type is "start", "beacon",
// "end" or "error"; T is seconds since Load; DurationS is the start-up
// time for "start" and the time played so far for the others; CMCD is a
// CMCD payload of the session's state (sid, cid, br, bl, mtp).
type TelemetryEvent struct {
	Type        string  `json:"type"`
	T           float64 `json:"t"`
	Edge        string  `json:"edge,omitempty"`
	BitrateKbps int     `json:"bitrate_kbps,omitempty"`
	BufferS     float64 `json:"buffer_s,omitempty"`
	DurationS   float64 `json:"duration_s,omitempty"`
	Error       string  `json:"error,omitempty"`
	CMCD        string  `json:"cmcd,omitempty"`
}

// TelemetryBatch is the body of one post.
type TelemetryBatch struct {
	Session string           `json:"session"`
	Events  []TelemetryEvent `json:"events"`
}

// sender posts beacons in order from a goroutine that runs only while
// there is something to post (thousands of players in one process would
// otherwise each keep an idle one).
type sender struct {
	cfg Telemetry

	mu      sync.Mutex
	queue   []TelemetryEvent
	busy    bool // a drain goroutine runs
	closed  bool
	wg      sync.WaitGroup
	sent    int
	dropped int
}

func newSender(cfg Telemetry) *sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTelemetryTimeout
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = DefaultTelemetryMaxQueue
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout}
	}
	return &sender{cfg: cfg}
}

// add queues e without blocking; beyond MaxQueue the oldest is dropped.
func (s *sender) add(e TelemetryEvent) {
	s.mu.Lock()
	if len(s.queue) >= s.cfg.MaxQueue {
		s.queue = append(s.queue[:0], s.queue[1:]...)
		s.dropped++
	}
	s.queue = append(s.queue, e)
	start := !s.busy && !s.closed
	if start {
		s.busy = true
		s.wg.Add(1)
	}
	s.mu.Unlock()
	if start {
		go s.drain()
	}
}

// counts returns the beacons posted and dropped so far.
func (s *sender) counts() (sent, dropped int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent, s.dropped
}

// drain posts batches until the queue is empty.
func (s *sender) drain() {
	defer s.wg.Done()
	for s.flush() {
	}
}

// close waits for the posts under way and posts what is still queued
// (each bounded by Timeout).
func (s *sender) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
	s.flush()
}

// flush posts what is queued, and reports false when there was nothing
// (which ends a drain).
func (s *sender) flush() bool {
	s.mu.Lock()
	batch := s.queue
	s.queue = nil
	if len(batch) == 0 {
		s.busy = false
		s.mu.Unlock()
		return false
	}
	s.mu.Unlock()
	err := s.post(batch)
	s.mu.Lock()
	if err != nil {
		s.dropped += len(batch)
	} else {
		s.sent += len(batch)
	}
	s.mu.Unlock()
	return true
}

func (s *sender) post(events []TelemetryEvent) error {
	body, err := json.Marshal(TelemetryBatch{Session: s.cfg.Session, Events: events})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range s.cfg.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10) // let the connection be reused
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("telemetry: POST %s: status %d", s.cfg.URL, resp.StatusCode)
	}
	return nil
}

// beaconEvent describes the session at now for a beacon of kind k.
func beaconEvent(c *Core, k BeaconKind, now time.Duration, sid, cid string) TelemetryEvent {
	q := c.QoE(now)
	buf := c.Buffered(now)
	e := TelemetryEvent{Type: k.String(), T: round6(now.Seconds()), Edge: c.Server(), BitrateKbps: q.LastBitrate / 1000,
		BufferS: round6(buf.Seconds()), DurationS: q.PlaySeconds}
	switch k {
	case BeaconStart:
		e.DurationS = q.StartupSeconds
	case BeaconError:
		e.Error = q.FatalError
	}
	m := transport.CMCD{SessionID: sid, ContentID: cid, Bitrate: q.LastBitrate, BufferLength: buf}
	m.Throughput, _ = c.Estimate()
	e.CMCD = m.Payload()
	return e
}
