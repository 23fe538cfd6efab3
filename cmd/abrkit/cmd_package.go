package main

import "github.com/spf13/cobra"

func newPackageCmd() *cobra.Command {
	return stubCmd("package", "Package a catalog into CMAF titles with HLS and DASH manifests")
}
