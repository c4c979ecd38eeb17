package main

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/personagraph/personagraph/api"
)

// natsFlags are the JetStream consumer's flags, shared by consume and serve.
type natsFlags struct {
	url, creds, stream, subject, durable, reject string
	batch                                        int
	ackWait                                      time.Duration
}

func (n *natsFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&n.url, "nats", "", "NATS server URL; consume records from JetStream")
	fs.StringVar(&n.creds, "nats-creds", "", "NATS credentials file (JWT + NKey)")
	fs.StringVar(&n.stream, "stream", "", "JetStream stream to consume (must exist)")
	fs.StringVar(&n.subject, "subject", "", "subject of the record messages, one NDJSON record each")
	fs.StringVar(&n.durable, "durable", "personagraph", "durable consumer name; a restart resumes from its last ack")
	fs.StringVar(&n.reject, "reject-subject", "", "subject for poison messages, with the reason in headers")
	fs.IntVar(&n.batch, "batch", 500, "messages stored per ingest call")
	fs.DurationVar(&n.ackWait, "ack-wait", time.Minute, "redelivery delay for unacknowledged messages")
}

func (n *natsFlags) check() error {
	if n.url == "" {
		return usagef("--nats URL is required")
	}
	if n.stream == "" || n.subject == "" || n.durable == "" {
		return usagef("--stream, --subject and --durable are required with --nats")
	}
	return nil
}

// start connects and creates the durable consumer; the caller runs it and closes the
// connection with the returned func.
func (n *natsFlags) start(ctx context.Context, g *globals, eng api.Ingester, reg prometheus.Registerer) (*api.Consumer, func(), error) {
	opts := []nats.Option{nats.Name("personagraph"), nats.MaxReconnects(-1)}
	if n.creds != "" {
		opts = append(opts, nats.UserCredentials(n.creds))
	}
	nc, err := nats.Connect(n.url, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to NATS: %w", err)
	}
	c, err := api.NewConsumer(ctx, eng, nc, &api.ConsumerOptions{
		Stream: n.stream, Subject: n.subject, Durable: n.durable, RejectSubject: n.reject,
		Batch: n.batch, AckWait: n.ackWait, Registerer: reg,
		Logger: g.log.With().Str("component", "jetstream").Logger(),
	})
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return c, func() { _ = nc.Drain() }, nil
}

func newConsumeCmd(g *globals) *cobra.Command {
	var nf natsFlags
	cmd := &cobra.Command{
		Use:   "consume --nats URL --stream NAME --subject SUBJ [--durable NAME] [--reject-subject SUBJ]",
		Short: "Store records from a NATS JetStream stream until interrupted (ack after commit)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := nf.check(); err != nil {
				return err
			}
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			c, closeNATS, err := nf.start(cmd.Context(), g, e, nil)
			if err != nil {
				return err
			}
			defer closeNATS()
			g.log.Info().Str("stream", nf.stream).Str("subject", nf.subject).Str("durable", nf.durable).Msg("consuming")
			if err := c.Run(cmd.Context()); err != nil {
				return err
			}
			s := c.Stats()
			fmt.Fprintf(g.stdout, "new %d, updated %d, unchanged %d, rejected %d, failed %d\n", s.New, s.Updated, s.Unchanged, s.Rejected, s.Failed)
			return nil
		},
	}
	nf.register(cmd.Flags())
	return cmd
}
