package content

import "strings"

// ObjectiveLabel is the heading the course shows above a lab's objective.
const ObjectiveLabel = "Your Objective"

// Lab is an AI-tutor lab that follows a lesson.
type Lab struct {
	ID       string
	ModuleID string
	LessonID string
	Title    string
	Subtitle string
	// Objective is the task set for the learner, shown under ObjectiveLabel.
	Objective string
	// Suggestion tells the learner how to open the conversation.
	Suggestion string
	TutorName  string // as "AESOP Lab Tutor"
	LabName    string // shown under the tutor's name
	// Opening is the tutor's first message, shown before the learner writes.
	Opening      string
	Instructions Instructions
}

// Instructions are the author's standing orders to the tutor. They are
// never shown to the learner and never hold module test answers.
type Instructions struct {
	Persona    string
	Goal       string
	Guidance   []string // how to guide the learner
	Boundaries []string // what the tutor must not do
}

// Text joins the instructions into one plain-text brief for a model.
func (in Instructions) Text() string {
	var b strings.Builder
	b.WriteString(in.Persona)
	b.WriteString("\n\nGoal of this lab: ")
	b.WriteString(in.Goal)
	writeList(&b, "How to guide the learner:", in.Guidance)
	writeList(&b, "Boundaries:", in.Boundaries)
	return b.String()
}

// writeList appends a titled bullet list to b.
func writeList(b *strings.Builder, title string, items []string) {
	b.WriteString("\n\n")
	b.WriteString(title)
	for _, it := range items {
		b.WriteString("\n- ")
		b.WriteString(it)
	}
}
