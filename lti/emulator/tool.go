package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Tool is a tool registered with the platform, by Dynamic Registration or
// by AddTool.
type Tool struct {
	ClientID         string
	DeploymentID     string
	Name             string
	InitiateLoginURI string
	RedirectURIs     []string
	JWKSURI          string
	TargetLinkURI    string
	Domain           string
	// Scopes are the service scopes granted at registration.
	Scopes []string
	// Messages are the message types the tool asked to receive.
	Messages []ToolMessage
	// Custom holds the tool-wide custom parameters.
	Custom map[string]string
	// Registration is the registration request as the tool sent it; empty
	// for tools added with AddTool.
	Registration json.RawMessage
}

// ToolMessage is one message type a tool supports, with its own launch
// URL and placements where the tool gave them.
type ToolMessage struct {
	Type          string            `json:"type"`
	TargetLinkURI string            `json:"target_link_uri,omitempty"`
	Label         string            `json:"label,omitempty"`
	Placements    []string          `json:"placements,omitempty"`
	Roles         []string          `json:"roles,omitempty"`
	Custom        map[string]string `json:"custom_parameters,omitempty"`
}

// AddTool registers a tool by hand, as an administrator filling in a form
// would. A missing ClientID or DeploymentID is assigned; read them back
// with Tools. A tool with an existing ClientID replaces that tool.
func (e *Emulator) AddTool(t Tool) {
	if t.ClientID == "" {
		t.ClientID = e.nextID("client")
	}
	if t.DeploymentID == "" {
		t.DeploymentID = e.nextID("deployment")
	}
	e.storeTool(t)
}

// storeTool saves a tool, replacing one with the same client id.
func (e *Emulator) storeTool(t Tool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.tools {
		if e.tools[i].ClientID == t.ClientID {
			e.tools[i] = t
			return
		}
	}
	e.tools = append(e.tools, t)
}

// Tools returns copies of the registered tools in registration order.
func (e *Emulator) Tools() []Tool {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Tool, len(e.tools))
	for i, t := range e.tools {
		out[i] = t.clone()
	}
	return out
}

// tool finds a registered tool by client id; with an empty id it returns
// the only tool, if exactly one is registered.
func (e *Emulator) tool(clientID string) (Tool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if clientID == "" {
		switch len(e.tools) {
		case 0:
			return Tool{}, ErrNoTool
		case 1:
			return e.tools[0].clone(), nil
		}
		return Tool{}, fmt.Errorf("%w: several tools are registered, name one", ErrUnknownClient)
	}
	for _, t := range e.tools {
		if t.ClientID == clientID {
			return t.clone(), nil
		}
	}
	return Tool{}, fmt.Errorf("%w: %q", ErrUnknownClient, clientID)
}

// clone copies a tool so that callers cannot change the stored one.
func (t Tool) clone() Tool {
	t.RedirectURIs = slices.Clone(t.RedirectURIs)
	t.Scopes = slices.Clone(t.Scopes)
	t.Custom = maps.Clone(t.Custom)
	t.Registration = slices.Clone(t.Registration)
	t.Messages = slices.Clone(t.Messages)
	for i, m := range t.Messages {
		m.Placements = slices.Clone(m.Placements)
		m.Roles = slices.Clone(m.Roles)
		m.Custom = maps.Clone(m.Custom)
		t.Messages[i] = m
	}
	return t
}

// message returns the tool's settings for a message type, if it gave any.
func (t Tool) message(typ string) (ToolMessage, bool) {
	for _, m := range t.Messages {
		if m.Type == typ {
			return m, true
		}
	}
	return ToolMessage{}, false
}
