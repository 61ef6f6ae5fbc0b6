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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"os"
	"testing"
	"time"
)

// Validity is how far before and after its issuing a certificate of this
// package is valid: a day either way, so tests may skew one installation's
// clock by hours without the handshake failing.
const Validity = 24 * time.Hour

// CA is a self-signed certificate authority standing for one installation's
// federation CA.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewCA creates a certificate authority with an ECDSA P-256 key and the
// CommonName name, valid from Validity before now to Validity after.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key := newKey(t)
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:          newSerial(t),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-Validity),
		NotAfter:              now.Add(Validity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("fedtest: create CA %q: %v", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("fedtest: parse CA %q: %v", name, err)
	}
	return &CA{cert: cert, key: key}
}

// Certificate returns the CA's own certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// Pool returns a new pool holding only this CA, for the peer that trusts it.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	return pool
}

// Issue issues a leaf certificate valid from Validity before now to Validity
// after, usable both as a TLS server on loopback (IP SAN 127.0.0.1, DNS SAN
// localhost plus dnsNames) and as a TLS client.
//
// The identity mtls.PeerName reads from it is name: name is the Subject
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
	key := newKey(t)
	template := &x509.Certificate{
		SerialNumber: newSerial(t),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     append([]string{"localhost"}, dnsNames...),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if u, err := url.Parse(name); err == nil && u.IsAbs() {
		template.URIs = []*url.URL{u}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatalf("fedtest: issue %q: %v", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("fedtest: parse issued %q: %v", name, err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// WritePEM writes the CA's certificate as PEM into dir and returns the
// file's path, for tests of configuration read from files.
func (ca *CA) WritePEM(t testing.TB, dir string) (certFile string) {
	t.Helper()
	return writePEM(t, dir, "ca-*.pem", &pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

// WriteCertificate writes cert's chain and its private key as PEM into dir
// (the key in PKCS #8) and returns the two files' paths.
func WriteCertificate(t testing.TB, dir string, cert tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	var blocks []*pem.Block
	for _, der := range cert.Certificate {
		blocks = append(blocks, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatalf("fedtest: marshal private key: %v", err)
	}
	certFile = writePEM(t, dir, "cert-*.pem", blocks...)
	keyFile = writePEM(t, dir, "key-*.pem", &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
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

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("fedtest: generate key: %v", err)
	}
	return key
}

func newSerial(t testing.TB) *big.Int {
	t.Helper()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		t.Fatalf("fedtest: serial number: %v", err)
	}
	return serial
}
