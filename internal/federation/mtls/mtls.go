// Package mtls builds the TLS configurations two Liandong installations use
// to talk to each other over mutual TLS: each side presents a certificate and
// verifies the other's against the certificate authorities it was told to
// trust for federation (never the system roots), and a handler learns which
// peer called from the verified client certificate.
//
// The package works at the crypto/tls and net/http level only; mapping a
// peer's name to a configured peer is the federation protocol's business.
package mtls

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
)

// Reasons a certificate, key or CA file is refused. The errors returned by
// this package wrap one of them (or the fs error of a missing file) and name
// the file.
var (
	// ErrNoCertificate means a file holds no PEM CERTIFICATE block.
	ErrNoCertificate = errors.New("no certificate in PEM")
	// ErrNoPrivateKey means a key file holds no PEM private key block.
	ErrNoPrivateKey = errors.New("no private key in PEM")
	// ErrKeyMismatch means the private key is not the key of the certificate.
	ErrKeyMismatch = errors.New("private key does not match the certificate's public key")
	// ErrNoPool means a configuration was asked for without the pool of
	// certificate authorities to verify the other side against; crypto/tls
	// would silently fall back to the system roots, which must never vouch
	// for a federation peer.
	ErrNoPool = errors.New("no certificate authorities to verify the peer against")
)

// ServerConfig loads this installation's certificate and key from PEM files
// and returns a server configuration that requires TLS 1.3 and a client
// certificate issued by one of peerCAs.
func ServerConfig(certFile, keyFile string, peerCAs *x509.CertPool) (*tls.Config, error) {
	cert, err := LoadCertificate(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return ServerConfigFor(cert, peerCAs)
}

// ServerConfigFor is ServerConfig for a certificate already in memory.
func ServerConfigFor(cert tls.Certificate, peerCAs *x509.CertPool) (*tls.Config, error) {
	if peerCAs == nil {
		return nil, fmt.Errorf("mtls: server configuration: peer CAs: %w", ErrNoPool)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    peerCAs,
	}, nil
}

// ClientConfig loads this installation's certificate and key from PEM files
// and returns a client configuration that requires TLS 1.3, presents the
// certificate and accepts only a server certificate issued by one of
// serverCAs. The server name is left to net/http, which takes it from the
// URL's host.
func ClientConfig(certFile, keyFile string, serverCAs *x509.CertPool) (*tls.Config, error) {
	cert, err := LoadCertificate(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return ClientConfigFor(cert, serverCAs)
}

// ClientConfigFor is ClientConfig for a certificate already in memory.
func ClientConfigFor(cert tls.Certificate, serverCAs *x509.CertPool) (*tls.Config, error) {
	if serverCAs == nil {
		return nil, fmt.Errorf("mtls: client configuration: server CAs: %w", ErrNoPool)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		RootCAs:      serverCAs,
	}, nil
}

// LoadPool reads one or more PEM files of CA certificates into a pool. Every
// file must hold at least one certificate, so a wrong path in the
// configuration is refused rather than trusting fewer peers than meant.
func LoadPool(pemFiles ...string) (*x509.CertPool, error) {
	if len(pemFiles) == 0 {
		return nil, fmt.Errorf("mtls: CA pool: %w: no file given", ErrNoPool)
	}
	pool := x509.NewCertPool()
	for _, name := range pemFiles {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("mtls: CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("mtls: CA file %s: %w", name, ErrNoCertificate)
		}
	}
	return pool, nil
}

// LoadCertificate reads a certificate chain (leaf first) and its private key
// from PEM files. Unlike tls.LoadX509KeyPair, its errors say which file is
// wrong and why.
func LoadCertificate(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("mtls: certificate file: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("mtls: key file: %w", err)
	}

	var cert tls.Certificate
	for rest := certPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			cert.Certificate = append(cert.Certificate, block.Bytes)
		}
	}
	if len(cert.Certificate) == 0 {
		return tls.Certificate{}, fmt.Errorf("mtls: certificate file %s: %w", certFile, ErrNoCertificate)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("mtls: certificate file %s: %w", certFile, err)
	}
	cert.Leaf = leaf

	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("mtls: key file %s: %w", keyFile, err)
	}
	public, ok := leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !public.Equal(key.Public()) {
		return tls.Certificate{}, fmt.Errorf("mtls: key file %s for certificate file %s: %w", keyFile, certFile, ErrKeyMismatch)
	}
	cert.PrivateKey = key
	return cert, nil
}

// parsePrivateKey returns the first private key in keyPEM, in any of the
// encodings openssl and Go write (PKCS #8, SEC 1, PKCS #1).
func parsePrivateKey(keyPEM []byte) (crypto.Signer, error) {
	for rest := keyPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, ErrNoPrivateKey
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		switch key := key.(type) {
		case *ecdsa.PrivateKey:
			return key, nil
		case *rsa.PrivateKey:
			return key, nil
		case ed25519.PrivateKey:
			return key, nil
		default:
			return nil, fmt.Errorf("unsupported private key type %T", key)
		}
	}
}

// PeerName returns the identity of the peer that called: the first URI SAN
// of its verified client certificate if it has one, else the certificate's
// Subject CommonName. It reports false when the request did not come over
// TLS with a verified client certificate (an unverified certificate names
// nobody), or when the certificate carries neither identity.
func PeerName(r *http.Request) (string, bool) {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return "", false
	}
	leaf := r.TLS.VerifiedChains[0][0]
	if len(leaf.URIs) > 0 {
		return leaf.URIs[0].String(), true
	}
	if leaf.Subject.CommonName != "" {
		return leaf.Subject.CommonName, true
	}
	return "", false
}
