// Package origin is the reference backend's origin: it serves the titles of
// a catalog, packaged as CMAF with HLS and DASH manifests, to the edge
// caches.
//
// A [Source] yields titles and their files. [NewPackagerSource] renders a
// packager catalog in memory on demand; [NewDirSource] reads a directory of
// real content (one title per sub-directory, or a single title laid out
// as hls/ and dash/ like `make content` makes). [Server] serves a Source over
// HTTP; [Client] is the edges' way to fetch from a remote origin.
//
//	GET /v1/titles              {"titles": [{"id": "t01", "hls": "master.m3u8", "dash": "manifest.mpd"}]}
//	GET /o/{title}/{file...}    the file's bytes (404 if unknown)
package origin
