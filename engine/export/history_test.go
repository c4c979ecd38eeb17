package export

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// The timeline of an export shows every version of a member and what changed between
// them: here an application, then onboarding with a new shipping address and payout.
func TestTimelineShowsVersions(t *testing.T) {
	ctx := context.Background()
	st, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := engine.New(st, nil)
	put := func(lines ...string) {
		t.Helper()
		if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(lines, "\n")), 0), nil); err != nil {
			t.Fatal(err)
		}
	}
	put(`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","event":"application","name":"Ann Lee","addresses":[{"text":"1 High St, York YO1 7HZ","country":"GB"}],"payments":[{"kind":"wise","value":"ann@wise.example"}],"devices":[{"fingerprint":"fp-1","remote_tools":["anydesk"]}]}`,
		`{"record_id":"b","source":"s","observed_at":"2026-01-05T00:00:00Z","event":"application","name":"Bo Chan","devices":[{"fingerprint":"fp-1","remote_tools":["anydesk"]}]}`)
	put(`{"record_id":"a","source":"s","observed_at":"2026-03-01T00:00:00Z","event":"onboarding","name":"Ann Lee","addresses":[{"text":"9 Dock Rd, Hull HU1 1AA","country":"GB"}],"payments":[{"kind":"payoneer","value":"ann@payoneer.example"}],"devices":[{"fingerprint":"fp-1","remote_tools":["anydesk"]}]}`)
	r, err := e.Record(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := Gather(ctx, e, r.Clusters[graph.Operator])
	if err != nil {
		t.Fatal(err)
	}
	var got []Event
	for _, x := range ev.Timeline {
		if x.RecordID == "a" {
			got = append(got, x)
		}
	}
	if len(got) != 2 || got[0].Version != 1 || got[0].Event != "application" || got[1].Version != 2 || got[1].Event != "onboarding" {
		t.Fatalf("timeline of a: %+v", got)
	}
	if !slices.Equal(got[1].Changes, []string{"address", "payment"}) || got[0].Changes != nil {
		t.Fatalf("changes %v then %v, want none then [address payment]", got[0].Changes, got[1].Changes)
	}
	if len(ev.Timeline) != 3 {
		t.Fatalf("timeline has %d events, want 3 (two versions of a, one of b)", len(ev.Timeline))
	}
}

var _ VersionSource = (*engine.Engine)(nil)
