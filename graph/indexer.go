package graph

import (
	"fmt"
	"sync"
)

// indexQueue writes the search index beside Badger: PutBatch commits a batch to Badger
// and hands its records here, and the next batch's Badger work runs while Bleve analyses
// this one. Indexing was the larger half of the single writer's time (6 of 9 CPU seconds
// per 100k records), so doing the two one after the other made it the ingest's
// bottleneck. The queue holds at most one batch beside the one being indexed, so a fast
// writer waits rather than piling records up in memory.
//
// Readers of the index (search, forget, reindex) call wait first, so they see every
// record stored before them: the index stays read-your-writes.
type indexQueue struct {
	work    chan []Put
	done    chan struct{}
	pending sync.WaitGroup

	mu  sync.Mutex
	err error // the first indexing error, reported by the next add or wait
}

func newIndexQueue(idx *nameIndex) *indexQueue {
	q := &indexQueue{work: make(chan []Put, 1), done: make(chan struct{})}
	go func() {
		defer close(q.done)
		for puts := range q.work {
			if err := idx.indexRecords(puts); err != nil {
				q.mu.Lock()
				if q.err == nil {
					q.err = err
				}
				q.mu.Unlock()
			}
			q.pending.Done()
		}
	}()
	return q
}

func (q *indexQueue) failed() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		// The records are in Badger; the index lacks some. Its marker file stays (the
		// close fails too), so the next open rebuilds it.
		return fmt.Errorf("graph: search index: %w", q.err)
	}
	return nil
}

// add queues records for indexing; it blocks while a batch waits already.
func (q *indexQueue) add(puts []Put) error {
	if err := q.failed(); err != nil {
		return err
	}
	q.pending.Add(1)
	q.work <- puts
	return nil
}

// wait returns when every queued batch is indexed.
func (q *indexQueue) wait() error {
	q.pending.Wait()
	return q.failed()
}

// close indexes what is queued and stops the queue.
func (q *indexQueue) close() error {
	close(q.work)
	<-q.done
	return q.failed()
}
