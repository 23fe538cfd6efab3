package edge

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// fillByte fills n bytes of b: every file's content says which file it is.
func fillByte(n int, b byte) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return bytes.Repeat([]byte{b}, n), nil }
}

// A reader's bytes stay intact while it holds them, even after their slab
// is evicted; once released, the slab is reused for new files instead of
// allocating another.
func TestCacheSlabReuse(t *testing.T) {
	for _, pin := range []bool{false, true} {
		t.Run(fmt.Sprint("pinned=", pin), func(t *testing.T) { testSlabReuse(t, pin) })
	}
}

// testSlabReuse holds a hit from Acquire, or from Get when pin.
func testSlabReuse(t *testing.T, pin bool) {
	c := NewCache(1 << 20) // 64 KiB slabs, small files up to 4 KiB
	ctx := context.Background()
	if _, _, _, err := c.Acquire(ctx, "t", "held", fillByte(2000, 'H')); err != nil {
		t.Fatal(err)
	}
	held, release, out, _ := c.Acquire(ctx, "t", "held", fillByte(2000, 'X'))
	if pin {
		release()
		held, out, _ = c.Get(ctx, "t", "held", fillByte(2000, 'X'))
		release = func() {}
	}
	if out != Hit {
		t.Fatalf("second lookup = %v; want hit", out)
	}
	for i := range 2000 { // 4 MB of other small files: every slab is evicted several times
		if _, rel, _, err := c.Acquire(ctx, "t", fmt.Sprint("f", i), fillByte(2000, byte(i))); err != nil {
			t.Fatal(err)
		} else {
			rel()
		}
		if st := c.Stats(); st.Reserved > 1<<20 || st.Bytes > st.Reserved {
			t.Fatalf("after %d fills: %+v; want bytes <= reserved <= 1 MiB", i, st)
		}
	}
	if st := c.Stats(); st.Evictions == 0 {
		t.Fatalf("Stats() = %+v; want evictions", st)
	}
	if !bytes.Equal(held, bytes.Repeat([]byte{'H'}, 2000)) {
		t.Fatal("a held file was overwritten after its slab was evicted")
	}
	release()

	// a full cache of small files recycles its slabs: no slab is
	// allocated after the first sixteen (1 MiB of 64 KiB slabs)
	for i := range 1000 {
		_, rel, _, _ := c.Acquire(ctx, "t", fmt.Sprint("g", i), fillByte(3000, 'g'))
		rel()
	}
	c.mu.Lock()
	made, slabs := c.store.made, len(c.store.fifo)+len(c.store.spare)
	c.mu.Unlock()
	if made > 16+2 || slabs > 16 {
		t.Errorf("%d slabs allocated, %d held; want at most 16 held, and 2 allocated while a reader held one, besides", made, slabs)
	}
}

// Random fills, hits, held readers and purges against the rule that every
// lookup returns its own file's bytes and the cache stays within its size.
func TestCacheSlabRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	for _, max := range []int64{100, 64 << 10, 1 << 20} {
		c := NewCache(max)
		type held struct {
			data    []byte
			want    byte
			release func()
		}
		var hold []held
		for i := range 5000 {
			k := r.IntN(300)
			n := 1 + int(r.ExpFloat64()*float64(max)/40)
			want := byte(k)
			size := func(k int) int { return 1 + (k*7919)%n }
			data, release, _, err := c.Acquire(ctx, "t", fmt.Sprint(k), func(context.Context) ([]byte, error) {
				return bytes.Repeat([]byte{want}, size(k)), nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range data {
				if b != want {
					t.Fatalf("max %d step %d: file %d holds a byte of another file", max, i, k)
				}
			}
			hold = append(hold, held{data, want, release})
			if len(hold) > 20 || r.IntN(4) == 0 {
				j := r.IntN(len(hold))
				h := hold[j]
				for _, b := range h.data {
					if b != h.want {
						t.Fatalf("max %d step %d: a held file changed", max, i)
					}
				}
				h.release()
				hold = append(hold[:j], hold[j+1:]...)
			}
			if r.IntN(1000) == 0 {
				c.Purge()
			}
			if st := c.Stats(); st.Reserved > max || st.Bytes > st.Reserved || st.Items < 0 {
				t.Fatalf("max %d step %d: %+v", max, i, st)
			}
		}
	}
}
