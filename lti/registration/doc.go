// Package registration describes Aesop to LTI 1.3 platforms.
//
// One Tool value is the single source of truth for how Aesop presents itself;
// the Dynamic Registration request, the Canvas developer key JSON and the
// values an administrator types into Moodle's or Canvas's manual forms are all
// generated from it, so the three can never disagree. The package also holds
// presets for the endpoints of Canvas cloud and Moodle sites, and the tool side
// of 1EdTech LTI Dynamic Registration 1.0.
//
// The package speaks protocol only: it imports nothing else from Aesop.
package registration
