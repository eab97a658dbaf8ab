//! skf's help and error text, held to the golden files in tests/cmd/ so the
//! command-line contract cannot drift unnoticed. After an intended change,
//! `TRYCMD=overwrite cargo test -p skf --test cli` rewrites them: review the diff.

#[test]
fn help_and_error_text_match_the_golden_files() {
    trycmd::TestCases::new().register_bin("skf", trycmd::schema::Bin::Path(env!("CARGO_BIN_EXE_skf").into())).case("tests/cmd/*.trycmd").case("tests/cmd/*.toml");
}
