package lti

import "strings"

// Role is what a person may do in the tool, derived from their LTI roles.
type Role string

// The roles the tool distinguishes. Teaching assistants count as instructors.
const (
	RoleLearner       Role = "learner"
	RoleInstructor    Role = "instructor"
	RoleAdministrator Role = "administrator"
)

// Role vocabularies of LTI 1.3 (LIS v2) and the LTI 1.1 URNs some platforms
// still send.
const (
	contextRoles     = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
	contextSubRoles  = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
	institutionRoles = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
	systemRoles      = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
	legacyRoles      = "urn:lti:role:ims/lis/"
	legacyInstRoles  = "urn:lti:instrole:ims/lis/"
	legacySysRoles   = "urn:lti:sysrole:ims/lis/"
)

// RoleOf maps a launch's role URIs to the tool's role. Only context (course)
// roles make an instructor: an institution's "Faculty" may well be a student in
// this course. Institution and system administrators are administrators.
// Unknown roles, and no roles at all, give the least privilege: learner.
func RoleOf(roles []string) Role {
	role := RoleLearner
	for _, r := range roles {
		switch kind, name := splitRole(r); {
		case kind == "system" || kind == "institution":
			if name == "Administrator" || name == "SysAdmin" {
				return RoleAdministrator
			}
		case kind == "context" && isTeachingRole(name):
			role = RoleInstructor
		case kind == "context" && name == "Administrator":
			role = RoleInstructor
		}
	}
	return role
}

func isTeachingRole(name string) bool {
	switch name {
	case "Instructor", "TeachingAssistant", "ContentDeveloper",
		"Instructor#TeachingAssistant", "Instructor#PrimaryInstructor",
		"Instructor#SecondaryInstructor", "Instructor#Lecturer", "Instructor#Grader",
		"Instructor#ExternalInstructor", "Instructor#Guest",
		"Instructor#TeachingAssistantSection", "Instructor#TeachingAssistantGroup":
		return true
	}
	return strings.HasPrefix(name, "Instructor#")
}

// splitRole returns the vocabulary ("context", "institution", "system") and the
// name of one role. A short name such as "Instructor", which LTI 1.3 still
// allows for context roles, counts as a context role.
func splitRole(r string) (kind, name string) {
	switch {
	case strings.HasPrefix(r, contextRoles):
		return "context", r[len(contextRoles):]
	case strings.HasPrefix(r, contextSubRoles):
		return "context", r[len(contextSubRoles):]
	case strings.HasPrefix(r, institutionRoles):
		return "institution", r[len(institutionRoles):]
	case strings.HasPrefix(r, systemRoles):
		return "system", r[len(systemRoles):]
	case strings.HasPrefix(r, legacyInstRoles):
		return "institution", r[len(legacyInstRoles):]
	case strings.HasPrefix(r, legacySysRoles):
		return "system", r[len(legacySysRoles):]
	case strings.HasPrefix(r, legacyRoles):
		return "context", strings.ReplaceAll(r[len(legacyRoles):], "/", "#")
	case !strings.Contains(r, ":") && !strings.Contains(r, "/"):
		return "context", r
	}
	return "", r
}
