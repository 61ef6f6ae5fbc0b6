// Package fedtest lets a test run two Liandong installations in one process
// and make the network between them misbehave: a throwaway certificate
// authority per installation for mutual TLS, a server on loopback, and a
// faulty http.RoundTripper that drops, duplicates, delays, reorders and
// truncates traffic, or cuts it off altogether.
//
// It is test support imported by the tests of other packages, and knows
// nothing of Liandong's events: it works at the net/http level.
package fedtest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/federation/mtls"
)

// Validity is how far before and after its issuing a certificate of this
// package is valid: a day either way, so tests may skew one installation's
// clock by hours without the handshake failing.
const Validity = 24 * time.Hour

// CA is a self-signed certificate authority standing for one installation's
// federation CA: mtls.CA, failing the test on error.
type CA struct {
	ca *mtls.CA
}

// NewCA creates a certificate authority with an ECDSA P-256 key and the
// CommonName name, valid from Validity before now to Validity after.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	now := time.Now()
	ca, err := mtls.NewCA(name, now.Add(-Validity), now.Add(Validity))
	if err != nil {
		t.Fatalf("fedtest: %v", err)
	}
	return &CA{ca: ca}
}

// Certificate returns the CA's own certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.ca.Cert }

// Pool returns a pool holding only this CA, for the other side to trust.
func (ca *CA) Pool() *x509.CertPool { return ca.ca.Pool() }

// Issue issues a leaf for the installation named name, valid Validity
// either side of now, usable as a TLS server (IP SANs 127.0.0.1 and ::1,
// DNS SAN localhost, and dnsNames) and as a TLS client. Its Subject
// CommonName, and when name is an absolute URI (such as liandong:chengdu) it
// is also the certificate's only URI SAN, which PeerName prefers.
func (ca *CA) Issue(t testing.TB, name string, dnsNames ...string) tls.Certificate {
	t.Helper()
	now := time.Now()
	return ca.IssueValid(t, name, now.Add(-Validity), now.Add(Validity), dnsNames...)
}

// IssueValid is Issue with the validity period given, for tests of expired
// or not yet valid certificates.
func (ca *CA) IssueValid(t testing.TB, name string, notBefore, notAfter time.Time, dnsNames ...string) tls.Certificate {
	t.Helper()
	cert, err := ca.ca.Issue(name, notBefore, notAfter, dnsNames...)
	if err != nil {
		t.Fatalf("fedtest: %v", err)
	}
	return cert
}

// WritePEM writes the CA's certificate as PEM into dir and returns the
// file's path, for tests of configuration read from files.
func (ca *CA) WritePEM(t testing.TB, dir string) (certFile string) {
	t.Helper()
	return writePEM(t, dir, "ca-*.pem", &pem.Block{Type: "CERTIFICATE", Bytes: ca.ca.Cert.Raw})
}

// WriteCertificate writes cert's chain and its private key as PEM into dir
// (the key in PKCS #8) and returns the two files' paths.
func WriteCertificate(t testing.TB, dir string, cert tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	certFile = writePEM(t, dir, "cert-*.pem")
	keyFile = writePEM(t, dir, "key-*.pem")
	if err := mtls.WriteCertificate(cert, certFile, keyFile); err != nil {
		t.Fatalf("fedtest: %v", err)
	}
	return certFile, keyFile
}

func writePEM(t testing.TB, dir, pattern string, blocks ...*pem.Block) string {
	t.Helper()
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		t.Fatalf("fedtest: %v", err)
	}
	for _, block := range blocks {
		if err := pem.Encode(f, block); err != nil {
			f.Close()
			t.Fatalf("fedtest: write %s: %v", f.Name(), err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatalf("fedtest: close %s: %v", f.Name(), err)
	}
	return f.Name()
}
