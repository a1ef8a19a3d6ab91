package apiserver

import "github.com/podlife/podlife/model/sim"

// Client is how a component talks to the API server: each request travels
// for Latency, is served, and the response travels back for Latency before
// the component sees it.
type Client struct {
	Server     *Server
	Engine     *sim.Engine
	Latency    sim.Duration
	Component  string // the caller's name in the trace
	Credential string // the token the component presents

	// The names of the tasks that carry its requests and responses,
	// made once.
	requestLabel, responseLabel string
}

// Do sends req and calls done with the response.
func (c *Client) Do(req *Request, done func(Response)) {
	req.Client = c.Component
	if req.Credential == "" {
		req.Credential = c.Credential
	}
	if c.requestLabel == "" {
		c.requestLabel, c.responseLabel = "request "+c.Component, "response "+c.Component
	}
	c.Engine.After(c.Latency, c.requestLabel, func() {
		resp := c.Server.Handle(req)
		if resp.Wait > 0 {
			c.Engine.AfterIn(Component, resp.Wait, "admission webhooks "+c.Component, func() {
				c.respond(c.Server.Complete(req, resp), done)
			})
			return
		}
		c.respond(resp, done)
	})
}

func (c *Client) respond(resp Response, done func(Response)) {
	c.Engine.After(c.Latency, c.responseLabel, func() {
		if done != nil {
			done(resp)
		}
	})
}
