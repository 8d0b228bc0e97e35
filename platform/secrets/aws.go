package secrets

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// awsStores builds the AWS configuration on first use, once, and shares it
// between the two stores' clients.
type awsStores struct {
	once sync.Once
	cfg  aws.Config
	err  error
}

func (s *awsStores) config(ctx context.Context) (aws.Config, error) {
	s.once.Do(func() {
		s.cfg, s.err = config.LoadDefaultConfig(ctx)
		if s.err != nil {
			s.err = fmt.Errorf("AWS configuration: %w", s.err)
		}
	})
	return s.cfg, s.err
}

// parameter reads an SSM parameter, decrypting a SecureString.
func (s *awsStores) parameter(ctx context.Context, name string) (string, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return "", err
	}
	out, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{
		Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", err
	}
	if out.Parameter == nil {
		return "", errors.New("SSM answered no parameter")
	}
	return aws.ToString(out.Parameter.Value), nil
}

// secret reads the current version of a Secrets Manager secret, which must
// hold a string.
func (s *awsStores) secret(ctx context.Context, id string) (string, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return "", err
	}
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(id)})
	if err != nil {
		return "", err
	}
	if out.SecretString == nil {
		return "", errors.New("the secret holds binary data, not a string")
	}
	return *out.SecretString, nil
}
