package messaging

import (
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// onWarmStack is the outermost middleware of the consumers' and the
// relays' routers: it runs a message's handling on a goroutine that has
// handled messages before, instead of on the one the router starts for
// that message. A new goroutine's stack starts small and grows by copying,
// several times over, as the middleware chain, the JSON decoding and the
// database driver go deep; profiled at 1,000 events/s on PostgreSQL that
// growth took 8 % of the process's CPU (docs/performance.md). A worker
// keeps its grown stack for the next message. The router's goroutine only
// waits, on a shallow stack.
func onWarmStack(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) (msgs []*message.Message, err error) {
		var panicked any
		done := make(chan struct{})
		job := func() {
			defer close(done)
			defer func() { panicked = recover() }()
			msgs, err = h(msg)
		}
		select {
		case warmWorkers <- job: // an idle worker took it
		default:
			go warmWorker(job) // none idle: a new one, kept for the next
		}
		<-done
		if panicked != nil {
			panic(panicked) // where it would have been raised without the worker
		}
		return msgs, err
	}
}

// warmWorkers hands jobs to idle workers. The process's routers share
// them: there are as many as messages were ever handled at once, less
// those idle for warmIdle.
var warmWorkers = make(chan func())

// warmIdle is how long a worker waits for its next job before it ends.
const warmIdle = 10 * time.Second

func warmWorker(job func()) {
	idle := time.NewTimer(warmIdle)
	defer idle.Stop()
	for {
		job()
		idle.Reset(warmIdle)
		select {
		case job = <-warmWorkers:
		case <-idle.C:
			return
		}
	}
}
