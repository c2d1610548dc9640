package ststest

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is an error as STS reports it: an HTTP status and an ErrorResponse
// body with a code and a message.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// errorType is the ErrorResponse Type: who is at fault.
func (e *apiError) errorType() string {
	if e.status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

func accessDenied(message string) *apiError {
	return &apiError{http.StatusForbidden, "AccessDenied", message}
}

func notAuthorized(caller *principal, action, resource string) *apiError {
	return accessDenied(fmt.Sprintf("User: %s is not authorized to perform: sts:%s on resource: %s", caller.arn, action, resource))
}

func validationError(message string) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationError", message}
}

var (
	errMissingAuth = &apiError{http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token"}
	errInvalidKey  = &apiError{http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."}
	errExpired     = &apiError{http.StatusBadRequest, "ExpiredToken", "The security token included in the request is expired"}
	errSignature   = &apiError{http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
)

func incompleteSignature(message string) *apiError {
	return &apiError{http.StatusBadRequest, "IncompleteSignature", message}
}

func signatureMismatch(message string) *apiError {
	return &apiError{http.StatusForbidden, "SignatureDoesNotMatch", message}
}

func invalidAction(action, version string) *apiError {
	if version == "" {
		version = "NO_VERSION_SPECIFIED"
	}
	return &apiError{http.StatusBadRequest, "InvalidAction", fmt.Sprintf("Could not find operation %s for version %s", action, version)}
}

// validation collects parameter constraint violations and reports them in
// one ValidationError, worded as AWS words them.
type validation struct {
	problems []string
}

func (v *validation) fail(value *string, field, constraint string) {
	shown := "null"
	if value != nil {
		shown = "'" + *value + "'"
	}
	v.problems = append(v.problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", shown, field, constraint))
}

func (v *validation) err() *apiError {
	switch len(v.problems) {
	case 0:
		return nil
	case 1:
		return validationError("1 validation error detected: " + v.problems[0])
	default:
		return validationError(fmt.Sprintf("%d validation errors detected: %s", len(v.problems), strings.Join(v.problems, "; ")))
	}
}
