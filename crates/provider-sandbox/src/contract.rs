//! Checks JSON against a provider's published OpenAPI schemas, strictly.
//!
//! The sandbox must play each provider as published, not as kassabok's clients believe.
//! [`Spec`] holds a provider's OpenAPI document (as JSON) and checks a value against one of
//! its schemas. It is strict where OpenAPI is lenient: a property the schema does not
//! declare is a [`Violation`] (unless the schema allows `additionalProperties`), so a field
//! the sandbox invents fails. Supported keywords: `$ref` (local), `type`, `nullable`,
//! `properties`, `required`, `additionalProperties`, `items`, `enum`, `pattern`,
//! `minLength`/`maxLength`, `minimum`/`maximum`, `minItems`/`maxItems`, `oneOf`, `anyOf`,
//! `allOf`, and the formats `date-time`, `uuid` and `int32`/`int64`.
//!
//! ```
//! use provider_sandbox::contract::Spec;
//! use serde_json::json;
//!
//! let spec = Spec::new(json!({"components": {"schemas": {"Money": {
//!     "type": "object",
//!     "required": ["value"],
//!     "properties": {"value": {"type": "string", "pattern": "^-?[0-9]+[.][0-9]{2}$"}}
//! }}}}));
//! assert!(spec.check("Money", &json!({"value": "12.50"})).is_empty());
//! let wrong = spec.check("Money", &json!({"value": 12.5, "invented": true}));
//! let mut paths: Vec<&str> = wrong.iter().map(|v| v.path.as_str()).collect();
//! paths.sort();
//! assert_eq!(paths, ["$.invented", "$.value"]);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One way a value breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, as a JSON path (`$.transaction_details[0].transaction_info.fee_amount`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A provider's OpenAPI document and how strictly to read it.
#[derive(Debug)]
pub struct Spec {
    doc: Value,
    check_required: bool,
    pattern_alternatives: Vec<(String, String)>,
    regexes: Mutex<HashMap<String, Option<regex::Regex>>>,
}

impl Spec {
    /// A spec from an OpenAPI document (schemas under `components.schemas`); `required` is
    /// checked.
    pub fn new(doc: Value) -> Spec {
        Spec {
            doc,
            check_required: true,
            pattern_alternatives: Vec::new(),
            regexes: Mutex::new(HashMap::new()),
        }
    }

    /// Does not check `required`: for examples older than the schema (Klarna's 2020 SDK
    /// test data predates totals that the schema now requires). Unknown fields and wrong
    /// types still fail.
    #[must_use]
    pub fn without_required(mut self) -> Spec {
        self.check_required = false;
        self
    }

    /// Also accepts a value matching `alternative` where the schema's `pattern` is
    /// `pattern`: for a documented deviation of the provider from its own pattern (PayPal
    /// writes offsets as `+0000`, which its `date_time` pattern does not allow).
    #[must_use]
    pub fn allow_pattern(mut self, pattern: &str, alternative: &str) -> Spec {
        self.pattern_alternatives
            .push((pattern.to_owned(), alternative.to_owned()));
        self
    }

    /// The OpenAPI document.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// The schema `components.schemas.<name>`, if the document has it.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.doc["components"]["schemas"].get(name)
    }

    /// Checks `value` against the schema `components.schemas.<name>`.
    ///
    /// # Panics
    /// When the document has no such schema (a test naming a schema wrongly).
    pub fn check(&self, name: &str, value: &Value) -> Vec<Violation> {
        let schema = self
            .schema(name)
            .unwrap_or_else(|| panic!("no schema {name:?} in the document"));
        self.check_schema(schema, value)
    }

    /// Checks `value` against `schema` (which may `$ref` into the document).
    pub fn check_schema(&self, schema: &Value, value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.walk(schema, value, "$", &mut out);
        out
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        for _ in 0..32 {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let pointer = r.trim_start_matches('#');
                    match self.doc.pointer(pointer) {
                        Some(target) => s = target,
                        None => return s,
                    }
                }
                None => return s,
            }
        }
        s
    }

    fn regex(&self, pattern: &str) -> Option<regex::Regex> {
        let mut cache = self
            .regexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .entry(pattern.to_owned())
            .or_insert_with(|| regex::Regex::new(pattern).ok())
            .clone()
    }

    fn matches_pattern(&self, pattern: &str, text: &str) -> Result<bool, String> {
        let Some(re) = self.regex(pattern) else {
            return Err(format!("pattern {pattern:?} cannot be checked"));
        };
        if re.is_match(text) {
            return Ok(true);
        }
        Ok(self
            .pattern_alternatives
            .iter()
            .filter(|(p, _)| p == pattern)
            .any(|(_, alt)| self.regex(alt).is_some_and(|re| re.is_match(text))))
    }

    fn walk(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let schema = self.resolve(schema);
        let mut fail = |message: String| {
            out.push(Violation {
                path: path.to_owned(),
                message,
            });
        };
        if value.is_null() {
            if schema.get("nullable").and_then(Value::as_bool) != Some(true)
                && schema.get("type").is_some()
            {
                fail("null where the schema allows no null".to_owned());
            }
            return;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.walk_loose(s, value, path, out);
            }
            self.unknown_properties_of_all(all, value, path, out);
            return;
        }
        for (key, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            if let Some(options) = schema.get(key).and_then(Value::as_array) {
                let passing = options
                    .iter()
                    .filter(|s| self.check_schema(s, value).is_empty())
                    .count();
                let ok = if exactly_one {
                    passing == 1
                } else {
                    passing >= 1
                };
                if !ok {
                    out.push(Violation {
                        path: path.to_owned(),
                        message: format!("matches {passing} of the {key} schemas"),
                    });
                }
                return;
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            out.push(Violation {
                path: path.to_owned(),
                message: format!("{value} is not one of the enum values"),
            });
        }
        let ty = schema.get("type").and_then(Value::as_str);
        match ty {
            Some("object") | None if value.is_object() => {
                self.walk_object(schema, value, path, out)
            }
            Some("object") => self.wrong_type("object", value, path, out),
            Some("array") => match value.as_array() {
                Some(items) => {
                    let n = items.len() as u64;
                    if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                        && n < min
                    {
                        self.push(out, path, format!("{n} items, fewer than {min}"));
                    }
                    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                        && n > max
                    {
                        self.push(out, path, format!("{n} items, more than {max}"));
                    }
                    if let Some(item) = schema.get("items") {
                        for (i, v) in items.iter().enumerate() {
                            self.walk(item, v, &format!("{path}[{i}]"), out);
                        }
                    }
                }
                None => self.wrong_type("array", value, path, out),
            },
            Some("string") => match value.as_str() {
                Some(s) => self.walk_string(schema, s, path, out),
                None => self.wrong_type("string", value, path, out),
            },
            Some("integer") => {
                if value.is_i64() || value.is_u64() {
                    self.walk_number(schema, value, path, out);
                } else {
                    self.wrong_type("integer", value, path, out);
                }
            }
            Some("number") => {
                if value.is_number() {
                    self.walk_number(schema, value, path, out);
                } else {
                    self.wrong_type("number", value, path, out);
                }
            }
            Some("boolean") if !value.is_boolean() => self.wrong_type("boolean", value, path, out),
            _ => {}
        }
    }

    /// An `allOf` member: everything but unknown properties (judged over all members).
    fn walk_loose(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let mut found = Vec::new();
        self.walk(schema, value, path, &mut found);
        let declared = self.declared(std::slice::from_ref(schema));
        out.extend(found.into_iter().filter(|v| {
            !(v.message == "not in the schema"
                && v.path
                    .strip_prefix(path)
                    .and_then(|p| p.strip_prefix('.'))
                    .is_some_and(|name| !declared.iter().any(|d| d == name)))
        }));
    }

    fn declared(&self, schemas: &[Value]) -> Vec<String> {
        schemas
            .iter()
            .flat_map(|s| {
                self.resolve(s)
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|p| p.keys().cloned().collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .collect()
    }

    fn unknown_properties_of_all(
        &self,
        all: &[Value],
        value: &Value,
        path: &str,
        out: &mut Vec<Violation>,
    ) {
        let declared = self.declared(all);
        if let Some(obj) = value.as_object() {
            for key in obj.keys().filter(|k| !declared.contains(k)) {
                self.push(
                    out,
                    &format!("{path}.{key}"),
                    "not in the schema".to_owned(),
                );
            }
        }
    }

    fn walk_object(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let Some(obj) = value.as_object() else {
            return;
        };
        let empty = serde_json::Map::new();
        let props = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if self.check_required
            && let Some(required) = schema.get("required").and_then(Value::as_array)
        {
            for name in required.iter().filter_map(Value::as_str) {
                if !obj.contains_key(name) {
                    self.push(out, path, format!("required property {name:?} is missing"));
                }
            }
        }
        let additional = schema.get("additionalProperties");
        for (key, v) in obj {
            let child = format!("{path}.{key}");
            match (props.get(key), additional) {
                (Some(s), _) => self.walk(s, v, &child, out),
                (None, Some(Value::Bool(true))) => {}
                (None, Some(s @ Value::Object(_))) => self.walk(s, v, &child, out),
                (None, _) => self.push(out, &child, "not in the schema".to_owned()),
            }
        }
    }

    fn walk_string(&self, schema: &Value, s: &str, path: &str, out: &mut Vec<Violation>) {
        let chars = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && chars < min
        {
            self.push(out, path, format!("{s:?} is shorter than {min}"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && chars > max
        {
            self.push(out, path, format!("{s:?} is longer than {max}"));
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            match self.matches_pattern(pattern, s) {
                Ok(true) => {}
                Ok(false) => self.push(out, path, format!("{s:?} does not match {pattern:?}")),
                Err(e) => self.push(out, path, e),
            }
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("date-time") if OffsetDateTime::parse(s, &Rfc3339).is_err() => {
                self.push(out, path, format!("{s:?} is not an RFC 3339 date-time"));
            }
            Some("uuid") if !is_uuid(s) => {
                self.push(out, path, format!("{s:?} is not a UUID"));
            }
            _ => {}
        }
    }

    fn walk_number(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let as_i128 = value
            .as_i64()
            .map(i128::from)
            .or_else(|| value.as_u64().map(i128::from));
        let bound = |key: &str| {
            schema
                .get(key)
                .and_then(|b| b.as_i64().map(i128::from).or(b.as_u64().map(i128::from)))
        };
        if let Some(v) = as_i128 {
            if let Some(min) = bound("minimum")
                && v < min
            {
                self.push(out, path, format!("{v} is below the minimum {min}"));
            }
            if let Some(max) = bound("maximum")
                && v > max
            {
                self.push(out, path, format!("{v} is above the maximum {max}"));
            }
            if schema.get("format").and_then(Value::as_str) == Some("int32")
                && i32::try_from(v).is_err()
            {
                self.push(out, path, format!("{v} does not fit int32"));
            }
        }
    }

    fn wrong_type(&self, expected: &str, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let got = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        self.push(out, path, format!("{got} where the schema says {expected}"));
    }

    fn push(&self, out: &mut Vec<Violation>, path: &str, message: String) {
        out.push(Violation {
            path: path.to_owned(),
            message,
        });
    }
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Spec {
        Spec::new(json!({"components": {"schemas": {
            "Id": {"type": "string", "format": "uuid"},
            "Item": {"type": "object", "required": ["id", "n"], "properties": {
                "id": {"$ref": "#/components/schemas/Id"},
                "n": {"type": "integer", "format": "int32", "minimum": 0},
                "kind": {"type": "string", "enum": ["A", "B"]},
                "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}}
            }},
            "Either": {"oneOf": [{"$ref": "#/components/schemas/Item"}, {"type": "string"}]}
        }}}))
    }

    #[test]
    fn each_keyword_is_checked() {
        let s = spec();
        let ok = json!({"id": "33db6f16-9f43-43fa-a587-cc51411c98e4", "n": 1, "kind": "A"});
        assert_eq!(s.check("Item", &ok), vec![]);
        let bad = json!({"id": "x", "n": -1, "kind": "C", "tags": ["a", "b", 3], "extra": 1});
        let mut found: Vec<String> = s
            .check("Item", &bad)
            .iter()
            .map(ToString::to_string)
            .collect();
        found.sort();
        assert_eq!(
            found,
            vec![
                "$.extra: not in the schema",
                "$.id: \"x\" is not a UUID",
                "$.kind: \"C\" is not one of the enum values",
                "$.n: -1 is below the minimum 0",
                "$.tags: 3 items, more than 2",
                "$.tags[2]: number where the schema says string",
            ]
        );
        assert_eq!(s.check("Item", &json!({"n": 1})).len(), 1);
        assert!(s.check("Either", &json!("text")).is_empty());
        assert_eq!(s.check("Either", &json!(5)).len(), 1);
    }

    #[test]
    fn required_can_be_left_unchecked() {
        let s = spec().without_required();
        assert!(s.check("Item", &json!({"n": 1})).is_empty());
    }
}
