package main

import (
	"encoding/json"
	"fmt"

	"github.com/abrkit/abrkit/player"
)

// tracksJSON lists the presentation's tracks as abrkit play's report
// does ("tracks"); an empty list before load.
func (s *session) tracksJSON() ([]byte, error) { return listJSON(s, (*player.Player).Tracks) }

// levelsJSON lists the video ladder with what the constraints allow.
func (s *session) levelsJSON() ([]byte, error) { return listJSON(s, (*player.Player).Levels) }

// listJSON is list(p) as a JSON array: [] before load or when nil.
func listJSON[T any](s *session, list func(p *player.Player) []T) ([]byte, error) {
	v := []T{}
	p, err := s.player()
	switch err {
	case nil:
		if l := list(p); l != nil {
			v = l
		}
	case errNotLoaded:
	default:
		return nil, err
	}
	return json.Marshal(v)
}

func (s *session) selectAudio(id string) error {
	p, err := s.player()
	if err != nil {
		return err
	}
	return p.SelectAudio(id)
}

// setLevel fixes the video level; a negative level returns to the ABR.
func (s *session) setLevel(level int) error {
	p, err := s.player()
	if err != nil {
		return err
	}
	if level < 0 {
		p.SetAutoLevel()
		return nil
	}
	return p.SetLevel(level)
}

func (s *session) setConstraints(c player.Constraints) error {
	if c.MinBitrate < 0 || c.MaxBitrate < 0 || c.MaxWidth < 0 || c.MaxHeight < 0 {
		return fmt.Errorf("%w: negative constraint", errInvalidArg)
	}
	p, err := s.player()
	if err != nil {
		return err
	}
	return p.SetConstraints(c)
}
