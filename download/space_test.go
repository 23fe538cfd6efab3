package download

import (
	"errors"
	"runtime"
	"testing"
)

// TestStatfsSpace: free space of a real folder is positive where it can be
// measured; on Windows the error says it cannot be (and downloads skip the
// check, see job.checkSpace).
func TestStatfsSpace(t *testing.T) {
	free, err := StatfsSpace{}.Free(t.TempDir())
	if runtime.GOOS == "windows" {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("StatfsSpace.Free on windows = %d, %v; want errors.ErrUnsupported", free, err)
		}
		return
	}
	if err != nil || free <= 0 {
		t.Fatalf("StatfsSpace.Free(temp dir) = %d, %v; want > 0, nil", free, err)
	}
	if _, err := (StatfsSpace{}).Free(t.TempDir() + "/missing"); err == nil {
		t.Errorf("StatfsSpace.Free(missing folder) = nil error; want one")
	}
}
