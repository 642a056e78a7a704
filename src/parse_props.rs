//! Property tests of every parser that takes user text: whatever the input, none
//! panics, and what each accepts round-trips.

use crate::args::{IntArg, LinksArgs, MineArgs, PrimesArgs, parse_decimal_u64};
use crate::links::{MAX_URLS, fetchable, parse_list};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn decimal_u64s_round_trip(n: u64, pad_l in " {0,3}", pad_r in "[ \t]{0,3}", plus: bool) {
        let text = format!("{pad_l}{}{n}{pad_r}", if plus { "+" } else { "" });
        prop_assert_eq!(parse_decimal_u64("n", &text), Ok(n));
    }

    #[test]
    fn any_text_parses_or_is_refused_by_name(text in "\\PC{0,30}") {
        match parse_decimal_u64("start", &text) {
            Ok(n) => {
                // Accepted: blanks around an optional '+' and digits only, and the
                // number it names round-trips.
                let digits = text.trim().strip_prefix('+').unwrap_or(text.trim());
                prop_assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()), "accepted {text:?}");
                prop_assert_eq!(digits.parse::<u128>().ok(), Some(u128::from(n)));
            }
            Err(e) => prop_assert!(e.to_string().starts_with("start: ")),
        }
    }

    #[test]
    fn numbers_never_panic(v in proptest::num::f64::ANY) {
        match IntArg::Number(v).to_u64("count") {
            Ok(n) => prop_assert_eq!(n as f64, v),
            Err(e) => prop_assert_eq!(e.arg, "count"),
        }
    }

    #[test]
    fn link_lists_never_panic_and_keep_only_fetchable_urls(text in "(\\PC{0,40}\n){0,30}") {
        let p = parse_list(&text);
        prop_assert!(p.urls.len() <= MAX_URLS);
        for u in &p.urls {
            prop_assert!(fetchable(u).is_some(), "kept {u:?}");
        }
        let lines = text.lines().count();
        prop_assert!(p.urls.len() + p.rejected.len() + p.blank_lines <= lines);
    }

    #[test]
    fn a_list_of_web_urls_round_trips(paths in proptest::collection::vec("[a-z0-9/._-]{0,20}", 0..40)) {
        let urls: Vec<String> = paths.iter().enumerate().map(|(i, p)| format!("http://h{}.localhost:8080/{p}?i={i}", i % 7)).collect();
        let p = parse_list(&urls.join("\n"));
        prop_assert_eq!(p.urls, urls);
        prop_assert!(p.rejected.is_empty());
    }

    #[test]
    fn options_never_panic(json in "\\{(\"[a-zA-Z]{1,12}\": ?(-?[0-9]{1,25}|\"\\PC{0,12}\"|null|true|\\[\\]),? ?){0,5}\\}") {
        // Whatever the object, each options type either reads it and checks it, or
        // names what is wrong; nothing panics.
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&json) {
            if let Ok(a) = serde_json::from_value::<MineArgs>(v.clone()) { let _ = a.check(); }
            if let Ok(a) = serde_json::from_value::<PrimesArgs>(v.clone()) { let _ = a.check(); }
            if let Ok(a) = serde_json::from_value::<LinksArgs>(v.clone()) { let _ = a.check(); }
            if let Ok(j) = serde_json::from_value::<crate::gil::GilJob>(v.clone()) { let _ = j.check(); }
            if let Ok(a) = serde_json::from_value::<crate::args::ExecutorArgs>(v) { let _ = a.check(); }
        }
    }
}
