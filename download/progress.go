package download

import "github.com/abrkit/abrkit/player/manifest"

// Progress is counted from the bytes known so far plus an estimate for
// the rest: completed files count with their real size, files of known
// length (byte ranges) with that length, and the others with their
// declared bandwidth × duration, scaled by how the completed files of
// unknown length compared with their own declared sizes. The estimate
// therefore converges on the real total and equals it once every file is
// done.

// itemEstimate is what one file is expected to weigh.
type itemEstimate struct {
	n     int64
	exact bool // n is the length the manifest gives
}

// estimateSums are the running totals behind Progress.BytesEstimate.
type estimateSums struct {
	leftExact  int64 // exact sizes of files not done
	leftDecl   int64 // declared sizes of files not done
	doneDecl   int64 // declared sizes of done files of unknown length
	doneActual int64 // real sizes of those files
}

// estimateOf is item it's expected size: its length, else bandwidth ×
// duration of its track.
func (p *plan) estimateOf(it *item) itemEstimate {
	if it.Length > 0 {
		return itemEstimate{n: it.Length, exact: true}
	}
	var bw int
	if it.Track >= 0 && it.Track < len(p.Tracks) {
		tr := &p.Tracks[it.Track]
		bw = tr.Bandwidth
		if bw == 0 && tr.Type == manifest.Audio {
			bw = 128000 // HLS alternates often carry no BANDWIDTH
		}
	}
	return itemEstimate{n: int64(float64(bw) / 8 * it.Dur.Seconds())}
}

// setPlan takes a download's plan and counts its completed files.
func (d *dl) setPlan(p *plan) {
	d.progress.Segments = len(p.Items)
	d.progress.Duration = p.Duration
	d.est = make(map[string]itemEstimate, len(p.Items))
	d.sums = estimateSums{}
	for i := range p.Items {
		it := &p.Items[i]
		e := p.estimateOf(it)
		d.est[it.Key] = e
		if e.exact {
			d.sums.leftExact += e.n
		} else {
			d.sums.leftDecl += e.n
		}
	}
	for k, size := range d.sizes {
		if e, ok := d.est[k]; ok {
			d.account(e, size, -1)
		}
	}
	d.updateEstimate()
}

// account moves a file between the left (sign 1) and done (sign -1) sums.
func (d *dl) account(e itemEstimate, size int64, sign int64) {
	if e.exact {
		d.sums.leftExact += sign * e.n
		return
	}
	d.sums.leftDecl += sign * e.n
	d.sums.doneDecl -= sign * e.n
	d.sums.doneActual -= sign * size
}

// setDone records a completed file.
func (d *dl) setDone(key string, size int64) {
	if _, ok := d.sizes[key]; ok {
		return
	}
	d.sizes[key] = size
	d.progress.Bytes += size
	d.progress.SegmentsDone = len(d.sizes)
	if e, ok := d.est[key]; ok {
		d.account(e, size, -1)
	}
}

// unsetDone forgets a completed file found missing or damaged.
func (d *dl) unsetDone(key string) {
	size, ok := d.sizes[key]
	if !ok {
		return
	}
	delete(d.sizes, key)
	d.progress.Bytes -= size
	d.progress.SegmentsDone = len(d.sizes)
	if e, ok := d.est[key]; ok {
		d.account(e, size, 1)
	}
}

// updateEstimate sets BytesEstimate from the bytes done and the rest.
func (d *dl) updateEstimate() {
	if d.est == nil {
		return // no plan yet
	}
	ratio := 1.0
	if d.sums.doneDecl > 0 {
		ratio = float64(d.sums.doneActual) / float64(d.sums.doneDecl)
	}
	rest := float64(d.sums.leftExact) + float64(d.sums.leftDecl)*ratio
	d.progress.BytesEstimate = d.progress.Bytes + int64(rest)
}
