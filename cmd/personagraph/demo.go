package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

func newDemoCmd(g *globals) *cobra.Command {
	var top int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Ingest the built-in sample into a fresh data directory and show the riskiest clusters",
		Long: "demo ingests the sample committed under fixtures/sample (genuine applicants and one\n" +
			"operator ring) into a fresh temporary data directory, unless --data names one, and\n" +
			"prints the riskiest operator clusters with the evidence behind them.",
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := g.data
			if !cmd.Flags().Changed("data") && os.Getenv("PERSONAGRAPH_DATA") == "" {
				tmp, err := os.MkdirTemp("", "personagraph-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dir = tmp
			}
			e, closeStore, err := g.open(dir)
			if err != nil {
				return err
			}
			defer closeStore()
			w := g.stdout
			fmt.Fprintf(w, "personagraph demo: ingesting the built-in sample into %s\n", dir)
			sum, err := e.Ingest(cmd.Context(), ingest.NewReader(strings.NewReader(fixtures.Sample), 0), &engine.IngestOptions{
				OnReject: func(pe *ingest.ParseError) { fmt.Fprintf(g.stderr, "sample: rejected: %v\n", pe) },
			})
			if err != nil {
				return err
			}
			if err := e.EnsureClustered(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(w, "new %d, updated %d, unchanged %d, rejected %d\n\n", sum.New, sum.Updated, sum.Unchanged, sum.Rejected)
			cs, err := rankedClusters(cmd.Context(), e, graph.Operator, 2)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "Operator clusters of two or more records, riskiest first:\n\n")
			if err := writeClustersTable(w, cs); err != nil {
				return err
			}
			if len(cs) > top {
				cs = cs[:top]
			}
			for _, c := range cs {
				if err := describeCluster(cmd, e, c); err != nil {
					return err
				}
			}
			fmt.Fprintf(w, "\nNext: personagraph ingest FILE, personagraph clusters --format ndjson, personagraph show RECORD_ID\n")
			return nil
		},
	}
	cmd.Flags().IntVar(&top, "top", 3, "describe the N riskiest clusters in detail")
	return cmd
}

// describeCluster prints a cluster's members with their names and the values they share.
func describeCluster(cmd *cobra.Command, e *engine.Engine, c *graph.Cluster) error {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "\n%s cluster %s: %d records, risk %.2f, flags %s\n", c.Level, c.ID, c.Size, c.Risk, strings.Join(c.Flags, ", "))
	for _, id := range c.Records {
		r, err := e.Store().Record(cmd.Context(), id)
		if err != nil {
			return err
		}
		var head struct {
			Name json.RawMessage `json:"name"`
		}
		_ = json.Unmarshal(r.JSON, &head)
		var n ingest.Name
		_ = n.UnmarshalJSON(head.Name)
		fmt.Fprintf(w, "  %-22s %s\n", id, n.Display())
	}
	for _, ev := range c.Evidence {
		fmt.Fprintf(w, "  shared %-8s %-32s by %s\n", ev.Kind, ev.Value, strings.Join(ev.Records, ", "))
	}
	return nil
}
