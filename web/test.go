package web

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"aesop/content"
	"aesop/grading"
)

type testPage struct {
	frame
	Quiz      *content.Quiz
	Attempt   *grading.Attempt // the open attempt, nil on the intro
	Questions []questionView
	History   []grading.Attempt
	Left      int
	Unlimited bool
	Link      *grading.LinkSettings // set when the session's link is this test
	PassScore int
}

// showTest shows the module test: the open attempt's form, or the intro with
// attempts left and the history of submitted attempts.
func (h *courseHandler) showTest(c echo.Context, a *content.Activity) error {
	sess := currentSession(c)
	ctx := c.Request().Context()
	link, err := h.linkFor(ctx, sess, a.ID)
	if err != nil {
		return err
	}
	linkRef := linkRefOf(link)
	f, err := h.frame(c, a.Quiz.Title, h.moduleOf(a), a.ID)
	if err != nil {
		return err
	}
	if err := h.markViewed(c, &f, a.ID); err != nil {
		return err
	}
	p := testPage{frame: f, Quiz: a.Quiz, Link: link,
		PassScore: grading.PassScore(a.Quiz.PassMark, len(a.Quiz.Questions))}
	if p.Attempt, err = h.grades.Current(ctx, sess.UserID, a.ID, linkRef); err != nil {
		return err
	}
	if p.Attempt != nil {
		p.Questions = questionViews(a.Quiz, p.Attempt)
		for i := range p.Questions {
			// Answers saved while the attempt is open are choices, not yet
			// marked: feedback comes with the review after submission.
			p.Questions[i].Feedback = ""
		}
		return h.pages.render(c, http.StatusOK, "test", p)
	}
	if p.History, err = h.grades.History(ctx, sess.UserID, a.ID, linkRef); err != nil {
		return err
	}
	if p.Left, p.Unlimited, err = h.grades.AttemptsLeft(ctx, sess.UserID, a.ID,
		linkRef); err != nil {
		return err
	}
	return h.pages.render(c, http.StatusOK, "test", p)
}

// saveAnswer stores one choice of an open test attempt as the learner makes
// it, so that nothing chosen is lost if the page or the network fails before
// submission. The page calls it from a script; without scripts the final
// submission carries every choice.
func (h *courseHandler) saveAnswer(c echo.Context) error {
	sess := currentSession(c)
	attemptID, _ := strconv.ParseInt(c.FormValue("attempt"), 10, 64)
	_, err := h.grades.Answer(c.Request().Context(), attemptID, sess.UserID,
		c.FormValue("question"), c.FormValue("option"))
	if err != nil {
		return attemptError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// submitTest scores an attempt once. A second submission of the same attempt
// (double click, back button) shows the same result and counts nothing.
func (h *courseHandler) submitTest(c echo.Context) error {
	a, err := h.activity(c)
	if err != nil {
		return err
	}
	sess := currentSession(c)
	ctx := c.Request().Context()
	attemptID, _ := strconv.ParseInt(c.FormValue("attempt"), 10, 64)
	choices := map[string]string{}
	for _, q := range a.Quiz.Questions {
		if v := c.FormValue("q-" + q.ID); v != "" {
			choices[q.ID] = v
		}
	}
	at, err := h.grades.Submit(ctx, attemptID, sess.UserID, choices)
	if err != nil {
		return attemptError(err)
	}
	h.submitted()
	if err := h.grades.MarkCompleted(ctx, sess.UserID, sess.ContextRef, a.ID); err != nil {
		return err
	}
	return h.redirect(c, "/a/"+a.ID+"/attempts/"+strconv.FormatInt(at.ID, 10))
}

type reviewPage struct {
	frame
	Quiz      *content.Quiz
	Attempt   *grading.Attempt
	Questions []questionView
	PassScore int
	Percent   int
}

// review shows one submitted attempt with every question and its feedback.
func (h *courseHandler) review(c echo.Context) error {
	a, err := h.activity(c)
	if err != nil {
		return err
	}
	sess := currentSession(c)
	id, _ := strconv.ParseInt(c.Param("attempt"), 10, 64)
	at, err := h.grades.Attempt(c.Request().Context(), id, sess.UserID)
	if err != nil {
		return attemptError(err)
	}
	if at.ActivityID != a.ID || at.SubmittedAt == nil {
		return refuse(http.StatusNotFound, "No such result",
			"This attempt has no result to review yet.")
	}
	f, err := h.frame(c, "Result: "+a.Quiz.Title, h.moduleOf(a), a.ID)
	if err != nil {
		return err
	}
	p := reviewPage{frame: f, Quiz: a.Quiz, Attempt: at, Questions: questionViews(a.Quiz, at),
		PassScore: grading.PassScore(a.Quiz.PassMark, len(a.Quiz.Questions))}
	if at.MaxScore > 0 {
		p.Percent = int(math.Round(100 * float64(at.Score) / float64(at.MaxScore)))
	}
	return h.pages.render(c, http.StatusOK, "review", p)
}

// saveSettings lets an instructor set the link's maximum attempts and grade
// policy for this test.
func (h *courseHandler) saveSettings(c echo.Context) error {
	a, err := h.activity(c)
	if err != nil {
		return err
	}
	sess := currentSession(c)
	ctx := c.Request().Context()
	link, err := h.linkFor(ctx, sess, a.ID)
	if err != nil {
		return err
	}
	if !sess.IsStaff() || link == nil {
		return refuse(http.StatusForbidden, "Only instructors can change settings",
			"Settings belong to the instructors of the course that placed this test.")
	}
	max, err := strconv.Atoi(c.FormValue("max_attempts"))
	if err != nil || max < 0 || max > 100 {
		return refuse(http.StatusBadRequest, "Check the number of attempts",
			"Maximum attempts must be a whole number from 0 (unlimited) to 100.")
	}
	policy := grading.Policy(c.FormValue("policy"))
	if policy != grading.PolicyBest && policy != grading.PolicyLatest {
		return refuse(http.StatusBadRequest, "Choose a grade policy",
			"The grade is either the best attempt or the latest one.")
	}
	link.MaxAttempts, link.Policy = max, policy
	if err := h.grades.SetLink(ctx, *link); err != nil {
		return err
	}
	return h.redirect(c, "/a/"+a.ID)
}
