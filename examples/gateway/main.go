package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	backend := flag.String("backend", "http://localhost:9000", "photos backend base URL")
	drainDelay := flag.Duration("drain-delay", 5*time.Second, "time to keep serving after SIGTERM while the load balancer deregisters us")
	shutdownTimeout := flag.Duration("shutdown-timeout", 25*time.Second, "max time to wait for in-flight requests on shutdown")
	flag.Parse()

	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(logger, *addr, *backend, *drainDelay, *shutdownTimeout); err != nil {
		logger.Error("gateway stopped with error", "err", err)
		os.Exit(1)
	}
}

// run starts the server and blocks until it has shut down gracefully.
//
// Graceful shutdown on SIGTERM (what Kubernetes sends before killing a pod) happens in three
// steps so that no client sees a connection reset:
//  1. fail /readyz so the load balancer stops sending new traffic;
//  2. keep serving for drainDelay, because deregistration takes a few seconds to propagate;
//  3. http.Server.Shutdown: stop accepting connections, close idle ones and wait for in-flight
//     requests to finish, but no longer than shutdownTimeout (must stay below the pod's
//     terminationGracePeriodSeconds, 30 s by default).
func run(logger *slog.Logger, addr, backend string, drainDelay, shutdownTimeout time.Duration) error {
	backendURL, err := url.Parse(backend)
	if err != nil {
		return err
	}
	proxy := httputil.NewSingleHostReverseProxy(backendURL)

	client := &http.Client{Timeout: 2 * time.Second}
	health := NewHealthHandler(2*time.Second, map[string]Checker{
		"backend": HTTPChecker(client, backendURL.JoinPath("/internal/ping").String()),
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", health.Liveness)
	mux.HandleFunc("GET /readyz", health.Readiness)
	mux.Handle("/v1/", CORS(CORSConfig{
		AllowedOrigins: []string{"https://photos.example.com", "http://localhost:5173"},
		AllowedMethods: []string{"GET", "POST", "PUT", "DELETE"},
		AllowedHeaders: []string{"Authorization", "Content-Type", "X-Request-ID"},
		MaxAge:         10 * time.Minute,
	}, proxy))

	srv := &http.Server{
		Addr:              addr,
		Handler:           RequestLogger(logger, mux),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	serveErr := make(chan error, 1)
	go func() {
		logger.Info("gateway listening", "addr", addr, "backend", backend)
		serveErr <- srv.ListenAndServe()
	}()

	select {
	case err := <-serveErr:
		// The listener failed (e.g. port in use) before any signal arrived.
		return err
	case <-ctx.Done():
	}
	stop() // a second Ctrl-C now kills the process immediately

	logger.Info("shutdown signal received, draining", "drain_delay", drainDelay.String())
	health.MarkShuttingDown()
	time.Sleep(drainDelay)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Deadline exceeded: force-close the remaining connections.
		logger.Warn("graceful shutdown timed out, closing connections", "err", err)
		_ = srv.Close()
		return err
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("gateway stopped cleanly")
	return nil
}
