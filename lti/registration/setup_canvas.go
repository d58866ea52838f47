package registration

import "strings"

// canvasScopeLabels are the sentences Canvas's developer key form shows
// next to each LTI Advantage scope.
var canvasScopeLabels = map[string]string{
	ScopeLineItem: "Can create and view assignment data in the gradebook " +
		"associated with the tool.",
	ScopeLineItemReadOnly: "Can view assignment data in the gradebook associated " +
		"with the tool.",
	ScopeResultReadOnly: "Can view submission data for assignments associated " +
		"with the tool.",
	ScopeScore: "Can create and update submission results for assignments " +
		"associated with the tool.",
	ScopeMembership: "Can retrieve user data associated with the context the " +
		"tool is installed in.",
}

// canvasPlacementNames are the names Canvas's form gives the placements.
var canvasPlacementNames = map[string]string{
	"link_selection":       "Link Selection",
	"assignment_selection": "Assignment Selection",
}

// canvasSection is the procedure for a Canvas LTI developer key entered by
// hand ("Manual Entry"), with the labels of Canvas's form.
func (t Tool) canvasSection() Section {
	prod, _ := CanvasPreset("")
	description := t.Description
	if description == "" {
		description = t.Name
	}
	var services []string
	for _, s := range t.Scopes() {
		services = append(services, canvasScopeLabels[s])
	}
	fields := []Field{
		{Label: "Key Name", Value: t.Name},
		{Label: "Redirect URIs", Value: strings.Join(t.RedirectURIs(), "\n"),
			Help: "One address per line, exactly as written."},
		{Label: "Method", Value: "Manual Entry",
			Help: "Or choose \"Enter URL\" with " + t.CanvasJSONURL() +
				" and skip to Save; it fills in the same values."},
		{Label: "Title", Value: t.Name},
		{Label: "Description", Value: description},
		{Label: "Target Link URI", Value: t.TargetLinkURI()},
		{Label: "OpenID Connect Initiation Url", Value: t.LoginURL()},
		{Label: "JWK Method", Value: "Public JWK URL"},
		{Label: "Public JWK URL", Value: t.JWKSURL()},
		{Label: "LTI Advantage Services", Value: strings.Join(t.Scopes(), "\n"),
			Help: "Turn on exactly these five: " + strings.Join(services, " ")},
		{Label: "Domain", Value: t.Domain(), Help: "Additional Settings."},
		{Label: "Privacy Level", Value: "Public", Help: "Additional Settings; " +
			"Aesop shows learners' names and needs their email."},
	}
	var names []string
	for _, p := range canvasPlacements() {
		names = append(names, canvasPlacementNames[p])
	}
	fields = append(fields, Field{Label: "Placements", Value: strings.Join(names, "\n"),
		Help: "Additional Settings; then set the two fields below for each."})
	for _, name := range names {
		fields = append(fields,
			Field{Label: name + " > Target Link URI", Value: t.TargetLinkURI()},
			Field{Label: name + " > Select Message Type", Value: MessageDeepLinking})
	}
	return Section{
		Platform: "Canvas (manual developer key)",
		Where:    "Admin > (account) > Developer Keys > + Developer Key > + LTI Key",
		Fields:   fields,
		BringBack: []Field{
			{Label: "Client ID", Value: placeholderClientID,
				Help: "Save the key and switch it ON; the Client ID is the number " +
					"in the Details column."},
			{Label: "Deployment ID", Value: placeholderDeploymentID,
				Help: "Admin > Settings > Apps > View App Configurations > + App, " +
					"Configuration Type \"By Client ID\"; once installed, the app's " +
					"settings menu shows its Deployment Id."},
			{Label: "Issuer", Value: prod.Issuer,
				Help: "Instructure-hosted Canvas, production. Beta and test use " +
					"canvas.beta.instructure.com and canvas.test.instructure.com with " +
					"sso.beta.canvaslms.com and sso.test.canvaslms.com; self-hosted " +
					"Canvas uses its own address."},
			{Label: "Authentication URL", Value: prod.AuthURL},
			{Label: "Token URL", Value: prod.TokenURL},
			{Label: "Keyset URL", Value: prod.JWKSURL},
		},
		Command: AddCommand(prod, placeholderClientID, placeholderDeploymentID),
	}
}
