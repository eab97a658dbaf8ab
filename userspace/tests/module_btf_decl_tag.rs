//! module/btf_decl_tag.h: the stability decl tags must not be dropped
//! silently. A compiler without `btf_decl_tag` (gcc before 14) must stop at
//! the header's #error; clang must compile a tagged function.

use std::path::Path;
use std::process::Command;

const TAGGED_FUNCTION: &str = "#include \"btf_decl_tag.h\"\nSKF_TAG(\"since=1\") int skf_tagged(void) { return 0; }\n";

/// Compiles a tagged function with `compiler`: (success, stderr).
fn compile(compiler: &str) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("skf-decl-tag-{}-{compiler}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("tagged.c");
    std::fs::write(&source, TAGGED_FUNCTION).unwrap();
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("../module");
    let out = Command::new(compiler)
        .args(["-fsyntax-only", "-Werror"])
        .arg(format!("-I{}", module.display()))
        .arg(&source)
        .output()
        .unwrap_or_else(|e| panic!("{compiler} must be installed for this test (apt-get install {compiler}): {e}"));
    std::fs::remove_dir_all(&dir).unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn gcc_without_btf_decl_tag_stops_at_the_header_error() {
    let (ok, stderr) = compile("gcc");
    assert!(!ok, "gcc compiled SKF_TAG: the decl tags would be dropped silently");
    assert!(
        stderr.contains("#error") && stderr.contains("btf_decl_tag") && stderr.contains("LLVM=1"),
        "gcc failed, but not at the header's #error naming btf_decl_tag and the fix:\n{stderr}"
    );
}

#[test]
fn clang_compiles_a_tagged_function() {
    let (ok, stderr) = compile("clang");
    assert!(ok, "clang rejected SKF_TAG:\n{stderr}");
}
