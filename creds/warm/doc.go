// Package warm is awsrun's warm path: it finds the cached credentials of an
// invocation without reading the AWS config or linking the AWS SDK, so the
// launcher can exec a command a millisecond after it starts.
//
// The cold path (awsrun-core) resolves a profile with the SDK, fetches or
// reuses credentials step by step, and records in an index entry which
// step's credentials the invocation ends in. The index entry is named by a
// hash of everything outside the cache that could change that answer: the
// profile, the flags that shape credentials, the config and credentials
// files' paths, sizes and modification times, and the environment
// variables the SDK and awsrun read. Any change is a miss, and the cold
// path runs again; the index never decides more than which entry to read.
//
// Index entries live in the encrypted cache like every other entry: no
// profile name, ARN or secret is readable on disk.
package warm
