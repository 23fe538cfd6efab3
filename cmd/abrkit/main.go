// Command abrkit is the abrkit CLI: serve the reference backend, play,
// download, simulate viewers and evaluate ABR algorithms.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the CLI and returns the process exit code:
// 0 success, 1 failed work or SLO breach, 2 bad usage or bad input.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "abrkit:", err)
	return exitCode(err)
}
