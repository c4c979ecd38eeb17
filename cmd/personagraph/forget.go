package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/graph"
)

func newForgetCmd(g *globals) *cobra.Command {
	var (
		persona string
		reason  string
		compact bool
	)
	cmd := &cobra.Command{
		Use:   "forget RECORD_ID...|--persona ID",
		Short: "Erase records (right to erasure): data, postings, index, clusters; re-cluster and audit",
		Long: `Erase records: every version, identifiers and postings, the search document and
cluster memberships; then re-cluster and write an audit entry holding SHA-256 hashes of
the record ids (and --reason, which must not hold personal data).

Erased values leave the store's files only when compaction rewrites them: pass --compact
to do that now. Backups taken before the erasure still hold the data.`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case persona == "" && len(args) == 0:
				return usagef("forget needs RECORD_ID... or --persona ID")
			case persona != "" && len(args) > 0:
				return usagef("forget takes RECORD_IDs or --persona, not both")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			ids := args
			if persona != "" {
				if ids, err = e.Store().RecordsOfPersona(ctx, persona); err != nil {
					return err
				}
				if len(ids) == 0 {
					return fmt.Errorf("persona %q: %w", persona, graph.ErrNotFound)
				}
			}
			res, err := e.Forget(ctx, ids, reason)
			if err != nil {
				return err
			}
			if len(res.Forgotten) == 0 {
				return fmt.Errorf("record(s) %v: %w", res.Missing, graph.ErrNotFound)
			}
			if compact {
				if err := e.Store().Compact(ctx); err != nil {
					return err
				}
			}
			hashes := make([]string, len(res.Forgotten))
			for i, id := range res.Forgotten {
				hashes[i] = graph.HashRecordID(id)
			}
			enc := json.NewEncoder(g.stdout)
			enc.SetEscapeHTML(false)
			return enc.Encode(struct {
				Forgotten    int      `json:"forgotten"`
				Missing      []string `json:"missing,omitempty"`
				Request      string   `json:"audit_request"`
				RecordHashes []string `json:"record_hashes"`
				Compacted    bool     `json:"compacted"`
			}{len(res.Forgotten), res.Missing, res.Request, hashes, compact})
		},
	}
	cmd.Flags().StringVar(&persona, "persona", "", "erase every record whose current version has this persona_id")
	cmd.Flags().StringVar(&reason, "reason", "", "reason for the audit trail, e.g. a ticket number (no personal data)")
	cmd.Flags().BoolVar(&compact, "compact", false, "compact the store afterwards, so that erased values leave its files now")
	return cmd
}
