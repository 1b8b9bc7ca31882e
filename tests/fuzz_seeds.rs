//! Every seed of every fuzz target (`fuzz/seeds/<target>`, and
//! `fuzz/artifacts/<target>` where a crash was kept) replayed through the
//! function that target calls, on stable Rust: a parser change that breaks
//! an input the fuzzer once found fails `cargo test`.

use std::path::Path;

#[test]
fn every_fuzz_seed_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for (name, target) in rnyx::fuzzing::targets::ALL {
        let mut seeds = 0;
        for dir in ["seeds", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                let run = std::panic::catch_unwind(|| target(&data));
                assert!(run.is_ok(), "{name}: {} fails", path.display());
                seeds += 1;
            }
        }
        assert!(seeds > 0, "{name}: no seed in fuzz/seeds/{name}");
        replayed += seeds;
    }
    // Every target's folder is one of the targets.
    for entry in std::fs::read_dir(root.join("seeds")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            rnyx::fuzzing::targets::ALL.iter().any(|(n, _)| *n == name),
            "fuzz/seeds/{name} names no target"
        );
    }
    eprintln!("{replayed} seeds replayed");
}
