// Package download fetches HLS and DASH titles for offline playback and
// serves them back to the player with no network.
//
// A [Manager] owns a folder: a bbolt index (downloads.db) and one
// sub-folder per download. It runs a queue with a limit on parallel
// downloads ([Config].MaxDownloads) and on parallel segments within one
// ([Config].MaxSegments); downloads move through the states queued,
// downloading, paused, completed, failed and removing, and a [StopReason]
// says why one is paused or failed. One goroutine owns all state; the
// Manager's methods ([Manager.Add], [Manager.Pause], [Manager.Resume],
// [Manager.Cancel], [Manager.Remove], [Manager.Renew]) are requests to it,
// and [Config].OnEvent receives progress (bytes, segments, ETA).
//
// Crash safety: each segment is written to a ".part" file, verified,
// fsynced and renamed, its folder is fsynced, and only then is it marked
// in the index, so nothing is ever recorded as done that is not fully on
// disk. After a crash or kill -9 the next [Manager.Start] queues the
// download again: recorded segments are not fetched again and a partly
// written one is continued with a Range request (or fetched again if the
// server ignores ranges or the bytes fail verification).
//
// Verification happens while the bytes stream in: the size promised by
// byte ranges and Content-Length, and for fMP4 the box structure, each
// moof's trun sample sizes against its mdat and the summed sample
// durations against the manifest's segment duration. A failed segment is
// fetched again; a download completes only when every file is present
// and verified, and a segment that keeps failing fails the download with
// a message naming it: gaps are never silent. [Manager.Verify] re-reads
// everything and checks CRC-32C values kept in the index.
//
// Storage rules: free space is measured ([SpaceChecker], statfs by
// default) before a download starts and while it runs; quotas apply per
// download and overall; ENOSPC becomes a [*SpaceError] matching
// [ErrDiskFull] and pauses the download with the index consistent. A
// download may carry an expiry after which [Manager.Offline] refuses it
// ([ErrExpired]); [Manager.Renew] extends it without downloading again.
//
// Signed URLs and failover: when the origin answers 401, 403 or 410, or
// a file keeps failing on its server, the download's [RefreshFunc] is
// asked for a fresh manifest URL (for the reference backend, another
// POST /v1/play, which may name another edge), the manifest is read again
// and the download continues with the new URLs. Adding an existing
// download again with a refresh hook makes its next run start from the
// URL just obtained, not the URLs stored by an earlier run.
//
// Limits: a manifest with more than [Config].MaxFiles files is refused
// before its segments are modelled ([ErrTooLarge]); a segment body beyond
// [SegmentSizeFactor] × declared bandwidth × duration (at least
// [Config].SegmentSizeFloor) is cut off and refused.
//
// Transport and time: downloads fetch through the player's HTTP fetcher
// ([NewFetcher] builds one for bulk downloads) and take their time from
// one clock.Clock ([Config].Clock), which also runs the retry waits.
//
// Reading a busy folder: a [Config].ReadOnly manager creates and changes
// nothing, and reads a committed copy of the index when a running
// download holds it. Each download folder keeps its record and plan
// (download.json), so a lost index is rebuilt from the files on disk:
// automatically when a manager creates a new index, or with [Reindex].
//
// Untrusted manifests: every URI must resolve below the top manifest's
// folder on the same server, and all writes go through os.Root confined to
// the download's folder ([RootFS]); "..", absolute paths, other hosts and
// symlinks cannot place a file elsewhere ([UnsafePathError]).
//
// Offline playback: a completed download has an HLS master playlist
// (offline.m3u8) whose URIs are relative local paths, and [LocalFetcher]
// is a transport.Fetcher that serves it and its files, confined to the
// folder. [OpenOffline] gives both without a running Manager.
package download
