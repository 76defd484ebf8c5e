package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/fhirpath"
)

// Column describes one output column, in output order.
type Column struct {
	// Name is the column name (sql-name: ^[A-Za-z][A-Za-z0-9_]*$).
	Name string
	// Type is the FHIR type hint from the definition ("string", "integer",
	// "boolean", a StructureDefinition URL ...), or "" when not given.
	Type string
	// Collection is true when the column holds a list of values.
	Collection bool
	// Description is the column's human-readable description.
	Description string
	// Tags are the column's tags (e.g. "ansi/type" -> "DATE"), in order.
	Tags []Tag
}

// Tag is a name/value annotation of a column.
type Tag struct{ Name, Value string }

// View is a compiled ViewDefinition. It is immutable and safe for
// concurrent use.
type View struct {
	name     string
	resource string
	columns  []Column
	where    []*fhirpath.Expression
	root     *selectNode
	vars     map[string]fhirpath.Collection
	rowIndex bool // some expression reads %rowIndex
	model    fhirpath.Model
	// keep is the set of top-level elements EvalJSON decodes (nil: all).
	keep *projection
}

// iteration is how a select chooses its foci.
type iteration int

const (
	iterNone iteration = iota
	iterForEach
	iterForEachOrNull
	iterRepeat
)

// selectNode is one compiled selection structure.
type selectNode struct {
	iter    iteration
	each    *fhirpath.Expression   // forEach / forEachOrNull
	repeat  []*fhirpath.Expression // repeat paths
	columns []columnNode
	selects []*selectNode
	unions  []*selectNode
	// nulls are the row positions this select (and everything under it)
	// fills; forEachOrNull over an empty collection sets them to null.
	nulls []int
	// rowIndexCols are the positions, among nulls, of columns whose path is
	// exactly %rowIndex: the specification binds them to 0, not null, in a
	// forEachOrNull's empty row.
	rowIndexCols []int
}

type columnNode struct {
	name       string
	expr       *fhirpath.Expression
	pos        int
	collection bool
	fast       fastColumn // how to read it without FHIRPath, if at all
}

// Compile parses and validates a ViewDefinition in JSON. Errors for an
// invalid definition wrap ErrInvalid and name the offending element
// ("select[0].column[1].path: ...").
func Compile(viewJSON []byte) (*View, error) {
	var def definition
	dec := json.NewDecoder(bytes.NewReader(viewJSON))
	if err := dec.Decode(&def); err != nil {
		return nil, fmt.Errorf("view: decode ViewDefinition: %v: %w", err, ErrInvalid)
	}
	if dec.More() {
		return nil, fmt.Errorf("view: decode ViewDefinition: data after the JSON object: %w", ErrInvalid)
	}
	v, err := compile(&def)
	if err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	return v, nil
}

// resourceTypeRE is the shape of a FHIR resource type name. Any such name is
// accepted so that views over types the R4 model does not know (R5
// resources, custom logical models) still run, untyped.
var resourceTypeRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

func compile(def *definition) (*View, error) {
	if def.ResourceType != nil && *def.ResourceType != "ViewDefinition" {
		return nil, fmt.Errorf("resourceType is %q, want ViewDefinition: %w", *def.ResourceType, ErrInvalid)
	}
	if def.Resource == nil || *def.Resource == "" {
		return nil, fmt.Errorf("resource: missing: %w", ErrInvalid)
	}
	if !resourceTypeRE.MatchString(*def.Resource) {
		return nil, fmt.Errorf("resource: %q is not a resource type: %w", *def.Resource, ErrInvalid)
	}
	v := &View{resource: *def.Resource}
	if def.Name != nil {
		if !sqlNameRE.MatchString(*def.Name) {
			return nil, fmt.Errorf("name %q must match %s: %w", *def.Name, sqlNameRE, ErrInvalid)
		}
		v.name = *def.Name
	}
	m := r4.Load()
	if m.IsResource(v.resource) {
		v.model = fhirpath.R4(m)
	}
	vars, err := compileConstants(def.Constant)
	if err != nil {
		return nil, err
	}
	v.vars = vars
	c := &compiler{view: v, pos: map[string]int{}}
	for i, w := range def.Where {
		if w.Path == nil {
			return nil, fmt.Errorf("where[%d].path: missing: %w", i, ErrInvalid)
		}
		e, err := c.parse(*w.Path)
		if err != nil {
			return nil, fmt.Errorf("where[%d].path: %w", i, err)
		}
		v.where = append(v.where, e)
	}
	if len(def.Select) == 0 {
		return nil, fmt.Errorf("select: at least one select is required: %w", ErrInvalid)
	}
	// The view's top level behaves as a select without iteration whose
	// children are the listed selects.
	root := &selectNode{}
	for i := range def.Select {
		child, err := c.selectNode(&def.Select[i], fmt.Sprintf("select[%d]", i), nil)
		if err != nil {
			return nil, err
		}
		root.selects = append(root.selects, child)
		root.nulls = append(root.nulls, child.nulls...)
		root.rowIndexCols = append(root.rowIndexCols, child.rowIndexCols...)
	}
	v.root = root
	v.columns = c.columns
	v.keep = newProjection(v.resource, c.sources)
	markFast(m, v.resource, root, true)
	return v, nil
}

// compiler carries the state of one Compile: the columns defined so far
// (names are unique across the view) and their row positions.
type compiler struct {
	view    *View
	columns []Column
	pos     map[string]int
	sources []string // every expression, for the projection
}

func (c *compiler) parse(src string) (*fhirpath.Expression, error) {
	e, err := fhirpath.Parse(normalizeTypeNames(src))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	if err := c.checkVars(src); err != nil {
		return nil, err
	}
	c.sources = append(c.sources, src)
	return e, nil
}

// checkVars rejects references to undefined constants at compile time, so
// a misspelt %name fails even on a view that matches no resource.
func (c *compiler) checkVars(src string) error {
	for _, name := range externalConstants(src) {
		if _, ok := c.view.vars[name]; ok {
			continue
		}
		switch {
		case name == "rowIndex":
			c.view.rowIndex = true
		case reservedVar(name), strings.HasPrefix(name, "vs-"), strings.HasPrefix(name, "ext-"):
		default:
			return fmt.Errorf("%%%s: constant not defined: %w", name, ErrInvalid)
		}
	}
	return nil
}

// selectNode compiles one selection structure. shape is nil for an
// ordinary select; inside the second and later branches of a unionAll it
// is the list of columns the first branch defined, which this branch must
// reproduce by name, in order.
func (c *compiler) selectNode(s *selectDef, where string, shape *unionCursor) (*selectNode, error) {
	n := &selectNode{}
	iters := 0
	if s.ForEach != nil {
		iters++
		n.iter = iterForEach
		e, err := c.parse(*s.ForEach)
		if err != nil {
			return nil, fmt.Errorf("%s.forEach: %w", where, err)
		}
		n.each = e
	}
	if s.ForEachOrNull != nil {
		iters++
		n.iter = iterForEachOrNull
		e, err := c.parse(*s.ForEachOrNull)
		if err != nil {
			return nil, fmt.Errorf("%s.forEachOrNull: %w", where, err)
		}
		n.each = e
	}
	if s.Repeat != nil {
		iters++
		n.iter = iterRepeat
		if len(s.Repeat) == 0 {
			return nil, fmt.Errorf("%s.repeat: needs at least one path: %w", where, ErrInvalid)
		}
		for i, p := range s.Repeat {
			e, err := c.parse(p)
			if err != nil {
				return nil, fmt.Errorf("%s.repeat[%d]: %w", where, i, err)
			}
			n.repeat = append(n.repeat, e)
		}
	}
	if iters > 1 {
		return nil, fmt.Errorf("%s: at most one of forEach, forEachOrNull and repeat: %w", where, ErrInvalid)
	}
	for i := range s.Column {
		col, err := c.column(&s.Column[i], fmt.Sprintf("%s.column[%d]", where, i), shape)
		if err != nil {
			return nil, err
		}
		n.columns = append(n.columns, col)
		n.nulls = append(n.nulls, col.pos)
		if p := s.Column[i].Path; p != nil && strings.TrimSpace(*p) == "%rowIndex" {
			n.rowIndexCols = append(n.rowIndexCols, col.pos)
		}
	}
	for i := range s.Select {
		child, err := c.selectNode(&s.Select[i], fmt.Sprintf("%s.select[%d]", where, i), shape)
		if err != nil {
			return nil, err
		}
		n.selects = append(n.selects, child)
		n.nulls = append(n.nulls, child.nulls...)
		n.rowIndexCols = append(n.rowIndexCols, child.rowIndexCols...)
	}
	if len(s.UnionAll) > 0 {
		if err := c.unionAll(n, s.UnionAll, where, shape); err != nil {
			return nil, err
		}
	}
	if len(s.Column) == 0 && len(s.Select) == 0 && len(s.UnionAll) == 0 {
		return nil, fmt.Errorf("%s: a select needs column, select or unionAll: %w", where, ErrInvalid)
	}
	return n, nil
}

// unionAll compiles the branches of a unionAll: the first defines the
// columns; every other branch must produce the same names, in the same
// order, with compatible types, and writes to the same row positions.
func (c *compiler) unionAll(n *selectNode, branches []selectDef, where string, shape *unionCursor) error {
	start := len(c.columns)
	mark := 0
	if shape != nil {
		mark = shape.next
	}
	first, err := c.selectNode(&branches[0], where+".unionAll[0]", shape)
	if err != nil {
		return err
	}
	n.unions = append(n.unions, first)
	n.nulls = append(n.nulls, first.nulls...)
	n.rowIndexCols = append(n.rowIndexCols, first.rowIndexCols...)
	var defined []Column
	if shape == nil {
		defined = append(defined, c.columns[start:]...)
	} else {
		defined = shape.cols[mark:shape.next]
	}
	for i := 1; i < len(branches); i++ {
		bw := fmt.Sprintf("%s.unionAll[%d]", where, i)
		cur := &unionCursor{cols: defined}
		b, err := c.selectNode(&branches[i], bw, cur)
		if err != nil {
			return err
		}
		if cur.next != len(defined) {
			return fmt.Errorf("%s: branch has %d columns, the first branch %d (%s): %w",
				bw, cur.next, len(defined), columnNames(defined), ErrInvalid)
		}
		n.unions = append(n.unions, b)
	}
	return nil
}

// unionCursor walks the column list of a unionAll's first branch while a
// later branch is compiled, so each of its columns takes the place of the
// first branch's column at the same index.
type unionCursor struct {
	cols []Column
	next int
}

func columnNames(cols []Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

func (c *compiler) column(cd *columnDef, where string, shape *unionCursor) (columnNode, error) {
	if cd.Path == nil {
		return columnNode{}, fmt.Errorf("%s.path: missing: %w", where, ErrInvalid)
	}
	if cd.Name == nil {
		return columnNode{}, fmt.Errorf("%s.name: missing: %w", where, ErrInvalid)
	}
	name := *cd.Name
	if !sqlNameRE.MatchString(name) {
		return columnNode{}, fmt.Errorf("%s.name: %q must match %s: %w", where, name, sqlNameRE, ErrInvalid)
	}
	e, err := c.parse(*cd.Path)
	if err != nil {
		return columnNode{}, fmt.Errorf("%s.path: %w", where, err)
	}
	col := Column{Name: name, Type: cd.Type, Description: cd.Description}
	if cd.Collection != nil {
		col.Collection = *cd.Collection
	}
	for _, t := range cd.Tag {
		col.Tags = append(col.Tags, Tag{Name: t.Name, Value: t.Value})
	}
	if shape != nil {
		if shape.next >= len(shape.cols) {
			return columnNode{}, fmt.Errorf("%s: column %q beyond the first unionAll branch's columns (%s): %w",
				where, name, columnNames(shape.cols), ErrInvalid)
		}
		want := shape.cols[shape.next]
		shape.next++
		if want.Name != name {
			return columnNode{}, fmt.Errorf("%s: column %q where the first unionAll branch has %q: %w", where, name, want.Name, ErrInvalid)
		}
		if want.Type != "" && col.Type != "" && want.Type != col.Type {
			return columnNode{}, fmt.Errorf("%s: column %q has type %s, the first unionAll branch %s: %w", where, name, col.Type, want.Type, ErrInvalid)
		}
		if want.Collection != col.Collection {
			return columnNode{}, fmt.Errorf("%s: column %q collection differs from the first unionAll branch: %w", where, name, ErrInvalid)
		}
		return columnNode{name: name, expr: e, pos: c.pos[name], collection: col.Collection}, nil
	}
	if _, dup := c.pos[name]; dup {
		return columnNode{}, fmt.Errorf("%s: column %q already defined: %w", where, name, ErrInvalid)
	}
	c.pos[name] = len(c.columns)
	c.columns = append(c.columns, col)
	return columnNode{name: name, expr: e, pos: c.pos[name], collection: col.Collection}, nil
}

// Name is the view's name ("" when the definition has none).
func (v *View) Name() string { return v.name }

// Resource is the resource type the view runs over.
func (v *View) Resource() string { return v.resource }

// Columns returns the output columns in order. The slice is shared: do
// not modify it.
func (v *View) Columns() []Column { return v.columns }
