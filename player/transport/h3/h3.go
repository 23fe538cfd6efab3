// Package h3 builds the HTTP/3 (QUIC) round tripper that
// transport.HTTPConfig.HTTP3 takes. It is a package of its own so that
// apps that do not use HTTP/3 do not link quic-go.
package h3

import (
	"crypto/tls"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// New returns an HTTP/3 round tripper built on quic-go: tlsCfg (nil: the
// system roots) verifies servers, connectTimeout (0: 5s) bounds the QUIC
// handshake, and bodies are not decompressed so byte counts are the
// bytes on the wire.
func New(tlsCfg *tls.Config, connectTimeout time.Duration) *http3.Transport {
	if connectTimeout <= 0 {
		connectTimeout = 5 * time.Second
	}
	if tlsCfg != nil {
		tlsCfg = tlsCfg.Clone()
	}
	return &http3.Transport{
		TLSClientConfig:    tlsCfg,
		DisableCompression: true,
		QUICConfig: &quic.Config{
			HandshakeIdleTimeout: connectTimeout,
			MaxIdleTimeout:       90 * time.Second,
			KeepAlivePeriod:      15 * time.Second,
		},
	}
}
