package i18n

import (
	"net/http"

	"golang.org/x/text/language"
)

// CookieName is the cookie that records the user's language choice.
const CookieName = "lang"

// FromRequest picks the language of r: a supported "lang" cookie wins (the
// user chose it), then the best match of Accept-Language, then Vietnamese.
// Accept-Language asks for English only when English is preferred over
// Vietnamese; a header naming neither yields Vietnamese, because Sen's users
// are in Vietnam.
func (c *Catalog) FromRequest(r *http.Request) string {
	if ck, err := r.Cookie(CookieName); err == nil && Supported(ck.Value) {
		return ck.Value
	}
	return c.Match(r.Header.Get("Accept-Language"))
}

// Match returns the supported language that best fits an Accept-Language
// header value, Vietnamese when nothing fits.
func (c *Catalog) Match(acceptLanguage string) string {
	if acceptLanguage == "" {
		return Vietnamese
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Vietnamese
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Vietnamese
	}
	return Languages()[idx]
}

// Supported reports whether lang is a language code Sen speaks.
func Supported(lang string) bool { return lang == Vietnamese || lang == English }
