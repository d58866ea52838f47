package content

// labDecl is a lab as read, with the places needed for later checks.
type labDecl struct {
	lab     *Lab
	at      Place
	lesson  idAt
	instrAt Place
}

// loadLab reads an AI-tutor lab and its instructions for the tutor.
func (l *loader) loadLab(ml *moduleLoad, yf *yamlFile, m *fields) {
	lab := &Lab{ModuleID: ml.mod.ID}
	lab.ID = m.str("id")
	if lab.ID != "" {
		m.what = "lab " + lab.ID
	}
	d := labDecl{lab: lab, at: m.place("id"), instrAt: m.place("instructions")}
	d.lesson = idAt{id: m.str("lesson"), at: m.place("lesson")}
	lab.Title = m.str("title")
	lab.Subtitle = m.str("subtitle")
	lab.Objective = m.str("objective")
	lab.Suggestion = m.str("suggestion")
	lab.TutorName = m.str("tutor_name")
	lab.LabName = m.str("lab_name")
	lab.Opening = m.str("opening")
	if n := m.value("instructions"); n == nil {
		m.missing("instructions")
	} else if im := yf.fields(n, m.what+" instructions"); im != nil {
		lab.Instructions = Instructions{
			Persona:    im.str("persona"),
			Goal:       im.str("goal"),
			Guidance:   im.strList("guidance"),
			Boundaries: im.strList("boundaries"),
		}
		im.done()
	}
	m.done()
	if !l.declare(lab.ID, d.at, "lab") {
		return
	}
	ml.labs = append(ml.labs, d)
	ctx := lab.Title + " " + lab.Subtitle
	l.passage(m.place("objective"), lab.Objective, ctx)
	l.passage(m.place("suggestion"), lab.Suggestion, ctx)
	l.passage(m.place("opening"), lab.Opening, ctx)
	l.passage(d.instrAt, lab.Instructions.Text(), ctx)
}
