package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/personagraph/personagraph/api"
	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// farmRecords writes n applications of one laptop farm: every record has its own name,
// groups of eight share a device (with a remote tool), and neighbouring records share a
// money-service payout two by two, across the device groups too, so that the whole farm is
// one operator cluster. (A payout held by four or more personas reads as a ring's
// collector and does not link on its own.)
func farmRecords(n int) string {
	var b strings.Builder
	first := []string{"Jon", "Amy", "Raj", "Li", "Omar", "Eva", "Ken", "Ana", "Tom", "Zoe", "Ivan", "Mia"}
	last := []string{"Smyth", "Brook", "Patel", "Chen", "Haddad", "Novak", "Ito", "Silva", "Reed", "Kline", "Orlov", "Ruiz", "Park"}
	t0 := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		rec := map[string]any{
			"record_id":   fmt.Sprintf("farm:%04d", i),
			"source":      []string{"upwork", "workday", "greenhouse"}[i%3],
			"event":       []string{"application", "interview", "payroll_change"}[i%3],
			"observed_at": t0.Add(time.Duration(i) * 37 * time.Hour).Format(time.RFC3339),
			"name":        fmt.Sprintf("%s %s %c", first[i%len(first)], last[(i/len(first))%len(last)], 'A'+rune(i%26)),
			"emails":      []string{fmt.Sprintf("applicant%04d@example.com", i)},
			"devices":     []map[string]any{{"fingerprint": fmt.Sprintf("fp-farm-%03d", i/8), "remote_tools": []string{"anydesk"}, "timezone": "Asia/Shanghai"}},
			"payments":    []map[string]any{{"kind": "payoneer", "value": fmt.Sprintf("payout-%03d@payoneer.example", (i+1)/2)}},
		}
		line, _ := json.Marshal(rec) // plain maps of strings cannot fail to encode
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// farmHandler is the UI over a store holding one farm of n records, with a signed-in
// session cookie, and the farm's operator cluster.
func farmHandler(tb testing.TB, n int) (*Handler, *http.Cookie, *graph.Cluster) {
	tb.Helper()
	st, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	eng := engine.New(st, nil)
	if _, err := eng.Ingest(context.Background(), ingest.NewReader(strings.NewReader(farmRecords(n)), 0), nil); err != nil {
		tb.Fatal(err)
	}
	cs, err := eng.Clusters(context.Background(), graph.Operator, engine.ClusterFilter{MinSize: 2})
	if err != nil || len(cs) == 0 {
		tb.Fatalf("farm of %d: %d clusters, %v", n, len(cs), err)
	}
	h := New(eng, &Options{InsecureNoAuth: true})
	s, err := h.sess.create("", api.Principal{Name: "insecure", Role: api.RoleAdmin})
	if err != nil {
		tb.Fatal(err)
	}
	return h, &http.Cookie{Name: cookieName, Value: s.id}, cs[0]
}

// renderCluster serves the cluster page once and returns its body.
func renderCluster(tb testing.TB, h *Handler, c *http.Cookie, id string) string {
	req := httptest.NewRequest("GET", "/clusters/"+id, nil)
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("cluster page: %d %s", rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// TestBigClusterPage holds the picture of a 300-record cluster to its caps: at most
// picMaxValues values drawn, the rest counted, and no text labels.
func TestBigClusterPage(t *testing.T) {
	h, c, cl := farmHandler(t, 300)
	if cl.Size < 250 {
		t.Fatalf("farm cluster has %d records, want about 300", cl.Size)
	}
	body := renderCluster(t, h, c, cl.ID)
	if n := strings.Count(body, `<rect x=`); n > picMaxValues || n < 10 {
		t.Fatalf("%d value nodes drawn, want 10..%d", n, picMaxValues)
	}
	if n := strings.Count(body, `class="persona"`); n < 250 {
		t.Fatalf("%d persona nodes drawn", n)
	}
	if !strings.Contains(body, "not drawn:") {
		t.Fatal("omitted values are not counted under the picture")
	}
	if strings.Contains(body, `dy="3">`) {
		t.Fatal("node labels drawn on a big picture")
	}
}

// BenchmarkClusterPage is the server's render time of the cluster page (gather the
// evidence, labels, bridges, layout, template) for a 10-record and a 300-record cluster:
//
//	go test ./api/ui/ -run '^$' -bench ClusterPage -benchtime 20x
func BenchmarkClusterPage(b *testing.B) {
	for _, n := range []int{10, 300} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			h, c, cl := farmHandler(b, n)
			b.ResetTimer()
			size := 0
			for b.Loop() {
				size = len(renderCluster(b, h, c, cl.ID))
			}
			b.ReportMetric(float64(cl.Size), "records")
			b.ReportMetric(float64(size)/1024, "KiB/page")
		})
	}
}
