package devp2p

import (
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const modulePath = "github.com/devp2p-go/devp2p"

// layering is the package table of docs/ARCHITECTURE.md: each package and the module packages
// it may import directly. A package may also import everything those packages
// may import (the arrows are transitive), packages nested below itself, and
// the module's top-level internal/ helpers.
var layering = map[string][]string{
	"rlp":             nil,
	"crypto":          {"rlp"},
	"crypto/ecies":    {"crypto"},
	"mclock":          nil,
	"netutil":         {"mclock"}, // endpoint votes expire on an injected clock (see docs/ARCHITECTURE.md)
	"enr":             {"rlp"},
	"enode":           {"enr", "crypto", "netutil"}, // mclock through netutil: LocalNode's clock
	"nodedb":          {"enode", "mclock"},          // wall time and the expirer's timer (see docs/ARCHITECTURE.md)
	"rlpx":            {"crypto/ecies", "rlp"},
	"discover":        {"enode", "nodedb", "netutil", "mclock"},
	"discover/v4wire": {"rlp", "crypto", "enode"},
	"discover/v5wire": {"rlp", "crypto", "enode", "mclock"}, // session and challenge expiry (see docs/ARCHITECTURE.md)
	"discover/v4":     {"discover", "discover/v4wire"},
	"discover/v5":     {"discover", "discover/v5wire"},
	"dnsdisc":         {"enode", "enr", "mclock"}, // query timeouts and rate limit on an injected clock (see docs/ARCHITECTURE.md)
	"nat":             {"mclock"},                 // renewal timers (see docs/ARCHITECTURE.md)
	"internal/dial":   {"enode", "nodedb", "netutil", "mclock"},
	"":                {"*"},
	"admin":           {"", "*"},
	"cmd/devp2p":      {"", "*"},
	"sim":             {"", "*"},
	"internal/tools":  {"", "*"}, // generators run by hand (docs/ARCHITECTURE.md)
}

// TestLayering keeps the layering of docs/ARCHITECTURE.md true: lower layers never import
// higher ones.
func TestLayering(t *testing.T) {
	pkgs := modulePackages(t)
	if len(pkgs) == 0 {
		t.Fatal("no packages found")
	}
	for dir, imports := range pkgs {
		owner, ok := layerOf(dir)
		if !ok {
			t.Errorf("package %q is not in the layering table (docs/ARCHITECTURE.md); add it", dir)
			continue
		}
		allowed := allowedFor(owner)
		for _, imp := range imports {
			if imp == dir || strings.HasPrefix(imp, dir+"/") {
				continue
			}
			if impOwner, _ := layerOf(imp); impOwner == "internal" {
				continue
			}
			if allowed["*"] {
				continue
			}
			impOwner, ok := layerOf(imp)
			if !ok || !allowed[impOwner] {
				t.Errorf("%s imports %s, which docs/ARCHITECTURE.md does not allow", pkgName(dir), pkgName(imp))
			}
		}
	}
}

// layerOf finds the table entry that governs a package: the package itself or
// its nearest listed ancestor. Unlisted top-level internal/ helpers are their
// own layer and may import nothing else of the module.
func layerOf(dir string) (string, bool) {
	for d := dir; ; {
		if _, ok := layering[d]; ok {
			return d, true
		}
		if d == "internal" {
			return "internal", true
		}
		if d == "" || d == "." {
			return "", false
		}
		d = filepath.ToSlash(filepath.Dir(d))
		if d == "." {
			d = ""
		}
	}
}

func allowedFor(owner string) map[string]bool {
	allowed := map[string]bool{}
	var visit func(string)
	visit = func(p string) {
		for _, dep := range layering[p] {
			if !allowed[dep] {
				allowed[dep] = true
				visit(dep)
			}
		}
	}
	visit(owner)
	return allowed
}

func pkgName(dir string) string {
	if dir == "" {
		return "devp2p (root)"
	}
	return dir
}

// modulePackages maps each package directory of the main module (relative,
// "" for the root) to the module packages its non-test files import.
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	pkgs := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != "." && (name == "testdata" || name == "interop" || name == "bench" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			t.Errorf("%s: %v", path, err)
			return nil
		}
		rel := filepath.ToSlash(path)
		if rel == "." {
			rel = ""
		}
		var own []string
		for _, imp := range bp.Imports {
			if imp == modulePath {
				own = append(own, "")
			} else if after, ok := strings.CutPrefix(imp, modulePath+"/"); ok {
				own = append(own, after)
			}
		}
		slices.Sort(own)
		pkgs[rel] = own
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// rootParts names the root package's parts whose imports say what they may
// touch: admission decides without sockets or discovery; only the discovery
// runner knows the discovery engines; only the NAT part knows the nat
// package. (doc.go lists every file's job.)
var rootParts = []struct {
	file   string
	forbid []string // import paths this file must not use
	only   []string // import paths no other root file may use
}{
	{file: "admission.go", forbid: []string{"net", modulePath + "/discover", modulePath + "/internal/dial", modulePath + "/nat"}},
	{file: "discovery.go", only: []string{modulePath + "/discover", modulePath + "/discover/v4", modulePath + "/discover/v5"}},
	{file: "nat.go", only: []string{modulePath + "/nat"}},
}

// TestRootParts keeps the root package's parts apart (see rootParts).
func TestRootParts(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string][]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			imports[f] = append(imports[f], strings.Trim(imp.Path.Value, `"`))
		}
	}
	for _, part := range rootParts {
		if _, ok := imports[part.file]; !ok {
			t.Errorf("%s: no such file", part.file)
		}
		for _, imp := range imports[part.file] {
			if slices.Contains(part.forbid, imp) {
				t.Errorf("%s imports %s", part.file, imp)
			}
		}
		for f, imps := range imports {
			if f == part.file {
				continue
			}
			for _, imp := range imps {
				if slices.Contains(part.only, imp) {
					t.Errorf("%s imports %s, which only %s may", f, imp, part.file)
				}
			}
		}
	}
}
