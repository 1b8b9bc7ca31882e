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
