package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Media types of the Assignment and Grade Services.
const (
	MediaLineItem          = "application/vnd.ims.lis.v2.lineitem+json"
	MediaLineItemContainer = "application/vnd.ims.lis.v2.lineitemcontainer+json"
	MediaScore             = "application/vnd.ims.lis.v1.score+json"
	MediaResultContainer   = "application/vnd.ims.lis.v2.resultcontainer+json"
)

// servicePageSize is how many records a page of a service list holds when
// the tool names no limit; it is small so that tools' paging is exercised.
const servicePageSize = 3

// agsItem is a gradebook column as the grade service keeps it.
type agsItem struct {
	id, contextID, clientID string
	lineItemJSON
}

// lineItemJSON is a line item as AGS sends and receives it.
type lineItemJSON struct {
	ID             string  `json:"id,omitempty"`
	Label          string  `json:"label"`
	ScoreMaximum   float64 `json:"scoreMaximum"`
	ResourceID     string  `json:"resourceId,omitempty"`
	ResourceLinkID string  `json:"resourceLinkId,omitempty"`
	Tag            string  `json:"tag,omitempty"`
	StartDateTime  string  `json:"startDateTime,omitempty"`
	EndDateTime    string  `json:"endDateTime,omitempty"`
}

// itemURL is a line item's id: its URL, with Moodle's type_id query.
func (e *Emulator) itemURL(it *agsItem) string {
	return e.courseServiceURL(Context{ID: it.contextID},
		"/line_items/"+url.PathEscape(it.id)) + e.typeQuery(it.clientID)
}

// typeQuery is "?type_id=N" on Moodle, which numbers its tool types and
// adds the number to every service URL, and "" elsewhere.
func (e *Emulator) typeQuery(clientID string) string {
	if e.cfg.ProductFamily != FamilyMoodle {
		return ""
	}
	return "?type_id=" + strconv.Itoa(e.typeID(clientID))
}

// typeID numbers a tool as Moodle would: by registration order, from 1.
func (e *Emulator) typeID(clientID string) int {
	return slices.IndexFunc(e.Tools(), func(t Tool) bool { return t.ClientID == clientID }) + 1
}

// checkTypeID refuses, on Moodle, a type_id other than the tool's own.
func (e *Emulator) checkTypeID(w http.ResponseWriter, r *http.Request, clientID string) bool {
	v := r.URL.Query().Get("type_id")
	if v == "" || e.cfg.ProductFamily != FamilyMoodle || v == strconv.Itoa(e.typeID(clientID)) {
		return true
	}
	e.serviceError(w, http.StatusForbidden, "type_id does not match the tool")
	return false
}

// lineItemClient authorizes a line item request: token, scopes and type_id.
func (e *Emulator) lineItemClient(w http.ResponseWriter, r *http.Request,
	scopes ...string) (string, bool) {
	client, ok := e.serviceClient(w, r, scopes...)
	if !ok || !e.checkTypeID(w, r, client) {
		return "", false
	}
	e.adoptLinkItems()
	return client, true
}

// adoptLinkItems takes the line items created with deep-linked links into
// the grade service, in the demo course whose page shows those links.
func (e *Emulator) adoptLinkItems() {
	links := e.ResourceLinks()
	s := e.services()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range links {
		li := l.LineItem
		if li == nil || s.adopted[li.ID] {
			continue
		}
		s.adopted[li.ID] = true
		s.addLocked(&agsItem{id: li.ID, contextID: DefaultContext().ID, clientID: l.ClientID,
			lineItemJSON: lineItemJSON{Label: li.Label, ScoreMaximum: li.ScoreMaximum,
				ResourceID: li.ResourceID, Tag: li.Tag, ResourceLinkID: l.ID}})
	}
}

// addLocked stores a new line item; s.mu must be held.
func (s *serviceState) addLocked(it *agsItem) {
	s.items[it.id] = it
	s.order = append(s.order, it.id)
}

// findItem returns a copy of the tool's line item in the course, if any.
func (e *Emulator) findItem(r *http.Request, clientID string) (agsItem, bool) {
	s := e.services()
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[r.PathValue("item")]
	if !ok || it.clientID != clientID || it.contextID != r.PathValue("course") {
		return agsItem{}, false
	}
	return *it, true
}

// itemJSON returns a line item as sent, with its id.
func (e *Emulator) itemJSON(it agsItem) lineItemJSON {
	out := it.lineItemJSON
	out.ID = e.itemURL(&it)
	return out
}

// handleListLineItems serves GET on the line item container: the tool's
// items in the course, filtered by resource_id, resource_link_id and tag,
// in pages.
func (e *Emulator) handleListLineItems(w http.ResponseWriter, r *http.Request) {
	client, ok := e.lineItemClient(w, r, ScopeLineItem, ScopeLineItemReadOnly)
	if !ok {
		return
	}
	q := r.URL.Query()
	var match []agsItem
	s := e.services()
	s.mu.Lock()
	for _, id := range s.order {
		it := s.items[id]
		if it.clientID == client && it.contextID == r.PathValue("course") &&
			filterMatch(q, "resource_id", it.ResourceID) &&
			filterMatch(q, "resource_link_id", it.ResourceLinkID) &&
			filterMatch(q, "tag", it.Tag) {
			match = append(match, *it)
		}
	}
	s.mu.Unlock()
	start, limit, page := pageBounds(r, servicePageSize)
	out := []lineItemJSON{}
	for _, it := range match[min(start, len(match)):min(start+limit, len(match))] {
		out = append(out, e.itemJSON(it))
	}
	if start+limit < len(match) {
		e.setNextLink(w, r, page)
	}
	writeMedia(w, http.StatusOK, MediaLineItemContainer, out)
}

// filterMatch reports whether a list filter, when given, equals the value.
func filterMatch(q url.Values, name, value string) bool {
	return !q.Has(name) || q.Get(name) == value
}

// handleCreateLineItem serves POST on the line item container.
func (e *Emulator) handleCreateLineItem(w http.ResponseWriter, r *http.Request) {
	client, ok := e.lineItemClient(w, r, ScopeLineItem)
	if !ok || !e.mayManageItems(w) {
		return
	}
	in, ok := e.readLineItem(w, r)
	if !ok {
		return
	}
	if in.ResourceLinkID != "" {
		if _, known := e.resourceLink(in.ResourceLinkID); !known {
			e.serviceError(w, http.StatusBadRequest, "resourceLinkId names no link in the course")
			return
		}
	}
	in.ID = ""
	it := &agsItem{id: e.nextID("lineitem"), contextID: r.PathValue("course"), clientID: client,
		lineItemJSON: in}
	s := e.services()
	s.mu.Lock()
	s.addLocked(it)
	s.mu.Unlock()
	writeMedia(w, http.StatusCreated, MediaLineItem, e.itemJSON(*it))
}

// mayManageItems refuses line item changes in grade-sync-only mode.
func (e *Emulator) mayManageItems(w http.ResponseWriter) bool {
	s := e.services()
	s.mu.Lock()
	syncOnly := s.gradeSyncOnly
	s.mu.Unlock()
	if syncOnly {
		e.serviceError(w, http.StatusForbidden,
			"This tool may only synchronize grades; it may not manage grade items")
	}
	return !syncOnly
}

// readLineItem decodes and checks a line item a tool sent.
func (e *Emulator) readLineItem(w http.ResponseWriter, r *http.Request) (lineItemJSON, bool) {
	if !hasMediaType(r, MediaLineItem) {
		e.serviceError(w, http.StatusUnsupportedMediaType,
			"Content-Type must be "+MediaLineItem)
		return lineItemJSON{}, false
	}
	var in lineItemJSON
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
		e.serviceError(w, http.StatusBadRequest, "the line item is not valid JSON")
		return in, false
	}
	if in.Label == "" || in.ScoreMaximum <= 0 {
		e.serviceError(w, http.StatusBadRequest,
			"a line item needs a label and a scoreMaximum above 0")
		return in, false
	}
	return in, true
}

// handleGetLineItem serves GET on one line item.
func (e *Emulator) handleGetLineItem(w http.ResponseWriter, r *http.Request) {
	client, ok := e.lineItemClient(w, r, ScopeLineItem, ScopeLineItemReadOnly)
	if !ok {
		return
	}
	it, ok := e.findItem(r, client)
	if !ok {
		e.serviceError(w, http.StatusNotFound, "line item not found")
		return
	}
	writeMedia(w, http.StatusOK, MediaLineItem, e.itemJSON(it))
}

// handlePutLineItem serves PUT on one line item: the tool replaces its
// label, maximum, resource id, tag and dates.
func (e *Emulator) handlePutLineItem(w http.ResponseWriter, r *http.Request) {
	client, ok := e.lineItemClient(w, r, ScopeLineItem)
	if !ok || !e.mayManageItems(w) {
		return
	}
	it, ok := e.findItem(r, client)
	if !ok {
		e.serviceError(w, http.StatusNotFound, "line item not found")
		return
	}
	in, ok := e.readLineItem(w, r)
	if !ok {
		return
	}
	if in.ID != "" && in.ID != e.itemURL(&it) {
		e.serviceError(w, http.StatusBadRequest, "id does not match the line item's URL")
		return
	}
	in.ID, in.ResourceLinkID = "", it.ResourceLinkID
	s := e.services()
	s.mu.Lock()
	if stored, ok := s.items[it.id]; ok {
		stored.lineItemJSON = in
		it = *stored
	}
	s.mu.Unlock()
	writeMedia(w, http.StatusOK, MediaLineItem, e.itemJSON(it))
}

// handleDeleteLineItem serves DELETE on one line item, with its scores.
func (e *Emulator) handleDeleteLineItem(w http.ResponseWriter, r *http.Request) {
	client, ok := e.lineItemClient(w, r, ScopeLineItem)
	if !ok || !e.mayManageItems(w) {
		return
	}
	it, ok := e.findItem(r, client)
	if !ok {
		e.serviceError(w, http.StatusNotFound, "line item not found")
		return
	}
	s := e.services()
	s.mu.Lock()
	delete(s.items, it.id)
	delete(s.scores, it.id)
	s.order = slices.DeleteFunc(s.order, func(id string) bool { return id == it.id })
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// LineItems returns the grade service's line items in a course, by URL.
func (e *Emulator) LineItems(contextID string) map[string]LineItem {
	e.adoptLinkItems()
	s := e.services()
	s.mu.Lock()
	var items []agsItem
	for _, id := range s.order {
		if it := s.items[id]; it.contextID == contextID {
			items = append(items, *it)
		}
	}
	s.mu.Unlock()
	out := make(map[string]LineItem, len(items))
	for _, it := range items {
		out[e.itemURL(&it)] = LineItem{ID: it.id, Label: it.Label,
			ScoreMaximum: it.ScoreMaximum, ResourceID: it.ResourceID, Tag: it.Tag}
	}
	return out
}
