package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
)

// Code is a result code of the C API; the values match the ABRKIT_*
// constants of abrkit.h (0 success, negative failures).
type Code int32

// Result codes; keep in step with abrkit.h (TestHeaderCodes checks).
const (
	CodeOK              Code = 0
	CodeInvalidHandle   Code = -1
	CodeInvalidArgument Code = -2
	CodeClosed          Code = -3
	CodeNotLoaded       Code = -4
	CodeBadState        Code = -5
	CodeTimeout         Code = -6
	CodeNetwork         Code = -7
	CodeManifest        Code = -8
	CodePlayback        Code = -9
	CodeNotFound        Code = -10
	CodeExists          Code = -11
	CodeNoSpace         Code = -12
	CodeExpired         Code = -13
	CodeIncomplete      Code = -14
	CodeDRM             Code = -15
	CodeInternal        Code = -99
)

var codeNames = map[Code]string{
	CodeOK: "ABRKIT_OK", CodeInvalidHandle: "ABRKIT_E_INVALID_HANDLE", CodeInvalidArgument: "ABRKIT_E_INVALID_ARGUMENT",
	CodeClosed: "ABRKIT_E_CLOSED", CodeNotLoaded: "ABRKIT_E_NOT_LOADED", CodeBadState: "ABRKIT_E_BAD_STATE",
	CodeTimeout: "ABRKIT_E_TIMEOUT", CodeNetwork: "ABRKIT_E_NETWORK", CodeManifest: "ABRKIT_E_MANIFEST",
	CodePlayback: "ABRKIT_E_PLAYBACK", CodeNotFound: "ABRKIT_E_NOT_FOUND", CodeExists: "ABRKIT_E_EXISTS",
	CodeNoSpace: "ABRKIT_E_NO_SPACE", CodeExpired: "ABRKIT_E_EXPIRED", CodeIncomplete: "ABRKIT_E_INCOMPLETE",
	CodeDRM: "ABRKIT_E_DRM", CodeInternal: "ABRKIT_E_INTERNAL",
}

func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("Code(%d)", int32(c))
}

// Errors of the binding itself.
var (
	errInvalidHandle = errors.New("abrkit: invalid handle")
	errInvalidArg    = errors.New("abrkit: invalid argument")
	errNotLoaded     = errors.New("abrkit: nothing loaded (call abrkit_player_load first)")
	errLoaded        = errors.New("abrkit: already loaded (create a new player for another source)")
)

// codeOf maps an error to its result code; nil is CodeOK.
func codeOf(err error) Code {
	var pe *player.PlaybackError
	var se *download.SpaceError
	switch {
	case err == nil:
		return CodeOK
	case errors.Is(err, errInvalidHandle):
		return CodeInvalidHandle
	case errors.Is(err, errInvalidArg), errors.Is(err, player.ErrBitrate), errors.Is(err, player.ErrBadOption),
		errors.Is(err, player.ErrBadLevel):
		return CodeInvalidArgument
	case errors.Is(err, player.ErrClosed), errors.Is(err, download.ErrClosed):
		return CodeClosed
	case errors.Is(err, errNotLoaded), errors.Is(err, player.ErrNotLoaded):
		return CodeNotLoaded
	case errors.Is(err, errLoaded), errors.Is(err, download.ErrBadState), errors.Is(err, download.ErrLocked):
		return CodeBadState
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return CodeTimeout
	case errors.Is(err, download.ErrNotFound), errors.Is(err, player.ErrNoTrack), errors.Is(err, player.ErrNoThumbnails):
		return CodeNotFound
	case errors.Is(err, download.ErrExists):
		return CodeExists
	case errors.As(err, &se), errors.Is(err, download.ErrDiskFull), errors.Is(err, download.ErrQuota):
		return CodeNoSpace
	case errors.Is(err, download.ErrExpired):
		return CodeExpired
	case errors.Is(err, download.ErrIncomplete):
		return CodeIncomplete
	case errors.As(err, &pe):
		switch pe.Category {
		case player.ErrNetwork, player.ErrHTTP, player.ErrNoServers:
			return CodeNetwork
		case player.ErrManifest:
			return CodeManifest
		case player.ErrDRM:
			return CodeDRM
		}
		return CodePlayback
	case errors.Is(err, manifest.ErrMalformed), errors.Is(err, manifest.ErrUnknownFormat):
		return CodeManifest
	case errors.Is(err, player.ErrNoPlayable), errors.Is(err, player.ErrTooManyErrors), errors.Is(err, player.ErrStatus):
		return CodePlayback
	}
	return CodeInternal
}
