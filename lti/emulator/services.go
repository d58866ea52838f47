package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"weak"
)

// serviceState is what the grade and roster services keep for one
// emulator: line items, scores, and the faults tests asked for.
type serviceState struct {
	mu            sync.Mutex
	items         map[string]*agsItem // by id
	order         []string            // item ids, oldest first
	adopted       map[string]bool     // deep-linked items already taken in
	scores        map[string]map[string]Score
	faults        func(*http.Request) (Fault, bool)
	failNext      []Fault
	gradeSyncOnly bool
	requests      []string
}

// serviceStates holds each emulator's service state beside the Emulator
// struct rather than in it, keyed weakly so that the state goes when its
// emulator does.
var serviceStates sync.Map // weak.Pointer[Emulator] to *serviceState

// services returns the emulator's service state, made on first use.
func (e *Emulator) services() *serviceState {
	key := weak.Make(e)
	if s, ok := serviceStates.Load(key); ok {
		return s.(*serviceState)
	}
	s, loaded := serviceStates.LoadOrStore(key, &serviceState{
		items: map[string]*agsItem{}, adopted: map[string]bool{},
		scores: map[string]map[string]Score{},
	})
	if !loaded {
		runtime.AddCleanup(e, func(k weak.Pointer[Emulator]) { serviceStates.Delete(k) }, key)
	}
	return s.(*serviceState)
}

// emulatorKey carries the emulator to the service handlers.
type emulatorKey struct{}

// serviceHandler is a service endpoint of one emulator.
type serviceHandler func(e *Emulator, w http.ResponseWriter, r *http.Request)

// serviceMux routes the grade and roster service paths. It is built once;
// handlers find their emulator in the request's context.
var serviceMux = sync.OnceValue(func() *http.ServeMux {
	m := http.NewServeMux()
	items := "/api/lti/courses/{course}/line_items"
	item := items + "/{item}"
	for pattern, h := range map[string]serviceHandler{
		"GET " + items:             (*Emulator).handleListLineItems,
		"POST " + items:            (*Emulator).handleCreateLineItem,
		"GET " + item:              (*Emulator).handleGetLineItem,
		"PUT " + item:              (*Emulator).handlePutLineItem,
		"DELETE " + item:           (*Emulator).handleDeleteLineItem,
		"POST " + item + "/scores": (*Emulator).handleScore,
		"GET " + item + "/results": (*Emulator).handleResults,
		"GET /api/lti/courses/{course}/names_and_roles": (*Emulator).handleMemberships,
	} {
		m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			h(r.Context().Value(emulatorKey{}).(*Emulator), w, r)
		})
	}
	return m
})

// handleServiceStub serves the grade (AGS) and roster (NRPS) services the
// launches advertise under /api/lti/. It records the request and plays any
// fault a test injected before the real service answers.
func (e *Emulator) handleServiceStub(w http.ResponseWriter, r *http.Request) {
	s := e.services()
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	f, faulty := s.nextFaultLocked(r)
	s.mu.Unlock()
	if faulty && e.playFault(w, r, f) {
		return
	}
	serviceMux().ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), emulatorKey{}, e)))
}

// serviceClient checks the bearer token and that it carries one of the
// scopes, and returns the client it was issued to. When the check fails it
// answers the request and returns false.
func (e *Emulator) serviceClient(w http.ResponseWriter, r *http.Request,
	scopes ...string) (string, bool) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if _, ok := e.checkAccessToken(tok, serviceScopes...); !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token",
			"a valid access token is required")
		return "", false
	}
	client, ok := e.checkAccessToken(tok, scopes...)
	if ok {
		return client, true
	}
	// Canvas and Moodle answer a missing scope with 401; RFC 6750 says 403.
	if e.cfg.ProductFamily != FamilyEmulator {
		e.serviceError(w, http.StatusUnauthorized, "Insufficient permissions")
		return "", false
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope"`)
	writeOAuthError(w, http.StatusForbidden, "insufficient_scope",
		"the access token lacks the scope "+strings.Join(scopes, " or "))
	return "", false
}

// serviceError answers with an error body shaped as the imitated platform
// shapes it.
func (e *Emulator) serviceError(w http.ResponseWriter, status int, msg string) {
	code := strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
	switch e.cfg.ProductFamily {
	case FamilyCanvas:
		writeJSON(w, status, map[string]any{"errors": map[string]string{
			"type": code, "message": msg}})
	case FamilyMoodle:
		writeJSON(w, status, map[string]any{"status": status, "reason": msg})
	default:
		writeOAuthError(w, status, code, msg)
	}
}

// writeMedia answers with v encoded as JSON of an LTI media type.
func writeMedia(w http.ResponseWriter, status int, mediaType string, v any) {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// hasMediaType reports whether the request body is of the media type.
func hasMediaType(r *http.Request, mediaType string) bool {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), mediaType)
}

// pageBounds reads the page and limit query parameters of a paged list.
func pageBounds(r *http.Request, defaultLimit int) (start, limit, page int) {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 {
		limit = defaultLimit
	}
	page, err = strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	return (page - 1) * limit, limit, page
}

// setNextLink adds the Link header to the next page. Moodle writes the rel
// value in typographic quotes, which tools must cope with.
func (e *Emulator) setNextLink(w http.ResponseWriter, r *http.Request, page int) {
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(page+1))
	next := e.URL(r.URL.Path) + "?" + q.Encode()
	rel := `rel="next"`
	if e.cfg.ProductFamily == FamilyMoodle {
		rel = "rel=\u201cnext\u201d"
	}
	w.Header().Add("Link", fmt.Sprintf("<%s>; %s", next, rel))
}

// Fault is how the emulator misbehaves for one service request, so that
// tests can see how a tool copes.
type Fault struct {
	// Status is the error status to answer with; 0 serves the request
	// normally after Delay.
	Status int
	// RetryAfter, when positive, is sent as Retry-After in whole seconds.
	RetryAfter time.Duration
	// Delay holds the answer back, as a slow platform would.
	Delay time.Duration
	// Message is the error text; the status text when empty.
	Message string
}

// InjectFaults makes every service request ask fn first; when fn returns
// true the emulator plays the fault instead of, or before, serving. A nil
// fn stops the injection.
func (e *Emulator) InjectFaults(fn func(r *http.Request) (Fault, bool)) {
	s := e.services()
	s.mu.Lock()
	s.faults = fn
	s.mu.Unlock()
}

// FailNext makes the next n service requests meet fault f.
func (e *Emulator) FailNext(n int, f Fault) {
	s := e.services()
	s.mu.Lock()
	for range n {
		s.failNext = append(s.failNext, f)
	}
	s.mu.Unlock()
}

// nextFaultLocked returns the fault for a request, if any; s.mu must be held.
func (s *serviceState) nextFaultLocked(r *http.Request) (Fault, bool) {
	if len(s.failNext) > 0 {
		f := s.failNext[0]
		s.failNext = s.failNext[1:]
		return f, true
	}
	if s.faults != nil {
		return s.faults(r)
	}
	return Fault{}, false
}

// playFault waits out the fault's delay and answers with its error; it
// returns false when the request should still be served.
func (e *Emulator) playFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return true
		case <-t.C:
		}
	}
	if f.Status == 0 {
		return false
	}
	if f.RetryAfter > 0 {
		secs := int(math.Ceil(f.RetryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	e.serviceError(w, f.Status, msg)
	return true
}

// ServiceRequests returns the service requests received so far, each as
// method and request URI, such as "GET /api/lti/courses/c/line_items?page=2".
func (e *Emulator) ServiceRequests() []string {
	s := e.services()
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ExpireAccessTokens forgets every access token issued, as a platform does
// when tokens expire early or a key is rotated; tools must fetch new ones.
func (e *Emulator) ExpireAccessTokens() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.accessTokens)
}

// SetGradeSyncOnly turns on or off Moodle's "grade synchronization only"
// setting, under which tools may post scores but not manage line items.
func (e *Emulator) SetGradeSyncOnly(on bool) {
	s := e.services()
	s.mu.Lock()
	s.gradeSyncOnly = on
	s.mu.Unlock()
}
