package emulator

import (
	"errors"
	"fmt"
)

// contentItems reads the content_items claim; only ltiResourceLink items
// are accepted, as the request's accept_types said.
func contentItems(v any, clientID string) ([]ResourceLink, error) {
	if v == nil {
		return nil, nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil, errors.New("content_items must be a list")
	}
	links := make([]ResourceLink, 0, len(items))
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("content_items[%d] must be an object", i)
		}
		l, err := resourceLinkItem(m)
		if err != nil {
			return nil, fmt.Errorf("content_items[%d]: %w", i, err)
		}
		l.ClientID = clientID
		links = append(links, l)
	}
	return links, nil
}

// resourceLinkItem turns one ltiResourceLink content item into a link.
func resourceLinkItem(m map[string]any) (ResourceLink, error) {
	if typ, _ := m["type"].(string); typ != "ltiResourceLink" {
		return ResourceLink{}, fmt.Errorf("type %q is not accepted", typ)
	}
	var l ResourceLink
	l.Title, _ = m["title"].(string)
	l.Description, _ = m["text"].(string)
	if u, ok := m["url"]; ok {
		if err := absoluteURL(u); err != nil {
			return l, fmt.Errorf("url: %w", err)
		}
		l.URL = u.(string)
	}
	custom, err := stringMap(m["custom"])
	if err != nil {
		return l, fmt.Errorf("custom: %w", err)
	}
	l.Custom = custom
	if li, ok := m["lineItem"]; ok {
		item, err := lineItem(li, l.Title)
		if err != nil {
			return l, fmt.Errorf("lineItem: %w", err)
		}
		l.LineItem = item
	}
	if l.Title == "" {
		l.Title = "Untitled activity"
	}
	return l, nil
}

// lineItem reads a content item's lineItem; its label defaults to the
// item's title.
func lineItem(v any, title string) (*LineItem, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("must be an object")
	}
	max, ok := m["scoreMaximum"].(float64)
	if !ok || max <= 0 {
		return nil, errors.New("scoreMaximum must be a number above 0")
	}
	li := &LineItem{ScoreMaximum: max, Label: title}
	if s, ok := m["label"].(string); ok && s != "" {
		li.Label = s
	}
	li.ResourceID, _ = m["resourceId"].(string)
	li.Tag, _ = m["tag"].(string)
	return li, nil
}
