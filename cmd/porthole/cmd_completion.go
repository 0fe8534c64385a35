package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/porthole-dev/porthole/shmstat"
)

func init() {
	register(&command{name: "completion", summary: "print a shell completion script: completion bash|zsh|fish", run: runCompletion})
}

func runCompletion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("completion", "bash|zsh|fish", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: porthole completion bash|zsh|fish
  bash:  source <(porthole completion bash)     (or save it in /etc/bash_completion.d/porthole)
  zsh:   source <(porthole completion zsh)      (after compinit; or save it as _porthole in $fpath)
  fish:  porthole completion fish | source      (or save it in ~/.config/fish/completions/porthole.fish)
`)
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one of bash, zsh, fish", errUsage)
	}
	cmds := completionCommands()
	switch pos[0] {
	case "segments": // used by the scripts: names for stat, debug, profile
		return printSegmentNames(stdout)
	case "bash":
		writeBash(stdout, cmds)
	case "zsh":
		writeZsh(stdout, cmds)
	case "fish":
		writeFish(stdout, cmds)
	default:
		return fmt.Errorf("%w: unknown shell %q: want bash, zsh or fish", errUsage, pos[0])
	}
	return nil
}

// segmentCommands take a segment NAME, completed from the default directory.
const segmentCommands = "stat|debug|profile"

// printSegmentNames prints the names of the segments in the default
// directory, one a line.
func printSegmentNames(w io.Writer) error {
	infos, err := shmstat.List("")
	if err != nil {
		return err
	}
	for _, in := range infos {
		fmt.Fprintln(w, in.Name)
	}
	return nil
}

// compCommand is what completion knows of one subcommand.
type compCommand struct {
	name, summary string
	flags         []string // without dashes
}

var (
	flagLine  = regexp.MustCompile(`(?m)^\s+-([A-Za-z][\w-]*)`)
	usageFlag = regexp.MustCompile(`--([A-Za-z][\w-]*)`)
)

// completionCommands lists the visible subcommands with their flags, read
// from each command's own --help output, so completion cannot drift from
// the flags a command really has.
func completionCommands() []compCommand {
	var out []compCommand
	for _, c := range commands {
		if c.hidden {
			continue
		}
		cc := compCommand{name: c.name, summary: c.summary}
		if c.name == "help" || c.name == "completion" {
			out = append(out, cc) // their words are written out below
			continue
		}
		var help bytes.Buffer
		c.run([]string{"--help"}, io.Discard, &help)
		seen := map[string]bool{}
		for _, re := range []*regexp.Regexp{flagLine, usageFlag} {
			for _, m := range re.FindAllStringSubmatch(help.String(), -1) {
				if !seen[m[1]] && m[1] != "h" && m[1] != "help" {
					seen[m[1]] = true
					cc.flags = append(cc.flags, m[1])
				}
			}
		}
		sort.Strings(cc.flags)
		out = append(out, cc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func names(cmds []compCommand) string {
	var n []string
	for _, c := range cmds {
		n = append(n, c.name)
	}
	return strings.Join(n, " ")
}

func dashed(flags []string) string {
	var f []string
	for _, x := range flags {
		if len(x) == 1 {
			f = append(f, "-"+x) // -o, -f: as their usage writes them
		} else {
			f = append(f, "--"+x)
		}
	}
	return strings.Join(f, " ")
}

func writeBash(w io.Writer, cmds []compCommand) {
	fmt.Fprintf(w, "# bash completion for porthole (porthole completion bash)\n_porthole() {\n")
	fmt.Fprintf(w, "\tlocal cur=${COMP_WORDS[COMP_CWORD]}\n\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n")
	fmt.Fprintf(w, "\t\tCOMPREPLY=($(compgen -W '%s --help --version' -- \"$cur\"))\n\t\treturn\n\tfi\n", names(cmds))
	fmt.Fprintf(w, "\tlocal words=\n\tcase ${COMP_WORDS[1]} in\n")
	for _, c := range cmds {
		if c.name != "help" && c.name != "completion" {
			fmt.Fprintf(w, "\t%s) words='%s --help' ;;\n", c.name, dashed(c.flags))
		}
	}
	fmt.Fprintf(w, "\thelp) words='%s' ;;\n\tcompletion) words='bash zsh fish' ;;\n\tesac\n", names(cmds))
	fmt.Fprintf(w, "\tcase ${COMP_WORDS[1]} in %s) [[ $cur == -* ]] || words=$(porthole completion segments 2>/dev/null) ;; esac\n", segmentCommands)
	fmt.Fprintf(w, "\tif [[ $cur == -* || \" help completion %s \" == *\" ${COMP_WORDS[1]} \"* ]]; then\n", strings.ReplaceAll(segmentCommands, "|", " "))
	fmt.Fprintf(w, "\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n\tfi\n}\ncomplete -o default -F _porthole porthole\n")
}

func writeZsh(w io.Writer, cmds []compCommand) {
	fmt.Fprintf(w, "#compdef porthole\n# zsh completion for porthole (porthole completion zsh)\n_porthole() {\n")
	fmt.Fprintf(w, "\tif (( CURRENT == 2 )); then\n\t\tlocal -a cmds\n\t\tcmds=(\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "\t\t\t%s\n", zshQuote(c.name+":"+c.summary))
	}
	fmt.Fprintf(w, "\t\t)\n\t\t_describe command cmds\n\t\treturn\n\tfi\n\tcase $words[2] in\n")
	for _, c := range cmds {
		if c.name != "help" && c.name != "completion" {
			fmt.Fprintf(w, "\t%s) compadd -- %s --help ;;\n", c.name, dashed(c.flags))
		}
	}
	fmt.Fprintf(w, "\thelp) compadd -- %s ;;\n\tcompletion) compadd -- bash zsh fish ;;\n\tesac\n", names(cmds))
	fmt.Fprintf(w, "\tcase $words[2] in %s) compadd -- ${(f)\"$(porthole completion segments 2>/dev/null)\"} ;; esac\n\t_files\n}\n", segmentCommands)
	fmt.Fprintf(w, "if [ \"$funcstack[1]\" = _porthole ]; then\n\t_porthole \"$@\"\nelse\n\tcompdef _porthole porthole\nfi\n")
}

func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func writeFish(w io.Writer, cmds []compCommand) {
	fmt.Fprintf(w, "# fish completion for porthole (porthole completion fish)\ncomplete -c porthole -f\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c porthole -n __fish_use_subcommand -a %s -d %s\n", c.name, zshQuote(c.summary))
		for _, f := range c.flags {
			opt := "-l"
			if len(f) == 1 {
				opt = "-s"
			}
			fmt.Fprintf(w, "complete -c porthole -n '__fish_seen_subcommand_from %s' %s %s\n", c.name, opt, f)
		}
	}
	fmt.Fprintf(w, "complete -c porthole -n '__fish_seen_subcommand_from help' -a %s\n", zshQuote(names(cmds)))
	fmt.Fprintf(w, "complete -c porthole -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	fmt.Fprintf(w, "complete -c porthole -n '__fish_seen_subcommand_from %s' -a '(porthole completion segments 2>/dev/null)'\n",
		strings.ReplaceAll(segmentCommands, "|", " "))
}
