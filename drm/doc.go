/*
Package drm is vpack's Common Encryption library (ISO/IEC 23001-7): key
IDs, keys and their sources, DRM system signalling, and the encryption of
CMAF samples. Bytes in, bytes out: it reads no file and writes none,
logs nothing, and never prints a key.

# What it owns, what it does not

It owns:

  - keys: KID, Secret (key material that formats as REDACTED everywhere),
    ContentKey with the track classes or usage rules that pick its tracks,
    KeySet.Select/Assign; the JSON key file (ParseKeyFile, MarshalKeyFile),
    the one-key form of VPACK_KEY (ParseKeyPair), and DASH-IF CPIX 2.3
    documents (ParseCPIX, including keys encrypted under a document key;
    MarshalCPIX);
  - signalling: pssh boxes for Widevine (a hand-encoded WidevinePsshData
    protobuf with key_id and protection_scheme), PlayReady (a PlayReady
    Object with a WRMHEADER 4.0 for cenc or 4.3 for cbcs, key IDs in GUID
    byte order) and the W3C common system used by ClearKey; the HLS
    KEYFORMAT and URI of each system (Signals); CPIX-given PSSH,
    ContentProtectionData, HLSSignalingData and URIExtXKey, used as given;
  - encryption: the subsample maps of H.264, HEVC and AV1 samples and the
    cenc (AES-CTR) and cbcs (AES-CBC, 1:9 pattern, constant IV) ciphers
    (SequenceEncrypter), the senc/saiz/saio boxes of a fragment, the
    'seig' sample group that marks clear-lead fragments, and the
    protection of a sample entry and init segment (ProtectInit, through
    mp4ff's InitProtect).

It does not lay out fragments or write files (package packager), write
manifests (package manifest), or read keys from files or the environment
(the CLI, internal/cli/cmdutil).

# Subsample maps

For H.264 and HEVC every NAL unit length field and NAL unit header, the
whole slice header (parsed exactly, rounded up to whole bytes), and every
non-VCL NAL unit (SPS, PPS, SEI, AUD) stay clear. For AV1 only tile data
is protected; OBU headers, frame headers and tile sizes stay clear. With
cenc each protected range is whole 16-byte blocks ending where the slice
or tile ends (the remainder stays clear before it); with cbcs it starts
right after the slice header and the 1:9 pattern leaves any partial last
block clear. Ranges shorter than a block, and so tiny NAL units, stay
clear. Audio is encrypted whole (cenc) or in whole blocks (cbcs).

# IVs

cenc uses 8-byte per-sample IVs (as CMAF requires): sample i of a track
gets the track's IV plus i, so segments can be encrypted concurrently and
no IV repeats within a track; each track gets its own random IV (or, from
an explicit IV shared by several tracks, IV + n<<40 for the n-th). cbcs
uses a 16-byte constant IV in tenc. IVs are written into the media
anyway, but they are Secrets here too, so that nothing about keys is ever
logged by accident.

# Usage

	ks, err := drm.ParseKeyFile(data) // or ParseCPIX, ParseKeyPair
	key, err := ks.Select(drm.Track{ID: "1080p", Type: drm.Video, Width: 1920, Height: 1080})
	signals, err := drm.Signals(drm.CBCS, key, []drm.System{drm.Widevine, drm.FairPlay}, ks)
	te, err := drm.NewTrackEncrypter(drm.TrackConfig{Scheme: drm.CBCS, KID: key.KID, Key: key.Key, IV: iv, Entry: entry})
	err = te.ProtectInit(init, drm.PSSHBoxes(signals))
	se := te.NewSequence() // per segment
	for i, sample := range fragment {
		err = se.EncryptSample(sample, firstIndex+uint64(i))
	}
	moof = se.AppendBoxes(moof, sencOffset) // senc, saiz, saio
*/
package drm
