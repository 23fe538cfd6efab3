//go:build windows

package download

import "time"

// cpuTime is not measured on Windows: the cpu-s/GB metric reads 0.
func cpuTime() time.Duration { return 0 }
