#!/usr/bin/env bash
# Makes a real H.264/AAC CMAF ladder (3 renditions, 4 s segments, HLS + DASH)
# with ffmpeg, for the demo player and end-to-end checks.
set -euo pipefail
out=${1:-testdata/content}
dur=${DURATION:-24}
if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "make-content: ffmpeg not found; skipping (apt-get install -y --no-install-recommends ffmpeg)"
  exit 0
fi
if [ -f "$out/hls/master.m3u8" ] && [ -f "$out/dash/manifest.mpd" ]; then
  echo "make-content: $out is up to date"; exit 0
fi
mkdir -p "$out/hls" "$out/dash"
src=(-f lavfi -i "testsrc2=size=1280x720:rate=25:duration=$dur" -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$dur")
enc=(-map 0:v -map 0:v -map 0:v -map 1:a
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -g 100 -keyint_min 100 -sc_threshold 0
  -filter:v:0 scale=426:240 -b:v:0 400k -maxrate:v:0 440k -bufsize:v:0 800k
  -filter:v:1 scale=854:480 -b:v:1 1200k -maxrate:v:1 1320k -bufsize:v:1 2400k
  -filter:v:2 scale=1280:720 -b:v:2 3000k -maxrate:v:2 3300k -bufsize:v:2 6000k
  -c:a aac -b:a 128k -ac 2)
echo "make-content: HLS into $out/hls"
ffmpeg -hide_banner -loglevel error -y "${src[@]}" "${enc[@]}" \
  -f hls -hls_time 4 -hls_playlist_type vod -hls_segment_type fmp4 \
  -hls_fmp4_init_filename init_%v.mp4 -hls_segment_filename "$out/hls/seg_%v_%03d.m4s" \
  -master_pl_name master.m3u8 -var_stream_map "v:0,agroup:aud v:1,agroup:aud v:2,agroup:aud a:0,agroup:aud,default:yes" \
  "$out/hls/stream_%v.m3u8"
echo "make-content: DASH into $out/dash"
ffmpeg -hide_banner -loglevel error -y "${src[@]}" "${enc[@]}" \
  -f dash -seg_duration 4 -use_template 1 -use_timeline 0 \
  -init_seg_name 'init_$RepresentationID$.m4s' -media_seg_name 'seg_$RepresentationID$_$Number%03d$.m4s' \
  -adaptation_sets "id=0,streams=v id=1,streams=a" "$out/dash/manifest.mpd"
echo "make-content: done"
