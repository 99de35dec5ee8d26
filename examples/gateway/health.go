package main

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Checker probes one dependency (the backend, the object store, ...). It must respect ctx.
type Checker func(ctx context.Context) error

// HealthHandler serves two endpoints for the load balancer and Kubernetes:
//
//	/healthz  liveness:  the process is up and serving; never checks dependencies, so a
//	          database outage does not make Kubernetes restart every gateway pod.
//	/readyz   readiness: all dependencies answered within the timeout and we are not
//	          shutting down. Failing readiness takes the pod out of the load balancer.
type HealthHandler struct {
	checks       map[string]Checker
	timeout      time.Duration
	shuttingDown atomic.Bool
}

// NewHealthHandler creates a handler running each check with the given timeout.
func NewHealthHandler(timeout time.Duration, checks map[string]Checker) *HealthHandler {
	return &HealthHandler{checks: checks, timeout: timeout}
}

// MarkShuttingDown makes /readyz fail so the load balancer drains this instance before the
// server stops accepting connections. Called at the start of graceful shutdown.
func (h *HealthHandler) MarkShuttingDown() {
	h.shuttingDown.Store(true)
}

type checkResult struct {
	Status   string `json:"status"`
	Error    string `json:"error,omitempty"`
	Duration string `json:"duration"`
}

type readiness struct {
	Status string                 `json:"status"`
	Checks map[string]checkResult `json:"checks"`
}

// Liveness always answers 200 while the process can serve HTTP.
func (h *HealthHandler) Liveness(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok\n"))
}

// Readiness runs all checks concurrently and answers 200 only if every one passed.
func (h *HealthHandler) Readiness(w http.ResponseWriter, r *http.Request) {
	result := readiness{Status: "ok", Checks: make(map[string]checkResult, len(h.checks))}
	status := http.StatusOK

	if h.shuttingDown.Load() {
		result.Status = "shutting down"
		status = http.StatusServiceUnavailable
	} else {
		ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
		defer cancel()

		var mu sync.Mutex
		var wg sync.WaitGroup
		for name, check := range h.checks {
			wg.Add(1)
			go func(name string, check Checker) {
				defer wg.Done()
				start := time.Now()
				err := check(ctx)
				res := checkResult{Status: "ok", Duration: time.Since(start).Round(time.Millisecond).String()}
				if err != nil {
					res.Status = "fail"
					res.Error = err.Error()
				}
				mu.Lock()
				result.Checks[name] = res
				mu.Unlock()
			}(name, check)
		}
		wg.Wait()

		for _, c := range result.Checks {
			if c.Status != "ok" {
				result.Status = "fail"
				status = http.StatusServiceUnavailable
			}
		}
	}

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(result)
}

// HTTPChecker returns a Checker that GETs url and expects a 2xx answer.
func HTTPChecker(client *http.Client, url string) Checker {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return &statusError{code: resp.StatusCode}
		}
		return nil
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "unexpected status " + http.StatusText(e.code) }
