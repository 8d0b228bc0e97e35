package messaging_test

import (
	"bytes"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/messaging"
)

// goroutineID is the number runtime.Stack gives the calling goroutine.
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _, _ := bytes.Cut(bytes.TrimPrefix(buf, []byte("goroutine ")), []byte(" "))
	return string(id)
}

// As Watermill's router does, each message is handled from a goroutine of
// its own; the handler behind OnWarmStack runs on the few goroutines that
// handled the messages before it, and its results, errors and panics reach
// the router's goroutine as if it had run there.
func TestHandlingRunsOnGoroutinesThatHandledBefore(t *testing.T) {
	failed := errors.New("failed")
	var mu sync.Mutex
	ran := map[string]int{}
	h := messaging.OnWarmStack(func(msg *message.Message) ([]*message.Message, error) {
		mu.Lock()
		ran[goroutineID()]++
		mu.Unlock()
		switch string(msg.Payload) {
		case "fail":
			return nil, failed
		case "panic":
			panic("handler panicked")
		}
		return []*message.Message{msg}, nil
	})
	const messages = 50
	for i := range messages {
		var out []*message.Message
		var err error
		payload := "ok"
		if i%10 == 9 {
			payload = "fail"
		}
		done := make(chan struct{})
		go func() { // the router's goroutine for this message
			defer close(done)
			out, err = h(message.NewMessage("m", []byte(payload)))
		}()
		<-done
		if payload == "fail" && (!errors.Is(err, failed) || out != nil) {
			t.Fatalf("message %d: got %v, %v; want the handler's error", i, out, err)
		}
		if payload == "ok" && (err != nil || len(out) != 1) {
			t.Fatalf("message %d: got %v, %v; want the handler's message back", i, out, err)
		}
	}
	if len(ran) > 2 {
		t.Errorf("%d messages, each from a new goroutine, ran on %d goroutines: want the same one or two", messages, len(ran))
	}

	recovered := make(chan any)
	go func() {
		defer func() { recovered <- recover() }()
		_, _ = h(message.NewMessage("p", []byte("panic")))
	}()
	select {
	case p := <-recovered:
		if p != "handler panicked" {
			t.Errorf("the router's goroutine recovered %v, want the handler's panic", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a panicking handler never returned")
	}
	// The worker that saw the panic still works.
	if _, err := h(message.NewMessage("after", []byte("ok"))); err != nil {
		t.Errorf("after a panic: %v", err)
	}
}

// Messages handled at once each get a worker: none waits for another.
func TestConcurrentHandlingDoesNotQueue(t *testing.T) {
	const at = 8
	var started sync.WaitGroup
	started.Add(at)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	h := messaging.OnWarmStack(func(msg *message.Message) ([]*message.Message, error) {
		started.Done()
		select {
		case <-all: // every one of them is running
			return nil, nil
		case <-time.After(10 * time.Second):
			return nil, errors.New("the others never started: handling queued behind this one")
		}
	})
	errs := make(chan error, at)
	for range at {
		go func() {
			_, err := h(message.NewMessage("c", nil))
			errs <- err
		}()
	}
	for range at {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
