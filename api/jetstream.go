package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/ingest"
)

// Ingester stores records; *engine.Engine implements it.
type Ingester interface {
	Ingest(ctx context.Context, src engine.Source, o *engine.IngestOptions) (engine.Summary, error)
}

var _ Ingester = (*engine.Engine)(nil)

// Headers on a message published to the reject subject. The body is the poison message's
// body, unchanged.
const (
	HeaderRejectReason   = "Personagraph-Reject-Reason"
	HeaderRejectField    = "Personagraph-Reject-Field"
	HeaderSourceSubject  = "Personagraph-Source-Subject"
	HeaderSourceSequence = "Personagraph-Source-Sequence"
)

// ConsumerOptions configure a Consumer. Stream, Subject and Durable are required; the
// zero value of every other field means its default.
type ConsumerOptions struct {
	// Stream is the JetStream stream to read; it must exist.
	Stream string
	// Subject filters the stream: one NDJSON record per message.
	Subject string
	// Durable is the consumer's durable name: a restarted consumer with the same name
	// resumes where the last acknowledgement left off.
	Durable string
	// RejectSubject receives poison messages (records that fail to parse) with the reason
	// in headers. Through JetStream when a stream captures it, else core NATS. Default:
	// none, and poison messages are only logged and terminated.
	RejectSubject string
	// Batch is how many messages one Ingest call stores at most. Default: 500.
	Batch int
	// MaxWait is how long a fetch waits to fill a batch. Default: 1 s.
	MaxWait time.Duration
	// AckWait is how long JetStream waits for an acknowledgement before redelivering.
	// It must exceed the time to ingest one batch. Default: 60 s.
	AckWait time.Duration
	// Logger receives errors and batch summaries. Default: zerolog.Nop().
	Logger zerolog.Logger
	// Registerer, when set, gets personagraph_stream_messages_total. Default: none.
	Registerer prometheus.Registerer
}

// ConsumerStats count what a Consumer did since it started.
type ConsumerStats struct {
	New, Updated, Unchanged int64 // records stored, by result
	Rejected                int64 // poison messages sent to the reject subject and terminated
	Failed                  int64 // messages whose batch failed to store, left for redelivery
}

// Consumer reads records from a JetStream durable pull consumer into the engine. A
// message is acknowledged only after the Ingest call that stored its record returned;
// a crash before that means redelivery, and re-ingesting a stored record is a no-op
// (the store reports it unchanged), so every record is stored exactly once.
type Consumer struct {
	eng  Ingester
	nc   *nats.Conn
	js   jetstream.JetStream
	cons jetstream.Consumer
	opts ConsumerOptions
	log  zerolog.Logger
	msgs *prometheus.CounterVec

	nNew, nUpdated, nUnchanged, nRejected, nFailed atomic.Int64

	// beforeAck, when set (tests only), runs after a batch is stored and before its acks;
	// returning false skips the acks, as a crash at that point would.
	beforeAck func() bool
}

// NewConsumer creates or updates the durable consumer on the stream. The caller owns nc.
func NewConsumer(ctx context.Context, eng Ingester, nc *nats.Conn, opts *ConsumerOptions) (*Consumer, error) {
	if opts == nil || opts.Stream == "" || opts.Subject == "" || opts.Durable == "" {
		return nil, errors.New("api: consumer needs a stream, a subject and a durable name")
	}
	if opts.RejectSubject == opts.Subject {
		return nil, errors.New("api: the reject subject must differ from the consumed subject")
	}
	c := &Consumer{eng: eng, nc: nc, opts: *opts, log: opts.Logger}
	if c.opts.Batch <= 0 {
		c.opts.Batch = 500
	}
	if c.opts.MaxWait <= 0 {
		c.opts.MaxWait = time.Second
	}
	if c.opts.AckWait <= 0 {
		c.opts.AckWait = 60 * time.Second
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("api: jetstream: %w", err)
	}
	c.js = js
	st, err := js.Stream(ctx, c.opts.Stream)
	if err != nil {
		return nil, fmt.Errorf("api: stream %s: %w", c.opts.Stream, err)
	}
	c.cons, err = st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       c.opts.Durable,
		FilterSubject: c.opts.Subject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.opts.AckWait,
		MaxAckPending: 4 * c.opts.Batch,
		Description:   "personagraph record ingest",
	})
	if err != nil {
		return nil, fmt.Errorf("api: consumer %s on %s: %w", c.opts.Durable, c.opts.Stream, err)
	}
	if c.opts.Registerer != nil {
		c.msgs = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "personagraph_stream_messages_total",
			Help: "JetStream messages handled, by result: new, updated, unchanged, rejected (poison), failed (left for redelivery).",
		}, []string{"result"})
		if err := c.opts.Registerer.Register(c.msgs); err != nil {
			return nil, fmt.Errorf("api: register stream metrics: %w", err)
		}
	}
	return c, nil
}

// Stats returns the counts so far; safe to call while Run runs.
func (c *Consumer) Stats() ConsumerStats {
	return ConsumerStats{New: c.nNew.Load(), Updated: c.nUpdated.Load(), Unchanged: c.nUnchanged.Load(),
		Rejected: c.nRejected.Load(), Failed: c.nFailed.Load()}
}

// Run consumes until ctx is done, then returns nil. A failed batch is logged and left
// for redelivery; Run goes on with the next fetch.
func (c *Consumer) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		fctx, cancel := context.WithTimeout(ctx, c.opts.MaxWait)
		batch, err := c.cons.Fetch(c.opts.Batch, jetstream.FetchContext(fctx))
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				break
			}
			c.log.Warn().Err(err).Msg("fetch")
			sleep(ctx, time.Second)
			continue
		}
		var msgs []jetstream.Msg
		for m := range batch.Messages() {
			msgs = append(msgs, m)
		}
		cancel()
		if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
			c.log.Warn().Err(err).Msg("fetch")
		}
		if len(msgs) == 0 {
			continue
		}
		if err := c.handle(ctx, msgs); err != nil && ctx.Err() == nil {
			c.log.Error().Err(err).Int("messages", len(msgs)).Msg("batch not stored; left for redelivery")
			sleep(ctx, time.Second)
		}
	}
	return nil
}

// handle parses a fetched batch, sends poison messages away, stores the rest with one
// Ingest call and acknowledges them after it returns.
func (c *Consumer) handle(ctx context.Context, msgs []jetstream.Msg) error {
	recs := make([]*ingest.Record, 0, len(msgs))
	good := make([]jetstream.Msg, 0, len(msgs))
	for _, m := range msgs {
		rec, err := ingest.Parse(m.Data(), 1)
		if err == nil {
			recs, good = append(recs, rec), append(good, m)
			continue
		}
		if rerr := c.reject(ctx, m, err); rerr != nil {
			c.log.Error().Err(rerr).Msg("publish reject; message left for redelivery")
			_ = m.NakWithDelay(time.Second)
			c.count("failed", &c.nFailed, 1)
			continue
		}
		if terr := m.Term(); terr != nil {
			c.log.Warn().Err(terr).Msg("term poison message")
		}
		c.count("rejected", &c.nRejected, 1)
	}
	if len(recs) == 0 {
		return nil
	}
	// A trickle of messages is linked into the clusters as it comes; a burst leaves them
	// stale, and the next read re-clusters once rather than per batch of messages.
	sum, err := c.eng.Ingest(ctx, &recordsSource{recs: recs}, &engine.IngestOptions{SkipCluster: true, Link: true})
	if err != nil {
		for _, m := range good {
			_ = m.NakWithDelay(time.Second)
		}
		c.count("failed", &c.nFailed, int64(len(good)))
		return fmt.Errorf("api: ingest stream batch: %w", err)
	}
	c.count("new", &c.nNew, int64(sum.New))
	c.count("updated", &c.nUpdated, int64(sum.Updated))
	c.count("unchanged", &c.nUnchanged, int64(sum.Unchanged))
	if c.beforeAck != nil && !c.beforeAck() {
		return nil
	}
	for _, m := range good {
		// A lost ack only means a redelivery, which stores nothing new.
		if err := m.Ack(); err != nil {
			c.log.Warn().Err(err).Msg("ack")
		}
	}
	c.log.Debug().Int("new", sum.New).Int("updated", sum.Updated).Int("unchanged", sum.Unchanged).Msg("stream batch stored")
	return nil
}

func (c *Consumer) count(result string, n *atomic.Int64, d int64) {
	n.Add(d)
	if c.msgs != nil {
		c.msgs.WithLabelValues(result).Add(float64(d))
	}
}

// reject publishes a poison message to the reject subject with the reason in headers.
// The message id is the source stream and sequence, so JetStream de-duplicates the
// reject if the poison message itself is redelivered before its Term lands.
func (c *Consumer) reject(ctx context.Context, m jetstream.Msg, perr error) error {
	c.log.Warn().Err(perr).Str("subject", m.Subject()).Msg("poison message")
	if c.opts.RejectSubject == "" {
		return nil
	}
	out := nats.NewMsg(c.opts.RejectSubject)
	out.Data = m.Data()
	reason, field := perr.Error(), ""
	var pe *ingest.ParseError
	if errors.As(perr, &pe) {
		reason, field = pe.Err.Error(), pe.Field
	}
	out.Header.Set(HeaderRejectReason, reason)
	if field != "" {
		out.Header.Set(HeaderRejectField, field)
	}
	out.Header.Set(HeaderSourceSubject, m.Subject())
	if md, err := m.Metadata(); err == nil {
		seq := strconv.FormatUint(md.Sequence.Stream, 10)
		out.Header.Set(HeaderSourceSequence, seq)
		out.Header.Set(jetstream.MsgIDHeader, c.opts.Stream+":"+seq)
	}
	_, err := c.js.PublishMsg(ctx, out)
	if errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) {
		// No stream captures the reject subject: fall back to core NATS, flushed so the
		// publish reached the server before the poison message is terminated.
		if err = c.nc.PublishMsg(out); err == nil {
			err = c.nc.FlushWithContext(ctx)
		}
	}
	if err != nil {
		return fmt.Errorf("api: publish reject to %s: %w", c.opts.RejectSubject, err)
	}
	return nil
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
