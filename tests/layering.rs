//! The layering of docs/architecture.md, checked on the code. In every
//! crate of the workspace, no import circles: among the modules of one
//! parent (the crate's top-level modules, a module's submodules), none
//! reaches itself through the others. And the named rules: each crate's
//! top-level modules in layers, a module using only its own layer and those
//! below; the controller task knowing neither recordings nor the screen;
//! other modules naming only the task's contract. Tests are left out.

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
            // A crate's or a binary's root, or a module's file.
            if !matches!(name.as_str(), "lib" | "main" | "watch_main" | "mod") {
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

/// A file's code without comments and tests: every item under
/// `#[cfg(test)]` is left out — a module declared on one line
/// (`#[cfg(test)] mod testing;`), or an item with a body (`#[cfg(test)]
/// mod tests { … }`), to its closing brace. What follows is read.
fn code_of(text: &str) -> String {
    let code = without_comments(text);
    let mut out = String::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        rest = &rest[at + "#[cfg(test)]".len()..];
        rest = &rest[item_end(rest)..];
    }
    out.push_str(rest);
    out
}

/// Where the item that starts `code` ends: after its `;`, or after the
/// brace that closes its body. Braces in strings and character literals
/// do not count.
fn item_end(code: &str) -> usize {
    let mut depth = 0usize;
    let mut chars = code.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => skip_string(&mut chars),
            '\'' => {
                // A character literal ('{', '\''), not a lifetime ('a).
                let next: Vec<char> = code[i + 1..].chars().take(3).collect();
                let len = match next.as_slice() {
                    ['\\', _, '\'', ..] => 3,
                    [_, '\'', ..] => 2,
                    _ => 0,
                };
                for _ in 0..len {
                    chars.next();
                }
            }
            ';' if depth == 0 => return i + 1,
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// Past the end of a string literal whose `"` was just read.
fn skip_string(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) {
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return,
            _ => {}
        }
    }
}

/// The text without `//` comments (outside strings) and `/* */` blocks.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            _ => out.push(c),
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
    check("panels/src", ("app::actions", "pages"));
    // What follows a test module declared on one line is read too.
    let g = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("panels/src"));
    assert!(g["page"].contains("keymap"), "{:?}", g["page"]);
    check("panels/src", ("popup", "page"));
}

#[test]
fn no_import_circles_in_the_grammar() {
    check("grammar/src", ("getinfo", "event"));
}

#[test]
fn no_import_circles_in_the_model() {
    check("model/src", ("state", "health"));
}

/// The checker itself, on a crate made for it: a circle hidden after a
/// test module (b → a only past `#[cfg(test)] mod tests { … }`, whose body
/// holds braces in strings and characters) is found; one inside the test
/// module is not.
#[test]
fn a_circle_after_a_test_module_is_found() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/layering/circle");
    let g = graph(&src);
    assert!(g["b"].contains("a"), "{g:?}");
    assert!(
        !g["a"].contains("c"),
        "the test module's use is left out: {g:?}"
    );
    assert_eq!(
        circle(&g).map(|c| c.into_iter().collect::<BTreeSet<_>>()),
        Some(["a".to_owned(), "b".to_owned()].into())
    );
    // Lines of code past a test module are read whatever it holds.
    let code = code_of("#[cfg(test)]\nmod t {\n    const X: &str = \"}\";\n    const C: char = '}';\n    fn f<'a>(x: &'a str) -> &'a str { x }\n}\nuse crate::after;\n");
    assert!(code.contains("use crate::after;"), "{code}");
    assert!(!code.contains("const X"), "{code}");
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
/// The top-level module a module is in (`controller` of
/// `controller::apply`).
fn top(m: &str) -> &str {
    m.split("::").next().unwrap_or("")
}

/// Which top-level module uses which, with the other crates of the
/// workspace a module names (`rnyx_panels::…`) as modules of their own.
type Uses = BTreeMap<String, BTreeSet<String>>;

fn uses(crate_src: &str) -> (Uses, BTreeMap<String, String>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(crate_src);
    let code = modules(&src);
    let mut uses = Uses::new();
    for (m, deps) in graph(&src) {
        let from = top(&m).to_owned();
        for d in deps {
            if top(&d) != from {
                uses.entry(from.clone())
                    .or_default()
                    .insert(top(&d).to_owned());
            }
        }
    }
    for (m, text) in &code {
        for other in ["rnyx_panels", "rnyx_grammar", "rnyx_model"] {
            if names(text, &format!("{other}::")).next().is_some() {
                uses.entry(top(m).to_owned())
                    .or_default()
                    .insert(other.to_owned());
            }
        }
    }
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for (m, text) in code {
        texts.entry(top(&m).to_owned()).or_default().push_str(&text);
    }
    (uses, texts)
}

/// Where `path` starts in `text` as a path of its own (not the end of a
/// longer name).
fn names<'a>(text: &'a str, path: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(path).map(|(i, _)| i).filter(move |&i| {
        !text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Each use against `layers` (lowest first): `a -> b` where `b` is in a
/// layer above `a`'s. Modules in no layer (the crate root) are left out.
fn upward(uses: &Uses, layers: &[&[&str]]) -> Vec<String> {
    let layer = |m: &str| layers.iter().position(|l| l.contains(&m));
    let mut wrong = Vec::new();
    for (from, deps) in uses {
        let Some(a) = layer(from) else { continue };
        for to in deps {
            if layer(to).is_some_and(|b| b > a) {
                wrong.push(format!("{from} -> {to}"));
            }
        }
    }
    wrong
}

/// Each use of a pair in `banned` (`a` must not use `b`).
fn banned(uses: &Uses, pairs: &[(&str, &str, &str)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(a, b, _)| uses.get(*a).is_some_and(|d| d.contains(*b)))
        .map(|(a, b, why)| format!("{a} -> {b}: {why}"))
        .collect()
}

/// What modules other than `module` name of it besides `contract`
/// (`controller::spawn`, `controller::{self, ControllerConfig}`).
fn beyond_contract(
    texts: &BTreeMap<String, String>,
    module: &str,
    contract: &[&str],
) -> Vec<String> {
    let path = format!("{module}::");
    let mut wrong = Vec::new();
    for (from, text) in texts.iter().filter(|(m, _)| m.as_str() != module) {
        for i in names(text, &path) {
            let rest = &text[i + path.len()..];
            let items: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group[..group.find('}').unwrap_or(0)]
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect(),
                None => vec![rest
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("")],
            };
            for item in items {
                if item != "self" && !contract.contains(&item) {
                    wrong.push(format!("{from} names {module}::{item}"));
                }
            }
        }
    }
    wrong
}

/// rnyx's layers, lowest first (docs/architecture.md); the pages crate
/// beside nyxrc, whose keys it checks.
const RNYX_LAYERS: &[&[&str]] = &[
    &[
        "local", "control", "procfs", "manual", "files", "launch", "memory",
    ],
    &["record", "replay"],
    &["host"],
    &["history", "relays"],
    &["controller"],
    &["config", "cli", "settings", "rnyx_panels"],
    &[
        "monitor", "ui", "dump", "check", "prompt", "demo", "fuzzing", "manpage", "notify", "watch",
    ],
];

/// What the controller task must not use, and why.
const TASK_BANS: &[(&str, &str, &str)] = &[
    (
        "controller",
        "record",
        "a recording is a host (host::recording), not the task's",
    ),
    (
        "controller",
        "replay",
        "a replay is a host (host::replay), not the task's",
    ),
];

/// What code outside the controller task may name of it.
const TASK_CONTRACT: &[&str] = &[
    "ControllerConfig",
    "ControllerHandle",
    "Starting",
    "SharedState",
    "spawn",
    "spawn_with",
];

/// The pages crate's layers: widgets, the page contract and its popups,
/// the pages, the app that holds them.
const PANELS_LAYERS: &[&[&str]] = &[
    &["theme", "format", "ascii", "keymap", "list", "actions"],
    &[
        "graph", "log", "header", "input", "menubar", "popup", "page", "events", "interp",
        "settings",
    ],
    &["pages"],
    &["app"],
];

/// The grammar's layers: time; tor's value productions, words and
/// framing; events and commands; what is read of them and asked. (The
/// state's types are a crate of their own, `rnyx-model`, under it.)
const GRAMMAR_LAYERS: &[&[&str]] = &[
    &["time"],
    &[
        "spec", "args", "names", "reply", "secret", "policy", "torrc", "logfile", "signal",
        "metrics",
    ],
    &["event", "command"],
    &["getinfo", "incoming", "request"],
];

fn rnyx_rules(uses: &Uses, texts: &BTreeMap<String, String>) -> Vec<String> {
    let mut wrong = upward(uses, RNYX_LAYERS);
    wrong.extend(banned(uses, TASK_BANS));
    wrong.extend(beyond_contract(texts, "controller", TASK_CONTRACT));
    wrong
}

#[test]
fn rnyx_keeps_its_layers() {
    let (mut uses, mut texts) = uses("src");
    // Every module of the crate is in a layer.
    for m in uses.keys().chain(texts.keys()).filter(|m| !m.is_empty()) {
        assert!(
            RNYX_LAYERS.iter().any(|l| l.contains(&m.as_str())),
            "{m} is in no layer"
        );
    }
    assert_eq!(rnyx_rules(&uses, &texts), Vec::<String>::new());
    // Each of the imports these rules were written against fails them.
    let add = |uses: &mut Uses, a: &str, b: &str| {
        uses.get_mut(a).unwrap().insert(b.to_owned());
    };
    for (a, b) in [
        ("controller", "config"),      // ControllerConfig::of(&Config)
        ("controller", "rnyx_panels"), // the log file's date_time
        ("controller", "record"),      // startup's `pub use record::Entries`
    ] {
        let mut u = uses.clone();
        add(&mut u, a, b);
        let wrong = rnyx_rules(&u, &texts);
        assert!(
            wrong.iter().any(|w| w.starts_with(&format!("{a} -> {b}"))),
            "{a} -> {b}: {wrong:?}"
        );
    }
    texts
        .get_mut("prompt")
        .unwrap()
        .push_str("crate::controller::save_snapshot(p, t)");
    let wrong = rnyx_rules(&uses, &texts);
    assert_eq!(wrong, ["prompt names controller::save_snapshot"]);
    add(&mut uses, "ui", "monitor");
    assert!(
        upward(&uses, RNYX_LAYERS).is_empty(),
        "one layer's modules use each other"
    );
}

#[test]
fn the_pages_keep_their_layers() {
    let (mut uses, _) = uses("panels/src");
    for m in uses.keys().filter(|m| !m.is_empty()) {
        assert!(
            PANELS_LAYERS.iter().any(|l| l.contains(&m.as_str())),
            "{m} is in no layer"
        );
    }
    assert!(uses["app"].contains("pages"), "{uses:?}");
    assert_eq!(upward(&uses, PANELS_LAYERS), Vec::<String>::new());
    // A page that imports the app (pages.rs built the App) fails.
    uses.get_mut("pages").unwrap().insert("app".into());
    assert_eq!(upward(&uses, PANELS_LAYERS), ["pages -> app"]);
}

#[test]
fn the_grammar_keeps_its_layers() {
    let (mut uses, _) = uses("grammar/src");
    for m in uses.keys().filter(|m| !m.is_empty()) {
        assert!(
            GRAMMAR_LAYERS.iter().any(|l| l.contains(&m.as_str())),
            "{m} is in no layer"
        );
    }
    assert!(uses["event"].contains("rnyx_model"), "{uses:?}");
    assert_eq!(upward(&uses, GRAMMAR_LAYERS), Vec::<String>::new());
    // A production that reads events fails.
    uses.get_mut("spec").unwrap().insert("event".into());
    assert_eq!(upward(&uses, GRAMMAR_LAYERS), ["spec -> event"]);
}

/// The dependencies a crate's Cargo.toml names (its `[dependencies]`).
fn dependencies(crate_dir: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(crate_dir)
        .join("Cargo.toml");
    let manifest = std::fs::read_to_string(path).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("a [dependencies] table");
    let deps = deps.split("\n[").next().unwrap_or(deps);
    deps.lines()
        .filter_map(|l| l.split_once('=').map(|(n, _)| n.trim()))
        .filter(|n| !n.is_empty() && !n.starts_with('#'))
        .map(|n| n.split('.').next().unwrap_or(n).to_owned())
        .collect()
}

/// What a pure crate may not depend on: a runtime, a terminal or a socket
/// crate (by prefix), and rnyx's crates above it (`above`, by name).
fn impure(deps: &[String], above: &[&str]) -> Vec<String> {
    const RUNTIME: [&str; 6] = ["tokio", "ratatui", "crossterm", "mio", "netlink", "nix"];
    deps.iter()
        .filter(|d| RUNTIME.iter().any(|b| d.starts_with(b)) || above.contains(&d.as_str()))
        .cloned()
        .collect()
}

/// The two pure crates under the pages stay pure: the model (plain data)
/// uses no other rnyx crate, the grammar only the model.
#[test]
fn the_model_and_the_grammar_stay_pure() {
    let model = dependencies("model");
    assert!(model.contains(&"serde".to_owned()), "{model:?}");
    let above_model = ["rnyx", "rnyx-grammar", "rnyx-panels"];
    assert_eq!(impure(&model, &above_model), Vec::<String>::new());
    let grammar = dependencies("grammar");
    assert!(grammar.contains(&"rnyx-model".to_owned()), "{grammar:?}");
    assert_eq!(
        impure(&grammar, &["rnyx", "rnyx-panels"]),
        Vec::<String>::new()
    );
    // The check sees what it is for.
    let bad = [
        "tokio-util".to_owned(),
        "rnyx-grammar".to_owned(),
        "serde".to_owned(),
    ];
    assert_eq!(impure(&bad, &above_model), ["tokio-util", "rnyx-grammar"]);
}
