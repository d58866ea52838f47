package lti

import "testing"

func TestRoleOf(t *testing.T) {
	const (
		learner    = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
		instructor = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
		ta         = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
		faculty    = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"
		instAdmin  = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
		sysAdmin   = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
	)
	tests := []struct {
		name  string
		roles []string
		want  Role
	}{
		{"learner", []string{learner}, RoleLearner},
		{"instructor", []string{instructor}, RoleInstructor},
		{"teaching assistant", []string{ta}, RoleInstructor},
		{"canvas TA as LTI 1.1 URN", []string{"urn:lti:role:ims/lis/TeachingAssistant"},
			RoleInstructor},
		{"short name", []string{"Instructor"}, RoleInstructor},
		{"short learner", []string{"Learner"}, RoleLearner},
		{"faculty learning in this course", []string{faculty, learner}, RoleLearner},
		{"institution admin", []string{instAdmin, learner}, RoleAdministrator},
		{"system admin", []string{sysAdmin}, RoleAdministrator},
		{"multiple roles", []string{learner, instructor}, RoleInstructor},
		{"unknown role", []string{"http://example.com/roles#Wizard"}, RoleLearner},
		{"no role", nil, RoleLearner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RoleOf(tt.roles); got != tt.want {
				t.Errorf("RoleOf(%q) = %s, want %s", tt.roles, got, tt.want)
			}
		})
	}
}
