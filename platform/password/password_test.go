package password

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/modmono/platform/apperror"
)

func TestAHashThatFindsNoFreeCPUWithinMaxWaitIsRefusedAsBusy(t *testing.T) {
	for range cap(slots) {
		slots <- struct{}{}
	}
	defer func() {
		for range cap(slots) {
			<-slots
		}
	}()
	before := Runs()
	start := time.Now()
	_, err := Hash(context.Background(), "password123", 4)
	if apperror.KindOf(err) != apperror.Busy {
		t.Fatalf("Hash with every slot taken: %v, want a Busy error", err)
	}
	if waited := time.Since(start); waited < MaxWait {
		t.Errorf("refused after %v, want after MaxWait %v", waited, MaxWait)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Compare(ctx, []byte("x"), "y"); !errors.Is(err, context.Canceled) {
		t.Errorf("Compare with a cancelled context: %v, want context.Canceled", err)
	}
	if Runs() != before {
		t.Errorf("Runs went from %d to %d; a refused hash costs nothing", before, Runs())
	}
}

func TestCompareTellsAMatchFromAMismatchAndAnUnreadableHash(t *testing.T) {
	hash, err := Hash(context.Background(), "password123", 4)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := Compare(ctx, hash, "password123"); err != nil {
		t.Errorf("the right password: %v", err)
	}
	if err := Compare(ctx, hash, "password124"); !errors.Is(err, ErrMismatch) {
		t.Errorf("a wrong password: %v, want ErrMismatch", err)
	}
	if err := Compare(ctx, []byte("not a hash"), "password123"); !errors.Is(err, ErrMismatch) {
		t.Errorf("an unreadable hash: %v, want ErrMismatch", err)
	}
}
