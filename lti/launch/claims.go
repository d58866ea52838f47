package launch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"aesop/lti"
	"aesop/lti/login"
	"aesop/lti/platform"
)

// claimSet is an id_token payload decoded with json.Number for numbers.
type claimSet map[string]any

func (c claimSet) str(name string) string {
	s, _ := c[name].(string)
	return s
}

// time reads a NumericDate claim; ok is false when it is absent or not a number.
func (c claimSet) time(name string) (time.Time, bool) {
	n, ok := c[name].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// decode re-reads one claim into a Go value.
func (c claimSet) decode(name string, into any) error {
	b, err := json.Marshal(c[name])
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

func (c claimSet) audiences() []string {
	switch a := c["aud"].(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, v := range a {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// hasNUL reports whether a decoded JSON value holds U+0000 in any key or
// string. No LTI claim needs one, and PostgreSQL cannot store it in text, so a
// launch carrying one is refused before any of its claims reach the database.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.IndexByte(v, 0) >= 0
	case map[string]any:
		for k, e := range v {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasNUL(e) {
				return true
			}
		}
	}
	return false
}

func missing(claim, what string) error {
	return lti.Refuse(lti.ReasonMissingClaim, claim, "The launch is missing %s (claim %s). "+
		"The LMS must send it; check the tool's configuration in the LMS.", what, claim)
}

func badClaim(claim, format string, args ...any) error {
	return lti.Refuse(lti.ReasonBadClaim, claim, format, args...)
}

// checkClaims checks the claims of a verified token, in the order of the
// Security Framework's validation steps, then the LTI message's required claims.
func (v *Validator) checkClaims(ctx context.Context, c claimSet, p *platform.Platform,
	st *login.State) (*lti.Launch, error) {
	if err := v.checkAudience(c, p); err != nil {
		return nil, err
	}
	if err := v.checkTimes(c); err != nil {
		return nil, err
	}
	if c.str("nonce") == "" || c.str("nonce") != st.Nonce {
		return nil, lti.Refuse(lti.ReasonNonce, "nonce", "The launch's nonce does not match "+
			"the login it answers: it was replayed or belongs to another launch. Please open "+
			"the activity again from your course.")
	}
	if err := checkVersionAndType(c); err != nil {
		return nil, err
	}
	l, err := v.buildLaunch(c, p)
	if err != nil {
		return nil, err
	}
	if st.DeploymentID != "" && st.DeploymentID != l.DeploymentID {
		return nil, badClaim(lti.ClaimDeploymentID, "The launch's deployment_id %q differs "+
			"from the one its login named (%q).", l.DeploymentID, st.DeploymentID)
	}
	_, err = v.Platforms.CheckDeployment(ctx, p, l.DeploymentID)
	if errors.Is(err, platform.ErrUnknownDeployment) {
		return nil, lti.Refuse(lti.ReasonUnknownDeployment, lti.ClaimDeploymentID,
			"Deployment %q of this LMS (issuer %q, client_id %q) is not registered with "+
				"Aesop. An administrator can add it with `aesop platform add-deployment`, or "+
				"let Aesop record new deployments of this LMS.",
			l.DeploymentID, p.Issuer, p.ClientID)
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

func (v *Validator) checkAudience(c claimSet, p *platform.Platform) error {
	auds := c.audiences()
	if !slices.Contains(auds, p.ClientID) {
		return lti.Refuse(lti.ReasonBadAudience, "aud", "The launch was meant for client %q, "+
			"not for this tool's client_id %q on this LMS.", fmt.Sprint(auds), p.ClientID)
	}
	azp, hasAZP := c["azp"]
	if len(auds) > 1 && !hasAZP {
		return lti.Refuse(lti.ReasonAZP, "azp", "The launch names several audiences but no "+
			"authorized party (azp).")
	}
	if hasAZP && azp != p.ClientID {
		return lti.Refuse(lti.ReasonAZP, "azp", "The launch's authorized party (azp) %v is "+
			"not this tool's client_id %q.", azp, p.ClientID)
	}
	return nil
}

func (v *Validator) checkTimes(c claimSet) error {
	now := v.Now()
	exp, ok := c.time("exp")
	if !ok {
		return missing("exp", "an expiry time")
	}
	iat, ok := c.time("iat")
	if !ok {
		return missing("iat", "an issue time")
	}
	if now.After(exp.Add(v.Leeway)) {
		r := lti.Refuse(lti.ReasonExpired, "exp", "The launch expired %s ago. If it was "+
			"opened just now, the clocks of the LMS and Aesop may be out of sync.",
			now.Sub(exp).Round(time.Second))
		off := now.Sub(exp)
		r.ClockOffset = &off
		return r
	}
	if iat.After(now.Add(v.Leeway)) {
		r := lti.Refuse(lti.ReasonIssuedInFuture, "iat", "The launch was issued %s in the "+
			"future: the clocks of the LMS and Aesop are out of sync.",
			iat.Sub(now).Round(time.Second))
		off := iat.Sub(now)
		r.ClockOffset = &off
		return r
	}
	if nbf, ok := c.time("nbf"); ok && nbf.After(now.Add(v.Leeway)) {
		r := lti.Refuse(lti.ReasonNotYetValid, "nbf", "The launch is not valid for another "+
			"%s: the clocks of the LMS and Aesop are out of sync.",
			nbf.Sub(now).Round(time.Second))
		off := nbf.Sub(now)
		r.ClockOffset = &off
		return r
	} else if _, present := c["nbf"]; present && !ok {
		return badClaim("nbf", "The launch's nbf claim is not a time.")
	}
	return nil
}

func checkVersionAndType(c claimSet) error {
	switch v, ok := c[lti.ClaimVersion]; {
	case !ok:
		return missing(lti.ClaimVersion, "the LTI version")
	case v != lti.Version:
		return lti.Refuse(lti.ReasonVersion, lti.ClaimVersion, "The launch uses LTI version "+
			"%v; Aesop speaks LTI %s.", v, lti.Version)
	}
	switch mt, ok := c[lti.ClaimMessageType]; {
	case !ok:
		return missing(lti.ClaimMessageType, "the message type")
	case mt != lti.MessageResourceLink && mt != lti.MessageDeepLinking:
		return lti.Refuse(lti.ReasonMessageType, lti.ClaimMessageType, "The launch is a %v "+
			"message, which Aesop does not handle; it handles %s and %s.",
			mt, lti.MessageResourceLink, lti.MessageDeepLinking)
	}
	return nil
}
