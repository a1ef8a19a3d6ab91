package cluster

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/admission"
)

// webhookServers serve a scenario's declared webhook servers to the real
// API server: one TLS server on loopback, started with the first webhook
// configuration that names a URL. A webhook's URL https://HOST/PATH is
// rewritten to BASE/h/HOST/PATH with the server's certificate as its
// caBundle, and BASE/h/ is read back as https://, so messages name the
// URL the scenario wrote. A server the scenario says nothing about
// allows, as in the model. Servers behind Services run as pods, which
// kwok's nodes do not run: only the model calls them.
type webhookServers struct {
	mu       sync.Mutex
	declared admission.WebhookServers
	server   *httptest.Server
	ca       []byte
}

// declare changes the server at url, under the lock the handler reads
// it with.
func (w *webhookServers) declare(url string, change func(*admission.WebhookServer)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.declared == nil {
		w.declared = admission.WebhookServers{}
	}
	if w.declared[url] == nil {
		w.declared[url] = &admission.WebhookServer{}
	}
	change(w.declared[url])
}

// base is the loopback server's URL, started on first use.
func (w *webhookServers) base() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.server == nil {
		w.server = httptest.NewTLSServer(http.HandlerFunc(w.serve))
		w.ca = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.server.Certificate().Raw})
	}
	return w.server.URL
}

// point sends a URL webhook to the loopback server.
func (w *webhookServers) point(cc *admissionregistrationv1.WebhookClientConfig) {
	if cc.URL == nil || !strings.HasPrefix(*cc.URL, "https://") {
		return
	}
	url := w.base() + "/h/" + strings.TrimPrefix(*cc.URL, "https://")
	cc.URL = &url
	cc.CABundle = w.ca
}

// back reads the loopback server's URLs as the scenario wrote them.
func (w *webhookServers) back(s string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.server == nil {
		return s
	}
	return strings.ReplaceAll(s, w.server.URL+"/h/", "https://")
}

func (w *webhookServers) serve(rw http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(rw, "not an AdmissionReview", http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	s := admission.WebhookServer{}
	if d := w.declared["https://"+strings.TrimPrefix(r.URL.Path, "/h/")]; d != nil {
		s = *d
	}
	w.mu.Unlock()
	if s.Delay > 0 {
		select {
		case <-time.After(s.Delay.Std()):
		case <-r.Context().Done():
			return
		}
	}
	resp := &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: !s.Deny, Warnings: s.Warnings}
	if s.Deny {
		resp.Result = &metav1.Status{Message: s.Message, Code: s.Code, Reason: metav1.StatusReason(s.Reason)}
	}
	if s.Patch != "" {
		pt := admissionv1.PatchTypeJSONPatch
		resp.PatchType, resp.Patch = &pt, []byte(s.Patch)
	}
	review.Request, review.Response = nil, resp
	rw.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(rw).Encode(review)
}

func (w *webhookServers) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.server != nil {
		w.server.CloseClientConnections()
		w.server.Close()
	}
}

// DeclareWebhookServer changes what the server at a webhook's URL
// answers.
func (b *Backend) DeclareWebhookServer(url string, change func(*admission.WebhookServer)) {
	b.names.webhooks.declare(url, change)
}
