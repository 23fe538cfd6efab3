package abr

import (
	"errors"
	"testing"
)

func TestNew(t *testing.T) {
	for _, name := range Names() {
		a, err := New(name)
		if err != nil {
			t.Fatalf("New(%q) = %v", name, err)
		}
		if a.Name() != name {
			t.Errorf("New(%q).Name() = %q; want %q", name, a.Name(), name)
		}
	}
	if _, err := New("nope"); !errors.Is(err, ErrUnknown) {
		t.Errorf("New(nope) = %v; want ErrUnknown", err)
	}
	if _, err := New(Optimal); !errors.Is(err, ErrOffline) {
		t.Errorf("New(optimal) = %v; want ErrOffline", err)
	}
}

func TestNewEstimator(t *testing.T) {
	for _, name := range EstimatorNames() {
		e, err := NewEstimator(name)
		if err != nil || e == nil {
			t.Fatalf("NewEstimator(%q) = %v, %v", name, e, err)
		}
		if _, ok := e.Estimate(); ok {
			t.Errorf("NewEstimator(%q).Estimate() ok before any sample", name)
		}
	}
	if _, err := NewEstimator("nope"); !errors.Is(err, ErrUnknown) {
		t.Errorf("NewEstimator(nope) = %v; want ErrUnknown", err)
	}
	if DefaultEstimator() == nil {
		t.Fatal("DefaultEstimator() = nil")
	}
}
