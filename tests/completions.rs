//! The completion scripts in `completions/` are generated from the CLI definition; a test fails
//! when they are stale (regenerate with `UPDATE_COMPLETIONS=1 cargo test --test completions`).
//! Each script is also run in its shell: bash here (it is always present), zsh and fish by
//! `tests/e2e.sh`, which installs them.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap_complete::Shell;
use kinesis_insights::cmd::completions::generate;

const SHELLS: [(Shell, &str); 5] = [
    (Shell::Bash, "kinesis-insights.bash"),
    (Shell::Zsh, "_kinesis-insights"),
    (Shell::Fish, "kinesis-insights.fish"),
    (Shell::Elvish, "kinesis-insights.elv"),
    (Shell::PowerShell, "_kinesis-insights.ps1"),
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("completions")
}

#[test]
fn completions_are_current() {
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let mut script = Vec::new();
        generate(shell, &mut script).unwrap();
        let path = dir().join(file);
        if update {
            std::fs::write(&path, &script).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&script[..]) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts {stale:?}: run UPDATE_COMPLETIONS=1 cargo test --test completions"
    );
}

#[test]
fn completions_command_prints_a_script() {
    let out = Command::new(env!("CARGO_BIN_EXE_kinesis-insights"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut want = Vec::new();
    generate(Shell::Bash, &mut want).unwrap();
    assert_eq!(out.stdout, want);
}

/// What each shell must offer: a command line ending where TAB is pressed, and words that
/// must be among the completions.
const CASES: [(&str, &[&str]); 5] = [
    ("kinesis-insights ev", &["events"]),
    ("kinesis-insights events --pan", &["--panel"]),
    (
        "kinesis-insights events --format ",
        &["table", "csv", "json"],
    ),
    (
        "kinesis-insights metrics --panel ",
        &["incoming-bytes", "iterator-age"],
    ),
    (
        "kinesis-insights completions ",
        &["bash", "zsh", "fish", "elvish", "powershell"],
    ),
];

fn check(shell: &str, line: &str, got: &[String], want: &[&str]) {
    for w in want {
        assert!(
            got.iter().any(|g| g == w),
            "{shell}: `{line}<TAB>` does not offer {w}: {got:?}"
        );
    }
}

/// Runs `script` with `shell`'s arguments and returns the lines it prints.
fn lines_of(program: &str, args: &[&str]) -> Vec<String> {
    let out = Command::new(program)
        .args(args)
        .env("PATH", path_with_binary())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e} (tests/e2e.sh installs it)"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// `$PATH` with the built binary first (zsh completes only commands it can find).
fn path_with_binary() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_kinesis-insights"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// Bash: the script's completion function, driven as readline drives it (COMP_WORDS,
/// COMP_CWORD; the function's arguments are the command, the word and the one before).
#[test]
fn bash_completes() {
    let script = dir().join("kinesis-insights.bash");
    for (line, want) in CASES {
        let driver = r#"
source "$1"
read -ra words <<<"$2"
[[ $2 == *' ' ]] && words+=('')
COMP_WORDS=("${words[@]}")
COMP_CWORD=$(( ${#words[@]} - 1 ))
COMP_LINE=$2
COMP_POINT=${#2}
fn=$(complete -p kinesis-insights | sed -E 's/.* -F ([^ ]+) .*/\1/')
"$fn" kinesis-insights "${words[COMP_CWORD]}" "${words[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
        let got = lines_of(
            "bash",
            &[
                "--norc",
                "-c",
                driver,
                "bash",
                script.to_str().unwrap(),
                line,
            ],
        );
        check("bash", line, &got, want);
    }
}

/// Zsh: an interactive zsh in a pseudo-terminal (zpty) with the script on `$fpath`; TAB is
/// typed after the line, and `compadd` is wrapped to write down what it is given.
#[test]
#[ignore = "needs bash-completion/zsh/fish: run tests/e2e.sh"]
fn zsh_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let capture = tmp.path().join("capture.zsh");
    std::fs::write(
        &capture,
        r#"
zmodload zsh/zpty
dir=$1 out=$2 line=$3
zpty z zsh -f -i
zpty -w z "fpath=($dir \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "compadd() { if (( \${@[(I)-[OAD]*]} )); then builtin compadd \"\$@\"; return; fi; local -a __h; builtin compadd -A __h \"\$@\"; print -rl -- \"\${__h[@]}\" >> $out; builtin compadd \"\$@\"; }"
zpty -w z "bindkey '^I' complete-word; print ready > $out.ready"
for i in {1..100}; do sleep 0.1; [[ -e $out.ready ]] && break; done
zpty -w -n z "$line"$'\t'
for i in {1..100}; do sleep 0.1; [[ -s $out ]] && { sleep 0.5; break; }; done
zpty -d z
[[ -e $out ]] && cat $out
"#,
    )
    .unwrap();
    for (i, (line, want)) in CASES.iter().enumerate() {
        let out = tmp.path().join(format!("out{i}"));
        let got = lines_of(
            "zsh",
            &[
                "-f",
                capture.to_str().unwrap(),
                dir().to_str().unwrap(),
                out.to_str().unwrap(),
                line,
            ],
        );
        check("zsh", line, &got, want);
    }
}

/// Fish: `complete -C` lists what TAB would offer (a word, a tab, its description).
#[test]
#[ignore = "needs bash-completion/zsh/fish: run tests/e2e.sh"]
fn fish_completes() {
    let script = dir().join("kinesis-insights.fish");
    for (line, want) in CASES {
        let command = format!(
            "source {}; complete -C {}",
            script.display(),
            shell_quote(line)
        );
        let got: Vec<String> = lines_of("fish", &["--no-config", "-c", &command])
            .into_iter()
            .map(|l| l.split('\t').next().unwrap_or("").to_string())
            .collect();
        check("fish", line, &got, want);
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "\\'"))
}
