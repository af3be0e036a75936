package pipeline

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func holder(token string) LeaseHolder {
	host, _ := os.Hostname()
	return LeaseHolder{Token: token, Host: host, PID: os.Getpid()}
}

func TestLeaseExclusive(t *testing.T) {
	dir := t.TempDir()
	l, err := acquireLease(dir, "movie", holder("a"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = acquireLease(dir, "movie", holder("b"), time.Minute)
	var busy *LeaseBusyError
	if !errors.As(err, &busy) || busy.Holder.Token != "a" {
		t.Fatalf("second acquire: err = %v, want busy held by a", err)
	}
	if !l.held() {
		t.Fatal("the holder lost its lease")
	}
	if err := l.release(); err != nil {
		t.Fatal(err)
	}
	l2, err := acquireLease(dir, "movie", holder("b"), time.Minute)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.release()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("leftovers: %v", entries)
	}
}

// A lease whose holder died on this host is taken over at once; one whose
// holder stopped renewing is taken over after the TTL.
func TestLeaseStale(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", "exit 0")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run sh for a process that has exited: %v", err)
	}
	dead := holder("dead")
	dead.PID = cmd.Process.Pid
	l, err := acquireLease(dir, "a", dead, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	close(l.stop) // the dead holder renews nothing
	<-l.ended
	l2, err := acquireLease(dir, "a", holder("new"), time.Hour)
	if err != nil {
		t.Fatalf("take over a dead holder's lease: %v", err)
	}
	l2.release()

	other := holder("elsewhere")
	other.Host = "another-host"
	l3, err := acquireLease(dir, "b", other, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	close(l3.stop)
	<-l3.ended
	if _, err := acquireLease(dir, "b", holder("new"), time.Hour); err == nil {
		t.Fatal("took over a live lease of another host")
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "b.lease"), old, old); err != nil {
		t.Fatal(err)
	}
	l4, err := acquireLease(dir, "b", holder("new"), time.Hour)
	if err != nil {
		t.Fatalf("take over an expired lease: %v", err)
	}
	if l3.held() {
		t.Error("the displaced holder still thinks it holds the lease")
	}
	l4.release()
}

// Many workers racing for one title, fresh or stale: exactly one wins.
func TestLeaseRace(t *testing.T) {
	for _, stale := range []bool{false, true} {
		dir := t.TempDir()
		if stale {
			other := holder("old")
			other.Host = "gone"
			l, err := acquireLease(dir, "x", other, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			close(l.stop)
			<-l.ended
			old := time.Now().Add(-2 * time.Hour)
			os.Chtimes(filepath.Join(dir, "x.lease"), old, old)
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			wins []*lease
		)
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, err := acquireLease(dir, "x", holder(string(rune('a'+i))), time.Hour)
				if err == nil {
					mu.Lock()
					wins = append(wins, l)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(wins) != 1 {
			t.Fatalf("stale=%v: %d workers won the lease, want 1", stale, len(wins))
		}
		if !wins[0].held() {
			t.Fatalf("stale=%v: the winner does not hold the lease", stale)
		}
		wins[0].release()
	}
}
