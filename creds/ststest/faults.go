package ststest

import (
	"context"
	"net/http"
	"time"
)

// Fault is a failure the server injects into the calls it matches.
type Fault struct {
	// Action limits the fault to one action; "" matches every action.
	Action string
	// Status, when set, answers with this HTTP status and an error body:
	// InternalFailure (ServiceUnavailable for 503) unless Code is set.
	Status int
	// Code, when set, answers with this AWS error code at the status AWS
	// uses for it (e.g. "Throttling": 400, "Rate exceeded").
	Code string
	// Delay is slept before answering; a client that gives up ends it.
	Delay time.Duration
	// Malformed answers HTTP 200 with a truncated XML body.
	Malformed bool
	// Times is how many calls the fault applies to; 0 means every call
	// until ClearFaults.
	Times int
}

// fault is an injected Fault and how many calls it has hit.
type fault struct {
	Fault
	hits int
}

// knownFaultCodes are the status and message AWS sends with error codes
// tests commonly inject.
var knownFaultCodes = map[string]struct {
	status  int
	message string
}{
	"Throttling":                 {http.StatusBadRequest, "Rate exceeded"},
	"ThrottlingException":        {http.StatusBadRequest, "Rate exceeded"},
	"RequestLimitExceeded":       {http.StatusBadRequest, "Request limit exceeded."},
	"InternalFailure":            {http.StatusInternalServerError, "An internal error has occurred."},
	"ServiceUnavailable":         {http.StatusServiceUnavailable, "Service is unavailable. Please try again later."},
	"RegionDisabledException":    {http.StatusForbidden, "STS is not activated in this region for this account."},
	"IDPCommunicationError":      {http.StatusBadRequest, "Couldn't retrieve verification key from your identity provider."},
	"AccessDenied":               {http.StatusForbidden, "Access denied"},
	"ExpiredToken":               {errExpired.status, errExpired.message},
	"InvalidClientTokenId":       {errInvalidKey.status, errInvalidKey.message},
	"SignatureDoesNotMatch":      {errSignature.status, errSignature.message},
	"MissingAuthenticationToken": {errMissingAuth.status, errMissingAuth.message},
}

// apiError is the error the fault answers with, or nil when it answers
// normally after its delay.
func (f Fault) apiError() *apiError {
	if f.Status == 0 && f.Code == "" {
		return nil
	}
	e := &apiError{status: f.Status, code: f.Code}
	if known, ok := knownFaultCodes[f.Code]; ok {
		e.message = known.message
		if e.status == 0 {
			e.status = known.status
		}
	}
	switch {
	case e.code == "" && e.status == http.StatusServiceUnavailable:
		e.code, e.message = "ServiceUnavailable", knownFaultCodes["ServiceUnavailable"].message
	case e.code == "":
		e.code, e.message = "InternalFailure", knownFaultCodes["InternalFailure"].message
	case e.status == 0:
		e.status = http.StatusBadRequest
	}
	if e.message == "" {
		e.message = "Injected fault."
	}
	return e
}

// InjectFault adds f after the faults already injected; a call gets the
// first one that matches it.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{Fault: f})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the first fault matching action and counts the hit.
func (s *Server) takeFault(action string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Action != "" && f.Action != action {
			continue
		}
		f.hits++
		if f.Times > 0 && f.hits >= f.Times {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// injectedReply applies the fault matching the call, if any. It reports
// handled when the fault decided the answer: then reply is that answer, or
// nil when the client gave up during the delay.
func (s *Server) injectedReply(ctx context.Context, call *Call, requestID string) (r *reply, handled bool) {
	f, ok := s.takeFault(call.Action)
	if !ok {
		return nil, false
	}
	if !s.wait(ctx, f.Delay) {
		call.ErrorCode = errCanceled
		return nil, true
	}
	if f.Malformed {
		return malformedReply(call.Action, requestID), true
	}
	if err := f.apiError(); err != nil {
		call.ErrorCode = err.code
		return errorReply(err, requestID), true
	}
	return nil, false
}

// wait sleeps for d, and reports false if the client gave up or the server
// closed first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}
