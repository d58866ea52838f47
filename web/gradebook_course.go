package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/grading"
	"aesop/lti/directory"
)

// courseColumn is one graded link of the course.
type courseColumn struct {
	Title string
	Max   int
	// Completion marks a lab, graded by completion alone.
	Completion bool
	Pending    int
	Failed     int
}

// courseCell is one learner's grade on one link.
type courseCell struct {
	Has bool
	// Completion marks a lab's cell, which says "completed", not 1.
	Completion bool
	Grade      int
	Passed     bool
	Status     string
}

type courseRow struct {
	Member directory.Member
	Cells  []courseCell
}

type courseGradebookPage struct {
	frame
	Columns []courseColumn
	Rows    []courseRow
}

// showCourse is the course-wide gradebook: every graded Aesop link of the
// instructor's course, one column each (a graded lab's says who completed
// it), with every learner of the course, including those who never opened
// an activity.
func (h *gradebookHandler) showCourse(c echo.Context) error {
	sess := currentSession(c)
	if _, err := staffLink(sess); err != nil {
		return err
	}
	ctx := c.Request().Context()
	links, err := h.directory.Links(ctx, *sess.ContextRef)
	if err != nil {
		return err
	}
	members, err := h.directory.Members(ctx, *sess.ContextRef)
	if err != nil {
		return err
	}
	p := courseGradebookPage{frame: frame{Title: "Course gradebook",
		Base: "/s/" + h.sessions.Token(sess), CSRF: h.sessions.CSRF(sess),
		UserName: currentLaunch(c).DisplayName(), Staff: true}}
	if l := currentLaunch(c); l.Context != nil {
		p.Course = l.Context.Title
	}
	var reports []*grading.Report
	for _, link := range links {
		r, err := h.grades.LinkReport(ctx, link.ID)
		if errors.Is(err, grading.ErrLinkNotSet) || errors.Is(err, grading.ErrNotAssessed) {
			continue
		}
		if err != nil {
			return err
		}
		if !r.Settings.Graded {
			continue
		}
		col := courseColumn{Title: link.Title, Max: r.Settings.ScoreMaximum,
			Completion: r.Completion}
		if a, ok := h.pack.Activity(r.Settings.ActivityID); ok && col.Title == "" {
			col.Title = a.Title
		}
		for _, lr := range r.Learners {
			if lr.Sync != nil && lr.Sync.Status == grading.StatusPending {
				col.Pending++
			}
			if lr.Sync != nil && (lr.Sync.Status == grading.StatusFailed ||
				lr.Sync.Status == grading.StatusParked || lr.Sync.Status == grading.StatusHeld) {
				col.Failed++
			}
		}
		p.Columns = append(p.Columns, col)
		reports = append(reports, r)
	}
	for _, m := range members {
		if m.Role != "learner" {
			continue
		}
		row := courseRow{Member: m, Cells: make([]courseCell, len(reports))}
		for i, r := range reports {
			for _, lr := range r.Learners {
				if m.UserID != 0 && lr.UserID == m.UserID {
					cell := courseCell{Has: true, Completion: r.Completion, Grade: lr.Grade,
						Passed: lr.Passed}
					if lr.Sync != nil {
						cell.Status = lr.Sync.Status
					}
					row.Cells[i] = cell
				}
			}
		}
		p.Rows = append(p.Rows, row)
	}
	return h.pages.render(c, http.StatusOK, "gradebook_course", p)
}
