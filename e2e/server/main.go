package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// Config is the server's command line, parsed by loadConfig.
type Config struct {
	Root        string
	Addr        string
	Lifetime    time.Duration
	MaxRequests int64
	WatchStdin  bool
	LogLevel    slog.Level
}

// loadConfig is a pure function of the arguments.
func loadConfig(args []string, stderr io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Root, "root", ".", "folder to serve")
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:0", "loopback address to listen on")
	fs.DurationVar(&c.Lifetime, "lifetime", 20*time.Minute, "stop after this long")
	fs.Int64Var(&c.MaxRequests, "max-requests", 100000, "stop after this many requests")
	fs.BoolVar(&c.WatchStdin, "watch-stdin", true, "stop when standard input closes")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := c.LogLevel.UnmarshalText([]byte(*logLevel)); err != nil {
		return c, fmt.Errorf("-log-level: %w", err)
	}
	if c.Lifetime <= 0 || c.MaxRequests <= 0 {
		return c, errors.New("-lifetime and -max-requests must be positive")
	}
	if err := checkLoopback(c.Addr); err != nil {
		return c, err
	}
	return c, nil
}

// checkLoopback refuses any address that is not on the loopback interface:
// these tests never listen where another machine could reach them.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: not a loopback address", addr)
	}
	return nil
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.Lifetime)
	defer cancel()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "server: listen: %v\n", err)
		return 1
	}
	srv := NewServer(cfg.Root, log)
	srv.MaxRequests = cfg.MaxRequests
	srv.OnLimit = cancel
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       30 * time.Second,
	}
	if cfg.WatchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			cancel()
		}()
	}
	fmt.Fprintf(stdout, "listening http://%s\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "server: serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdownCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	_ = hs.Shutdown(shutdownCtx)
	if srv.LimitReached() {
		fmt.Fprintf(stderr, "server: stopped after %d requests (-max-requests)\n", cfg.MaxRequests)
		return 1
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		log.Info("lifetime over", "lifetime", cfg.Lifetime)
	}
	return 0
}
