package jsiicache

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/aws/jsii-runtime-go"
)

// spuriousExit is what jsii-runtime-go (v1.106 and later) prints when two of
// its goroutines wait for the node process and the one that did not reap it
// reports the ECHILD it got, although node exited cleanly.
const spuriousExit = "Runtime process exited abnormally: waitid: no child processes"

// runtimeProcessPackage is the package of jsii-runtime-go whose goroutines
// (the one waiting for the node process, the one reading its stderr) may
// still run just after jsii.Close returns.
const runtimeProcessPackage = "github.com/aws/jsii-runtime-go/internal/kernel/process."

// maxWait bounds how long Close waits for those goroutines to end. They end
// within microseconds of the node process being reaped; the bound only
// matters if a future runtime keeps one alive.
const maxWait = 50 * time.Millisecond

// Close is jsii.Close with that one false alarm removed: an audit tool
// must not print "exited abnormally" after a successful run. Every other byte
// written to stderr meanwhile passes through unchanged.
func Close() {
	if !runtimeGoroutines() {
		// The node process never started: nothing can print.
		jsii.Close()
		return
	}
	real := os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		jsii.Close()
		return
	}
	os.Stderr = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		data, _ := io.ReadAll(r)
		real.Write(bytes.ReplaceAll(data, []byte(spuriousExit), nil))
	}()
	jsii.Close()
	// The runtime's waiting goroutine may print just after Close returns:
	// wait until it has ended (not a fixed sleep: every synthesis pays it).
	for deadline := time.Now().Add(maxWait); runtimeGoroutines() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Microsecond)
	}
	os.Stderr = real
	w.Close()
	<-done
}

// runtimeGoroutines reports whether a goroutine of jsii-runtime-go's
// process package is running (its function or its creator is in that
// package).
func runtimeGoroutines() bool {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Contains(buf[:n], []byte(runtimeProcessPackage))
		}
		buf = make([]byte, 2*len(buf))
	}
}
