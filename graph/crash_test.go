package graph

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// The crash test runs the test binary again as a child (TestCrashHelperProcess) that
// ingests a generated file into a store, kills it with SIGKILL at several points, and
// checks that the store reopens consistent and, after the same file is sent again,
// holds every record exactly once.
const (
	crashChildEnv = "PERSONAGRAPH_GRAPH_CRASH_CHILD"
	crashRecords  = 4000
	crashBatch    = 100
)

// writeCrashInput writes n synthetic records: names, e-mails and phones of their own,
// devices and payout accounts shared in small groups, as an operator's personas share them.
func writeCrashInput(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	given := []string{"Ana", "Bo", "Chen", "Dmitri", "Eun", "Farah", "Goran", "Hiro", "Ines", "Jamal"}
	family := []string{"Lee", "Ivanova", "Okafor", "Santos", "Kim", "Novak", "Haddad", "Tanaka"}
	for i := range n {
		fmt.Fprintf(w, `{"record_id":"crash-%05d","source":"gen","observed_at":"2026-03-%02dT10:00:00Z","persona_id":"per-%d",`+
			`"name":"%s %s","emails":["user%d@mail%d.example"],"phones":["+1415555%04d"],`+
			`"devices":[{"fingerprint":"dev-%d"}],"payments":[{"type":"iban","value":"GB82WEST1234569876%04d"}],`+
			`"cv_text":"%s"}`+"\n",
			i, 1+i%28, i/3, given[i%len(given)], family[i%len(family)], i, i%50, i, i/7, i/11, strings.Repeat("experienced engineer ", 1+i%5))
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		t.Fatal(err)
	}
}

// TestCrashHelperProcess is the child: it ingests the file named in the environment in
// batches, rewriting both cluster levels every few batches, and prints "stored N" after
// each batch. Run directly, it does nothing.
func TestCrashHelperProcess(t *testing.T) {
	if os.Getenv(crashChildEnv) != "1" {
		return
	}
	if err := crashChild(os.Getenv("CRASH_DATA"), os.Getenv("CRASH_INPUT"), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

func crashChild(dir, input string, out io.Writer) error {
	ctx := context.Background()
	s, err := Open(dir, &Options{MemTableSize: 8 << 20})
	if err != nil {
		return err
	}
	defer s.Close()
	f, err := os.Open(input)
	if err != nil {
		return err
	}
	defer f.Close()
	r := ingest.NewReader(f, 0)
	stored := 0
	var batch []Put
	var ids []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := s.PutBatch(ctx, batch); err != nil {
			return err
		}
		stored += len(batch)
		batch = batch[:0]
		if stored%(5*crashBatch) == 0 {
			for i, l := range Levels() {
				w, err := s.ReplaceClusters(ctx, l)
				if err != nil {
					return err
				}
				for j := 0; j < len(ids); j += 10 {
					if err := w.Add(&Cluster{ID: fmt.Sprintf("%s-%d", l, j), Records: ids[j:min(j+10, len(ids))]}); err != nil {
						return err
					}
				}
				if err := w.Commit(i == len(Levels())-1); err != nil {
					return err
				}
			}
		}
		_, err := fmt.Fprintf(out, "stored %d\n", stored)
		return err
	}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		batch = append(batch, Put{Record: rec, Identifiers: ingest.Identifiers(rec)})
		ids = append(ids, rec.RecordID)
		if len(batch) == crashBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, "done")
	return err
}

func TestCrashMidIngest(t *testing.T) {
	ctx := context.Background()
	input := filepath.Join(t.TempDir(), "records.ndjson")
	writeCrashInput(t, input, crashRecords)
	for _, tc := range []struct {
		name  string
		after time.Duration // kill this long after the start, or
		lines int           // after this many progress lines
	}{
		{name: "50ms", after: 50 * time.Millisecond},
		{name: "200ms", after: 200 * time.Millisecond},
		{name: "600ms", after: 600 * time.Millisecond},
		{name: "after 3 batches", lines: 3},
		{name: "after 12 batches", lines: 12},
		{name: "after 26 batches", lines: 26},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashChildEnv+"=1", "CRASH_DATA="+dir, "CRASH_INPUT="+input)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			progress := make(chan string, 100)
			go func() {
				defer close(progress)
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					progress <- sc.Text()
				}
			}()
			last := ""
			if tc.lines > 0 {
				for n := 0; n < tc.lines; {
					line, ok := <-progress
					if !ok {
						break
					}
					if strings.HasPrefix(line, "stored ") {
						n++
						last = line
					}
				}
			} else {
				time.Sleep(tc.after)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			for line := range progress {
				last = line
			}
			err = cmd.Wait()
			if last == "done" {
				t.Logf("the child finished before the kill (%v)", err)
			} else if !strings.Contains(fmt.Sprint(err), "killed") {
				t.Fatalf("child ended with %v before the kill: %s", err, stderr.String())
			}

			s, err := Open(dir, nil)
			if err != nil {
				t.Fatalf("reopen after kill: %v", err)
			}
			defer func() { s.Close() }()
			if err := s.Check(ctx); err != nil {
				t.Fatalf("after kill (%s): %v", last, err)
			}
			before := countRecords(t, s)
			t.Logf("killed at %q with %d records stored", last, before)
			if tc.lines > 0 && before < tc.lines*crashBatch {
				t.Fatalf("%d records stored after %d batches were reported", before, tc.lines)
			}

			// Send the same file again, whole.
			f, err := os.Open(input)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r := ingest.NewReader(f, 0)
			counts := map[PutResult]int{}
			var batch []Put
			put := func() {
				res, err := s.PutBatch(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range res {
					counts[x]++
				}
				batch = batch[:0]
			}
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				batch = append(batch, Put{Record: rec, Identifiers: ingest.Identifiers(rec)})
				if len(batch) == 500 {
					put()
				}
			}
			put()
			if counts[Unchanged] != before || counts[New] != crashRecords-before || counts[Updated] != 0 {
				t.Fatalf("re-ingest: %v, with %d stored before", counts, before)
			}
			if err := s.Check(ctx); err != nil {
				t.Fatal(err)
			}
			if n := countRecords(t, s); n != crashRecords {
				t.Fatalf("%d records after re-ingest, want %d", n, crashRecords)
			}
			for _, id := range []string{"crash-00000", "crash-01234", fmt.Sprintf("crash-%05d", crashRecords-1)} {
				vs, err := s.Versions(ctx, id)
				if err != nil || len(vs) != 1 || vs[0].Version != 1 {
					t.Fatalf("versions of %s: %v %v", id, vs, err)
				}
			}
			// Every record has exactly one version.
			versions := 0
			if err := s.db.View(func(txn *badger.Txn) error {
				return s.scanPrefix(ctx, txn, []byte{prefixVersion}, false, func(k, _ []byte) error {
					versions++
					return nil
				})
			}); err != nil {
				t.Fatal(err)
			}
			if versions != crashRecords {
				t.Fatalf("%d stored versions for %d records", versions, crashRecords)
			}
			if h, err := s.Holders(ctx, ingest.KindDevice, "dev-3"); err != nil || len(h) != 7 {
				t.Fatalf("holders of a shared device: %v %v", h, err)
			}
		})
	}
}

func countRecords(t *testing.T, s *Store) int {
	t.Helper()
	var ids []string
	if err := s.ForEachRecord(context.Background(), func(id string, _ uint32) error {
		ids = append(ids, id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Fatal("a record id listed twice")
	}
	return len(ids)
}
