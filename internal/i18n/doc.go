// Package i18n provides Sen's user-facing message catalogs, Vietnamese and
// English, and chooses the language of a request: the user's explicit choice
// (the "lang" cookie) first, then the browser's Accept-Language, and
// Vietnamese when neither names a language Sen speaks.
//
// The catalogs are embedded JSON files (catalog/vi.json, catalog/en.json) in
// go-i18n's flat format: one message id per key, Go text/template syntax for
// parameters ("Xin chào {{.Name}}"). Every id must exist in both languages;
// a test enforces it.
//
// The package owns messages and language negotiation only. It must not import
// any other Sen package, nor storage or FHIR code; web and other packages
// import it.
package i18n
