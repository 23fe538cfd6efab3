package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/abrkit/abrkit/download"
)

// manager is a download manager behind a handle.
type manager struct {
	m  *download.Manager
	ev *dispatcher[download.Event]
}

// openManager opens (or creates) the download folder dir and starts the
// manager: downloads left active by an earlier process resume.
func openManager(dir string) (*manager, error) {
	if dir == "" {
		return nil, fmt.Errorf("%w: empty download folder", errInvalidArg)
	}
	ev := newDispatcher[download.Event]()
	m, err := download.New(download.Config{Dir: dir, OnEvent: ev.OnEvent})
	if err != nil {
		return nil, err
	}
	m.Start()
	return &manager{m: m, ev: ev}, nil
}

// start queues the title at url; it returns the download's id.
func (m *manager) start(url, title string, maxBitrate int) (string, error) {
	if url == "" || maxBitrate < 0 {
		return "", fmt.Errorf("%w: empty url or negative max_bitrate", errInvalidArg)
	}
	return m.m.Add(download.Request{URL: url, Title: title, Selection: download.Selection{MaxBitrate: maxBitrate}})
}

func (m *manager) pause(id string) error  { return m.m.Pause(id) }
func (m *manager) resume(id string) error { return m.m.Resume(id) }
func (m *manager) remove(id string) error { return m.m.Remove(id) }

// downloadJSON is a download as the C API shows it: the manager's snapshot
// with its state by name and the fraction done.
type downloadJSON struct {
	download.Download
	State    string  `json:"state"`
	Fraction float64 `json:"fraction"`
}

func toJSON(d download.Download) downloadJSON {
	return downloadJSON{Download: d, State: d.State.String(), Fraction: d.Progress.Fraction()}
}

// listJSON is a JSON array of every download, oldest first.
func (m *manager) listJSON() ([]byte, error) {
	ds, err := m.m.List()
	if err != nil {
		return nil, err
	}
	out := make([]downloadJSON, 0, len(ds))
	for _, d := range ds {
		out = append(out, toJSON(d))
	}
	return json.Marshal(out)
}

// getJSON is one download.
func (m *manager) getJSON(id string) ([]byte, error) {
	d, err := m.m.Get(id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(toJSON(d))
}

// wait blocks until the download is at rest (completed, paused, failed).
func (m *manager) wait(ctx context.Context, id string) ([]byte, error) {
	d, err := m.m.Await(ctx, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(toJSON(d))
}

// close stops the manager, then event delivery.
func (m *manager) close() error {
	err := m.m.Close()
	m.ev.close()
	return err
}
