package manifest_test

import (
	"fmt"
	"testing/fstest"
	"time"

	"github.com/vpack-dev/vpack/manifest"
)

// examplePresentation is one 720p H.264 track and one AAC track, two
// segments each, as the packager would describe them.
func examplePresentation() *manifest.Presentation {
	return &manifest.Presentation{
		Duration:        3500 * time.Millisecond,
		SegmentDuration: 2 * time.Second,
		Tracks: []manifest.Track{
			{
				ID: "720p", Type: manifest.Video, Codecs: "avc1.64001f",
				BandwidthBps: 3_300_000, AverageBandwidthBps: 2_900_000,
				Width: 1280, Height: 720, FrameRate: manifest.Rate{Num: 25, Den: 1},
				Timescale: 12800, InitURI: "video/720p/init.mp4", PlaylistURI: "video/720p/index.m3u8",
				Segments: []manifest.Segment{
					{URI: "video/720p/seg-00001.m4s", DurTicks: 25600, SizeBytes: 825000},
					{URI: "video/720p/seg-00002.m4s", StartTicks: 25600, DurTicks: 19200, SizeBytes: 600000},
				},
			},
			{
				ID: "en", Type: manifest.Audio, Codecs: "mp4a.40.2",
				BandwidthBps: 130_000, AverageBandwidthBps: 128_000,
				Language: "en", Name: "English", Channels: 2, SampleRate: 48000, Default: true,
				Timescale: 48000, InitURI: "audio/en/init.mp4", PlaylistURI: "audio/en/index.m3u8",
				Segments: []manifest.Segment{
					{URI: "audio/en/seg-00001.m4s", DurTicks: 96256, SizeBytes: 32000},
					{URI: "audio/en/seg-00002.m4s", StartTicks: 96256, DurTicks: 71680, SizeBytes: 23000},
				},
			},
		},
	}
}

func ExampleWriteHLS() {
	files, err := manifest.WriteHLS(examplePresentation(), manifest.HLSOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files { // write them in this order: the multivariant playlist last
		fmt.Println("==", f.Name)
	}
	fmt.Print(string(files[0].Data))
	fmt.Print(string(files[len(files)-1].Data))
	// Output:
	// == video/720p/index.m3u8
	// == audio/en/index.m3u8
	// == master.m3u8
	// #EXTM3U
	// #EXT-X-VERSION:6
	// #EXT-X-INDEPENDENT-SEGMENTS
	// #EXT-X-PLAYLIST-TYPE:VOD
	// #EXT-X-MEDIA-SEQUENCE:1
	// #EXT-X-TARGETDURATION:2
	// #EXT-X-MAP:URI="init.mp4"
	// #EXTINF:2.000,
	// seg-00001.m4s
	// #EXTINF:1.500,
	// seg-00002.m4s
	// #EXT-X-ENDLIST
	// #EXTM3U
	// #EXT-X-VERSION:6
	// #EXT-X-INDEPENDENT-SEGMENTS
	// #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",LANGUAGE="en",STABLE-RENDITION-ID="en",DEFAULT=YES,AUTOSELECT=YES,SAMPLE-RATE=48000,CHANNELS="2",URI="audio/en/index.m3u8"
	// #EXT-X-STREAM-INF:BANDWIDTH=3430000,AVERAGE-BANDWIDTH=3028000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=25.000,STABLE-VARIANT-ID="720p",AUDIO="aac",CLOSED-CAPTIONS=NONE
	// video/720p/index.m3u8
}

func ExampleWriteDASH() {
	mpd, err := manifest.WriteDASH(examplePresentation(), manifest.DASHOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(mpd))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019" type="static" mediaPresentationDuration="PT3.5S" minBufferTime="PT2S">
	//   <Period id="0" start="PT0S">
	//     <AdaptationSet id="0" contentType="video" par="16:9" maxWidth="1280" maxHeight="720" maxFrameRate="25" segmentAlignment="true" mimeType="video/mp4" startWithSAP="1">
	//       <SegmentTemplate media="video/$RepresentationID$/seg-$Number%05d$.m4s" initialization="video/$RepresentationID$/init.mp4" startNumber="1" timescale="12800">
	//         <SegmentTimeline>
	//           <S t="0" d="25600"></S>
	//           <S d="19200"></S>
	//         </SegmentTimeline>
	//       </SegmentTemplate>
	//       <Representation id="720p" bandwidth="3300000" width="1280" height="720" sar="1:1" frameRate="25" codecs="avc1.64001f"></Representation>
	//     </AdaptationSet>
	//     <AdaptationSet id="1" lang="en" contentType="audio" segmentAlignment="true" mimeType="audio/mp4" startWithSAP="1">
	//       <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"></Role>
	//       <SegmentTemplate media="audio/$RepresentationID$/seg-$Number%05d$.m4s" initialization="audio/$RepresentationID$/init.mp4" startNumber="1" timescale="48000">
	//         <SegmentTimeline>
	//           <S t="0" d="96256"></S>
	//           <S d="71680"></S>
	//         </SegmentTimeline>
	//       </SegmentTemplate>
	//       <Representation id="en" bandwidth="130000" audioSamplingRate="48000" codecs="mp4a.40.2">
	//         <AudioChannelConfiguration schemeIdUri="urn:mpeg:mpegB:cicp:ChannelConfiguration" value="2"></AudioChannelConfiguration>
	//         <Label>English</Label>
	//       </Representation>
	//     </AdaptationSet>
	//   </Period>
	// </MPD>
}

func ExampleReadHLS() {
	files, err := manifest.WriteHLS(examplePresentation(), manifest.HLSOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fsys := fstest.MapFS{} // os.DirFS(outDir) for a published folder
	for _, f := range files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	p, err := manifest.ReadHLS(fsys, "master.m3u8")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range p.Tracks {
		fmt.Printf("%s %s %s: %d segments from %s, first %d ms\n", t.Type, t.ID, t.Codecs, len(t.Segments), t.InitURI, t.Segments[0].DurTicks)
	}
	v := p.Variants[0]
	fmt.Printf("variant %s+%s: %d bit/s peak\n", v.VideoID, v.AudioGroup, v.BandwidthBps)
	// Output:
	// video 720p avc1.64001f: 2 segments from video/720p/init.mp4, first 2000 ms
	// audio en mp4a.40.2: 2 segments from audio/en/init.mp4, first 2005 ms
	// variant 720p+aac: 3430000 bit/s peak
}
