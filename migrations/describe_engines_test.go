package migrations_test

import (
	"database/sql"
	"strings"
	"testing"

	"example.com/modmono/platform/sqldb"
)

// describeSQLite reads SQLite's catalogue: sqlite_master and the table and
// index pragmas. CHECK constraints and an index's WHERE have no catalogue
// of their own; they are read from the CREATE statements SQLite keeps.
func describeSQLite(t *testing.T, db *sqldb.DB, f facts) {
	t.Helper()
	var name, create string
	ddl := map[string]string{}
	query(t, db, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`,
		[]any{&name, &create}, func() { ddl[name] = create })
	for table, create := range ddl {
		sqliteColumns(t, db, f, table, create)
		sqliteIndexes(t, db, f, table)
		for _, c := range checks(create) {
			f[table+".check "+normalize(c)] = "yes"
		}
		var id, seq int
		var ref, from, to string
		fks := map[int][3][]string{}
		query(t, db, `SELECT id, seq, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq`,
			[]any{&id, &seq, &ref, &from, &to}, func() {
				fk := fks[id]
				fks[id] = [3][]string{{ref}, append(fk[1], from), append(fk[2], to)}
			}, table)
		for _, fk := range fks {
			f[table+".foreign key "+columnList(fk[1])] = "references " + fk[0][0] + " " + columnList(fk[2])
		}
	}
	var table string
	query(t, db, `SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'`,
		[]any{&name, &table}, func() { f[table+".trigger "+name] = "yes" })
}

func sqliteColumns(t *testing.T, db *sqldb.DB, f facts, table, create string) {
	t.Helper()
	upper := strings.ToUpper(create)
	withoutRowid := strings.Contains(upper, "WITHOUT ROWID")
	var name, typ string
	var notNull bool
	var dflt sql.NullString
	var pk int
	type col struct {
		name, typ string
		notNull   bool
		dflt      sql.NullString
		pk        int
	}
	var cols []col
	query(t, db, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`,
		[]any{&name, &typ, &notNull, &dflt, &pk}, func() { cols = append(cols, col{name, typ, notNull, dflt, pk}) }, table)
	key := make([]string, 0, len(cols))
	for _, c := range cols {
		if c.pk > 0 {
			key = append(key, "")
		}
	}
	for _, c := range cols {
		// INTEGER PRIMARY KEY is the rowid, never NULL; so is every key
		// column of a WITHOUT ROWID table. Other key columns of a rowid
		// table take NULL, an old SQLite quirk.
		rowid := c.pk == 1 && len(key) == 1 && strings.EqualFold(c.typ, "INTEGER")
		notNull := c.notNull || c.pk > 0 && (withoutRowid || rowid)
		auto := rowid && strings.Contains(upper, "AUTOINCREMENT")
		f[table+".column "+c.name] = describeColumn(mapType(sqliteTypes, "sqlite", strings.ToUpper(c.typ)), notNull, c.dflt, auto)
		if c.pk > 0 {
			key[c.pk-1] = c.name
		}
	}
	if len(key) > 0 {
		f[table+".primary key"] = columnList(key)
	}
}

func sqliteIndexes(t *testing.T, db *sqldb.DB, f facts, table string) {
	t.Helper()
	var name, origin string
	var unique bool
	type index struct {
		name, origin string
		unique       bool
	}
	var indexes []index
	query(t, db, `SELECT name, "unique", origin FROM pragma_index_list(?)`,
		[]any{&name, &unique, &origin}, func() { indexes = append(indexes, index{name, origin, unique}) }, table)
	for _, ix := range indexes {
		var col string
		var cols []string
		query(t, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, []any{&col}, func() { cols = append(cols, col) }, ix.name)
		switch ix.origin {
		case "u":
			f[table+".unique "+columnList(cols)] = "yes"
		case "c":
			var create string
			query(t, db, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, []any{&create}, func() {}, ix.name)
			where := ""
			if i := strings.Index(strings.ToUpper(create), " WHERE "); i >= 0 {
				where = create[i+len(" WHERE "):]
			}
			f[table+".index "+ix.name] = describeIndex(cols, ix.unique, where)
		}
	}
}

func describeIndex(cols []string, unique bool, where string) string {
	s := columnList(cols)
	if unique {
		s = "unique " + s
	}
	if where != "" {
		s += " where " + normalize(where)
	}
	return s
}

// checks returns the expressions of the CHECK constraints in a CREATE TABLE
// statement, outside quoted text.
func checks(create string) []string {
	var out []string
	upper := strings.ToUpper(create)
	for i := 0; i < len(create); i++ {
		switch {
		case create[i] == '\'' || create[i] == '"':
			end := strings.IndexByte(create[i+1:], create[i])
			if end < 0 {
				return out
			}
			i += end + 1
		case strings.HasPrefix(upper[i:], "CHECK") && (i == 0 || !isWord(create[i-1])):
			open := i + len("CHECK")
			for open < len(create) && strings.ContainsRune(" \t\n", rune(create[open])) {
				open++
			}
			if open >= len(create) || create[open] != '(' {
				continue
			}
			end := closing(create, open)
			out = append(out, create[open+1:end])
			i = end
		}
	}
	return out
}

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// closing returns the index of the bracket that closes the one at open.
func closing(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return len(s) - 1
}

// describePostgres reads PostgreSQL's catalogue of the schema db works in.
func describePostgres(t *testing.T, db *sqldb.DB, f facts) {
	t.Helper()
	var table, name, typ, kind, def, cols, refTable, refCols string
	var notNull, auto bool
	var dflt sql.NullString
	query(t, db, `SELECT table_name, column_name, data_type, is_nullable = 'NO', column_default, is_identity = 'YES'
FROM information_schema.columns WHERE table_schema = current_schema()`,
		[]any{&table, &name, &typ, &notNull, &dflt, &auto}, func() {
			if dflt.Valid && strings.HasPrefix(dflt.String, "nextval(") {
				dflt, auto = sql.NullString{}, true // serial
			}
			f[table+".column "+name] = describeColumn(mapType(postgresTypes, "postgres", typ), notNull, dflt, auto)
		})
	query(t, db, `SELECT t.relname, c.contype::text, pg_get_constraintdef(c.oid), `+attnames("c.conrelid", "c.conkey")+`,
	COALESCE(r.relname, ''), `+attnames("c.confrelid", "c.confkey")+`
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class r ON r.oid = c.confrelid
WHERE t.relnamespace = current_schema()::regnamespace`,
		[]any{&table, &kind, &def, &cols, &refTable, &refCols}, func() {
			switch kind {
			case "p":
				f[table+".primary key"] = "(" + cols + ")"
			case "u":
				f[table+".unique ("+cols+")"] = "yes"
			case "c":
				f[table+".check "+normalize(strings.TrimPrefix(def, "CHECK "))] = "yes"
			case "f":
				f[table+".foreign key ("+cols+")"] = "references " + refTable + " (" + refCols + ")"
			default:
				f[table+".constraint "+def] = "yes"
			}
		})
	var unique bool
	var where string
	query(t, db, `SELECT t.relname, i.relname, x.indisunique,
	array_to_string(ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnatts) k ORDER BY k), ', '),
	COALESCE(pg_get_expr(x.indpred, x.indrelid), '')
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = current_schema()::regnamespace
AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u'))`,
		[]any{&table, &name, &unique, &cols, &where}, func() {
			f[table+".index "+name] = describeIndex(strings.Split(cols, ", "), unique, where)
		})
	query(t, db, `SELECT t.relname, g.tgname FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid
WHERE NOT g.tgisinternal AND t.relnamespace = current_schema()::regnamespace`,
		[]any{&table, &name}, func() { f[table+".trigger "+name] = "yes" })
}

// attnames is SQL for the names of the columns numbered in keys (an array
// column of pg_constraint) of table rel, in order, separated by ", ".
func attnames(rel, keys string) string {
	return `array_to_string(ARRAY(SELECT a.attname FROM unnest(` + keys + `) WITH ORDINALITY k(n, i)
	JOIN pg_attribute a ON a.attrelid = ` + rel + ` AND a.attnum = k.n ORDER BY k.i), ', ')`
}
