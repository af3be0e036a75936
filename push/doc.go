/*
Package push publishes a package folder (what vpack package writes) to an
origin (S3, an HTTP/WebDAV ingest point, a folder) and fills edge caches
from that origin, safely: idempotent, verified, manifests last, and
converging after any interruption or fault.

# What it owns, what it does not

push owns the [Store] interface and its backends ([File], [HTTP], [S3],
[Mem]), the retry decorator ([WithRetry]), the publishing order and
verification ([Publish]), the push record kept on each store ([Record]) and
edge fill ([Fill]): selection, capacity, fill window, rate limit. It does
not encode, package or validate: it reads package.json and the manifests
(through manifest.ReadHLS and ReadDASH) only to know which file belongs to
which rendition, and never changes a byte. It knows nothing about exit
codes or terminals: errors that mean "not published" wrap [ErrFailed],
unusable package folders are [*PackageError] values, and progress goes
through a callback.

# Inputs and outputs

  - [Open](ctx, url, [OpenOptions]) → a [Store] for s3://bucket/prefix,
    https://host/prefix, http://host/prefix or file:///folder, wrapped in
    the retry decorator. Credentials: the AWS chain for s3 (environment,
    shared config, roles; AWS_ENDPOINT_URL_S3 for S3-compatible servers);
    [OpenOptions].HTTPCredentials for http ([Secret] values, which print as
    REDACTED); plain http with credentials needs HTTPOptions.Insecure.
  - [Publish](ctx, dir, origin, [PublishOptions]) → a [Report]: SHA-256 of
    every file; unchanged objects skipped; media first, then media
    playlists, then the multivariant playlist, MPD and package.json, each
    class verified (size and hash) before the next starts; the push record
    ([RecordKey]) last; with Delete, objects the previous push published
    and the package lacks are removed after that.
  - [Fill](ctx, origin, edges, [FillOptions]) → a [FillReport]: each
    [Edge] gets, from the origin, the objects of the selected renditions
    ([Selection]: all, top:N or a popularity file) that fit its capacity,
    plus manifests and audio, at its rate limit, inside the fill [Window].

# Guarantees

  - Keys are clean relative paths under the store's prefix ([CheckKey]):
    every backend refuses others, symlinks in the package are followed only
    while they stay inside it (os.Root), and manifest URIs that climb out
    are refused by the manifest readers.
  - A reader of the origin never sees a manifest that names a missing or
    partial object: backends publish each object atomically (temp file and
    rename; one PUT, which nginx also stores through a temp file; completed
    multipart uploads) and classes go in order.
  - Retries (exponential backoff with jitter, per-attempt timeouts) apply
    to transient errors only; [Store.IsPermanent] decides. A Get through
    the decorator downloads the whole object, so a reset mid-body is
    retried too.
  - Running Publish again after any failure converges: unchanged objects
    are skipped, the rest uploaded; stale objects the record lists are
    deleted by the next push with Delete.

# Usage

	origin, err := push.Open(ctx, "s3://bucket/titles/movie", push.OpenOptions{})
	if err != nil {
		return err
	}
	rep, err := push.Publish(ctx, "out/", origin, push.PublishOptions{Delete: true})
	if err != nil {
		return err // errors.Is(err, push.ErrFailed), or a *push.PackageError
	}
	edge, _ := push.Open(ctx, "https://edge1.example/movie", push.OpenOptions{})
	fr, err := push.Fill(ctx, origin, []push.Edge{{Store: edge, CapacityBytes: 10e9}},
		push.FillOptions{Selection: push.Selection{Mode: "top", N: 3}})

# Limits

  - Segment names are not content-addressed: re-publishing a package whose
    segments changed under the same names replaces them in place, so a
    viewer holding the old playlist may get a new segment. Publish a re-encoded
    title to a new prefix to avoid that.
  - A process killed while the file backend writes leaves a hidden
    ".name.vpack-tmp-*" file beside the object; it is never an object and a
    new push does not remove it.
  - Plain HTTP stores keep no hash: verification reads objects back
    (VerifySize skips that), and unchanged objects are recognised by the
    size and ETag the push record noted.
*/
package push
