package content

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// finishModule checks a module's files against each other, resolves its
// references and navigation, and registers its activities in the pack.
func (l *loader) finishModule(ml *moduleLoad) {
	mod := ml.mod
	acts := map[string]*Activity{}
	l.addLessons(ml, acts)
	for _, d := range ml.quizzes {
		les := l.resolveLesson(ml, d.lesson, "quiz")
		acts[d.quiz.ID] = newActivity(mod, KindQuiz, d.quiz.ID, d.quiz.Title, "Quiz", les)
		acts[d.quiz.ID].Quiz = d.quiz
		d.quiz.LessonID = les
	}
	for _, d := range ml.labs {
		les := l.resolveLesson(ml, d.lesson, "lab")
		acts[d.lab.ID] = newActivity(mod, KindLab, d.lab.ID, d.lab.Title, "Lab", les)
		acts[d.lab.ID].Lab = d.lab
		d.lab.LessonID = les
	}
	l.addTest(ml, acts)
	if ml.parsed {
		l.checkPassMark(ml)
		l.buildNav(ml, acts)
	}
	l.checkLabsKeepAnswers(ml)
	for id, a := range acts {
		l.pack.activities[id] = a
	}
}

// addLessons orders the module's lessons by number and makes them
// activities.
func (l *loader) addLessons(ml *moduleLoad, acts map[string]*Activity) {
	mod := ml.mod
	sort.SliceStable(ml.lessons, func(i, j int) bool {
		return ml.lessons[i].Number < ml.lessons[j].Number
	})
	seen := map[int]string{}
	for _, les := range ml.lessons {
		if other, dup := seen[les.Number]; dup {
			l.probs.add(ml.lessonAt[les.ID], "lesson %s has number %d, as lesson %s does",
				les.ID, les.Number, other)
		}
		seen[les.Number] = les.ID
		label := "L" + strconv.Itoa(les.Number)
		acts[les.ID] = newActivity(mod, KindLesson, les.ID, les.Title, label, les.ID)
		acts[les.ID].Lesson = les
		mod.Lessons = append(mod.Lessons, les)
	}
}

// addTest sets the module test and makes it an activity.
func (l *loader) addTest(ml *moduleLoad, acts map[string]*Activity) {
	mod := ml.mod
	for i, d := range ml.tests {
		if i > 0 {
			l.probs.add(d.at, "module %s already has test %s; a module has at most one",
				mod.ID, mod.Test.ID)
			continue
		}
		mod.Test = d.quiz
		d.quiz.PassMark = mod.PassMark
		acts[d.quiz.ID] = newActivity(mod, KindTest, d.quiz.ID, d.quiz.Title, "Module Test", "")
		acts[d.quiz.ID].Quiz = d.quiz
	}
}

// checkPassMark checks that a module with a test has a pass mark, and
// that a module without one has none.
func (l *loader) checkPassMark(ml *moduleLoad) {
	mod := ml.mod
	switch {
	case mod.Test != nil && !ml.hasPass:
		l.probs.add(Place{File: ml.file, Line: 1},
			"module: missing \"pass_mark\" for test %s, as 0.8 for 80%%", mod.Test.ID)
	case mod.Test == nil && ml.hasPass:
		l.probs.add(ml.passAt, "module: \"pass_mark\" is set but the module has no test")
	}
}

// newActivity makes the activity record for one lesson, quiz, lab or test.
func newActivity(mod *Module, kind Kind, id, title, label, lesson string) *Activity {
	return &Activity{Ref: Ref{
		ID: id, Kind: kind, Title: title, Label: label,
		ModuleID: mod.ID, LessonID: lesson,
	}}
}

// resolveLesson checks that a quiz or lab names a lesson of its own
// module and returns the lesson id, or "" if it does not resolve.
func (l *loader) resolveLesson(ml *moduleLoad, ref idAt, what string) string {
	if ref.id == "" {
		return ""
	}
	for _, les := range ml.lessons {
		if les.ID == ref.id {
			return les.ID
		}
	}
	if _, elsewhere := l.ids[ref.id]; elsewhere {
		l.probs.add(ref.at, "%s names %q, which is not a lesson of module %s",
			what, ref.id, ml.mod.ID)
	} else {
		l.probs.add(ref.at, "%s names unknown lesson %q", what, ref.id)
	}
	return ""
}

// buildNav resolves the module's navigation: every entry must name an
// activity of the module, once, and every activity must appear.
func (l *loader) buildNav(ml *moduleLoad, acts map[string]*Activity) {
	mod := ml.mod
	listed := map[string]bool{}
	for _, e := range ml.nav {
		a, ok := acts[e.id]
		switch {
		case listed[e.id]:
			l.probs.add(e.at, "nav lists %q twice", e.id)
		case !ok:
			l.probs.add(e.at, "nav lists %q, which is not an activity of module %s", e.id, mod.ID)
		default:
			mod.Nav = append(mod.Nav, a.Ref)
			l.addInNavOrder(mod, a)
		}
		listed[e.id] = true
	}
	var missing []string
	for id := range acts {
		if !listed[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	for _, id := range missing {
		l.probs.add(ml.navAt, "nav does not list %s %q; learners could not reach it",
			acts[id].Kind, id)
	}
}

// addInNavOrder appends quizzes and labs to the module's lists as the
// navigation reaches them.
func (l *loader) addInNavOrder(mod *Module, a *Activity) {
	switch {
	case a.Kind == KindQuiz:
		mod.Quizzes = append(mod.Quizzes, a.Quiz)
	case a.Kind == KindLab:
		mod.Labs = append(mod.Labs, a.Lab)
	}
}

// checkLabsKeepAnswers reports a lab whose tutor instructions quote the
// correct answer of a module test question: the tutor must never be able
// to hand it over.
func (l *loader) checkLabsKeepAnswers(ml *moduleLoad) {
	if ml.mod.Test == nil {
		return
	}
	for _, d := range ml.labs {
		instr := normalizeWords(d.lab.Instructions.Text())
		for _, q := range ml.mod.Test.Questions {
			ans := q.CorrectOption().Text
			if quotes(instr, normalizeWords(ans)) {
				l.probs.add(d.instrAt, "lab %s: instructions give away the answer to "+
					"test question %s", d.lab.ID, q.ID)
			}
		}
	}
}

// quotes reports whether text holds any run of six words of answer, or
// all of a shorter answer.
func quotes(text, answer []string) bool {
	const run = 6
	if len(answer) == 0 {
		return false
	}
	hay := " " + strings.Join(text, " ") + " "
	if len(answer) <= run {
		return strings.Contains(hay, " "+strings.Join(answer, " ")+" ")
	}
	for i := 0; i+run <= len(answer); i++ {
		if strings.Contains(hay, " "+strings.Join(answer[i:i+run], " ")+" ") {
			return true
		}
	}
	return false
}

// normalizeWords lowercases text and splits it into words without
// punctuation, so that quoting is found whatever the spacing or case.
func normalizeWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !isWordRune(r)
	})
}

// isWordRune reports whether r belongs to a word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
