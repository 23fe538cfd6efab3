package player_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player"
)

// BenchmarkThumbnail measures Thumbnail on loopback with ffmpeg-made
// 720p DASH (60 s) and 12 JPEG tiles of 5x1 thumbnails of 256x144:
// "fetch" asks for a time on another tile each time (more tiles than the
// cache holds), "cached" for one of the tile just used.
func BenchmarkThumbnail(b *testing.B) {
	dir := b.TempDir()
	ffmpegtest.Run(b, dir, "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25", "-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50",
		"-f", "dash", "-seg_duration", "2", "-use_template", "1", "-use_timeline", "0", "manifest.mpd")
	ffmpegtest.AddThumbnailTiles(b, dir, "1280x720", 60, 256, 144, 5)
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(dir)))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	defer srv.Close()
	p, err := player.New(player.WithClock(clock.NewScaled(1)), player.WithoutAutoPlay())
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, srv.URL+"/manifest.mpd"); err != nil {
		b.Fatal(err)
	}
	b.Run("fetch", func(b *testing.B) {
		var bytes int64
		for i := 0; i < b.N; i++ {
			th, err := p.Thumbnail(time.Duration(i%12)*5*time.Second + time.Second)
			if err != nil {
				b.Fatal(err)
			}
			bytes += int64(len(th.Data))
		}
		b.SetBytes(bytes / int64(b.N))
	})
	b.Run("cached", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := p.Thumbnail(time.Duration(i%5) * time.Second); err != nil {
				b.Fatal(err)
			}
		}
	})
}
