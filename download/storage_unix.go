//go:build !windows

package download

import (
	"io/fs"
	"syscall"
)

// Free implements SpaceChecker with statfs(2).
func (StatfsSpace) Free(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, &fs.PathError{Op: "statfs", Path: dir, Err: err}
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// osDiskFull: ENOSPC and EDQUOT are all there is on unix.
func osDiskFull(error) bool { return false }
