package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// flagLines raise the flags that no sample record raises: one device under three
// personas with a remote tool, a person moving through three addresses, a disposable
// mailbox, and a Shanghai clock on a London address (but not on a Beijing one).
var flagLines = []string{
	`{"record_id":"f:1","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Alan Price","devices":[{"fingerprint":"fp-farm-1","remote_tools":["anydesk"]}]}`,
	`{"record_id":"f:2","source":"s","observed_at":"2026-01-02T00:00:00Z","name":"Brian Okafor","devices":[{"fingerprint":"fp-farm-1","remote_tools":["anydesk"]}]}`,
	`{"record_id":"f:3","source":"s","observed_at":"2026-01-03T00:00:00Z","name":"Chen Wei","devices":[{"fingerprint":"fp-farm-1"}]}`,
	`{"record_id":"m:1","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Dana Whitfield","emails":["dana.whitfield@example.org"],"addresses":[{"text":"1 High Street, York YO1 7HZ","country":"GB"}]}`,
	`{"record_id":"m:2","source":"t","observed_at":"2026-02-01T00:00:00Z","name":"Dana Whitfield","emails":["dana.whitfield@example.org"],"addresses":[{"text":"22 Mill Lane, Leeds LS1 4AB","country":"GB"}]}`,
	`{"record_id":"m:3","source":"u","observed_at":"2026-03-01T00:00:00Z","name":"Dana Whitfield","emails":["dana.whitfield@example.org"],"addresses":[{"text":"9 Church Road, Bath BA1 1AA","country":"GB"}]}`,
	`{"record_id":"d:1","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Evan Marsh","emails":["evan@mailinator.com"]}`,
	`{"record_id":"l:1","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Fiona Grant","addresses":[{"text":"5 Baker Street, London NW1 6XE","country":"GB"}],"devices":[{"fingerprint":"fp-l1","timezone":"Asia/Shanghai"}]}`,
	`{"record_id":"l:2","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Gao Min","addresses":[{"text":"1 Chang'an Avenue, Beijing 100000","country":"CN"}],"devices":[{"fingerprint":"fp-l2","timezone":"Asia/Shanghai"}]}`,
}

func TestFlags(t *testing.T) {
	ctx := context.Background()
	want := map[string]map[string]bool{ // record -> flag -> raised on its operator cluster
		"f:1": {"many_names_one_device": true, "shared_device": true},
		"m:1": {"address_churn": true, "many_names_one_device": false},
		"d:1": {"disposable_email": true},
		"l:1": {"location_mismatch": true},
		"l:2": {"location_mismatch": false},
	}
	check := func(name string, e *Engine) {
		t.Helper()
		for rec, flags := range want {
			r, err := e.Store().Record(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.Store().Cluster(ctx, graph.Operator, r.Clusters[graph.Operator])
			if err != nil {
				t.Fatal(err)
			}
			for f, on := range flags {
				if slices.Contains(c.Flags, f) != on {
					t.Errorf("%s: cluster of %s has flags %v; want %s %v", name, rec, c.Flags, f, on)
				}
			}
		}
	}
	batch := newEngine(t, 1000)
	if _, err := batch.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(flagLines, "\n")), 0), nil); err != nil {
		t.Fatal(err)
	}
	check("batch", batch)
	check("one by one", linkOneByOne(t, flagLines, 1))
}
