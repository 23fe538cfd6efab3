// Package cputime measures the CPU time the process has used, for the
// simulator's viewer-seconds per CPU-second figure in both modes.
package cputime
