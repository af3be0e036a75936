package manifest

// Variant is one HLS variant stream (EXT-X-STREAM-INF, RFC 8216 §4.3.4.2):
// one video rendition combined with a group of audio (and subtitle)
// renditions. HLS declares bit rates per variant, never per rendition, so
// this is where ReadHLS reports them.
type Variant struct {
	URI     string // media playlist of the video rendition, relative to the multivariant playlist
	VideoID string // Track.ID of the video track

	AudioGroup     string   // GROUP-ID of the AUDIO renditions, "" when none
	AudioIDs       []string // Track.IDs of the renditions in AudioGroup
	SubtitlesGroup string   // GROUP-ID of the SUBTITLES renditions, "" when none
	SubtitlesIDs   []string // Track.IDs of the renditions in SubtitlesGroup

	// BandwidthBps is BANDWIDTH: the largest sum of peak segment bit rates
	// of any playable combination (video + the largest audio of the group).
	BandwidthBps int64
	// AverageBandwidthBps is AVERAGE-BANDWIDTH, computed the same way from
	// the average bit rates; 0 when absent.
	AverageBandwidthBps int64
	Codecs              string // CODECS: every codec of the variant, comma-separated
}
