package content

import (
	"embed"
	"io/fs"
)

// packs holds the course pack built into the binary.
//
//go:embed packs
var packs embed.FS

// Builtin returns the built-in course pack, rooted at the pack folder so
// that its top level holds one folder per module, ready for Load.
func Builtin() fs.FS {
	sub, err := fs.Sub(packs, "packs")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "packs" is valid.
		panic(err)
	}
	return sub
}
