package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/player/transport/h3"
)

// maxCAFile bounds the --ca file.
const maxCAFile = 1 << 20

// netFlags are play's transport flags: HTTP/3 and extra trusted roots.
type netFlags struct {
	http3, ca *string
}

func addNetFlags(c *cobra.Command) netFlags {
	return netFlags{
		http3: c.Flags().String("http3", "", "HTTP/3 (QUIC) for https URLs: alt-svc (once a server announces it) or always; falls back to HTTP/2 when it fails"),
		ca:    c.Flags().String("ca", "", "PEM file of certificate authorities to trust besides the system's (e.g. a test server's)"),
	}
}

// options checks the flags and returns what builds the fetcher they ask
// for (none when they ask for none); h3Hosts are origins known to serve
// HTTP/3 (the edges the playback API marks h3), asked over it at once.
func (f netFlags) options(cmcd transport.CMCDMode, offline bool) (func(h3Hosts []string) []player.Option, error) {
	none := func([]string) []player.Option { return nil }
	if *f.http3 == "" && *f.ca == "" {
		return none, nil
	}
	if offline {
		return nil, usageErrorf("--http3 and --ca do not apply to --offline")
	}
	cfg := transport.HTTPConfig{MaxAttempts: 1, CMCD: cmcd} // one attempt: the player retries and fails over
	if *f.ca != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pem, err := readFlagFile("--ca", *f.ca, maxCAFile)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, badInput(fmt.Errorf("--ca %s: no PEM certificate in its first MiB", *f.ca))
		}
		cfg.TLSConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	switch *f.http3 {
	case "":
	case transport.HTTP3AltSvc, transport.HTTP3Always:
		cfg.HTTP3, cfg.HTTP3Mode = h3.New(cfg.TLSConfig, 0), *f.http3
	default:
		return nil, usageErrorf("--http3 %q: want alt-svc or always", *f.http3)
	}
	return func(h3Hosts []string) []player.Option {
		c := cfg
		if c.HTTP3 != nil {
			c.HTTP3Hosts = h3Hosts
		}
		return []player.Option{player.WithFetcher(transport.NewHTTP(c))}
	}, nil
}

// readFlagFile reads the file a flag names, at most limit bytes (a
// longer file is an error); errors are bad input.
func readFlagFile(flag, path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, badInput(fmt.Errorf("%s: %w", flag, err))
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%s is over %d bytes", path, limit)
	}
	if err != nil {
		return nil, badInput(fmt.Errorf("%s: %w", flag, err))
	}
	return b, nil
}
