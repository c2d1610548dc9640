package ststest

import (
	"cmp"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"
)

// namespace is the XML namespace of STS responses.
const namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// reply is a complete HTTP answer, built before it is written.
type reply struct {
	status      int
	requestID   string
	body        []byte
	contentType string // "" for text/xml
}

func (r *reply) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", cmp.Or(r.contentType, "text/xml"))
	h.Set("Content-Length", strconv.Itoa(len(r.body)))
	h.Set("X-Amzn-Requestid", r.requestID)
	w.WriteHeader(r.status)
	w.Write(r.body)
}

// envelope is a successful response: <ActionResponse><ActionResult>…
// </ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>.
type envelope struct {
	XMLName  xml.Name
	Xmlns    string `xml:"xmlns,attr"`
	Result   any
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

func newCredentialsXML(c *credential) credentialsXML {
	return credentialsXML{
		AccessKeyID:     c.accessKeyID,
		SecretAccessKey: c.secret,
		SessionToken:    c.sessionToken,
		Expiration:      c.expires.UTC().Format(time.RFC3339),
	}
}

type assumedRoleUserXML struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string
}

func newAssumedRoleUserXML(c *credential) assumedRoleUserXML {
	return assumedRoleUserXML{AssumedRoleID: c.principal.userID, Arn: c.principal.arn}
}

type getSessionTokenResult struct {
	XMLName     xml.Name `xml:"GetSessionTokenResult"`
	Credentials credentialsXML
}

type assumeRoleResult struct {
	XMLName         xml.Name `xml:"AssumeRoleResult"`
	Credentials     credentialsXML
	AssumedRoleUser assumedRoleUserXML
	SourceIdentity  string `xml:",omitempty"`
}

type assumeRoleWithWebIdentityResult struct {
	XMLName         xml.Name `xml:"AssumeRoleWithWebIdentityResult"`
	Credentials     credentialsXML
	AssumedRoleUser assumedRoleUserXML
}

type getCallerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult" json:"-"`
	Arn     string
	UserID  string `xml:"UserId" json:"UserId"`
	Account string
}

func resultReply(action string, result any, requestID string) *reply {
	env := envelope{
		XMLName:  xml.Name{Local: action + "Response"},
		Xmlns:    namespace,
		Result:   result,
		Metadata: responseMetadata{RequestID: requestID},
	}
	return &reply{status: http.StatusOK, requestID: requestID, body: marshal(env)}
}

func errorReply(e *apiError, requestID string) *reply {
	var r errorResponse
	r.Xmlns = namespace
	r.Error.Type, r.Error.Code, r.Error.Message = e.errorType(), e.code, e.message
	r.RequestID = requestID
	return &reply{status: e.status, requestID: requestID, body: marshal(r)}
}

// malformedReply is a 200 whose body breaks off inside the result, as a
// response cut short by a failing proxy would.
func malformedReply(action, requestID string) *reply {
	if action == "" {
		action = "Unknown"
	}
	body := `<?xml version="1.0"?>` + "\n" +
		`<` + action + `Response xmlns="` + namespace + `"><` + action + `Result><Credentials><AccessKeyId>ASIA`
	return &reply{status: http.StatusOK, requestID: requestID, body: []byte(body)}
}

func marshal(v any) []byte {
	b, err := xml.Marshal(v)
	if err != nil {
		panic("ststest: marshal response: " + err.Error()) // our own types always marshal
	}
	return append([]byte(xml.Header), b...)
}
