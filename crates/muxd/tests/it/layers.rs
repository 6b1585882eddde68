//! Imports point one way, and this test holds the tree to it inside each crate (between crates,
//! Cargo holds it). In every crate of the workspace no two top-level modules import each other,
//! directly or around a loop; in a crate of several layers (`muxd`, `muxd-core`) every import
//! points down them. A module's imports are the `crate::NAME` paths in its files
//! (`crate::{a, b}` groups too), outside comments, strings, `#[cfg(test)] mod … { … }` blocks and
//! `*tests.rs` files (`layers_scan` reads them). The checks are pure functions of the imports
//! found, proved to fail on a synthetic crate and on a copy of `muxd-core/src` with an upward
//! import added.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::layers_scan::{crates_dir, imports_in, scan, workspace_crates, Import};

/// The layers inside a crate, top first, for each crate with more than one: a module may import
/// only modules of layers below its own. Between crates, Cargo holds the order (each crate
/// depends only on those below it, and a dependency the other way would be a cycle Cargo
/// refuses); inside one, only this test does. `cli` has a layer to itself above `dev` and
/// `doctor` because it dispatches to them.
const LAYERS: &[(&str, &[&[&str]])] = &[
    (
        "muxd",
        &[&["cli"], &["dev", "doctor", "healthcheck"], &["app"]],
    ),
    (
        "muxd-core",
        &[
            &["jobs"],
            &["service"],
            &["identity", "telemetry"],
            &["config"],
        ],
    ),
];

// ---- The checks: pure functions of the imports found. ----

/// Each group of modules that import one another around a loop, with the imports that close it.
fn cycles(imports: &[Import]) -> Vec<String> {
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for import in imports {
        edges.entry(&import.from).or_default().insert(&import.to);
    }
    let reachable = |start: &str| {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![start]);
        while let Some(module) = todo.pop() {
            for &next in edges.get(module).into_iter().flatten() {
                if seen.insert(next) {
                    todo.push(next);
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&str, BTreeSet<&str>> =
        edges.keys().map(|&m| (m, reachable(m))).collect();
    let mut reported = BTreeSet::new();
    let mut problems = Vec::new();
    for (&module, from_here) in &reaches {
        if !from_here.contains(module) || reported.contains(module) {
            continue;
        }
        let group: BTreeSet<&str> = from_here
            .iter()
            .copied()
            .filter(|other| reaches.get(other).is_some_and(|r| r.contains(module)))
            .collect();
        reported.extend(group.iter().copied());
        let closing: Vec<String> = imports
            .iter()
            .filter(|i| group.contains(i.from.as_str()) && group.contains(i.to.as_str()))
            .map(|i| format!("  {i}"))
            .collect();
        let names: Vec<&str> = group.into_iter().collect();
        problems.push(format!(
            "import cycle between {}:\n{}",
            names.join(", "),
            closing.join("\n")
        ));
    }
    problems
}

/// Each import that does not point to a lower layer, and each module no layer names.
fn upward(imports: &[Import], modules: &BTreeSet<String>, layers: &[&[&str]]) -> Vec<String> {
    let layer = |module: &str| layers.iter().position(|l| l.contains(&module));
    let mut problems: Vec<String> = modules
        .iter()
        .filter(|m| layer(m).is_none())
        .map(|m| format!("module `{m}` is in no layer: give it one in LAYERS"))
        .collect();
    for import in imports {
        if let (Some(from), Some(to)) = (layer(&import.from), layer(&import.to)) {
            if to <= from {
                problems.push(format!(
                    "{import} points up: layer {from} may import only layers below it, and \
                     `{}` is layer {to}",
                    import.to
                ));
            }
        }
    }
    problems
}

// ---- The tree as it is. ----

#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    let crates = workspace_crates();
    assert!(crates.contains(&"muxd".to_owned()), "{crates:?}");
    let mut problems = Vec::new();
    for name in crates {
        let (_, imports) = scan(
            &crates_dir().join(&name).join("src"),
            &format!("crates/{name}/src"),
        );
        problems.extend(cycles(&imports));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn imports_point_down_each_crates_layers() {
    let mut problems = Vec::new();
    for (name, layers) in LAYERS {
        let (modules, imports) = scan(
            &crates_dir().join(name).join("src"),
            &format!("crates/{name}/src"),
        );
        assert!(!imports.is_empty(), "{name}: {modules:?}");
        problems.extend(upward(&imports, &modules, layers));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---- The checks can fail. ----

/// A synthetic crate of four modules: `domain` imports `web` (up, and a cycle with `web`), and
/// `service` and `store` import each other (a cycle, and `store` → `service` is up).
fn synthetic() -> (BTreeSet<String>, Vec<Import>) {
    let modules: BTreeSet<String> = ["domain", "web", "service", "store"]
        .map(String::from)
        .into();
    let files = [
        (
            "domain",
            "src/domain/ids.rs",
            "use std::fmt;\nuse crate::web::Router;\n",
        ),
        (
            "web",
            "src/web/mod.rs",
            "use crate::{domain, service::{Uploads, live}};\n",
        ),
        (
            "service",
            "src/service/mod.rs",
            "use crate::store::Store;\n",
        ),
        (
            "store",
            "src/store/mod.rs",
            "//! Not `crate::web`.\nfn f() -> crate::service::X {}\n",
        ),
    ];
    let imports = files
        .iter()
        .flat_map(|(module, file, source)| imports_in(module, file, source, &modules))
        .collect();
    (modules, imports)
}

#[test]
fn the_checks_name_the_file_and_import_of_a_cycle_and_an_upward_import() {
    let (modules, imports) = synthetic();
    let found: Vec<(&str, &str)> = imports
        .iter()
        .map(|i| (i.from.as_str(), i.to.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("domain", "web"),
            ("web", "domain"),
            ("web", "service"),
            ("service", "store"),
            ("store", "service")
        ]
    );

    let loops = cycles(&imports);
    assert_eq!(loops.len(), 2, "{loops:#?}");
    assert!(loops[0].starts_with("import cycle between domain, web:"));
    assert!(
        loops[0].contains("src/domain/ids.rs:2: `crate::web`"),
        "{}",
        loops[0]
    );
    assert!(
        loops[0].contains("src/web/mod.rs:1: `crate::domain`"),
        "{}",
        loops[0]
    );
    assert!(loops[1].starts_with("import cycle between service, store:"));
    assert!(
        loops[1].contains("src/store/mod.rs:2: `crate::service`"),
        "{}",
        loops[1]
    );

    let layers: &[&[&str]] = &[&["web"], &["service"], &["store"], &["domain"]];
    let up = upward(&imports, &modules, layers);
    assert_eq!(up.len(), 2, "{up:#?}");
    assert!(
        up[0].starts_with("src/domain/ids.rs:2: `crate::web`"),
        "{}",
        up[0]
    );
    assert!(
        up[1].starts_with("src/store/mod.rs:2: `crate::service`"),
        "{}",
        up[1]
    );
    // A module no layer names is an error too, so a new module must be placed.
    let unplaced = upward(&[], &modules, &[&["web"]]);
    assert_eq!(unplaced.len(), 3, "{unplaced:#?}");
}

#[test]
fn the_scanner_skips_comments_strings_and_test_modules() {
    let modules: BTreeSet<String> = ["a", "b", "c", "d", "e"].map(String::from).into();
    let source = r##"
        use crate::{a::{x, y}, b};           // and not crate::c
        /* crate::c /* nested crate::c */ still a comment: crate::c */
        const S: &str = "crate::c \" crate::c";
        const R: &str = r#"crate::c "quoted" crate::c"#;
        const Q: char = '"';
        fn f<'t>(x: &'t str) -> crate::d::D { make() }
        #[cfg(test)]
        mod tests {
            use crate::c;
            fn g() { if true { crate::c::h() } }
        }
        #[cfg(test)]
        #[path = "e_tests.rs"]
        mod more_tests;
        fn after() -> crate::e::E { mycrate::c::X }
    "##;
    let found: Vec<(String, usize)> = imports_in("z", "z.rs", source, &modules)
        .into_iter()
        .map(|i| (i.to, i.line))
        .collect();
    let expected = [("a", 2), ("b", 2), ("d", 7), ("e", 16)];
    assert_eq!(found, expected.map(|(m, l)| (m.to_owned(), l)));
}

#[test]
fn an_upward_import_added_to_a_copy_of_muxd_core_fails_naming_the_file_and_the_import() {
    let copy = tempfile::TempDir::new().unwrap();
    copy_dir(&crates_dir().join("muxd-core/src"), copy.path());
    let config = copy.path().join("config/mod.rs");
    let mut source = fs::read_to_string(&config).unwrap();
    source.push_str("\nuse crate::jobs;\n");
    fs::write(&config, &source).unwrap();
    let line = source.lines().count();

    let (modules, imports) = scan(copy.path(), "copy");
    let expected = format!("copy/config/mod.rs:{line}: `crate::jobs`");
    let (_, core_layers) = LAYERS
        .iter()
        .find(|(name, _)| *name == "muxd-core")
        .unwrap();
    let up = upward(&imports, &modules, core_layers);
    assert!(
        up.iter().any(|p| p.starts_with(&expected)),
        "{expected} not in {up:#?}"
    );
    let loops = cycles(&imports);
    assert!(
        loops.iter().any(|c| c.contains(&expected)),
        "{expected} not in {loops:#?}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}
