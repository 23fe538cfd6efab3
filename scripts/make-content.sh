#!/usr/bin/env bash
# Makes a real H.264/AAC CMAF ladder (3 renditions, 4 s segments, HLS + DASH)
# with ffmpeg, for the demo player and end-to-end checks.
#
#   scripts/make-content.sh [OUT]       (default testdata/content; DURATION=24)
#
# One encode (testsrc2 + a 440 Hz sine, fixed 4 s GOPs) is packaged twice
# without re-encoding, so HLS and DASH carry the same media:
#   OUT/hls/master.m3u8, stream_<n>.m3u8, init_<n>.mp4, seg_<n>_<k>.m4s (k from 1)
#   OUT/dash/manifest.mpd, init_<n>.m4s, seg_<n>_<k>.m4s (k from 1)
# Skipped with a message when ffmpeg is absent.
set -euo pipefail
out=${1:-testdata/content}
dur=${DURATION:-24}
fps=25
seg=4
if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "make-content: ffmpeg not found; skipping (apt-get install -y --no-install-recommends ffmpeg)"
  exit 0
fi
if [ -f "$out/hls/master.m3u8" ] && [ -f "$out/dash/manifest.mpd" ]; then
  echo "make-content: $out is up to date"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out/hls" "$out/dash"
mkdir -p "$out/hls" "$out/dash"

# Square pixels, exact 16:9 sizes, one IDR every 4 s and nowhere else. The
# audio input is one AAC frame short so that, with the encoder's priming
# frame, audio ends with the video instead of leaving a 21 ms last segment.
echo "make-content: encoding ${dur}s ladder (360p 400k, 540p 1200k, 720p 3000k, AAC 128k)"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=1280x720:rate=$fps:duration=$dur" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$dur" \
  -map 0:v -map 0:v -map 0:v -map 1:a \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p \
  -g $((fps * seg)) -keyint_min $((fps * seg)) -sc_threshold 0 -bf 0 \
  -filter:v:0 scale=640:360,setsar=1 -b:v:0 400k -maxrate:v:0 440k -bufsize:v:0 800k \
  -filter:v:1 scale=960:540,setsar=1 -b:v:1 1200k -maxrate:v:1 1320k -bufsize:v:1 2400k \
  -filter:v:2 setsar=1 -b:v:2 3000k -maxrate:v:2 3300k -bufsize:v:2 6000k \
  -af "atrim=end_sample=$(( (dur * 48000 / 1024 - 1) * 1024 ))" -c:a aac -b:a 128k -ac 2 \
  "$tmp/ladder.mp4"

echo "make-content: HLS into $out/hls"
# The MP4 intermediate keeps bitrates (for BANDWIDTH); the hls muxer needs
# Annex B parameter sets to write CODECS, hence the bitstream filter.
ffmpeg -hide_banner -loglevel error -y -i "$tmp/ladder.mp4" -map 0 -c copy -bsf:v h264_mp4toannexb \
  -f hls -hls_time $seg -hls_playlist_type vod -hls_segment_type fmp4 -hls_flags independent_segments \
  -start_number 1 -hls_fmp4_init_filename 'init_%v.mp4' -hls_segment_filename "$out/hls/seg_%v_%03d.m4s" \
  -master_pl_name master.m3u8 \
  -var_stream_map "v:0,agroup:aud v:1,agroup:aud v:2,agroup:aud a:0,agroup:aud,default:yes,language:en" \
  "$out/hls/stream_%v.m3u8"

# ffmpeg's master playlist lacks AVERAGE-BANDWIDTH, FRAME-RATE and
# EXT-X-INDEPENDENT-SEGMENTS: add them, the average measured from the files
# (video plus the audio rendition). Every segment starts with an IDR (video)
# or is audio, so every media playlist is independent too.
avg_bps() {
  local pl=$1 dir bytes=0 f secs
  dir=$(dirname "$pl")
  for f in $(grep -v '^#' "$pl"); do bytes=$((bytes + $(stat -c %s "$dir/$f"))); done
  secs=$(awk -F: '/^#EXTINF:/ { s += $2 } END { print s }' "$pl")
  awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%d", b * 8 / s }'
}
audio_bps=$(avg_bps "$out/hls/stream_3.m3u8")
master="$out/hls/master.m3u8"
{
  inf=""
  while IFS= read -r line; do
    case "$line" in
      "") ;;
      "#EXT-X-VERSION:"*) echo "$line"; echo "#EXT-X-INDEPENDENT-SEGMENTS" ;;
      "#EXT-X-INDEPENDENT-SEGMENTS") ;;
      "#EXT-X-STREAM-INF:"*) inf=$line ;;
      "#"*) echo "$line" ;;
      *)
        if [ -n "$inf" ]; then
          echo "$inf,AVERAGE-BANDWIDTH=$(($(avg_bps "$out/hls/$line") + audio_bps)),FRAME-RATE=$fps.000"
          inf=""
        fi
        echo "$line" ;;
    esac
  done <"$master"
} >"$tmp/master.m3u8"
mv "$tmp/master.m3u8" "$master"
for pl in "$out"/hls/stream_*.m3u8; do
  grep -q '^#EXT-X-INDEPENDENT-SEGMENTS' "$pl" || sed -i 's/^#EXT-X-PLAYLIST-TYPE:VOD$/&\n#EXT-X-INDEPENDENT-SEGMENTS/' "$pl"
done

echo "make-content: DASH into $out/dash"
ffmpeg -hide_banner -loglevel error -y -i "$tmp/ladder.mp4" -map 0 -c copy \
  -f dash -seg_duration $seg -use_template 1 -use_timeline 0 \
  -init_seg_name 'init_$RepresentationID$.m4s' -media_seg_name 'seg_$RepresentationID$_$Number%03d$.m4s' \
  -adaptation_sets "id=0,streams=v id=1,streams=a" "$out/dash/manifest.mpd"

if command -v ffprobe >/dev/null 2>&1; then
  for m in "$out/hls/master.m3u8" "$out/dash/manifest.mpd"; do
    # ffmpeg's DASH demuxer cannot load segments of a relative MPD path
    # that has directories in it; give it an absolute one.
    m="$(cd "$(dirname "$m")" && pwd)/$(basename "$m")"
    if ! msg=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$m" 2>&1 >/dev/null) || [ -n "$msg" ]; then
      echo "make-content: ffprobe $m: $msg" >&2; exit 1
    fi
  done
fi
echo "make-content: done ($(du -sh "$out" | cut -f1) in $out)"
