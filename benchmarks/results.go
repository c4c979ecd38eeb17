package benchmarks

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

// Env describes where and how figures were measured, for RESULTS.md.
type Env struct {
	Date    time.Time
	Command string // the command that regenerates the file
	Commit  string // the source revision, when known
}

// WriteResults writes RESULTS.md: one accuracy table and one speed table, each row with
// what it measured, and how to reproduce it.
func WriteResults(w io.Writer, env Env, acc []Result, speed []SpeedResult, norm *NormalizeResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# personagraph benchmark results\n\n")
	fmt.Fprintf(&b, "Measured %s on %s/%s, %d CPUs, %s", env.Date.UTC().Format("2006-01-02 15:04 MST"),
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	if env.Commit != "" {
		fmt.Fprintf(&b, ", commit %s", env.Commit)
	}
	fmt.Fprintf(&b, ".\nRegenerate with `%s` (from the repository root, with ../shared/datasets beside it).\n\n", env.Command)
	fmt.Fprintf(&b, "## Accuracy\n\n")
	fmt.Fprintf(&b, "Pairwise figures over record pairs; B3 is B-cubed F1; ring recall is the share of truth operators\n")
	fmt.Fprintf(&b, "(with two or more records) kept whole in one predicted cluster; MNL counts must-not-link pairs merged.\n")
	fmt.Fprintf(&b, "Times are wall clock for storing every record and for clustering.\n\n")
	fmt.Fprintf(&b, "| dataset | level | records | precision | recall | F1 | B3 F1 | ring recall | MNL violated / checked | ingest s | cluster s |\n")
	fmt.Fprintf(&b, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range acc {
		rep := r.Report
		ring := "n/a"
		if rep.RingRecall != nil {
			ring = fmt.Sprintf("%.3f", *rep.RingRecall)
		}
		mnl := "n/a"
		if total := sumInts(rep.MustNotLinkPairs); total > 0 {
			mnl = fmt.Sprintf("%d / %d", sumInts(rep.MustNotLinkViolations), total)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %.3f | %.3f | %.3f | %.3f | %s | %s | %.2f | %.2f |\n",
			r.Dataset, rep.Level, rep.Records, rep.Precision, rep.Recall, rep.F1, rep.BCubedF1, ring, mnl,
			r.Ingest.Seconds(), r.Cluster.Seconds())
	}
	if len(speed) > 0 {
		fmt.Fprintf(&b, "\n## Speed\n\n")
		fmt.Fprintf(&b, "Generated tier T1 populations streamed into a fresh store (through the bulk loader, as\n")
		fmt.Fprintf(&b, "`personagraph ingest` does for an empty store; STORE.md compares it with transactions). Lookup is one record by id\n")
		fmt.Fprintf(&b, "(1,000 random ids). Peak Go memory is the runtime's mapped memory, not Badger's and Bleve's\n")
		fmt.Fprintf(&b, "memory-mapped files; store bytes are the data directory on disk. Check is what\n")
		fmt.Fprintf(&b, "POST /v1/check does in the engine, without HTTP: store one new record (a stored one\n")
		fmt.Fprintf(&b, "re-sent under a new id, 500 of them, one at a time) and link it into the clusters.\n\n")
		fmt.Fprintf(&b, "| records | ingest s | records/s | cluster s | lookup p50 | lookup p99 | check p50 | check p99 | peak Go memory MiB | store MiB | bytes/record |\n")
		fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, s := range speed {
			fmt.Fprintf(&b, "| %d | %.2f | %.0f | %.2f | %s | %s | %s | %s | %.0f | %.1f | %.0f |\n",
				s.Records, s.Ingest.Seconds(), s.RecordsPerSec, s.Cluster.Seconds(),
				s.LookupP50.Round(time.Microsecond), s.LookupP99.Round(time.Microsecond),
				s.CheckP50.Round(10*time.Microsecond), s.CheckP99.Round(10*time.Microsecond),
				float64(s.PeakGoMemory)/(1<<20), float64(s.StoreBytes)/(1<<20), s.BytesPerRecord)
		}
	}
	if norm != nil {
		fmt.Fprintf(&b, "\nNormalisation alone (`ingest.Identifiers` over the %d parsed records of a generated T1\n", norm.Records)
		fmt.Fprintf(&b, "population of 5,000 people: every identifier kind, CV text included; no JSON parsing, no\n")
		fmt.Fprintf(&b, "store), %d workers: **%.0f records/s**, best of 10 passes (median %.0f). The Go benchmark\n",
			norm.Workers, norm.RecordsPerSec, norm.MedianPerSec)
		fmt.Fprintf(&b, "`go test ./benchmarks/ -run '^$' -bench 'BenchmarkNormalize$' -benchtime 20000x -cpu 1,2` also\n")
		fmt.Fprintf(&b, "reports CPU time per record, the steadier figure on a shared machine.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sumInts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
