// Package pushtest is what push's tests and the CLI's share: the
// conformance suite every Store passes ([Run]), an HTTP proxy that injects
// seeded faults ([NewFaultProxy]), real servers started on 127.0.0.1
// ([StartNginx], [StartVersityGW]) or in process ([WebDAV]), and packages
// to publish ([WriteSynthetic] without media, [RealPackage] with ffmpeg and
// the packager).
//
// Servers start on free ports with their files in t.TempDir() and stop when
// the test ends. A missing nginx or versitygw skips the test, or fails it
// with VPACK_REQUIRE_FFMPEG=1 (CI); scripts/setup-push.sh installs both.
package pushtest
