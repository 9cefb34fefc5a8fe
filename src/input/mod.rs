//! Finding the input: the paths given on the command line, directories walked recursively (in
//! parallel), `-` for standard input. Reading and decompressing a file is in [`decode`].

pub mod chunk;
pub mod decode;
pub mod inflate;
pub mod json;
pub mod lenient;
pub mod magic;
pub mod scan;

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Standard input (`-`).
    Stdin,
    /// A file (or a pipe given explicitly, such as `<(zcat x.gz)`).
    File(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Source::Stdin => f.write_str("<stdin>"),
            Source::File(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Source {
    /// The path, for rules that look at it (digest folders); `None` for stdin.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Stdin => None,
            Source::File(p) => Some(p),
        }
    }
}

/// A path that could not be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathProblem {
    /// The path as found.
    pub path: PathBuf,
    /// What is wrong, in words.
    pub reason: String,
}

/// Everything found under the given paths.
#[derive(Debug, Default)]
pub struct Found {
    /// Inputs to read, sorted (stdin first), each once.
    pub sources: Vec<Source>,
    /// Paths that could not be read or walked.
    pub problems: Vec<PathProblem>,
    /// Paths left out because they name a file already among `sources` (`dir dir/ ./dir`,
    /// `file ./file`, a link to a directory already given): each file is read once.
    pub duplicates: Vec<PathBuf>,
}

/// How to walk directories.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkOptions {
    /// Follow symbolic links to directories (loops are detected and reported).
    pub follow_links: bool,
}

/// Expands the command-line paths into the inputs to read. Explicit paths are taken whatever
/// they are (a FIFO or `/dev/stdin` works); inside directories only regular files (and
/// symbolic links to them) are taken, and links to directories are followed only with
/// `follow_links`.
pub fn discover(paths: &[PathBuf], opts: WalkOptions) -> Found {
    let parts: Vec<Found> = paths
        .par_iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                return Found {
                    sources: vec![Source::Stdin],
                    problems: vec![],
                    duplicates: vec![],
                };
            }
            match fs::metadata(p) {
                Err(e) => Found {
                    sources: vec![],
                    problems: vec![problem(p, &e)],
                    duplicates: vec![],
                },
                Ok(m) if m.is_dir() => {
                    let mut ancestors = Vec::new();
                    if let Some(id) = file_id(p) {
                        ancestors.push(id);
                    }
                    walk(p, opts, &ancestors)
                }
                Ok(_) => Found {
                    sources: vec![Source::File(p.clone())],
                    problems: vec![],
                    duplicates: vec![],
                },
            }
        })
        .collect();
    let mut found = Found::default();
    let mut all = Vec::new();
    for part in parts {
        found.problems.extend(part.problems);
        all.extend(part.sources);
    }
    // Sorted first, so the path kept for a file named twice is the same on every run.
    all.sort();
    all.dedup();
    // The same file by another name counts once: identity is the file (device and inode), not
    // the spelling of its path. `-` twice is refused earlier, as a usage error.
    let mut seen = HashSet::new();
    for s in all {
        let id = match &s {
            Source::Stdin => None,
            Source::File(p) => Some(file_id(p).map_or_else(|| Err(p.clone()), Ok)),
        };
        if seen.insert(id) {
            found.sources.push(s);
        } else if let Source::File(p) = s {
            found.duplicates.push(p);
        }
    }
    found.problems.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

fn problem(path: &Path, e: &std::io::Error) -> PathProblem {
    PathProblem {
        path: path.to_path_buf(),
        reason: crate::diag::io_reason(e),
    }
}

#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(unix)]
fn file_id(p: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(p: &Path) -> Option<FileId> {
    fs::canonicalize(p).ok()
}

fn walk(dir: &Path, opts: WalkOptions, ancestors: &[FileId]) -> Found {
    let mut found = Found::default();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            found.problems.push(problem(dir, &e));
            return found;
        }
    };
    let mut subdirs = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                found.problems.push(problem(dir, &e));
                continue;
            }
        };
        let path = entry.path();
        let Ok(ft) = entry.file_type() else {
            found.problems.push(PathProblem {
                path,
                reason: "cannot read file type".into(),
            });
            continue;
        };
        if ft.is_dir() {
            subdirs.push(path);
        } else if ft.is_file() {
            found.sources.push(Source::File(path));
        } else if ft.is_symlink() {
            match fs::metadata(&path) {
                Ok(m) if m.is_file() => found.sources.push(Source::File(path)),
                Ok(m) if m.is_dir() && opts.follow_links => subdirs.push(path),
                Ok(_) => {}
                Err(e) => found.problems.push(problem(&path, &e)),
            }
        }
        // Sockets, FIFOs and devices inside a tree are not log files; they are passed over.
    }
    let nested: Vec<Found> = subdirs
        .par_iter()
        .map(|sub| {
            let Some(id) = file_id(sub) else {
                return walk(sub, opts, ancestors);
            };
            if ancestors.contains(&id) {
                return Found {
                    sources: vec![],
                    problems: vec![PathProblem {
                        path: sub.clone(),
                        reason: "symbolic link loop; not followed".into(),
                    }],
                    duplicates: vec![],
                };
            }
            let mut chain = ancestors.to_vec();
            chain.push(id);
            walk(sub, opts, &chain)
        })
        .collect();
    for n in nested {
        found.sources.extend(n.sources);
        found.problems.extend(n.problems);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_nested_dirs_and_dedups() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b/c")).unwrap();
        for f in ["x.json", "a/y.json.gz", "a/b/c/z"] {
            fs::write(root.join(f), b"{}").unwrap();
        }
        let found = discover(
            &[
                root.to_path_buf(),
                root.join("x.json"),
                PathBuf::from("-"),
                PathBuf::from("-"),
            ],
            WalkOptions::default(),
        );
        assert!(found.problems.is_empty());
        assert_eq!(
            found.sources,
            vec![
                Source::Stdin,
                Source::File(root.join("a/b/c/z")),
                Source::File(root.join("a/y.json.gz")),
                Source::File(root.join("x.json")),
            ]
        );
    }

    #[test]
    fn the_same_file_by_other_names_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("d/e")).unwrap();
        fs::write(root.join("d/a.json"), b"{}").unwrap();
        fs::write(root.join("d/e/b.json"), b"{}").unwrap();
        let found = discover(
            &[
                root.join("d"),
                root.join("d/"),
                root.join("d/./e/.."),
                root.join("d/e/b.json"),
                root.join("d/e/../a.json"),
            ],
            WalkOptions::default(),
        );
        assert!(found.problems.is_empty());
        // Two files, each once, whatever the spelling.
        assert_eq!(found.sources.len(), 2, "{:?}", found.sources);
        let ids: HashSet<_> = found
            .sources
            .iter()
            .map(|s| file_id(s.path().unwrap()).unwrap())
            .collect();
        assert_eq!(ids.len(), 2);
        // Paths compare by components (`d/` is `d`, `d/./e` is `d/e`), so the names found are
        // d/a.json, d/e/b.json, d/e/../a.json and d/e/../e/b.json: 4 names for 2 files.
        assert_eq!(found.duplicates.len(), 2, "{:?}", found.duplicates);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_directory_already_given_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("d")).unwrap();
        fs::write(root.join("d/a.json"), b"{}").unwrap();
        std::os::unix::fs::symlink(root.join("d"), root.join("link")).unwrap();
        let found = discover(&[root.join("d"), root.join("link")], WalkOptions::default());
        assert_eq!(found.sources, vec![Source::File(root.join("d/a.json"))]);
        assert_eq!(found.duplicates, vec![root.join("link/a.json")]);
    }

    #[test]
    fn missing_path_is_a_problem() {
        let found = discover(&[PathBuf::from("/no/such/dir/x")], WalkOptions::default());
        assert!(found.sources.is_empty());
        assert_eq!(found.problems.len(), 1);
        assert!(
            found.problems[0].reason.contains("no such file"),
            "{:?}",
            found.problems
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_end() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("d")).unwrap();
        fs::write(root.join("d/f.json"), b"{}").unwrap();
        std::os::unix::fs::symlink(root, root.join("d/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("d/f.json"), root.join("link.json")).unwrap();
        // link.json is d/f.json by another name: one file, read once.
        let plain = discover(&[root.to_path_buf()], WalkOptions::default());
        assert_eq!(plain.sources, vec![Source::File(root.join("d/f.json"))]);
        assert_eq!(plain.duplicates, vec![root.join("link.json")]);
        assert!(plain.problems.is_empty());
        let follow = discover(&[root.to_path_buf()], WalkOptions { follow_links: true });
        assert_eq!(follow.sources.len(), 1);
        assert_eq!(follow.problems.len(), 1);
        assert!(follow.problems[0].reason.contains("loop"));
    }
}
