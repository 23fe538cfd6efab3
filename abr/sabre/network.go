package sabre

// Period is one stretch of a network trace in Sabre's units.
type Period struct {
	Time      float64 // duration, ms
	Bandwidth float64 // kbit/s (= bits/ms)
	Latency   float64 // ms
}

// Sabre's progress granularity while a download may be abandoned.
const (
	minProgressSize = 12000 // bits
	minProgressTime = 50    // ms
)

// network walks the periods as Sabre's NetworkModel does: latency and
// transfers both spend trace time, and the trace loops.
type network struct {
	periods    []Period
	index      int
	timeToNext float64 // ms left in the current period
}

func newNetwork(p []Period) *network {
	n := &network{periods: p, index: -1}
	n.next()
	return n
}

func (n *network) next() {
	n.index++
	if n.index == len(n.periods) {
		n.index = 0
	}
	n.timeToNext = n.periods[n.index].Time
}

// latencyDelay spends units round trips and returns the time they took.
func (n *network) latencyDelay(units float64) float64 {
	total := 0.0
	for units > 0 {
		lat := n.periods[n.index].Latency
		t := units * lat
		if t <= n.timeToNext {
			total += t
			n.timeToNext -= t
			units = 0
		} else {
			total += n.timeToNext
			units -= n.timeToNext / lat
			n.next()
		}
	}
	return total
}

// download delivers size bits and returns the time it took.
func (n *network) download(size float64) float64 {
	total := 0.0
	for size > 0 {
		bw := n.periods[n.index].Bandwidth
		if size <= n.timeToNext*bw {
			t := size / bw
			total += t
			n.timeToNext -= t
			size = 0
		} else {
			total += n.timeToNext
			size -= n.timeToNext * bw
			n.next()
		}
	}
	return total
}

// minimalDownload delivers at least minSize bits or minTime ms of transfer
// (whichever is more), at most size bits, and returns bits and time.
func (n *network) minimalDownload(size, minSize, minTime float64) (bits, elapsed float64) {
	for size > 0 && (minSize > 0 || minTime > 0) {
		bw := n.periods[n.index].Bandwidth
		var b, t float64
		if bw > 0 {
			minBits := max(minSize, minTime*bw)
			toNext := n.timeToNext * bw
			switch {
			case size <= minBits && size <= toNext:
				b, t = size, size/bw
				n.timeToNext -= t
			case minBits <= toNext:
				b, t = minBits, minBits/bw
				minSize, minTime = 0, 0 // no endless loop on rounding
				n.timeToNext -= t
			default:
				b, t = toNext, n.timeToNext
				n.next()
			}
		} else if minSize > 0 || minTime > n.timeToNext {
			t = n.timeToNext
			n.next()
		} else {
			t = minTime
			n.timeToNext -= t
		}
		bits += b
		elapsed += t
		size -= b
		minSize -= b
		minTime -= t
	}
	return bits, elapsed
}

// delay lets t ms pass.
func (n *network) delay(t float64) {
	for t > n.timeToNext {
		t -= n.timeToNext
		n.next()
	}
	n.timeToNext -= t
}

// Progress is a download in flight or done, in Sabre's units.
type Progress struct {
	Index, Quality int
	Size           float64 // bits
	Downloaded     float64 // bits
	Time           float64 // ms since the request, latency included
	TimeToFirstBit float64 // ms
	AbandonTo      int     // level to refetch at; -1 when not abandoned
}

// abandonCheck answers the level to abandon to, or -1 to go on.
type abandonCheck func(p Progress, bufferLevel float64) int

// fetch downloads segment idx at quality, consulting check every 12000
// bits or 50 ms when it is not nil (Sabre's NetworkModel.download).
func (n *network) fetch(size float64, idx, quality int, bufferLevel float64, check abandonCheck) Progress {
	p := Progress{Index: idx, Quality: quality, Size: size, AbandonTo: -1}
	if size <= 0 {
		p.Size = 0
		return p
	}
	lat := n.latencyDelay(1)
	p.TimeToFirstBit = lat
	if check == nil {
		p.Time = lat + n.download(size)
		p.Downloaded = size
		return p
	}
	p.Time = lat
	minTime := minProgressTime - lat
	minSize := float64(minProgressSize)
	for p.Downloaded < size && p.AbandonTo < 0 {
		bits, t := n.minimalDownload(size-p.Downloaded, minSize, minTime)
		p.Time += t
		p.Downloaded += bits
		if p.Downloaded < size {
			p.AbandonTo = check(p, max(0, bufferLevel-p.Time))
			minTime, minSize = minProgressTime, minProgressSize
		}
	}
	return p
}
