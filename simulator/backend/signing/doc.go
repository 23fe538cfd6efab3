// Package signing makes and checks the backend's credentials: signed edge
// URLs and bearer tokens, both HMAC-SHA256 with the topology's key.
//
// A signed URL carries its token in the path, not in the query:
//
//	http://127.0.0.1:PORT/s/{expiry}/{signature}/{title}/master.m3u8
//
// The signature covers the title and the expiry (Unix seconds), so it is
// valid for the whole title directory. Because players resolve the relative
// URLs inside manifests against the manifest's URL, every rendition playlist,
// init segment and media segment inherits the token with no manifest
// rewriting, for HLS and DASH alike. The path is the same on every edge, so a
// player can switch edges by changing only the host.
//
// [Signer.Verify] refuses expired tokens ([ErrExpired]), forged or tampered
// ones ([ErrForged]) and malformed or traversing paths ([ErrBadPath]).
package signing
