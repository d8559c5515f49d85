//! Request helpers every handler shares: one way to read a JSON body.

use crate::error::HubError;
use serde::Deserialize;

/// Parse a request body as the JSON object `T`. Bodies must be JSON objects, as the
/// OpenAPI document says: serde would otherwise read a struct from a JSON array
/// (`["globex", false]`), which no client should be able to send.
pub(crate) fn parse_object<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, HubError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(HubError::bad(
            "malformed",
            "the body must be a JSON object ({\"field\": value, …}); see docs/openapi.yaml",
        ));
    }
    serde_json::from_slice(body).map_err(|e| HubError::from_json(&e))
}

#[cfg(test)]
mod tests {
    use super::parse_object;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Company {
        company: String,
        newly_onboarded: bool,
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
}
