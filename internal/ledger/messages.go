package ledger

import (
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
)

// cellError refuses a cell, or a row when column is empty, with reason in
// the language of locale (Chinese when empty): the reason alone, its code,
// and a message naming the row and column — "第7行 D列（牵头单位）：…" or
// "row 7, column D (牵头单位): …".
func cellError(locale, sheet string, row int, column string, reason domain.Text) CellError {
	at := domain.Textf("row %d: %s", row, reason)
	if column != "" {
		at = domain.Textf("row %d, column %s: %s", row, columnText(column), reason)
	}
	return CellError{Sheet: sheet, Row: row, Column: column, Code: message.Code(reason),
		Reason: say(locale, reason), Message: say(locale, at), text: reason}
}

// say writes t in the language of locale, Chinese when it is empty.
func say(locale string, t domain.Text) string {
	if locale == "" {
		locale = message.Chinese
	}
	return message.Format(locale, t)
}

// columnText puts a column as colName writes it — its letter (or number)
// and its header, "D (牵头单位)", or several joined by ", " — into a text
// each language words its own way.
func columnText(column string) domain.Text {
	var parts []any
	var verbs []string
	for _, c := range strings.Split(column, ", ") {
		letter, header, ok := strings.Cut(c, " (")
		if !ok || !strings.HasSuffix(header, ")") {
			return domain.Text{Format: column}
		}
		parts = append(parts, domain.Textf("%s (%s)", letter, strings.TrimSuffix(header, ")")))
		verbs = append(verbs, "%s")
	}
	if len(parts) == 1 {
		return parts[0].(domain.Text)
	}
	return domain.Textf(strings.Join(verbs, ", "), parts...)
}
