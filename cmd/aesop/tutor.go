package main

import (
	"fmt"
	"io"
	"os"

	"aesop/tutor"
)

// tutorConfig reads the tutor's settings from the environment (AESOP_TUTOR_*;
// see tutor.Settings). Without a model the tutor stays off and the lab pages
// say which settings switch it on.
func tutorConfig() (tutor.Config, error) {
	cfg := tutor.DefaultConfig()
	for _, s := range tutor.Settings() {
		v, ok := os.LookupEnv(s.Env)
		if !ok {
			continue
		}
		if err := s.Set(&cfg, v); err != nil {
			return cfg, fmt.Errorf("%s: %w", s.Env, err)
		}
	}
	if !cfg.Enabled() {
		return cfg, nil
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("tutor settings: %w", err)
	}
	return cfg, nil
}

// writeTutorSettings prints the tutor's settings for `aesop config`, secrets
// masked.
func writeTutorSettings(w io.Writer) {
	for _, s := range tutor.Settings() {
		v, ok := os.LookupEnv(s.Env)
		if !ok {
			v = s.Default
		}
		if s.Secret && v != "" {
			v = "********"
		}
		fmt.Fprintf(w, "%s\t%s\n", s.Env, v)
	}
}
