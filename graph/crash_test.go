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
	child := crashChild
	if os.Getenv("CRASH_BULK") == "1" {
		child = crashChildBulk
	}
	if err := child(os.Getenv("CRASH_DATA"), os.Getenv("CRASH_INPUT"), os.Stdout); err != nil {
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

// crashChildBulk bulk-loads the input into a new store with a small sort budget (so that
// runs are spilled and merged), printing "added N" after each batch and "finishing"
// before the stream into Badger.
func crashChildBulk(dir, input string, out io.Writer) error {
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
	l, err := s.BulkLoad(ctx, &BulkOptions{Memory: 256 << 10})
	if err != nil {
		return err
	}
	// Let the StreamWriter finish the tables of each prefix before saying so: the kill
	// then comes with those tables in Badger's manifest.
	l.streamed = func(prefix byte) {
		time.Sleep(20 * time.Millisecond)
		fmt.Fprintf(out, "streamed %c\n", prefix)
	}
	r := ingest.NewReader(f, 0)
	added := 0
	var batch []Put
	for {
		rec, err := r.Next()
		if err != nil && err != io.EOF {
			return err
		}
		if rec != nil {
			batch = append(batch, Put{Record: rec, Identifiers: ingest.Identifiers(rec)})
		}
		if len(batch) == crashBatch || (err == io.EOF && len(batch) > 0) {
			if err := l.Add(ctx, batch); err != nil {
				return err
			}
			added += len(batch)
			batch = nil
			fmt.Fprintf(out, "added %d\n", added)
		}
		if err == io.EOF {
			break
		}
	}
	fmt.Fprintln(out, "finishing")
	if _, err := l.Finish(ctx); err != nil {
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
		// bulk runs the bulk loader; with finishing set, the kill comes that long after
		// the child starts streaming into Badger.
		bulk      bool
		finishing time.Duration
		streamed  string // with bulk, kill at this progress line
	}{
		{name: "50ms", after: 50 * time.Millisecond},
		{name: "200ms", after: 200 * time.Millisecond},
		{name: "600ms", after: 600 * time.Millisecond},
		{name: "after 3 batches", lines: 3},
		{name: "after 12 batches", lines: 12},
		{name: "after 26 batches", lines: 26},
		{name: "bulk after 10 batches", bulk: true, lines: 10},
		{name: "bulk finishing 0ms", bulk: true, finishing: time.Nanosecond},
		{name: "bulk finishing 1ms", bulk: true, finishing: time.Millisecond},
		{name: "bulk finishing 2ms", bulk: true, finishing: 2 * time.Millisecond},
		{name: "bulk finishing 5ms", bulk: true, finishing: 5 * time.Millisecond},
		{name: "bulk finishing 10ms", bulk: true, finishing: 10 * time.Millisecond},
		{name: "bulk finishing 20ms", bulk: true, finishing: 20 * time.Millisecond},
		{name: "bulk finishing 60ms", bulk: true, finishing: 60 * time.Millisecond},
		{name: "bulk streamed postings", bulk: true, streamed: "streamed I"},
		{name: "bulk streamed versions", bulk: true, streamed: "streamed V"},
		{name: "bulk streamed all", bulk: true, streamed: "streamed X"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashChildEnv+"=1", "CRASH_DATA="+dir, "CRASH_INPUT="+input)
			if tc.bulk {
				cmd.Env = append(cmd.Env, "CRASH_BULK=1")
			}
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
			switch {
			case tc.lines > 0:
				for n := 0; n < tc.lines; {
					line, ok := <-progress
					if !ok {
						break
					}
					if strings.HasPrefix(line, "stored ") || strings.HasPrefix(line, "added ") {
						n++
						last = line
					}
				}
			case tc.streamed != "":
				for line := range progress {
					last = line
					if line == tc.streamed {
						break
					}
				}
				if last != tc.streamed {
					t.Fatalf("the child ended at %q before %q", last, tc.streamed)
				}
			case tc.finishing > 0:
				for line := range progress {
					last = line
					if line == "finishing" {
						break
					}
				}
				time.Sleep(tc.finishing)
			default:
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
			switch {
			case tc.bulk && before != 0 && before != crashRecords:
				t.Fatalf("a killed bulk load left %d of %d records: want all or nothing", before, crashRecords)
			case tc.bulk:
				if _, err := os.Stat(filepath.Join(dir, bulkMarker)); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("bulk marker after reopen: %v", err)
				}
				if _, err := os.Stat(filepath.Join(dir, bulkSortDir)); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("sort runs after reopen: %v", err)
				}
			case tc.lines > 0 && before < tc.lines*crashBatch:
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
