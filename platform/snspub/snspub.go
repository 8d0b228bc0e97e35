// Package snspub is a Watermill Publisher onto one Amazon SNS topic: how a
// module's relay, running as a Lambda function, hands events to the other
// modules' SQS queues subscribed to the topic.
//
// Each message body is the bus message encoded by messaging.MarshalMessage;
// the event type travels as the message attribute "event_type", on which a
// queue's subscription filter policy selects the events its module consumes.
package snspub

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// Encoder turns a bus message into an SNS message body.
type Encoder func(*message.Message) ([]byte, error)

// Publisher publishes to one SNS topic.
type Publisher struct {
	client   *sns.Client
	topicARN string
	encode   Encoder
	timeout  time.Duration
	closed   atomic.Bool
}

// New returns a Publisher onto topicARN with the AWS configuration of the
// environment (the Lambda execution role, AWS_REGION, and for tests
// AWS_ENDPOINT_URL_SNS).
func New(ctx context.Context, topicARN string, encode Encoder) (*Publisher, error) {
	if topicARN == "" {
		return nil, errors.New("snspub: empty topic ARN")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("snspub: AWS configuration: %w", err)
	}
	return &Publisher{client: sns.NewFromConfig(cfg), topicARN: topicARN, encode: encode, timeout: 10 * time.Second}, nil
}

// Publish sends each message in order; it returns once SNS accepted them all.
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	if p.closed.Load() {
		return errors.New("snspub: publisher closed")
	}
	for _, msg := range msgs {
		body, err := p.encode(msg)
		if err != nil {
			return fmt.Errorf("snspub: encode %s: %w", msg.UUID, err)
		}
		ctx, cancel := context.WithTimeout(msg.Context(), p.timeout)
		_, err = p.client.Publish(ctx, &sns.PublishInput{
			TopicArn: aws.String(p.topicARN),
			Message:  aws.String(string(body)),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"event_type": {DataType: aws.String("String"), StringValue: aws.String(topic)},
			},
		})
		cancel()
		if err != nil {
			return fmt.Errorf("snspub: publish %s to %s: %w", msg.UUID, p.topicARN, err)
		}
	}
	return nil
}

// Close makes later Publish calls fail.
func (p *Publisher) Close() error {
	p.closed.Store(true)
	return nil
}
