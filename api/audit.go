package api

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// AuditEntry is one line of the audit log: who read personal data, how, and how much.
// Denied requests (401, 403, 429) are logged too, with whatever principal was known.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	Token   string    `json:"token"` // the token's name, "" when the request had no valid token
	Role    Role      `json:"role"`
	Method  string    `json:"method"`
	Path    string    `json:"path"`
	Query   string    `json:"query,omitempty"`
	Status  int       `json:"status"`
	Records int       `json:"records"` // records whose data the answer carried
	Remote  string    `json:"remote"`
}

// auditLog appends entries to a writer, one NDJSON line per Write call; mu serialises the
// calls so that lines never interleave, whatever the writer.
type auditLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (a *auditLog) write(e *AuditEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("api: encode audit entry: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("api: write audit log: %w", err)
	}
	return nil
}

// OpenAuditFile opens (creating if needed) an audit log file for appending, mode 0600.
// O_APPEND makes every line land at the end even if another process appends too.
func OpenAuditFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("api: open audit log: %w", err)
	}
	return f, nil
}
