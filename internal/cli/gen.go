package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/liandong/liandong/internal/gen"
)

var genCommand = &command{
	name:    "gen",
	args:    "[--scale 1] [--seed 1] [flags]",
	summary: "generate a national-scale dataset for measuring",
	help: `
Fills the database with a deterministic dataset the size of every regional
cooperation mechanism in the country on one installation: at --scale 1,
3,000 jurisdictions, 10,000 units, 300 mechanisms, 100,000 items,
1,000,000 progress reports, 200,000 problems and 100,000 tasks, with
Chinese text. The same --seed gives the same data on SQLite and
PostgreSQL. Records pass through the store's rules and audit trail, so
this takes a while; --scale 0.01 makes a hundredth.`,
	setup: setupGen,
}

func setupGen(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	var scale float64
	var seed uint64
	db.define(fs)
	fs.Float64Var(&scale, "scale", 1, "fraction of the national scale to generate, above 0 and at most 1")
	fs.Uint64Var(&seed, "seed", 1, "seed of the generator: the same seed makes the same data")
	return func(ctx context.Context) error {
		if scale <= 0 || scale > 1 {
			return usageErrorf("--scale must be above 0 and at most 1")
		}
		s, err := db.open(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		if _, err := s.Migrate(ctx); err != nil {
			return err
		}
		start := time.Now()
		if err := gen.Generate(ctx, s, gen.National.Times(scale), seed, con.stdout); err != nil {
			return err
		}
		fmt.Fprintf(con.stdout, "generated in %s into %s\n", time.Since(start).Round(time.Second), db.where())
		return nil
	}
}
