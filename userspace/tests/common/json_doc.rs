// SPDX-License-Identifier: GPL-2.0

//! docs/skf-json.md, the contract of skf's JSON documents, as the tests read
//! it: the fields it lists for each document, and the fields of a document
//! skf printed. Shared by the host tests and skf's own unit tests (for the
//! documents that need a loaded module).

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeSet;
use std::fmt;

const CONTRACT: &str = include_str!("../../../docs/skf-json.md");

/// The field paths docs/skf-json.md lists for `document` (`skf kfunc list`,
/// `error`): the first column of the table under the `###` heading that
/// names it in backquotes.
pub fn documented_fields(document: &str) -> BTreeSet<String> {
    let named = format!("`{document}`");
    let mut lines =
        CONTRACT.lines().skip_while(|l| !(l.starts_with("### ") && l.split(", ").any(|name| name.trim_start_matches("### ") == named)));
    assert!(lines.next().is_some(), "docs/skf-json.md has no section for {named}");
    let fields: BTreeSet<String> = lines
        .take_while(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with("| `"))
        .map(|row| row.split('|').nth(1).unwrap_or_default().trim().trim_matches('`').to_string())
        .collect();
    assert!(!fields.is_empty(), "docs/skf-json.md's section for {named} has no field table");
    fields
}

/// The field paths of the JSON document `text`: `a`, `a.b` in an object
/// field, `a[].b` in the objects of an array field. Panics where the text is
/// not JSON, is not an object, or an object repeats a field.
pub fn field_paths(text: &str) -> BTreeSet<String> {
    let node: Node = serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    assert!(matches!(node, Node::Object(_)), "not a JSON object: {text}");
    let mut paths = BTreeSet::new();
    collect(&node, "", &mut paths, text);
    paths
}

fn collect(node: &Node, prefix: &str, paths: &mut BTreeSet<String>, text: &str) {
    match node {
        Node::Object(fields) => {
            let mut seen = BTreeSet::new();
            for (name, value) in fields {
                assert!(seen.insert(name), "field {prefix}{name} appears twice in: {text}");
                let path = format!("{prefix}{name}");
                collect(value, &format!("{path}."), paths, text);
                paths.insert(path);
            }
        }
        Node::Array(items) => {
            let inner = format!("{}[].", prefix.trim_end_matches('.'));
            items.iter().for_each(|item| collect(item, &inner, paths, text));
        }
        Node::Scalar => {}
    }
}

/// A JSON value with its objects' fields in order, repeats kept (serde_json's
/// Value keeps only the last of a repeated field).
enum Node {
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    Scalar,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Scalar)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Scalar)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Scalar)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Scalar)
    }

    fn visit_str<E>(self, _: &str) -> Result<Node, E> {
        Ok(Node::Scalar)
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Scalar)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut fields = Vec::new();
        while let Some(field) = map.next_entry()? {
            fields.push(field);
        }
        Ok(Node::Object(fields))
    }
}
