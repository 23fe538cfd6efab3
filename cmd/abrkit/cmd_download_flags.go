package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player"
)

// downloadFlags are the flags of `abrkit download`.
type downloadFlags struct {
	out, quality, audio, subs, id, title, expires, quota, refreshCmd string
	licenseURL                                                       string
	license                                                          player.LicenseRequester // with --gateway: ClearKey with the bearer token
	keyLoader                                                        player.KeyLoader        // with --gateway: HLS keys with the bearer token
	gateway, play, user, password                                    string
	parallel, maxFiles                                               int
	withSubs, dash                                                   bool
}

func (f *downloadFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.out, "out", defaultDownloadDir, "folder holding the downloads and their index")
	fl.StringVar(&f.licenseURL, "license-url", "", "ClearKey license server for DASH CENC titles (default: the MPD's dashif:Laurl); keys are kept in OUT/keys")
	fl.StringVar(&f.gateway, "gateway", "", "reference backend gateway URL: ask POST /v1/play for the title's signed URL (with --play)")
	fl.StringVar(&f.play, "play", "", "title ID to ask the gateway for; also the default download ID")
	fl.StringVar(&f.user, "user", "viewer", "gateway login user")
	fl.StringVar(&f.password, "password", "viewer", "gateway login password")
	fl.BoolVar(&f.dash, "dash", false, "with --gateway: download the DASH manifest instead of HLS")
	fl.StringVar(&f.quality, "quality", "best", "video quality: best, worst, a height (720p) or a bitrate cap (1500k)")
	fl.StringVar(&f.audio, "audio", "", "audio languages to keep, comma-separated (default all)")
	fl.BoolVar(&f.withSubs, "subs", false, "download subtitles too")
	fl.StringVar(&f.subs, "subs-lang", "", "subtitle languages to keep, comma-separated (implies --subs)")
	fl.StringVar(&f.id, "id", "", "download ID (default: derived from the URL without its query)")
	fl.StringVar(&f.title, "title", "", "free text shown by list")
	fl.StringVar(&f.expires, "expires", "", "offline playback is refused after this duration (e.g. 720h); default never")
	fl.StringVar(&f.quota, "quota", "", "cap on this download's bytes (e.g. 2GB)")
	fl.IntVar(&f.parallel, "parallel", download.DefaultMaxSegments, "segments fetched at once")
	fl.IntVar(&f.maxFiles, "max-files", download.DefaultMaxFiles, "refuse a title with more files (segments) than this")
	fl.StringVar(&f.refreshCmd, "refresh-cmd", "", "shell command printing a fresh manifest URL when signed URLs expire")
}

// request checks the flags and builds the download request; with
// --gateway it asks the playback API for the manifest URL last, once
// everything else is valid.
func (f *downloadFlags) request(ctx context.Context, args []string) (download.Request, error) {
	var req download.Request
	if err := f.checkUsage(args); err != nil {
		return req, err
	}
	sel, err := download.ParseQuality(f.quality)
	if err != nil {
		return req, badInput(fmt.Errorf("--quality: %w", err))
	}
	sel.AudioLangs = splitLangs(f.audio)
	sel.SubtitleLangs = splitLangs(f.subs)
	sel.Subtitles = f.withSubs || len(sel.SubtitleLangs) > 0
	req = download.Request{ID: f.id, Title: f.title, Selection: sel}
	if f.expires != "" {
		d, err := time.ParseDuration(f.expires)
		if err != nil || d <= 0 {
			return req, usageErrorf("--expires %q: want a positive duration such as 720h", f.expires)
		}
		req.Expires = time.Now().Add(d)
	}
	if f.quota != "" {
		if req.Quota, err = download.ParseSize(f.quota); err != nil {
			return req, badInput(fmt.Errorf("--quota: %w", err))
		}
	}
	if f.refreshCmd != "" {
		req.Refresh = shellRefresh(f.refreshCmd)
	}
	if f.gateway == "" {
		req.URL = args[0]
		return req, nil
	}
	refresh, license, keys := gatewayRefresh(f.gateway, f.play, f.user, f.password, f.dash)
	f.license, f.keyLoader = license, keys
	if req.URL, err = refresh(ctx); err != nil {
		return req, err
	}
	req.Refresh = refresh
	if req.ID == "" {
		req.ID = f.play
	}
	if req.Title == "" {
		req.Title = f.play
	}
	return req, nil
}

// checkUsage refuses flag combinations that make no sense.
func (f *downloadFlags) checkUsage(args []string) error {
	switch {
	case f.gateway != "" && (f.play == "" || len(args) > 0):
		return usageErrorf("--gateway needs --play TITLE and no URL")
	case f.gateway == "" && f.play != "":
		return usageErrorf("--play needs --gateway")
	case f.gateway == "" && len(args) != 1:
		return usageErrorf("want a manifest URL, or --gateway URL --play TITLE")
	case f.refreshCmd != "" && f.gateway != "":
		return usageErrorf("--refresh-cmd and --gateway exclude each other")
	case f.parallel < 1 || f.parallel > 64:
		return usageErrorf("--parallel %d: want 1 to 64", f.parallel)
	case f.maxFiles < 1:
		return usageErrorf("--max-files %d: want at least 1", f.maxFiles)
	}
	return nil
}
