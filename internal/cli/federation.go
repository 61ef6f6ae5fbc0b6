package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/federation/mtls"
	"github.com/liandong/liandong/internal/store"
)

// federationOptions are the installation's certificate for mutual TLS with
// its peers and the CAs it trusts to name them.
type federationOptions struct {
	cert, key, ca string
}

func (o *federationOptions) define(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&o.cert, "tls-cert", getenv("LIANDONG_FEDERATION_CERT"), "`file` of this installation's certificate (PEM) for mutual TLS with its peers (env LIANDONG_FEDERATION_CERT)")
	fs.StringVar(&o.key, "tls-key", getenv("LIANDONG_FEDERATION_KEY"), "`file` of that certificate's private key (env LIANDONG_FEDERATION_KEY)")
	fs.StringVar(&o.ca, "tls-ca", getenv("LIANDONG_FEDERATION_CA"), "`files`, comma-separated, of the CAs that issue the peers' certificates (env LIANDONG_FEDERATION_CA)")
}

func (o *federationOptions) client() (*http.Client, error) {
	if o.cert == "" || o.key == "" || o.ca == "" {
		return nil, errors.New("federation needs --tls-cert, --tls-key and --tls-ca (LIANDONG_FEDERATION_CERT, _KEY, _CA)")
	}
	pool, err := mtls.LoadPool(strings.Split(o.ca, ",")...)
	if err != nil {
		return nil, err
	}
	cfg, err := mtls.ClientConfig(o.cert, o.key, pool)
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}, nil
}

func (o *federationOptions) server() (*tls.Config, error) {
	pool, err := mtls.LoadPool(strings.Split(o.ca, ",")...)
	if err != nil {
		return nil, err
	}
	return mtls.ServerConfig(o.cert, o.key, pool)
}

var federationWhoamiCommand = &command{
	name:    "federation whoami",
	args:    "[flags]",
	summary: "print this installation's name and verifier key, for its peers to pin",
	help: `
Prints the installation's name (the origin of its logs) and its verifier
key. Give both to the other government's operator: their
'liandong federation peer' pins them, and nothing signed by any other key is
accepted from this installation. The key is the audit key (--audit-key),
created at first use.`,
	setup: func(fs *flag.FlagSet, con *console) func(context.Context) error {
		var db storeOptions
		var key auditKeyOptions
		db.define(fs)
		key.define(fs)
		return func(ctx context.Context) error {
			s, err := key.openStore(ctx, &db)
			if err != nil {
				return err
			}
			defer s.Close()
			fmt.Fprintf(con.stdout, "name %s\nverifier-key %s\n", s.AuditKey.Origin(), s.AuditKey.VerifierKey())
			return nil
		}
	},
}

var federationCertCommand = &command{
	name:    "federation cert",
	args:    "--ca DIR [--name NAME] [--dns HOST]... [flags]",
	summary: "issue this installation's certificate for mutual TLS from a CA kept in a directory",
	help: `
Issues the certificate this installation presents to its peers (and they
to it), valid a year, named after the installation, from the CA kept in
--ca (created there at first use): federation.crt and federation.key in the
data directory. For a demonstration or a test bed where both installations
trust one CA; governments federating in earnest use their own PKI and set
LIANDONG_FEDERATION_CERT, _KEY and _CA to its files. --name names the
installation when its key is created now (liandong/chengdu); it prints the
installation's name and verifier key, for the peer to pin.`,
	setup: func(fs *flag.FlagSet, con *console) func(context.Context) error {
		var db storeOptions
		var key auditKeyOptions
		var caDir, name string
		var dns []string
		db.define(fs)
		key.define(fs)
		fs.StringVar(&caDir, "ca", "", "`directory` of the CA (ca.crt, ca.key), created at first use")
		fs.StringVar(&name, "name", "", "the installation's `name`, when its key is created now")
		fs.Func("dns", "a host `name` the certificate is valid for besides localhost; repeat for several", func(v string) error {
			dns = append(dns, v)
			return nil
		})
		return func(ctx context.Context) error {
			if caDir == "" {
				return errors.New("--ca is required: the directory of the CA both installations trust")
			}
			k, err := auditlog.OpenKeyNamed(key.file(db.dataDir), name)
			if err != nil {
				return err
			}
			ca, err := mtls.OpenCA(caDir, "liandong federation CA")
			if err != nil {
				return err
			}
			now := time.Now()
			cert, err := ca.Issue(k.Origin(), now.Add(-time.Hour), now.AddDate(1, 0, 0), dns...)
			if err != nil {
				return err
			}
			certFile, keyFile := filepath.Join(db.dataDir, "federation.crt"), filepath.Join(db.dataDir, "federation.key")
			if err := mtls.WriteCertificate(cert, certFile, keyFile); err != nil {
				return err
			}
			fmt.Fprintf(con.stdout, "name %s\nverifier-key %s\nLIANDONG_FEDERATION_CERT=%s\nLIANDONG_FEDERATION_KEY=%s\nLIANDONG_FEDERATION_CA=%s\n",
				k.Origin(), k.VerifierKey(), certFile, keyFile, filepath.Join(caDir, mtls.CACertFile))
			return nil
		}
	},
}

var federationPeerCommand = &command{
	name:    "federation peer",
	args:    "--name NAME --url URL --verifier-key KEY [--share MECHANISM]... [flags]",
	summary: "agree to federate with another installation, and share mechanisms with it",
	help: `
Records the agreement with a peer installation: its name and verifier key
(as its 'liandong federation whoami' prints them), the address of its
federation endpoint, and the mechanisms shared with it, each by its id here
or by its global id (origin:mechanisms:id) for a mechanism the peer keeps.
Running it again for the same name replaces the agreement. Nothing flows
until the peer's operator has recorded the same agreement on their side.`,
	setup: func(fs *flag.FlagSet, con *console) func(context.Context) error {
		var db storeOptions
		var key auditKeyOptions
		var p domain.Peer
		var shares []string
		db.define(fs)
		key.define(fs)
		fs.StringVar(&p.Name, "name", "", "the peer installation's `name`")
		fs.StringVar(&p.BaseURL, "url", "", "the `address` of its federation endpoint (https://…)")
		fs.StringVar(&p.VerifierKey, "verifier-key", "", "its verifier `key`, pinned")
		fs.Func("share", "a `mechanism` shared with it: its id here, or a global id; repeat for several", func(v string) error {
			shares = append(shares, v)
			return nil
		})
		return func(ctx context.Context) error {
			if _, err := note.NewVerifier(p.VerifierKey); err != nil {
				return fmt.Errorf("--verifier-key: %w", err)
			}
			s, err := key.openStore(ctx, &db)
			if err != nil {
				return err
			}
			defer s.Close()
			for _, m := range shares {
				g, err := shareID(ctx, s, m)
				if err != nil {
					return fmt.Errorf("--share %s: %w", m, err)
				}
				p.Shares = append(p.Shares, g)
			}
			if err := s.SavePeer(ctx, domain.Actor{}, &p); err != nil {
				return err
			}
			fmt.Fprintf(con.stdout, "agreed with %s at %s, sharing %d mechanisms\n", p.Name, p.BaseURL, len(p.Shares))
			return nil
		}
	},
}

// shareID reads a mechanism named on the command line: its id here, or a
// global id.
func shareID(ctx context.Context, s *store.Store, v string) (string, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		g, err := domain.ParseGlobalID(v)
		if err != nil || g.Entity != "mechanisms" {
			return "", errors.New("not a mechanism id nor a mechanism's global id")
		}
		return g.String(), nil
	}
	if _, err := s.Mechanisms.Get(ctx, id); err != nil {
		return "", err
	}
	g, err := s.GlobalID(ctx, "mechanisms", id)
	return g.String(), err
}

var federationRotateCommand = &command{
	name:    "federation rotate-key",
	args:    "[flags]",
	summary: "replace the installation's key, telling every peer by a statement signed with both keys",
	help: `
Replaces the installation's key (the audit key, which signs the audit log's
checkpoints and the federation's envelopes, checkpoints and receipts) by a
new key of the same name. The old key stays beside it as
audit.key.retired-UNIX and its verifier key in audit-verifiers, so that what
it signed stays verifiable. The statement of the rotation, signed with the
old and the new key, is logged and sent to every peer as the next entry of
its log: a peer that pinned the old key checks both signatures and pins the
new one. Restart every serving instance afterwards: an instance still
holding the old key stops sending until it is restarted.`,
	setup: func(fs *flag.FlagSet, con *console) func(context.Context) error {
		var db storeOptions
		var key auditKeyOptions
		db.define(fs)
		key.define(fs)
		return func(ctx context.Context) error {
			s, err := key.openStore(ctx, &db)
			if err != nil {
				return err
			}
			defer s.Close()
			old := s.AuditKey.VerifierKey()
			next, err := federation.RotateKey(ctx, s, key.file(db.dataDir), time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(con.stdout, "rotated %s\nold verifier-key %s\nnew verifier-key %s\nrestart the serving instances to sign with the new key\n", next.Origin(), old, next.VerifierKey())
			return nil
		}
	},
}

var federationStatusCommand = &command{
	name:    "federation status",
	args:    "[flags]",
	summary: "show each peer: what was sent, received and countersigned",
	help: `
For each peer: the mechanisms shared, the size of the log kept for it and
how much of it the peer has countersigned (its receipt), the envelopes
received from it (applied, duplicate, refused) and the last checkpoint of
its log this installation witnessed. A forked log is reported here, and so
is a receipt overdue: entries the peer has not countersigned for longer
than LIANDONG_FEDERATION_ALERT_AFTER (10m).`,
	setup: func(fs *flag.FlagSet, con *console) func(context.Context) error {
		var db storeOptions
		var key auditKeyOptions
		db.define(fs)
		key.define(fs)
		return func(ctx context.Context) error {
			s, err := key.openStore(ctx, &db)
			if err != nil {
				return err
			}
			defer s.Close()
			peers, err := s.Peers(ctx)
			if err != nil {
				return err
			}
			if len(peers) == 0 {
				fmt.Fprintln(con.stdout, "no peer: 'liandong federation peer' records an agreement")
			}
			alertAfter, err := federation.AlertAfterFrom(con.getenv)
			if err != nil {
				return err
			}
			for _, p := range peers {
				st, err := federation.StatusOf(ctx, s, p)
				if err != nil {
					return err
				}
				st.AlertAfter = alertAfter
				fmt.Fprintf(con.stdout, "%s\n%s", p.Name, st)
			}
			return nil
		}
	},
}

var federationSyncCommand = &command{
	name:    "federation sync",
	args:    "[flags]",
	summary: "send and fetch the shared records' changes once",
	help: `
Adds the changes made here since the last time to each peer's log, tells
the peers, and pulls each peer's log: what a serving instance does every
LIANDONG_FEDERATION_EVERY (30s). It exits 1 if a peer could not be reached
or its log was refused; the changes then wait for the next sync.`,
	setup: func(fs *flag.FlagSet, con *console) func(context.Context) error {
		var db storeOptions
		var key auditKeyOptions
		var tlsOpts federationOptions
		db.define(fs)
		key.define(fs)
		tlsOpts.define(fs, con.getenv)
		return func(ctx context.Context) error {
			client, err := tlsOpts.client()
			if err != nil {
				return err
			}
			s, err := key.openStore(ctx, &db)
			if err != nil {
				return err
			}
			defer s.Close()
			n, err := federation.NewNode(s, s.AuditKey, client, slog.New(slog.NewTextHandler(con.stderr, nil)))
			if err != nil {
				return err
			}
			if err := n.Sync(ctx); err != nil {
				return err
			}
			fmt.Fprintln(con.stdout, "in step with every peer")
			return nil
		}
	},
}

// startFederation serves the federation endpoint on its own address, with
// mutual TLS, and syncs with the peers every interval, when
// LIANDONG_FEDERATION_ADDR is set. The returned function stops both.
func startFederation(ctx context.Context, s *store.Store, getenv func(string) string, log *slog.Logger) (func(), error) {
	addr := getenv("LIANDONG_FEDERATION_ADDR")
	if addr == "" {
		return func() {}, nil
	}
	if s.AuditKey == nil {
		return nil, errors.New("LIANDONG_FEDERATION_ADDR is set but the installation has no audit key to sign with")
	}
	opts := federationOptions{cert: getenv("LIANDONG_FEDERATION_CERT"), key: getenv("LIANDONG_FEDERATION_KEY"), ca: getenv("LIANDONG_FEDERATION_CA")}
	client, err := opts.client()
	if err != nil {
		return nil, err
	}
	cfg, err := opts.server()
	if err != nil {
		return nil, err
	}
	every := 30 * time.Second
	if v := getenv("LIANDONG_FEDERATION_EVERY"); v != "" {
		if every, err = time.ParseDuration(v); err != nil || every <= 0 {
			return nil, fmt.Errorf("LIANDONG_FEDERATION_EVERY=%q: want a duration such as 30s", v)
		}
	}
	n, err := federation.NewNode(s, s.AuditKey, client, log)
	if err != nil {
		return nil, err
	}
	ln, err := tls.Listen("tcp", addr, cfg)
	if err != nil {
		return nil, fmt.Errorf("federation: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: n.Handler(), ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	go srv.Serve(ln)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.Run(ctx, every)
	}()
	log.Info("federation endpoint", "addr", ln.Addr().String(), "name", n.Name(), "sync_every", every)
	return func() {
		cancel()
		srv.Close()
		<-done
	}, nil
}
