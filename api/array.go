package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/personagraph/personagraph/ingest"
)

// bodyError is a request body that cannot be read on: the JSON array breaks off or is
// not an array. Line is the 1-based array index of the element at fault (0 before the
// first element).
type bodyError struct {
	Line int64
	Err  error
}

func (e *bodyError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("body: %v", e.Err)
	}
	return fmt.Sprintf("element %d: %v", e.Line, e.Err)
}

func (e *bodyError) Unwrap() error { return e.Err }

// arraySource reads a JSON array of records one element at a time with json.Decoder's
// Token and More, so memory holds one element, not the body. Each element goes through
// ingest.Parse like an NDJSON line, with its 1-based index as the line number: a bad
// element is a *ingest.ParseError and the next one is read; broken JSON syntax is a
// *bodyError and ends the source.
type arraySource struct {
	dec     *json.Decoder
	n       int64
	started bool
	done    bool
}

func newArraySource(r io.Reader) *arraySource { return &arraySource{dec: json.NewDecoder(r)} }

func (a *arraySource) Next() (*ingest.Record, error) {
	if a.done {
		return nil, io.EOF
	}
	if !a.started {
		a.started = true
		tok, err := a.dec.Token()
		if err != nil {
			return nil, a.fail(0, err)
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return nil, a.fail(0, errors.New("want a JSON array of records"))
		}
	}
	if !a.dec.More() {
		if _, err := a.dec.Token(); err != nil { // the closing ']'
			return nil, a.fail(a.n+1, err)
		}
		if _, err := a.dec.Token(); !errors.Is(err, io.EOF) {
			if err == nil {
				err = errors.New("data after the closing ]")
			}
			return nil, a.fail(a.n+1, err)
		}
		a.done = true
		return nil, io.EOF
	}
	a.n++
	var raw json.RawMessage
	if err := a.dec.Decode(&raw); err != nil {
		return nil, a.fail(a.n, err)
	}
	return ingest.Parse(raw, a.n)
}

// fail ends the source with a bodyError; an early end of input reads as truncation.
func (a *arraySource) fail(line int64, err error) error {
	a.done = true
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &bodyError{Line: line, Err: err}
}
