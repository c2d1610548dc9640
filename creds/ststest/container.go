package ststest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// ContainerEndpoint is a fake of the credentials endpoint ECS and EKS give
// a container: a GET answered with the task role's credentials as JSON
// (AccessKeyId, SecretAccessKey, Token, Expiration), refused with 401 when
// the Authorization header is not the container's token. The SDK reaches
// it through AWS_CONTAINER_CREDENTIALS_FULL_URI, which it accepts only for
// loopback and container hosts: this one listens on 127.0.0.1.
//
// The credentials are sessions of a role registered on the STS server, so
// they work against it like any other.
type ContainerEndpoint struct {
	// URL is the endpoint, http://127.0.0.1:PORT/v1/credentials.
	URL string

	sts       *Server
	srv       *httptest.Server
	role      *Role
	session   string
	authToken string

	mu    sync.Mutex
	calls []int // HTTP status of each answer
}

// NewContainerEndpoint starts an endpoint that hands out sessions of
// roleARN, a role registered on the server, to callers that present
// authToken ("" accepts any). It panics if the role is not registered: it
// is test setup.
func (s *Server) NewContainerEndpoint(roleARN, authToken string) *ContainerEndpoint {
	s.mu.Lock()
	role, ok := s.roles[roleARN]
	s.mu.Unlock()
	if !ok {
		panic("ststest: NewContainerEndpoint: no role " + roleARN)
	}
	e := &ContainerEndpoint{sts: s, role: role, session: "task-" + randomID(8), authToken: authToken}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	e.URL = e.srv.URL + "/v1/credentials"
	return e
}

// Close shuts the endpoint down.
func (e *ContainerEndpoint) Close() { e.srv.Close() }

// Calls returns the HTTP status of each answer so far, oldest first.
func (e *ContainerEndpoint) Calls() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int(nil), e.calls...)
}

func (e *ContainerEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	status := http.StatusOK
	switch {
	case r.Method != http.MethodGet:
		status = http.StatusMethodNotAllowed
	case e.authToken != "" && r.Header.Get("Authorization") != e.authToken:
		status = http.StatusUnauthorized
	}
	e.mu.Lock()
	e.calls = append(e.calls, status)
	e.mu.Unlock()
	switch status {
	case http.StatusMethodNotAllowed:
		writeJSON(w, status, map[string]string{"code": "MethodNotAllowed", "message": "use GET"})
		return
	case http.StatusUnauthorized:
		writeJSON(w, status, map[string]string{"code": "AccessDenied", "message": "Unable to authorize the request: wrong or missing authorization token"})
		return
	}
	e.sts.mu.Lock()
	c := e.sts.issueLocked(roleSession(e.role, e.session), 6*time.Hour, false, time.Time{})
	c.issuedBy = "AssumeRole"
	e.sts.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{
		"AccessKeyId":     c.accessKeyID,
		"SecretAccessKey": c.secret,
		"Token":           c.sessionToken,
		"Expiration":      c.expires.UTC().Format(time.RFC3339),
		"RoleArn":         e.role.ARN,
	})
}
