//! Finding the input: the paths given on the command line, directories walked recursively (in
//! parallel), `-` for standard input. Reading and decompressing a file is in [`decode`].

pub mod chunk;
pub mod decode;
pub mod inflate;
pub mod json;
pub mod kind;
pub mod lenient;
pub mod magic;
pub mod scan;
pub mod utf16;

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
    let parts: Vec<Walked> = paths
        .par_iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                return Walked {
                    stdin: true,
                    ..Walked::default()
                };
            }
            match fs::metadata(p) {
                Err(e) => Walked {
                    problems: vec![problem(p, &e)],
                    ..Walked::default()
                },
                Ok(m) if m.is_dir() => {
                    let ancestors: Vec<FileId> = id_of(&m, p).into_iter().collect();
                    walk(p, opts, &ancestors)
                }
                Ok(m) => Walked {
                    files: vec![(p.clone(), id_of(&m, p))],
                    ..Walked::default()
                },
            }
        })
        .collect();
    let mut found = Found::default();
    // Each input with its identity: the file (device and inode), not the spelling of its path;
    // `None` for stdin, the path itself for a file whose identity could not be read. `-` twice
    // is refused earlier, as a usage error.
    let mut all: Vec<(Source, Option<Result<FileId, PathBuf>>)> = Vec::new();
    for part in parts {
        if part.stdin {
            all.push((Source::Stdin, None));
        }
        found.problems.extend(part.problems);
        all.extend(part.files.into_iter().map(|(p, id)| {
            let id = Some(id.ok_or_else(|| p.clone()));
            (Source::File(p), id)
        }));
    }
    // Sorted first, so the path kept for a file named twice is the same on every run.
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.dedup_by(|a, b| a.0 == b.0);
    // The same file by another name counts once.
    let mut seen = HashSet::new();
    for (s, id) in all {
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

/// The identity of the file `m` was read from (at `p`).
#[cfg(unix)]
fn id_of(m: &fs::Metadata, _p: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn id_of(_m: &fs::Metadata, p: &Path) -> Option<FileId> {
    fs::canonicalize(p).ok()
}

/// What one path or one directory yielded: files with their identity, and problems.
#[derive(Debug, Default)]
struct Walked {
    stdin: bool,
    files: Vec<(PathBuf, Option<FileId>)>,
    problems: Vec<PathProblem>,
}

/// Walks `dir`, its subdirectories in parallel. Each file's identity is read here, on the
/// walking threads, from the metadata of its entry (`fstatat` on the open directory, no path
/// resolved again) or, for a link, of its target. Not from the entry's inode number: a mount
/// point (a bind-mounted file or directory) lists the inode beneath the mount, not the one
/// `stat` gives.
fn walk(dir: &Path, opts: WalkOptions, ancestors: &[FileId]) -> Walked {
    let mut found = Walked::default();
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
        if ft.is_dir() || ft.is_file() {
            // Not a link, so the entry's own metadata is the file's.
            let id = entry.metadata().ok().and_then(|m| id_of(&m, &path));
            if ft.is_dir() {
                subdirs.push((path, id));
            } else {
                found.files.push((path, id));
            }
        } else if ft.is_symlink() {
            match fs::metadata(&path) {
                Ok(m) if m.is_file() => {
                    let id = id_of(&m, &path);
                    found.files.push((path, id));
                }
                Ok(m) if m.is_dir() && opts.follow_links => {
                    let id = id_of(&m, &path);
                    subdirs.push((path, id));
                }
                Ok(_) => {}
                Err(e) => found.problems.push(problem(&path, &e)),
            }
        }
        // Sockets, FIFOs and devices inside a tree are not log files; they are passed over.
    }
    let nested: Vec<Walked> = subdirs
        .into_par_iter()
        .map(|(sub, id)| {
            let Some(id) = id else {
                return walk(&sub, opts, ancestors);
            };
            if ancestors.contains(&id) {
                return Walked {
                    problems: vec![PathProblem {
                        path: sub,
                        reason: "symbolic link loop; not followed".into(),
                    }],
                    ..Walked::default()
                };
            }
            let mut chain = ancestors.to_vec();
            chain.push(id);
            walk(&sub, opts, &chain)
        })
        .collect();
    for n in nested {
        found.files.extend(n.files);
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
            .map(|s| {
                let p = s.path().unwrap();
                id_of(&fs::metadata(p).unwrap(), p).unwrap()
            })
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

    #[cfg(unix)]
    #[test]
    fn hard_links_and_followed_links_are_one_file() {
        // Identity is read during the walk: a hard link (two names, one inode, in different
        // directories walked by different threads) and a followed link to a directory already
        // in the tree must still count each file once, keeping the first name in path order.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a")).unwrap();
        fs::create_dir_all(root.join("b/c")).unwrap();
        fs::write(root.join("b/c/f.json"), b"{}").unwrap();
        fs::write(root.join("b/g.json"), b"{}").unwrap();
        fs::hard_link(root.join("b/c/f.json"), root.join("a/h.json")).unwrap();
        std::os::unix::fs::symlink(root.join("b/c"), root.join("b/z")).unwrap();
        let plain = discover(&[root.to_path_buf()], WalkOptions::default());
        assert!(plain.problems.is_empty(), "{:?}", plain.problems);
        assert_eq!(
            plain.sources,
            vec![
                Source::File(root.join("a/h.json")),
                Source::File(root.join("b/g.json")),
            ]
        );
        assert_eq!(plain.duplicates, vec![root.join("b/c/f.json")]);
        let follow = discover(
            &[root.to_path_buf(), root.join("b/c/f.json")],
            WalkOptions { follow_links: true },
        );
        assert!(follow.problems.is_empty(), "{:?}", follow.problems);
        assert_eq!(follow.sources, plain.sources);
        // b/c/f.json is found twice (walked and given) but is one path; b/z/f.json is new.
        assert_eq!(
            follow.duplicates,
            vec![root.join("b/c/f.json"), root.join("b/z/f.json")]
        );
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
