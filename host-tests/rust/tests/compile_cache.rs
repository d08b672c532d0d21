//! Compile once: the compiled component is kept on disk and reused, a damaged entry is
//! replaced instead of failing, and entries of older builds are removed.

use std::path::{Path, PathBuf};

use jovo_dynamodb_host::{Runtime, COMPONENT};

fn load(dir: &Path) {
    Runtime::from_component(COMPONENT, Some(dir)).unwrap();
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|listing| listing.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jovo-cache-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_second_process_start_reuses_the_compiled_component() {
    let dir = fresh_dir("reuse");
    load(&dir);
    let first = entries(&dir);
    assert_eq!(first.len(), 1, "{first:?}");
    let written = std::fs::metadata(&first[0]).unwrap().modified().unwrap();
    load(&dir);
    assert_eq!(entries(&dir), first);
    assert_eq!(
        std::fs::metadata(&first[0]).unwrap().modified().unwrap(),
        written
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_damaged_cache_entry_is_replaced_not_fatal() {
    let dir = fresh_dir("damaged");
    load(&dir);
    let entry = entries(&dir).remove(0);
    std::fs::write(&entry, b"not a compiled component").unwrap();
    load(&dir);
    assert!(std::fs::metadata(&entry).unwrap().len() > 1000);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn entries_of_older_builds_are_removed_and_foreign_files_kept() {
    let dir = fresh_dir("stale");
    std::fs::create_dir_all(&dir).unwrap();
    let stale = dir.join("jovo_dynamodb-0123456789abcdef.cwasm");
    let foreign = dir.join("notes.txt");
    std::fs::write(&stale, b"old").unwrap();
    std::fs::write(&foreign, b"mine").unwrap();
    load(&dir);
    let found = entries(&dir);
    assert!(
        !found.contains(&stale) && found.contains(&foreign),
        "{found:?}"
    );
    assert_eq!(found.len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_component_file_loads_and_shares_the_cache() {
    let dir = fresh_dir("file");
    let file = dir.join("component.wasm");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&file, COMPONENT).unwrap();
    Runtime::load(&file, Some(&dir.join("cache"))).unwrap();
    load(&dir.join("cache"));
    assert_eq!(entries(&dir.join("cache")).len(), 1);
    let missing = Runtime::load(&dir.join("missing.wasm"), None)
        .err()
        .unwrap();
    assert!(missing.to_string().contains("missing.wasm"), "{missing}");
    std::fs::remove_dir_all(&dir).unwrap();
}
