package emulator

import "errors"

// ErrNoTool means a launch was asked for while no tool is registered.
var ErrNoTool = errors.New("no tool is registered")

// ErrUnknownClient means a client_id names no registered tool.
var ErrUnknownClient = errors.New("unknown client_id")

// ErrBadRequest means what a tool sent breaks the protocol; the wrapped
// text says how.
var ErrBadRequest = errors.New("invalid request")

// ErrLaunchRefused means the platform refused a step of a launch that
// Launch was driving; the wrapped text carries the platform's reason.
var ErrLaunchRefused = errors.New("launch refused")

// ErrToolResponse means the tool answered a step of registration or
// launch in a way the protocol does not allow.
var ErrToolResponse = errors.New("unexpected answer from tool")
