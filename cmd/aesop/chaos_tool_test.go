package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// toolProcess is the aesop binary running `aesop serve` as a separate
// process, which a test can kill as the operating system would.
type toolProcess struct {
	t    testing.TB
	bin  string
	env  []string
	url  string // http://localhost:PORT, the tool's base URL
	logs []string
	cmd  *exec.Cmd
	done chan struct{}
}

// buildAesop compiles the binary into the test's temporary folder.
func buildAesop(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "aesop")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freePort returns a loopback port nobody listens on.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// newToolProcess prepares the binary to serve on a fixed port with the
// database and settings given, which override the caller's AESOP_*
// environment.
func newToolProcess(t testing.TB, bin, dbURL string, settings map[string]string) *toolProcess {
	port := freePort(t)
	p := &toolProcess{t: t, bin: bin, url: fmt.Sprintf("http://localhost:%d", port)}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AESOP_") {
			p.env = append(p.env, kv)
		}
	}
	p.env = append(p.env, "AESOP_ADDR=127.0.0.1:"+fmt.Sprint(port), "AESOP_BASE_URL="+p.url,
		"AESOP_DATABASE_URL="+dbURL, "AESOP_SECRET_KEY=chaos-test-secret-key-0123456789",
		"AESOP_LOG_FORMAT=json", "AESOP_SHUTDOWN_TIMEOUT=1s")
	for k, v := range settings {
		p.env = append(p.env, k+"="+v)
	}
	t.Cleanup(p.kill)
	return p
}

// start runs `aesop serve` and waits until it is ready.
func (p *toolProcess) start() {
	p.t.Helper()
	log := filepath.Join(p.t.TempDir(), fmt.Sprintf("serve-%d.log", len(p.logs)+1))
	f, err := os.Create(log)
	if err != nil {
		p.t.Fatal(err)
	}
	p.logs = append(p.logs, log)
	p.cmd = exec.Command(p.bin, "serve")
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = p.env, f, f
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		f.Close()
		close(done)
	}(p.cmd, p.done)
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			p.t.Fatalf("aesop serve exited: %s\n%s", p.cmd.ProcessState, p.tail("", 20))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("aesop serve not ready after 20 s\n%s", p.tail("", 20))
		}
	}
}

// kill ends the process with SIGKILL: no shutdown, no deferred work, leases
// and connections left as they were.
func (p *toolProcess) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Kill()
	<-p.done
}

// run runs another aesop command on the same database and returns its
// output.
func (p *toolProcess) run(args ...string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = p.env
	out, err := cmd.Output()
	if err != nil {
		p.t.Fatalf("aesop %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// tail returns the last n log lines of every run that contain part.
func (p *toolProcess) tail(part string, n int) string {
	var lines []string
	for i, log := range p.logs {
		f, err := os.Open(log)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), part) {
				lines = append(lines, fmt.Sprintf("[run %d] %s", i+1, sc.Text()))
			}
		}
		f.Close()
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// copyLogs copies the runs' logs into dir, to read after a failure.
func (p *toolProcess) copyLogs(dir string) {
	for _, log := range p.logs {
		if b, err := os.ReadFile(log); err == nil {
			os.WriteFile(filepath.Join(dir, filepath.Base(log)), b, 0o644)
		}
	}
}
