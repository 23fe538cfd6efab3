package main

import "github.com/spf13/cobra"

func newManifestCmd() *cobra.Command {
	return stubCmd("manifest", "Inspect HLS and DASH manifests")
}
