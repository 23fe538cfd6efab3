// Package content serves packaged CMAF titles on loopback for the examples
// and their tests: a minimal origin over packager.Package.Open with an
// optional per-response pacing ([Server.Rate]), so that the ABR has a
// network to adapt to. Rendered files are cached, so serving costs little
// CPU next to the players being measured.
package content
