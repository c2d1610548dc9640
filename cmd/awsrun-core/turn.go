package main

import (
	"github.com/awsrun/awsrun/cache"
)

// adoptTurn takes charge of the cold-turn lock the launcher handed over
// (cli.TurnVar): launches of the same invocation wait on it in the
// launcher until this run has written the warm index entry. It must
// happen before anything is started (mfa_process, credential_process, the
// command), which would otherwise inherit the lock and keep them waiting.
func (a *app) adoptTurn(s *cache.Store) {
	if a.turnFD < 0 || a.turn != nil {
		return
	}
	a.turn, _ = s.AdoptTurn(a.turnFD, a.inv.IndexID)
}

// endTurn releases the cold-turn lock: the index entry is written, or
// will not be.
func (a *app) endTurn() {
	if a.turn != nil {
		a.turn.Close()
		a.turn = nil
	}
}
