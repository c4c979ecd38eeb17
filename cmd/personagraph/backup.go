package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newBackupCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "backup --out FILE|-",
		Short: "Write a consistent backup of the store while it stays in use (sealed with the store's key if encrypted)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usagef("backup takes no arguments")
			}
			if out == "" {
				return usagef("backup needs --out FILE (or - for standard output)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			if out == "-" {
				st, err := e.Store().Backup(cmd.Context(), g.stdout)
				if err == nil {
					g.log.Info().Int("keys", st.Keys).Int64("bytes", st.Bytes).Msg("backup written")
				}
				return err
			}
			// Write beside the target and rename, so that FILE is either the old file or a
			// whole backup.
			f, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".tmp*")
			if err != nil {
				return err
			}
			defer func() {
				if err != nil {
					f.Close()
					os.Remove(f.Name())
				}
			}()
			st, err := e.Store().Backup(cmd.Context(), f)
			if err != nil {
				return err
			}
			if err := f.Sync(); err != nil {
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			if err := os.Rename(f.Name(), out); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "backup %s: %d keys, %d bytes of data\n", out, st.Keys, st.Bytes)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "backup file to write (- for standard output)")
	return cmd
}
