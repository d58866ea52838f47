package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/lti"
)

// pageError is an error with what the person should see: a status, a title and
// a sentence that is safe to show. The cause goes to the log only.
type pageError struct {
	status  int
	title   string
	message string
	cause   error
}

func (e *pageError) Error() string {
	if e.cause != nil {
		return e.title + ": " + e.cause.Error()
	}
	return e.title + ": " + e.message
}

func (e *pageError) Unwrap() error { return e.cause }

// refuse makes a pageError.
func refuse(status int, title, message string) *pageError {
	return &pageError{status: status, title: title, message: message}
}

// errorHandler turns any error a handler returns into a page. Refusals and
// other expected conditions show their own message with a 4xx; anything else is
// logged with its cause and shown as a 500 that names only the request id.
func errorHandler(base *slog.Logger, p *pages, m *Metrics) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		log := logger(c)
		data := errorPage{RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
		var (
			pe *pageError
			he *echo.HTTPError
		)
		switch r, isRefusal := lti.AsRefusal(err); {
		case isRefusal:
			data.Status, data.Title, data.Message = r.Status(), refusalTitle(r), r.Message
			data.Reason = string(r.Reason)
			// The caller logged the refusal with its platform; the access log
			// records the status.
		case errors.As(err, &pe):
			data.Status, data.Title, data.Message = pe.status, pe.title, pe.message
			if pe.status >= 500 {
				log.Error("request failed", "err", err)
			} else if pe.cause != nil {
				log.Info("request refused", "title", pe.title, "err", pe.cause)
			}
		case errors.As(err, &he):
			data.Status = he.Code
			data.Title, data.Message = http.StatusText(he.Code), httpErrorMessage(he.Code)
			if he.Code >= 500 {
				log.Error("request failed", "err", err)
			}
		default:
			data.Status = http.StatusInternalServerError
			data.Title = "Something went wrong"
			data.Message = "Aesop could not finish this request. Nothing you submitted was " +
				"lost. Please try again; if it keeps happening, tell your administrator the " +
				"request id below."
			log.Error("request failed", "err", err)
		}
		noStore(c)
		// An error page holds no action and no personal data, and a refusal
		// must be readable inside the frame of an LMS that is not (yet)
		// registered, so any site may frame it.
		setFrameAncestors(c, "*")
		if c.Request().Method == http.MethodHead {
			c.NoContent(data.Status)
			return
		}
		if err := p.render(c, data.Status, "error", data); err != nil {
			log.Error("render error page", "err", err)
		}
	}
}

type errorPage struct {
	Status    int
	Title     string
	Message   string
	Reason    string
	RequestID string
}

func refusalTitle(r *lti.Refusal) string {
	switch r.Reason {
	case lti.ReasonStateUnknown, lti.ReasonNonce:
		return "Please open the activity again"
	case lti.ReasonExpired, lti.ReasonIssuedInFuture, lti.ReasonNotYetValid:
		return "The launch has expired"
	case lti.ReasonUnknownPlatform, lti.ReasonUnknownDeployment:
		return "This LMS is not registered"
	case lti.ReasonRegistrationUsed, lti.ReasonRegistrationFailed:
		return "Registration could not be completed"
	}
	return "This launch was refused"
}

func httpErrorMessage(code int) string {
	switch code {
	case http.StatusNotFound:
		return "There is no page at this address. Open the activity from your course."
	case http.StatusMethodNotAllowed:
		return "This address does not accept this kind of request."
	case http.StatusRequestEntityTooLarge:
		return "The request is larger than Aesop accepts."
	}
	return "Aesop could not handle this request."
}
