package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed static
var staticFiles embed.FS

const staticPrefix = "/static/"

// assets maps a file name to its content-hashed URL name and back, so that
// assets can be cached for a year and still change with each release.
var assets = hashAssets()

type assetTable struct {
	hashed  map[string]string // "style.css" -> "style.1a2b3c4d.css"
	content map[string][]byte // "style.1a2b3c4d.css" -> bytes
}

func hashAssets() assetTable {
	t := assetTable{hashed: map[string]string{}, content: map[string][]byte{}}
	fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := staticFiles.ReadFile(p)
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		h := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		t.hashed[name], t.content[h] = h, b
		return nil
	})
	return t
}

// assetURL returns the URL of a static file; templates call it as {{asset "x"}}.
func assetURL(name string) string {
	h, ok := assets.hashed[name]
	if !ok {
		panic("web: no static asset " + name)
	}
	return staticPrefix + h
}

func serveStatic(c echo.Context) error {
	name := c.Param("*")
	b, ok := assets.content[name]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	ctype := mime.TypeByExtension(path.Ext(name))
	return c.Blob(http.StatusOK, ctype, b)
}
