package config

import (
	"fmt"
	"strings"
)

// Environment returns the environment called name. The error wraps
// ErrNotFound and lists the known environments.
func (c *Config) Environment(name string) (Environment, error) {
	for _, e := range c.Environments {
		if e.Name == name {
			return e, nil
		}
	}
	return Environment{}, fmt.Errorf("environment %q: %w in %s; known environments: %s",
		name, ErrNotFound, c.origin(), list(c.EnvironmentNames()))
}

// Source returns the source called name. The error wraps ErrNotFound and
// lists the known sources.
func (c *Config) Source(name string) (Source, error) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, nil
		}
	}
	return Source{}, fmt.Errorf("source %q: %w in %s; known sources: %s",
		name, ErrNotFound, c.origin(), list(c.SourceNames()))
}

// EnvironmentNames returns the environment names in promotion order.
func (c *Config) EnvironmentNames() []string {
	names := make([]string, len(c.Environments))
	for i, e := range c.Environments {
		names[i] = e.Name
	}
	return names
}

// SourceNames returns the source names in file order.
func (c *Config) SourceNames() []string {
	names := make([]string, len(c.Sources))
	for i, s := range c.Sources {
		names[i] = s.Name
	}
	return names
}

// list joins names for messages.
func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
