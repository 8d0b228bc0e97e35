package validate_test

import (
	"encoding/json"
	"errors"
	"testing"

	"example.com/modmono/platform/validate"
)

func TestIntegerTakesEveryJSONSpellingOfAnInteger(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "1.0": 1, "1e2": 100, "2.50e1": 25, "-0.0": 0, "9223372036854775807": 1<<63 - 1} {
		var got struct{ N validate.Integer }
		if err := json.Unmarshal([]byte(`{"N":`+in+`}`), &got); err != nil || int64(got.N) != want {
			t.Errorf("%s: got %d, %v; want %d", in, got.N, err, want)
		}
	}
}

func TestIntegerRefusesWhatIsNotAnInteger(t *testing.T) {
	for _, in := range []string{"1.5", "1e-1", `"1"`, "true", "[1]", "{}", "9223372036854775808", "1e400"} {
		var got struct{ N validate.Integer }
		err := json.Unmarshal([]byte(`{"N":`+in+`}`), &got)
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) || typeErr.Field != "N" {
			t.Errorf("%s: %v, want an UnmarshalTypeError naming N", in, err)
		}
	}
}
