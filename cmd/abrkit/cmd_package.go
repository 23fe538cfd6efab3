package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// packageSummary is the --format json output of `abrkit package`.
type packageSummary struct {
	Out    string         `json:"out"`
	Titles int            `json:"titles"`
	Files  int            `json:"files"`
	Bytes  int64          `json:"bytes"`
	Items  []packageTitle `json:"title_list"`
}

type packageTitle struct {
	ID          string  `json:"id"`
	DurationS   float64 `json:"duration_s"`
	Segments    int     `json:"segments"`
	Renditions  int     `json:"renditions"`
	Files       int     `json:"files"`
	Bytes       int64   `json:"bytes"`
	MasterHLS   string  `json:"master_hls,omitempty"`
	ManifestMPD string  `json:"manifest_mpd,omitempty"`
	Encryption  string  `json:"encryption,omitempty"`
}

// packageKey is one encrypted title's entry in the --keys file (hex).
type packageKey struct {
	ID         string `json:"id"`
	Encryption string `json:"encryption"`
	KID        string `json:"kid"`
	Key        string `json:"key"`
	IV         string `json:"iv"`
	KeyURI     string `json:"key_uri,omitempty"`
	LicenseURL string `json:"license_url,omitempty"`
}

func newPackageCmd() *cobra.Command {
	var catalog, out, keysFile, keyServer string
	c := &cobra.Command{
		Use:   "package --catalog FILE --out DIR",
		Short: "Package a catalog into CMAF titles with HLS and DASH manifests",
		Long: `package writes every title of a catalog (YAML) as CMAF: per title an HLS
master playlist (master.m3u8), a DASH MPD (manifest.mpd) and one directory per
rendition with media.m3u8, init.mp4 and seg_<n>.m4s. Payloads are synthetic but
decodable (grey H.264 pictures, silent AAC); segment sizes follow each rung's
bitrate with scene-driven variation.

Titles with "encryption: aes-128" (HLS only, whole segments AES-128-CBC),
"encryption: cenc" (DASH only, ClearKey CENC) or "encryption: cbcs" (HLS
SAMPLE-AES and DASH ClearKey, cbcs) get a random key each run,
written to the --keys file (JSON, hex; keep it private); their manifests name
--key-server URL/v1/keys/<id> (HLS key URI) and URL/v1/license/<id>
(ClearKey license URL).

A bad catalog exits 2 with file:line: field: reason.`,
		Example: `  abrkit package --catalog testdata/catalog.yaml --out out/www
  abrkit package --catalog testdata/catalog.yaml --out out/www --format json`,
		Args: cobra.NoArgs,
	}
	format := formatFlag(c)
	c.Flags().StringVar(&catalog, "catalog", "", "catalog file (YAML, required)")
	c.Flags().StringVar(&out, "out", "", "output directory (required)")
	c.Flags().StringVar(&keysFile, "keys", "", "file to write the random keys of encrypted titles to (JSON; required with encrypted titles)")
	c.Flags().StringVar(&keyServer, "key-server", "", "key and license server base URL named by encrypted titles' manifests (required with encrypted titles)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		if catalog == "" || out == "" {
			return usageErrorf("--catalog and --out are required (see '%s --help')", cmd.CommandPath())
		}
		cat, err := packager.LoadCatalog(catalog)
		if err != nil {
			return badInput(err)
		}
		var keys []packageKey
		for i, t := range cat.Titles {
			if t.Encryption == packager.Clear {
				continue
			}
			if keysFile == "" || keyServer == "" {
				return usageErrorf("title %s is encrypted: --keys and --key-server are required", t.ID)
			}
			base := strings.TrimSuffix(keyServer, "/")
			pr := packager.NewProtection(base+control.KeyPath(t.ID), base+control.LicensePath(t.ID))
			cat.Titles[i].Protection = pr
			k := packageKey{ID: t.ID, Encryption: string(t.Encryption), KID: hex.EncodeToString(pr.KID[:]), Key: hex.EncodeToString(pr.Key[:]), IV: hex.EncodeToString(pr.IV[:])}
			if t.Encryption.HasHLS() {
				k.KeyURI = pr.KeyURI
			}
			if t.Encryption.HasDASH() {
				k.LicenseURL = pr.LicenseURL
			}
			keys = append(keys, k)
		}
		if len(keys) > 0 {
			data, _ := json.MarshalIndent(keys, "", "  ")
			if err := os.WriteFile(keysFile, append(data, '\n'), 0o600); err != nil {
				return badInput(err)
			}
		}
		sum := packageSummary{Out: out}
		start := time.Now()
		for i, t := range cat.Titles {
			p, err := packager.Build(t)
			if err != nil {
				var ce *packager.CatalogError
				if errors.As(err, &ce) {
					ce.File = catalog
					return badInput(err)
				}
				return fmt.Errorf("title %s: %w", t.ID, err)
			}
			st, err := packager.WriteTitle(p, out)
			if err != nil {
				if errors.Is(err, fs.ErrPermission) {
					return badInput(err)
				}
				return fmt.Errorf("title %s: %w", t.ID, err)
			}
			sum.Titles++
			sum.Files += st.Files
			sum.Bytes += st.Bytes
			item := packageTitle{
				ID: t.ID, DurationS: p.Duration().Seconds(), Segments: p.SegmentCount(),
				Renditions: len(p.Renditions()), Files: st.Files, Bytes: st.Bytes, Encryption: string(t.Encryption),
			}
			if p.HasHLS() {
				item.MasterHLS = t.ID + "/" + packager.MasterPlaylist
			}
			if p.HasDASH() {
				item.ManifestMPD = t.ID + "/" + packager.DASHManifest
			}
			sum.Items = append(sum.Items, item)
			fmt.Fprintf(cmd.ErrOrStderr(), "package: [%d/%d] %s: %d renditions x %d segments, %d files, %s\n",
				i+1, len(cat.Titles), t.ID, len(p.Renditions()), p.SegmentCount(), st.Files, pkgBytes(st.Bytes))
		}
		if *format == "json" {
			return writeJSON(cmd.OutOrStdout(), sum)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "packaged %d titles into %s: %d files, %s in %v\n",
			sum.Titles, out, sum.Files, pkgBytes(sum.Bytes), time.Since(start).Round(time.Millisecond))
		return nil
	}
	return c
}

// pkgBytes formats n with a binary unit.
func pkgBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
