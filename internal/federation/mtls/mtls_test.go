package mtls_test

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/federation/fedtest"
	"github.com/liandong/liandong/internal/federation/mtls"
)

// peerNameHandler answers with the caller's name as PeerName reads it and
// counts the requests that reached it.
func peerNameHandler(calls *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		name, ok := mtls.PeerName(r)
		if !ok {
			http.Error(w, "no peer name", http.StatusForbidden)
			return
		}
		io.WriteString(w, name)
	})
}

func mustServerConfig(t *testing.T, cert tls.Certificate, peerCAs *x509.CertPool) *tls.Config {
	t.Helper()
	cfg, err := mtls.ServerConfigFor(cert, peerCAs)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func mustClientConfig(t *testing.T, cert tls.Certificate, serverCAs *x509.CertPool) *tls.Config {
	t.Helper()
	cfg, err := mtls.ClientConfigFor(cert, serverCAs)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// get fetches url with a client using cfg and returns the body.
func get(t *testing.T, cfg *tls.Config, url string) (string, error) {
	t.Helper()
	transport := &http.Transport{TLSClientConfig: cfg}
	t.Cleanup(transport.CloseIdleConnections)
	resp, err := (&http.Client{Transport: transport, Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", errors.New(resp.Status + ": " + string(body))
	}
	return string(body), nil
}

// TestMutualTLS runs Chongqing's server and Chengdu's client, each with a
// certificate of its own installation's CA, and checks who gets through.
func TestMutualTLS(t *testing.T) {
	chengduCA := fedtest.NewCA(t, "Chengdu federation CA")
	chongqingCA := fedtest.NewCA(t, "Chongqing federation CA")
	strangerCA := fedtest.NewCA(t, "stranger CA")
	chongqing := chongqingCA.Issue(t, "chongqing")
	now := time.Now()

	tests := []struct {
		name string
		// client is Chengdu's client configuration.
		client func() *tls.Config
		// serverClock, when set, is the server's clock offset from now.
		serverClock time.Duration
		wantPeer    string
		wantErr     string // part of the error the client sees; empty for success
	}{
		{
			name:     "TrustedPeerAcceptedAndNamed",
			client:   func() *tls.Config { return mustClientConfig(t, chengduCA.Issue(t, "chengdu"), chongqingCA.Pool()) },
			wantPeer: "chengdu",
		},
		{
			name: "URINameReturned",
			client: func() *tls.Config {
				return mustClientConfig(t, chengduCA.Issue(t, "liandong:chengdu"), chongqingCA.Pool())
			},
			wantPeer: "liandong:chengdu",
		},
		{
			name:        "ServerClockTwoHoursAheadAccepted",
			client:      func() *tls.Config { return mustClientConfig(t, chengduCA.Issue(t, "chengdu"), chongqingCA.Pool()) },
			serverClock: 2 * time.Hour,
			wantPeer:    "chengdu",
		},
		{
			name:        "ServerClockTwoHoursBehindAccepted",
			client:      func() *tls.Config { return mustClientConfig(t, chengduCA.Issue(t, "chengdu"), chongqingCA.Pool()) },
			serverClock: -2 * time.Hour,
			wantPeer:    "chengdu",
		},
		{
			// The TLS alerts crypto/tls sends have no exported error type on
			// the client's side, so their description is what tells them apart.
			name: "ClientWithoutCertificateRefused",
			client: func() *tls.Config {
				return &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: chongqingCA.Pool()}
			},
			wantErr: "certificate required",
		},
		{
			// A Go client keeps back a certificate whose issuer is not among
			// the CAs the server asks for, and would only hear "certificate
			// required"; forcing it out tests the server's own verification.
			name: "ClientOfUntrustedCARefused",
			client: func() *tls.Config {
				stranger := strangerCA.Issue(t, "chengdu")
				cfg := mustClientConfig(t, stranger, chongqingCA.Pool())
				cfg.Certificates = nil
				cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &stranger, nil }
				return cfg
			},
			wantErr: "unknown certificate authority",
		},
		{
			name: "ExpiredClientCertificateRefused",
			client: func() *tls.Config {
				expired := chengduCA.IssueValid(t, "chengdu", now.Add(-48*time.Hour), now.Add(-time.Hour))
				return mustClientConfig(t, expired, chongqingCA.Pool())
			},
			wantErr: "expired certificate",
		},
		{
			name:    "ServerOfUntrustedCARefused",
			client:  func() *tls.Config { return mustClientConfig(t, chengduCA.Issue(t, "chengdu"), strangerCA.Pool()) },
			wantErr: "certificate signed by unknown authority",
		},
		{
			name: "TLS12ClientRefused",
			client: func() *tls.Config {
				cfg := mustClientConfig(t, chengduCA.Issue(t, "chengdu"), chongqingCA.Pool())
				cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
				return cfg
			},
			wantErr: "protocol version",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			serverCfg := mustServerConfig(t, chongqing, chengduCA.Pool())
			if tt.serverClock != 0 {
				serverCfg.Time = func() time.Time { return time.Now().Add(tt.serverClock) }
			}
			url := fedtest.Serve(t, peerNameHandler(&calls), serverCfg)

			got, err := get(t, tt.client(), url+"/federation/v1/checkpoint")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want peer %q", err, tt.wantPeer)
				}
				if got != tt.wantPeer {
					t.Errorf("PeerName: got %q, want %q", got, tt.wantPeer)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one saying %q", err, tt.wantErr)
			}
			if n := calls.Load(); n != 0 {
				t.Errorf("handler calls: got %d, want 0 for a refused peer", n)
			}
		})
	}
}

// TestConfigFromFiles checks that certificates, keys and CA pools written as
// PEM files give the same working mutual TLS as in-memory ones.
func TestConfigFromFiles(t *testing.T) {
	dir := t.TempDir()
	chengduCA := fedtest.NewCA(t, "Chengdu federation CA")
	chongqingCA := fedtest.NewCA(t, "Chongqing federation CA")
	chengduCert, chengduKey := fedtest.WriteCertificate(t, dir, chengduCA.Issue(t, "chengdu"))
	chongqingCert, chongqingKey := fedtest.WriteCertificate(t, dir, chongqingCA.Issue(t, "chongqing"))

	chengduPool, err := mtls.LoadPool(chengduCA.WritePEM(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	chongqingPool, err := mtls.LoadPool(chongqingCA.WritePEM(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	serverCfg, err := mtls.ServerConfig(chongqingCert, chongqingKey, chengduPool)
	if err != nil {
		t.Fatal(err)
	}
	clientCfg, err := mtls.ClientConfig(chengduCert, chengduKey, chongqingPool)
	if err != nil {
		t.Fatal(err)
	}

	var calls atomic.Int32
	url := fedtest.Serve(t, peerNameHandler(&calls), serverCfg)
	got, err := get(t, clientCfg, url)
	if err != nil {
		t.Fatal(err)
	}
	if want := "chengdu"; got != want {
		t.Errorf("PeerName: got %q, want %q", got, want)
	}
}

// TestLoadErrors checks that a refused file is named in the error with the
// reason it was refused.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	ca := fedtest.NewCA(t, "Chengdu federation CA")
	certFile, keyFile := fedtest.WriteCertificate(t, dir, ca.Issue(t, "chengdu"))
	_, otherKeyFile := fedtest.WriteCertificate(t, dir, ca.Issue(t, "chongqing"))
	missing := filepath.Join(dir, "missing.pem")
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("not PEM\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	loadCertificate := func(cert, key string) func() error {
		return func() error { _, err := mtls.LoadCertificate(cert, key); return err }
	}
	tests := []struct {
		name     string
		load     func() error
		wantFile string
		want     error
	}{
		{"MissingCertificateFile", loadCertificate(missing, keyFile), missing, fs.ErrNotExist},
		{"MissingKeyFile", loadCertificate(certFile, missing), missing, fs.ErrNotExist},
		{"CertificateFileWithoutCertificate", loadCertificate(keyFile, keyFile), keyFile, mtls.ErrNoCertificate},
		{"KeyFileWithoutKey", loadCertificate(certFile, certFile), certFile, mtls.ErrNoPrivateKey},
		{"KeyOfAnotherCertificate", loadCertificate(certFile, otherKeyFile), otherKeyFile, mtls.ErrKeyMismatch},
		{"ServerConfigPassesFileErrorOn", func() error { _, err := mtls.ServerConfig(certFile, otherKeyFile, ca.Pool()); return err }, otherKeyFile, mtls.ErrKeyMismatch},
		{"ClientConfigPassesFileErrorOn", func() error { _, err := mtls.ClientConfig(empty, keyFile, ca.Pool()); return err }, empty, mtls.ErrNoCertificate},
		{"MissingCAFile", func() error { _, err := mtls.LoadPool(missing); return err }, missing, fs.ErrNotExist},
		{"CAFileWithoutCertificate", func() error { _, err := mtls.LoadPool(ca.WritePEM(t, dir), empty); return err }, empty, mtls.ErrNoCertificate},
		{"NoCAFile", func() error { _, err := mtls.LoadPool(); return err }, "", mtls.ErrNoPool},
		{"ServerWithoutPeerCAs", func() error { _, err := mtls.ServerConfig(certFile, keyFile, nil); return err }, "", mtls.ErrNoPool},
		{"ClientWithoutServerCAs", func() error { _, err := mtls.ClientConfig(certFile, keyFile, nil); return err }, "", mtls.ErrNoPool},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.load()
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantFile) {
				t.Errorf("error %q does not name the file %s", err, tt.wantFile)
			}
		})
	}
}

// TestPeerName checks which identity of the verified client certificate
// PeerName returns, and that it names nobody without one.
func TestPeerName(t *testing.T) {
	verified := func(leaf *x509.Certificate) *tls.ConnectionState {
		return &tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}, VerifiedChains: [][]*x509.Certificate{{leaf}}}
	}
	uri, _ := url.Parse("liandong:chengdu")
	tests := []struct {
		name   string
		state  *tls.ConnectionState
		want   string
		wantOK bool
	}{
		{"URISANPreferredToCommonName", verified(&x509.Certificate{Subject: pkix.Name{CommonName: "cd"}, URIs: []*url.URL{uri}}), "liandong:chengdu", true},
		{"CommonNameWithoutURISAN", verified(&x509.Certificate{Subject: pkix.Name{CommonName: "chengdu"}}), "chengdu", true},
		{"NoIdentityNamesNobody", verified(&x509.Certificate{}), "", false},
		{"PlainHTTPNamesNobody", nil, "", false},
		{"UnverifiedCertificateNamesNobody", &tls.ConnectionState{PeerCertificates: []*x509.Certificate{{Subject: pkix.Name{CommonName: "chengdu"}}}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "https://127.0.0.1/federation/v1/checkpoint", nil)
			r.TLS = tt.state
			got, ok := mtls.PeerName(r)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %q, %v, want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
