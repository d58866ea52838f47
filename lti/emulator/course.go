package emulator

import "maps"

// Context is the course a launch happens in.
type Context struct {
	ID    string
	Label string
	Title string
	// Type is a context type URI; a course offering when empty.
	Type string
}

// ResourceLink is an activity placed in the course.
type ResourceLink struct {
	ID          string
	Title       string
	Description string
	// ClientID names the tool the link launches; the only registered tool
	// when empty.
	ClientID string
	// URL is the target_link_uri; the tool's own when empty.
	URL string
	// Custom holds the link's custom parameters.
	Custom map[string]string
	// LineItem is the gradebook column created with the link, if any.
	LineItem *LineItem
}

// LineItem is a gradebook column tied to a resource link.
type LineItem struct {
	ID           string
	Label        string
	ScoreMaximum float64
	ResourceID   string
	Tag          string
}

// courseTypeOffering is the context type a course section's offering has.
const courseTypeOffering = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"

// DefaultContext returns the demo course.
func DefaultContext() Context {
	return Context{
		ID:    "7d1f3a92-5b0e-4c6d-8e2f-1a9b4c3d5e60",
		Label: "LIT-101",
		Title: "Reading Aesop's Fables",
		Type:  courseTypeOffering,
	}
}

// DefaultResourceLink returns the activity every demo course starts with.
func DefaultResourceLink() ResourceLink {
	return ResourceLink{
		ID:          "3c8e5f21-9d4b-4a7e-b6c0-2f1d8e9a7b10",
		Title:       "Aesop tutor",
		Description: "Talk through this week's fables with the tutor.",
	}
}

// withDefaults fills an empty context with the demo course.
func (c Context) withDefaults() Context {
	if c.ID == "" {
		return DefaultContext()
	}
	if c.Type == "" {
		c.Type = courseTypeOffering
	}
	return c
}

// ResourceLinks returns the course's activities: the ones added through
// deep linking, in the order they were added.
func (e *Emulator) ResourceLinks() []ResourceLink {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]ResourceLink, len(e.links))
	for i, l := range e.links {
		out[i] = l.clone()
	}
	return out
}

// AddLink adds a link to the course as an instructor adds one by hand in
// the LMS, outside deep linking. With a LineItem, the LMS made the link's
// gradebook column itself, as Moodle does when "Accept grades from the
// tool" is ticked, and the link's launches name that column. An empty
// ClientID is the only registered tool's.
func (e *Emulator) AddLink(l ResourceLink) error {
	if l.ClientID == "" {
		t, err := e.tool("")
		if err != nil {
			return err
		}
		l.ClientID = t.ClientID
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.links = append(e.links, l.clone())
	return nil
}

// clone copies a link so that callers cannot change the stored one.
func (l ResourceLink) clone() ResourceLink {
	l.Custom = maps.Clone(l.Custom)
	if l.LineItem != nil {
		li := *l.LineItem
		l.LineItem = &li
	}
	return l
}

// resourceLink finds an activity by id, the default one included.
func (e *Emulator) resourceLink(id string) (ResourceLink, bool) {
	if id == DefaultResourceLink().ID {
		return DefaultResourceLink(), true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.links {
		if l.ID == id {
			return l.clone(), true
		}
	}
	return ResourceLink{}, false
}
