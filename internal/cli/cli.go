// Package cli is the liandong command: it parses the command line and the
// LIANDONG_* environment, opens the store and hands over to the server or to
// one administrative action. cmd/liandong only calls Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/liandong/liandong/internal/domain"
)

// Exit codes: scripts tell a mistake in how they called liandong (fix the
// call) from a failure while doing the work (look at the message).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// Main runs the command named by args (without the program name) until it
// finishes or the process receives SIGINT or SIGTERM, and returns the exit
// code.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal starts a graceful shutdown, a second one
		// should kill the process at once, as it would without us.
		<-ctx.Done()
		stop()
	}()
	return Run(ctx, args, stdout, stderr)
}

// Run is Main with the caller's context, so that tests can stop a serving
// command by cancelling it.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	con := &console{stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return con.run(ctx, args)
}

// console is where a command reads its environment and writes its output.
type console struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one action of the liandong program.
type command struct {
	name    string // as typed, one or two words: "serve", "user add"
	args    string // what follows the name in the usage line
	summary string // one line for the command list
	help    string // what --help explains before the flags
	// setup defines the command's flags on fs and returns the action to
	// run once they are parsed and completed from the environment.
	setup func(fs *flag.FlagSet, con *console) func(ctx context.Context) error
}

// commands lists every command in the order the overview shows them.
var commands = []*command{
	serveCommand,
	demoCommand,
	migrateUpCommand,
	migrateStatusCommand,
	userAddCommand,
	userPasswordCommand,
	tokenCreateCommand,
	auditCheckpointCommand,
	auditVerifyCommand,
	federationWhoamiCommand,
	federationCertCommand,
	federationPeerCommand,
	federationRotateCommand,
	federationStatusCommand,
	federationSyncCommand,
	backupCommand,
	genCommand,
	loadCommand,
	versionCommand,
}

// defaultVerbs completes a group name typed alone, so that the documented
// "liandong migrate" keeps applying migrations.
var defaultVerbs = map[string]string{"migrate": "up"}

func (con *console) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		printOverview(con.stderr)
		return exitUsage
	}
	if isHelp(args[0]) || args[0] == "help" {
		if args[0] == "help" && len(args) > 1 {
			// "liandong help user add" is "liandong user add --help".
			return con.run(ctx, append(args[1:], "--help"))
		}
		printOverview(con.stdout)
		return exitOK
	}
	cmd, rest := findCommand(args)
	if cmd == nil {
		return con.groupOrUnknown(args)
	}
	return cmd.execute(ctx, con, rest)
}

// findCommand matches the longest command name at the start of args and
// returns the command with the arguments that follow its name.
func findCommand(args []string) (*command, []string) {
	if len(args) >= 2 {
		if cmd := commandNamed(args[0] + " " + args[1]); cmd != nil {
			return cmd, args[2:]
		}
	}
	if cmd := commandNamed(args[0]); cmd != nil {
		return cmd, args[1:]
	}
	if verb, ok := defaultVerbs[args[0]]; ok {
		return commandNamed(args[0] + " " + verb), args[1:]
	}
	return nil, nil
}

func commandNamed(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// groupOrUnknown answers a first word that is not a command: a group such
// as "user" gets its list of verbs, anything else the overview.
func (con *console) groupOrUnknown(args []string) int {
	var verbs []*command
	for _, c := range commands {
		if strings.HasPrefix(c.name, args[0]+" ") {
			verbs = append(verbs, c)
		}
	}
	if len(verbs) == 0 {
		fmt.Fprintf(con.stderr, "liandong: unknown command %q\n\n", args[0])
		printOverview(con.stderr)
		return exitUsage
	}
	out, code := con.stderr, exitUsage
	if len(args) > 1 && isHelp(args[1]) {
		out, code = con.stdout, exitOK
	} else if len(args) > 1 {
		fmt.Fprintf(con.stderr, "liandong: unknown command %q\n\n", args[0]+" "+args[1])
	} else {
		fmt.Fprintf(con.stderr, "liandong: %s needs a command\n\n", args[0])
	}
	fmt.Fprintf(out, "Usage: liandong %s <command> [flags]\n\nCommands:\n", args[0])
	printCommandList(out, verbs)
	fmt.Fprintf(out, "\nRun 'liandong %s <command> --help' for a command's flags.\n", args[0])
	return code
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// execute parses the command's flags, completes them from the environment
// and runs it. Help goes to stdout when asked for and to stderr after a
// usage mistake, so that "liandong x --help | less" works.
func (c *command) execute(ctx context.Context, con *console, args []string) int {
	fs := flag.NewFlagSet("liandong "+c.name, flag.ContinueOnError)
	fs.SetOutput(con.stderr)
	fs.Usage = func() {} // printed below, to the right stream
	action := c.setup(fs, con)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printHelp(con.stdout, fs)
			return exitOK
		}
		// The flag package has already printed what was wrong.
		fmt.Fprintln(con.stderr)
		c.printHelp(con.stderr, fs)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return report(con.stderr, usageErrorf("unexpected argument %q; run 'liandong %s --help'", fs.Arg(0), c.name))
	}
	if err := completeFromEnvironment(fs, con.getenv); err != nil {
		return report(con.stderr, err)
	}
	return report(con.stderr, action(ctx))
}

func (c *command) printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: liandong %s %s\n\n%s\n", c.name, c.args, strings.TrimSpace(c.help))
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintf(w, "\nFlags:\n")
		prev := fs.Output()
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(prev)
	}
}

func printOverview(w io.Writer) {
	fmt.Fprint(w, `Liandong (联动) is the system of record for inter-government cooperation.

Usage: liandong <command> [flags]

Commands:
`)
	printCommandList(w, commands)
	fmt.Fprint(w, `
Run 'liandong <command> --help' for a command's flags. Flags may also be set
through the environment: LIANDONG_DATABASE_URL, LIANDONG_DATA_DIR,
LIANDONG_ADDR and LIANDONG_LOG_LEVEL; a flag on the command line wins.
`)
}

func printCommandList(w io.Writer, list []*command) {
	for _, c := range list {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
}

// usageError is a mistake in how the command was called; it exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// report prints err for the person at the terminal and returns the exit
// code. Invalid input is a usage mistake too: it exits 2 and lists each
// refused field with its reason.
func report(w io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var usage usageError
	if errors.As(err, &usage) {
		fmt.Fprintf(w, "liandong: %s\n", usage.msg)
		return exitUsage
	}
	if domain.ErrorCode(err) == domain.Invalid {
		fmt.Fprintf(w, "liandong: %s\n", domain.ErrorMessage(err))
		for _, f := range domain.ErrorFields(err) {
			fmt.Fprintf(w, "  %s: %s\n", f.Field, f.Reason)
		}
		return exitUsage
	}
	if code := domain.ErrorCode(err); code != domain.Internal {
		// Refusals (not found, conflict, ...) carry a message written
		// for people; the chain behind it only repeats it.
		fmt.Fprintf(w, "liandong: %s\n", domain.ErrorMessage(err))
		return exitFailure
	}
	// A fault: the whole chain, internal detail included, since the
	// operator at the terminal is the one who has to act on it.
	fmt.Fprintf(w, "liandong: %v\n", err)
	return exitFailure
}
