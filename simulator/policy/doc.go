// Package policy holds the policy every simulated viewer follows,
// whichever driver runs it: the buffer policy a scenario asks for, the
// bitrate cap of a device, the ABR algorithm a device names (with
// [DefaultABR] when it names none) and the content the simulator cannot
// model yet. The live (real-time) and virtual (event-queue) drivers both
// import it, so a viewer is configured the same way in both modes.
package policy
