package main

import "github.com/spf13/cobra"

func newScenarioCmd() *cobra.Command {
	return stubCmd("scenario", "Validate scenario files")
}
