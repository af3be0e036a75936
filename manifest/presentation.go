package manifest

import "time"

// Presentation is the model both writers take and both readers return: one
// VOD presentation made of CMAF tracks. All URIs are relative to the folder
// holding the multivariant playlist / MPD.
//
// The packager fills it from the media it wrote (so every number in it is
// measured); WriteHLS and WriteDASH only format it.
type Presentation struct {
	Duration        time.Duration // whole presentation: longest track
	SegmentDuration time.Duration // target segment duration the packager cut at
	SingleFile      bool          // one file per track, addressed by byte ranges
	Tracks          []Track

	// Variants are the HLS variant streams (EXT-X-STREAM-INF) with the
	// numbers the multivariant playlist declares. Only ReadHLS fills it, so
	// that checks can compare declared against measured bit rates; WriteHLS
	// derives its variants from Tracks and ignores this field, and DASH
	// neither writes nor reads it.
	Variants []Variant
}

// TrackType is the media type of a track.
type TrackType string

const (
	Video TrackType = "video"
	Audio TrackType = "audio"
	Text  TrackType = "text"
	Image TrackType = "image" // thumbnail tiles (DASH-IF thumbnail_tile, HLS image playlists)
)

// Manifest names one of the two manifests, for tracks that belong to one only.
type Manifest string

const (
	HLS  Manifest = "hls"
	DASH Manifest = "dash"
)

// Track is one CMAF track (one rendition): one init segment and its media
// segments.
type Track struct {
	ID     string    // stable, unique, URL-safe: "720p-3000k", "audio-en-aac"
	Type   TrackType // video, audio, text
	Codecs string    // RFC 6381 codec string from the sample entry: avc1.64001f, hvc1.1.6.L93.B0, av01.0.05M.08, mp4a.40.2, ec-3, opus

	// Bit rates in bits per second, measured over the media segments.
	BandwidthBps        int64 // peak segment bit rate (HLS BANDWIDTH, DASH @bandwidth)
	AverageBandwidthBps int64 // total bits / total duration (HLS AVERAGE-BANDWIDTH)

	// Video only.
	Width, Height int
	FrameRate     Rate // exact, e.g. 25/1 or 30000/1001
	SARNum        int  // sample aspect ratio (1:1 when zero)
	SARDen        int

	// Audio and text.
	Language   string // BCP 47 / ISO 639 as given, e.g. "en"; "und" when unknown
	Name       string // human name for EXT-X-MEDIA NAME / DASH Label
	Channels   int    // audio channel count
	SampleRate int    // audio sample rate in Hz
	Default    bool   // HLS DEFAULT=YES; first audio track of the default language

	// Text only.
	Forced          bool   // forced-narrative subtitles: HLS FORCED=YES, DASH Role forced-subtitle
	Characteristics string // HLS CHARACTERISTICS, comma-separated UTIs, e.g. "public.accessibility.transcribes-spoken-dialog"

	// MimeType is the container of the track's segments when it is not
	// fragmented MP4: "text/vtt" for WebVTT files (HLS segmented WebVTT, or
	// one side-car file as the only segment), "image/jpeg" for thumbnail
	// tiles. Empty means CMAF fMP4 (video/mp4, audio/mp4, application/mp4
	// for wvtt and stpp text). Plain-file tracks have no init segment.
	MimeType string
	// Only, when set, keeps the track out of the other manifest: segmented
	// WebVTT is the HLS form of a subtitle track whose DASH form is fMP4
	// wvtt. Empty means both manifests.
	Only Manifest

	// Image only: every segment is one JPEG of TileCols × TileRows
	// thumbnails, Width × Height being the whole tile image, so one thumbnail
	// is Width/TileCols × Height/TileRows and shows
	// Segment.DurTicks/(TileCols*TileRows) of the presentation (the last
	// tile may hold fewer thumbnails).
	TileCols, TileRows int
	// ThumbnailDurTicks is how long one thumbnail shows, in Timescale
	// ticks (HLS EXT-X-TILES DURATION; DASH SegmentTemplate@duration is
	// TileCols*TileRows of it). 0 derives it from the longest segment,
	// which is wrong when that tile is not full either (a presentation
	// shorter than one tile): set it then.
	ThumbnailDurTicks uint64

	Timescale uint32 // media timescale of the track (mdhd)

	// Multi-segment mode: InitURI and each Segment.URI are separate files.
	// Single-file mode: MediaURI is the one file; InitRange, IndexRange and
	// Segment byte ranges point into it.
	InitURI    string
	MediaURI   string
	InitRange  ByteRange // single-file: ftyp+moov
	IndexRange ByteRange // single-file: sidx

	// PlaylistURI is where the HLS media playlist of this track is written,
	// e.g. "video/720p-3000k/index.m3u8".
	PlaylistURI string
	// IFramePlaylistURI, when set, names the I-frame-only playlist of a video
	// track (EXT-X-I-FRAME-STREAM-INF).
	IFramePlaylistURI string

	Segments []Segment
	IFrames  []IFrame // one per keyframe, for I-frame playlists (video only)

	// Protection, when set, says the track is encrypted and how its key is
	// signalled (DASH ContentProtection, HLS EXT-X-KEY and
	// EXT-X-SESSION-KEY). Nil for clear tracks.
	Protection *Protection
}

// Segment is one CMAF media segment (or, in single-file mode, one fragment).
type Segment struct {
	URI        string    // multi-segment mode
	Range      ByteRange // single-file mode
	StartTicks uint64    // tfdt baseMediaDecodeTime of the first sample, in Track.Timescale
	DurTicks   uint64    // sum of sample durations, in Track.Timescale
	SizeBytes  int64     // bytes of the segment (styp+moof+mdat)
}

// IFrame locates one keyframe for an I-frame-only playlist: the byte range
// covering the moof header and the keyframe sample, inside the segment (or
// single file) URI.
type IFrame struct {
	URI      string
	Range    ByteRange
	DurTicks uint64 // time until the next I-frame (or end), in Track.Timescale
}

// ByteRange is Offset..Offset+Length-1 in a file. Length 0 means unset.
type ByteRange struct {
	Offset int64
	Length int64
}

// Rate is an exact rational frame rate.
type Rate struct {
	Num int
	Den int
}
