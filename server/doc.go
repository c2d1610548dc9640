// Package server is the credentials endpoint of awsrun --server: an HTTP
// server on the loopback interface that answers a command's AWS SDKs as the
// ECS and EKS container-credentials endpoints do, while a background loop
// keeps what it serves fresh.
//
// Guarantees:
//
//   - Reachable from this machine only: it listens on 127.0.0.1 at a port
//     the kernel picks, and refuses any peer that is not a loopback address
//     and any Host header that does not name 127.0.0.1 or localhost (a web
//     page that rebinds a domain name to 127.0.0.1 is refused before the
//     token is even looked at).
//   - Served only to who holds the token: every request must carry exactly
//     the random token made by Start in its Authorization header. The
//     comparison takes the same time whatever the header holds, so timing
//     tells an attacker nothing about the token. A request without the
//     header gets 401, a wrong token 403.
//   - One path, one method: GET of the path in URL. Anything else is 404 or
//     405. Request headers are capped at 16 KiB, bodies are never read, and
//     reading, writing and idle connections all have deadlines.
//   - Refreshed ahead: what the endpoint serves keeps at least Lead (15
//     minutes) of validity while the credentials' own lifetime allows it;
//     the refresh runs in the background from the credentials' expiry, so a
//     request is answered at once from memory and never waits on STS unless
//     nothing valid is left and a refresh is under way.
//   - Failures said once: when refreshing fails, the loop retries with
//     backoff, tells Notify once per run of failures (and once when it works
//     again), and the endpoint's error says why once the current
//     credentials are no longer worth serving.
//   - No secret in a log line or a message: key ids are masked, secret keys
//     and session tokens appear only in the body of an authorized answer.
package server
