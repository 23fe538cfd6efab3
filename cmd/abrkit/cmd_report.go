package main

import "github.com/spf13/cobra"

func newReportCmd() *cobra.Command {
	return stubCmd("report", "Merge and render simulation reports")
}
