package controllers

import (
	"math"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/podlife/podlife/model/sim"
)

// What the HPA does between the count its metrics propose and the count
// it writes (pkg/controller/podautoscaler/horizontal.go,
// normalizeDesiredReplicas and normalizeDesiredReplicasWithBehaviors):
// the stabilisation window over its recent proposals, then the limits of
// min and max replicas and of the scaling rate. The controller keeps the
// proposals and the changes it made in memory, per HPA, stamped with the
// model's clock. Upstream compares wall-clock stamps, and a sync always
// starts a little later than the period after the last one; the model's
// syncs fall exactly on the period, so a stamp exactly one window old
// counts as outside it, as it would on a real cluster.

type recommendation struct {
	replicas int32
	at       sim.Time
}

type scaleChange struct {
	replicas int32
	at       sim.Time
	outdated bool
}

// hpaMemory is what the controller remembers of one HPA between syncs.
type hpaMemory struct {
	recommendations []recommendation
	ups, downs      []scaleChange
}

// limit is a normalised count and the ScalingLimited reason and message
// that go with it.
type limit struct {
	replicas        int32
	reason, message string
}

var withinRange = limit{reason: "DesiredWithinRange", message: "the desired count is within the acceptable range"}

// record keeps a proposal, in the place of the oldest one past the
// window when there is one.
func (m *hpaMemory) record(replicas int32, now sim.Time, stale func(recommendation) bool) {
	for i := len(m.recommendations) - 1; i >= 0; i-- {
		if stale(m.recommendations[i]) {
			m.recommendations[i] = recommendation{replicas, now}
			return
		}
	}
	m.recommendations = append(m.recommendations, recommendation{replicas, now})
}

// stabilize is stabilizeRecommendation, for an HPA without behavior: the
// highest proposal within the downscale stabilisation window.
func (m *hpaMemory) stabilize(proposal int32, now sim.Time, window sim.Duration) int32 {
	cutoff := now.Add(-window)
	highest := proposal
	for _, r := range m.recommendations {
		if r.at > cutoff && r.replicas > highest {
			highest = r.replicas
		}
	}
	m.record(proposal, now, func(r recommendation) bool { return r.at <= cutoff })
	return highest
}

// stabilizeWithBehavior is stabilizeRecommendationWithBehaviors: the
// current count, raised to at most the lowest proposal within the scale-up
// window and lowered to at least the highest within the scale-down one.
func (m *hpaMemory) stabilizeWithBehavior(proposal, current int32, now sim.Time, up, down sim.Duration) (int32, string, string) {
	upCutoff, downCutoff := now.Add(-up), now.Add(-down)
	lowest, highest := proposal, proposal
	for _, r := range m.recommendations {
		if r.at > upCutoff {
			lowest = min(lowest, r.replicas)
		}
		if r.at > downCutoff {
			highest = max(highest, r.replicas)
		}
	}
	stabilized := min(max(current, lowest), highest)
	m.record(proposal, now, func(r recommendation) bool { return r.at <= upCutoff && r.at <= downCutoff })
	if proposal >= current {
		return stabilized, "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation"
	}
	return stabilized, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"
}

// withinRules is convertDesiredReplicasWithRules, for an HPA without
// behavior: between minReplicas and the lower of maxReplicas and the
// fixed scale-up limit (twice the current count, at least 4).
func withinRules(current, desired, minReplicas, maxReplicas int32) limit {
	upLimit := int32(math.Max(2*float64(current), 4))
	ceiling := limit{maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count"}
	if maxReplicas > upLimit {
		ceiling = limit{upLimit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"}
	}
	switch {
	case desired < minReplicas:
		return limit{minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count"}
	case desired > ceiling.replicas:
		return ceiling
	}
	l := withinRange
	l.replicas = desired
	return l
}

// withinBehavior is convertDesiredReplicasWithBehaviorRate: the scaling
// policies' rate over their periods, then min and max replicas.
func (m *hpaMemory) withinBehavior(current, desired, minReplicas, maxReplicas int32, b *autoscalingv2.HorizontalPodAutoscalerBehavior, now sim.Time) limit {
	switch {
	case desired > current:
		rate := max(m.upLimit(current, b.ScaleUp, now), current)
		ceiling := limit{maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count"}
		if maxReplicas > rate {
			ceiling = limit{rate, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"}
		}
		if desired > ceiling.replicas {
			return ceiling
		}
	case desired < current:
		rate := min(m.downLimit(current, b.ScaleDown, now), current)
		floor := limit{minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count"}
		if minReplicas < rate {
			floor = limit{rate, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"}
		}
		if desired < floor.replicas {
			return floor
		}
	}
	l := withinRange
	l.replicas = desired
	return l
}

// changedWithin sums the changes made in the last period seconds.
func changedWithin(changes []scaleChange, periodSeconds int32, now sim.Time) int32 {
	cutoff := now.Add(-sim.Duration(periodSeconds) * sim.Second)
	var total int32
	for _, c := range changes {
		if c.at > cutoff {
			total += c.replicas
		}
	}
	return total
}

// periodStart is the count at the start of a policy's period: the
// current one, less what was added and plus what was removed within it.
func (m *hpaMemory) periodStart(current int32, p autoscalingv2.HPAScalingPolicy, now sim.Time) int32 {
	return current - changedWithin(m.ups, p.PeriodSeconds, now) + changedWithin(m.downs, p.PeriodSeconds, now)
}

// upLimit is calculateScaleUpLimitWithScalingRules: the most the
// policies allow, selected by selectPolicy (Max: the most generous).
func (m *hpaMemory) upLimit(current int32, rules *autoscalingv2.HPAScalingRules, now sim.Time) int32 {
	if *rules.SelectPolicy == autoscalingv2.DisabledPolicySelect {
		return current
	}
	pick, result := maxOf, int32(math.MinInt32)
	if *rules.SelectPolicy == autoscalingv2.MinChangePolicySelect {
		pick, result = minOf, math.MaxInt32
	}
	for _, p := range rules.Policies {
		start := m.periodStart(current, p, now)
		proposed := start + p.Value
		if p.Type == autoscalingv2.PercentScalingPolicy {
			// Rounded up, or a small count could never grow.
			proposed = int32(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		result = pick(result, proposed)
	}
	return result
}

// downLimit is calculateScaleDownLimitWithBehaviors: the fewest the
// policies allow.
func (m *hpaMemory) downLimit(current int32, rules *autoscalingv2.HPAScalingRules, now sim.Time) int32 {
	if *rules.SelectPolicy == autoscalingv2.DisabledPolicySelect {
		return current
	}
	pick, result := minOf, int32(math.MaxInt32)
	if *rules.SelectPolicy == autoscalingv2.MinChangePolicySelect {
		pick, result = maxOf, math.MinInt32
	}
	for _, p := range rules.Policies {
		start := m.periodStart(current, p, now)
		proposed := start - p.Value
		if p.Type == autoscalingv2.PercentScalingPolicy {
			proposed = int32(float64(start) * (1 - float64(p.Value)/100))
		}
		result = pick(result, proposed)
	}
	return result
}

func minOf(a, b int32) int32 { return min(a, b) }
func maxOf(a, b int32) int32 { return max(a, b) }

// remember is storeScaleEvent: a change is kept (in the place of one
// older than the direction's longest policy period) only for an HPA with
// behavior, whose rate limits read them.
func (m *hpaMemory) remember(b *autoscalingv2.HorizontalPodAutoscalerBehavior, from, to int32, now sim.Time) {
	if b == nil {
		return
	}
	changes, rules, delta := &m.downs, b.ScaleDown, from-to
	if to > from {
		changes, rules, delta = &m.ups, b.ScaleUp, to-from
	}
	var longest int32
	for _, p := range rules.Policies {
		longest = max(longest, p.PeriodSeconds)
	}
	cutoff := now.Add(-sim.Duration(longest) * sim.Second)
	reuse := -1
	for i := range *changes {
		if (*changes)[i].at <= cutoff {
			(*changes)[i].outdated = true
		}
		if (*changes)[i].outdated {
			reuse = i
		}
	}
	next := scaleChange{replicas: delta, at: now}
	if reuse >= 0 {
		(*changes)[reuse] = next
		return
	}
	*changes = append(*changes, next)
}
