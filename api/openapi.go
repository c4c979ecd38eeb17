package api

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// openAPIDoc is the API contract. It is hand-written rather than generated so that it is
// the reviewed source of truth; TestOpenAPICoversRoutes keeps it and the routes in step.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI 3 document the server serves and validates against.
func OpenAPI() []byte { return append([]byte(nil), openAPIDoc...) }

// validator checks a request's path and query parameters against the operation the
// document gives its route. Bodies are not validated here: ingest bodies are streams that
// must not be buffered, and ingest.Parse checks each record with line and field.
type validator struct {
	doc *openapi3.T
	ops map[string]*routers.Route // by ServeMux pattern, "GET /v1/records/{id}"
}

// loadOpenAPI parses and validates the embedded document.
func loadOpenAPI() (*validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDoc)
	if err != nil {
		return nil, fmt.Errorf("api: load openapi.json: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api: openapi.json invalid: %w", err)
	}
	v := &validator{doc: doc, ops: map[string]*routers.Route{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			v.ops[method+" "+path] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
		}
	}
	return v, nil
}

// route is the document's operation for a ServeMux pattern; nil if it has none.
func (v *validator) route(pattern string) *routers.Route { return v.ops[pattern] }

// paramError is a request parameter that breaks the document.
type paramError struct {
	Param string
	Err   error
}

func (e *paramError) Error() string { return e.Param + ": " + e.Err.Error() }
func (e *paramError) Unwrap() error { return e.Err }

// validate checks r's path and query parameters against rt. The path parameters are
// taken from the ServeMux match, so routing happens once.
func (v *validator) validate(r *http.Request, rt *routers.Route) error {
	path := map[string]string{}
	for _, p := range rt.Operation.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInPath {
			path[p.Value.Name] = r.PathValue(p.Value.Name)
		}
	}
	for _, p := range rt.PathItem.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInPath {
			path[p.Value.Name] = r.PathValue(p.Value.Name)
		}
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: path,
		Route:      rt,
		Options: &openapi3filter.Options{
			ExcludeRequestBody:  true,
			ExcludeResponseBody: true,
			SkipSettingDefaults: true,
			// The server authenticates before validating; the document only describes it.
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		},
	}
	err := openapi3filter.ValidateRequest(r.Context(), in)
	if err == nil {
		return nil
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Parameter != nil {
		return &paramError{Param: re.Parameter.Name, Err: errors.New(shortReason(re))}
	}
	return &paramError{Err: err}
}

// shortReason is the first line of a validation error without kin-openapi's schema dump.
func shortReason(re *openapi3filter.RequestError) string {
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		return se.Reason
	}
	msg := re.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
