package main

import "github.com/spf13/cobra"

func newABRCmd() *cobra.Command {
	return stubCmd("abr", "Evaluate ABR algorithms on bandwidth traces")
}
