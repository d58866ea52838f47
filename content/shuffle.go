package content

import "hash/fnv"

// ShuffledOptions returns the question's options in an order fixed by
// seed: the same seed always gives the same order, so an attempt can be
// shown again exactly as before, while different seeds give different
// orders. The question id is mixed into the seed so that the questions of
// one attempt are not all shuffled alike.
//
// The generator is written here rather than taken from math/rand so that
// the order never changes with the Go version.
func (q *Question) ShuffledOptions(seed uint64) []Option {
	opts := make([]Option, len(q.Options))
	copy(opts, q.Options)

	h := fnv.New64a()
	h.Write([]byte(q.ID))
	state := seed ^ h.Sum64()
	for i := len(opts) - 1; i > 0; i-- {
		j := int(splitmix64(&state) % uint64(i+1))
		opts[i], opts[j] = opts[j], opts[i]
	}
	return opts
}

// splitmix64 advances state and returns the next value of the SplitMix64
// sequence, a small generator with good mixing for short shuffles.
func splitmix64(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	z := *state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
