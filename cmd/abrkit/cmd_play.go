package main

import "github.com/spf13/cobra"

func newPlayCmd() *cobra.Command {
	return stubCmd("play URL", "Play a stream headless in real time and report QoE")
}
