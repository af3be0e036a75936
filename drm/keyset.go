package drm

import (
	"fmt"
	"slices"
	"strings"
)

// TrackType is the media type of a track, for key selection.
type TrackType string

const (
	Video TrackType = "video"
	Audio TrackType = "audio"
)

// Track describes a track to choose its key: the properties CPIX usage
// rules and key file track classes filter on.
type Track struct {
	ID         string // label: the packaged track ID, e.g. "720p-2874k"
	Type       TrackType
	Width      int // video picture size
	Height     int
	Channels   int   // audio
	BitrateBps int64 // average bit rate of the sample data
}

// Rule selects tracks: every set field must match (0 or "" means any).
// A key with several rules applies to a track that matches any of them.
// Key file classes and CPIX ContentKeyUsageRule filters become rules.
type Rule struct {
	Type                     TrackType
	MinHeight, MaxHeight     int // inclusive, video
	MinPixels, MaxPixels     int // inclusive, width*height, video (CPIX VideoFilter)
	MinChannels, MaxChannels int // inclusive, audio (CPIX AudioFilter)
	MinBitrate, MaxBitrate   int64
	Label                    string // track ID (CPIX LabelFilter)
}

// Track classes of key files and `vpack keys generate --tracks`, as a
// common licence policy has them: SD below 720 lines, HD 720 to 1080
// lines, UHD above 1080 lines.
var classRules = map[string]Rule{
	"all":   {},
	"audio": {Type: Audio},
	"video": {Type: Video},
	"sd":    {Type: Video, MaxHeight: 719},
	"hd":    {Type: Video, MinHeight: 720, MaxHeight: 1080},
	"uhd":   {Type: Video, MinHeight: 1081},
}

// Classes are the track class names in a stable order.
var Classes = []string{"all", "audio", "video", "sd", "hd", "uhd"}

// ClassRule returns the rule of a track class ("all", "audio", "video",
// "sd", "hd", "uhd").
func ClassRule(class string) (Rule, error) {
	r, ok := classRules[strings.ToLower(class)]
	if !ok {
		return Rule{}, fmt.Errorf("track class %q: %w (one of %s)", class, ErrUnsupported, strings.Join(Classes, ", "))
	}
	return r, nil
}

func (r Rule) matches(t Track) bool {
	if r.Type != "" && r.Type != t.Type {
		return false
	}
	video := r.MinHeight > 0 || r.MaxHeight > 0 || r.MinPixels > 0 || r.MaxPixels > 0
	if video && t.Type != Video {
		return false
	}
	if (r.MinChannels > 0 || r.MaxChannels > 0) && t.Type != Audio {
		return false
	}
	px := t.Width * t.Height
	switch {
	case r.MinHeight > 0 && t.Height < r.MinHeight, r.MaxHeight > 0 && t.Height > r.MaxHeight,
		r.MinPixels > 0 && px < r.MinPixels, r.MaxPixels > 0 && px > r.MaxPixels,
		r.MinChannels > 0 && t.Channels < r.MinChannels, r.MaxChannels > 0 && t.Channels > r.MaxChannels,
		r.MinBitrate > 0 && t.BitrateBps < r.MinBitrate, r.MaxBitrate > 0 && t.BitrateBps > r.MaxBitrate,
		r.Label != "" && r.Label != t.ID:
		return false
	}
	return true
}

// specificity ranks rules so that a narrower rule wins over a broader
// one: "hd" over "video" over "all".
func (r Rule) specificity() int {
	n := 0
	if r.Type != "" {
		n++
	}
	if r.MinHeight > 0 || r.MaxHeight > 0 || r.MinPixels > 0 || r.MaxPixels > 0 ||
		r.MinChannels > 0 || r.MaxChannels > 0 || r.MinBitrate > 0 || r.MaxBitrate > 0 {
		n++
	}
	if r.Label != "" {
		n += 2
	}
	return n
}

// ContentKey is one AES-128 content key and the tracks it protects.
type ContentKey struct {
	KID KID
	Key Secret // 16 bytes
	// IV is an optional explicit IV: the 16-byte constant IV for cbcs, the
	// first 8-byte per-sample IV for cenc (of 16 bytes, the first 8 are
	// used). Empty means a random IV per track.
	IV Secret
	// Classes are the key file's track classes, kept to write the file
	// back; Rules are what selection uses. No rules: every track.
	Classes []string
	Rules   []Rule
	// Scheme is the scheme a CPIX document requires for this key
	// (commonEncryptionScheme); empty means any.
	Scheme Scheme
}

// SystemData is DRM signalling given for one system and key, by a CPIX
// document (DRMSystem element): used as given instead of what vpack would
// generate.
type SystemData struct {
	System System // a known system, or Name "" with the ID of another
	KID    KID
	// PSSH is a whole pssh box, for the init segments and DASH cenc:pssh.
	PSSH []byte
	// ContentProtectionData is the XML content of the DASH
	// ContentProtection element (cenc:pssh, mspr:pro, ...).
	ContentProtectionData string
	// HLSMedia and HLSMaster are whole EXT-X-KEY / EXT-X-SESSION-KEY lines
	// (HLSSignalingData); URIExtXKey is the URI for an EXT-X-KEY vpack
	// writes.
	HLSMedia, HLSMaster string
	URIExtXKey          string
}

// Options are licence-server details for the generated signalling.
type Options struct {
	// WidevineProvider and WidevineContentID go into WidevinePsshData
	// (provider, content_id) when set.
	WidevineProvider  string
	WidevineContentID []byte
	// PlayReadyLAURL is the licence URL in the WRMHEADER (LA_URL).
	PlayReadyLAURL string
	// FairPlayURI is the EXT-X-KEY URI for FairPlay; "{kid}" is replaced by
	// the key ID in hex. Empty means "skd://{kid}".
	FairPlayURI string
	// ClearKeyLAURL is a ClearKey licence server URL, signalled in DASH as
	// dashif:Laurl.
	ClearKeyLAURL string
}

// KeySet is every key of a package and how to signal them.
type KeySet struct {
	Keys      []ContentKey
	ContentID string // CPIX contentId, informative
	Given     []SystemData
	Options   Options
}

// Validate checks lengths and uniqueness: 16-byte keys, IVs of 8 or 16
// bytes, distinct KIDs.
func (ks *KeySet) Validate() error {
	if len(ks.Keys) == 0 {
		return fmt.Errorf("no keys: %w", ErrMalformed)
	}
	seen := map[KID]bool{}
	for i, k := range ks.Keys {
		if k.KID.IsZero() {
			return fmt.Errorf("key %d: key ID is all zeros: %w", i+1, ErrBadKID)
		}
		if seen[k.KID] {
			return fmt.Errorf("key %s: %w", k.KID, ErrDuplicateKID)
		}
		seen[k.KID] = true
		if k.Key.Len() != 16 {
			return fmt.Errorf("key %s: %d bytes: %w", k.KID, k.Key.Len(), ErrBadKey)
		}
		if n := k.IV.Len(); n != 0 && n != 8 && n != 16 {
			return fmt.Errorf("key %s: IV of %d bytes: %w (8 or 16)", k.KID, n, ErrBadIV)
		}
	}
	return nil
}

// Select returns the key that protects t: the key whose most specific
// matching rule is more specific than any other key's ("hd" beats "video"
// beats "all"). No key, or two keys equally specific, is an error.
func (ks *KeySet) Select(t Track) (*ContentKey, error) {
	best, bestScore, tie := -1, -1, false
	for i := range ks.Keys {
		score := -1
		rules := ks.Keys[i].Rules
		if len(rules) == 0 {
			rules = []Rule{{}}
		}
		for _, r := range rules {
			if r.matches(t) {
				score = max(score, r.specificity())
			}
		}
		switch {
		case score < 0:
		case score > bestScore:
			best, bestScore, tie = i, score, false
		case score == bestScore:
			tie = true
		}
	}
	desc := t.describe()
	switch {
	case best < 0:
		return nil, fmt.Errorf("%s: %w", desc, ErrNoKey)
	case tie:
		return nil, fmt.Errorf("%s: %w", desc, ErrAmbiguousKey)
	}
	return &ks.Keys[best], nil
}

func (t Track) describe() string {
	if t.Type == Video {
		return fmt.Sprintf("track %s (video %dx%d)", t.ID, t.Width, t.Height)
	}
	return fmt.Sprintf("track %s (%s)", t.ID, t.Type)
}

// Assign selects the key of every track and, when every key must be used
// (CPIX documents: a key for no track means the document was made for
// other content), reports an unused one.
func (ks *KeySet) Assign(tracks []Track, requireAllUsed bool) ([]*ContentKey, error) {
	out := make([]*ContentKey, len(tracks))
	used := map[KID]bool{}
	for i, t := range tracks {
		k, err := ks.Select(t)
		if err != nil {
			return nil, err
		}
		out[i] = k
		used[k.KID] = true
	}
	if requireAllUsed {
		for _, k := range ks.Keys {
			if !used[k.KID] {
				return nil, fmt.Errorf("key %s: %w", k.KID, ErrUnusedKey)
			}
		}
	}
	return out, nil
}

// Unused returns the key IDs no track in tracks would use.
func (ks *KeySet) Unused(keys []*ContentKey) []KID {
	var out []KID
	for _, k := range ks.Keys {
		if !slices.ContainsFunc(keys, func(u *ContentKey) bool { return u.KID == k.KID }) {
			out = append(out, k.KID)
		}
	}
	return out
}

// GivenFor returns the CPIX signalling of a system for a key, if any.
func (ks *KeySet) GivenFor(sys System, kid KID) *SystemData {
	for i := range ks.Given {
		if ks.Given[i].System.ID == sys.ID && ks.Given[i].KID == kid {
			return &ks.Given[i]
		}
	}
	return nil
}

// GivenSystems returns the known systems the CPIX document signals, in
// canonical order.
func (ks *KeySet) GivenSystems() []System {
	var out []System
	for _, s := range Systems {
		if slices.ContainsFunc(ks.Given, func(g SystemData) bool { return g.System.ID == s.ID }) {
			out = append(out, s)
		}
	}
	return out
}
