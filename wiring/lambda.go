package wiring

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"example.com/modmono/platform/lambdafn"
	"example.com/modmono/platform/messaging"
)

// LambdaHandler returns the Lambda handler of f's module.
func LambdaHandler(f *Function, logger *slog.Logger) *lambdafn.Handler {
	var events lambdafn.EventApplier
	if f.Processor != nil {
		events = f.eventApplier()
	}
	return lambdafn.New(f.Echo, events, f.RelayOnce, messaging.UnmarshalMessage, f.maxEvent, logger)
}

// RunLambda runs cfg.Module under the Lambda runtime. It returns only on a
// start-up error: the runtime loop ends with the process.
func RunLambda(ctx context.Context, cfg Config, logger *slog.Logger) error {
	f, stop, err := startFunction(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer stop()
	lambda.StartWithOptions(LambdaHandler(f, logger), lambda.WithContext(ctx), lambda.WithEnableSIGTERM(stop))
	return nil
}
