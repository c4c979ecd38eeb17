package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxLineBytes bounds one NDJSON line. CV text makes records large, but a line of
// more than 4 MiB is a broken producer, not an applicant.
const DefaultMaxLineBytes = 4 << 20

// Reader reads NDJSON records one line at a time in constant memory: it holds at most one
// line (up to MaxLineBytes) however large the input.
type Reader struct {
	br      *bufio.Reader
	buf     []byte
	line    int64
	maxLine int
}

// NewReader returns a Reader over r. maxLineBytes <= 0 means DefaultMaxLineBytes.
func NewReader(r io.Reader, maxLineBytes int) *Reader {
	if maxLineBytes <= 0 {
		maxLineBytes = DefaultMaxLineBytes
	}
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), maxLine: maxLineBytes}
}

// Line is the number of the line last read (1-based).
func (r *Reader) Line() int64 { return r.line }

// Next returns the next record. A bad line yields a *ParseError and the reader moves on:
// call Next again. io.EOF ends the input; any other error is from the underlying reader.
// Blank lines are skipped.
func (r *Reader) Next() (*Record, error) {
	for {
		b, err := r.readLine()
		if err != nil {
			return nil, err
		}
		if r.line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a BOM from spreadsheet exports
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		return Parse(b, r.line)
	}
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its terminator. The slice is valid until the
// next call.
func (r *Reader) readLine() ([]byte, error) {
	r.buf = r.buf[:0]
	tooLong := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		if !tooLong {
			if len(r.buf)+len(chunk) > r.maxLine+2 { // +2 for "\r\n"
				tooLong = true
				r.buf = r.buf[:0]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(r.buf) == 0 && !tooLong {
				return nil, io.EOF
			}
		default:
			return nil, err
		}
		r.line++
		if tooLong {
			return nil, &ParseError{Line: r.line, Err: fmt.Errorf("%w: more than %d bytes", errLineTooLong, r.maxLine)}
		}
		b := bytes.TrimSuffix(r.buf, []byte("\n"))
		return bytes.TrimSuffix(b, []byte("\r")), nil
	}
}
