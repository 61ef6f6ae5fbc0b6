package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// The static files: our own CSS and JS, and the vendored libraries (see
// assets/vendor/VERSIONS). They are served under names that carry a hash of
// their content, so browsers may cache them forever and a new build is
// never served a stale copy.
//
//go:embed assets
var assetFiles embed.FS

type asset struct {
	body        []byte
	contentType string
}

type assets struct {
	urls   map[string]string // logical name (vendor/htmx.min.js) → URL
	byPath map[string]asset  // hashed path (vendor/htmx.min.0123abcd.js) → file
}

func loadAssets() (*assets, error) {
	a := &assets{urls: map[string]string{}, byPath: map[string]asset{}}
	err := fs.WalkDir(assetFiles, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := path.Ext(p)
		if ext != ".js" && ext != ".css" && ext != ".svg" {
			return nil // licences and notes stay in the source tree
		}
		b, err := assetFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "assets/")
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
		ct := mime.TypeByExtension(ext)
		if ext == ".js" {
			ct = "text/javascript; charset=utf-8"
		}
		a.urls[name] = "/assets/" + hashed
		a.byPath[hashed] = asset{body: b, contentType: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assets: %w", err)
	}
	return a, nil
}

// url returns the hashed URL of a logical asset name; an unknown name is a
// template bug and fails the start-up parse check through the panic.
func (a *assets) url(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return u, nil
}

// serveAsset answers GET /assets/{path...}.
func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	f, ok := h.assets.byPath[r.PathValue("path")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(f.body)
}
