#!/usr/bin/env bash
# End-to-end tests: the ones `cargo test` skips because they need more than cargo (#[ignore]):
# real shells for the completion scripts, a terminal, a browser (the HTML pages), and later
# Python or Java.
# Installs what is missing (Debian/Ubuntu, with apt-get; quiet, and nothing when all is there),
# then runs `cargo test -- --ignored` (extra arguments are passed on to it).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
# need CHECK PACKAGE...: install PACKAGE(s) unless the shell condition CHECK holds.
need() {
    local check=$1
    shift
    if ! bash -c "$check" >/dev/null 2>&1; then
        missing+=("$@")
    fi
}

pip_missing=()
# need_pip MODULE PACKAGE: pip-install PACKAGE unless `python3 -c "import MODULE"` works.
need_pip() {
    if ! python3 -c "import $1" >/dev/null 2>&1; then
        pip_missing+=("$2")
    fi
}

# What the ignored tests need, one line each.
need 'command -v zsh' zsh
need 'command -v fish' fish
need 'command -v script' bsdutils
need 'command -v chromium' chromium
# tests/sql.rs: the generated SQL run on DuckDB and Spark (local mode, Java 17), parsed by sqlglot.
need 'command -v java' openjdk-17-jre-headless
need_pip duckdb duckdb
need_pip pyspark pyspark
need_pip sqlglot sqlglot

if ((${#missing[@]})); then
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
    echo "e2e: installing ${missing[*]}" >&2
    log=$(mktemp)
    if ! { "${sudo[@]}" apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
            --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        cat "$log" >&2
        exit 1
    fi
    rm -f "$log"
fi

if ((${#pip_missing[@]})); then
    echo "e2e: installing with pip ${pip_missing[*]}" >&2
    log=$(mktemp)
    if ! python3 -m pip install --quiet --disable-pip-version-check "${pip_missing[@]}" \
        >"$log" 2>&1; then
        cat "$log" >&2
        exit 1
    fi
    rm -f "$log"
fi

cargo test -- --ignored "$@"
