package wiring

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// EventsUsage describes the events command.
const EventsUsage = `usage: modmono events COMMAND

  list   [MODULE]          every module's poison queue (or one's): id, type, attempts, reason
  show   MODULE ID         one poisoned event, with its metadata and payload
  replay MODULE ID|--all   apply poisoned events again through the inbox (an effect already
                           made is not made twice); each leaves the queue once applied
  drop   MODULE ID|--all   delete poisoned events without applying them
  outbox [MODULE]          events committed but not yet relayed, and the oldest one's age

It opens the module databases the configuration names (the files in DATA_DIR, or the
schemas of DATABASE_URL); a running server may keep running.`

// RunEvents runs the events command with args (what follows "events").
func RunEvents(ctx context.Context, cfg Config, logger *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("events: no command given\n%s", EventsUsage)
	}
	if cfg.JWTSecret == "" {
		// The command issues and checks no tokens: a throwaway secret keeps
		// it from creating, or warning about, the server's.
		cfg.JWTSecret = rand.Text() + rand.Text()
	}
	// A server may be running on these databases: the command reads and
	// repairs events, and never changes a schema under it.
	cfg.checkSchemaOnly = true
	// Events are untrusted input, and this prints them to a terminal.
	stdout = terminalSafe{stdout}
	cmd, args := args[0], args[1:]
	switch {
	case (cmd == "list" || cmd == "outbox") && len(args) <= 1:
		return eachModule(ctx, cfg, logger, args, func(f *Function) error { return report(ctx, cmd, f, stdout) })
	case cmd == "show" && len(args) == 2 && args[1] != "--all":
		return eachModule(ctx, cfg, logger, args[:1], func(f *Function) error { return show(ctx, f, args[1], stdout) })
	case (cmd == "replay" || cmd == "drop") && len(args) == 2:
		return eachModule(ctx, cfg, logger, args[:1], func(f *Function) error { return repair(ctx, cmd, f, args[1], stdout) })
	}
	return fmt.Errorf("events %s %s: wrong command or arguments\n%s", cmd, strings.Join(args, " "), EventsUsage)
}

// eachModule opens the module named in names, or every module when names
// is empty, and runs do on each.
func eachModule(ctx context.Context, cfg Config, logger *slog.Logger, names []string, do func(*Function) error) error {
	if len(names) == 0 {
		names = Modules
	}
	for _, name := range names { // before anything is opened
		if err := unknownModule(name); err != nil {
			return err
		}
		if err := databaseExists(cfg, name); err != nil {
			return err
		}
	}
	for _, name := range names {
		f, cleanup, err := InitializeFunction(cfg, logger, ModuleName(name))
		if err != nil {
			return err
		}
		err = do(f)
		cleanup()
		if err != nil || ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
	}
	return nil
}

// databaseExists fails, naming the file, when module name is on SQLite and
// its file is missing: opening it would create an empty database (and its
// directory) where the operator meant to inspect one.
func databaseExists(cfg Config, name string) error {
	if u, ok := cfg.DatabaseURLs[name]; ok && u.URL != "" {
		return nil
	}
	path := sqlitePath(cfg, name)
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no database at %s: is DATA_DIR right? (a server creates it when it starts)", name, path)
	}
	return err
}

func report(ctx context.Context, cmd string, f *Function, stdout io.Writer) error {
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if cmd == "outbox" {
		st, err := messaging.OutboxBacklog(ctx, f.module.DB())
		if err != nil {
			return err
		}
		age := "-"
		if !st.Oldest.IsZero() {
			age = time.Since(st.Oldest).Round(time.Second).String()
		}
		fmt.Fprintf(w, "%s\tbacklog %d\toldest %s\n", f.Name, st.Backlog, age)
		return w.Flush()
	}
	n, err := messaging.PoisonCount(ctx, f.module.DB())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d poisoned\n", f.Name, n)
	return messaging.PoisonedPages(ctx, f.module.DB(), listPage, func(page []messaging.PoisonedEvent) error {
		for _, ev := range page {
			fmt.Fprintf(w, "  %s\t%s\t%d attempts\t%s\t%s\n", ev.ID, ev.Type, ev.Attempts,
				ev.PoisonedAt.Format(time.RFC3339), oneLine(ev.Reason))
		}
		return w.Flush() // as it goes: the queue may be long
	})
}

// listPage is how many poisoned events the list reads at a time.
const listPage = 100

func show(ctx context.Context, f *Function, id string, stdout io.Writer) error {
	events, err := messaging.Poisoned(ctx, f.module.DB(), id)
	if err != nil {
		return err
	}
	ev := events[0]
	fmt.Fprintf(stdout, "module:      %s\nid:          %s\ntype:        %s\nattempts:    %d\npoisoned at: %s\nreason:      %s\nmetadata:\n",
		f.Name, ev.ID, ev.Type, ev.Attempts, ev.PoisonedAt.Format(time.RFC3339Nano), ev.Reason)
	keys := make([]string, 0, len(ev.Message.Metadata))
	for k := range ev.Message.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(stdout, "  %s: %s\n", k, ev.Message.Metadata[k])
	}
	payload := ev.Message.Payload
	var pretty bytes.Buffer
	if json.Indent(&pretty, payload, "", "  ") == nil {
		payload = pretty.Bytes()
	}
	fmt.Fprintf(stdout, "payload:\n%s\n", payload)
	return nil
}

// repair replays or drops event id, or with "--all" every poisoned event,
// and reports each. It fails when any of them failed.
func repair(ctx context.Context, cmd string, f *Function, id string, stdout io.Writer) error {
	if cmd == "replay" && f.Processor == nil {
		return fmt.Errorf("%s consumes no events: nothing to replay", f.Name)
	}
	ids := []string{id}
	if id == "--all" {
		ids = ids[:0]
		err := messaging.PoisonedPages(ctx, f.module.DB(), listPage, func(page []messaging.PoisonedEvent) error {
			for _, ev := range page {
				ids = append(ids, ev.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	var failed []error
	for _, id := range ids {
		if err := repairEvent(ctx, cmd, f.Processor, f.module.DB(), id); err != nil {
			failed = append(failed, err)
			fmt.Fprintf(stdout, "%s: %s failed: %s\n", f.Name, cmd, oneLine(err.Error()))
			continue
		}
		fmt.Fprintf(stdout, "%s: %s %s: done\n", f.Name, cmd, id)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s: %d of %d events not done", cmd, len(failed), len(ids))
	}
	return nil
}

// repairEvent replays (through p) or drops (cmd) poisoned event id of
// db's poison queue: the events command's repair, and the dashboard's.
func repairEvent(ctx context.Context, cmd string, p *messaging.Processor, db *sqldb.DB, id string) error {
	switch {
	case cmd == "drop":
		return messaging.DropPoisoned(ctx, db, id)
	case cmd != "replay":
		return fmt.Errorf("%s: not a repair (replay or drop)", cmd)
	case p == nil:
		return fmt.Errorf("this module consumes no events: nothing to replay")
	}
	return p.Replay(ctx, id)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
