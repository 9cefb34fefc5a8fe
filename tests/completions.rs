//! The completion scripts in `completions/` are generated from the CLI definition; this test
//! fails when they are stale. Regenerate with `UPDATE_COMPLETIONS=1 cargo test --test completions`.

use std::path::Path;

use clap_complete::Shell;
use kinesis_insights::cmd::completions::generate;

const SHELLS: [(Shell, &str); 5] = [
    (Shell::Bash, "kinesis-insights.bash"),
    (Shell::Zsh, "_kinesis-insights"),
    (Shell::Fish, "kinesis-insights.fish"),
    (Shell::Elvish, "kinesis-insights.elv"),
    (Shell::PowerShell, "_kinesis-insights.ps1"),
];

#[test]
fn completions_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let mut script = Vec::new();
        generate(shell, &mut script);
        let path = dir.join(file);
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
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kinesis-insights"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut want = Vec::new();
    generate(Shell::Bash, &mut want);
    assert_eq!(out.stdout, want);
}
