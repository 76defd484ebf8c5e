package web

import (
	"io/fs"
	"regexp"
	"testing"
)

// Every word a template shows comes from the catalog ({{t "..."}}), so
// that no page is half in one language. This strips actions, tags,
// comments, scripts and entities from each template and fails on any
// letter left over, except names that are the same in both languages.
func TestTemplatesHaveNoHardCodedText(t *testing.T) {
	strip := []*regexp.Regexp{
		regexp.MustCompile(`(?s)\{\{.*?\}\}`),
		regexp.MustCompile(`(?s)<!--.*?-->`),
		regexp.MustCompile(`(?s)<script.*?</script>`),
		regexp.MustCompile(`(?s)<[^>]*>`),
		regexp.MustCompile(`&[a-zA-Z#0-9]+;`),
	}
	// Proper names and codes, written the same in Vietnamese and English.
	allowed := map[string]bool{"Sen": true, "English": true, "Tiếng": true, "Việt": true, "PDC": true, "ICD-10": true, "CSV": true, "BHYT": true, "CCCD": true, "Task": true /* a FHIR reference, Task/id */}
	letters := regexp.MustCompile(`[\p{L}][\p{L}\p{N}-]*`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(path)
		if err != nil {
			return err
		}
		s := string(b)
		for _, re := range strip {
			s = re.ReplaceAllString(s, " ")
		}
		for _, w := range letters.FindAllString(s, -1) {
			if !allowed[w] {
				t.Errorf("%s: hard-coded text %q (use the catalog)", path, w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
