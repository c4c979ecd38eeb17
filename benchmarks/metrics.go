package benchmarks

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// EvalOptions are the per-call settings of Evaluate.
type EvalOptions struct {
	// Level picks the truth partition (Truth.At); default LevelPerson.
	Level Level
	// MustNotLink lists person pairs that must stay apart; nil checks none.
	MustNotLink []MustNotLink
}

// Report holds every accuracy figure of one evaluation. JSON keys precision, recall and
// f1 are the pairwise figures (issue 4).
type Report struct {
	Level         Level `json:"level"`
	Records       int   `json:"records"`        // scored records: the truth's
	Clusters      int   `json:"clusters"`       // predicted clusters over the scored records
	TruthClusters int   `json:"truth_clusters"` // truth clusters at Level

	// Pairwise figures over unordered record pairs.
	Precision      float64 `json:"precision"`
	Recall         float64 `json:"recall"`
	F1             float64 `json:"f1"`
	TruePairs      int64   `json:"true_pairs"`      // pairs in one truth cluster
	PredictedPairs int64   `json:"predicted_pairs"` // pairs in one predicted cluster
	CorrectPairs   int64   `json:"correct_pairs"`   // pairs in both

	BCubedPrecision float64 `json:"bcubed_precision"`
	BCubedRecall    float64 `json:"bcubed_recall"`
	BCubedF1        float64 `json:"bcubed_f1"`

	// Operators counts truth operators with two or more scored records: the ones ring
	// recall is about.
	Operators int `json:"operators"`
	// RingRecall is the share of those operators whose records all lie in one predicted
	// cluster ("kept whole"); null when Operators is 0.
	RingRecall *float64 `json:"ring_recall"`
	// RingExact is the share kept whole in a predicted cluster holding no other scored
	// record (no other operator, no genuine person); null when Operators is 0.
	RingExact *float64 `json:"ring_exact"`

	// SizeHistogram bins the predicted clusters over the scored records;
	// TruthSizeHistogram the truth clusters at Level.
	SizeHistogram      []SizeBin `json:"size_histogram"`
	TruthSizeHistogram []SizeBin `json:"truth_size_histogram"`

	// MustNotLinkViolations counts, per reason, the constraints whose two persons share
	// a predicted cluster (any record of one with any record of the other);
	// MustNotLinkPairs counts the constraints checked per reason. Constraints naming a
	// person the truth does not know are counted in MustNotLinkUnknown, not checked.
	MustNotLinkViolations map[string]int `json:"must_not_link_violations"`
	MustNotLinkPairs      map[string]int `json:"must_not_link_pairs"`
	MustNotLinkUnknown    int            `json:"must_not_link_unknown"`

	// MissingFromPrediction counts truth records absent from the prediction (scored as
	// singletons); MissingFromTruth counts predicted records absent from the truth (not
	// scored). The samples hold up to 10 ids each, in input order.
	MissingFromPrediction       int      `json:"missing_from_prediction"`
	MissingFromTruth            int      `json:"missing_from_truth"`
	MissingFromPredictionSample []string `json:"missing_from_prediction_sample,omitempty"`
	MissingFromTruthSample      []string `json:"missing_from_truth_sample,omitempty"`
}

// SizeBin is one bar of a cluster-size histogram. Bins are 1, 2, 3-4, 5-8, 9-16, ...
// (powers of two): exact sizes matter at the small end, where person clusters live,
// and the long tail of operator clusters and false merges still fits in a few rows.
type SizeBin struct {
	Label    string `json:"label"`
	Min      int    `json:"min"`
	Max      int    `json:"max"`
	Clusters int    `json:"clusters"`
	Records  int    `json:"records"` // records in those clusters
}

const sampleSize = 10

// Evaluate compares a predicted partition with the truth. It never enumerates record
// pairs: it sorts one (predicted cluster, truth cluster) key per scored record and sums
// over runs, so time is O(n log n) and memory about 8 bytes per record on top of the
// partitions.
func Evaluate(pred *Partition, truth *Truth, opts EvalOptions) (*Report, error) {
	if pred == nil || truth == nil {
		return nil, fmt.Errorf("evaluate: nil partition or truth")
	}
	level := cmp.Or(opts.Level, LevelPerson)
	tp, err := truth.At(level)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	rep := &Report{
		Level:                 level,
		Records:               tp.Len(),
		TruthClusters:         tp.Clusters(),
		MustNotLinkViolations: map[string]int{},
		MustNotLinkPairs:      map[string]int{},
	}

	// pc[i] is the predicted cluster of truth record i; a record the prediction lacks
	// gets a fresh cluster of its own.
	pc := make([]int32, tp.Len())
	next := int32(pred.Clusters())
	for i, id := range tp.records {
		j, ok := pred.index[id]
		if !ok {
			pc[i] = next
			next++
			rep.MissingFromPrediction++
			if len(rep.MissingFromPredictionSample) < sampleSize {
				rep.MissingFromPredictionSample = append(rep.MissingFromPredictionSample, id)
			}
			continue
		}
		pc[i] = pred.cluster[j]
	}
	for _, id := range pred.records {
		if _, ok := tp.index[id]; !ok {
			rep.MissingFromTruth++
			if len(rep.MissingFromTruthSample) < sampleSize {
				rep.MissingFromTruthSample = append(rep.MissingFromTruthSample, id)
			}
		}
	}

	// Predicted cluster sizes over the scored records, and truth sizes.
	a := make([]int64, next)
	for _, c := range pc {
		a[c]++
	}
	b := make([]int64, tp.Clusters())
	for c, n := range tp.clusterN {
		b[c] = int64(n)
	}
	for _, n := range a {
		if n > 0 {
			rep.Clusters++
			rep.PredictedPairs += pairs(n)
		}
	}
	for _, n := range b {
		rep.TruePairs += pairs(n)
	}
	rep.SizeHistogram = histogram(a)
	rep.TruthSizeHistogram = histogram(b)

	// Contingency table as sorted (predicted, truth) keys.
	keys := make([]uint64, len(pc))
	for i, c := range pc {
		keys[i] = uint64(uint32(c))<<32 | uint64(uint32(tp.cluster[i]))
	}
	slices.Sort(keys)
	var bcP, bcR float64
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		n := int64(j - i)
		p, t := keys[i]>>32, keys[i]&0xffffffff
		rep.CorrectPairs += pairs(n)
		bcP += float64(n*n) / float64(a[p])
		bcR += float64(n*n) / float64(b[t])
		i = j
	}
	rep.Precision = ratio(rep.CorrectPairs, rep.PredictedPairs)
	rep.Recall = ratio(rep.CorrectPairs, rep.TruePairs)
	rep.F1 = harmonic(rep.Precision, rep.Recall)
	rep.BCubedPrecision, rep.BCubedRecall = 1, 1
	if n := len(pc); n > 0 {
		rep.BCubedPrecision = bcP / float64(n)
		rep.BCubedRecall = bcR / float64(n)
	}
	rep.BCubedF1 = harmonic(rep.BCubedPrecision, rep.BCubedRecall)

	rings(rep, tp, pc, a, truth.Operators())
	mustNotLink(rep, tp, pc, truth.Persons(), opts.MustNotLink)
	return rep, nil
}

// pairs is C(n, 2).
func pairs(n int64) int64 { return n * (n - 1) / 2 }

// ratio is num/den, 1 when den is 0 (see the package doc).
func ratio(num, den int64) float64 {
	if den == 0 {
		return 1
	}
	return float64(num) / float64(den)
}

func harmonic(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// histogram bins cluster sizes (zero sizes ignored) into 1, 2, 3-4, 5-8, ...; every bin
// up to the largest non-empty one is present, empty or not, so histograms line up.
func histogram(sizes []int64) []SizeBin {
	var bins []SizeBin
	for _, n := range sizes {
		if n <= 0 {
			continue
		}
		k := 0
		for lim := int64(1); lim < n; lim *= 2 {
			k++
		}
		for len(bins) <= k {
			bins = append(bins, newBin(len(bins)))
		}
		bins[k].Clusters++
		bins[k].Records += int(n)
	}
	if bins == nil {
		bins = []SizeBin{}
	}
	return bins
}

// newBin returns empty bin k: sizes (2^(k-1), 2^k], and bin 0 is size 1.
func newBin(k int) SizeBin {
	if k == 0 {
		return SizeBin{Label: "1", Min: 1, Max: 1}
	}
	lo, hi := 1<<(k-1)+1, 1<<k
	label := fmt.Sprintf("%d-%d", lo, hi)
	if lo == hi {
		label = fmt.Sprint(lo)
	}
	return SizeBin{Label: label, Min: lo, Max: hi}
}

// rings fills the ring figures: over operators with two or more scored records, the
// share whose records share one predicted cluster, and the share where that cluster
// holds nothing else.
func rings(rep *Report, tp *Partition, pc []int32, a []int64, ops *Partition) {
	if ops == nil || ops.Len() == 0 {
		return
	}
	const none = -1
	first := make([]int32, ops.Clusters()) // first predicted cluster seen; -2 = split
	count := make([]int64, ops.Clusters())
	for i := range first {
		first[i] = none
	}
	for i, id := range tp.records {
		j, ok := ops.index[id]
		if !ok {
			continue
		}
		o := ops.cluster[j]
		count[o]++
		switch first[o] {
		case none:
			first[o] = pc[i]
		case pc[i], none - 1:
		default:
			first[o] = none - 1
		}
	}
	var whole, exact int
	for o, n := range count {
		if n < 2 {
			continue
		}
		rep.Operators++
		if first[o] >= 0 {
			whole++
			if a[first[o]] == n {
				exact++
			}
		}
	}
	if rep.Operators == 0 {
		return
	}
	rr := float64(whole) / float64(rep.Operators)
	re := float64(exact) / float64(rep.Operators)
	rep.RingRecall, rep.RingExact = &rr, &re
}

// mustNotLink counts violated constraints per reason. Only the persons the constraints
// name are indexed, each with the sorted set of predicted clusters of its records.
func mustNotLink(rep *Report, tp *Partition, pc []int32, persons *Partition, cons []MustNotLink) {
	if len(cons) == 0 {
		return
	}
	need := make(map[int32][]int32) // person cluster index -> predicted clusters
	for _, c := range cons {
		for _, p := range []string{c.PersonA, c.PersonB} {
			if idx, ok := persons.nameIdx[p]; ok {
				need[idx] = nil
			}
		}
	}
	for i, id := range tp.records {
		j, ok := persons.index[id]
		if !ok {
			continue
		}
		p := persons.cluster[j]
		if l, ok := need[p]; ok {
			need[p] = append(l, pc[i])
		}
	}
	for p, l := range need {
		slices.Sort(l)
		need[p] = slices.Compact(l)
	}
	for _, c := range cons {
		ia, okA := persons.nameIdx[c.PersonA]
		ib, okB := persons.nameIdx[c.PersonB]
		if !okA || !okB {
			rep.MustNotLinkUnknown++
			continue
		}
		rep.MustNotLinkPairs[c.Reason]++
		if intersects(need[ia], need[ib]) {
			rep.MustNotLinkViolations[c.Reason]++
		}
	}
	for r := range rep.MustNotLinkPairs {
		rep.MustNotLinkViolations[r] += 0 // every checked reason appears, 0 included
	}
}

// intersects reports whether two sorted slices share an element.
func intersects(x, y []int32) bool {
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] == y[j]:
			return true
		case x[i] < y[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// WriteTable writes the report as an aligned, human-readable table.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	opt := func(v *float64) string {
		if v == nil {
			return "n/a"
		}
		return fmt.Sprintf("%.4f", *v)
	}
	fmt.Fprintf(tw, "level\t%s\n", r.Level)
	fmt.Fprintf(tw, "records\t%d\n", r.Records)
	fmt.Fprintf(tw, "clusters (predicted / truth)\t%d / %d\n", r.Clusters, r.TruthClusters)
	fmt.Fprintf(tw, "pairwise precision / recall / F1\t%.4f / %.4f / %.4f\n", r.Precision, r.Recall, r.F1)
	fmt.Fprintf(tw, "pairs (correct / predicted / true)\t%d / %d / %d\n", r.CorrectPairs, r.PredictedPairs, r.TruePairs)
	fmt.Fprintf(tw, "B-cubed precision / recall / F1\t%.4f / %.4f / %.4f\n", r.BCubedPrecision, r.BCubedRecall, r.BCubedF1)
	fmt.Fprintf(tw, "ring recall / exact (operators)\t%s / %s (%d)\n", opt(r.RingRecall), opt(r.RingExact), r.Operators)
	fmt.Fprintf(tw, "missing from prediction / truth\t%d / %d\n", r.MissingFromPrediction, r.MissingFromTruth)
	if len(r.MustNotLinkPairs) > 0 || r.MustNotLinkUnknown > 0 {
		for _, reason := range slices.Sorted(maps.Keys(r.MustNotLinkPairs)) {
			fmt.Fprintf(tw, "must-not-link %s\t%d violated of %d\n", reason, r.MustNotLinkViolations[reason], r.MustNotLinkPairs[reason])
		}
		fmt.Fprintf(tw, "must-not-link unknown persons\t%d\n", r.MustNotLinkUnknown)
	}
	fmt.Fprintf(tw, "\ncluster size\tpredicted clusters\tpredicted records\ttruth clusters\ttruth records\n")
	for i := range max(len(r.SizeHistogram), len(r.TruthSizeHistogram)) {
		var p, t SizeBin
		if i < len(r.SizeHistogram) {
			p = r.SizeHistogram[i]
		}
		if i < len(r.TruthSizeHistogram) {
			t = r.TruthSizeHistogram[i]
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", cmp.Or(p.Label, t.Label), p.Clusters, p.Records, t.Clusters, t.Records)
	}
	if len(r.MissingFromPredictionSample) > 0 {
		fmt.Fprintf(tw, "\nmissing from prediction, e.g.\t%s\n", strings.Join(r.MissingFromPredictionSample, ", "))
	}
	if len(r.MissingFromTruthSample) > 0 {
		fmt.Fprintf(tw, "missing from truth, e.g.\t%s\n", strings.Join(r.MissingFromTruthSample, ", "))
	}
	return tw.Flush()
}
