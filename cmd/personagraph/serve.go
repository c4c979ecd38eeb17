package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/api"
)

func newServeCmd(g *globals) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:7474]",
		Short: "Serve the HTTP API (NDJSON ingest, records, clusters, search) until interrupted",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			if err := e.EnsureClustered(cmd.Context()); err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{
				Handler:           api.NewServer(e, &api.Options{Logger: g.log.With().Str("component", "api").Logger()}),
				ReadHeaderTimeout: 10 * time.Second,
			}
			g.log.Info().Str("addr", ln.Addr().String()).Str("data", g.data).Msg("serving")
			fmt.Fprintf(g.stdout, "personagraph serving on http://%s\n", ln.Addr())
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-cmd.Context().Done():
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				return err
			}
			if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:7474", "listen address (no access control yet: keep it on loopback)")
	return cmd
}
