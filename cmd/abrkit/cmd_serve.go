package main

import "github.com/spf13/cobra"

func newServeCmd() *cobra.Command {
	return stubCmd("serve", "Run the reference streaming backend")
}
