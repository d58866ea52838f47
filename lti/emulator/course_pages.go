package emulator

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
)

// toolFrameName names the iframe the tool runs in on the launch page.
const toolFrameName = "tool_frame"

// activityView is one activity on the course page.
type activityView struct {
	Title, Description, ToolName string
	Graded                       float64
	Buttons                      []buttonView
}

// buttonView is a link styled as a button.
type buttonView struct{ Label, URL string }

// deepLinkView offers an instructor to add content from one tool.
type deepLinkView struct{ ToolName, Label, URL string }

// handleCourse serves GET /, the course page a person sees in aesop demo.
func (e *Emulator) handleCourse(w http.ResponseWriter, r *http.Request) {
	var acts []activityView
	var dls []deepLinkView
	for _, t := range e.Tools() {
		acts = append(acts, e.activity(DefaultResourceLink(), t))
		for _, u := range DemoUsers() {
			if u.canEdit() {
				dls = append(dls, deepLinkView{ToolName: toolName(t), Label: u.Label,
					URL: e.launchPageURL(t.ClientID, "", u.Sub, true)})
			}
		}
	}
	for _, l := range e.ResourceLinks() {
		if t, err := e.tool(l.ClientID); err == nil {
			acts = append(acts, e.activity(l, t))
		}
	}
	e.renderPage(w, http.StatusOK, "course.html", map[string]any{
		"Header": e.header(), "Activities": acts, "DeepLinks": dls,
		"Family": e.cfg.ProductFamily, "Issuer": e.Issuer(),
		"AdminURL": e.URL("/admin/register"),
	})
}

// activity builds the course page entry of a link launched with tool t.
func (e *Emulator) activity(l ResourceLink, t Tool) activityView {
	a := activityView{Title: l.Title, Description: l.Description, ToolName: toolName(t)}
	if l.LineItem != nil {
		a.Graded = l.LineItem.ScoreMaximum
	}
	for _, u := range DemoUsers() {
		a.Buttons = append(a.Buttons, buttonView{Label: u.Label,
			URL: e.launchPageURL(t.ClientID, l.ID, u.Sub, false)})
	}
	return a
}

// toolName is how the course page names a tool.
func toolName(t Tool) string {
	if t.Name != "" {
		return t.Name
	}
	return "Tool " + t.ClientID
}

// launchPageURL links to the LMS page that launches a link, or a deep
// linking request when deepLink is set.
func (e *Emulator) launchPageURL(clientID, linkID, sub string, deepLink bool) string {
	q := url.Values{"client_id": {clientID}, "user": {sub}}
	if deepLink {
		q.Set("message", "deep_linking")
	} else {
		q.Set("link", linkID)
	}
	return e.URL("/course/launch?" + q.Encode())
}

// handleCourseLaunch serves GET /course/launch: an LMS page with the tool
// iframe and a form that starts the login initiation inside it.
func (e *Emulator) handleCourseLaunch(w http.ResponseWriter, r *http.Request) {
	req, title, err := e.pageLaunchRequest(r.URL.Query())
	if err != nil {
		e.renderError(w, http.StatusBadRequest, "Cannot open this activity", err.Error())
		return
	}
	t, params, err := e.startLaunch(req, e.storageTarget())
	if err != nil {
		e.renderError(w, http.StatusBadRequest, "Cannot open this activity", err.Error())
		return
	}
	target := e.storageTarget()
	data := map[string]any{
		"Header": e.header(), "Title": title, "UserLabel": req.User.Label,
		"Frame": toolFrameName, "LoginURL": t.InitiateLoginURI, "Fields": valuesFields(params),
		"StorageJS": template.JS(storageJS),
		"Script": scriptConfig{Storage: target == "_parent", StorageFrame: target,
			Capabilities: target != "", ToolFrame: toolFrameName, CloseURL: e.URL("/")},
	}
	if target == canvasStorageFrame {
		data["StorageFrame"] = canvasStorageFrame
		data["StorageFrameURL"] = e.URL("/storage-frame")
	}
	e.renderPage(w, http.StatusOK, "launch.html", data)
}

// pageLaunchRequest reads the course page's launch link into a request.
func (e *Emulator) pageLaunchRequest(q url.Values) (LaunchRequest, string, error) {
	u, ok := demoUser(q.Get("user"))
	if !ok {
		return LaunchRequest{}, "", errors.New("unknown user")
	}
	req := LaunchRequest{ClientID: q.Get("client_id"), User: u}
	if q.Get("message") == "deep_linking" {
		if !u.canEdit() {
			return req, "", fmt.Errorf("%s may not add activities", u.Name)
		}
		req.MessageType = MessageDeepLinking
		return req, "Add an activity", nil
	}
	l, ok := e.resourceLink(q.Get("link"))
	if !ok {
		return req, "", errors.New("unknown activity")
	}
	req.ResourceLink = l
	if l.ClientID != "" {
		req.ClientID = l.ClientID
	}
	return req, l.Title, nil
}

// handleAdminRegister serves GET /admin/register: a form for the tool's
// registration URL, then the tool's registration page in an iframe with a
// fresh token. The page goes back to the course when the tool posts
// org.imsglobal.lti.close.
func (e *Emulator) handleAdminRegister(w http.ResponseWriter, r *http.Request) {
	data := map[string]any{
		"Header": e.header(), "Action": e.URL("/admin/register"),
		"StorageJS": template.JS(storageJS),
		"Script":    scriptConfig{ToolFrame: "registration-frame", CloseURL: e.URL("/")},
	}
	if raw := r.URL.Query().Get("url"); raw != "" {
		if err := absoluteURL(raw); err != nil {
			e.renderError(w, http.StatusBadRequest, "Cannot register the tool", err.Error())
			return
		}
		u, err := registrationLaunchURL(raw, e.configURL(), e.NewRegistrationToken())
		if err != nil {
			e.renderError(w, http.StatusBadRequest, "Cannot register the tool", err.Error())
			return
		}
		data["Frame"] = u
	}
	e.renderPage(w, http.StatusOK, "admin.html", data)
}
