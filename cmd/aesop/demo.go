package main

import (
	"context"
	"errors"
)

func runDemo(ctx context.Context, env *cli) error {
	return errors.New("demo: not wired yet")
}
