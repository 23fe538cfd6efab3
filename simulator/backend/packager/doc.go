// Package packager makes CMAF titles in pure Go: fragmented MP4 init and
// media segments built with mp4ff, an HLS multivariant playlist with one
// media playlist per rendition, and a static DASH MPD, from a [Catalog].
//
// Boxes are real and payloads synthetic but decodable: the H.264 video is a
// flat grey picture (an IDR at each segment start, then skipped P pictures)
// and the AAC audio is silence, both padded to planned sizes. Sizes follow
// each rendition's bitrate with scene-driven variation from a seeded
// per-title complexity process shared across the ladder, so segment sizes
// are correlated across renditions, and an IDR picture is larger than the P
// pictures after it.
//
// [Build] is cheap: it plans every segment's size and writes the manifests
// and init segments, but renders a media segment only when
// [Package.Open] asks for it. [Package.Size] and [Package.SegmentSizes]
// give sizes without rendering, for virtual-time simulation. [Write]
// writes a whole catalog to disk.
//
// Layout of a title directory:
//
//	master.m3u8            HLS multivariant playlist
//	manifest.mpd           DASH MPD (SegmentTemplate, $Number$ from 1)
//	v1200/media.m3u8       HLS media playlist of the 1200 kbps video
//	v1200/init.mp4         CMAF header (ftyp, moov with avc1/avcC, mvex/trex)
//	v1200/seg_1.m4s ...    CMAF segments (styp, [sidx], moof, mdat)
//	a128/...               the AAC audio rendition, likewise
package packager
