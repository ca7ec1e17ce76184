package store

import (
	"testing"
)

// TestSessionCache: a session is read from the database once and then kept
// (a row removed behind the store's back is still seen, up to the cache's
// lifetime), and every change that ends a session or changes its person
// shows at once: logout, a new name, a new role, a deactivation, a password
// reset, the idle clock (a touch moves the kept LastSeenAt).
func TestSessionCache(t *testing.T) {
	f := newFixture(t)
	s, ctx := f.st, f.ctx
	start := func(hash string, userID int64) {
		t.Helper()
		if err := s.StartSession(ctx, hash, "csrf-"+hash, userID, "127.0.0.1", "test"); err != nil {
			t.Fatal(err)
		}
		if row, err := s.Session(ctx, hash); err != nil || row.ID != userID {
			t.Fatalf("session %s: %+v %v", hash, row, err)
		}
	}
	gone := func(what, hash string) {
		t.Helper()
		if row, err := s.Session(ctx, hash); !IsNoRows(err) {
			t.Errorf("%s: session %s still answers %+v %v", what, hash, row, err)
		}
	}

	// Kept: deleting the row behind the store's back goes unseen…
	start("kept", f.manager.ID)
	if _, err := s.writer.Exec("DELETE FROM sessions WHERE token_hash = 'kept'"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "kept"); err != nil {
		t.Fatalf("the kept session was read again: %v", err)
	}
	// …until a change of any person drops what is kept.
	if err := s.UpdateProfile(ctx, f.owner.ID, "Новое Имя Владельца", ""); err != nil {
		t.Fatal(err)
	}
	gone("after a profile change", "kept")

	// A new name shows in the next request.
	start("own", f.owner.ID)
	if err := s.UpdateProfile(ctx, f.owner.ID, "Ещё Одно Имя", "+7 900 000-00-00"); err != nil {
		t.Fatal(err)
	}
	if row, err := s.Session(ctx, "own"); err != nil || row.Name != "Ещё Одно Имя" {
		t.Errorf("after a name change: %q %v", row.Name, err)
	}

	// Logout.
	start("out", f.accountant.ID)
	if err := s.EndSession(ctx, "out"); err != nil {
		t.Fatal(err)
	}
	gone("logout", "out")

	// A new role ends the person's sessions.
	start("role", f.manager.ID)
	if err := s.UpdateUser(ctx, f.owner.ID, f.manager.ID, UserInput{Login: f.manager.Login, Name: f.manager.Name, Role: "accountant"}); err != nil {
		t.Fatal(err)
	}
	gone("role change", "role")

	// Deactivation.
	start("off", f.warmer.ID)
	if err := s.SetUserActive(ctx, f.owner.ID, f.warmer.ID, false); err != nil {
		t.Fatal(err)
	}
	gone("deactivation", "off")

	// A password reset ends the other sessions, keeps the one that made it.
	start("mine", f.admin.ID)
	start("other", f.admin.ID)
	if err := s.SetPassword(ctx, f.admin.ID, f.admin.ID, "new-hash", "mine"); err != nil {
		t.Fatal(err)
	}
	gone("password reset", "other")
	if _, err := s.Session(ctx, "mine"); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}

	// A touch moves the kept LastSeenAt (the idle timeout reads it).
	before, _ := s.Session(ctx, "mine")
	f.advance(90e9)
	if err := s.TouchSession(ctx, "mine"); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.Session(ctx, "mine"); !after.LastSeenAt.After(before.LastSeenAt) {
		t.Errorf("touch: LastSeenAt %v, was %v", after.LastSeenAt, before.LastSeenAt)
	}
}
