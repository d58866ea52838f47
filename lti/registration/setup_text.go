package registration

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// helpWidth is where help text wraps, so the output reads well in a
// terminal or a plain-text email.
const helpWidth = 76

// WriteSetupInfo writes secs as plain text for an administrator: each value
// on its own indented lines so it can be copied without its label.
func WriteSetupInfo(w io.Writer, secs []Section) error {
	bw := bufio.NewWriter(w)
	for i, s := range secs {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		fmt.Fprintf(bw, "%s\n%s\n", s.Platform, strings.Repeat("=", len(s.Platform)))
		if s.Where != "" {
			writeWrapped(bw, "", "Go to "+s.Where+".")
		}
		fmt.Fprintln(bw, "\nType these values:")
		writeFields(bw, s.Fields)
		if len(s.BringBack) > 0 {
			fmt.Fprintln(bw, "\nThen copy these values back to Aesop:")
			writeFields(bw, s.BringBack)
		}
		if s.Command != "" {
			fmt.Fprintln(bw, "\nand register the platform, with the values filled in:")
			fmt.Fprintln(bw)
			writeIndented(bw, "    ", s.Command)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing setup information: %w", err)
	}
	return nil
}

// writeFields writes a label line, the value lines and wrapped help.
func writeFields(w io.Writer, fields []Field) {
	for _, f := range fields {
		fmt.Fprintf(w, "\n  %s\n", f.Label)
		if f.Value == "" {
			fmt.Fprintln(w, "      (leave empty)")
		} else {
			writeIndented(w, "      ", f.Value)
		}
		if f.Help != "" {
			writeWrapped(w, "      ", "("+f.Help+")")
		}
	}
}

// writeIndented writes each line of s behind prefix.
func writeIndented(w io.Writer, prefix, s string) {
	for _, line := range strings.Split(s, "\n") {
		fmt.Fprintf(w, "%s%s\n", prefix, line)
	}
}

// writeWrapped writes s behind prefix, breaking lines between words so
// that they stay within helpWidth.
func writeWrapped(w io.Writer, prefix, s string) {
	line := prefix
	for _, word := range strings.Fields(s) {
		if line != prefix && len(line)+1+len(word) > helpWidth {
			fmt.Fprintln(w, line)
			line = prefix
		}
		if line != prefix {
			line += " "
		}
		line += word
	}
	if line != prefix {
		fmt.Fprintln(w, line)
	}
}
