package fhirpath

// funcDef describes a function of the library. Arguments reach fn
// unevaluated (as *funcExpr args), so that functions taking expressions
// (where, select, iif ...) and plain ones share one shape; plain functions
// evaluate them with evalCtx.arg.
type funcDef struct {
	minArgs, maxArgs int  // maxArgs -1: unbounded
	typeArg          bool // first argument is a type specifier (is, as, ofType)
	fn               func(c *evalCtx, focus Collection, f *funcExpr) (Collection, error)
}

// functions is the read-only function table, looked up at parse time.
var functions = map[string]funcDef{
	// Existence https://hl7.org/fhirpath/N1/#existence
	"empty":      {0, 0, false, fnEmpty},
	"exists":     {0, 1, false, fnExists},
	"all":        {1, 1, false, fnAll},
	"allTrue":    {0, 0, false, boolAggregate(true, true)},
	"anyTrue":    {0, 0, false, boolAggregate(false, true)},
	"allFalse":   {0, 0, false, boolAggregate(true, false)},
	"anyFalse":   {0, 0, false, boolAggregate(false, false)},
	"subsetOf":   {1, 1, false, fnSubsetOf},
	"supersetOf": {1, 1, false, fnSupersetOf},
	"count":      {0, 0, false, fnCount},
	"distinct":   {0, 0, false, fnDistinct},
	"isDistinct": {0, 0, false, fnIsDistinct},
	// Filtering and projection
	"where":  {1, 1, false, fnWhere},
	"select": {1, 1, false, fnSelect},
	"repeat": {1, 1, false, fnRepeat},
	"ofType": {1, 1, true, fnOfType},
	// Subsetting
	"single":    {0, 0, false, fnSingle},
	"first":     {0, 0, false, fnFirst},
	"last":      {0, 0, false, fnLast},
	"tail":      {0, 0, false, fnTail},
	"skip":      {1, 1, false, fnSkip},
	"take":      {1, 1, false, fnTake},
	"intersect": {1, 1, false, fnIntersect},
	"exclude":   {1, 1, false, fnExclude},
	// Combining
	"union":   {1, 1, false, fnUnion},
	"combine": {1, 1, false, fnCombine},
	// Conversion
	"iif":                {2, 3, false, fnIif},
	"toBoolean":          {0, 0, false, convertFn(toBoolean, false)},
	"convertsToBoolean":  {0, 0, false, convertFn(toBoolean, true)},
	"toInteger":          {0, 0, false, convertFn(toInteger, false)},
	"convertsToInteger":  {0, 0, false, convertFn(toInteger, true)},
	"toDecimal":          {0, 0, false, convertFn(toDecimalFn, false)},
	"convertsToDecimal":  {0, 0, false, convertFn(toDecimalFn, true)},
	"toString":           {0, 0, false, convertFn(toStringFn, false)},
	"convertsToString":   {0, 0, false, convertFn(toStringFn, true)},
	"toDate":             {0, 0, false, convertFn(toDate, false)},
	"convertsToDate":     {0, 0, false, convertFn(toDate, true)},
	"toDateTime":         {0, 0, false, convertFn(toDateTime, false)},
	"convertsToDateTime": {0, 0, false, convertFn(toDateTime, true)},
	"toTime":             {0, 0, false, convertFn(toTime, false)},
	"convertsToTime":     {0, 0, false, convertFn(toTime, true)},
	"toQuantity":         {0, 1, false, fnToQuantity(false)},
	"convertsToQuantity": {0, 1, false, fnToQuantity(true)},
	// Strings https://hl7.org/fhirpath/N1/#string-manipulation
	"indexOf":        {1, 1, false, fnIndexOf},
	"substring":      {1, 2, false, fnSubstring},
	"startsWith":     {1, 1, false, stringPredicate(func(s, a string) bool { return len(s) >= len(a) && s[:len(a)] == a })},
	"endsWith":       {1, 1, false, stringPredicate(func(s, a string) bool { return len(s) >= len(a) && s[len(s)-len(a):] == a })},
	"contains":       {1, 1, false, stringPredicate(containsString)},
	"upper":          {0, 0, false, stringMap(upper)},
	"lower":          {0, 0, false, stringMap(lower)},
	"replace":        {2, 2, false, fnReplace},
	"matches":        {1, 1, false, fnMatches(false)},
	"matchesFull":    {1, 1, false, fnMatches(true)},
	"replaceMatches": {2, 2, false, fnReplaceMatches},
	"length":         {0, 0, false, fnLength},
	"toChars":        {0, 0, false, fnToChars},
	"split":          {1, 1, false, fnSplit},
	"join":           {0, 1, false, fnJoin},
	"trim":           {0, 0, false, stringMap(trim)},
	"encode":         {1, 1, false, fnEncode},
	"decode":         {1, 1, false, fnDecode},
	"escape":         {1, 1, false, fnEscape},
	"unescape":       {1, 1, false, fnUnescape},
	// Math https://hl7.org/fhirpath/N1/#math
	"abs":      {0, 0, false, fnAbs},
	"ceiling":  {0, 0, false, roundingFn("ceiling")},
	"floor":    {0, 0, false, roundingFn("floor")},
	"truncate": {0, 0, false, roundingFn("truncate")},
	"round":    {0, 1, false, fnRound},
	"exp":      {0, 0, false, floatFn("exp")},
	"ln":       {0, 0, false, floatFn("ln")},
	"sqrt":     {0, 0, false, floatFn("sqrt")},
	"log":      {1, 1, false, fnLog},
	"power":    {1, 1, false, fnPower},
	// Tree navigation
	"children":    {0, 0, false, fnChildren},
	"descendants": {0, 0, false, fnDescendants},
	// Utility
	"trace":        {1, 2, false, fnTrace},
	"now":          {0, 0, false, fnNow},
	"today":        {0, 0, false, fnToday},
	"timeOfDay":    {0, 0, false, fnTimeOfDay},
	"sort":         {0, -1, false, fnSort},
	"aggregate":    {1, 2, false, fnAggregate},
	"precision":    {0, 0, false, fnPrecision},
	"lowBoundary":  {0, 1, false, boundaryFn(false)},
	"highBoundary": {0, 1, false, boundaryFn(true)},
	"comparable":   {1, 1, false, fnComparable},
	"not":          {0, 0, false, fnNot},
	// Types
	"is":   {1, 1, true, fnIs},
	"as":   {1, 1, true, fnAs},
	"type": {0, 0, false, fnType},
	// FHIR additions https://hl7.org/fhir/R4/fhirpath.html#functions
	"extension":       {1, 1, false, fnExtension},
	"hasValue":        {0, 0, false, fnHasValue},
	"getValue":        {0, 0, false, fnGetValue},
	"resolve":         {0, 0, false, fnResolve},
	"memberOf":        {1, 1, false, fnMemberOf},
	"conformsTo":      {1, 1, false, fnConformsTo},
	"htmlChecks":      {0, 0, false, fnHTMLChecks},
	"subsumes":        {1, 1, false, fnUnsupported("subsumes")},
	"subsumedBy":      {1, 1, false, fnUnsupported("subsumedBy")},
	"getResourceKey":  {0, 0, false, fnGetResourceKey},
	"getReferenceKey": {0, 1, true, fnGetReferenceKey},
}
