package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/lti"
	"aesop/lti/platform"
	"aesop/lti/registration"
)

// registerHandler is the tool's side of LTI Dynamic Registration: the LMS
// opens the one-time link with its configuration URL and a registration token.
type registerHandler struct {
	log       *slog.Logger
	tool      registration.Tool
	platforms *platform.Store
	client    *http.Client
	pages     *pages
	metrics   *Metrics
	frames    *frameAncestors
}

type registeredPage struct {
	PlatformName, Issuer, ClientID, DeploymentID, Next string
}

func (h *registerHandler) register(c echo.Context) error {
	ctx := c.Request().Context()
	noStore(c)
	token := c.Param("token")
	configURL := c.QueryParam("openid_configuration")
	// The LMS shows this page in its own frame before it is registered, so the
	// configuration URL's origin may frame it.
	if o := origin(configURL); o != "" {
		setFrameAncestors(c, "'self' "+o)
	}
	if configURL == "" {
		return h.pages.render(c, http.StatusBadRequest, "register_help",
			map[string]string{"Expires": "24 hours after it was made"})
	}
	if err := h.platforms.ClaimRegistrationToken(ctx, token); err != nil {
		return h.refusal(c, err)
	}
	res, err := h.tool.Register(ctx, h.client, configURL, c.QueryParam("registration_token"))
	if err != nil {
		if rerr := h.platforms.ReleaseRegistrationToken(ctx, token); rerr != nil {
			logger(c).Error("release registration token", "err", rerr)
		}
		r := lti.Refuse(lti.ReasonRegistrationFailed, "registration", "%s", err.Error())
		return h.refusal(c, r)
	}
	p := &platform.Platform{Issuer: res.Issuer, ClientID: res.ClientID,
		Name: res.PlatformName, ProductFamily: res.ProductFamily, AuthURL: res.AuthURL,
		TokenURL: res.TokenURL, JWKSURL: res.JWKSURL, TokenAudience: res.TokenAudience,
		// Canvas makes a deployment when the key is installed, after this
		// exchange, and one per install; record them as they launch.
		RecordNewDeployments: res.DeploymentID == "" || res.ProductFamily == "canvas"}
	if err := h.platforms.Add(ctx, p, res.DeploymentID); err != nil {
		h.platforms.ReleaseRegistrationToken(ctx, token)
		if errors.Is(err, platform.ErrExists) {
			return h.refusal(c, lti.Refuse(lti.ReasonRegistrationFailed, "platform",
				"This LMS (issuer %s, client_id %s) is already registered.",
				res.Issuer, res.ClientID))
		}
		return fmt.Errorf("store registered platform: %w", err)
	}
	if err := h.platforms.CompleteRegistrationToken(ctx, token, p.ID); err != nil {
		logger(c).Error("complete registration token", "err", err)
	}
	h.frames.invalidate()
	h.metrics.Launch("registration", "")
	logger(c).Info("platform registered", "platform_id", p.ID, "issuer", p.Issuer,
		"client_id", p.ClientID, "deployment_id", res.DeploymentID,
		"product_family", p.ProductFamily)
	next := "Add Aesop to a course to use it."
	if p.ProductFamily == "canvas" {
		next = "Enable the new developer key, then add Aesop to a course or account."
	}
	name := p.Name
	if name == "" {
		name = "The LMS"
	}
	return h.pages.render(c, http.StatusOK, "registered", registeredPage{
		PlatformName: name, Issuer: p.Issuer, ClientID: p.ClientID,
		DeploymentID: res.DeploymentID, Next: next})
}

func (h *registerHandler) refusal(c echo.Context, err error) error {
	r, ok := lti.AsRefusal(err)
	if !ok {
		switch {
		case errors.Is(err, platform.ErrLinkUsed):
			r = lti.Refuse(lti.ReasonRegistrationUsed, "token", "This registration link has "+
				"already been used. Make a new one with `aesop registration create`.")
		case errors.Is(err, platform.ErrLinkExpired):
			r = lti.Refuse(lti.ReasonRegistrationUsed, "token", "This registration link has "+
				"expired. Make a new one with `aesop registration create`.")
		case errors.Is(err, platform.ErrLinkUnknown):
			r = lti.Refuse(lti.ReasonRegistrationUsed, "token", "This registration link is "+
				"not valid. Check that it was copied whole, or make a new one with "+
				"`aesop registration create`.")
		default:
			return err
		}
	}
	h.metrics.Launch("registration", r.Reason)
	logger(c).Warn("registration refused", "reason", string(r.Reason), "detail", r.Message)
	return r
}
