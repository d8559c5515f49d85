//! Request and response helpers every handler shares: one way to read a JSON body,
//! one way to answer JSONL.

use crate::error::HubError;
use serde::Deserialize;

/// Parse a request body as the JSON object `T`. Bodies must be JSON objects, as the
/// OpenAPI document says: serde would otherwise read a struct from a JSON array
/// (`["globex", false]`), which no client should be able to send.
///
/// `null` is refused wherever it appears (the spec allows it in no admin request body but
/// one, see [`parse_object_allowing_null`]): an absent field takes its default, a `null`
/// one is a mistake the client should hear about.
pub(crate) fn parse_object<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, HubError> {
    parse_object_allowing_null(body, &[])
}

/// [`parse_object`], with `null` allowed for the fields named in `nullable` (wherever
/// they appear), as the spec says for that body.
pub(crate) fn parse_object_allowing_null<T: for<'de> Deserialize<'de>>(
    body: &[u8],
    nullable: &[&str],
) -> Result<T, HubError> {
    let value = parse_object_with_nulls(body)?;
    // Checked after a successful parse, so only known field names are ever echoed.
    if has_null_literal(body) {
        let v: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| HubError::from_json(&e))?;
        if let Some(path) = first_refused_null(&v, "", nullable) {
            return Err(HubError::bad(
                "malformed",
                format!("the field `{path}` must not be null; leave it out to use its default"),
            ));
        }
    }
    Ok(value)
}

/// Whether the body holds a `null` literal outside strings (a cheap scan, so bodies
/// without one are parsed once).
fn has_null_literal(body: &[u8]) -> bool {
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in body.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'n' && body[i..].starts_with(b"null") {
            return true;
        }
    }
    false
}

/// The path of the first `null` whose field is not in `nullable`.
fn first_refused_null(v: &serde_json::Value, path: &str, nullable: &[&str]) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            match x {
                Value::Null if nullable.contains(&k.as_str()) => None,
                Value::Null => Some(p),
                _ => first_refused_null(x, &p, nullable),
            }
        }),
        Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| {
            let p = format!("{path}[{i}]");
            match x {
                Value::Null => Some(p),
                _ => first_refused_null(x, &p, nullable),
            }
        }),
        _ => None,
    }
}

/// Parse a JSON object body as `T`, `null` left to `T`'s own rules: for device label
/// uploads, whose nullable fields the label grammar (`grammar::check_upload`) checks.
pub(crate) fn parse_object_with_nulls<T: for<'de> Deserialize<'de>>(
    body: &[u8],
) -> Result<T, HubError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(HubError::bad(
            "malformed",
            "the body must be a JSON object ({\"field\": value, …}); see docs/openapi.yaml",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize(&mut de) {
        Ok(value) => {
            de.end().map_err(|e| HubError::from_json(&e))?;
            Ok(value)
        }
        // `5.0` where an integer is expected: JSON has one number type, and the spec
        // says integer, so an integer-valued number is accepted (rarely taken: only after
        // the direct parse failed on a floating-point value).
        Err(e) if e.inner().to_string().contains("floating point") => {
            let mut v: serde_json::Value =
                serde_json::from_slice(body).map_err(|e| HubError::from_json(&e))?;
            integers_as_integers(&mut v);
            serde_path_to_error::deserialize(v).map_err(|e| refusal(&e))
        }
        Err(e) => Err(refusal(&e)),
    }
}

/// Turn every number with no fractional part (`5.0`) into an integer, in place.
fn integers_as_integers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    *v = Value::from(f as i64);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(integers_as_integers),
        Value::Object(m) => m.values_mut().for_each(integers_as_integers),
        _ => {}
    }
}

/// A refusal that names the field (its path, e.g. `selection.from`) and what it must be,
/// never the value that was sent.
fn refusal(e: &serde_path_to_error::Error<serde_json::Error>) -> HubError {
    let inner = e.inner();
    if !matches!(inner.classify(), serde_json::error::Category::Data) {
        return HubError::from_json(inner);
    }
    let msg = inner.to_string();
    let path = e.path().to_string();
    let at = |name: &str| match (path.as_str(), name) {
        (".", n) => n.to_string(),
        (p, "") => p.to_string(),
        (p, n) => format!("{p}.{n}"),
    };
    let quoted = |m: &str| m.split('`').nth(1).unwrap_or("").to_string();
    if msg.starts_with("unknown field") {
        return HubError::bad(
            "unknown_field",
            format!(
                "the body has a field `{}` that this endpoint does not accept",
                // the path already ends in the unknown field
                at("")
            ),
        );
    }
    if msg.starts_with("missing field") {
        return HubError::bad(
            "malformed",
            format!("the body lacks the field `{}`", at(&quoted(&msg))),
        );
    }
    // "invalid type: floating point `5.0`, expected i64 at line 1 column 9": keep only what
    // is expected, in words.
    let expected = msg
        .split("expected ")
        .nth(1)
        .map(|x| x.split(" at line ").next().unwrap_or(x))
        .unwrap_or("another value");
    let expected = match expected {
        "i64" | "u64" | "i32" | "u32" | "u16" | "u8" | "usize" => "an integer",
        "f64" | "f32" => "a number",
        "a boolean" | "bool" => "true or false",
        other => other,
    };
    // A second pass over a parsed value has no position to give.
    let position = if inner.line() == 0 {
        String::new()
    } else {
        format!(" (line {}, column {})", inner.line(), inner.column())
    };
    HubError::bad(
        "malformed",
        format!("the field `{}` must be {expected}{position}", at("")),
    )
}

/// A JSONL answer (`application/x-ndjson`): exports, ledgers and item lists.
pub(crate) fn jsonl(text: String) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    (
        [(axum::http::header::CONTENT_TYPE, "application/x-ndjson")],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::{parse_object, parse_object_allowing_null};

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Company {
        company: String,
        newly_onboarded: bool,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Plan {
        selection: Selection,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Selection {
        from: i64,
        note: Option<String>,
    }

    /// Refusals name the field by its path and what it must be, never the value.
    #[test]
    fn refusals_name_the_field_not_the_value() {
        let cases: [(&[u8], &str); 6] = [
            (
                br#"{"selection": {"from": 1e300}}"#,
                "the field `selection.from` must be an integer",
            ),
            (
                br#"{"selection": {"from": 5.5}}"#,
                "the field `selection.from` must be an integer",
            ),
            (
                br#"{"selection": {"from": "Jane Doe"}}"#,
                "the field `selection.from` must be an integer",
            ),
            (
                br#"{"selection": {"from": 1, "note": 7}}"#,
                "the field `selection.note` must be a string",
            ),
            (
                br#"{"selection": {"from": 1, "who": "Jane Doe"}}"#,
                "field `selection.who`",
            ),
            (br#"{"selection": {}}"#, "lacks the field `selection.from`"),
        ];
        for (body, says) in cases {
            let e = parse_object::<Plan>(body).unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
            assert!(!e.contains("Jane") && !e.contains("5.5"), "{e}");
        }
        assert!(parse_object::<Plan>(br#"{"selection": {"from": 1}} x"#).is_err());
        // An integer-valued number is an integer.
        let p = parse_object::<Plan>(br#"{"selection": {"from": 5.0}}"#).unwrap();
        assert_eq!(p.selection.from, 5);
    }

    #[test]
    fn only_objects() {
        assert!(
            parse_object::<Company>(br#" {"company": "globex", "newly_onboarded": false}"#).is_ok()
        );
        for body in [&br#"["globex", false]"#[..], b"", b"null", b"  \"x\""] {
            let e = parse_object::<Company>(body).unwrap_err();
            assert!(e.to_string().contains("JSON object"), "{e}");
        }
    }

    /// `null` is refused, naming the field, unless the body's spec allows it there; a
    /// "null" inside a string is text, not a null.
    #[test]
    fn nulls_are_refused_unless_allowed() {
        let e = parse_object::<Plan>(br#"{"selection": {"from": 1, "note": null}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`selection.note` must not be null"), "{e}");
        assert!(
            parse_object::<Plan>(br#"{"selection": {"from": 1, "note": "null \" null"}}"#).is_ok()
        );
        assert!(parse_object_allowing_null::<Plan>(
            br#"{"selection": {"from": 1, "note": null}}"#,
            &["note"]
        )
        .is_ok());
    }
}
