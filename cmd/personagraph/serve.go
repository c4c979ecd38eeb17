package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/api"
	"github.com/personagraph/personagraph/api/ui"
	"github.com/personagraph/personagraph/engine"
)

// serveFlags are serve's flags beyond the JetStream ones.
type serveFlags struct {
	addr, tokens, audit, tlsCert, tlsKey string
	insecure                             bool
	rate                                 float64
	burst                                int
	maxBody                              int64
	reclusterEvery                       time.Duration
}

func newServeCmd(g *globals) *cobra.Command {
	var f serveFlags
	var nf natsFlags
	cmd := &cobra.Command{
		Use:   "serve --tokens FILE [--addr 127.0.0.1:7474] [--audit FILE] [--tls-cert FILE --tls-key FILE] [--nats URL ...]",
		Short: "Serve the HTTP API (ingest, check, records, clusters, search, identifiers, explain, labels, metrics) and the web UI at / until interrupted",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			if nf.url != "" {
				if err := nf.check(); err != nil {
					return err
				}
			}
			opts := &api.Options{
				Logger:         g.log.With().Str("component", "api").Logger(),
				InsecureNoAuth: f.insecure,
				RateLimit:      f.rate,
				RateBurst:      f.burst,
				MaxBodyBytes:   f.maxBody,
				DataDir:        g.data,
			}
			if f.tokens != "" {
				kf, err := api.OpenKeyringFile(f.tokens)
				if err != nil {
					return err
				}
				opts.Auth = kf
			}
			if f.audit != "" {
				af, err := api.OpenAuditFile(f.audit)
				if err != nil {
					return err
				}
				defer af.Close()
				opts.Audit = af
			}
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			if err := e.EnsureClustered(cmd.Context()); err != nil {
				return err
			}
			handler := api.NewServer(e, opts)
			// The web UI at "/": it signs users in with the same tokens and writes its
			// page reads to the same audit log.
			handler.MountUI(ui.New(e, &ui.Options{Auth: opts.Auth, InsecureNoAuth: opts.InsecureNoAuth, Audit: handler.Audit,
				Logger: g.log.With().Str("component", "ui").Logger()}))

			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			consumerDone := make(chan error, 1)
			if nf.url != "" {
				c, closeNATS, err := nf.start(ctx, g, e, handler.Registry())
				if err != nil {
					return err
				}
				defer closeNATS()
				go func() { consumerDone <- c.Run(ctx) }()
			} else {
				consumerDone <- nil
			}
			if f.reclusterEvery > 0 {
				go reconcileEvery(ctx, g, e, f.reclusterEvery)
			}
			// Build the linker's CV band index now rather than in the first
			// check (a few seconds at a million records); requests queue behind it.
			go func() {
				if err := e.WarmLinker(ctx); err != nil && ctx.Err() == nil {
					g.log.Error().Err(err).Msg("warming the linker failed; the first check will retry")
				}
			}()

			ln, err := net.Listen("tcp", f.addr)
			if err != nil {
				return err
			}
			srv := &http.Server{
				Handler:           handler,
				ReadHeaderTimeout: 10 * time.Second,
				IdleTimeout:       2 * time.Minute,
				TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
			}
			scheme := "http"
			if f.tlsCert != "" {
				scheme = "https"
			}
			g.log.Info().Str("addr", ln.Addr().String()).Str("data", g.data).Bool("tls", f.tlsCert != "").Msg("serving")
			fmt.Fprintf(g.stdout, "personagraph serving on %s://%s\n", scheme, ln.Addr())
			errc := make(chan error, 1)
			go func() {
				if f.tlsCert != "" {
					errc <- srv.ServeTLS(ln, f.tlsCert, f.tlsKey)
					return
				}
				errc <- srv.Serve(ln)
			}()
			select {
			case err := <-errc:
				cancel()
				return errors.Join(err, <-consumerDone)
			case <-ctx.Done():
			}
			// Stop accepting, let in-flight requests (and their ingest commits) finish,
			// then stop the consumer; the deferred calls close NATS and the store.
			sctx, scancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer scancel()
			shutErr := srv.Shutdown(sctx)
			cancel()
			if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
				shutErr = errors.Join(shutErr, err)
			}
			return errors.Join(shutErr, <-consumerDone)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:7474", "listen address")
	fl.StringVar(&f.tokens, "tokens", "", "tokens file from `personagraph token add` (required unless --insecure-no-auth)")
	fl.BoolVar(&f.insecure, "insecure-no-auth", false, "serve without tokens, everyone an admin; only on a loopback address")
	fl.StringVar(&f.audit, "audit", "", "append an NDJSON line per read of personal data to this file (mode 0600)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM); serve HTTPS with --tls-key")
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fl.Float64Var(&f.rate, "rate", 50, "requests per second allowed per token (negative: no limit)")
	fl.IntVar(&f.burst, "burst", 100, "requests a token may make at once above --rate")
	fl.Int64Var(&f.maxBody, "max-body", 256<<20, "largest request body in bytes")
	fl.DurationVar(&f.reclusterEvery, "recluster-every", 0, "re-cluster the whole store this often when /v1/check or a trickling stream linked records into it one at a time since the last full run (e.g. 1h; 0: only when a read finds the clusters stale); writes wait while it runs")
	nf.register(fl)
	return cmd
}

// check refuses configurations that would expose personal data: no tokens without an
// explicit loopback-only opt-out, and half a TLS key pair.
func (f *serveFlags) check() error {
	switch {
	case f.tokens == "" && !f.insecure:
		return usagef("--tokens FILE is required (create one with `personagraph token add`); --insecure-no-auth serves without tokens on loopback only")
	case f.tokens != "" && f.insecure:
		return usagef("--tokens and --insecure-no-auth exclude each other")
	case f.insecure && !api.IsLoopback(f.addr):
		return usagef("--insecure-no-auth needs a loopback --addr (127.0.0.1, ::1 or localhost), not %q", f.addr)
	case (f.tlsCert == "") != (f.tlsKey == ""):
		return usagef("--tls-cert and --tls-key go together")
	}
	if f.tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey); err != nil {
			return fmt.Errorf("load TLS key pair: %w", err)
		}
	}
	if f.audit != "" {
		if fi, err := os.Stat(f.audit); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return fmt.Errorf("audit log %s has mode %v: want 0600", f.audit, fi.Mode().Perm())
		}
	}
	return nil
}

// reconcileEvery refines incrementally linked clusters with a full run every interval,
// until ctx ends.
func reconcileEvery(ctx context.Context, g *globals, e *engine.Engine, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		ran, err := e.Reconcile(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			g.log.Error().Err(err).Msg("periodic re-clustering failed")
		case ran:
			g.log.Info().Dur("took", time.Since(start)).Msg("re-clustered the records linked one at a time")
		}
	}
}
