package registration

import "strings"

// moodleSection is the procedure for Moodle's "Configure a tool manually"
// form (LTI 1.3), with Moodle's own labels and option texts.
func (t Tool) moodleSection() Section {
	site := moodleEndpoints(placeholderMoodleSite)
	return Section{
		Platform: "Moodle (manual)",
		Where: "Site administration > Plugins > Activity modules > External tool > " +
			"Manage tools > configure a tool manually",
		Fields: []Field{
			{Label: "Tool name", Value: t.Name},
			{Label: "Tool URL", Value: t.TargetLinkURI(),
				Help: "Default launch address."},
			{Label: "Tool description", Value: t.Description},
			{Label: "LTI version", Value: "LTI 1.3"},
			{Label: "Public key type", Value: "Keyset URL"},
			{Label: "Public keyset", Value: t.JWKSURL()},
			{Label: "Initiate login URL", Value: t.LoginURL()},
			{Label: "Redirection URI(s)", Value: strings.Join(t.RedirectURIs(), "\n"),
				Help: "One address per line, exactly as written."},
			{Label: "Custom parameters", Value: "",
				Help: "Aesop needs none; activities it creates carry their own."},
			{Label: "Tool configuration usage",
				Value: "Show in activity chooser and as a preconfigured tool"},
			{Label: "Supports Deep Linking (Content-Item Message)", Value: "Yes (tick the box)",
				Help: "Teachers pick Aesop activities through it."},
			{Label: "Content Selection URL", Value: t.TargetLinkURI()},
			{Label: "IMS LTI Assignment and Grade Services",
				Value: "Use this service for grade sync and column management",
				Help:  "Services section."},
			{Label: "IMS LTI Names and Role Provisioning",
				Value: "Use this service to retrieve members' information as per privacy settings",
				Help:  "Services section."},
			{Label: "Tool Settings", Value: "Do not use this service",
				Help: "Services section."},
			{Label: "Share launcher's name with tool", Value: "Always",
				Help: "Privacy section."},
			{Label: "Share launcher's email with tool", Value: "Always",
				Help: "Privacy section."},
			{Label: "Accept grades from the tool", Value: "Always",
				Help: "Privacy section."},
		},
		BringBack: []Field{
			{Label: "Platform ID", Value: placeholderMoodleSite,
				Help: "After saving, open the tool's \"View configuration details\" " +
					"in Manage tools. Platform ID is the site address; Aesop uses it " +
					"as the issuer."},
			{Label: "Client ID", Value: placeholderClientID},
			{Label: "Deployment ID", Value: placeholderDeploymentID},
			{Label: "Public keyset URL", Value: site.JWKSURL},
			{Label: "Access token URL", Value: site.TokenURL},
			{Label: "Authentication request URL", Value: site.AuthURL},
		},
		Command: AddCommand(site, placeholderClientID, placeholderDeploymentID),
	}
}
