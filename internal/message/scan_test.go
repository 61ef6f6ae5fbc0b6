package message

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A user-visible text in the code: where it is and its English format.
type found struct {
	pos    string
	format string
}

// messageArgs names the calls whose argument (by index) is a user-visible
// English text, as the catalogue knows it: the domain's constructors and
// the few helpers that pass a reason on.
var messageArgs = map[string]int{
	"Add":         1, // domain.Problems.Add(field, reason)
	"Addf":        1, // domain.Problems.Addf(field, format, args…)
	"Errorf":      1, // domain.Errorf(code, format, args…)
	"Textf":       0, // domain.Textf(format, args…)
	"FieldErrorf": 1, // domain.FieldErrorf(field, format, args…)
	"fieldError":  2, // api: fieldError(code, field, reason)
	"invalid":     1, // ledger: invalid(field, format, args…)
	"tooLarge":    0, // ledger: tooLarge(format, args…)
}

// notMessages are receivers whose Add is not a refusal: HTTP headers.
var notMessages = []string{"Header()."}

// scanSource finds every user-visible text in the Go source under root
// (tests aside): the message arguments of messageArgs, and the Message and
// Reason of domain.Error and domain.FieldError literals.
func scanSource(t *testing.T, root string) []found {
	t.Helper()
	var out []found
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		lit := func(e ast.Expr) (string, bool) {
			b, ok := e.(*ast.BasicLit)
			if !ok || b.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(b.Value)
			return s, err == nil
		}
		add := func(n ast.Node, s string) {
			out = append(out, found{fset.Position(n.Pos()).String(), s})
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				name, recv := "", ""
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
					recv = types(fn.X)
				}
				i, ok := messageArgs[name]
				if !ok || len(n.Args) <= i || name == "Errorf" && recv != "" && recv != "domain" {
					return true
				}
				for _, skip := range notMessages {
					if strings.Contains(recv+"."+name, skip) {
						return true
					}
				}
				if s, ok := lit(n.Args[i]); ok {
					add(n, s)
				} else if sprintf(n.Args[i]) {
					add(n, sprintfMark)
				}
			case *ast.CompositeLit:
				typ := types(n.Type)
				if !strings.HasSuffix(typ, "Error") && typ != "" {
					return true
				}
				for _, e := range n.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Message" || k.Name == "Reason") {
						if s, ok := lit(kv.Value); ok {
							add(kv, s)
						} else if sprintf(kv.Value) {
							add(kv, sprintfMark)
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sprintfMark stands for a text formatted where it is made, which no
// catalogue can put in another language.
const sprintfMark = "fmt.Sprintf(…): write domain.Textf, Addf or FieldErrorf instead"

// sprintf reports whether e formats or concatenates text on the spot.
func sprintf(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.CallExpr:
		return types(e.Fun) == "fmt.Sprintf"
	case *ast.BinaryExpr:
		return e.Op == token.ADD
	}
	return false
}

// types prints an expression such as a receiver or a type name shortly.
func types(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return types(e.X) + "." + e.Sel.Name
	case *ast.CallExpr:
		return types(e.Fun) + "()"
	case *ast.StarExpr:
		return types(e.X)
	}
	return ""
}
