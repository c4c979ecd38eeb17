package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
)

func newClustersCmd(g *globals) *cobra.Command {
	var (
		level   string
		minSize int
		format  string
		limit   int
	)
	cmd := &cobra.Command{
		Use:   "clusters [--level person|operator] [--min-size N] [--format table|ndjson]",
		Short: "List clusters, riskiest first",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usagef("clusters takes no arguments")
			}
			if format != "table" && format != "ndjson" {
				return usagef("unknown --format %q (want table or ndjson)", format)
			}
			if _, err := graph.ParseLevel(level); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			l, _ := graph.ParseLevel(level)
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			cs, err := rankedClusters(cmd.Context(), e, l, minSize)
			if err != nil {
				return err
			}
			if limit > 0 && len(cs) > limit {
				cs = cs[:limit]
			}
			if format == "ndjson" {
				return writeClustersNDJSON(g.stdout, cs)
			}
			return writeClustersTable(g.stdout, cs)
		},
	}
	cmd.Flags().StringVar(&level, "level", "operator", "cluster level: person or operator")
	cmd.Flags().IntVar(&minSize, "min-size", 2, "smallest cluster to list; 1 lists singletons too")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or ndjson")
	cmd.Flags().IntVar(&limit, "limit", 0, "list at most N clusters (0: all)")
	return cmd
}

// rankedClusters returns the clusters of a level with at least minSize records, riskiest
// and then largest first.
func rankedClusters(ctx context.Context, e *engine.Engine, l graph.Level, minSize int) ([]*graph.Cluster, error) {
	return e.Clusters(ctx, l, engine.ClusterFilter{MinSize: minSize})
}

// clusterLine is the NDJSON form of DESIGN.md section 4.
type clusterLine struct {
	ID      string   `json:"cluster_id"`
	Level   string   `json:"level"`
	Size    int      `json:"size"`
	Records []string `json:"records"`
	Risk    float64  `json:"risk"`
	Flags   []string `json:"flags"`
}

func writeClustersNDJSON(w io.Writer, cs []*graph.Cluster) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, c := range cs {
		flags := c.Flags
		if flags == nil {
			flags = []string{}
		}
		if err := enc.Encode(clusterLine{c.ID, c.Level, c.Size, c.Records, c.Risk, flags}); err != nil {
			return err
		}
	}
	return nil
}

func writeClustersTable(w io.Writer, cs []*graph.Cluster) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tLEVEL\tSIZE\tRISK\tFLAGS\tRECORDS")
	for _, c := range cs {
		recs := c.Records
		more := ""
		if len(recs) > 4 {
			more = fmt.Sprintf(" +%d more", len(recs)-4)
			recs = recs[:4]
		}
		flags := strings.Join(c.Flags, ",")
		if flags == "" {
			flags = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.2f\t%s\t%s%s\n", c.ID, c.Level, c.Size, c.Risk, flags, strings.Join(recs, " "), more)
	}
	if len(cs) == 0 {
		fmt.Fprintln(tw, "(no clusters)")
	}
	return tw.Flush()
}
