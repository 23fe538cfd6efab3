package download

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxDownloads    = 2
	DefaultMaxSegments     = 4
	DefaultMaxAttempts     = 5
	DefaultMaxRefreshes    = 5
	DefaultMinFree         = 64 << 20
	DefaultSpaceCheckEvery = 32 << 20
	// DefaultSegmentSizeFloor is the smallest per-segment size cap: small
	// or short segments, and files with no declared bandwidth, may take
	// this much.
	DefaultSegmentSizeFloor = 16 << 20
	// SegmentSizeFactor times a segment's declared size (bandwidth ×
	// duration) is its cap when that is above the floor: peaks of
	// variable-bitrate video stay well under it.
	SegmentSizeFactor = 4
	// DefaultMaxFiles is the most files (segments and init segments) one
	// download may have: 3 tracks of a 24-hour title in 2 s segments, with
	// room to spare.
	DefaultMaxFiles = 200000
)

// Config configures a Manager.
type Config struct {
	// Dir holds the index (downloads.db) and one folder per download. Required.
	Dir string
	// Fetcher gets manifests and segments; defaults to [NewFetcher](Clock).
	Fetcher transport.Fetcher
	// Keys keeps the content keys of protected downloads (HLS AES-128,
	// DASH CENC), whose media is stored encrypted. Defaults to
	// FileKeyStore{Dir}.
	Keys KeyStore
	// License gets the keys of CENC key IDs when a protected download
	// completes. Defaults to player.ClearKey through Fetcher.
	License player.LicenseRequester
	// LicenseURL is the license server; "" takes the MPD's dashif:Laurl.
	LicenseURL string
	// KeyLoader gets the keys of HLS AES-128 key URIs. Defaults to
	// player.HTTPKeyLoader through Fetcher.
	KeyLoader player.KeyLoader
	// MaxDownloads is how many downloads run at once; defaults to DefaultMaxDownloads.
	MaxDownloads int
	// MaxSegments is how many segments of one download are fetched at once;
	// defaults to DefaultMaxSegments.
	MaxSegments int
	// MaxAttempts is how often one segment is tried before the download
	// fails; defaults to DefaultMaxAttempts.
	MaxAttempts int
	// MaxRefreshes bounds signed-URL refreshes per run; defaults to DefaultMaxRefreshes.
	MaxRefreshes int
	// MinFree is the free space to leave on the disk; defaults to
	// DefaultMinFree. Negative means no floor.
	MinFree int64
	// Quota caps the bytes all downloads together may hold (0: none).
	Quota int64
	// SpaceCheckEvery is how many written bytes pass between free-space
	// checks; defaults to DefaultSpaceCheckEvery.
	SpaceCheckEvery int64
	// MaxFiles is the most files one download may have; a manifest with
	// more is refused (ErrTooLarge) before its segments are modelled, so
	// memory stays bounded. Defaults to DefaultMaxFiles.
	MaxFiles int
	// SegmentSizeFloor is the least every segment may weigh before it is
	// refused with ErrTooLarge (the cap is SegmentSizeFactor × declared
	// bandwidth × duration when larger); defaults to DefaultSegmentSizeFloor.
	SegmentSizeFloor int64
	// Clock gives the time of records and expiry checks and does the
	// backoff waits; defaults to clock.Real.
	Clock clock.Clock
	// Space measures free space; defaults to [StatfsSpace]. Tests inject one.
	Space SpaceChecker
	// OpenFS opens a download's folder; defaults to [OpenRootFS]. Tests
	// inject a file system that fails with ENOSPC.
	OpenFS func(dir string) (FS, error)
	// Backoff is the wait before retry number attempt (1-based); defaults
	// to 250ms doubling up to 8s. Return 0 for no wait.
	Backoff func(attempt int) time.Duration
	// RefreshFor gives the refresh hook of a download that was added
	// without one (for example before a restart). May be nil.
	RefreshFor func(d Download) RefreshFunc
	// OnEvent is called from the manager's goroutine for every event; it
	// must not block or call back into the manager.
	OnEvent func(Event)
	// Passive opens the index without starting any download: for listing,
	// verifying and removing from another process.
	Passive bool
	// ReadOnly is Passive that changes nothing: no folder or index is
	// created (a missing one is an error matching ErrNoIndex), and an index
	// that a running download holds is read from a snapshot.
	ReadOnly bool
}

func (c *Config) setDefaults() {
	c.Clock = clock.Or(c.Clock)
	if c.Fetcher == nil {
		c.Fetcher = NewFetcher(c.Clock)
	}
	if c.Keys == nil {
		c.Keys = FileKeyStore{Dir: c.Dir}
	}
	if c.License == nil {
		c.License = &player.ClearKey{Fetcher: c.Fetcher}
	}
	if c.KeyLoader == nil {
		c.KeyLoader = &player.HTTPKeyLoader{Fetcher: c.Fetcher}
	}
	if c.MaxDownloads <= 0 {
		c.MaxDownloads = DefaultMaxDownloads
	}
	if c.MaxSegments <= 0 {
		c.MaxSegments = DefaultMaxSegments
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.MaxRefreshes <= 0 {
		c.MaxRefreshes = DefaultMaxRefreshes
	}
	if c.MinFree == 0 {
		c.MinFree = DefaultMinFree
	} else if c.MinFree < 0 {
		c.MinFree = 0
	}
	if c.MaxFiles <= 0 {
		c.MaxFiles = DefaultMaxFiles
	}
	if c.SegmentSizeFloor <= 0 {
		c.SegmentSizeFloor = DefaultSegmentSizeFloor
	}
	if c.SpaceCheckEvery <= 0 {
		c.SpaceCheckEvery = DefaultSpaceCheckEvery
	}
	if c.Space == nil {
		c.Space = StatfsSpace{}
	}
	if c.OpenFS == nil {
		c.OpenFS = func(dir string) (FS, error) { return OpenRootFS(dir) }
	}
	if c.Backoff == nil {
		c.Backoff = func(n int) time.Duration {
			d := 250 * time.Millisecond << min(n-1, 5)
			return min(d, 8*time.Second)
		}
	}
}

// dl is the manager's state of one download; only the loop touches it.
type dl struct {
	rec      record
	refresh  RefreshFunc
	fresh    string // manifest URL the next run starts from (Add of an existing download)
	progress Progress
	sizes    map[string]int64 // completed items
	est      map[string]itemEstimate
	sums     estimateSums
	running  bool
	cancel   context.CancelCauseFunc
	stopReq  StopReason
	waiters  []chan Download
	rateT    time.Time
	rateB    int64
	lastErr  error
}

// Manager downloads titles for offline playback: a queue with a limit on
// parallel downloads and on parallel segments within one, a persistent
// index that survives crashes, verification, storage rules and signed-URL
// refresh. One goroutine owns all state; methods send it requests.
type Manager struct {
	cfg     Config
	idx     *index
	lib     *os.Root
	cmds    chan func()
	msgs    chan any
	ctx     context.Context
	stop    context.CancelFunc
	done    chan struct{}
	started bool
	dls     map[string]*dl
	seq     uint64
	busy    int // removals in flight
	startMu chan struct{}
	rebuilt []string // downloads New took back from their folders
}

// New opens (or creates) the download index in cfg.Dir. Call Start to run
// it. A new index is rebuilt from the download folders already there. With
// cfg.ReadOnly nothing is created or changed.
func New(cfg Config) (*Manager, error) {
	if cfg.Dir == "" {
		return nil, errors.New("download: Config.Dir is required")
	}
	cfg.setDefaults()
	abs, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Dir = abs
	ctx, cancel := context.WithCancel(context.Background())
	m := &Manager{
		cfg: cfg, cmds: make(chan func()), msgs: make(chan any, 64),
		ctx: ctx, stop: cancel, done: make(chan struct{}),
		dls: make(map[string]*dl), startMu: make(chan struct{}, 1),
	}
	if err := m.open(); err != nil {
		cancel()
		return nil, err
	}
	if err := m.load(); err != nil {
		m.idx.close()
		m.lib.Close()
		cancel()
		return nil, err
	}
	return m, nil
}

// open opens the folder and its index, rebuilding a new index from the
// download folders present.
func (m *Manager) open() error {
	path := filepath.Join(m.cfg.Dir, IndexFile)
	_, serr := os.Stat(path)
	fresh := errors.Is(serr, fs.ErrNotExist)
	if m.cfg.ReadOnly && fresh {
		return indexMissing(m.cfg.Dir)
	}
	if !m.cfg.ReadOnly {
		if err := os.MkdirAll(m.cfg.Dir, 0o755); err != nil {
			return err
		}
	}
	lib, err := os.OpenRoot(m.cfg.Dir)
	if err != nil {
		return err
	}
	if m.cfg.ReadOnly {
		m.idx, err = openIndexReadOnly(path)
	} else {
		m.idx, err = openIndex(path)
	}
	if err != nil {
		lib.Close()
		return err
	}
	m.lib = lib
	if fresh {
		if m.rebuilt, err = m.reindex(); err != nil {
			m.idx.close()
			lib.Close()
			return err
		}
	}
	return nil
}

// load reads every download's record, progress and plan.
func (m *Manager) load() error {
	recs, err := m.idx.all()
	if err != nil {
		return err
	}
	for _, r := range recs {
		d := &dl{rec: *r, sizes: map[string]int64{}}
		done, err := m.idx.done(r.ID)
		if err != nil {
			return err
		}
		for k, rec := range done {
			d.setDone(k, rec.Size)
		}
		p, err := m.idx.plan(r.ID)
		if err != nil {
			return err
		}
		if p != nil {
			d.setPlan(p)
		}
		m.seq = max(m.seq, r.Seq)
		m.dls[r.ID] = d
	}
	return nil
}

// Start runs the manager's goroutine. Downloads that were active when the
// process last stopped (even by kill -9) are queued again, and removals
// that were cut short are finished.
func (m *Manager) Start() {
	select {
	case m.startMu <- struct{}{}:
	default:
		return
	}
	m.started = true
	if m.cfg.ReadOnly {
		go m.loop()
		return
	}
	now := m.cfg.Clock.Now()
	for _, d := range m.dls {
		switch d.rec.state() {
		case StateDownloading:
			d.rec.State = StateQueued.String()
			d.rec.Updated = now
			if err := m.idx.put(&d.rec); err != nil {
				// Not restarted on an index that cannot record it.
				d.rec.State, d.rec.StopReason = StatePaused.String(), StopStorageError
				d.rec.Err = fmt.Sprintf("queue again after restart: %v", err)
			}
		}
	}
	go m.loop()
}

// Close stops all downloads (they stay queued and resume at the next
// Start), waits for the goroutine and closes the index.
func (m *Manager) Close() error {
	m.stop()
	if m.started {
		<-m.done
	}
	err := m.idx.close()
	if cerr := m.lib.Close(); err == nil {
		err = cerr
	}
	return err
}

// Wait blocks until the manager's goroutine has ended (after Close).
func (m *Manager) Wait() {
	if m.started {
		<-m.done
	}
}

// Dir is the manager's absolute folder.
func (m *Manager) Dir() string { return m.cfg.Dir }

func (m *Manager) loop() {
	defer close(m.done)
	if !m.cfg.ReadOnly {
		m.recover()
	}
	m.schedule()
	stopping := false
	for {
		if stopping {
			if m.runningCount() == 0 && m.busy == 0 {
				return
			}
			// Keep serving jobs' messages until they have ended.
			select {
			case msg := <-m.msgs:
				m.handle(msg)
			case f := <-m.cmds:
				f()
			}
			continue
		}
		select {
		case f := <-m.cmds:
			f()
		case msg := <-m.msgs:
			m.handle(msg)
		case <-m.ctx.Done():
			stopping = true
			for _, d := range m.dls {
				if d.running {
					d.stopReq = StopShutdown
					d.cancel(errShutdown)
				}
			}
			continue
		}
		m.schedule()
	}
}

// stopRequeue is a pause undone by Resume before the job stopped.
const stopRequeue StopReason = "requeue"

var (
	errShutdown = errors.New("manager closed")
	errPaused   = errors.New("paused")
	errRemoved  = errors.New("removed")
)

// recover finishes removals cut short by a crash.
func (m *Manager) recover() {
	for id, d := range m.dls {
		if d.rec.state() == StateRemoving {
			m.removeFiles(id)
		}
	}
}

func (m *Manager) runningCount() int {
	n := 0
	for _, d := range m.dls {
		if d.running {
			n++
		}
	}
	return n
}

// schedule starts queued downloads, oldest first, up to MaxDownloads.
func (m *Manager) schedule() {
	if m.cfg.Passive || m.cfg.ReadOnly {
		return
	}
	free := m.cfg.MaxDownloads - m.runningCount()
	if free <= 0 {
		return
	}
	var queued []*dl
	for _, d := range m.dls {
		if d.rec.state() == StateQueued && !d.running {
			queued = append(queued, d)
		}
	}
	sort.Slice(queued, func(i, j int) bool { return queued[i].rec.Seq < queued[j].rec.Seq })
	for _, d := range queued[:min(free, len(queued))] {
		m.startJob(d)
	}
}

func (m *Manager) startJob(d *dl) {
	id := d.rec.ID
	absDir := filepath.Join(m.cfg.Dir, id)
	fsys, err := m.cfg.OpenFS(absDir)
	if err != nil {
		m.finishJob(d, fmt.Errorf("%w: %w", errStorage, err))
		return
	}
	var others int64
	for oid, o := range m.dls {
		if oid != id {
			others += o.progress.Bytes
		}
	}
	refresh := d.refresh
	if refresh == nil && m.cfg.RefreshFor != nil {
		refresh = m.cfg.RefreshFor(m.snapshot(d))
	}
	env := &jobEnv{
		fetcher: m.cfg.Fetcher, idx: m.idx, clock: m.cfg.Clock, space: m.cfg.Space,
		absDir: absDir, minFree: m.cfg.MinFree, quota: d.rec.Quota, globalQuota: m.cfg.Quota,
		usedOthers: others, maxSegments: m.cfg.MaxSegments, maxAttempts: m.cfg.MaxAttempts,
		maxRefreshes: m.cfg.MaxRefreshes, spaceEvery: m.cfg.SpaceCheckEvery, sizeFloor: m.cfg.SegmentSizeFloor,
		maxFiles: m.cfg.MaxFiles,
		backoff:  m.cfg.Backoff, refresh: refresh, keys: m.cfg.Keys, license: m.cfg.License, licenseURL: m.cfg.LicenseURL, keyLoader: m.cfg.KeyLoader,
		send: m.send,
	}
	url := d.rec.CurrentURL
	if url == "" {
		url = d.rec.SourceURL
	}
	j := &job{env: env, id: id, url: url, sel: d.rec.Selection, fs: fsys, rec: d.rec, fresh: d.fresh}
	d.fresh = ""
	ctx, cancel := context.WithCancelCause(m.ctx)
	d.running, d.cancel, d.stopReq, d.lastErr = true, cancel, StopNone, nil
	d.rate(m.cfg.Clock.Now(), true)
	m.setState(d, StateDownloading, StopNone, nil)
	go func() {
		err := j.run(ctx)
		cancel(nil)
		if cerr := fsys.Close(); err == nil && cerr != nil {
			err = cerr
		}
		m.send(msgJobDone{id: id, err: err})
	}()
}

// send delivers a job's message to the loop. The loop keeps reading until
// every job has ended, so this never blocks for long.
func (m *Manager) send(msg any) { m.msgs <- msg }

func (m *Manager) handle(msg any) {
	switch msg := msg.(type) {
	case msgPlan:
		if d := m.dls[msg.id]; d != nil {
			d.sizes = map[string]int64{}
			d.progress.Bytes, d.progress.SegmentsDone = 0, 0
			for k, r := range msg.done {
				d.setDone(k, r.Size)
			}
			d.setPlan(msg.plan)
			m.emit(EventProgress, d, nil)
		}
	case msgSegments:
		d := m.dls[msg.id]
		if d == nil {
			return
		}
		for _, k := range msg.unset {
			d.unsetDone(k)
		}
		for _, s := range msg.segs {
			d.setDone(s.key, s.rec.Size)
		}
		d.updateEstimate()
		d.rate(m.cfg.Clock.Now(), false)
		m.emit(EventProgress, d, nil)
	case msgRetry:
		if d := m.dls[msg.id]; d != nil {
			d.progress.Retries++
			m.emit(EventRetry, d, msg.err)
		}
	case msgRefreshed:
		if d := m.dls[msg.id]; d != nil {
			d.progress.Refreshes++
			d.rec.CurrentURL = msg.url
			d.rec.Updated = m.cfg.Clock.Now()
			err := m.idx.put(&d.rec)
			if err != nil && d.running {
				d.cancel(fmt.Errorf("%w: recording the refreshed URL: %w", errStorage, err))
			}
			m.emit(EventRefresh, d, err)
		}
	case msgJobDone:
		if d := m.dls[msg.id]; d != nil {
			d.running = false
			m.finishJob(d, msg.err)
		}
	case msgRemoved:
		m.busy--
		if d := m.dls[msg.id]; d != nil {
			if msg.err != nil {
				d.rec.Err = msg.err.Error()
				if err := m.idx.put(&d.rec); err != nil {
					d.rec.Err += "; recording it: " + err.Error()
				}
				m.emit(EventState, d, msg.err)
				m.notify(d)
				return
			}
			delete(m.dls, msg.id)
			m.emit(EventState, d, nil)
			m.notify(d)
		}
	}
}

type msgRemoved struct {
	id  string
	err error
}

// finishJob settles a download whose job ended.
func (m *Manager) finishJob(d *dl, err error) {
	switch req := d.stopReq; {
	case req == StopCancelled || d.rec.state() == StateRemoving:
		m.removeFiles(d.rec.ID)
		return
	case err == nil:
		d.rec.Completed = m.cfg.Clock.Now()
		d.rec.Offline = OfflineManifest
		d.progress.ETA = 0
		m.setState(d, StateCompleted, StopNone, nil)
	case req == StopUser:
		m.setState(d, StatePaused, StopUser, nil)
	case req == StopShutdown:
		m.setState(d, StateQueued, StopShutdown, nil)
	case req == stopRequeue:
		m.setState(d, StateQueued, StopNone, nil)
	default:
		reason, state := classify(err)
		d.lastErr = err
		m.setState(d, state, reason, err)
	}
	m.notify(d)
}

// classify maps a job's error to a stop reason and the state it leaves.
func classify(err error) (StopReason, State) {
	var se *SpaceError
	switch {
	case errors.As(err, &se) && errors.Is(err, ErrQuota):
		return StopQuota, StatePaused
	case errors.As(err, &se) || isDiskFull(err):
		return StopNoSpace, StatePaused
	case errors.Is(err, errStorage):
		return StopStorageError, StatePaused
	case errors.Is(err, ErrUnsafePath), errors.Is(err, ErrUnsupported), errors.Is(err, ErrNoTracks),
		errors.Is(err, manifest.ErrMalformed), errors.Is(err, ErrTooLarge):
		return StopManifest, StateFailed
	case errors.Is(err, ErrAuthExpired):
		return StopAuth, StateFailed
	case errors.Is(err, ErrVerify):
		return StopVerify, StateFailed
	}
	return StopNetwork, StateFailed
}

func (m *Manager) setState(d *dl, s State, reason StopReason, err error) {
	d.rec.State = s.String()
	d.rec.StopReason = reason
	d.rec.Err = ""
	if err != nil {
		d.rec.Err = err.Error()
	}
	d.rec.Updated = m.cfg.Clock.Now()
	if perr := m.idx.put(&d.rec); perr != nil {
		// The state holds in memory; the index keeps the last one it took.
		perr = fmt.Errorf("%w: recording state %s: %w", errStorage, s, perr)
		d.rec.Err = strings.TrimPrefix(d.rec.Err+"; "+perr.Error(), "; ")
		err = errors.Join(err, perr)
	}
	m.emit(EventState, d, err)
}

func (m *Manager) emit(k EventKind, d *dl, err error) {
	if m.cfg.OnEvent != nil {
		m.cfg.OnEvent(Event{Kind: k, Download: m.snapshot(d), Err: err})
	}
}

// notify wakes Await callers once the download is at rest or gone.
func (m *Manager) notify(d *dl) {
	if d.running || d.rec.state().Active() || (d.rec.state() == StateRemoving && m.dls[d.rec.ID] != nil) {
		return
	}
	snap := m.snapshot(d)
	for _, w := range d.waiters {
		w <- snap
	}
	d.waiters = nil
}

// removeFiles deletes a download's folder off the loop and then its
// index entries; the record stays in state removing until both are done,
// so a crash in between is finished by the next Start.
func (m *Manager) removeFiles(id string) {
	d := m.dls[id]
	if d.rec.state() != StateRemoving {
		m.setState(d, StateRemoving, d.rec.StopReason, nil)
	}
	m.busy++
	go func() {
		err := m.lib.RemoveAll(id)
		if err == nil {
			err = m.cfg.Keys.DeleteKeys(id)
		}
		if err == nil {
			err = m.idx.delete(id)
		}
		m.send(msgRemoved{id: id, err: err})
	}()
}

// rate updates the byte rate (EWMA over completions) and the ETA.
func (d *dl) rate(now time.Time, reset bool) {
	if reset || d.rateT.IsZero() {
		d.rateT, d.rateB = now, d.progress.Bytes
		return
	}
	dt := now.Sub(d.rateT).Seconds()
	if dt < 0.2 {
		return
	}
	r := float64(d.progress.Bytes-d.rateB) / dt
	if d.progress.BytesPerSec == 0 {
		d.progress.BytesPerSec = r
	} else {
		d.progress.BytesPerSec = 0.7*d.progress.BytesPerSec + 0.3*r
	}
	d.rateT, d.rateB = now, d.progress.Bytes
	if left := d.progress.BytesEstimate - d.progress.Bytes; left > 0 && d.progress.BytesPerSec > 0 {
		d.progress.ETA = time.Duration(float64(left) / d.progress.BytesPerSec * float64(time.Second))
	} else {
		d.progress.ETA = 0
	}
}

func (m *Manager) snapshot(d *dl) Download {
	r := &d.rec
	st := r.state()
	return Download{
		ID: r.ID, URL: r.SourceURL, Title: r.Title, Dir: r.ID, State: st, StopReason: r.StopReason, Err: r.Err,
		Selection: r.Selection, Quota: r.Quota, Created: r.Created, Updated: r.Updated, Completed: r.Completed,
		Expires: r.Expires, Progress: d.progress, Offline: r.Offline,
	}
}

// do runs f on the manager's goroutine.
func (m *Manager) do(f func()) error {
	if !m.started {
		return fmt.Errorf("download: manager not started")
	}
	done := make(chan struct{})
	select {
	case m.cmds <- func() { f(); close(done) }:
	case <-m.done:
		return ErrClosed
	case <-m.ctx.Done():
		return ErrClosed
	}
	<-done
	return nil
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// IDFor derives a download ID from a manifest URL: scheme, host and path
// (not the query, so that a fresh signature names the same download).
func IDFor(manifestURL string) string {
	u, err := url.Parse(manifestURL)
	key := manifestURL
	if err == nil {
		key = u.Scheme + "://" + u.Host + u.Path
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:6])
}

// Add queues a download. An existing ID gives ErrExists (call Resume).
func (m *Manager) Add(req Request) (string, error) {
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("download URL %q: want an http(s) URL: %w", redact(req.URL), ErrUnsupported)
	}
	id := req.ID
	if id == "" {
		id = IDFor(req.URL)
	}
	if !idPattern.MatchString(id) {
		return "", fmt.Errorf("download ID %q: %w: want 1-64 of [A-Za-z0-9._-], not starting with . _ or -", id, ErrInvalidID)
	}
	var out error
	err = m.do(func() {
		if d, ok := m.dls[id]; ok {
			if req.Refresh != nil {
				// The caller just asked for this URL: its next run uses it.
				d.refresh, d.fresh = req.Refresh, req.URL
			}
			out = fmt.Errorf("download %s: %w", id, ErrExists)
			return
		}
		now := m.cfg.Clock.Now()
		m.seq++
		d := &dl{refresh: req.Refresh, sizes: map[string]int64{}, rec: record{
			ID: id, SourceURL: req.URL, CurrentURL: req.URL, Title: req.Title, State: StateQueued.String(),
			Selection: req.Selection, Quota: req.Quota, Seq: m.seq, Created: now, Updated: now, Expires: req.Expires,
		}}
		if err := m.idx.put(&d.rec); err != nil {
			out = err
			return
		}
		m.dls[id] = d
		m.emit(EventState, d, nil)
	})
	if err != nil {
		return "", err
	}
	return id, out
}

func (m *Manager) with(id string, f func(d *dl) error) error {
	var out error
	if err := m.do(func() {
		d, ok := m.dls[id]
		if !ok {
			out = fmt.Errorf("download %s: %w", id, ErrNotFound)
			return
		}
		out = f(d)
	}); err != nil {
		return err
	}
	return out
}

// Pause stops a queued or running download; its completed segments and
// partly written segment stay and Resume continues from them.
func (m *Manager) Pause(id string) error {
	return m.with(id, func(d *dl) error {
		switch {
		case d.running:
			d.stopReq = StopUser
			d.cancel(errPaused)
		case d.rec.state() == StateQueued:
			m.setState(d, StatePaused, StopUser, nil)
			m.notify(d)
		case d.rec.state() == StatePaused:
		default:
			return fmt.Errorf("pause %s (%s): %w", id, d.rec.State, ErrBadState)
		}
		return nil
	})
}

// Resume queues a paused or failed download again. Resuming a completed or
// active download does nothing.
func (m *Manager) Resume(id string) error {
	return m.with(id, func(d *dl) error {
		switch d.rec.state() {
		case StatePaused, StateFailed:
			m.setState(d, StateQueued, StopNone, nil)
		case StateRemoving:
			return fmt.Errorf("resume %s: %w: being removed", id, ErrBadState)
		case StateDownloading:
			if d.running && d.stopReq == StopUser {
				d.stopReq = stopRequeue // the pause in flight ends in the queue
			}
		}
		return nil
	})
}

// Cancel stops a download that has not completed and deletes what it
// fetched. A completed download is only deleted by Remove.
func (m *Manager) Cancel(id string) error {
	return m.with(id, func(d *dl) error {
		if d.rec.state() == StateCompleted {
			return fmt.Errorf("cancel %s: %w: completed (use Remove)", id, ErrBadState)
		}
		return m.removeLocked(d, StopCancelled)
	})
}

// Remove stops a download if it runs and deletes its files and index entry.
func (m *Manager) Remove(id string) error {
	return m.with(id, func(d *dl) error { return m.removeLocked(d, StopNone) })
}

func (m *Manager) removeLocked(d *dl, reason StopReason) error {
	if d.rec.state() == StateRemoving {
		return nil
	}
	m.setState(d, StateRemoving, reason, nil)
	if d.running {
		d.stopReq = StopCancelled
		d.cancel(errRemoved)
		return nil
	}
	m.removeFiles(d.rec.ID)
	return nil
}

// Renew sets a new expiry without downloading anything again.
func (m *Manager) Renew(id string, expires time.Time) error {
	return m.with(id, func(d *dl) error {
		d.rec.Expires = expires
		d.rec.Updated = m.cfg.Clock.Now()
		if err := m.idx.put(&d.rec); err != nil {
			return err
		}
		m.emit(EventState, d, nil)
		return nil
	})
}

// Get returns a snapshot of one download.
func (m *Manager) Get(id string) (Download, error) {
	var out Download
	err := m.with(id, func(d *dl) error { out = m.snapshot(d); return nil })
	return out, err
}

// List returns snapshots of all downloads, oldest first.
func (m *Manager) List() ([]Download, error) {
	var out []Download
	var seqs []uint64
	err := m.do(func() {
		for _, d := range m.dls {
			out = append(out, m.snapshot(d))
			seqs = append(seqs, d.rec.Seq)
		}
	})
	sort.Sort(bySeq{out, seqs})
	return out, err
}

type bySeq struct {
	d []Download
	s []uint64
}

func (b bySeq) Len() int           { return len(b.d) }
func (b bySeq) Less(i, j int) bool { return b.s[i] < b.s[j] }
func (b bySeq) Swap(i, j int) {
	b.d[i], b.d[j] = b.d[j], b.d[i]
	b.s[i], b.s[j] = b.s[j], b.s[i]
}

// Await blocks until the download is at rest (completed, paused or
// failed) or removed (ErrNotFound), or ctx ends.
func (m *Manager) Await(ctx context.Context, id string) (Download, error) {
	ch := make(chan Download, 1)
	var snap Download
	rest := false
	err := m.with(id, func(d *dl) error {
		snap = m.snapshot(d)
		if !d.running && !d.rec.state().Active() && d.rec.state() != StateRemoving {
			rest = true
			return nil
		}
		d.waiters = append(d.waiters, ch)
		return nil
	})
	if err != nil || rest {
		return snap, err
	}
	select {
	case snap = <-ch:
		if snap.State == StateRemoving {
			return snap, fmt.Errorf("download %s: %w", id, ErrNotFound)
		}
		return snap, nil
	case <-ctx.Done():
		return snap, ctx.Err()
	case <-m.done:
		return snap, ErrClosed
	}
}
