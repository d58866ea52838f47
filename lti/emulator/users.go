package emulator

// Role URIs from the LTI 1.3 role vocabularies that the emulator sends.
const (
	lisVocab               = "http://purl.imsglobal.org/vocab/lis/v2/"
	RoleLearner            = lisVocab + "membership#Learner"
	RoleInstructor         = lisVocab + "membership#Instructor"
	RoleTeachingAssistant  = lisVocab + "membership/Instructor#TeachingAssistant"
	RoleAdministrator      = lisVocab + "membership#Administrator"
	RoleInstitutionStudent = lisVocab + "institution/person#Student"
	RoleInstitutionFaculty = lisVocab + "institution/person#Faculty"
	RoleInstitutionAdmin   = lisVocab + "institution/person#Administrator"
	RoleSystemAdmin        = lisVocab + "system/person#Administrator"
)

// User is a person of the emulated LMS, as the id_token describes them.
type User struct {
	Sub        string
	Name       string
	GivenName  string
	FamilyName string
	Email      string
	// Roles are full role URIs, such as RoleLearner.
	Roles []string
	// Label is how the course page names the user on its buttons.
	Label string
}

// LearnerRoles returns the roles a platform sends for a student in a course.
func LearnerRoles() []string {
	return []string{RoleLearner, RoleInstitutionStudent}
}

// InstructorRoles returns the roles a platform sends for a course's teacher.
func InstructorRoles() []string {
	return []string{RoleInstructor, RoleInstitutionFaculty}
}

// TARoles returns the roles of a teaching assistant: the sub-role together
// with its principal role, as LTI asks platforms to send both.
func TARoles() []string {
	return []string{RoleTeachingAssistant, RoleInstructor, RoleInstitutionStudent}
}

// AdminRoles returns the roles of a system administrator acting in a course.
func AdminRoles() []string {
	return []string{RoleAdministrator, RoleInstitutionAdmin, RoleSystemAdmin}
}

// Alice returns the first demo learner.
func Alice() User {
	return User{
		Sub:        "5f2c8e0a-41d7-4b1e-9a61-2d7c0b3e9a01",
		Name:       "Alice Nguyen",
		GivenName:  "Alice",
		FamilyName: "Nguyen",
		Email:      "alice.nguyen@students.example.edu",
		Roles:      LearnerRoles(),
		Label:      "Alice (learner)",
	}
}

// Bob returns the second demo learner.
func Bob() User {
	return User{
		Sub:        "8b3d1f47-0c9e-4e55-b2a8-6f1e4d2c7b02",
		Name:       "Bob Okafor",
		GivenName:  "Bob",
		FamilyName: "Okafor",
		Email:      "bob.okafor@students.example.edu",
		Roles:      LearnerRoles(),
		Label:      "Bob (learner)",
	}
}

// Instructor returns the demo course's teacher.
func Instructor() User {
	return User{
		Sub:        "c1a9e6b2-7d34-4f08-8e1c-3b5a9d0f6c03",
		Name:       "Maria López",
		GivenName:  "Maria",
		FamilyName: "López",
		Email:      "maria.lopez@example.edu",
		Roles:      InstructorRoles(),
		Label:      "Prof. López (instructor)",
	}
}

// TA returns the demo course's teaching assistant.
func TA() User {
	return User{
		Sub:        "e7f04b19-2a6c-4d93-a5e7-9c8b1f3d2e04",
		Name:       "Sam Patel",
		GivenName:  "Sam",
		FamilyName: "Patel",
		Email:      "sam.patel@example.edu",
		Roles:      TARoles(),
		Label:      "Sam (teaching assistant)",
	}
}

// DemoUsers returns fresh copies of the demo course's people, learners first.
func DemoUsers() []User {
	return []User{Alice(), Bob(), Instructor(), TA()}
}

// demoUser finds a demo user by subject.
func demoUser(sub string) (User, bool) {
	for _, u := range DemoUsers() {
		if u.Sub == sub {
			return u, true
		}
	}
	return User{}, false
}

// canEdit reports whether the user may add activities to the course:
// instructors and administrators may, teaching assistants may not.
func (u User) canEdit() bool {
	edit := false
	for _, r := range u.Roles {
		switch r {
		case RoleTeachingAssistant:
			return false
		case RoleInstructor, RoleAdministrator:
			edit = true
		}
	}
	return edit
}
