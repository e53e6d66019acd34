//! Splitting one SIE line into fields.

/// One field of a record line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field {
    /// A bare or quoted string, escapes resolved.
    Text { value: String, quoted: bool },
    /// An object list `{1 "100" 6 "P1"}`: its items, escapes resolved.
    Objects(Vec<String>),
}

impl Field {
    /// The text of a string field; an object list reads as the empty string.
    pub(crate) fn text(&self) -> &str {
        match self {
            Field::Text { value, .. } => value,
            Field::Objects(_) => "",
        }
    }
}

/// Why a line could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LexError {
    UnterminatedString,
    UnterminatedObjectList,
}

/// Splits a line (without its line ending) into fields separated by spaces or tabs.
///
/// Inside quotes, `\"` is a quote and `\\` a backslash; any other backslash is kept as it is
/// (real files hold Windows paths such as `"C:\Documents and Settings"`).
pub(crate) fn tokenize(line: &str) -> Result<Vec<Field>, LexError> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&c) = chars.peek() else {
            return Ok(fields);
        };
        match c {
            '"' => {
                chars.next();
                fields.push(Field::Text {
                    value: quoted(&mut chars)?,
                    quoted: true,
                });
            }
            '{' => {
                chars.next();
                let mut items = Vec::new();
                loop {
                    while chars.next_if(|c| c.is_whitespace()).is_some() {}
                    match chars.next() {
                        None => return Err(LexError::UnterminatedObjectList),
                        Some('}') => break,
                        Some('"') => items.push(quoted(&mut chars)?),
                        Some(first) => {
                            let mut item = String::from(first);
                            while let Some(c) =
                                chars.next_if(|c| !c.is_whitespace() && *c != '}' && *c != '"')
                            {
                                item.push(c);
                            }
                            items.push(item);
                        }
                    }
                }
                fields.push(Field::Objects(items));
            }
            _ => {
                let mut value = String::new();
                while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                    value.push(c);
                }
                fields.push(Field::Text {
                    value,
                    quoted: false,
                });
            }
        }
    }
}

fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, LexError> {
    let mut value = String::new();
    loop {
        match chars.next() {
            None => return Err(LexError::UnterminatedString),
            Some('"') => return Ok(value),
            Some('\\') => match chars.next_if(|c| *c == '"' || *c == '\\') {
                Some(escaped) => value.push(escaped),
                None => value.push('\\'),
            },
            Some(c) => value.push(c),
        }
    }
}

/// Quotes `value` for a quoted field: `"` becomes `\"`; a backslash is doubled only where a
/// reader would otherwise take it for an escape (before `"` or `\`, or at the end), so
/// ordinary text with a backslash reads the same in programs that know only `\"`.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => match chars.peek() {
                None | Some('"') | Some('\\') => out.push_str("\\\\"),
                Some(_) => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bare(v: &str) -> Field {
        Field::Text {
            value: v.to_owned(),
            quoted: false,
        }
    }

    fn q(v: &str) -> Field {
        Field::Text {
            value: v.to_owned(),
            quoted: true,
        }
    }

    #[test]
    fn splits_on_tabs_and_spaces() {
        assert_eq!(
            tokenize("\t#TRANS\t1518 {}      10000    20100630 \"Exempel p\u{e5}\"").unwrap(),
            vec![
                bare("#TRANS"),
                bare("1518"),
                Field::Objects(vec![]),
                bare("10000"),
                bare("20100630"),
                q("Exempel på"),
            ]
        );
    }

    #[test]
    fn object_lists_and_escapes() {
        assert_eq!(
            tokenize(r#"#TRANS 2440 {"1" "1" 6 P1} -1 "" "a \"b\" c\\" "C:\Doc""#).unwrap(),
            vec![
                bare("#TRANS"),
                bare("2440"),
                Field::Objects(vec!["1".into(), "1".into(), "6".into(), "P1".into()]),
                bare("-1"),
                q(""),
                q("a \"b\" c\\"),
                q("C:\\Doc"),
            ]
        );
    }

    #[test]
    fn unterminated_fields_are_errors() {
        assert_eq!(tokenize("#VER \"A"), Err(LexError::UnterminatedString));
        assert_eq!(
            tokenize("#TRANS 1 {1 \"2\""),
            Err(LexError::UnterminatedObjectList)
        );
    }

    #[test]
    fn quote_round_trips() {
        for text in [
            "", "plain", "a\"b", "ends\\", "C:\\dir", "x\\\"y", "\\\\", "\"\"",
        ] {
            let line = quote(text);
            assert_eq!(tokenize(&line).unwrap(), vec![q(text)], "{line}");
        }
        assert_eq!(quote("C:\\dir"), "\"C:\\dir\"");
        assert_eq!(quote("say \"hi\""), "\"say \\\"hi\\\"\"");
    }
}
