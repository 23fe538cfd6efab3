// Command cabi is the C ABI of the abrkit player SDK: build it as a shared
// library or a static archive and call it from C, C++, Swift, Kotlin/JNI or
// any language with a C FFI.
//
//	go build -buildmode=c-shared  -o libabrkit.so ./sdk/cabi
//	go build -buildmode=c-archive -o libabrkit.a  ./sdk/cabi
//
// The API is declared by the hand-written header abrkit.h next to this file
// (not by the libabrkit.h that go build writes): players (create, load, play,
// pause, seek, status and QoE as C structs or JSON, an event callback) and a
// download manager (open, start, pause, resume, remove, list, wait), and
// offline playback of a completed download.
//
// Design rules, each enforced here rather than left to the caller:
//
//   - Objects cross the boundary as integer handles from a table, never as
//     pointers; a stale handle is an error code, not a crash.
//   - Every function is safe from any thread. Results are codes; the message
//     is kept per OS thread (abrkit_last_error), as errno is.
//   - Events reach C on a dispatcher goroutine per player, locked to its own
//     OS thread, so the player's goroutine never waits for foreign code.
//   - Strings the library returns are malloc'd and freed with abrkit_free;
//     structs carry their size so that fields can be appended.
//   - A Go panic inside a call becomes ABRKIT_E_INTERNAL.
//
// examples/c holds a C program using the library and a runner that builds
// and plays it against a local server.
package main
