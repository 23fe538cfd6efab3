package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"
)

// maxPasswordLen is bcrypt's input limit.
const maxPasswordLen = 72

func newHashPasswordCmd() *cobra.Command {
	var cost int
	c := &cobra.Command{
		Use:   "hash-password",
		Short: "Read a password on stdin and print a bcrypt hash for the topology's users",
		Long: `hash-password reads one password (the first line of stdin) and prints its
bcrypt hash, for a user's password_hash in the topology:

  users:
    - {name: alice, password_hash: "$2a$10$...", region: eu}`,
		Example: `  echo 'correct horse battery staple' | abrkit serve hash-password`,
		Args:    cobra.NoArgs,
	}
	c.Flags().IntVar(&cost, "cost", bcrypt.DefaultCost, "bcrypt cost (4-31)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
			return usageErrorf("--cost %d: want %d-%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
		}
		pw, err := readPassword(cmd.InOrStdin())
		if err != nil {
			return err
		}
		h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), string(h))
		return nil
	}
	return c
}

func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	switch {
	case pw == "":
		return "", usageErrorf("no password on stdin")
	case len(pw) > maxPasswordLen:
		return "", usageErrorf("password longer than %d bytes (bcrypt's limit)", maxPasswordLen)
	}
	return pw, nil
}
