package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/graph"
)

func newRestoreCmd(g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "restore [--force] FILE|-",
		Short: "Restore a backup into an empty data directory (--force wipes it first) and rebuild the search index",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := g.storeOptions()
			if err != nil {
				return err
			}
			var r io.Reader = os.Stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			if force {
				if err := wipeDir(g.data); err != nil {
					return err
				}
			}
			st, err := graph.Restore(cmd.Context(), g.data, r, o)
			if errors.Is(err, graph.ErrNotEmpty) {
				return fmt.Errorf("%w (restore into an empty directory, or pass --force to wipe it)", err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "restored %d keys (%d bytes of data) into %s\n", st.Keys, st.Bytes, g.data)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "wipe the data directory's contents before restoring")
	return cmd
}

// wipeDir removes everything inside dir, but not dir itself (it may be a mount point).
func wipeDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
