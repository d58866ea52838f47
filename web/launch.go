package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"aesop/lti"
	"aesop/lti/directory"
	"aesop/lti/launch"
	"aesop/lti/login"
	"aesop/web/session"
	"log/slog"
)

// launchHandler answers OIDC login initiation and the launch that follows.
type launchHandler struct {
	log       *slog.Logger
	login     *login.Service
	validator *launch.Validator
	failures  *launch.Failures
	directory *directory.Store
	sessions  *session.Store
	metrics   *Metrics
	pages     *pages
}

// startLogin answers login initiation (GET or POST): it stores a state and
// sends the browser to the platform's authorization endpoint. The state is
// bound to the browser by a partitioned cookie and, when the platform offers
// it, by the LTI postMessage storage, since the cookie may be blocked in an
// iframe.
//
// In an iframe without that storage, the login first checks that the browser
// keeps the tool's cookie, and offers a new window when it does not. The check
// must come before the platform's authorization endpoint: platforms such as
// Moodle accept an lti_message_hint only once, so a new window opened after it
// could not log in again.
func (h *launchHandler) startLogin(c echo.Context) error {
	ctx := c.Request().Context()
	if err := c.Request().ParseForm(); err != nil {
		return h.refused(c, "login", lti.Refuse(lti.ReasonBadRequest, "form",
			"The login request could not be read."), nil)
	}
	p, err := login.ParseParams(c.Request().Form)
	if err != nil {
		return h.refused(c, "login", err, nil)
	}
	if p.StorageTarget == "" && framed(c.Request()) {
		if c.Request().Form.Get(cookieCheckName) == "" {
			return checkCookies(c)
		}
		if _, err := c.Cookie(cookieCheckName); err != nil {
			return h.loginNewWindow(c, p)
		}
	}
	st, err := h.login.Start(ctx, p)
	if err != nil {
		return h.refused(c, "login", err, nil)
	}
	c.SetCookie(&http.Cookie{Name: login.CookieName(st.State), Value: st.Binding,
		Path: "/lti/", MaxAge: int(h.login.TTL / time.Second), HttpOnly: true, Secure: true,
		SameSite: http.SameSiteNoneMode, Partitioned: true})
	noStore(c)
	h.metrics.Launch("login", "")
	if p.StorageTarget == "" {
		return c.Redirect(http.StatusFound, st.AuthURL)
	}
	return h.pages.render(c, http.StatusOK, "login_storage", loginStoragePage{
		AuthURL: st.AuthURL, Target: p.StorageTarget, Origin: origin(st.Platform.AuthURL),
		Key: storageKey(st.State), Value: st.Binding})
}

type loginStoragePage struct {
	AuthURL, Target, Origin, Key, Value string
}

// cookieCheckName names both the cookie that tests whether an iframe keeps the
// tool's cookies and the login parameter that says it was set.
const cookieCheckName = "aesop_cookie_check"

// framed reports whether the browser loads the request into a frame, where it
// may refuse the tool's cookies. Browsers without Fetch Metadata, and other
// clients, are taken to be unframed.
func framed(r *http.Request) bool {
	dest := r.Header.Get("Sec-Fetch-Dest")
	return dest == "iframe" || dest == "frame"
}

// checkCookies sets a cookie like the one that binds a login and sends the
// browser back to the login with the same parameters, marked as checked.
func checkCookies(c echo.Context) error {
	c.SetCookie(&http.Cookie{Name: cookieCheckName, Value: "1", Path: "/lti/", MaxAge: 60,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode, Partitioned: true})
	noStore(c)
	q := url.Values{}
	for k, v := range c.Request().Form {
		q[k] = v
	}
	q.Set(cookieCheckName, "1")
	return c.Redirect(http.StatusSeeOther, "/lti/login?"+q.Encode())
}

// loginNewWindow answers a framed login whose browser refused the check
// cookie: it offers the same login in a new window, where the cookie is
// first-party, before the platform has used its lti_message_hint.
func (h *launchHandler) loginNewWindow(c echo.Context, p login.Params) error {
	noStore(c)
	r := lti.Refuse(lti.ReasonBrowserMismatch, "binding", "Your browser blocks Aesop's "+
		"cookies inside the course page, and the LMS offers no other way.")
	r.Issuer, r.ClientID, r.DeploymentID = p.Issuer, p.ClientID, p.DeploymentID
	h.record(c, "login", r, nil)
	return h.pages.render(c, http.StatusUnauthorized, "new_window", newWindowPage{
		Fields: loginFields(p.Issuer, p.ClientID, p.LoginHint, p.TargetLinkURI, p.MessageHint,
			p.DeploymentID)})
}

// loginFields are the login initiation parameters a new window sends again.
func loginFields(iss, clientID, loginHint, target, messageHint, deploymentID string) url.Values {
	form := url.Values{"iss": {iss}, "login_hint": {loginHint}, "target_link_uri": {target},
		"client_id": {clientID}}
	if messageHint != "" {
		form.Set("lti_message_hint", messageHint)
	}
	if deploymentID != "" {
		form.Set("lti_deployment_id", deploymentID)
	}
	return form
}

// storageKey is the key under which the binding is kept in the platform's
// storage; it is derived from the state so concurrent launches do not collide.
func storageKey(state string) string {
	return "aesop_binding_" + login.Hash(state)[:16]
}

// browserBinding returns what a launch brings to prove it comes from the
// browser that logged in: the login's cookie or, where the iframe kept no
// cookie, the value the platform's storage gave back. A cookie, when sent,
// is the one that counts.
func browserBinding(c echo.Context, state string) string {
	if ck, err := c.Cookie(login.CookieName(state)); err == nil && ck.Value != "" {
		return ck.Value
	}
	return c.FormValue("lti_binding")
}

// launch validates the id_token posted by the platform and opens a session.
func (h *launchHandler) launch(c echo.Context) error {
	ctx := c.Request().Context()
	noStore(c)
	idToken, state := c.FormValue("id_token"), c.FormValue("state")
	if idToken == "" || state == "" {
		if e := c.FormValue("error"); e != "" {
			return h.refused(c, "launch", lti.Refuse(lti.ReasonBadRequest, "error",
				"The LMS did not sign you in to Aesop (%s: %s). Open the activity from "+
					"your course again.", e, c.FormValue("error_description")), nil)
		}
		return h.refused(c, "launch", lti.Refuse(lti.ReasonBadRequest, "form",
			"This address receives launches from an LMS; open the activity from your "+
				"course instead."), nil)
	}
	binding := browserBinding(c, state)
	if binding == "" {
		return h.unbound(c, idToken, state)
	}
	st, err := h.login.Consume(ctx, state, binding)
	switch {
	case errors.Is(err, login.ErrStateUnknown):
		return h.refused(c, "launch", stateUnknown(), nil)
	case errors.Is(err, login.ErrOtherBrowser):
		return h.refused(c, "launch", lti.Refuse(lti.ReasonBrowserMismatch, "state",
			"This launch was started in another browser. Please open the activity again "+
				"from your course."), &st.PlatformID)
	case err != nil:
		return err
	}
	l, plat, err := h.validator.Validate(ctx, idToken, st)
	if err != nil {
		return h.refused(c, "launch", err, &st.PlatformID)
	}
	rec, err := h.directory.Record(ctx, plat.ID, l)
	if err != nil {
		return err
	}
	sess := &session.Session{PlatformID: plat.ID, DeploymentID: l.DeploymentID,
		UserID: rec.User.ID, Role: rec.Role, MessageType: l.MessageType,
		TargetLinkURI: l.TargetLinkURI}
	if rec.Context != nil {
		sess.ContextRef = &rec.Context.ID
	}
	if rec.ResourceLink != nil {
		sess.ResourceLinkRef = &rec.ResourceLink.ID
	}
	if err := h.sessions.Create(ctx, sess, l); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: login.CookieName(state), Value: "", Path: "/lti/",
		MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode,
		Partitioned: true})
	h.metrics.Launch("launch", "")
	logger(c).Info("launch accepted", "platform_id", plat.ID, "deployment_id", l.DeploymentID,
		"message_type", l.MessageType, "role", string(rec.Role), "user_id", rec.User.ID)
	return c.Redirect(http.StatusSeeOther, "/s/"+h.sessions.Token(sess))
}

// unbound answers a launch that brought no binding: the platform's storage
// may hold it, or else a new window may keep the cookie the iframe lost. The
// state is only read, and stays for the launch that brings its binding.
func (h *launchHandler) unbound(c echo.Context, idToken, state string) error {
	st, err := h.login.Peek(c.Request().Context(), state)
	if errors.Is(err, login.ErrStateUnknown) {
		return h.refused(c, "launch", stateUnknown(), nil)
	}
	if err != nil {
		return err
	}
	if st.StorageTarget != "" && c.FormValue("storage_failed") == "" {
		return h.pages.render(c, http.StatusOK, "launch_storage", launchStoragePage{
			IDToken: idToken, State: state, Target: st.StorageTarget,
			Key: storageKey(state), Origin: h.platformOrigin(c, st)})
	}
	return h.newWindow(c, st)
}

type launchStoragePage struct {
	IDToken, State, Target, Key, Origin string
}

func stateUnknown() *lti.Refusal {
	return lti.Refuse(lti.ReasonStateUnknown, "state", "This launch has already been "+
		"used or has expired, which happens after a double click or a page refresh. "+
		"Please open the activity again from your course.")
}

func (h *launchHandler) platformOrigin(c echo.Context, st *login.State) string {
	p, err := h.validator.Platforms.Get(c.Request().Context(), st.PlatformID)
	if err != nil {
		return ""
	}
	return origin(p.AuthURL)
}

// newWindow answers a launch whose browser binding could not be checked
// because the iframe may keep no cookie and the platform offers no storage: it
// offers to start the launch again in a new window, where cookies are
// first-party. The state is left for its own expiry.
func (h *launchHandler) newWindow(c echo.Context, st *login.State) error {
	p, err := h.validator.Platforms.Get(c.Request().Context(), st.PlatformID)
	if err != nil {
		return h.refused(c, "launch", stateUnknown(), nil)
	}
	r := lti.Refuse(lti.ReasonBrowserMismatch, "binding", "Your browser blocked the "+
		"cookie that links this launch to you, and the LMS offers no other way.")
	r.Issuer, r.ClientID = p.Issuer, p.ClientID
	h.record(c, "launch", r, &st.PlatformID)
	return h.pages.render(c, http.StatusUnauthorized, "new_window", newWindowPage{
		Fields: loginFields(p.Issuer, p.ClientID, st.LoginHint, st.TargetLinkURI, st.MessageHint,
			st.DeploymentID)})
}

type newWindowPage struct{ Fields url.Values }

// refused records and logs a refusal and returns it for the error handler to
// show; other errors pass through unchanged.
func (h *launchHandler) refused(c echo.Context, step string, err error, platformID *int64) error {
	r, ok := lti.AsRefusal(err)
	if !ok {
		return err
	}
	h.record(c, step, r, platformID)
	return r
}

func (h *launchHandler) record(c echo.Context, step string, r *lti.Refusal, platformID *int64) {
	h.metrics.Launch(step, r.Reason)
	attrs := []any{"step", step, "reason", string(r.Reason), "check", r.Check,
		"issuer", r.Issuer, "client_id", r.ClientID, "deployment_id", r.DeploymentID,
		"detail", r.Message}
	if r.ClockOffset != nil {
		attrs = append(attrs, "clock_offset_ms", r.ClockOffset.Milliseconds())
	}
	if u := errors.Unwrap(r); u != nil {
		attrs = append(attrs, "err", u.Error())
	}
	logger(c).Warn("launch refused", attrs...)
	if err := h.failures.Record(c.Request().Context(), r, platformID); err != nil {
		logger(c).Error("record refused launch", "err", err)
	}
}
