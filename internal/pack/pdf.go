package pack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/liandong/liandong/internal/domain"
)

// A PDF is the print-ready HTML page printed by headless Chromium, through
// chromedp, which the project already depends on for its browser tests:
// the PDF is then the same page a secretariat prints from its browser —
// the same A4 margins, official fonts and "— 1 —" page numbers — with the
// fonts embedded (Chromium embeds the subsets it uses) and its text
// extractable. Converting the DOCX with LibreOffice would need a 500 MB
// office suite on every server, and a pure-Go writer would need a CJK font
// shipped in the binary. Without Chromium the server says so (PDFUnavailable).

// PDFUnavailable says that no PDF can be printed on this server, and why
// (Text, a message of the catalogue).
type PDFUnavailable struct{ Path string }

// Text is why, for the reader.
func (e *PDFUnavailable) Text() domain.Text {
	return domain.Textf("PDF is unavailable: no Chromium is installed on this server (install the chromium package, or set LIANDONG_CHROMIUM to a Chrome)")
}

func (e *PDFUnavailable) Error() string {
	if e.Path != "" {
		return e.Text().String() + ": " + e.Path + " not found"
	}
	return e.Text().String()
}

// UnavailableText is why PDF is unavailable when err says so (see
// IsPDFUnavailable).
func UnavailableText(err error) domain.Text {
	var u *PDFUnavailable
	if errors.As(err, &u) {
		return u.Text()
	}
	return domain.Text{}
}

// IsPDFUnavailable reports whether err says PDF cannot be printed here.
func IsPDFUnavailable(err error) bool {
	var u *PDFUnavailable
	return errors.As(err, &u)
}

// chromium finds the browser: LIANDONG_CHROMIUM, else Debian's chromium or
// another Chrome on the PATH.
func chromium() (string, error) {
	if p := os.Getenv("LIANDONG_CHROMIUM"); p != "" {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
		return "", &PDFUnavailable{Path: p}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", &PDFUnavailable{}
}

// pdfTimeout bounds one printing, the browser's start included.
const pdfTimeout = 60 * time.Second

// pageFooter numbers the pages as official documents do: — 1 —.
const pageFooter = `<div style="width:100%;text-align:center;font-size:14pt;font-family:'Times New Roman',serif;">— <span class="pageNumber"></span> —</div>`

// PrintPDF prints a print-ready HTML page to PDF with headless Chromium.
// Errors: *PDFUnavailable when no browser is installed.
func PrintPDF(ctx context.Context, html []byte) ([]byte, error) {
	path, err := chromium()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // the server may run as root, where the sandbox refuses to start
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	t := true
	var res page.PrintToPDFResult
	err = chromedp.Do(bctx, chromedp.Navigate("about:blank"))
	if err == nil {
		var tree page.GetFrameTreeResult
		if tree, err = chromedp.Call(bctx, page.GetFrameTree, cdp.Empty{}); err == nil {
			_, err = chromedp.Call(bctx, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(html)})
		}
	}
	if err == nil {
		res, err = chromedp.Call(bctx, page.PrintToPDF, page.PrintToPDFParams{
			PreferCSSPageSize: &t, DisplayHeaderFooter: &t, GenerateDocumentOutline: &t,
			HeaderTemplate: `<span></span>`, FooterTemplate: pageFooter,
		})
	}
	out := res.Data
	if err != nil {
		return nil, fmt.Errorf("print PDF with %s: %w", path, err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF")) {
		return nil, fmt.Errorf("print PDF with %s: the browser returned no PDF", path)
	}
	return out, nil
}
