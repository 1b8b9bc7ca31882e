//! The model rnyx shows (controller state and its domain types) and every
//! panel. This crate performs no I/O: it depends on no
//! runtime, terminal or socket crate, so everything here is testable on fakes.

pub mod actions;
pub mod app;
pub mod events;
pub mod format;
pub mod graph;
pub mod header;
pub mod input;
pub mod interp;
pub mod keymap;
pub mod list;
pub mod log;
pub mod menubar;
pub mod page;
pub mod pages;
pub mod popup;
pub mod settings;
pub mod theme;

// tor's grammar and the state's types live in `rnyx-grammar`; the pages
// reach them under their old paths.
pub use rnyx_grammar::{model, text};

#[cfg(test)]
mod layering {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Each top-level module and the top-level modules its code (tests
    /// aside) names with `crate::`.
    fn imports(dir: &Path, top: Option<&str>, out: &mut BTreeMap<String, BTreeSet<String>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if name == "tests" || name == "testing" {
                continue;
            }
            let module = top.map_or_else(|| name.clone(), str::to_owned);
            if path.is_dir() {
                imports(&path, Some(&module), out);
                continue;
            }
            if module == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let deps = out.entry(module.clone()).or_default();
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let dep: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !dep.is_empty() && dep != module {
                    deps.insert(dep);
                }
            }
        }
    }

    /// A module that reaches itself through others, if any.
    fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
        fn walk(
            g: &BTreeMap<String, BTreeSet<String>>,
            at: &str,
            path: &mut Vec<String>,
        ) -> Option<Vec<String>> {
            if let Some(i) = path.iter().position(|p| p == at) {
                return Some(path[i..].to_vec());
            }
            path.push(at.to_owned());
            for next in g.get(at).into_iter().flatten() {
                if let Some(c) = walk(g, next, path) {
                    return Some(c);
                }
            }
            path.pop();
            None
        }
        graph.keys().find_map(|m| walk(graph, m, &mut Vec::new()))
    }

    #[test]
    fn no_module_imports_one_that_imports_it() {
        let mut graph = BTreeMap::new();
        imports(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            None,
            &mut graph,
        );
        assert!(
            graph.len() > 10 && graph["pages"].contains("app"),
            "{graph:?}"
        );
        assert_eq!(circle(&graph), None, "{graph:?}");
        // The check finds a circle where there is one.
        graph.get_mut("app").unwrap().insert("pages".into());
        assert!(circle(&graph).is_some());
    }
}
