package packager

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math"
	"time"

	"github.com/vpack-dev/vpack/drm"
	"github.com/vpack-dev/vpack/manifest"
)

// Encryption is how Run encrypts every track with Common Encryption
// (ISO/IEC 23001-7) and signals it. See the package documentation,
// "Encryption".
type Encryption struct {
	Scheme drm.Scheme
	// Keys are the content keys, each with the track classes or CPIX usage
	// rules that choose the tracks it protects, and any signalling a CPIX
	// document gave.
	Keys *drm.KeySet
	// Systems are the DRM systems signalled in init segments (pssh) and
	// manifests. Empty means the W3C common system only (ClearKey).
	Systems []drm.System
	// ClearLead leaves clear every segment that starts before it (the clear
	// part is rounded up to whole segments), so playback can start before a
	// licence arrives.
	ClearLead time.Duration
	// RequireAllKeys makes a key that protects no track an error, as for
	// CPIX documents made for specific content.
	RequireAllKeys bool
	// Rand is where IVs come from; nil means crypto/rand. Tests set it for
	// reproducible output.
	Rand io.Reader
	// KeySource names where Keys came from (a file, an environment
	// variable) for the errors that blame them (*KeyError).
	KeySource string
}

// trackEnc is the encryption of one output track.
type trackEnc struct {
	te        *drm.TrackEncrypter
	key       *drm.ContentKey
	signals   []drm.Signal
	clearSegs int // leading segments left clear
}

// check validates the scheme and systems before any input is read.
func (e *Encryption) check() error {
	if _, err := drm.ParseScheme(string(e.Scheme)); err != nil {
		return err
	}
	if e.Keys == nil {
		return fmt.Errorf("encryption: %w", drm.ErrNoKey)
	}
	if err := e.Keys.Validate(); err != nil {
		return fmt.Errorf("encryption: %w", err)
	}
	if e.ClearLead < 0 {
		return fmt.Errorf("encryption: negative clear lead %v", e.ClearLead)
	}
	return drm.CheckSystems(e.Scheme, e.systems())
}

func (e *Encryption) systems() []drm.System {
	if len(e.Systems) == 0 {
		return []drm.System{drm.ClearKey}
	}
	return e.Systems
}

// planEncryption chooses each track's key and IV, builds its encrypter
// and signalling, and decides the clear lead. It runs after track IDs are
// assigned (CPIX label filters name them) and before init segments are
// built.
func (p *plan) planEncryption(enc *Encryption, log *slog.Logger) error {
	var tracks []drm.Track
	for _, t := range p.tracks {
		dt := drm.Track{ID: t.id, Type: drm.Audio, Channels: t.src.info.channels,
			BitrateBps: int64(math.Round(float64(t.src.payloadBytes*8) * float64(t.src.timescale) / float64(max(1, t.src.durTicks()))))}
		if t.src.kind == manifest.Video {
			dt.Type, dt.Width, dt.Height = drm.Video, t.src.info.width, t.src.info.height
		}
		tracks = append(tracks, dt)
	}
	keyErr := func(err error) error { return &KeyError{Source: enc.KeySource, Err: err} }
	keys, err := enc.Keys.Assign(tracks, enc.RequireAllKeys)
	if err != nil {
		return keyErr(err)
	}
	for _, kid := range enc.Keys.Unused(keys) {
		log.Info("key protects no track", "kid", kid.String())
	}
	rnd := enc.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	clearSegs := p.clearLeadSegments(enc.ClearLead)
	shared := map[drm.KID]int{} // tracks so far per key, to separate explicit IVs
	for i, t := range p.tracks {
		key := keys[i]
		if key.Scheme != "" && key.Scheme != enc.Scheme {
			return keyErr(fmt.Errorf("key %s is for %s, not %s", key.KID, key.Scheme, enc.Scheme))
		}
		iv, err := trackIV(enc.Scheme, key, shared[key.KID], rnd)
		if err != nil {
			return keyErr(fmt.Errorf("track %s: %w", t.id, err))
		}
		shared[key.KID]++
		entry, err := drm.CloneEntry(t.src.entry)
		if err != nil {
			return t.src.errorf("copy sample entry: %w", err)
		}
		te, err := drm.NewTrackEncrypter(drm.TrackConfig{Scheme: enc.Scheme, KID: key.KID, Key: key.Key, IV: iv, Entry: entry})
		if err != nil {
			return t.src.errorf("encrypt: %w", err)
		}
		signals, err := drm.Signals(enc.Scheme, key, enc.systems(), enc.Keys)
		if err != nil {
			return keyErr(fmt.Errorf("track %s: %w", t.id, err))
		}
		t.enc = &trackEnc{te: te, key: key, signals: signals, clearSegs: min(clearSegs, len(t.segments))}
		if t.init, err = buildInit(t, p.singleFile); err != nil {
			return fmt.Errorf("package %s: %w", t.id, err)
		}
		log.Debug("encrypt", "rendition", t.id, "kid", key.KID.String(), "scheme", string(enc.Scheme), "clear_segments", t.enc.clearSegs)
	}
	p.enc = enc
	return nil
}

// trackIV returns the IV of the n-th track (from 0) using key: the key's
// explicit IV, the n-th track's counted up by n<<40 for cenc so that no
// two tracks sharing a key ever use the same per-sample IV (a track would
// need 2^40 samples to reach the next one's), or random bytes.
func trackIV(scheme drm.Scheme, key *drm.ContentKey, n int, rnd io.Reader) (drm.Secret, error) {
	size := 8
	if scheme == drm.CBCS {
		size = 16
	}
	if !key.IV.IsZero() {
		iv := key.IV.Reveal()
		if len(iv) < size {
			return drm.Secret{}, fmt.Errorf("key %s: IV of %d bytes, %s needs %d: %w", key.KID, len(iv), scheme, size, drm.ErrBadIV)
		}
		out := append([]byte(nil), iv[:size]...)
		if scheme == drm.CENC {
			binary.BigEndian.PutUint64(out, binary.BigEndian.Uint64(out)+uint64(n)<<40)
		}
		return drm.NewSecret(out), nil
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(rnd, out); err != nil {
		return drm.Secret{}, fmt.Errorf("random IV: %w", err)
	}
	return drm.NewSecret(out), nil
}

// clearLeadSegments counts the leading segments of the first track (video
// when there is video: the segments of all tracks are cut together) that
// start before lead.
func (p *plan) clearLeadSegments(lead time.Duration) int {
	if lead <= 0 || len(p.tracks) == 0 {
		return 0
	}
	t := p.tracks[0]
	first := t.segments[0].startTicks
	n := 0
	for _, s := range t.segments {
		if float64(s.startTicks-first)/float64(t.src.timescale) >= lead.Seconds() {
			break
		}
		n++
	}
	return n
}

// protection is the manifest model of t's encryption.
func (t *outTrack) protection(scheme drm.Scheme) *manifest.Protection {
	if t.enc == nil {
		return nil
	}
	pr := &manifest.Protection{
		Scheme:        string(scheme),
		DefaultKID:    t.enc.key.KID.String(),
		ClearSegments: t.enc.clearSegs,
	}
	for _, s := range t.enc.signals {
		ps := manifest.ProtectionSystem{
			SystemID:          s.System.ID.String(),
			Name:              systemName(s.System),
			PSSH:              s.PSSH,
			PlayReadyPRO:      s.PlayReadyObject,
			LicenseURL:        s.LicenseURL,
			KeyFormat:         s.KeyFormat,
			KeyFormatVersions: s.KeyFormatVersions,
			KeyURI:            s.URI,
			HLSKeyTag:         s.HLSMedia,
			HLSSessionKeyTag:  s.HLSMaster,
		}
		if s.System.ID == drm.ClearKey.ID {
			// In DASH, ClearKey is signalled with the DASH-IF scheme only
			// (DASH-IF IOP 4.3 §7.6.2.4); the W3C common system ID is not a
			// ContentProtection scheme, and dash.js fails to create a key
			// session when it sees one (it hands the pssh over as "keyids"
			// init data). Its pssh stays in the init segments and the HLS
			// key line.
			ps.HLSOnly = true
		}
		pr.Systems = append(pr.Systems, ps)
		if s.System.ID == drm.ClearKey.ID {
			// DASH-IF ClearKey scheme, which dash.js and Shaka look for.
			pr.Systems = append(pr.Systems, manifest.ProtectionSystem{
				SystemID: drm.DASHIFClearKeyScheme.String(), Name: "ClearKey1.0",
				LicenseURL: s.LicenseURL, DASHOnly: true,
			})
		}
	}
	return pr
}

// systemName is the DASH ContentProtection@value of a system.
func systemName(s drm.System) string {
	switch s.ID {
	case drm.Widevine.ID:
		return "Widevine"
	case drm.PlayReady.ID:
		return "MSPR 2.0"
	case drm.FairPlay.ID:
		return "FairPlay"
	}
	return "" // the W3C common system (ClearKey's pssh) has no conventional value

}
