package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
)

// jobEnv is what the manager gives one running download.
type jobEnv struct {
	fetcher      transport.Fetcher
	idx          *index
	clock        clock.Clock
	space        SpaceChecker
	absDir       string // the download's folder, for statfs
	minFree      int64
	quota        int64 // per download, 0 none
	globalQuota  int64 // manager-wide, 0 none
	usedOthers   int64 // bytes other downloads hold, for globalQuota
	maxSegments  int
	maxAttempts  int
	maxRefreshes int
	spaceEvery   int64
	sizeFloor    int64 // least per-segment size cap
	maxFiles     int   // most files in a plan
	backoff      func(attempt int) time.Duration
	refresh      RefreshFunc
	keys         KeyStore                // content keys of protected downloads
	license      player.LicenseRequester // keys of CENC key IDs
	keyLoader    player.KeyLoader        // HLS AES-128 keys
	licenseURL   string                  // overrides the manifest's
	send         func(msg any)
}

// Messages a job sends to the manager's loop.
type (
	msgPlan struct {
		id   string
		plan *plan
		done map[string]segRec
	}
	msgSegments struct {
		id    string
		segs  []segDone
		unset []string // keys found missing or damaged and to be fetched again
	}
	msgRetry struct {
		id  string
		err error
	}
	msgRefreshed struct {
		id  string
		url string
	}
	msgJobDone struct {
		id  string
		err error
	}
)

// job runs one download until it completes, fails or its context ends.
type job struct {
	env   *jobEnv
	id    string
	url   string // current manifest URL
	sel   Selection
	fs    FS
	rec   record // the download's record when it started, kept in its folder
	fresh string // a manifest URL just obtained by the caller, to use over the stored one

	mu    sync.Mutex
	plan  *plan
	gen   int // bumped by every refresh
	inits map[string]*initInfo

	refreshMu sync.Mutex
	refreshes int

	written   atomic.Int64 // bytes written in this run
	held      int64        // bytes of completed segments at start
	nextSpace atomic.Int64 // written count at which free space is measured next
	resumed   atomic.Int64 // part files resumed
}

func (j *job) item(i int) item {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.plan.Items[i]
}

func (j *job) initFor(key string) *initInfo {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.inits[key]
}

func (j *job) setInit(key string, info *initInfo) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.inits[key] = info
}

// reserve enforces quotas and the free-space floor before n more bytes
// are written.
func (j *job) reserve(n int64, key string) error {
	w := j.written.Add(n)
	total := j.held + w
	if j.env.quota > 0 && total > j.env.quota {
		return &SpaceError{Path: key, Need: total - j.env.quota, Avail: 0, Err: fmt.Errorf("%w: download quota %d bytes", ErrQuota, j.env.quota)}
	}
	if j.env.globalQuota > 0 && j.env.usedOthers+total > j.env.globalQuota {
		return &SpaceError{Path: key, Need: j.env.usedOthers + total - j.env.globalQuota, Avail: 0, Err: fmt.Errorf("%w: overall quota %d bytes", ErrQuota, j.env.globalQuota)}
	}
	if next := j.nextSpace.Load(); w >= next && j.nextSpace.CompareAndSwap(next, w+j.env.spaceEvery) {
		return j.checkSpace(0)
	}
	return nil
}

// checkSpace fails when fewer than need+minFree bytes are free.
func (j *job) checkSpace(need int64) error {
	if j.env.space == nil {
		return nil
	}
	free, err := j.env.space.Free(j.env.absDir)
	if err != nil {
		return nil // cannot tell: the write itself will say ENOSPC
	}
	if free < need+j.env.minFree {
		return &SpaceError{Path: j.env.absDir, Need: need + j.env.minFree, Avail: free, Err: ErrDiskFull}
	}
	return nil
}

// planFor returns the stored plan, or loads and stores a new one. A
// manifest URL fresh from the caller (a re-run) gives the stored plan its
// URLs, so that a server that failed last time is not asked again.
func (j *job) planFor(ctx context.Context) (*plan, error) {
	pl, err := j.env.idx.plan(j.id)
	if err != nil {
		return nil, err
	}
	if pl != nil {
		if j.fresh != "" && j.fresh != pl.ManifestURL {
			j.plan = pl
			if err := j.adopt(ctx, j.fresh); err != nil {
				j.env.send(msgRetry{id: j.id, err: err}) // the stored URLs may still do
			}
			return j.plan, nil
		}
		return pl, nil
	}
	if j.fresh != "" {
		j.url = j.fresh
	}
	pl, err = loadPlan(ctx, j.env.fetcher, j.url, j.sel, j.env.maxFiles)
	if errors.Is(err, ErrAuthExpired) && j.env.refresh != nil {
		var u string
		if u, err = j.env.refresh(ctx); err == nil {
			j.url = u
			j.env.send(msgRefreshed{id: j.id, url: u})
			pl, err = loadPlan(ctx, j.env.fetcher, u, j.sel, j.env.maxFiles)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := j.env.idx.putPlan(j.id, pl); err != nil {
		return nil, err
	}
	return pl, nil
}

func (j *job) run(ctx context.Context) error {
	pl, err := j.planFor(ctx)
	if err != nil {
		return err
	}
	j.plan = pl
	j.inits = make(map[string]*initInfo)
	if err := writeMeta(j.fs, &j.rec, pl); err != nil {
		return j.storageErr(metaFile, err)
	}
	done, err := j.doneOnDisk()
	if err != nil {
		return err
	}
	j.env.send(msgPlan{id: j.id, plan: pl, done: done})
	if err := j.checkFits(done); err != nil {
		return err
	}
	todoInits, media, err := j.todo(done)
	if err != nil {
		return err
	}
	if err := j.fetchAll(ctx, todoInits); err != nil {
		return err
	}
	if err := j.fetchAll(ctx, media); err != nil {
		return err
	}
	return j.finish(ctx)
}

// doneOnDisk returns the files the index marks done that are on disk
// with their size. Nothing is trusted only because the index says so:
// the others are unmarked and fetched again.
func (j *job) doneOnDisk() (map[string]segRec, error) {
	done, err := j.env.idx.done(j.id)
	if err != nil {
		return nil, err
	}
	var missing []string
	for k, r := range done {
		st, err := j.fs.Stat(k)
		if err != nil || st.Size() != r.Size {
			missing = append(missing, k)
			delete(done, k)
		}
	}
	if len(missing) > 0 {
		if err := j.env.idx.unmark(j.id, missing); err != nil {
			return nil, err
		}
	}
	return done, nil
}

// checkFits refuses a download whose estimated rest exceeds a quota or
// the free space.
func (j *job) checkFits(done map[string]segRec) error {
	for _, it := range j.plan.Items {
		if r, ok := done[it.Key]; ok {
			j.held += r.Size
		}
	}
	estimate := max(j.plan.Estimate-j.held, 0)
	if j.env.quota > 0 && j.held+estimate > j.env.quota {
		return &SpaceError{Path: j.id, Need: j.held + estimate, Avail: j.env.quota, Err: fmt.Errorf("%w: estimated %d bytes, download quota %d", ErrQuota, j.held+estimate, j.env.quota)}
	}
	if j.env.globalQuota > 0 && j.env.usedOthers+j.held+estimate > j.env.globalQuota {
		return &SpaceError{Path: j.id, Need: j.env.usedOthers + j.held + estimate, Avail: j.env.globalQuota, Err: fmt.Errorf("%w: estimated %d bytes, overall quota %d", ErrQuota, j.held+estimate, j.env.globalQuota)}
	}
	if err := j.checkSpace(estimate); err != nil {
		return err
	}
	j.nextSpace.Store(j.env.spaceEvery)
	return nil
}

// todo lists the init segments and media files still to fetch. Inits
// come first (media verification needs them); a stored init that cannot
// be read back is unmarked and fetched again.
func (j *job) todo(done map[string]segRec) (inits, media []int, err error) {
	for i, it := range j.plan.Items {
		if _, ok := done[it.Key]; !ok {
			if it.Kind == kindInit {
				inits = append(inits, i)
			} else {
				media = append(media, i)
			}
			continue
		}
		if it.Kind != kindInit {
			continue
		}
		info, err := j.readInit(it.Key)
		if err != nil {
			if err := j.env.idx.unmark(j.id, []string{it.Key}); err != nil {
				return nil, nil, err
			}
			j.env.send(msgSegments{id: j.id, unset: []string{it.Key}})
			inits = append(inits, i)
			continue
		}
		j.setInit(it.Key, info)
	}
	return inits, media, nil
}

func (j *job) readInit(key string) (*initInfo, error) {
	data, err := j.initBytes(key)
	if err != nil {
		return nil, err
	}
	return parseInit(data)
}

// initBytes reads a stored init segment (at most maxInitSize+1 bytes).
func (j *job) initBytes(key string) ([]byte, error) {
	f, err := j.fs.OpenFile(key, 0, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxInitSize+1))
}

// fetchAll fetches items with up to maxSegments in flight and commits
// completed ones to the index in groups: fsync the folders, then one
// index transaction.
func (j *job) fetchAll(ctx context.Context, items []int) error {
	if len(items) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan int)
	placing := make(chan *verified, j.env.maxSegments)
	commits := make(chan segDone, j.env.maxSegments)
	var wg, pwg sync.WaitGroup
	for w := 0; w < min(j.env.maxSegments, len(items)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				v, err := j.fetchRetry(ctx, i)
				if err != nil {
					cancel(err)
					return
				}
				placing <- v
			}
		}()
		// Placers fsync and rename while the workers fetch on.
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			for v := range placing {
				// A verified file is placed even when the download is
				// stopping: its bytes are good.
				if err := j.place(v); err != nil {
					cancel(err)
					continue
				}
				commits <- segDone{key: v.key, rec: v.rec}
			}
		}()
	}
	commitErr := make(chan error, 1)
	go func() {
		err := j.committer(commits)
		if err != nil {
			cancel(err)
		}
		commitErr <- err
	}()
	go func() {
		defer close(work)
		for _, i := range items {
			select {
			case work <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	close(placing)
	pwg.Wait()
	close(commits)
	if cerr := <-commitErr; cerr != nil {
		return cerr
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// committer records completed segments: the group's folders are fsynced
// (the renames are durable) before the index transaction marks them.
func (j *job) committer(in <-chan segDone) error {
	var firstErr error
	for first := range in {
		batch := []segDone{first}
	drain:
		for len(batch) < 256 {
			select {
			case s, ok := <-in:
				if !ok {
					break drain
				}
				batch = append(batch, s)
			default:
				break drain
			}
		}
		if firstErr != nil {
			continue
		}
		dirs := map[string]bool{}
		for _, s := range batch {
			dirs[dirOf(s.key)] = true
		}
		for d := range dirs {
			if err := j.fs.SyncDir(d); err != nil {
				firstErr = j.storageErr(d, err)
			}
		}
		if firstErr == nil {
			if err := j.env.idx.markDone(j.id, batch); err != nil {
				firstErr = err
			}
		}
		if firstErr == nil {
			j.env.send(msgSegments{id: j.id, segs: batch})
		}
	}
	return firstErr
}

// fetchRetry fetches one item, retrying failures with backoff and
// refreshing signed URLs when the origin rejects them.
func (j *job) fetchRetry(ctx context.Context, i int) (*verified, error) {
	key := j.item(i).Key
	for attempt := 1; ; {
		j.mu.Lock()
		url, gen := j.plan.Items[i].URL, j.gen
		j.mu.Unlock()
		r, err := j.fetchItem(ctx, i, url)
		if err == nil {
			return r, nil
		}
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		var se *SpaceError
		if errors.As(err, &se) || errors.Is(err, errStorage) || errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		if errors.Is(err, ErrAuthExpired) {
			if rerr := j.refreshURLs(ctx, gen, err); rerr != nil {
				return nil, rerr
			}
			continue
		}
		if attempt >= j.env.maxAttempts {
			return nil, fmt.Errorf("%s: gave up after %d attempts: %w: %w", key, attempt, ErrTooManyErrors, err)
		}
		j.env.send(msgRetry{id: j.id, err: err})
		if attempt >= failoverAfter && serverFailed(err) && j.env.refresh != nil {
			// The server keeps failing: the refresh hook may know another.
			if j.refreshURLs(ctx, gen, err) == nil {
				attempt++
				continue
			}
		}
		if d := j.env.backoff(attempt); d > 0 {
			if j.env.clock.Sleep(ctx, d) != nil {
				return nil, context.Cause(ctx)
			}
		}
		attempt++
	}
}

// failoverAfter is how many failed attempts of one file on one server
// make the job ask the refresh hook for another server.
const failoverAfter = 2

// serverFailed reports whether err is the server's fault (no connection,
// a stall, a 5xx), so that another server may do better.
func serverFailed(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status >= 500
	}
	var ve *VerifyError
	return !errors.As(err, &ve) && !errors.Is(err, ErrRangeIgnored)
}

// refreshURLs asks the refresh hook for a new manifest URL once for all
// workers that saw generation gen rejected (signed URLs expired) or
// failing (a server down), reloads the manifest and takes the new URLs of
// the same files.
func (j *job) refreshURLs(ctx context.Context, gen int, cause error) error {
	j.refreshMu.Lock()
	defer j.refreshMu.Unlock()
	j.mu.Lock()
	cur := j.gen
	j.mu.Unlock()
	if cur != gen {
		return nil // another worker refreshed already
	}
	if j.env.refresh == nil {
		return fmt.Errorf("no refresh hook: %w", cause)
	}
	if j.refreshes >= j.env.maxRefreshes {
		return fmt.Errorf("%d refreshes did not help: %w", j.refreshes, cause)
	}
	j.refreshes++
	u, err := j.env.refresh(ctx)
	if err != nil {
		return fmt.Errorf("refresh: %w (after %w)", err, cause)
	}
	return j.adopt(ctx, u)
}

// adopt loads the manifest at u and takes its URLs for the plan's files.
func (j *job) adopt(ctx context.Context, u string) error {
	np, err := loadPlan(ctx, j.env.fetcher, u, j.sel, j.env.maxFiles)
	if err != nil {
		return fmt.Errorf("refreshed manifest: %w", err)
	}
	byKey := make(map[string]string, len(np.Items))
	for _, it := range np.Items {
		byKey[it.Key] = it.URL
	}
	j.mu.Lock()
	updated := *j.plan
	updated.Items = append([]item(nil), j.plan.Items...)
	updated.ManifestURL = u
	for k := range updated.Items {
		nu, ok := byKey[updated.Items[k].Key]
		if !ok {
			j.mu.Unlock()
			return fmt.Errorf("refreshed manifest lacks %s: %w", updated.Items[k].Key, ErrUnsupported)
		}
		updated.Items[k].URL = nu
	}
	j.plan = &updated
	j.gen++
	j.url = u
	j.mu.Unlock()
	if err := j.env.idx.putPlan(j.id, &updated); err != nil {
		return err
	}
	if err := writeMeta(j.fs, &j.rec, &updated); err != nil {
		return j.storageErr(metaFile, err)
	}
	j.env.send(msgRefreshed{id: j.id, url: u})
	return nil
}

// finish checks that every item is on disk as recorded and writes the
// offline manifests.
func (j *job) finish(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	done, err := j.env.idx.done(j.id)
	if err != nil {
		return err
	}
	var missing []string
	for _, it := range j.plan.Items {
		r, ok := done[it.Key]
		if !ok {
			missing = append(missing, it.Key)
			continue
		}
		if st, err := j.fs.Stat(it.Key); err != nil || st.Size() != r.Size {
			missing = append(missing, it.Key)
		}
	}
	if len(missing) > 0 {
		return &GapError{Missing: missing}
	}
	if err := j.fetchKeys(ctx); err != nil {
		return err
	}
	return writeOffline(j.fs, j.plan)
}

// GapError lists files a download lacks; it is never silent.
type GapError struct {
	Missing []string
}

func (e *GapError) Error() string {
	if len(e.Missing) > 3 {
		return fmt.Sprintf("%d segments missing: %v …", len(e.Missing), e.Missing[:3])
	}
	return fmt.Sprintf("%d segments missing: %v", len(e.Missing), e.Missing)
}

// Unwrap matches ErrIncomplete.
func (e *GapError) Unwrap() error { return ErrIncomplete }
