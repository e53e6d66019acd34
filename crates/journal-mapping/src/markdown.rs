//! Text in Markdown: the one escaping function for everything kassabok writes
//! into a Markdown document (`review.md`).
//!
//! Provider text is customer-typed (line item names, order notes, PayPal
//! subjects, document numbers) and an accountant opens the review in a
//! Markdown viewer, so a value must stay one piece of plain text in its table
//! cell or list item: no extra rows, no HTML, no links or remote images.

use bookkeeping_core::text::printable;

/// `text` as plain Markdown inline text.
///
/// First [`printable`] (control characters, terminal escape sequences, bidi
/// and zero-width characters removed; line breaks become spaces, so no value
/// can start a new row or block), then a backslash before every character
/// that CommonMark or GitHub Flavored Markdown gives a meaning inline: `\`
/// `` ` `` `*` `_` (unless between two letters or digits) `[` `]` `<` `>` `|` `!` `~` `&` `$`. `<` and `&` escaped
/// means no HTML tag and no entity; `[`, `]` and `!` escaped means no link and
/// no image; `|` escaped stays inside its table cell.
///
/// GitHub Flavored Markdown also makes a link of bare text (GitHub Flavored
/// Markdown Spec, "Autolinks (extension)": an "extended www autolink" at
/// `www.`, an "extended url autolink" at `http://` or `https://`, an
/// "extended email autolink" at `name@host.tld`; `mailto:` and `xmpp:` links
/// hold an `@` too), and cmark-gfm finds them in the text after the escapes
/// above are read, so no backslash stops it: such text is defanged, visibly,
/// as `https[:]//…`, `www[.]…` and `name[@]host.tld`. A customer's text
/// cannot put a link into the accountant's review.
///
/// Every value from a provider or the host goes through here; the review's own
/// fixed words do not need to.
///
/// ```
/// use journal_mapping::markdown::escape;
///
/// assert_eq!(escape("Kaffe 500 g"), "Kaffe 500 g");
/// assert_eq!(
///     escape("<img src=x onerror=alert(1)>"),
///     r"\<img src=x onerror=alert(1)\>"
/// );
/// assert_eq!(escape("a | b\r\n| c"), r"a \| b  \| c");
/// assert_eq!(escape("po_1 _em_"), r"po_1 \_em\_");
/// assert_eq!(escape("![x](https://t.example/p.png)"), r"\!\[x\](https\[:\]//t.example/p.png)");
/// assert_eq!(escape("WWW.evil.example, a@b.se"), r"WWW\[.\]evil.example, a\[@\]b.se");
/// ```
pub fn escape(text: &str) -> String {
    let text = defang(&printable(text));
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let special = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '!' | '~' | '&' | '$' => true,
            // Between two letters or digits (`po_1`, `snake_case`) an
            // underscore can neither open nor close emphasis: ids stay as
            // they are.
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && chars.peek().is_some_and(|n| n.is_alphanumeric()))
            }
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// `text` with what GitHub Flavored Markdown would make a link of broken up
/// visibly: `http://` and `https://` (any case) as `http[:]//`, `www.` as
/// `www[.]`, `@` as `[@]`; other schemes (Shopify's `gid://`) are no links
/// there and stay. The brackets are then escaped like any others.
fn defang(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let scheme = ["http://", "https://"].into_iter().find(|scheme| {
            rest.len() >= scheme.len()
                && rest.as_bytes()[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
        });
        if let Some(scheme) = scheme {
            // `https://` → `https[:]//`, in the text's own case.
            let colon = scheme.len() - 3;
            out.push_str(&rest[..colon]);
            out.push_str("[:]//");
            rest = &rest[scheme.len()..];
        } else if rest.len() >= 4 && rest.as_bytes()[..4].eq_ignore_ascii_case(b"www.") {
            out.push_str(&rest[..3]);
            out.push_str("[.]");
            rest = &rest[4..];
        } else if c == '@' {
            out.push_str("[@]");
            rest = &rest[1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}
