package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Command groups shown by --help.
const (
	groupContent  = "content"
	groupPlayback = "playback"
	groupLoad     = "load"
)

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "abrkit",
		Short: "Adaptive-bitrate player SDK and load simulator",
		Long: `abrkit runs real ABR video players: one at a time (play, download),
or by the thousand as virtual viewers against a whole streaming backend
(simulate), and judges latency and availability targets by exit code.

Exit codes: 0 success, 1 failed work or SLO breach, 2 bad usage or bad input.`,
		Example: `  abrkit simulate scenarios/quickstart.yaml
  abrkit serve
  abrkit play --gateway http://127.0.0.1:8080 --title t1 --duration 30s
  abrkit manifest inspect player/manifest/testdata/hls/master.m3u8 --format json`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddGroup(
		&cobra.Group{ID: groupContent, Title: "Content:"},
		&cobra.Group{ID: groupPlayback, Title: "Playback:"},
		&cobra.Group{ID: groupLoad, Title: "Load and ABR research:"},
	)
	for _, c := range []*cobra.Command{
		withGroup(groupContent, newManifestCmd()),
		withGroup(groupContent, newPackageCmd()),
		withGroup(groupContent, newServeCmd()),
		withGroup(groupPlayback, newPlayCmd()),
		withGroup(groupPlayback, newDownloadCmd()),
		withGroup(groupLoad, newSimulateCmd()),
		withGroup(groupLoad, newScenarioCmd()),
		withGroup(groupLoad, newJourneyCmd()),
		withGroup(groupLoad, newReportCmd()),
		withGroup(groupLoad, newABRCmd()),
	} {
		root.AddCommand(c)
	}
	return root
}

func withGroup(id string, c *cobra.Command) *cobra.Command {
	c.GroupID = id
	return c
}

// usageError marks bad usage or bad input: exit code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, a ...any) error {
	return &usageError{fmt.Errorf(format, a...)}
}

// badInput wraps err so that it exits with code 2.
func badInput(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	// cobra's own argument and command errors are usage errors too.
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.HasPrefix(msg, p) {
			return 2
		}
	}
	return 1
}

// formatFlag adds --format text|json to c and returns where the value lands.
func formatFlag(c *cobra.Command) *string {
	f := new(string)
	c.Flags().StringVar(f, "format", "text", "output format: text or json")
	_ = c.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp
	})
	return f
}

// checkFormat validates a --format value.
func checkFormat(f string) error {
	if f != "text" && f != "json" {
		return usageErrorf("--format must be text or json, not %q", f)
	}
	return nil
}

// writeJSON writes v indented with a trailing newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
