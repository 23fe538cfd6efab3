// Package compose draws the demo player's screen with plain image code:
// the video frame, a status line, a seek bar and an overlay with live
// charts (throughput estimate against selected bitrate, buffer level with
// stalls marked, the ladder with the current rendition, the ranked edges).
// It needs no display, so it is tested pixel by pixel.
//
//	dst := image.NewRGBA(image.Rect(0, 0, 1280, 720))
//	compose.Compose(dst, frame, snapshot, true)
package compose
