package api

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
)

// startNATS runs an embedded NATS server with JetStream in a temp dir and connects to it.
func startNATS(t *testing.T) *nats.Conn {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func TestJetStreamConsumer(t *testing.T) {
	nc := startNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RECORDS", Subjects: []string{"records.in"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "REJECTS", Subjects: []string{"records.rejects"}}); err != nil {
		t.Fatal(err)
	}
	rejects, err := nc.SubscribeSync("records.rejects")
	if err != nil {
		t.Fatal(err)
	}

	const good = 30
	poison := []struct{ body, field string }{ // and the field each reject must name
		{`{"record_id":"nats:bad1","source":"s"}`, "observed_at"},
		{`not json at all`, ""},
		{`{"record_id":"nats:bad2","source":"s","observed_at":"2026-01-01T00:00:00Z","phones":7}`, "phones"},
	}
	var bodies []string
	for i := range good {
		bodies = append(bodies, fmt.Sprintf(`{"record_id":"nats:%d","source":"stream","observed_at":"2026-01-01T00:00:%02dZ","emails":["user%d@example.com"]}`, i, i%60, i%7))
		if i%10 == 4 {
			bodies = append(bodies, poison[i/10].body)
		}
	}
	for _, b := range bodies {
		if _, err := js.Publish(ctx, "records.in", []byte(b)); err != nil {
			t.Fatal(err)
		}
	}

	st, err := graph.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := engine.New(st, nil)
	opts := &ConsumerOptions{Stream: "RECORDS", Subject: "records.in", Durable: "pg", RejectSubject: "records.rejects",
		Batch: 5, MaxWait: 200 * time.Millisecond, AckWait: time.Second}

	// First consumer: stores two batches, then "crashes" after storing the second and
	// before acknowledging it.
	c1, err := NewConsumer(ctx, eng, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx1, stop1 := context.WithCancel(ctx)
	var batches atomic.Int32
	var acked, unacked int64 // records stored by the first consumer with and without acks
	c1.beforeAck = func() bool {
		if batches.Add(1) == 2 {
			unacked = c1.Stats().New - acked
			stop1()
			return false
		}
		acked = c1.Stats().New
		return true
	}
	if err := c1.Run(ctx1); err != nil {
		t.Fatal(err)
	}
	s1 := c1.Stats()
	if batches.Load() != 2 || acked == 0 || unacked == 0 {
		t.Fatalf("first consumer: %+v after %d batches; %d acked, %d unacked", s1, batches.Load(), acked, unacked)
	}

	// Second consumer, same durable: gets the rest plus the unacknowledged batch again.
	reg := prometheus.NewRegistry()
	opts.Registerer = reg
	c2, err := NewConsumer(ctx, eng, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, stop2 := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c2.Run(ctx2) }()
	cons, err := js.Consumer(ctx, "RECORDS", "pg")
	if err != nil {
		t.Fatal(err)
	}
	for {
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumPending == 0 && info.NumAckPending == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("stream not drained: %+v", info)
		case <-time.After(50 * time.Millisecond):
		}
	}
	stop2()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s2 := c2.Stats()

	// Every record stored once: the redelivered batch came back unchanged.
	if got := s1.New + s2.New; got != good {
		t.Fatalf("new records %d over both consumers, want %d (first %+v, second %+v)", got, good, s1, s2)
	}
	if s2.Unchanged != unacked || s1.Updated+s2.Updated != 0 || s1.Failed+s2.Failed != 0 {
		t.Fatalf("redelivery: first %+v, second %+v; want %d unchanged, nothing updated or failed", s1, s2, unacked)
	}
	for i := range good {
		rec, err := eng.Record(ctx, fmt.Sprintf("nats:%d", i))
		if err != nil || rec.Version != 1 {
			t.Fatalf("record nats:%d: %v, %+v", i, err, rec)
		}
	}
	if _, err := eng.Record(ctx, "nats:bad1"); err == nil {
		t.Fatal("poison record stored")
	}

	// Each poison message reached the reject subject once, with its reason.
	if n := s1.Rejected + s2.Rejected; n != int64(len(poison)) {
		t.Fatalf("rejected %d, want %d", n, len(poison))
	}
	want := map[string]string{}
	for _, p := range poison {
		want[p.body] = p.field
	}
	for range poison {
		m, err := rejects.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		field, ok := want[string(m.Data)]
		if !ok {
			t.Fatalf("unexpected or repeated reject %q", m.Data)
		}
		if m.Header.Get(HeaderRejectReason) == "" || m.Header.Get(HeaderRejectField) != field ||
			m.Header.Get(HeaderSourceSubject) != "records.in" || m.Header.Get(HeaderSourceSequence) == "" {
			t.Fatalf("reject %q headers %v", m.Data, m.Header)
		}
		delete(want, string(m.Data))
	}
	if m, err := rejects.NextMsg(300 * time.Millisecond); err == nil {
		t.Fatalf("extra reject %q", m.Data)
	}

	// The second consumer's metrics counted its messages.
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var counted float64
	for _, mf := range mfs {
		if mf.GetName() == "personagraph_stream_messages_total" {
			for _, m := range mf.GetMetric() {
				counted += m.GetCounter().GetValue()
			}
		}
	}
	if want := float64(s2.New + s2.Unchanged + s2.Rejected); counted != want || want == 0 {
		t.Fatalf("personagraph_stream_messages_total sums to %v, want %v", counted, want)
	}
}
