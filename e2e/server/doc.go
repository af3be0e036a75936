// Command server is the loopback HTTP server of vpack's player tests (make e2e).
//
// It owns what a browser needs to play a package that vpack wrote: static files
// (packages, test pages, the players' scripts from e2e/node_modules) with the MIME
// types players expect and byte-range support, a W3C ClearKey licence endpoint
// that answers from the test's key files, and the non-standard
// KEYFORMAT="org.w3.clearkey" key line that hls.js needs, added while serving.
// It does not make packages, drive browsers or judge playback: e2e/run.mjs does.
//
// It listens on a loopback address only and stops by itself: after -lifetime,
// after -max-requests requests, or when its standard input closes (the runner
// that started it went away).
//
//	server -root /tmp/vpack-e2e -addr 127.0.0.1:0
//	listening http://127.0.0.1:40123          (first line on stdout)
//
// Routes:
//
//	GET  /<path>                     a file under -root (Range requests work)
//	GET  /ck/<path>                  the same, with a KEYFORMAT="org.w3.clearkey" EXT-X-KEY
//	                                 line added after each SAMPLE-AES(-CTR) key line of a playlist
//	                                 (hls.js's ClearKey)
//	GET  /ik/<grant>/<path>          the same, with a KEYFORMAT="identity" line whose URI is
//	                                 /key/<grant>/<kid> (shaka-player's HLS ClearKey)
//	GET  /key/<grant>/<kid>          the 16 key bytes for <kid> from the grant's key file
//	POST /license/<case>?keys=<file>[&mode=wrong]
//	                                 W3C ClearKey licence: {"kids":[..]} → {"keys":[{"kty":"oct",..}]}
//	                                 with keys from <file> (relative to -root); mode=wrong
//	                                 answers every key with its bits inverted (negative control)
//	GET  /_e2e/licences/<case>       the licence and key requests seen for <case>, as JSON
//
// A grant is a token (see Grant) naming the case, the key file and the mode,
// carried in the path so that relative playlist URIs keep it. Key files are
// vpack's JSON key files; any JSON with kid/key pairs is read (parseKeyFile).
package main
