package cputime

import (
	"runtime"
	"testing"
)

func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("not measured on this platform")
	}
	a := Process()
	x := 0
	for i := 0; i < 50_000_000; i++ {
		x += i % 7
	}
	if b := Process(); a <= 0 || b <= a {
		t.Errorf("Process() = %v then %v (x=%d); want positive and growing", a, b, x)
	}
}
