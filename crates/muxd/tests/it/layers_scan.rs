//! Reading a crate's imports out of its sources for `layers`: which top-level modules it has,
//! and each `crate::NAME` path (also in `crate::{a, b}` groups) with its file and line, leaving
//! out comments, strings, `#[cfg(test)] mod … { … }` blocks and `*tests.rs` files. Proved on
//! a tricky source in `layers`.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// One `crate::to` path in module `from`, at `file:line` (`file` as the workspace names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub from: String,
    pub to: String,
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Import {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Import {
            from,
            to,
            file,
            line,
        } = self;
        write!(
            f,
            "{file}:{line}: `crate::{to}` (module `{from}` imports `{to}`)"
        )
    }
}

/// The imports of one file of module `from`: paths naming another module in `modules`.
pub fn imports_in(from: &str, file: &str, source: &str, modules: &BTreeSet<String>) -> Vec<Import> {
    let code = without_test_modules(&code_only(source));
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue; // `mycrate::`, not `crate::`
        }
        let line = code[..at].matches('\n').count() + 1;
        for to in heads(&code[at + "crate::".len()..]) {
            if to != from && modules.contains(&to) {
                let (from, file) = (from.to_owned(), file.to_owned());
                found.push(Import {
                    from,
                    to,
                    file,
                    line,
                });
            }
        }
    }
    found
}

/// The first segment of the path after `crate::`: one name, or each item of a `{…}` group.
fn heads(rest: &str) -> Vec<String> {
    let rest = rest.trim_start();
    let Some(group) = rest.strip_prefix('{') else {
        return vec![ident(rest)];
    };
    let (mut names, mut depth, mut item_starts) = (Vec::new(), 0, true);
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => item_starts = true,
            c if item_starts && !c.is_whitespace() => {
                item_starts = false;
                names.push(ident(&group[at..]));
            }
            _ => {}
        }
    }
    names
}

fn ident(text: &str) -> String {
    text.chars().take_while(|&c| is_ident(c)).collect()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `source` with comments and the insides of string and char literals blanked (newlines kept).
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let raw_start = |i: usize| {
            let before = if i > 0 { at(i - 1) } else { ' ' };
            let word_start =
                !is_ident(before) || (before == 'b' && (i < 2 || !is_ident(at(i - 2))));
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            (c == 'r' && word_start && at(i + 1 + hashes) == '"').then_some(hashes)
        };
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_start(i) {
            let close: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            out.push('r');
            i += 1;
            let rest: String = chars[i..].iter().collect();
            let opened = hashes + 1;
            let end = rest[opened..]
                .find(&close)
                .map_or(rest.len(), |e| opened + e + close.len());
            rest[..end].chars().for_each(|c| blank(&mut out, c));
            i += rest[..end].chars().count();
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                let skip = if chars[i] == '\\' { 2 } else { 1 };
                for &c in chars.iter().skip(i).take(skip) {
                    blank(&mut out, c);
                }
                i += skip;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A char literal (a lifetime has no closing quote two along).
            let end = if at(i + 1) == '\\' {
                (i + 3..chars.len())
                    .find(|&k| chars[k] == '\'')
                    .unwrap_or(chars.len() - 1)
            } else {
                i + 2
            };
            chars[i..=end].iter().for_each(|&c| blank(&mut out, c));
            i = end + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `code` (already [`code_only`]) with each `#[cfg(test)] mod name { … }` blanked.
fn without_test_modules(code: &str) -> String {
    let mut out = code.to_owned();
    let mut from = 0;
    while let Some(found) = out[from..].find("#[cfg(test)]") {
        let start = from + found;
        let mut at = start + "#[cfg(test)]".len();
        // Further attributes, and a visibility, may stand between the attribute and `mod`.
        loop {
            let rest = out[at..].trim_start();
            at = out.len() - rest.len();
            if rest.starts_with("#[") {
                at += rest.find(']').map_or(rest.len(), |e| e + 1);
            } else if rest.starts_with("pub(") {
                at += rest.find(')').map_or(rest.len(), |e| e + 1);
            } else if let Some(after) = rest.strip_prefix("pub ") {
                at = out.len() - after.len();
            } else {
                break;
            }
        }
        from = start + 1;
        let Some(after_mod) = out[at..].strip_prefix("mod") else {
            continue;
        };
        if !after_mod.starts_with(char::is_whitespace) {
            continue;
        }
        let name = ident(after_mod.trim_start());
        let body = after_mod.trim_start()[name.len()..].trim_start();
        if name.is_empty() || !body.starts_with('{') {
            continue; // `mod name;`: its file is read (or skipped) on its own
        }
        let open = out.len() - body.len();
        let mut depth = 0;
        let mut end = out.len();
        for (k, c) in out[open..].char_indices() {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            if depth == 0 {
                end = open + k + 1;
                break;
            }
        }
        let blanked: String = out[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blanked);
        from = start + blanked.len();
    }
    out
}

/// The top-level modules of the crate at `src` (a `NAME.rs` or `NAME/` beside `lib.rs`; not
/// `lib`, `main` or `bin/`), and every import between them. Files show as `shown/…`.
pub fn scan(src: &Path, shown: &str) -> (BTreeSet<String>, Vec<Import>) {
    let mut modules = BTreeSet::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() && name != "bin" {
            modules.insert(name);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if stem != "lib" && stem != "main" {
                modules.insert(stem.to_owned());
            }
        }
    }
    let mut imports = Vec::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let first = first.to_string_lossy();
        let module = first.strip_suffix(".rs").unwrap_or(&first);
        if !modules.contains(module) || relative.to_string_lossy().ends_with("tests.rs") {
            continue;
        }
        let source = fs::read_to_string(&file).unwrap();
        let shown = format!("{shown}/{}", relative.display());
        imports.extend(imports_in(module, &shown, &source, &modules));
    }
    (modules, imports)
}

/// Every `.rs` file under `dir`, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Each crate of the workspace (a directory of `crates/` with a `src/`).
pub fn workspace_crates() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(crates_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("src").is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
