package pushtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/net/webdav"

	"github.com/vpack-dev/vpack/internal/mediatest"
)

// WebDAV starts an in-process golang.org/x/net/webdav server on
// 127.0.0.1 over a temporary folder and returns its URL and folder. Unlike
// nginx it writes PUT bodies in place (not atomically) and needs MKCOL
// for new folders: the worst case the http backend must handle.
func WebDAV(t testing.TB) (url, dir string) {
	t.Helper()
	dir = t.TempDir()
	h := &webdav.Handler{FileSystem: webdav.Dir(dir), LockSystem: webdav.NewMemLS()}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, dir
}

// NginxOptions configure an nginx instance.
type NginxOptions struct {
	// CreateFullPutPath makes nginx create missing folders on PUT; off,
	// clients must MKCOL them.
	CreateFullPutPath bool
	// User and Password, when set, require HTTP basic authentication.
	User, Password string
}

// Nginx is a running nginx with the WebDAV modules.
type Nginx struct {
	URL  string // http://127.0.0.1:port
	Root string // the folder it serves and writes
}

// StartNginx starts Debian's nginx on a free port of 127.0.0.1, serving and
// accepting WebDAV writes (PUT, DELETE, MKCOL) into a temporary folder,
// with its configuration, pid file, logs and temp files in t.TempDir().
// It skips (fails under VPACK_REQUIRE_FFMPEG=1) when nginx is missing:
// scripts/setup-push.sh installs it.
func StartNginx(t testing.TB, o NginxOptions) *Nginx {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	switch {
	case err == nil:
	case fileExists("/usr/sbin/nginx"): // Debian's, for users without /usr/sbin on PATH
		bin = "/usr/sbin/nginx"
	default:
		bin = mediatest.RequireTool(t, "nginx") // skips, or fails in CI
	}
	prefix := t.TempDir()
	root := filepath.Join(prefix, "www")
	for _, d := range []string{root, filepath.Join(prefix, "logs"), filepath.Join(prefix, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	var conf bytes.Buffer
	if os.Geteuid() == 0 {
		conf.WriteString("user root;\n") // workers must write into t.TempDir (0700, root's)
	}
	if mod := "/usr/lib/nginx/modules/ngx_http_dav_ext_module.so"; fileExists(mod) {
		fmt.Fprintf(&conf, "load_module %s;\n", mod)
	}
	auth := ""
	if o.User != "" {
		if err := os.WriteFile(filepath.Join(prefix, "htpasswd"), []byte(o.User+":{PLAIN}"+o.Password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		auth = fmt.Sprintf("auth_basic \"vpack\";\n      auth_basic_user_file %s/htpasswd;", prefix)
	}
	fullPut := "off"
	if o.CreateFullPutPath {
		fullPut = "on"
	}
	dav := ""
	if fileExists("/usr/lib/nginx/modules/ngx_http_dav_ext_module.so") {
		dav = "dav_ext_methods PROPFIND OPTIONS;"
	}
	fmt.Fprintf(&conf, `daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/logs/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path %[1]s/tmp/body;
  proxy_temp_path %[1]s/tmp/proxy;
  fastcgi_temp_path %[1]s/tmp/fastcgi;
  uwsgi_temp_path %[1]s/tmp/uwsgi;
  scgi_temp_path %[1]s/tmp/scgi;
  types {
    application/vnd.apple.mpegurl m3u8;
    application/dash+xml mpd;
    video/iso.segment m4s;
    video/mp4 mp4;
    application/json json;
  }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:%[2]d;
    root %[3]s;
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE MKCOL COPY MOVE;
      %[4]s
      create_full_put_path %[5]s;
      dav_access user:rw group:r all:r;
      %[6]s
    }
  }
}
`, prefix, port, root, dav, fullPut, auth)
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", prefix, "-c", confPath, "-e", filepath.Join(prefix, "logs", "error.log"))
	done := startServer(t, "nginx", cmd, filepath.Join(prefix, "logs", "stdout.log"))
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitListening(t, "nginx", addr, done, func() string {
		out, _ := os.ReadFile(filepath.Join(prefix, "logs", "stdout.log"))
		log, _ := os.ReadFile(filepath.Join(prefix, "logs", "error.log"))
		return string(out) + string(log)
	})
	return &Nginx{URL: "http://" + addr, Root: root}
}

// VersityGW is a running versitygw S3 server.
type VersityGW struct {
	Endpoint          string // http://127.0.0.1:port
	AccessKey, Secret string
	Root              string // posix backend folder: one subfolder per bucket
}

// StartVersityGW starts versitygw (posix backend in t.TempDir()) on a free
// port of 127.0.0.1 with fresh root credentials. It skips (fails under
// VPACK_REQUIRE_FFMPEG=1) when versitygw is missing: scripts/setup-push.sh
// installs it.
func StartVersityGW(t testing.TB) *VersityGW {
	t.Helper()
	bin := lookVersityGW(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "gw")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	g := &VersityGW{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), AccessKey: "vpacktestaccess", Secret: "vpack-test-secret-key", Root: root}
	cmd := exec.Command(bin, "--port", fmt.Sprintf("127.0.0.1:%d", port), "--access", g.AccessKey, "--secret", g.Secret,
		"--region", "us-east-1", "posix", root)
	cmd.Env = append(os.Environ(), "VGW_QUIET=true")
	logPath := filepath.Join(dir, "versitygw.log")
	done := startServer(t, "versitygw", cmd, logPath)
	waitListening(t, "versitygw", fmt.Sprintf("127.0.0.1:%d", port), done, func() string {
		out, _ := os.ReadFile(logPath)
		return string(out)
	})
	return g
}

// CreateBucket makes a bucket on the server.
func (g *VersityGW) CreateBucket(t testing.TB, name string) {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(g.AccessKey, g.Secret, "")))
	if err != nil {
		t.Fatal(err)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(g.Endpoint)
		o.UsePathStyle = true
	})
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// lookVersityGW finds versitygw on PATH or where setup-push.sh puts it
// ($GOBIN, $(go env GOPATH)/bin).
func lookVersityGW(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	var dirs []string
	if d := os.Getenv("GOBIN"); d != "" {
		dirs = append(dirs, d)
	}
	if d := os.Getenv("GOPATH"); d != "" {
		dirs = append(dirs, filepath.Join(d, "bin"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		if p := filepath.Join(d, "versitygw"); fileExists(p) {
			return p
		}
	}
	return mediatest.RequireTool(t, "versitygw") // skips or fails with the usual message
}

// startServer starts cmd in its own process group with its output in
// logPath, and stops the whole group when the test ends: SIGTERM (nginx's
// fast shutdown), then SIGKILL after 5s. The returned channel gets the
// exit status.
func startServer(t testing.TB, name string, cmd *exec.Cmd, logPath string) <-chan error {
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	logf.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	pgid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL) // workers left behind, if any
	})
	return done
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitListening waits (10s at most) until addr accepts connections, and
// fails with the server's output if it exits first.
func waitListening(t testing.TB, name, addr string, exited <-chan error, output func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("%s exited at start: %v\n%s", name, err, output())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			// nginx answers as soon as it listens; give versitygw a request.
			if resp, err := http.Get("http://" + addr + "/"); err == nil {
				resp.Body.Close()
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s within 10s\n%s", name, addr, strings.TrimSpace(output()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
