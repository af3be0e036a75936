package push

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Options configure the S3 backend. Zero values defer to the standard
// AWS chain: AWS_REGION / AWS_DEFAULT_REGION and the shared config file
// for the region, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL for an
// S3-compatible server, and the usual credential providers (environment,
// shared credentials and config files, SSO, web identity, container and
// EC2 instance roles).
type S3Options struct {
	Region   string // default: the chain's, else us-east-1
	Endpoint string // default: the chain's (AWS_ENDPOINT_URL_S3), else AWS
	// PathStyle addresses buckets as endpoint/bucket/key instead of
	// bucket.endpoint/key. Nil means VPACK_S3_PATH_STYLE when set, else
	// path style exactly when a custom endpoint is configured (what
	// S3-compatible servers expect).
	PathStyle *bool
	// Static credentials; empty means the AWS chain.
	AccessKeyID     string
	SecretAccessKey Secret
	SessionToken    Secret
	// Objects larger than MultipartThreshold are uploaded in parts of
	// PartSize bytes (S3's minimum part is 5 MiB). Zero means 64 MiB and
	// 16 MiB.
	MultipartThreshold int64
	PartSize           int64
	HTTPClient         *http.Client // nil: the SDK's
}

// S3 is the backend for AWS S3 and S3-compatible servers (versitygw,
// MinIO, Ceph RGW). Put sends the SHA-256 as x-amz-checksum-sha256, which
// the server checks before it stores the object, and keeps it as the
// object's x-amz-meta-sha256, which Stat and Get report. Objects above
// S3Options.MultipartThreshold go up as a multipart upload (each part with
// Content-MD5), visible only once completed. The SDK's own retries are off:
// the retry decorator owns retrying.
type S3 struct {
	client    *s3.Client
	bucket    string
	prefix    string // "" or ending in "/"
	threshold int64
	partSize  int64
	name      string
}

// metaSHA256 is the user metadata key of the content hash.
const metaSHA256 = "sha256"

// NewS3 returns the store at s3://bucket/prefix.
func NewS3(ctx context.Context, rawURL string, opts S3Options) (*S3, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "s3" {
		return nil, fmt.Errorf("s3 store: %q is not an s3://bucket/prefix URL", rawURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("s3 store %s: no bucket", rawURL)
	}
	if u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("s3 store %s: credentials and options come from the AWS environment, not the URL", u.Redacted())
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		if err := CheckKey(prefix); err != nil {
			return nil, fmt.Errorf("s3 store %s: prefix: %w", rawURL, err)
		}
		prefix += "/"
	}
	loadOpts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
		config.WithDefaultRegion("us-east-1"),
	}
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	if opts.AccessKeyID != "" {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			opts.AccessKeyID, opts.SecretAccessKey.Reveal(), opts.SessionToken.Reveal())))
	}
	if opts.HTTPClient != nil {
		loadOpts = append(loadOpts, config.WithHTTPClient(opts.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("s3 store %s: aws config: %w", rawURL, err)
	}
	customEndpoint := opts.Endpoint != "" || cfg.BaseEndpoint != nil ||
		os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	pathStyle := customEndpoint
	if v := os.Getenv("VPACK_S3_PATH_STYLE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("VPACK_S3_PATH_STYLE=%q: want true or false", v)
		}
		pathStyle = b
	}
	if opts.PathStyle != nil {
		pathStyle = *opts.PathStyle
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		o.UsePathStyle = pathStyle
		o.RetryMaxAttempts = 1
		// The checksum vpack computes is sent as a header; no trailers
		// (aws-chunked), which not every S3-compatible server takes.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	s := &S3{client: client, bucket: u.Host, prefix: prefix, threshold: opts.MultipartThreshold,
		partSize: opts.PartSize, name: "s3://" + u.Host + "/" + strings.TrimSuffix(prefix, "/")}
	if s.threshold <= 0 {
		s.threshold = 64 << 20
	}
	if s.partSize <= 0 {
		s.partSize = 16 << 20
	}
	return s, nil
}

func (s *S3) String() string { return s.name }

// Put implements Store.
func (s *S3) Put(ctx context.Context, obj Object, body io.ReadSeeker) error {
	if err := CheckKey(obj.Key); err != nil {
		return opErr("put", obj.Key, err)
	}
	if obj.Size < 0 {
		return opErr("put", obj.Key, errors.New("s3 needs the object size"))
	}
	if obj.Size > s.threshold {
		return opErr("put", obj.Key, s.s3Err(s.putMultipart(ctx, obj, body)))
	}
	g := guard(body)
	defer g.release()
	in := &s3.PutObjectInput{
		Bucket: &s.bucket, Key: aws.String(s.prefix + obj.Key),
		Body: g, ContentLength: aws.Int64(obj.Size),
	}
	s.setHeaders(obj, &in.ContentType, &in.CacheControl, &in.Metadata)
	if obj.SHA256 != "" {
		sum, err := hex.DecodeString(obj.SHA256)
		if err != nil {
			return opErr("put", obj.Key, fmt.Errorf("sha256 %q: %w", obj.SHA256, err))
		}
		in.ChecksumSHA256 = aws.String(base64.StdEncoding.EncodeToString(sum))
	}
	_, err := s.client.PutObject(ctx, in)
	return opErr("put", obj.Key, s.s3Err(err))
}

func (s *S3) setHeaders(obj Object, contentType, cacheControl **string, meta *map[string]string) {
	if obj.ContentType != "" {
		*contentType = aws.String(obj.ContentType)
	}
	if obj.CacheControl != "" {
		*cacheControl = aws.String(obj.CacheControl)
	}
	if obj.SHA256 != "" {
		*meta = map[string]string{metaSHA256: obj.SHA256}
	}
}

// putMultipart uploads body in parts, hashing it on the way; a body that
// does not match obj.SHA256 is aborted before completion, so it is never
// visible.
func (s *S3) putMultipart(ctx context.Context, obj Object, body io.ReadSeeker) (err error) {
	key := s.prefix + obj.Key
	create := &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &key}
	s.setHeaders(obj, &create.ContentType, &create.CacheControl, &create.Metadata)
	up, err := s.client.CreateMultipartUpload(ctx, create)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_, _ = s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
				Bucket: &s.bucket, Key: &key, UploadId: up.UploadId})
		}
	}()
	h := sha256.New()
	buf := make([]byte, s.partSize)
	var (
		parts []types.CompletedPart
		total int64
	)
	for n := int32(1); ; n++ {
		k, rerr := io.ReadFull(body, buf)
		if rerr != nil && rerr != io.ErrUnexpectedEOF && rerr != io.EOF {
			return rerr
		}
		if k == 0 && n > 1 {
			break
		}
		part := buf[:k]
		h.Write(part)
		total += int64(k)
		md := md5.Sum(part)
		g := guard(bytes.NewReader(part)) // buf is reused for the next part
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: &s.bucket, Key: &key, UploadId: up.UploadId, PartNumber: aws.Int32(n),
			Body: g, ContentLength: aws.Int64(int64(k)),
			ContentMD5: aws.String(base64.StdEncoding.EncodeToString(md[:])),
		})
		g.release()
		if err != nil {
			return fmt.Errorf("part %d: %w", n, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
		if rerr != nil {
			break
		}
	}
	if total != obj.Size {
		return fmt.Errorf("read %d bytes, want %d: %w", total, obj.Size, ErrChanged)
	}
	if got := hex.EncodeToString(h.Sum(nil)); obj.SHA256 != "" && got != obj.SHA256 {
		return fmt.Errorf("sha256 %s, want %s: %w", got, obj.SHA256, ErrChanged)
	}
	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &s.bucket, Key: &key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	return err
}

// Get implements Store.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := CheckKey(key); err != nil {
		return nil, Object{}, opErr("get", key, err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil {
		return nil, Object{}, opErr("get", key, s.s3Err(err))
	}
	return out.Body, Object{
		Key: key, Size: aws.ToInt64(out.ContentLength), SHA256: out.Metadata[metaSHA256],
		ETag: aws.ToString(out.ETag), ContentType: aws.ToString(out.ContentType),
		CacheControl: aws.ToString(out.CacheControl),
	}, nil
}

// Stat implements Store with HeadObject.
func (s *S3) Stat(ctx context.Context, key string) (Object, error) {
	if err := CheckKey(key); err != nil {
		return Object{}, opErr("stat", key, err)
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil {
		return Object{}, opErr("stat", key, s.s3Err(err))
	}
	return Object{
		Key: key, Size: aws.ToInt64(out.ContentLength), SHA256: out.Metadata[metaSHA256],
		ETag: aws.ToString(out.ETag), ContentType: aws.ToString(out.ContentType),
		CacheControl: aws.ToString(out.CacheControl),
	}, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return opErr("delete", key, err)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil && !errors.Is(s.s3Err(err), ErrNotFound) {
		return opErr("delete", key, s.s3Err(err))
	}
	return nil
}

// Errors an S3 server answers that no retry fixes.
var s3PermanentCodes = map[string]bool{
	"NoSuchBucket": true, "NoSuchKey": true, "NotFound": true, "AccessDenied": true,
	"InvalidAccessKeyId": true, "SignatureDoesNotMatch": true, "InvalidBucketName": true,
	"AuthorizationHeaderMalformed": true, "InvalidArgument": true, "InvalidRequest": true,
	"EntityTooSmall": true, "EntityTooLarge": true, "MethodNotAllowed": true, "InvalidObjectState": true,
	"AllAccessDisabled": true, "AccountProblem": true, "InvalidToken": true, "ExpiredToken": true,
	"PermanentRedirect": true, "IllegalLocationConstraintException": true,
}

// ErrNoBucket is wrapped when the bucket of an s3 store does not exist.
var ErrNoBucket = errors.New("bucket does not exist")

// ErrAccessDenied is wrapped when a server refuses the credentials (s3
// AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch; http 401, 403).
var ErrAccessDenied = errors.New("access denied (check the credentials)")

// s3Err rewrites the SDK's errors into the package's: missing keys wrap
// ErrNotFound, a missing bucket ErrNoBucket, refused credentials
// ErrAccessDenied; server answers read "s3 CODE: message (http N)" instead
// of the SDK's long form (which stays in the chain).
func (s *S3) s3Err(err error) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err
	}
	short := &s3Error{code: api.ErrorCode(), msg: api.ErrorMessage(), err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		short.status = re.HTTPStatusCode()
	}
	switch api.ErrorCode() {
	case "NoSuchKey", "NotFound":
		return fmt.Errorf("%w (%w)", ErrNotFound, short)
	case "NoSuchBucket":
		return fmt.Errorf("%q: %w (%w)", s.bucket, ErrNoBucket, short)
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
		"XAdminUserNotFound": // versitygw's InvalidAccessKeyId
		return fmt.Errorf("%w (%w)", ErrAccessDenied, short)
	}
	return short
}

// s3Error is an S3 error answer, briefly.
type s3Error struct {
	code, msg string
	status    int
	err       error
}

func (e *s3Error) Error() string {
	s := "s3 " + e.code
	if e.msg != "" {
		s += ": " + e.msg
	}
	if e.status != 0 {
		s += fmt.Sprintf(" (http %d)", e.status)
	}
	return s
}

func (e *s3Error) Unwrap() error { return e.err }

// IsPermanent implements Store: S3 error codes about the request, the key,
// the bucket or the credentials are permanent, as are other 4xx answers
// except 408 and 429; 5xx answers (InternalError, SlowDown, ...) and
// network errors are transient.
func (s *S3) IsPermanent(err error) bool {
	if p, known := isPermanentCommon(err); known {
		return p
	}
	if errors.Is(err, ErrNoBucket) || errors.Is(err, ErrAccessDenied) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) && s3PermanentCodes[api.ErrorCode()] {
		return true
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		code := re.HTTPStatusCode()
		return code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests
	}
	return false
}
