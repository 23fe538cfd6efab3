//go:build windows

package download

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// Free implements SpaceChecker. Free space is not measured on Windows
// yet: the error wraps errors.ErrUnsupported, so downloads skip the check.
func (StatfsSpace) Free(dir string) (int64, error) {
	return 0, &fs.PathError{Op: "statfs", Path: dir, Err: fmt.Errorf("free space on windows: %w", errors.ErrUnsupported)}
}

// Windows error codes for a full disk (winerror.h).
const (
	errorHandleDiskFull syscall.Errno = 39  // ERROR_HANDLE_DISK_FULL
	errorDiskFull       syscall.Errno = 112 // ERROR_DISK_FULL
)

func osDiskFull(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, errorHandleDiskFull)
}
