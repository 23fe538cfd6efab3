package main

import "github.com/spf13/cobra"

func newDownloadCmd() *cobra.Command {
	return stubCmd("download URL", "Download a title for offline playback")
}
