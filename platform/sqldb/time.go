package sqldb

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// TimeLayout is how every store keeps a time: RFC 3339 in UTC with all nine
// fraction digits, so that the text is always 30 bytes and text order is
// time order. (time.RFC3339Nano drops trailing zeros: "…00.12Z" would sort
// before "…00.1Z".)
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// Time is a time.Time as a store column: it writes TimeLayout and reads it,
// or any RFC 3339 text, back. Convert at the call: Time(t) as an argument,
// (*Time)(&t) as a scan destination.
type Time time.Time

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	return time.Time(t).UTC().Format(TimeLayout), nil
}

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("time column holds %T, not text", src)
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time column: %w", err)
	}
	*t = Time(parsed.UTC())
	return nil
}
