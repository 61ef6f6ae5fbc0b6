package web

import (
	"html/template"
	"io"
	"strings"
	"text/template/parse"
)

// A page's template names most of its words by catalogue key — {{t
// "items.title"}}, seventy-seven of them on the item list — and each such
// action cost a call through reflection and another to the escaper, on
// every page, for a result fixed when the template was parsed for its
// language. writeConstants writes those results into the template once.
//
// It works on the template after html/template has escaped it, when each
// action ends in the escaper of its context, and replaces an action only
// where that is plain HTML text, a title or a quoted attribute and the text holds
// nothing those escapers change: the page is the same, byte for byte
// (TestConstantsWrittenOnce), and anything else is left to run as before.

// constantContexts are the escapers after which a constant is written as
// it is, provided it holds none of escapedByThem.
var constantContexts = map[string]bool{"_html_template_htmlescaper": true, "_html_template_attrescaper": true, "_html_template_rcdataescaper": true}

const escapedByThem = "\x00\"&'+<>"

// writeConstants escapes t's templates by executing name once, then
// replaces each action calling one of calls with a string literal, in the
// contexts above, by the text it yields.
func writeConstants(t *template.Template, name string, calls map[string]func(string) string) {
	// Escaping happens before execution; with no data the execution
	// itself stops at the first field, which is what is wanted.
	_ = t.ExecuteTemplate(io.Discard, name, nil)
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			writeConstantsIn(tt.Tree.Root, calls)
		}
	}
}

func writeConstantsIn(list *parse.ListNode, calls map[string]func(string) string) {
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
// with a string literal, followed only by the escapers of constantContexts,
// and the result needs no escaping there.
func constantOf(pipe *parse.PipeNode, calls map[string]func(string) string) (string, bool) {
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
	for _, c := range pipe.Cmds[1:] {
		if len(c.Args) != 1 {
			return "", false
		}
		esc, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok || !constantContexts[esc.Ident] {
			return "", false
		}
	}
	text := calls[fn.Ident](arg.Text)
	if strings.ContainsAny(text, escapedByThem) {
		return "", false
	}
	return text, true
}
