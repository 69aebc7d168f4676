package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Cache keeps rendering digests by key (commit and environment path).
type Cache interface {
	Get(key string) (digest string, ok bool)
	Put(key, digest string)
}

// MemoryCache is a Cache in memory; the zero value is ready.
type MemoryCache struct {
	mu sync.Mutex
	m  map[string]string
}

// Get implements Cache.
func (c *MemoryCache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.m[key]
	return d, ok
}

// Put implements Cache.
func (c *MemoryCache) Put(key, digest string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[key] = digest
}

// FileCache is a MemoryCache loaded from and saved to a JSON file.
type FileCache struct {
	MemoryCache
	path string
}

// OpenFileCache reads the cache at file; a missing or unreadable file is an
// empty cache (it is only a cache).
func OpenFileCache(file string) *FileCache {
	c := &FileCache{path: file}
	data, err := os.ReadFile(file)
	if err == nil {
		_ = json.Unmarshal(data, &c.m)
	}
	return c
}

// Save writes the cache atomically.
func (c *FileCache) Save() error {
	c.mu.Lock()
	data, err := json.Marshal(c.m)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return fmt.Errorf("history cache: %w", err)
	}
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("history cache: %w", err)
	}
	if err := os.Rename(tmp, c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("history cache: %w", err)
	}
	return nil
}
