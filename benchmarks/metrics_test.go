package benchmarks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// part builds a partition from "cluster:rec,rec;cluster:rec" notation.
func part(t *testing.T, spec string) *Partition {
	t.Helper()
	p := NewPartition()
	if spec == "" {
		return p
	}
	for _, c := range strings.Split(spec, ";") {
		name, recs, _ := strings.Cut(c, ":")
		for _, r := range strings.Split(recs, ",") {
			if err := p.Add(r, name); err != nil {
				t.Fatal(err)
			}
		}
	}
	return p
}

// truthOf builds a person-level truth from the same notation, operators from a
// "operator:person,person" list.
func truthOf(t *testing.T, persons string, operators map[string][]string) *Truth {
	t.Helper()
	opOf := make(map[string]string)
	for op, ps := range operators {
		for _, p := range ps {
			opOf[p] = op
		}
	}
	tr := NewTruth()
	for rec, person := range part(t, persons).All() {
		if err := tr.Add(rec, person, opOf[person]); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func ptr(v float64) *float64 { return &v }

// want lists every figure a case checks; each case states all of them.
type want struct {
	records, clusters             int
	p, r, f1                      float64
	truePairs, predPairs, correct int64
	bp, br, bf                    float64
	ringRecall, ringExact         *float64
	operators                     int
	missingPred, missingTruth     int
	mnlViolations, mnlPairs       map[string]int
	mnlUnknown                    int
}

func check(t *testing.T, rep *Report, w want) {
	t.Helper()
	if rep.Records != w.records || rep.Clusters != w.clusters {
		t.Errorf("records/clusters = %d/%d, want %d/%d", rep.Records, rep.Clusters, w.records, w.clusters)
	}
	if !near(rep.Precision, w.p) || !near(rep.Recall, w.r) || !near(rep.F1, w.f1) {
		t.Errorf("pairwise P/R/F1 = %v/%v/%v, want %v/%v/%v", rep.Precision, rep.Recall, rep.F1, w.p, w.r, w.f1)
	}
	if rep.TruePairs != w.truePairs || rep.PredictedPairs != w.predPairs || rep.CorrectPairs != w.correct {
		t.Errorf("pairs true/pred/correct = %d/%d/%d, want %d/%d/%d", rep.TruePairs, rep.PredictedPairs, rep.CorrectPairs, w.truePairs, w.predPairs, w.correct)
	}
	if !near(rep.BCubedPrecision, w.bp) || !near(rep.BCubedRecall, w.br) || !near(rep.BCubedF1, w.bf) {
		t.Errorf("B-cubed P/R/F1 = %v/%v/%v, want %v/%v/%v", rep.BCubedPrecision, rep.BCubedRecall, rep.BCubedF1, w.bp, w.br, w.bf)
	}
	optEq := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || near(*a, *b)) }
	if !optEq(rep.RingRecall, w.ringRecall) || !optEq(rep.RingExact, w.ringExact) || rep.Operators != w.operators {
		t.Errorf("ring recall/exact/operators = %v/%v/%d, want %v/%v/%d", show(rep.RingRecall), show(rep.RingExact), rep.Operators, show(w.ringRecall), show(w.ringExact), w.operators)
	}
	if rep.MissingFromPrediction != w.missingPred || rep.MissingFromTruth != w.missingTruth {
		t.Errorf("missing pred/truth = %d/%d, want %d/%d", rep.MissingFromPrediction, rep.MissingFromTruth, w.missingPred, w.missingTruth)
	}
	if fmt.Sprint(rep.MustNotLinkViolations) != fmt.Sprint(nonNil(w.mnlViolations)) || fmt.Sprint(rep.MustNotLinkPairs) != fmt.Sprint(nonNil(w.mnlPairs)) || rep.MustNotLinkUnknown != w.mnlUnknown {
		t.Errorf("must-not-link violations %v pairs %v unknown %d, want %v %v %d", rep.MustNotLinkViolations, rep.MustNotLinkPairs, rep.MustNotLinkUnknown, w.mnlViolations, w.mnlPairs, w.mnlUnknown)
	}
}

func show(v *float64) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprint(*v)
}

func nonNil(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// TestEvaluateByHand works one case out in full.
//
// Records a..f. Truth persons P1={a,b,c}, P2={d,e}, P3={f}; operator O1 runs P1 and P2.
// Prediction C1={a,b}, C2={c,d,e}, C3={f,z} where z is not in the truth.
//
// Scored records: a..f (z is reported as missing from the truth and left out), so the
// predicted clusters over them are C1={a,b}, C2={c,d,e}, C3={f}.
//
// Contingency (predicted x person): C1∩P1=2, C2∩P1=1, C2∩P2=2, C3∩P3=1.
//
//	true pairs      C(3,2)+C(2,2)+C(1,2) = 3+1+0 = 4
//	predicted pairs C(2,2)+C(3,2)+C(1,2) = 1+3+0 = 4
//	correct pairs   C(2,2)+C(1,2)+C(2,2)+C(1,2) = 1+0+1+0 = 2
//	precision 2/4 = 0.5, recall 2/4 = 0.5, F1 0.5
//
// B-cubed precision per record, |pred ∩ truth| / |pred|: a 2/2, b 2/2, c 1/3, d 2/3,
// e 2/3, f 1/1; sum 14/3 over 6 records = 7/9.
// B-cubed recall per record, |pred ∩ truth| / |truth|: a 2/3, b 2/3, c 1/3, d 2/2,
// e 2/2, f 1/1; sum 14/3 over 6 = 7/9. F1 = 7/9.
//
// Ring: O1 has records a..e, split over C1 and C2: not whole. 1 operator, recall 0,
// exact 0.
//
// Must-not-link: (P2, P3, household): P2 only in C2, P3 only in C3: kept apart.
// (P1, P2, coworking): P1 in C1 and C2, P2 in C2: violated. (P1, P9, agency): P9 is
// unknown.
//
// At operator level the truth is {a..e} (operator:O1) and {f} (person:P3):
// true pairs C(5,2) = 10, predicted 4 as before, correct C(2,2)+C(3,2) = 1+3 = 4:
// precision 1, recall 0.4, F1 2*0.4/1.4 = 4/7. B-cubed precision 1 (every predicted
// cluster is inside one truth cluster); recall a,b 2/5, c,d,e 3/5, f 1: (4/5+9/5+1)/6
// = 3.6/6 = 0.6; F1 2*0.6/1.6 = 0.75.
func TestEvaluateByHand(t *testing.T) {
	truth := truthOf(t, "P1:a,b,c;P2:d,e;P3:f", map[string][]string{"O1": {"P1", "P2"}})
	pred := part(t, "C1:a,b;C2:c,d,e;C3:f,z")
	mnl := []MustNotLink{{"P2", "P3", "household"}, {"P1", "P2", "coworking"}, {"P1", "P9", "agency"}}

	rep, err := Evaluate(pred, truth, EvalOptions{MustNotLink: mnl})
	if err != nil {
		t.Fatal(err)
	}
	check(t, rep, want{
		records: 6, clusters: 3,
		p: 0.5, r: 0.5, f1: 0.5, truePairs: 4, predPairs: 4, correct: 2,
		bp: 7.0 / 9, br: 7.0 / 9, bf: 7.0 / 9,
		ringRecall: ptr(0), ringExact: ptr(0), operators: 1,
		missingTruth:  1,
		mnlViolations: map[string]int{"coworking": 1, "household": 0},
		mnlPairs:      map[string]int{"coworking": 1, "household": 1},
		mnlUnknown:    1,
	})
	if !slices.Equal(rep.MissingFromTruthSample, []string{"z"}) {
		t.Errorf("missing from truth sample %v, want [z]", rep.MissingFromTruthSample)
	}
	wantHist := []SizeBin{{"1", 1, 1, 1, 1}, {"2", 2, 2, 1, 2}, {"3-4", 3, 4, 1, 3}}
	if !slices.Equal(rep.SizeHistogram, wantHist) {
		t.Errorf("size histogram %v, want %v", rep.SizeHistogram, wantHist)
	}

	rep, err = Evaluate(pred, truth, EvalOptions{Level: LevelOperator})
	if err != nil {
		t.Fatal(err)
	}
	check(t, rep, want{
		records: 6, clusters: 3,
		p: 1, r: 0.4, f1: 4.0 / 7, truePairs: 10, predPairs: 4, correct: 4,
		bp: 1, br: 0.6, bf: 0.75,
		ringRecall: ptr(0), ringExact: ptr(0), operators: 1,
		missingTruth: 1,
	})
	if rep.TruthClusters != 2 {
		t.Errorf("operator-level truth clusters %d, want 2", rep.TruthClusters)
	}
}

func TestEvaluateEdgeCases(t *testing.T) {
	tests := []struct {
		name  string
		truth string
		ops   map[string][]string
		pred  string
		want  want
	}{
		{
			name:  "identical partitions",
			truth: "P1:a,b,c;P2:d,e;P3:f",
			pred:  "X:a,b,c;Y:d,e;Z:f",
			want: want{records: 6, clusters: 3, p: 1, r: 1, f1: 1, truePairs: 4, predPairs: 4, correct: 4,
				bp: 1, br: 1, bf: 1},
		},
		{
			name:  "identical singletons",
			truth: "P1:a;P2:b;P3:c",
			pred:  "X:a;Y:b;Z:c",
			want:  want{records: 3, clusters: 3, p: 1, r: 1, f1: 1, bp: 1, br: 1, bf: 1},
		},
		{
			// Nothing merged: no wrong merge (precision 1), no pair found (recall 0).
			// B-cubed recall: a,b 1/2 each, c 1: (1/2+1/2+1)/3 = 2/3; F1 2*(2/3)/(5/3) = 0.8.
			name:  "prediction all singletons",
			truth: "P1:a,b;P2:c",
			pred:  "X:a;Y:b;Z:c",
			want: want{records: 3, clusters: 3, p: 1, r: 0, f1: 0, truePairs: 1,
				bp: 1, br: 2.0 / 3, bf: 0.8},
		},
		{
			// One cluster of 4: 6 predicted pairs, 2 correct. B-cubed precision 2/4 for
			// every record; recall 1. F1 2*0.5/1.5 = 2/3.
			name:  "one big cluster",
			truth: "P1:a,b;P2:c,d",
			pred:  "X:a,b,c,d",
			want: want{records: 4, clusters: 1, p: 1.0 / 3, r: 1, f1: 0.5, truePairs: 2, predPairs: 6, correct: 2,
				bp: 0.5, br: 1, bf: 2.0 / 3},
		},
		{
			name:  "empty truth and prediction",
			truth: "",
			pred:  "",
			want:  want{p: 1, r: 1, f1: 1, bp: 1, br: 1, bf: 1},
		},
		{
			name:  "empty truth, records predicted",
			truth: "",
			pred:  "X:a,b",
			want:  want{p: 1, r: 1, f1: 1, bp: 1, br: 1, bf: 1, missingTruth: 2},
		},
		{
			// c is missing: scored as a singleton. Predicted {a,b},{c}: 1 pair, correct.
			// True pairs 3. B-cubed precision 1; recall a,b 2/3, c 1/3: 5/9.
			name:  "record missing from prediction",
			truth: "P1:a,b,c",
			pred:  "X:a,b",
			want: want{records: 3, clusters: 2, p: 1, r: 1.0 / 3, f1: 0.5, truePairs: 3, predPairs: 1, correct: 1,
				bp: 1, br: 5.0 / 9, bf: 2 * (5.0 / 9) / (14.0 / 9), missingPred: 1},
		},
		{
			// O1 = {a,b} kept whole with nothing else; O2 = {c,d} whole but with e;
			// O3 = {f} has one record and does not count. B-cubed precision: a, b 1;
			// c, d 2/3; e 1/3; f 1: (14/3)/6 = 7/9; F1 2*(7/9)/(16/9) = 7/8.
			name:  "ring recall and exact",
			truth: "P1:a,b;P2:c,d;P3:e;P4:f",
			ops:   map[string][]string{"O1": {"P1"}, "O2": {"P2"}, "O3": {"P4"}},
			pred:  "X:a,b;Y:c,d,e;Z:f",
			want: want{records: 6, clusters: 3, p: 0.5, r: 1, f1: 2.0 / 3, truePairs: 2, predPairs: 4, correct: 2,
				bp: 7.0 / 9, br: 1, bf: 7.0 / 8,
				ringRecall: ptr(1), ringExact: ptr(0.5), operators: 2},
		},
		{
			name:  "single-record operators give no ring figures",
			truth: "P1:a;P2:b",
			ops:   map[string][]string{"O1": {"P1"}},
			pred:  "X:a,b",
			want: want{records: 2, clusters: 1, p: 0, r: 1, f1: 0, predPairs: 1,
				bp: 0.5, br: 1, bf: 2.0 / 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Evaluate(part(t, tc.pred), truthOf(t, tc.truth, tc.ops), EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			check(t, rep, tc.want)
		})
	}
}

// TestEvaluateLarge checks the contingency sums at a size where enumerating pairs would
// be slow, against closed forms: truth clusters of 3 consecutive records, predicted
// clusters of 6 (two truth clusters each).
func TestEvaluateLarge(t *testing.T) {
	const n = 600_000
	pred, truth := NewPartition(), NewTruth()
	for i := range n {
		id := fmt.Sprint(i)
		if err := pred.Add(id, fmt.Sprint(i/6)); err != nil {
			t.Fatal(err)
		}
		if err := truth.Add(id, fmt.Sprint(i/3), ""); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Evaluate(pred, truth, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// true pairs n/3*3, predicted n/6*15, correct = true; B-cubed precision 3/6.
	check(t, rep, want{records: n, clusters: n / 6,
		p: 0.4, r: 1, f1: 0.8 / 1.4, truePairs: n, predPairs: n / 6 * 15, correct: n,
		bp: 0.5, br: 1, bf: 2.0 / 3})
}

func TestHistogramBins(t *testing.T) {
	got := histogram([]int64{1, 1, 2, 3, 4, 5, 8, 9, 17, 0})
	want := []SizeBin{
		{"1", 1, 1, 2, 2}, {"2", 2, 2, 1, 2}, {"3-4", 3, 4, 2, 7}, {"5-8", 5, 8, 2, 13},
		{"9-16", 9, 16, 1, 9}, {"17-32", 17, 32, 1, 17},
	}
	if !slices.Equal(got, want) {
		t.Errorf("histogram = %v\nwant %v", got, want)
	}
	if h := histogram(nil); h == nil || len(h) != 0 {
		t.Errorf("histogram(nil) = %#v, want empty non-nil", h)
	}
}

func TestReportOutput(t *testing.T) {
	truth := truthOf(t, "P1:a,b,c;P2:d,e;P3:f", map[string][]string{"O1": {"P1", "P2"}})
	rep, err := Evaluate(part(t, "C1:a,b;C2:c,d,e;C3:f"), truth, EvalOptions{MustNotLink: []MustNotLink{{"P1", "P2", "household"}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"precision", "recall", "f1", "bcubed_precision", "bcubed_recall", "bcubed_f1",
		"ring_recall", "size_histogram", "must_not_link_violations", "records", "clusters"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON report lacks %q: %s", k, b)
		}
	}
	if string(m["precision"]) != "0.5" || string(m["must_not_link_violations"]) != `{"household":1}` {
		t.Errorf("JSON precision %s, violations %s", m["precision"], m["must_not_link_violations"])
	}
	var buf bytes.Buffer
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"0.5000 / 0.5000 / 0.5000",
		"B-cubed precision / recall / F1", "0.7778 / 0.7778 / 0.7778", "0.0000 / 0.0000 (1)", "must-not-link household", "1 violated of 1", "3-4"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, buf.String())
		}
	}
}

func TestPartitionAndReaders(t *testing.T) {
	p := NewPartition()
	if err := p.Add("a", "1"); err != nil {
		t.Fatal(err)
	}
	if err := p.Add("a", "1"); err != nil {
		t.Errorf("re-adding to the same cluster: %v", err)
	}
	if err := p.Add("a", "2"); !errors.Is(err, ErrConflict) {
		t.Errorf("adding to another cluster: %v, want ErrConflict", err)
	}
	if c, ok := p.Cluster("a"); !ok || c != "1" || p.Len() != 1 || p.Clusters() != 1 || p.Size("1") != 1 {
		t.Errorf("partition state: %q %v len %d clusters %d", c, ok, p.Len(), p.Clusters())
	}

	clusters := `{"cluster_id":"c1","level":"person","size":2,"records":["a","b"]}
{"cluster_id":"o1","level":"operator","records":["a","b","c"]}

{"cluster_id":"c2","level":"person","records":["c"]}
`
	got, err := ReadClusters(strings.NewReader(clusters), LevelPerson)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 3 || got.Clusters() != 2 {
		t.Errorf("person clusters: %d records %d clusters, want 3 and 2", got.Len(), got.Clusters())
	}
	if _, err := ReadClusters(strings.NewReader(clusters), ""); !errors.Is(err, ErrConflict) {
		t.Errorf("all levels at once: %v, want ErrConflict", err)
	}
	for name, in := range map[string]string{"bad json": "{", "no cluster id": `{"records":["a"]}`} {
		if _, err := ReadClusters(strings.NewReader(in), ""); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%s: error %v, want one naming line 1", name, err)
		}
	}

	_, err = ReadTruth(strings.NewReader(`{"record_id":"a","person_id":"p1","operator_id":"o1","ring_id":"r1"}
{"record_id":"b","person_id":"p2","operator_id":"o1","ring_id":"r1"}
{"record_id":"c","person_id":"p1","operator_id":"","ring_id":""}
`))
	if !errors.Is(err, ErrConflict) {
		t.Errorf("ReadTruth with person p1 with and without an operator: %v, want ErrConflict", err)
	}
	tr, err := ReadTruth(strings.NewReader(`{"record_id":"a","person_id":"p1","operator_id":"o1","ring_id":"r1"}
{"record_id":"b","person_id":"p2","operator_id":"o1","ring_id":"r1"}
{"record_id":"c","person_id":"p3","operator_id":"","ring_id":""}
{"record_id":"d","person_id":"o1","operator_id":"","ring_id":""}
`))
	if err != nil {
		t.Fatal(err)
	}
	op, err := tr.At(LevelOperator)
	if err != nil {
		t.Fatal(err)
	}
	for rec, want := range map[string]string{"a": "operator:o1", "b": "operator:o1", "c": "person:p3", "d": "person:o1"} {
		if c, _ := op.Cluster(rec); c != want {
			t.Errorf("operator level: %s in %q, want %q", rec, c, want)
		}
	}
	for name, in := range map[string]string{
		"bad json":         "{\n",
		"no person":        `{"record_id":"a"}`,
		"two persons":      `{"record_id":"a","person_id":"p1"}` + "\n" + `{"record_id":"a","person_id":"p2"}`,
		"operator dropped": `{"record_id":"a","person_id":"p1","operator_id":"o"}` + "\n" + `{"record_id":"a","person_id":"p1"}`,
	} {
		if _, err := ReadTruth(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "truth line") {
			t.Errorf("%s: error %v, want one naming a truth line", name, err)
		}
	}
	if _, err := ParseLevel("household"); err == nil {
		t.Error("ParseLevel accepted household")
	}

	mnl, err := ReadMustNotLink(strings.NewReader(`{"person_a":"p1","person_b":"p2","reason":"household"}
{"person_a":"p1","person_b":"p3"}
`))
	if err != nil || len(mnl) != 2 || mnl[0].Reason != "household" || mnl[1].Reason != "unspecified" {
		t.Errorf("ReadMustNotLink = %v, %v", mnl, err)
	}
	if _, err := ReadMustNotLink(strings.NewReader(`{"person_a":"p1"}`)); err == nil {
		t.Error("ReadMustNotLink accepted a line without person_b")
	}
}
