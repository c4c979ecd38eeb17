// Command personagraph finds reused applicant personas: it ingests applicant records into
// an embedded identity graph and reports clusters of identities likely run by one
// operator. See README.md and DESIGN.md section 4 for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
