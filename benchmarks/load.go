package benchmarks

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/personagraph/personagraph/api"
	"github.com/personagraph/personagraph/fixtures"
)

// LoadConfig sizes the HTTP load run.
type LoadConfig struct {
	// People is the generated population (tier T1) streamed in. Required.
	People int
	// Batch is how many records go in one POST /v1/records. Default 1000.
	Batch int
	// Checks is how many POST /v1/check calls are timed after the load. Default 20.
	Checks int
	// Concurrency is how many clients post batches at once. Default 4.
	Concurrency int
	// Seed seeds the population.
	Seed uint64
	// WorkDir holds the store. Default os.TempDir().
	WorkDir string
}

// LoadResult is what RunLoad measured.
type LoadResult struct {
	Sent          int           `json:"sent"`   // records posted
	Stored        int           `json:"stored"` // records the server reported accepted
	Ingest        time.Duration `json:"ingest_ns"`
	RecordsPerSec float64       `json:"records_per_s"`
	// Cluster is the first read after the load: it clusters the whole store.
	Cluster  time.Duration `json:"cluster_ns"`
	Checks   int           `json:"checks"`
	CheckP50 time.Duration `json:"check_p50_ns"`
	CheckP99 time.Duration `json:"check_p99_ns"`
}

// RunLoad starts a real API server on loopback over a fresh store, streams a generated
// population to it as NDJSON batches, times the first read (which clusters the store),
// then times /v1/check calls with new records (each one stored and linked into the
// clusters synchronously). It verifies that every record sent was accepted.
func RunLoad(ctx context.Context, cfg LoadConfig) (LoadResult, error) {
	var res LoadResult
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Checks <= 0 {
		cfg.Checks = 20
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	_, eng, cleanup, err := openFresh(cfg.WorkDir)
	if err != nil {
		return res, err
	}
	defer cleanup()
	// As serve does at start: the linker's CV band index exists, then grows with every
	// record stored.
	if err := eng.WarmLinker(ctx); err != nil {
		return res, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: api.NewServer(eng, &api.Options{InsecureNoAuth: true, RateLimit: -1}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	// The population is generated to a file before the clock starts: a platform's
	// producers are other machines, and generating here would take the server's CPU.
	f, err := os.CreateTemp(cfg.WorkDir, "load-*.ndjson")
	if err != nil {
		return res, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := generateTo(ctx, f, fixtures.Config{People: cfg.People, Tier: fixtures.T1, Seed: cfg.Seed}); err != nil {
		return res, err
	}

	post := func(body []byte) (int, error) {
		resp, err := http.Post(base+"/v1/records", "application/x-ndjson", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var ans struct {
			Accepted int `json:"accepted"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("POST /v1/records: status %d: %v", resp.StatusCode, err)
		}
		return ans.Accepted, nil
	}
	// One goroutine cuts batches; Concurrency clients post them, each on its own
	// connection, as several producers of a platform would.
	type batch struct {
		body []byte
		n    int
	}
	batches := make(chan batch, cfg.Concurrency)
	g, gctx := errgroup.WithContext(ctx)
	var held [][]byte // held back for /v1/check: they reach the store through it
	start := time.Now()
	g.Go(func() error {
		defer close(batches)
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
		var buf bytes.Buffer
		n := 0
		send := func() error {
			if n == 0 {
				return nil
			}
			select {
			case batches <- batch{slices.Clone(buf.Bytes()), n}:
			case <-gctx.Done():
				return gctx.Err()
			}
			buf.Reset()
			n = 0
			return nil
		}
		for sc.Scan() {
			if len(held) < cfg.Checks {
				held = append(held, slices.Clone(sc.Bytes()))
				continue
			}
			buf.Write(sc.Bytes())
			buf.WriteByte('\n')
			if n++; n == cfg.Batch {
				if err := send(); err != nil {
					return err
				}
			}
		}
		if err := sc.Err(); err != nil {
			return err
		}
		return send()
	})
	sent, stored := make([]int, cfg.Concurrency), make([]int, cfg.Concurrency)
	for c := range cfg.Concurrency {
		g.Go(func() error {
			for b := range batches {
				acc, err := post(b.body)
				if err != nil {
					return err
				}
				sent[c] += b.n
				stored[c] += acc
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	res.Ingest = time.Since(start)
	for c := range cfg.Concurrency {
		res.Sent += sent[c]
		res.Stored += stored[c]
	}
	res.RecordsPerSec = float64(res.Sent) / res.Ingest.Seconds()
	if res.Stored != res.Sent {
		return res, fmt.Errorf("sent %d records, server accepted %d", res.Sent, res.Stored)
	}
	t0 := time.Now()
	resp, err := http.Get(base + "/v1/clusters?limit=1")
	if err != nil {
		return res, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return res, fmt.Errorf("GET /v1/clusters: status %d", resp.StatusCode)
	}
	res.Cluster = time.Since(t0)
	var lat []time.Duration
	for _, rec := range held {
		t := time.Now()
		resp, err := http.Post(base+"/v1/check", "application/json", bytes.NewReader(rec))
		if err != nil {
			return res, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return res, fmt.Errorf("POST /v1/check: status %d", resp.StatusCode)
		}
		lat = append(lat, time.Since(t))
	}
	if len(lat) == 0 {
		return res, errors.New("benchmarks: no records held back for /v1/check")
	}
	slices.Sort(lat)
	res.Checks = len(lat)
	res.CheckP50 = lat[len(lat)/2]
	res.CheckP99 = lat[min(len(lat)-1, len(lat)*99/100)]
	return res, nil
}

// generateTo writes a generated population's records to f and rewinds it.
func generateTo(ctx context.Context, f *os.File, cfg fixtures.Config) error {
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := fixtures.Generate(ctx, cfg, w, io.Discard, io.Discard); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}
