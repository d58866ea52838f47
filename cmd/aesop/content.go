package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"aesop/content"
)

// packFS returns the course pack to serve: the folder in AESOP_CONTENT_DIR, or
// the built-in Module 3.
func packFS(c *config) fs.FS {
	if c.ContentDir != "" {
		return os.DirFS(c.ContentDir)
	}
	return content.Builtin()
}

// loadPack loads and validates the pack, refusing to start with a broken one:
// the error lists every problem with its file and line.
func loadPack(c *config) (*content.Pack, error) {
	pack, err := content.Load(packFS(c))
	if err != nil {
		where := "the built-in pack"
		if c.ContentDir != "" {
			where = c.ContentDir
		}
		return nil, fmt.Errorf("course pack %s:\n%w", where, err)
	}
	return pack, nil
}

// runContentCheck validates a pack folder and lists passages for the author
// to review; it exits non-zero when the pack has errors.
func runContentCheck(_ context.Context, env *cli) error {
	var fsys fs.FS
	switch {
	case len(env.args) > 0:
		if _, err := os.Stat(env.args[0]); err != nil {
			return fmt.Errorf("content folder: %w", err)
		}
		fsys = os.DirFS(env.args[0])
	default:
		fsys = packFS(env.cfg)
	}
	report := content.Check(fsys)
	if err := report.Write(env.out); err != nil {
		return err
	}
	if !report.OK() {
		return errors.New("the pack has errors")
	}
	return nil
}
