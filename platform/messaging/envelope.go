package messaging

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
)

// envelope is a bus message, metadata included, as a queue that carries
// only a body holds it: an SQS record body, for instance.
type envelope struct {
	UUID     string            `json:"uuid"`
	Metadata map[string]string `json:"metadata"`
	Payload  []byte            `json:"payload"`
}

// MarshalMessage encodes msg, metadata included, as one JSON document.
func MarshalMessage(msg *message.Message) ([]byte, error) {
	return json.Marshal(envelope{UUID: msg.UUID, Metadata: msg.Metadata, Payload: msg.Payload})
}

// UnmarshalMessage decodes what MarshalMessage encoded. Anything else is an
// error: queue bodies are untrusted input.
func UnmarshalMessage(body []byte) (*message.Message, error) {
	var w envelope
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("not a bus message: %w", err)
	}
	if w.UUID == "" {
		return nil, errors.New("not a bus message: no uuid")
	}
	msg := message.NewMessage(w.UUID, w.Payload)
	for k, v := range w.Metadata {
		msg.Metadata.Set(k, v)
	}
	return msg, nil
}
