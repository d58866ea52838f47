package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/lti"
	"aesop/web/session"
)

const (
	sessionKey = "session"
	launchKey  = "launch"
)

// requireSession admits requests whose path carries a valid session token and
// checks the anti-forgery value of every form they post.
func requireSession(store *session.Store) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			noStore(c)
			check := store.Check
			if c.Request().Method == http.MethodPost {
				check = store.CheckSubmission
			}
			sess, err := check(c.Request().Context(), c.Param("token"))
			switch {
			case errors.Is(err, session.ErrExpired):
				return refuse(http.StatusUnauthorized, "Your session has ended",
					"Aesop sessions last a few hours. Open the activity again from your "+
						"course to continue; nothing you submitted was lost.")
			case errors.Is(err, session.ErrInvalid):
				return refuse(http.StatusUnauthorized, "This link is not valid",
					"Open the activity from your course to start a new session.")
			case err != nil:
				return err
			}
			if c.Request().Method == http.MethodPost &&
				!store.CheckCSRF(sess, c.FormValue("csrf")) {
				return refuse(http.StatusForbidden, "This form has expired",
					"The form did not come from this session. Go back, reload the page "+
						"and submit again.")
			}
			l, err := sess.Launch()
			if err != nil {
				return err
			}
			setFrameAncestors(c, launchFrameAncestors(l))
			c.Set(sessionKey, sess)
			c.Set(launchKey, l)
			return next(c)
		}
	}
}

func currentSession(c echo.Context) *session.Session {
	return c.Get(sessionKey).(*session.Session)
}

// currentLaunch returns the launch that opened the request's session.
func currentLaunch(c echo.Context) *lti.Launch {
	return c.Get(launchKey).(*lti.Launch)
}
