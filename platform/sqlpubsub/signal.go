package sqlpubsub

import "sync"

// Signal wakes subscriptions when new messages may have been committed, so
// they need not poll. The zero value is ready to use.
type Signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel closed by the next Notify. Take it before reading,
// so that a commit between the read and the wait is not missed. A nil
// Signal never fires.
func (s *Signal) wait() <-chan struct{} {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// Notify wakes every subscription waiting on s. It never blocks.
func (s *Signal) Notify() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}
