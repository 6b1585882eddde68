//! One file from ES modules: the entry module with every module it imports relatively
//! (`./name.js`) inlined, so a page (muxd's or a host app's) loads the uploader in one request.
//!
//! Each inlined module runs once, in the order its importers need it, inside a function whose
//! result is its exports; an import becomes a destructuring of that result. Its `export`
//! declarations (`export function|async function|class|const|let NAME`) become plain ones and an
//! `export { … };` list only names exports. The entry keeps its own exports, and its
//! `export { … } from "./x.js";` re-exports become a destructuring plus `export { … };`.
//! It handles the forms muxd's own modules use; any other (`import *`, a default import, an
//! import from elsewhere) is an error naming it, so a module that outgrows it fails a test, not a
//! browser.

use std::collections::BTreeSet;

/// One top-level statement that matters here; everything else is kept as it is.
enum Statement<'a> {
    /// `import { a, b as c } from "./x.js";`
    Import { names: String, from: &'a str },
    /// `export { a, b } from "./x.js";`
    ReExport { names: String, from: &'a str },
    /// `export { a, b };`
    ExportList(String),
    /// A line of code (`export ` already taken off a declaration).
    Code(&'a str),
}

/// `entry`'s source with the modules it imports from `modules` (file name, source) inlined.
pub fn bundle(entry: &str, modules: &[(&str, &str)]) -> Result<String, String> {
    let mut order = Vec::new();
    visit(entry, modules, &mut Vec::new(), &mut order)?;
    let mut out = String::new();
    for name in &order {
        let source = source_of(name, modules)?;
        let (body, exports) = inline(source)?;
        out.push_str(&format!(
            "// {name}\nconst {} = (() => {{\n{body}return {{ {} }};\n}})();\n\n",
            binding(name),
            exports.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    for statement in statements(entry)? {
        match statement {
            Statement::Import { names, from } => out.push_str(&destructure(&names, from)),
            Statement::ReExport { names, from } => {
                if names.contains(" as ") {
                    return Err(format!("a renamed re-export from {from} is not bundled"));
                }
                out.push_str(&destructure(&names, from));
                out.push_str(&format!("export {{ {} }};\n", list(&names).join(", ")));
            }
            Statement::ExportList(names) => {
                out.push_str(&format!("export {{ {} }};\n", list(&names).join(", ")))
            }
            Statement::Code(line) => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// Adds the modules `source` imports to `order`, each after those it imports (depth first).
fn visit(
    source: &str,
    modules: &[(&str, &str)],
    path: &mut Vec<String>,
    order: &mut Vec<String>,
) -> Result<(), String> {
    for statement in statements(source)? {
        let (Statement::Import { from, .. } | Statement::ReExport { from, .. }) = statement else {
            continue;
        };
        let name = from.trim_start_matches("./").to_owned();
        if order.contains(&name) {
            continue;
        }
        if path.contains(&name) {
            return Err(format!(
                "modules import each other: {} → {name}",
                path.join(" → ")
            ));
        }
        path.push(name.clone());
        visit(source_of(&name, modules)?, modules, path, order)?;
        path.pop();
        order.push(name);
    }
    Ok(())
}

fn source_of<'a>(name: &str, modules: &[(&str, &'a str)]) -> Result<&'a str, String> {
    modules
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, source)| *source)
        .ok_or_else(|| format!("no module {name} to bundle"))
}

/// An inlined module's body and the names it exports.
fn inline(source: &str) -> Result<(String, BTreeSet<String>), String> {
    let mut body = String::new();
    let mut exports = BTreeSet::new();
    for statement in statements(source)? {
        match statement {
            Statement::Import { names, from } => body.push_str(&destructure(&names, from)),
            Statement::ReExport { from, .. } => {
                return Err(format!("a re-export from {from} in an imported module"));
            }
            Statement::ExportList(names) => exports.extend(list(&names)),
            Statement::Code(line) => {
                if let Some(name) = declared(line) {
                    exports.insert(name);
                    body.push_str(line.trim_start_matches("export "));
                } else {
                    body.push_str(line);
                }
                body.push('\n');
            }
        }
    }
    Ok((body, exports))
}

/// The name an `export` declaration line declares.
fn declared(line: &str) -> Option<String> {
    let rest = line.strip_prefix("export ")?;
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    let rest = ["function* ", "function ", "class ", "const ", "let "]
        .iter()
        .find_map(|keyword| rest.strip_prefix(keyword))?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The top-level statements of `source`: imports and export lists (which may span lines up to
/// their `;`) parsed, every other line kept.
fn statements(source: &str) -> Result<Vec<Statement<'_>>, String> {
    let mut out = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        let import = line.starts_with("import ");
        if !(import || line.starts_with("export {")) {
            out.push(Statement::Code(line));
            continue;
        }
        let start = line.as_ptr() as usize - source.as_ptr() as usize;
        let mut end = start + line.len();
        while !source[start..end].trim_end().ends_with(';') {
            let next = lines
                .next()
                .ok_or_else(|| format!("an unfinished statement: {line}"))?;
            end = next.as_ptr() as usize - source.as_ptr() as usize + next.len();
        }
        let text = &source[start..end];
        let (Some(open), Some(close)) = (text.find('{'), text.find('}')) else {
            return Err(format!(
                "only `{{ … }}` imports and exports are bundled: {line}"
            ));
        };
        let names = text[open + 1..close].to_owned();
        let tail = text[close + 1..].trim().trim_end_matches(';').trim();
        let from = tail
            .strip_prefix("from ")
            .map(|from| from.trim().trim_matches('"'));
        out.push(match (import, from) {
            (_, Some(from)) if !from.starts_with("./") => {
                return Err(format!("an import from outside muxd's files: {from}"));
            }
            (true, Some(from)) => Statement::Import { names, from },
            (false, Some(from)) => Statement::ReExport { names, from },
            (false, None) => Statement::ExportList(names),
            (true, None) => return Err(format!("an import without `from`: {line}")),
        });
    }
    Ok(out)
}

/// `const { a, b: c } = <module>;` for the import list `a, b as c`.
fn destructure(names: &str, from: &str) -> String {
    let fields: Vec<String> = list(names)
        .iter()
        .map(|name| match name.split_once(" as ") {
            Some((name, local)) => format!("{}: {}", name.trim(), local.trim()),
            None => name.clone(),
        })
        .collect();
    format!(
        "const {{ {} }} = {};\n",
        fields.join(", "),
        binding(from.trim_start_matches("./"))
    )
}

fn list(names: &str) -> Vec<String> {
    names
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The constant holding a module's exports: `uploader-item.js` → `__uploader_item`.
fn binding(file: &str) -> String {
    let stem = file.trim_end_matches(".js");
    let safe: String = stem
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    format!("__{safe}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = "export const KIB = 1024;\nexport function kib(n) {\n  return n * KIB;\n}\nfunction hidden() {}\n";
    const ITEM: &str = "import { kib } from \"./rules.js\";\nexport class Item {}\nexport async function size() {\n  return kib(2);\n}\n";
    const ENTRY: &str = "// entry\nimport { Item,\n  size as bytes } from \"./item.js\";\n\nexport {\n  KIB, kib,\n} from \"./rules.js\";\nexport { Item };\nconsole.log(bytes);\n";

    #[test]
    fn imported_modules_come_first_once_and_the_entry_keeps_its_exports() {
        let out = bundle(ENTRY, &[("item.js", ITEM), ("rules.js", RULES)]).unwrap();
        let rules = out.find("const __rules = (() => {").unwrap();
        let item = out.find("const __item = (() => {").unwrap();
        assert!(rules < item, "{out}");
        assert_eq!(out.matches("const __rules = (() =>").count(), 1, "{out}");
        assert!(out.contains("return { KIB, kib };"), "{out}");
        assert!(out.contains("return { Item, size };"), "{out}");
        assert!(out.contains("function hidden() {}"), "{out}");
        assert!(out.contains("const { kib } = __rules;"), "{out}");
        assert!(
            out.contains("const { Item, size: bytes } = __item;"),
            "{out}"
        );
        assert!(
            out.contains("const { KIB, kib } = __rules;\nexport { KIB, kib };"),
            "{out}"
        );
        assert!(out.contains("export { Item };"), "{out}");
        assert!(!out.contains("import "), "{out}");
        assert!(
            !out.contains("export const") && !out.contains("export class"),
            "{out}"
        );
    }

    #[test]
    fn forms_it_does_not_bundle_are_named() {
        let star = bundle("import * as x from \"./a.js\";\n", &[("a.js", "")]);
        assert!(star.unwrap_err().contains("only `{ … }`"));
        let remote = bundle("import { x } from \"https://cdn/x.js\";\n", &[]);
        assert!(remote.unwrap_err().contains("outside muxd's files"));
        let missing = bundle("import { x } from \"./gone.js\";\n", &[]);
        assert!(missing.unwrap_err().contains("no module gone.js"));
        let cycle = bundle(
            "import { a } from \"./a.js\";\n",
            &[
                ("a.js", "import { b } from \"./b.js\";\n"),
                ("b.js", "import { a } from \"./a.js\";\n"),
            ],
        );
        assert!(cycle.unwrap_err().contains("import each other"));
    }
}
