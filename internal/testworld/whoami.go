package testworld

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// CallerARN asks STS at $AWS_ENDPOINT_URL_STS who the credentials in
// $AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY and $AWS_SESSION_TOKEN are, as
// any SDK-based child of awsrun would. It signs for region: the fake STS,
// like AWS, rejects a key of one partition used in another's region.
func CallerARN(ctx context.Context, region string) (string, error) {
	client := sts.New(sts.Options{
		Region:       region,
		BaseEndpoint: aws.String(os.Getenv("AWS_ENDPOINT_URL_STS")),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{
				AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
				SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
				SessionToken:    os.Getenv("AWS_SESSION_TOKEN"),
			}, nil
		}),
	})
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}
