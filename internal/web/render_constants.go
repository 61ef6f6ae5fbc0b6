package web

import (
	"html/template"
	"io"
	"strings"
	"text/template/parse"
)

// A page's template names most of its words by catalogue key — {{t
// "items.title"}}, seventy-seven of them on the item list — and its
// scripts and styles by asset ({{asset "app.css"}}, five in the layout);
// each such action cost a call through reflection and others to the
// escapers, on every page, for a result fixed when the template was parsed
// for its language. writeConstants writes those results into the template
// once.
//
// It works on the template after html/template has escaped it, when each
// action ends in the escaper of its context, and replaces an action only
// where that is plain HTML text, a title, a quoted attribute, or a URL and
// the text is a plain path, and the text holds nothing those escapers
// change: the page is the same, byte for byte (TestConstantsWrittenOnce),
// and anything else is left to run as before.

// constantContexts are the escapers after which a constant is written as
// it is, provided it holds none of escapedByThem.
var constantContexts = map[string]bool{"_html_template_htmlescaper": true, "_html_template_attrescaper": true, "_html_template_rcdataescaper": true}

const escapedByThem = "\x00\"&'+<>"

// urlContexts are the escapers of a link's or a source's URL, which leave
// a plain path as it is: an asset's, such as /assets/app.3f9c.css.
var urlContexts = map[string]bool{"_html_template_urlfilter": true, "_html_template_urlnormalizer": true}

func plainPath(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/._~-", c)) {
			return false
		}
	}
	return true
}

// constantCall is a function of a string whose result is fixed once the
// template is parsed; ok is false where it has none (the call is left to
// fail as it would).
type constantCall func(arg string) (text string, ok bool)

// writeConstants escapes t's templates by executing name once, then
// replaces each action calling one of calls with a string literal, in the
// contexts above, by the text it yields.
func writeConstants(t *template.Template, name string, calls map[string]constantCall) {
	// Escaping happens before execution; with no data the execution
	// itself stops at the first field, which is what is wanted.
	_ = t.ExecuteTemplate(io.Discard, name, nil)
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			writeConstantsIn(tt.Tree.Root, calls)
		}
	}
}

func writeConstantsIn(list *parse.ListNode, calls map[string]constantCall) {
	if list == nil {
		return
	}
	for i, n := range list.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if text, ok := constantOf(n.Pipe, calls); ok {
				list.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(text)}
			}
		case *parse.IfNode:
			writeConstantsIn(n.List, calls)
			writeConstantsIn(n.ElseList, calls)
		case *parse.RangeNode:
			writeConstantsIn(n.List, calls)
			writeConstantsIn(n.ElseList, calls)
		case *parse.WithNode:
			writeConstantsIn(n.List, calls)
			writeConstantsIn(n.ElseList, calls)
		}
	}
}

// constantOf returns what pipe writes when it is a call of one of calls
// with a string literal, followed only by the escapers of constantContexts
// (and of urlContexts, for a plain path), and the result needs no escaping
// there.
func constantOf(pipe *parse.PipeNode, calls map[string]constantCall) (string, bool) {
	if pipe == nil || len(pipe.Decl) > 0 || len(pipe.Cmds) < 2 {
		return "", false
	}
	first := pipe.Cmds[0].Args
	if len(first) != 2 {
		return "", false
	}
	fn, ok1 := first[0].(*parse.IdentifierNode)
	arg, ok2 := first[1].(*parse.StringNode)
	if !ok1 || !ok2 || calls[fn.Ident] == nil {
		return "", false
	}
	text, ok := calls[fn.Ident](arg.Text)
	if !ok || strings.ContainsAny(text, escapedByThem) {
		return "", false
	}
	for _, c := range pipe.Cmds[1:] {
		if len(c.Args) != 1 {
			return "", false
		}
		esc, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok || !constantContexts[esc.Ident] && !(urlContexts[esc.Ident] && plainPath(text)) {
			return "", false
		}
	}
	return text, true
}
