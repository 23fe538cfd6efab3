package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/player"
)

// maxKeyFile bounds the --key-file file.
const maxKeyFile = 64 << 10

// drmFlags are play's encryption flags.
type drmFlags struct {
	keyFile, licenseURL *string
}

func addDRMFlags(c *cobra.Command) drmFlags {
	return drmFlags{
		keyFile:    c.Flags().String("key-file", "", "content keys, one a line: KID:KEY (hex) for DASH CENC, a lone KEY for HLS AES-128 (instead of the key URI or license server)"),
		licenseURL: c.Flags().String("license-url", "", "ClearKey license server for DASH CENC (default: the MPD's dashif:Laurl)"),
	}
}

// options returns the player options of the flags.
func (f drmFlags) options() ([]player.Option, error) {
	var opts []player.Option
	if *f.licenseURL != "" {
		if !isHTTPURL(*f.licenseURL) {
			return nil, usageErrorf("--license-url %q: want an http or https URL", *f.licenseURL)
		}
		opts = append(opts, player.WithLicenseURL(*f.licenseURL))
	}
	if *f.keyFile != "" {
		b, err := readFlagFile("--key-file", *f.keyFile, maxKeyFile)
		if err != nil {
			return nil, err
		}
		keys, err := player.ParseKeys(b)
		if err != nil {
			return nil, badInput(fmt.Errorf("--key-file %s: %w", *f.keyFile, err))
		}
		if keys.AES != nil {
			opts = append(opts, player.WithKeyLoader(keys))
		}
		if len(keys.ByKID) > 0 {
			opts = append(opts, player.WithLicenseRequester(keys))
		}
	}
	return opts, nil
}
