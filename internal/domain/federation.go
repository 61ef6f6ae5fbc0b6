package domain

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Peer is another installation of Liandong this one federates with: the
// other government's. Nothing flows between the two until each has
// configured the other, and only the records of the mechanisms each lists
// among Shares.
type Peer struct {
	ID int64 `json:"id"`
	// Name is the peer installation's name, the origin of its logs and
	// the name its key signs with (liandong/chongqing-gov/8c1f0a).
	Name string `json:"name"`
	// BaseURL is where its federation endpoints answer, over mutual TLS.
	BaseURL string `json:"base_url"`
	// VerifierKey is its pinned Ed25519 key, as a note verifier key
	// (name+hash+base64): envelopes and checkpoints signed by any other
	// key are refused.
	VerifierKey string `json:"verifier_key"`
	// Shares are the mechanisms shared with it, by global id.
	Shares    []string  `json:"shares"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks what can be checked without the key's parser: the name,
// an https (or, for tests on loopback, http) URL, and global mechanism ids.
func (p *Peer) Validate() error {
	var pr Problems
	if p.Name == "" || strings.ContainsAny(p.Name, " \t\r\n+") || strings.Contains(p.Name, "/to/") || len(p.Name) > 200 {
		pr.Add("name", "must be the peer's installation name: no spaces or +, no /to/, at most 200 bytes")
	}
	u, err := url.Parse(p.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		pr.Add("base_url", "must be an https:// address")
	}
	if p.VerifierKey == "" {
		pr.Add("verifier_key", "is required: the peer's verifier key, pinned")
	}
	for i, g := range p.Shares {
		if id, err := ParseGlobalID(g); err != nil || id.Entity != "mechanisms" {
			pr.Add(indexed("shares", i), "must be a mechanism's global id (origin:mechanisms:id)")
		}
	}
	return pr.Err()
}

// GlobalID names a record across installations: the installation that
// keeps it (its origin), the noun and the id it has there.
type GlobalID struct {
	Origin string
	Entity string
	ID     int64
}

// String is origin:entity:id.
func (g GlobalID) String() string {
	return g.Origin + ":" + g.Entity + ":" + strconv.FormatInt(g.ID, 10)
}

// ParseGlobalID reads origin:entity:id; the origin may hold colons, the
// noun and the id do not.
func ParseGlobalID(s string) (GlobalID, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return GlobalID{}, Errorf(Invalid, "global id %q is not origin:entity:id", s)
	}
	j := strings.LastIndexByte(s[:i], ':')
	if j <= 0 {
		return GlobalID{}, Errorf(Invalid, "global id %q is not origin:entity:id", s)
	}
	id, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || id <= 0 || s[j+1:i] == "" {
		return GlobalID{}, Errorf(Invalid, "global id %q is not origin:entity:id", s)
	}
	return GlobalID{Origin: s[:j], Entity: s[j+1 : i], ID: id}, nil
}
