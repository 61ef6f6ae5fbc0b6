// Package federation lets each government run its own installation while
// the records of the mechanisms they share stay one record (issue 14,
// docs/FEDERATION.md). An installation's Node keeps, for each peer it has
// agreed with, a log of signed envelopes — the changes to the shared
// records it keeps — and serves it over mutual TLS; it pulls the peer's
// log, checks every signature, the hash chain and the peer's checkpoint,
// applies the changes in one transaction and countersigns the checkpoint,
// which the peer keeps as its receipt. A push is only a hint to pull; a
// pull at a fixed interval recovers lost hints, so the peer being down
// never blocks local work: changes wait in the log until it returns.
package federation

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation/mtls"
	"github.com/liandong/liandong/internal/federation/wire"
	"github.com/liandong/liandong/internal/store"
)

// exportPause is the least time between a change and its export when
// changes come quickly: one export carries the changes made meanwhile.
const exportPause = 100 * time.Millisecond

// maxEntries is how many envelopes one answer carries; a pull asks again.
const maxEntries = 1000

// Node is one installation's side of federation.
type Node struct {
	Store *store.Store
	// Key is the installation's key: it signs envelopes and checkpoints
	// and cosigns the peers' checkpoints.
	Key *auditlog.Key
	// Client calls the peers, over mutual TLS.
	Client *http.Client
	Log    *slog.Logger
	// Now is the clock of cosignatures; default time.Now.
	Now func() time.Time

	cosigner *wire.Cosigner
	mu       sync.Mutex
	pulls    map[string]*sync.Mutex // one pull of a peer at a time
	trees    map[logKey]*logTree    // the logs' hash trees, caught up with the store before each use
	kicks    chan string            // peers whose hint came in
}

// logKey names one of the two logs of a peer: the one kept for it
// (outbox) or the one received from it.
type logKey struct {
	peer   int64
	outbox bool
}

// NewNode makes the node of an installation whose store and key are open.
func NewNode(s *store.Store, key *auditlog.Key, client *http.Client, log *slog.Logger) (*Node, error) {
	c, err := wire.NewCosigner(key.NoteSignerKey())
	if err != nil {
		return nil, fmt.Errorf("federation: the installation's key cannot cosign: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Node{Store: s, Key: key, Client: client, Log: log, Now: time.Now, cosigner: c,
		pulls: map[string]*sync.Mutex{}, trees: map[logKey]*logTree{}, kicks: make(chan string, 16)}, nil
}

// Name is the installation's name, its logs' sender and its records' origin.
func (n *Node) Name() string { return n.Key.Origin() }

// Export appends to each peer's log the changes made here since the last
// export, and returns how many entries it added per peer.
func (n *Node) Export(ctx context.Context) (map[string]int, error) {
	// An instance still holding a key rotated away by another must not
	// sign with it: the peers pin the new key from the statement on.
	if statement, err := n.Store.LatestRotation(ctx); err != nil {
		return nil, err
	} else if statement != nil {
		if current, err := wire.RotationNewKey(statement); err != nil || current != n.Key.VerifierKey() {
			return nil, fmt.Errorf("federation: this instance signs with a key rotated away (the current one is %s): restart it to read the new key", current)
		}
	}
	peers, err := n.Store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	added := map[string]int{}
	for _, p := range peers {
		origin := wire.LogOrigin(n.Name(), p.Name)
		k, err := n.Store.Export(ctx, p, func(seq int64, prev []byte, ev store.FederatedEvent) ([]byte, error) {
			e := wire.Event{Origin: origin, Seq: seq, ID: ev.ID, At: ev.At.UTC(), Actor: wire.Actor{Name: ev.ActorName, Unit: ev.ActorUnit, Role: ev.ActorRole},
				Type: ev.Type, Record: ev.Record, Base: ev.Base, Data: ev.Data}
			if prev != nil {
				e.Prev = wire.PrevOf(prev)
			}
			return wire.SignEvent(n.Key.Signer(), e)
		})
		if err != nil {
			return added, fmt.Errorf("export to %s: %w", p.Name, err)
		}
		added[p.Name] = k
	}
	return added, nil
}

// tree returns the hash tree of a log of peer, locked and caught up with
// the store; the caller unlocks it.
func (n *Node) tree(ctx context.Context, p *domain.Peer, outbox bool) (*logTree, error) {
	n.mu.Lock()
	if n.trees == nil {
		n.trees = map[logKey]*logTree{}
	}
	t, ok := n.trees[logKey{p.ID, outbox}]
	if !ok {
		t = &logTree{}
		n.trees[logKey{p.ID, outbox}] = t
	}
	n.mu.Unlock()

	tail, read := n.Store.InboxTail, n.Store.Inbox
	if outbox {
		tail, read = n.Store.OutboxTail, n.Store.Outbox
	}
	t.mu.Lock()
	size, last, err := tail(ctx, p)
	if err == nil {
		err = t.catchUp(size, last, func(from, to int64) ([][]byte, error) { return read(ctx, p, from, to) })
	}
	if err != nil {
		t.mu.Unlock()
		return nil, err
	}
	return t, nil
}

// checkpoint signs the checkpoint of the log kept for peer as it stands.
func (n *Node) checkpoint(ctx context.Context, p *domain.Peer) ([]byte, error) {
	t, err := n.tree(ctx, p, true)
	if err != nil {
		return nil, err
	}
	size := t.size()
	root, err := t.root(size)
	t.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return wire.SignCheckpoint(n.Key.Signer(), wire.Checkpoint{Origin: wire.LogOrigin(n.Name(), p.Name), Tree: tlog.Tree{N: size, Hash: root}})
}

// Handler serves the federation endpoints to the peers, who present their
// certificate: a caller that is not a configured peer gets 403, so nothing
// flows before both sides have configured each other.
func (n *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /federation/v1/checkpoint", n.peerOnly(n.serveCheckpoint))
	mux.HandleFunc("GET /federation/v1/entries", n.peerOnly(n.serveEntries))
	mux.HandleFunc("POST /federation/v1/cosignature", n.peerOnly(n.receiveCosignature))
	mux.HandleFunc("POST /federation/v1/hint", n.peerOnly(n.receiveHint))
	return mux
}

func (n *Node) peerOnly(h func(http.ResponseWriter, *http.Request, *domain.Peer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, ok := mtls.PeerName(r)
		if !ok {
			http.Error(w, "a client certificate is required", http.StatusUnauthorized)
			return
		}
		p, err := n.Store.Peer(r.Context(), name)
		if err != nil {
			http.Error(w, "not a configured peer of this installation", http.StatusForbidden)
			return
		}
		h(w, r, p)
	}
}

func (n *Node) serveCheckpoint(w http.ResponseWriter, r *http.Request, p *domain.Peer) {
	signed, err := n.checkpoint(r.Context(), p)
	if err != nil {
		n.fail(w, "checkpoint", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(signed)
}

// serveEntries writes the envelopes [from, to) of the log kept for the
// peer, each preceded by its length in bytes and a newline.
func (n *Node) serveEntries(w http.ResponseWriter, r *http.Request, p *domain.Peer) {
	from, err1 := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
	to, err2 := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64)
	if err1 != nil || err2 != nil || from < 0 || to < from {
		http.Error(w, "from and to must be entry numbers, from ≤ to", http.StatusBadRequest)
		return
	}
	to = min(to, from+maxEntries)
	envs, err := n.Store.Outbox(r.Context(), p, from, to)
	if err != nil {
		n.fail(w, "entries", err)
		return
	}
	var b bytes.Buffer
	for _, e := range envs {
		fmt.Fprintf(&b, "%d\n", len(e))
		b.Write(e)
	}
	w.Header().Set("Content-Type", "application/x-liandong-envelopes")
	w.Write(b.Bytes())
}

// receiveCosignature keeps the peer's receipt: our checkpoint with its
// cosignature, checked against its pinned key and against our log.
func (n *Node) receiveCosignature(w http.ResponseWriter, r *http.Request, p *domain.Peer) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	if err := n.keepReceipt(r.Context(), p, body); err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (n *Node) keepReceipt(ctx context.Context, p *domain.Peer, body []byte) error {
	mine, err := note.NewVerifier(n.Key.VerifierKey())
	if err != nil {
		return err
	}
	c, err := wire.OpenCheckpoint(body, mine, wire.LogOrigin(n.Name(), p.Name))
	if err != nil {
		return fmt.Errorf("not a checkpoint of ours: %w", err)
	}
	cv, err := wire.NewCosignatureVerifier(p.VerifierKey)
	if err != nil {
		return err
	}
	lines := wire.CosignatureLines(body, cv)
	if len(lines) == 0 {
		return errors.New("no cosignature by the peer's pinned key")
	}
	if _, err := wire.VerifyCosignature(cv, c, lines[0]); err != nil {
		return err
	}
	t, err := n.tree(ctx, p, true)
	if err != nil {
		return err
	}
	var root tlog.Hash
	if c.N <= t.size() {
		root, err = t.root(c.N)
	}
	held := t.size()
	t.mu.Unlock()
	if err != nil {
		return err
	}
	if c.N > held || root != c.Hash {
		return errors.New("the checkpoint cosigned is not one of this log")
	}
	return n.Store.KeepCheckpoint(ctx, p, store.SentCheckpoint, c.N, body, true)
}

func (n *Node) receiveHint(w http.ResponseWriter, r *http.Request, p *domain.Peer) {
	select {
	case n.kicks <- p.Name:
	default: // a pull is due anyway
	}
	w.WriteHeader(http.StatusAccepted)
}

func (n *Node) fail(w http.ResponseWriter, what string, err error) {
	n.Log.Error("federation", "serving", what, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// Pull fetches what the peer's log holds beyond what was received, checks
// it, applies it and sends back the cosigned checkpoint. It returns how
// many envelopes it received.
func (n *Node) Pull(ctx context.Context, p *domain.Peer) (int, error) {
	n.mu.Lock()
	m, ok := n.pulls[p.Name]
	if !ok {
		m = &sync.Mutex{}
		n.pulls[p.Name] = m
	}
	n.mu.Unlock()
	m.Lock()
	defer m.Unlock()

	origin := wire.LogOrigin(p.Name, n.Name())
	signed, err := n.get(ctx, p, "/federation/v1/checkpoint")
	if err != nil {
		return 0, err
	}
	// The checkpoint is checked once the entries it covers are: a key
	// rotation among them names the key that signed it.
	cp, err := wire.PeekCheckpoint(signed)
	if err != nil || cp.Origin != origin {
		return 0, fmt.Errorf("peer %s: checkpoint refused: not one of the log %q (%v)", p.Name, origin, err)
	}
	pinned := p.VerifierKey
	// The leaves held, copied: the witness wants them all, and the tree
	// takes the new ones only once they are stored.
	inbox, err := n.tree(ctx, p, false)
	if err != nil {
		return 0, err
	}
	held := inbox.size()
	leaves := make([]tlog.Hash, held, max(held, cp.N))
	copy(leaves, inbox.leaves)
	prev := inbox.last // the new entries chain from it
	inbox.mu.Unlock()
	var received []store.Received
	for next := held; next < cp.N; {
		body, err := n.get(ctx, p, fmt.Sprintf("/federation/v1/entries?from=%d&to=%d", next, cp.N))
		if err != nil {
			return 0, err
		}
		batch, err := splitEnvelopes(body)
		if err != nil {
			return 0, fmt.Errorf("peer %s: entries from %d: %w", p.Name, next, err)
		}
		if len(batch) == 0 {
			return 0, fmt.Errorf("peer %s: no entries from %d though its checkpoint holds %d", p.Name, next, cp.N)
		}
		for _, env := range batch {
			ev, key, err := wire.OpenEventPinned(env, pinned)
			if err != nil {
				return 0, fmt.Errorf("peer %s: entry %d refused: %w", p.Name, next, err)
			}
			pinned = key
			wantPrev := ""
			if prev != nil {
				wantPrev = wire.PrevOf(prev)
			}
			if ev.Origin != origin || ev.Seq != next || ev.Prev != wantPrev {
				return 0, fmt.Errorf("peer %s: entry %d is not the next of its log (origin %q, seq %d)", p.Name, next, ev.Origin, ev.Seq)
			}
			received = append(received, store.Received{Seq: next, Envelope: env, Event: store.FederatedEvent{ID: ev.ID, At: ev.At,
				ActorName: ev.Actor.Name, ActorUnit: ev.Actor.Unit, ActorRole: ev.Actor.Role, Type: ev.Type, Record: ev.Record, Base: ev.Base, Data: ev.Data}})
			leaves = append(leaves, wire.LeafHash(env))
			prev = env
			next++
		}
	}
	sender, err := note.NewVerifier(pinned)
	if err != nil {
		return 0, fmt.Errorf("peer %s: verifier key: %w", p.Name, err)
	}
	if cp, err = wire.OpenCheckpoint(signed, sender, origin); err != nil {
		return 0, fmt.Errorf("peer %s: checkpoint refused: %w", p.Name, err)
	}
	w, err := n.witness(ctx, p, origin)
	if err != nil {
		return 0, err
	}
	if _, err := w.Check(signed, sender, leaves); err != nil {
		var fork *wire.ForkError
		if errors.As(err, &fork) {
			n.Log.Error("federation: the peer's log has forked; both checkpoints kept as evidence", "peer", p.Name, "detail", fork.Detail)
			if kerr := n.Store.KeepCheckpoint(ctx, p, store.ForkedCheckpoint, cp.N, fork.Conflicting, false); kerr != nil {
				return 0, kerr
			}
		}
		return 0, fmt.Errorf("peer %s: %w", p.Name, err)
	}
	line, err := n.cosigner.Cosign(cp, n.Now())
	if err != nil {
		return 0, err
	}
	witnessed, err := wire.AddCosignature(signed, line)
	if err != nil {
		return 0, err
	}
	if len(received) > 0 || w.seenSize() < cp.N {
		if _, err := n.Store.Receive(ctx, p, held, received, witnessed, cp.N); err != nil {
			return 0, err
		}
		// Stored: the tree takes them, unless it moved meanwhile (then
		// the next pull catches it up from the store).
		inbox.mu.Lock()
		if inbox.size() == held && len(received) > 0 {
			for _, l := range leaves[held:] {
				if err := inbox.add(l); err != nil {
					inbox.truncate(0)
					break
				}
			}
			inbox.last = received[len(received)-1].Envelope
		}
		inbox.mu.Unlock()
	}
	// The receipt: a lost one goes again with the next pull.
	if err := n.post(ctx, p, "/federation/v1/cosignature", witnessed); err != nil {
		n.Log.Warn("federation: cosignature not delivered; sent again with the next pull", "peer", p.Name, "err", err)
	}
	return len(received), nil
}

// witnessState is the witness of a peer's log, rebuilt from the
// checkpoints accepted before.
type witnessState struct {
	*wire.Witness
}

func (w witnessState) seenSize() int64 {
	if len(w.Accepted) == 0 {
		return -1
	}
	return w.Accepted[len(w.Accepted)-1].Size
}

func (n *Node) witness(ctx context.Context, p *domain.Peer, origin string) (witnessState, error) {
	w, err := wire.NewWitness(origin)
	if err != nil {
		return witnessState{}, err
	}
	kept, err := n.Store.Checkpoints(ctx, p, store.WitnessedCheckpoint)
	if err != nil {
		return witnessState{}, err
	}
	for _, c := range kept {
		signed := c.Signed
		cp, err := openUnchecked(signed, origin)
		if err != nil {
			return witnessState{}, err
		}
		w.Accepted = append(w.Accepted, wire.SeenCheckpoint{Size: cp.N, Root: base64.StdEncoding.EncodeToString(cp.Hash[:]), Signed: string(signed)})
	}
	return witnessState{w}, nil
}

// openUnchecked reads a checkpoint this installation checked when it
// accepted it.
func openUnchecked(signed []byte, origin string) (wire.Checkpoint, error) {
	text, _, ok := strings.Cut(string(signed), "\n\n")
	if !ok {
		return wire.Checkpoint{}, errors.New("a kept checkpoint is not a signed note")
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 3 || lines[0] != origin {
		return wire.Checkpoint{}, errors.New("a kept checkpoint is not of this log")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return wire.Checkpoint{}, err
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return wire.Checkpoint{}, errors.New("a kept checkpoint has no root hash")
	}
	c := wire.Checkpoint{Origin: origin, Tree: tlog.Tree{N: size}}
	copy(c.Hash[:], root)
	return c, nil
}

// splitEnvelopes reads what serveEntries wrote; a body cut short is an error.
func splitEnvelopes(body []byte) ([][]byte, error) {
	var out [][]byte
	rd := bufio.NewReader(bytes.NewReader(body))
	for {
		line, err := rd.ReadString('\n')
		if err == io.EOF && line == "" {
			return out, nil
		}
		if err != nil {
			return nil, errors.New("the answer was cut short")
		}
		size, err := strconv.Atoi(strings.TrimSuffix(line, "\n"))
		if err != nil || size <= 0 || size > 1<<20 {
			return nil, fmt.Errorf("bad envelope length %q", line)
		}
		env := make([]byte, size)
		if _, err := io.ReadFull(rd, env); err != nil {
			return nil, errors.New("the answer was cut short")
		}
		out = append(out, env)
	}
}

func (n *Node) get(ctx context.Context, p *domain.Peer, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(p.BaseURL, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	return n.do(p, req)
}

func (n *Node) post(ctx context.Context, p *domain.Peer, path string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(p.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	_, err = n.do(p, req)
	return err
}

func (n *Node) do(p *domain.Peer, req *http.Request) ([]byte, error) {
	resp, err := n.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("peer %s: %w", p.Name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("peer %s: %s: %w", p.Name, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("peer %s: %s answered %s: %s", p.Name, req.URL.Path, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// Hint tells each peer that its log here grew; lost hints are recovered by
// the peer's next periodic pull.
func (n *Node) Hint(ctx context.Context, p *domain.Peer) error {
	return n.post(ctx, p, "/federation/v1/hint", nil)
}

// Sync exports, hints the peers whose logs grew and pulls every peer once;
// what the pulls received may have made changes of this installation's
// own (a proposal applied, its answer), which go out at once, hinted.
// Errors from one peer do not stop the others; they are joined.
func (n *Node) Sync(ctx context.Context) error {
	if err := n.exportAndHint(ctx); err != nil {
		return err
	}
	peers, err := n.Store.Peers(ctx)
	if err != nil {
		return err
	}
	var errs []error
	received := 0
	for _, p := range peers {
		k, err := n.Pull(ctx, p)
		if err != nil {
			errs = append(errs, err)
		}
		received += k
	}
	if received > 0 {
		errs = append(errs, n.exportAndHint(ctx))
	}
	return errors.Join(errs...)
}

// exportAndHint exports and tells each peer whose log grew.
func (n *Node) exportAndHint(ctx context.Context) error {
	added, err := n.Export(ctx)
	if err != nil {
		return err
	}
	peers, err := n.Store.Peers(ctx)
	if err != nil {
		return err
	}
	for _, p := range peers {
		if added[p.Name] > 0 {
			if err := n.Hint(ctx, p); err != nil {
				n.Log.Warn("federation: hint not delivered", "peer", p.Name, "err", err)
			}
		}
	}
	return nil
}

// Run syncs every interval, exports (and hints) as soon as a change made
// here is in the log, and pulls a peer at once when its hint comes, until
// ctx ends. Failures are logged; the next round tries again.
func (n *Node) Run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	warn := func(what string, err error, args ...any) {
		if err != nil && ctx.Err() == nil {
			n.Log.Warn("federation: "+what, append(args, "err", err)...)
		}
	}
	warn("sync", n.Sync(ctx))
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			warn("sync", n.Sync(ctx))
		case <-n.Store.Sealed():
			// A change made here is in the log: it leaves now, hinted,
			// rather than at the next tick. The pause gathers the
			// changes of a busy moment into one export.
			select {
			case <-ctx.Done():
				return
			case <-time.After(exportPause):
			}
			warn("export", n.exportAndHint(ctx))
		case name := <-n.kicks:
			p, err := n.Store.Peer(ctx, name)
			if err == nil {
				var received int
				if received, err = n.Pull(ctx, p); err == nil && received > 0 {
					err = n.exportAndHint(ctx) // what the pull caused: answers, applied proposals
				}
			}
			warn("pull", err, "peer", name)
		}
	}
}
