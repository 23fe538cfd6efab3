package main

import "github.com/spf13/cobra"

func newSimulateCmd() *cobra.Command {
	return stubCmd("simulate SCENARIO", "Run a load scenario of virtual viewers and judge its SLOs")
}
