package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"aesop/content"
	"aesop/grading"
	"aesop/tutor"
	"aesop/web/session"
)

type labPage struct {
	frame
	Lab            *content.Lab
	ObjectiveLabel string
	Prev, Next     *navItem
	// Chat is nil when no tutor is configured; NotConfigured then says
	// which settings an administrator sets.
	Chat          []chatMessage
	NotConfigured string
	// Notice is a refusal to show above the box (a limit, a paused tutor);
	// Draft keeps what the learner wrote so it is not lost.
	Notice, Draft string
	Paused        bool
	Completed     bool
	// Grade says whether completing the lab sends a completion grade to the
	// course gradebook, and whether the learner's has yet to be sent.
	Grade grading.LabGrade
	// Gradebook is set for staff on a link that serves this lab.
	Gradebook bool
	// RetentionDays is how long a conversation is kept after its last
	// message, which the privacy notice tells; 0 when none is set.
	RetentionDays int
}

// chatMessage is one message as the lab page shows it.
type chatMessage struct {
	ID        int64
	FromTutor bool
	HTML      template.HTML
	Text      string
	Status    string
	// Retry is set on a learner message that got no answer.
	Retry bool
}

func chatMessages(c *tutor.Conversation) []chatMessage {
	out := make([]chatMessage, 0, len(c.Messages))
	for _, m := range c.Messages {
		cm := chatMessage{ID: m.ID, FromTutor: m.Role == tutor.RoleTutor, Text: m.Content,
			Status: string(m.Status)}
		if cm.FromTutor {
			cm.HTML = tutor.RenderMarkdown(m.Content)
		}
		cm.Retry = !cm.FromTutor && m.Status == tutor.StatusUnanswered
		out = append(out, cm)
	}
	return out
}

// learner is the tutor's view of the session's person.
func learner(sess *session.Session) tutor.Learner {
	var ctx int64
	if sess.ContextRef != nil {
		ctx = *sess.ContextRef
	}
	return tutor.Learner{UserID: sess.UserID, ContextRef: ctx}
}

// showLab shows a lab's objective, how to start, and the conversation with
// the tutor, which resumes where it stopped.
func (h *courseHandler) showLab(c echo.Context, a *content.Activity) error {
	return h.renderLab(c, a, http.StatusOK, "", "")
}

func (h *courseHandler) renderLab(c echo.Context, a *content.Activity, status int,
	notice, draft string) error {
	sess := currentSession(c)
	ctx := c.Request().Context()
	f, err := h.frame(c, a.Lab.Title, h.moduleOf(a), a.ID)
	if err != nil {
		return err
	}
	if err := h.markViewed(c, &f, a.ID); err != nil {
		return err
	}
	p := labPage{frame: f, Lab: a.Lab, ObjectiveLabel: content.ObjectiveLabel,
		Notice: notice, Draft: draft, Completed: f.completed(a.ID),
		RetentionDays: h.retentionDays()}
	p.Prev, p.Next = neighbours(f.Nav, a.ID)
	if err := h.labGrading(c, &p, a.ID); err != nil {
		return err
	}
	if h.tutor == nil || !h.tutor.Config().Enabled() {
		p.NotConfigured = tutor.DefaultConfig().AdminMessage()
		if h.tutor != nil {
			p.NotConfigured = h.tutor.Config().AdminMessage()
		}
		return h.pages.render(c, status, "lab", p)
	}
	conv, err := h.tutor.Resume(ctx, learner(sess), a.ID)
	if err != nil {
		return err
	}
	p.Chat = chatMessages(conv)
	if p.Paused, err = h.grades.HasOpenTest(ctx, sess.UserID, sess.ContextRef); err != nil {
		return err
	}
	return h.pages.render(c, status, "lab", p)
}

// retentionDays is how many days the privacy notice says a conversation is
// kept; with no tutor configured, the default's.
func (h *courseHandler) retentionDays() int {
	if h.tutor == nil {
		return tutor.DefaultConfig().RetentionDays()
	}
	return h.tutor.Config().RetentionDays()
}

// labGrading fills in what the lab page says about the lab's grade.
func (h *courseHandler) labGrading(c echo.Context, p *labPage, labID string) error {
	sess := currentSession(c)
	ctx := c.Request().Context()
	g, err := h.grades.LabGrade(ctx, sess.UserID, sess.ContextRef, sess.ResourceLinkRef, labID)
	if err != nil {
		return err
	}
	p.Grade = g
	if sess.IsStaff() {
		link, err := h.linkFor(ctx, sess, labID)
		if err != nil {
			return err
		}
		p.Gradebook = link != nil
	}
	return nil
}

// lab finds the lab named in the path.
func (h *courseHandler) lab(c echo.Context) (*content.Activity, error) {
	a, err := h.activity(c)
	if err != nil {
		return nil, err
	}
	if a.Lab == nil {
		return nil, refuse(http.StatusNotFound, "Not a lab", "This activity has no tutor.")
	}
	if h.tutor == nil {
		return nil, refuse(http.StatusServiceUnavailable, "The tutor is not configured",
			tutor.DefaultConfig().AdminMessage())
	}
	return a, nil
}

// chatStatus is the HTTP status of a refused message.
func chatStatus(err error) int {
	switch {
	case errors.Is(err, tutor.ErrLimitReached):
		return http.StatusTooManyRequests
	case errors.Is(err, tutor.ErrBusy), errors.Is(err, tutor.ErrTestOpen):
		return http.StatusConflict
	case errors.Is(err, tutor.ErrNotConfigured):
		return http.StatusServiceUnavailable
	case errors.Is(err, tutor.ErrEmptyMessage), errors.Is(err, tutor.ErrMessageTooLong),
		errors.Is(err, tutor.ErrNotRetryable):
		return http.StatusBadRequest
	}
	return http.StatusBadGateway
}

// send answers the plain form without scripts: the tutor's answer is
// collected whole, then the page shows the conversation.
func (h *courseHandler) send(c echo.Context) error {
	a, err := h.lab(c)
	if err != nil {
		return err
	}
	sess := currentSession(c)
	ctx := c.Request().Context()
	open := h.testOpen(sess)
	text := c.FormValue("message")
	var reply *tutor.Reply
	if id, _ := strconv.ParseInt(c.FormValue("retry"), 10, 64); id != 0 {
		reply, err = h.tutor.Retry(ctx, learner(sess), id, open, ignoreDelta)
		text = ""
	} else {
		reply, err = h.tutor.Send(ctx, learner(sess), a.ID, text, open, ignoreDelta)
	}
	if err != nil {
		if reply == nil {
			return h.renderLab(c, a, chatStatus(err), tutor.LearnerMessage(err), text)
		}
		// The message is stored, unanswered, with a retry button.
		return h.renderLab(c, a, http.StatusOK, tutor.LearnerMessage(err), "")
	}
	return h.redirect(c, "/a/"+a.ID+"#chat-end")
}

// testOpen is the tutor's pause check for the session's learner: the tutor
// pauses while they have a module-test attempt open in the course.
func (h *courseHandler) testOpen(sess *session.Session) tutor.PauseCheck {
	return func(ctx context.Context) (bool, error) {
		return h.grades.HasOpenTest(ctx, sess.UserID, sess.ContextRef)
	}
}

// ignoreDelta drops the pieces of an answer the page will show whole.
func ignoreDelta(string) error { return nil }

// stream answers the chat script: the tutor's answer goes to the browser as
// server-sent events, piece by piece, then one last event with the answer
// rendered safely, or the reason it failed. Closing the connection (the stop
// button) stops the answer; what came so far is kept.
func (h *courseHandler) stream(c echo.Context) error {
	a, err := h.lab(c)
	if err != nil {
		return err
	}
	sess := currentSession(c)
	ctx := c.Request().Context()
	open := h.testOpen(sess)
	events := newEventStream(c.Response())
	defer events.close()
	onDelta := func(piece string) error { return events.send("delta", piece) }
	var reply *tutor.Reply
	if id, _ := strconv.ParseInt(c.FormValue("retry"), 10, 64); id != 0 {
		reply, err = h.tutor.Retry(ctx, learner(sess), id, open, onDelta)
	} else {
		reply, err = h.tutor.Send(ctx, learner(sess), a.ID, c.FormValue("message"), open,
			onDelta)
	}
	if err != nil {
		ev := map[string]any{"message": tutor.LearnerMessage(err), "stored": reply != nil,
			"status": chatStatus(err)}
		if reply != nil {
			ev["retry"] = reply.Sent.ID
		}
		events.send("failed", ev)
		return nil
	}
	done := map[string]any{"sent": reply.Sent.ID}
	if reply.Answer != nil {
		done["answer"] = reply.Answer.ID
		done["html"] = string(tutor.RenderMarkdown(reply.Answer.Content))
		done["status"] = string(reply.Answer.Status)
	}
	events.send("done", done)
	return nil
}

// complete records that the learner finished the lab and, where the lab is
// graded in the course, sends the completion grade. Marking again sends
// nothing twice. Staff marking a lab while they look at it are treated as
// on a test: their grade is sent, and the LMS refuses it if they are not
// students, which the gradebook shows.
func (h *courseHandler) complete(c echo.Context) error {
	a, err := h.activity(c)
	if err != nil {
		return err
	}
	if a.Lab == nil {
		return refuse(http.StatusBadRequest, "Not a lab", "Only labs are marked complete.")
	}
	sess := currentSession(c)
	n, err := h.grades.CompleteLab(c.Request().Context(), sess.UserID, sess.ContextRef,
		sess.ResourceLinkRef, a.ID)
	if err != nil {
		return err
	}
	if n > 0 {
		logger(c).Info("lab completion grade queued", "activity", a.ID, "user_id",
			sess.UserID, "links", n)
		h.submitted()
	}
	return h.redirect(c, "/a/"+a.ID)
}
