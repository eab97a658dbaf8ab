// SPDX-License-Identifier: GPL-2.0

//! The kfunc names SKF_REQUIRE_API(N) calls to fail a load: no module offers
//! them, so libbpf's verifier log names the needed and the found level
//! ("kfunc 'skf_needs_api_3_but_module_is_api_2' is referenced but wasn't
//! resolved"). The header generator writes them and `prog check` reads them.

const PREFIX: &str = "skf_needs_api_";

/// The marker for needing `needed` where the module is at `found` (0: not loaded).
pub fn marker(needed: u32, found: u32) -> String {
    match found {
        0 => format!("{PREFIX}{needed}_but_module_is_not_loaded"),
        _ => format!("{PREFIX}{needed}_but_module_is_api_{found}"),
    }
}

/// (needed, found) of a marker name; None for any other name.
pub fn parse(name: &str) -> Option<(u32, u32)> {
    let (needed, found) = name.strip_prefix(PREFIX)?.split_once("_but_module_is_")?;
    let found = match found {
        "not_loaded" => 0,
        api => api.strip_prefix("api_")?.parse().ok()?,
    };
    Some((needed.parse().ok()?, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_other_names_are_not_markers() {
        assert_eq!(marker(3, 2), "skf_needs_api_3_but_module_is_api_2");
        assert_eq!(parse(&marker(3, 2)), Some((3, 2)));
        assert_eq!(parse(&marker(1, 0)), Some((1, 0)));
        assert_eq!(parse("skf_task_comm_v1"), None);
        assert_eq!(parse("skf_needs_api_x_but_module_is_api_2"), None);
    }
}
