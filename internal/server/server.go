// Package server is Liandong's HTTP front door: it routes requests to the
// JSON API and to the operational endpoints (health, readiness, metrics),
// logs and measures every request, and shuts down without cutting off the
// requests in flight.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/liandong/liandong/internal/store"
)

// Config says where the server listens and how long it waits for requests
// in flight when it is asked to stop.
type Config struct {
	// Addr is the TCP address to listen on, such as "127.0.0.1:8080"; a port
	// of 0 picks a free one, which Addr reports once listening.
	Addr string
	// ShutdownTimeout bounds the wait for requests in flight on shutdown;
	// zero means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Web serves the browser interface at "/" (everything the other routes
	// do not claim); nil leaves a plain-text index there.
	Web http.Handler
	// MetricsAddr, when set, is a separate address serving /metrics to
	// anyone who can reach it (a private interface, for the scraper); the
	// main address then serves no /metrics. When empty, /metrics is on the
	// main address and answers only an administrator's API token.
	MetricsAddr string
	// FederationAlertAfter is how long an entry may wait for a peer's
	// receipt before liandong_federation_receipt_overdue turns 1
	// (LIANDONG_FEDERATION_ALERT_AFTER); zero means
	// federation.DefaultAlertAfter.
	FederationAlertAfter time.Duration
}

// DefaultShutdownTimeout is long enough for an ordinary request to finish and
// short enough for an orchestrator's stop grace period (30 s by default in
// Kubernetes) to leave room for the process to exit on its own.
const DefaultShutdownTimeout = 20 * time.Second

// Timeouts of the http.Server. They keep slow or idle clients from holding
// connections forever; WriteTimeout is generous because exports and meeting
// packs are built while the response is written.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 120 * time.Second
	idleTimeout       = 120 * time.Second
)

// Server serves Liandong over HTTP. Create it with New, then either call Run,
// or call Listen, read Addr and call Run (tests and the demo command do so
// to learn the port picked for ":0").
type Server struct {
	cfg      Config
	store    *store.Store
	api      http.Handler
	log      *slog.Logger
	metrics  *metrics
	handler  http.Handler
	http     *http.Server
	listener net.Listener
	// metricsHTTP and metricsListener serve Config.MetricsAddr.
	metricsHTTP     *http.Server
	metricsListener net.Listener
}

// New returns a server over s that sends everything under /api/v1/ to
// apiHandler. It does not listen yet.
func New(cfg Config, s *store.Store, apiHandler http.Handler, log *slog.Logger) *Server {
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	srv := &Server{cfg: cfg, store: s, api: apiHandler, log: log, metrics: newMetrics()}
	if s != nil {
		srv.metrics.registry.MustRegister(newFederationCollector(s, cfg.FederationAlertAfter, log))
	}
	// The recovery sits inside the observation so that a panic is logged
	// and counted as the 500 the client received.
	srv.handler = srv.observe(hsts(srv.recoverPanics(srv.routes())))
	srv.http = &http.Server{
		Handler:           srv.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.metrics.handler())
		srv.metricsHTTP = &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
	}
	return srv
}

// Handler returns the complete handler, middleware included, for tests that
// drive the server through httptest.
func (srv *Server) Handler() http.Handler { return srv.handler }

// Listen binds the configured address. Run calls it when it has not been
// called; calling it first lets the caller read Addr before serving.
func (srv *Server) Listen() error {
	if srv.listener != nil {
		return nil
	}
	ln, err := net.Listen("tcp", srv.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", srv.cfg.Addr, err)
	}
	if srv.metricsHTTP != nil {
		mln, err := net.Listen("tcp", srv.cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on the metrics address %s: %w", srv.cfg.MetricsAddr, err)
		}
		srv.metricsListener = mln
	}
	srv.listener = ln
	return nil
}

// MetricsAddr returns the address /metrics is served on when it has one of
// its own, with the real port, or "".
func (srv *Server) MetricsAddr() string {
	if srv.metricsListener == nil {
		return ""
	}
	return srv.metricsListener.Addr().String()
}

// Addr returns the address the server is bound to, with the real port when
// the configured one was 0, or "" before Listen.
func (srv *Server) Addr() string {
	if srv.listener == nil {
		return ""
	}
	return srv.listener.Addr().String()
}

// Run serves until ctx is cancelled, then stops accepting connections and
// waits up to ShutdownTimeout for the requests in flight to finish. It
// returns nil after a clean shutdown.
func (srv *Server) Run(ctx context.Context) error {
	if err := srv.Listen(); err != nil {
		return err
	}
	srv.log.Info("listening", "addr", srv.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.http.Serve(srv.listener) }()
	if srv.metricsListener != nil {
		srv.log.Info("serving metrics", "addr", srv.MetricsAddr())
		go func() {
			if err := srv.metricsHTTP.Serve(srv.metricsListener); !errors.Is(err, http.ErrServerClosed) {
				srv.log.Error("metrics listener stopped", "error", err)
			}
		}()
		// The scraper needs no grace period: its next scrape fails over.
		defer srv.metricsHTTP.Close()
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	srv.log.Info("shutting down", "timeout", srv.cfg.ShutdownTimeout)
	// The parent context is already cancelled; the wait needs its own.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), srv.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.http.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	if err != nil {
		// Requests still running after the timeout are cut off rather
		// than keeping the process alive.
		srv.http.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	srv.log.Info("stopped")
	return nil
}

// Close releases the listener of a server that was never run, for callers
// whose set-up fails between Listen and Run. A running server stops through
// Run's context instead.
func (srv *Server) Close() error {
	if srv.metricsListener != nil {
		srv.metricsListener.Close()
	}
	if srv.listener == nil {
		return nil
	}
	return srv.listener.Close()
}
