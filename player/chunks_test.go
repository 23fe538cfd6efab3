package player

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/aac"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/abrkit/abrkit/player/manifest"
)

// chunkedSegment is an AAC init segment and a segment of four CMAF
// chunks of 25 frames (25*1024/48000 s each).
func chunkedSegment(t testing.TB) (*manifest.InitInfo, []byte) {
	t.Helper()
	ini := mp4.CreateEmptyInit()
	ini.AddEmptyTrack(48000, "audio", "en")
	if err := ini.Moov.Trak.SetAACDescriptor(aac.AAClc, 48000); err != nil {
		t.Fatal(err)
	}
	var ib bytes.Buffer
	if err := ini.Encode(&ib); err != nil {
		t.Fatal(err)
	}
	info, err := manifest.ParseInit(ib.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var seg bytes.Buffer
	for k := range 4 {
		frag, err := mp4.CreateFragment(uint32(k+1), 1)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 25 {
			frag.AddFullSample(mp4.FullSample{Sample: mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: 1024, Size: 6},
				DecodeTime: uint64(k*25+i) * 1024, Data: []byte("abcdef")})
		}
		if err := frag.Encode(&seg); err != nil {
			t.Fatal(err)
		}
	}
	return info, seg.Bytes()
}

// TestChunkSplitter feeds a chunked segment in random pieces: every byte
// goes through, and each chunk is reported when its mdat ends, with the
// media received so far.
func TestChunkSplitter(t *testing.T) {
	info, seg := chunkedSegment(t)
	chunk := 25 * 1024 * time.Second / 48000
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		var out bytes.Buffer
		var got []time.Duration
		cs := &chunkSplitter{w: &out, init: info, now: time.Now, onChunk: func(m time.Duration) { got = append(got, m) }}
		for p := seg; len(p) > 0; {
			n := min(len(p), 1+rng.IntN(300))
			if trial == 0 {
				n = 1 // byte by byte
			}
			if _, err := cs.Write(p[:n]); err != nil {
				t.Fatal(err)
			}
			p = p[n:]
		}
		if !bytes.Equal(out.Bytes(), seg) {
			t.Fatalf("trial %d: %d bytes out of %d", trial, out.Len(), len(seg))
		}
		if len(got) != 4 || got[0] != chunk || got[3] != 4*chunk {
			t.Fatalf("trial %d: chunks reported %v; want 4, every %v", trial, got, chunk)
		}
	}
}

// FuzzChunkSplitter: any bytes pass through unchanged and never panic;
// reported media only grows.
func FuzzChunkSplitter(f *testing.F) {
	info, seg := chunkedSegment(f)
	f.Add(seg)
	f.Add([]byte("\x00\x00\x00\x01moof\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		var last time.Duration
		cs := &chunkSplitter{w: &out, init: info, now: time.Now, onChunk: func(m time.Duration) {
			if m < last {
				t.Fatalf("media went back from %v to %v", last, m)
			}
			last = m
		}}
		for p := data; len(p) > 0; p = p[min(len(p), 7):] {
			cs.Write(p[:min(len(p), 7)])
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("bytes changed on the way through")
		}
	})
}
