package web

// chart is a bar chart drawn as SVG on the server: no script, readable by
// screen readers through its table twin.
type chart struct {
	Width, Height int
	Bars          []bar
	PassX         int
	Max           int
}

type bar struct {
	X, Y, W, H int
	Score      int
	Count      int
	Pass       bool
}

// distributionChart lays out one bar per score from 0 to the maximum.
func distributionChart(dist []int, passScore int) chart {
	const width, height, top = 640, 160, 10
	c := chart{Width: width, Height: height + 24}
	most := 1
	for _, n := range dist {
		most = max(most, n)
	}
	c.Max = most
	if len(dist) == 0 {
		return c
	}
	slot := width / len(dist)
	for s, n := range dist {
		h := n * (height - top) / most
		c.Bars = append(c.Bars, bar{X: s*slot + 2, Y: height - h, W: slot - 4, H: h,
			Score: s, Count: n, Pass: s >= passScore})
	}
	c.PassX = passScore * slot
	return c
}
