//! No import circles in any crate of the workspace: among the modules of
//! one parent (the crate's top-level modules, a module's submodules), none
//! reaches itself through the others. Tests are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module of the crate in `src` (`a::b`, the crate root `""`) and
/// the modules its code names with `crate::`, `super::` or `self::`.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn modules(src: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if name == "tests" || name == "testing" {
                continue;
            }
            let mut here = prefix.to_vec();
            if path.is_dir() {
                here.push(name);
                walk(&path, &here, out);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            if !matches!(name.as_str(), "lib" | "main" | "mod") {
                here.push(name);
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = code_of(&text);
            out.entry(here.join("::")).or_default().push_str(&code);
        }
    }
    let mut out = BTreeMap::new();
    walk(src, &[], &mut out);
    out
}

/// A file's code without comments and tests: a test module declared on
/// one line (`#[cfg(test)] mod testing;`) is left out, an inline one ends
/// the code (tests come last).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            match lines.next() {
                Some(next) if next.trim_end().ends_with(';') => continue,
                _ => break,
            }
        }
        if !line.trim_start().starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn graph(src: &Path) -> Graph {
    let code = modules(src);
    let mut graph = Graph::new();
    for (module, text) in &code {
        let own: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        let deps = graph.entry(module.clone()).or_default();
        for start in ["crate::", "super::", "self::"] {
            for (i, _) in text.match_indices(start) {
                let before = text[..i].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let path: String = text[i..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
                let mut full: Vec<&str> = Vec::new();
                if segs.first() == Some(&"crate") {
                    segs.remove(0);
                } else {
                    full.extend(&own);
                    while let Some(&s) = segs.first() {
                        match s {
                            "super" => {
                                full.pop();
                            }
                            "self" => {}
                            _ => break,
                        }
                        segs.remove(0);
                    }
                }
                full.extend(segs);
                // The longest prefix that is a module.
                let target = (0..=full.len())
                    .rev()
                    .map(|k| full[..k].join("::"))
                    .find(|m| code.contains_key(m));
                if let Some(t) = target.filter(|t| t != module) {
                    deps.insert(t);
                }
            }
        }
    }
    graph
}

fn parent(m: &str) -> &str {
    m.rfind("::").map_or("", |i| &m[..i])
}

/// A path from `at` back to a module on `path`, if any.
fn walk<'a>(
    g: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    at: &'a str,
    path: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
) -> Option<Vec<String>> {
    if let Some(i) = path.iter().position(|p| *p == at) {
        return Some(path[i..].iter().map(|s| (*s).to_owned()).collect());
    }
    if !done.insert(at) {
        return None;
    }
    path.push(at);
    for next in g.get(at).into_iter().flatten() {
        if let Some(c) = walk(g, next, path, done) {
            return Some(c);
        }
    }
    path.pop();
    None
}

/// A circle among the children of one module, as the children's names.
fn circle(graph: &Graph) -> Option<Vec<String>> {
    let parents: BTreeSet<&str> = graph
        .keys()
        .filter(|m| !m.is_empty())
        .map(|m| parent(m))
        .collect();
    for p in parents {
        let children: Vec<&String> = graph
            .keys()
            .filter(|m| !m.is_empty() && parent(m) == p)
            .collect();
        // The child of `p` that `m` is or is inside.
        let child_of = |m: &str| {
            children
                .iter()
                .find(|c| m == c.as_str() || m.starts_with(&format!("{c}::")))
                .map(|c| c.as_str())
        };
        let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (from, deps) in graph {
            let Some(a) = child_of(from) else { continue };
            for to in deps {
                if let Some(b) = child_of(to).filter(|b| *b != a) {
                    edges.entry(a).or_default().insert(b);
                }
            }
        }
        let mut done = BTreeSet::new();
        for c in &children {
            if let Some(found) = walk(&edges, c, &mut Vec::new(), &mut done) {
                return Some(found);
            }
        }
    }
    None
}

fn check(crate_src: &str, known: (&str, &str)) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(crate_src);
    let mut g = graph(&src);
    // The graph is read: a module known to use another is seen to.
    assert!(
        g.get(known.0).is_some_and(|d| d.contains(known.1)),
        "{crate_src}: {} -> {} not seen in {g:?}",
        known.0,
        known.1
    );
    assert_eq!(circle(&g), None, "{crate_src}: {g:?}");
    // And a circle is found where there is one.
    g.get_mut(known.1).unwrap().insert(known.0.to_owned());
    assert!(
        circle(&g).is_some(),
        "{crate_src}: the check finds no circle"
    );
}

#[test]
fn no_import_circles_in_rnyx() {
    check("src", ("controller", "host"));
}

#[test]
fn no_import_circles_in_the_pages() {
    check("panels/src", ("pages", "app"));
    // What follows a test module declared on one line is read too.
    let g = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("panels/src"));
    assert!(g["page"].contains("keymap"), "{:?}", g["page"]);
    check("panels/src", ("popup", "page"));
}

#[test]
fn no_import_circles_in_the_grammar() {
    check("grammar/src", ("event", "model"));
}

#[test]
fn submodules_are_checked_too() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut g = graph(&src);
    let (a, b) = ("procfs::sockets", "procfs::diag");
    assert!(g[a].contains(b), "{:?}", g[a]);
    g.get_mut(b).unwrap().insert(a.to_owned());
    assert_eq!(
        circle(&g).map(|c| c.into_iter().collect::<BTreeSet<_>>()),
        Some([a.to_owned(), b.to_owned()].into())
    );
}
