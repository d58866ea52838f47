package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"aesop/content"
	"aesop/grading"
)

// questionView is one question as a page shows it: options in the attempt's
// order, and the learner's answer with the author's feedback once given.
type questionView struct {
	N        int
	Question *content.Question
	Options  []content.Option
	Answer   *grading.Answer
	Feedback string
}

// Chosen reports whether an option is the learner's answer.
func (q questionView) Chosen(optionID string) bool {
	return q.Answer != nil && q.Answer.OptionID == optionID
}

func questionViews(quiz *content.Quiz, at *grading.Attempt) []questionView {
	views := make([]questionView, len(quiz.Questions))
	for i, q := range quiz.Questions {
		v := questionView{N: i + 1, Question: q, Options: q.ShuffledOptions(at.Seed)}
		if ans, ok := at.Answers[q.ID]; ok {
			v.Answer = &ans
			v.Feedback = q.Feedback.Wrong
			if ans.Correct {
				v.Feedback = q.Feedback.Right
			}
		}
		views[i] = v
	}
	return views
}

type quizPage struct {
	frame
	Quiz      *content.Quiz
	Attempt   *grading.Attempt
	Questions []questionView
	Answered  int
	Graded    bool
}

// showQuiz shows the learner's open quiz attempt with feedback on the
// questions answered so far, or the result of the last one with a retry.
func (h *courseHandler) showQuiz(c echo.Context, a *content.Activity) error {
	sess := currentSession(c)
	ctx := c.Request().Context()
	link, err := h.linkFor(ctx, sess, a.ID)
	if err != nil {
		return err
	}
	linkRef := linkRefOf(link)
	at, err := h.grades.Current(ctx, sess.UserID, a.ID, linkRef)
	if err != nil {
		return err
	}
	if at == nil {
		history, err := h.grades.History(ctx, sess.UserID, a.ID, linkRef)
		if err != nil {
			return err
		}
		if len(history) > 0 {
			// History lists attempts without their answers.
			if at, err = h.grades.Attempt(ctx, history[0].ID, sess.UserID); err != nil {
				return err
			}
		} else if at, err = h.grades.Open(ctx, sess.UserID, a.ID, linkRef,
			sess.ContextRef); err != nil {
			return err
		}
	}
	f, err := h.frame(c, a.Quiz.Title, h.moduleOf(a), a.ID)
	if err != nil {
		return err
	}
	if err := h.markViewed(c, &f, a.ID); err != nil {
		return err
	}
	p := quizPage{frame: f, Quiz: a.Quiz, Attempt: at, Questions: questionViews(a.Quiz, at),
		Answered: len(at.Answers), Graded: link != nil && link.Graded}
	return h.pages.render(c, http.StatusOK, "quiz", p)
}

func linkRefOf(ls *grading.LinkSettings) *int64 {
	if ls == nil {
		return nil
	}
	return &ls.ResourceLinkRef
}

// answerQuiz records one answer of a quiz and shows its feedback. Answering a
// question already answered changes nothing, so a double click or a resubmit
// from the back button counts once. The last answer submits the attempt.
func (h *courseHandler) answerQuiz(c echo.Context) error {
	a, err := h.activity(c)
	if err != nil {
		return err
	}
	if a.Kind != content.KindQuiz {
		return refuse(http.StatusBadRequest, "Not a quiz", "This activity takes no answers.")
	}
	sess := currentSession(c)
	ctx := c.Request().Context()
	attemptID, _ := strconv.ParseInt(c.FormValue("attempt"), 10, 64)
	at, err := h.grades.Attempt(ctx, attemptID, sess.UserID)
	if err != nil {
		return attemptError(err)
	}
	qid, opt := c.FormValue("question"), c.FormValue("option")
	if opt == "" {
		return refuse(http.StatusBadRequest, "Choose an answer",
			"Pick one of the options before checking your answer.")
	}
	_, answered := at.Answers[qid]
	if at.SubmittedAt == nil && !answered {
		if _, err := h.grades.Answer(ctx, at.ID, sess.UserID, qid, opt); err != nil {
			return attemptError(err)
		}
		at.Answers[qid] = grading.Answer{}
		if len(at.Answers) == len(a.Quiz.Questions) {
			if _, err := h.grades.Submit(ctx, at.ID, sess.UserID, nil); err != nil {
				return attemptError(err)
			}
			h.submitted()
			if err := h.grades.MarkCompleted(ctx, sess.UserID, sess.ContextRef,
				a.ID); err != nil {
				return err
			}
		}
	}
	return h.redirect(c, fmt.Sprintf("/a/%s#%s", a.ID, qid))
}

// openAttempt starts an attempt of a quiz (a retry) or of the test, or
// returns to the open one: the store's Open is idempotent, so a double click
// starts one attempt.
func (h *courseHandler) openAttempt(c echo.Context) error {
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
	if _, err := h.grades.Open(ctx, sess.UserID, a.ID, linkRefOf(link),
		sess.ContextRef); err != nil {
		return attemptError(err)
	}
	return h.redirect(c, "/a/"+a.ID)
}

// attemptError turns the grading store's refusals into pages.
func attemptError(err error) error {
	switch {
	case errors.Is(err, grading.ErrNotYours):
		return refuse(http.StatusForbidden, "Not your attempt",
			"This attempt belongs to someone else.")
	case errors.Is(err, grading.ErrNoAttemptsLeft):
		return refuse(http.StatusConflict, "No attempts left",
			"You have used every attempt your instructor allows for this test.")
	case errors.Is(err, grading.ErrAttemptSubmitted):
		return refuse(http.StatusConflict, "Already submitted",
			"This attempt was already submitted; your answers are kept as they were.")
	case errors.Is(err, grading.ErrUnknownQuestion), errors.Is(err, grading.ErrUnknownOption):
		return refuse(http.StatusBadRequest, "Unknown answer",
			"The answer does not belong to this quiz. Reload the page and answer again.")
	case errors.Is(err, grading.ErrAttemptNotFound):
		return refuse(http.StatusNotFound, "No such attempt",
			"This attempt does not exist. Open the activity again.")
	}
	return err
}
