package cli

import (
	"context"
	"flag"
	"fmt"
)

var auditVerifyCommand = &command{
	name:    "audit verify",
	args:    "[flags]",
	summary: "check that the audit trail has not been edited",
	help: `
Walks the whole audit trail in order and checks each event's hash against
its content and the event before it. It prints how many events it checked;
if one does not match it names the first such event and exits 1, since an
edited, deleted or reordered event breaks the chain from there on.`,
	setup: setupAuditVerify,
}

func setupAuditVerify(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	db.define(fs)
	return func(ctx context.Context) error {
		s, err := db.openCurrent(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		checked, err := s.VerifyAudit(ctx)
		if err != nil {
			return fmt.Errorf("audit trail broken after %d intact events: %w", checked, err)
		}
		fmt.Fprintf(con.stdout, "checked %d audit events: the chain is intact\n", checked)
		return nil
	}
}
