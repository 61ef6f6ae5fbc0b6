package pack

import (
	"bytes"
	"context"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// Current is a meeting's pack as it is served now: the issued one, frozen,
// once the secretariat has issued it; until then the pack built from the
// data with the secretariat's edits.
type Current struct {
	Doc    *Doc
	Issued *domain.IssuedPack // nil until issued
}

// Load reads the meeting's pack as it is served now. The caller has
// decided that its user reads the pack (policy.Oversee). Errors: NotFound.
func Load(ctx context.Context, s *store.Store, meetingID int64) (*Current, error) {
	ip, err := s.IssuedPack(ctx, meetingID)
	switch {
	case err == nil:
		d, err := Thaw(ip.Doc)
		if err != nil {
			return nil, domain.Internalf(err, "read issued pack of meeting %d", meetingID)
		}
		return &Current{Doc: d, Issued: ip}, nil
	case domain.ErrorCode(err) != domain.NotFound:
		return nil, err
	}
	p, err := Build(ctx, s, meetingID)
	if err != nil {
		return nil, err
	}
	edits, err := s.PackEdits(ctx, domain.Actor{}, meetingID)
	if err != nil {
		return nil, err
	}
	return &Current{Doc: p.DocWith(edits)}, nil
}

// Bytes renders the pack in f: an issued pack's page is the page kept,
// byte for byte (its SHA-256 is in the audit log), and its PDF is printed
// from that page.
func (c *Current) Bytes(ctx context.Context, f Format) ([]byte, error) {
	if c.Issued != nil {
		switch f {
		case HTML:
			return c.Issued.HTML, nil
		case PDF:
			return PrintPDF(ctx, c.Issued.HTML)
		}
	}
	var b bytes.Buffer
	err := c.Doc.RenderContext(ctx, &b, f)
	return b.Bytes(), err
}

// Issue freezes the meeting's pack as it reads now, with the
// secretariat's edits, for actor: its page is kept and its checksum
// recorded in the audit log (store.IssuePack, which decides who may).
// Errors: NotFound, Forbidden, Conflict (issued already).
func Issue(ctx context.Context, s *store.Store, actor domain.Actor, meetingID int64) (*domain.IssuedPack, error) {
	mt, err := s.Meetings.GetAs(ctx, actor, meetingID)
	if err != nil {
		return nil, err
	}
	if err := s.Oversee(ctx, actor, mt.MechanismID, policy.Write); err != nil {
		return nil, err
	}
	p, err := Build(ctx, s, meetingID)
	if err != nil {
		return nil, err
	}
	edits, err := s.PackEdits(ctx, actor, meetingID)
	if err != nil {
		return nil, err
	}
	d := p.DocWith(edits)
	doc, err := d.Freeze()
	if err != nil {
		return nil, domain.Internalf(err, "freeze pack")
	}
	html, err := d.Bytes(HTML)
	if err != nil {
		return nil, domain.Internalf(err, "render pack")
	}
	return s.IssuePack(ctx, actor, meetingID, doc, html, p.Figures())
}
